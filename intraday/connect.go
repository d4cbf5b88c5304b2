package intraday

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Amazon Connect publishes agent event streams: one JSON record per event on
// a Kinesis stream (docs.aws.amazon.com/connect/latest/adminguide/
// agent-event-stream-model.html). ConnectEvent maps one record onto an Event;
// the fields read are those of that published data model.
type connectRecord struct {
	AgentARN             string           `json:"AgentARN"`
	EventID              string           `json:"EventId"`
	EventTimestamp       string           `json:"EventTimestamp"`
	EventType            string           `json:"EventType"` // LOGIN, LOGOUT, STATE_CHANGE, HEART_BEAT
	CurrentAgentSnapshot *connectSnapshot `json:"CurrentAgentSnapshot"`
}

type connectSnapshot struct {
	AgentStatus *struct {
		Name string `json:"Name"`
		Type string `json:"Type"` // ROUTABLE, CUSTOM, OFFLINE
	} `json:"AgentStatus"`
	Configuration *struct {
		Username string `json:"Username"`
	} `json:"Configuration"`
	Contacts []struct {
		Channel string `json:"Channel"` // VOICE, CHAT, TASK, EMAIL
		State   string `json:"State"`
		Queue   *struct {
			Name string `json:"Name"`
		} `json:"Queue"`
	} `json:"Contacts"`
}

// ErrHeartbeat marks a record that carries no change (HEART_BEAT): skip it.
var ErrHeartbeat = errors.New("a heartbeat carries no state change")

// ConnectStatuses maps Amazon Connect's custom agent status names (set up per
// instance by its admin) onto states; names are compared case-insensitively.
// DefaultConnectStatuses holds the usual ones.
type ConnectStatuses map[string]State

// DefaultConnectStatuses maps the custom statuses most instances define.
func DefaultConnectStatuses() ConnectStatuses {
	return ConnectStatuses{"break": Break, "lunch": Lunch, "meeting": Meeting, "training": Training, "coaching": Coaching,
		"offline": Offline}
}

// ConnectEvent maps one agent event stream record:
//
//   - LOGOUT is logged_out; HEART_BEAT returns ErrHeartbeat;
//   - a contact CONNECTED, CONNECTED_ONHOLD or PAUSED is on_contact with its
//     queue and channel; one ENDED (the agent is in after-contact work) is
//     after_contact_work;
//   - otherwise the agent status: ROUTABLE is available, OFFLINE offline, and
//     a CUSTOM status is looked up by name in statuses (an unknown name is an
//     error naming it, so an admin can add it).
//
// The agent is the snapshot's username, or the agent id at the end of the
// ARN when there is none.
func ConnectEvent(data []byte, statuses ConnectStatuses) (Event, error) {
	var r connectRecord
	if err := json.Unmarshal(data, &r); err != nil {
		return Event{}, fmt.Errorf("not an agent event record: %w", err)
	}
	if r.EventType == "HEART_BEAT" {
		return Event{}, ErrHeartbeat
	}
	e := Event{ID: r.EventID}
	if r.EventTimestamp != "" {
		t, err := time.Parse(time.RFC3339Nano, r.EventTimestamp)
		if err != nil {
			return Event{}, fmt.Errorf("EventTimestamp %q is not an RFC 3339 time", r.EventTimestamp)
		}
		e.At = t.UTC()
	}
	if i := strings.LastIndex(r.AgentARN, "/"); i >= 0 {
		e.Agent = r.AgentARN[i+1:]
	}
	snap := r.CurrentAgentSnapshot
	if snap != nil && snap.Configuration != nil && snap.Configuration.Username != "" {
		e.Agent = snap.Configuration.Username
	}
	switch r.EventType {
	case "LOGOUT":
		e.State = LoggedOut
		return e, nil
	case "LOGIN", "STATE_CHANGE":
	default:
		return Event{}, fmt.Errorf("EventType %q is not LOGIN, LOGOUT, STATE_CHANGE or HEART_BEAT", r.EventType)
	}
	if snap == nil || snap.AgentStatus == nil {
		return Event{}, fmt.Errorf("event %s has no CurrentAgentSnapshot.AgentStatus", r.EventID)
	}
	acw := false
	for _, c := range snap.Contacts {
		switch c.State {
		case "CONNECTED", "CONNECTED_ONHOLD", "PAUSED":
			e.State, e.Channel = OnContact, strings.ToLower(c.Channel)
			if c.Queue != nil {
				e.Queue = c.Queue.Name
			}
			return e, nil
		case "ENDED":
			acw = true
			e.Channel = strings.ToLower(c.Channel)
			if c.Queue != nil {
				e.Queue = c.Queue.Name
			}
		}
	}
	if acw {
		e.State = AfterContactWork
		return e, nil
	}
	e.Channel, e.Queue = "", ""
	status := snap.AgentStatus
	switch status.Type {
	case "ROUTABLE":
		e.State = Available
	case "OFFLINE":
		e.State = Offline
	case "CUSTOM":
		s, ok := statuses[strings.ToLower(status.Name)]
		if !ok {
			return Event{}, fmt.Errorf("custom agent status %q is not mapped to a state; add it to the status mapping", status.Name)
		}
		e.State, e.Code = s, status.Name
	default:
		return Event{}, fmt.Errorf("AgentStatus.Type %q is not ROUTABLE, CUSTOM or OFFLINE", status.Type)
	}
	return e, nil
}
