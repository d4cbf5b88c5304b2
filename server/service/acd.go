package service

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/peakwise/peakwise/intraday"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/store"
)

// MaxEventBatch bounds one ingest call: a platform sends its stream in
// batches, and a shift change of 10,000 agents is ten of them.
const MaxEventBatch = 1000

// EventError is one event the ingest refused, by its place in the batch.
type EventError struct {
	Index   int    `json:"index"`
	EventID string `json:"event_id,omitempty"`
	Field   string `json:"field"`
	Reason  string `json:"reason"`
}

// IngestResult says what happened to a batch: every event is stored, was
// there already (resent), or refused with its reasons.
type IngestResult struct {
	Received   int          `json:"received"`
	Stored     int          `json:"stored"`
	Duplicates int          `json:"duplicates"`
	Rejected   int          `json:"rejected"`
	Errors     []EventError `json:"errors"`
}

// IngestAgentEvents stores a batch of agent state events from the contact
// center platform. The agent is named by Peakwise id or email, the queue (of
// an on_contact event) by id or name. It is a stream, not an import: each bad
// event is refused with its reasons and the good ones are kept; an event id
// already stored (or repeated in the batch) counts as a duplicate and changes
// nothing, so a platform may resend a batch safely.
func (s *Service) IngestAgentEvents(ctx context.Context, evs []intraday.Event) (IngestResult, error) {
	res := IngestResult{Received: len(evs), Errors: []EventError{}}
	if len(evs) == 0 || len(evs) > MaxEventBatch {
		return res, &fault.Error{Code: fault.Invalid, Message: "the batch is not valid",
			Fields: map[string]string{"events": fmt.Sprintf("must hold 1 to %d events, got %d", MaxEventBatch, len(evs))}}
	}
	refs := make([]string, len(evs))
	for i, e := range evs {
		refs[i] = e.Agent
	}
	agents, err := s.store.AgentIDsByRef(ctx, refs)
	if err != nil {
		return res, err
	}
	queues, err := s.queuesByRef(ctx)
	if err != nil {
		return res, err
	}
	now := s.now()
	seen := map[string]bool{}
	var rows []store.AgentEvent
	for i, e := range evs {
		refuse := func(field, reason string) {
			res.Errors = append(res.Errors, EventError{Index: i, EventID: e.ID, Field: field, Reason: reason})
		}
		before := len(res.Errors)
		if err := e.Validate(now); err != nil {
			var fe intraday.FieldErrors
			if !errors.As(err, &fe) {
				return res, err
			}
			for _, f := range fe {
				refuse(f.Field, f.Reason)
			}
		}
		agentID, ok := agents[strings.ToLower(strings.TrimSpace(e.Agent))]
		if !ok && strings.TrimSpace(e.Agent) != "" {
			refuse("agent", fmt.Sprintf("%q is neither the id nor the email of an agent", e.Agent))
		}
		var queueID *int64
		if q := strings.TrimSpace(e.Queue); q != "" {
			if id, ok := queues[strings.ToLower(q)]; ok {
				queueID = &id
			} else {
				refuse("queue", fmt.Sprintf("%q is neither the id nor the name of a queue", e.Queue))
			}
		}
		if len(res.Errors) > before {
			res.Rejected++
			continue
		}
		if seen[e.ID] {
			res.Duplicates++
			continue
		}
		seen[e.ID] = true
		rows = append(rows, store.AgentEvent{SourceID: e.ID, AgentID: agentID, State: e.State, Code: e.Code, QueueID: queueID,
			Channel: strings.ToLower(strings.TrimSpace(e.Channel)), At: e.At})
	}
	stored, err := s.store.InsertAgentEvents(ctx, rows)
	if err != nil {
		return res, err
	}
	res.Stored = stored
	res.Duplicates += len(rows) - stored
	if stored > 0 {
		s.liveChanged(ctx)
	}
	return res, nil
}

// queuesByRef indexes the queues by id (as text) and lower-case name.
func (s *Service) queuesByRef(ctx context.Context) (map[string]int64, error) {
	qs, _, err := s.store.FindQueues(ctx, store.Page{Limit: 500})
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, 2*len(qs))
	for _, q := range qs {
		out[strconv.FormatInt(q.ID, 10)] = q.ID
		out[strings.ToLower(q.Name)] = q.ID
	}
	return out, nil
}

// QueueInterval is one interval's actuals as a platform reports them; the
// queue by id or name.
type QueueInterval struct {
	Queue         string    `json:"queue"`
	Start         time.Time `json:"start"`
	IntervalMin   int       `json:"interval_minutes"`
	Offered       int       `json:"offered"`
	Handled       int       `json:"handled"`
	Abandoned     int       `json:"abandoned"`
	HandleSeconds float64   `json:"handle_seconds"` // total over the handled contacts
	AnsweredInSL  int       `json:"answered_within_target"`
}

// maxIntervalContacts bounds an interval's counts, as history imports do.
const maxIntervalContacts = 100_000

// IngestQueueIntervals stores queue interval actuals. Like agent events it is
// a stream: bad intervals are refused one by one, good ones kept, and a
// later report of an interval replaces the earlier one. An interval must
// start on its length's boundary, within the last 7 days (and not after now).
func (s *Service) IngestQueueIntervals(ctx context.Context, ivs []QueueInterval) (IngestResult, error) {
	res := IngestResult{Received: len(ivs), Errors: []EventError{}}
	if len(ivs) == 0 || len(ivs) > MaxEventBatch {
		return res, &fault.Error{Code: fault.Invalid, Message: "the batch is not valid",
			Fields: map[string]string{"intervals": fmt.Sprintf("must hold 1 to %d intervals, got %d", MaxEventBatch, len(ivs))}}
	}
	queues, err := s.queuesByRef(ctx)
	if err != nil {
		return res, err
	}
	now := s.now()
	var rows []store.QueueActual
	at := map[[2]int64]int{} // (queue, start) -> its row: a later report in the batch replaces an earlier one
	for i, iv := range ivs {
		var bad []EventError
		refuse := func(field, format string, args ...any) {
			bad = append(bad, EventError{Index: i, Field: field, Reason: fmt.Sprintf(format, args...)})
		}
		id, ok := queues[strings.ToLower(strings.TrimSpace(iv.Queue))]
		if !ok {
			refuse("queue", "%q is neither the id nor the name of a queue", iv.Queue)
		}
		switch iv.IntervalMin {
		case 15, 30, 60:
			if iv.Start.IsZero() || iv.Start.UTC().Truncate(time.Duration(iv.IntervalMin)*time.Minute) != iv.Start.UTC() {
				refuse("start", "must be the start of a %d-minute interval, got %s", iv.IntervalMin, iv.Start.Format(time.RFC3339))
			}
		default:
			refuse("interval_minutes", "must be 15, 30 or 60, got %d", iv.IntervalMin)
		}
		if iv.Start.Before(now.Add(-7*24*time.Hour)) || iv.Start.After(now) {
			refuse("start", "%s is not within the last 7 days; load older actuals as history", iv.Start.Format(time.RFC3339))
		}
		for _, c := range []struct {
			name string
			v    int
		}{{"offered", iv.Offered}, {"handled", iv.Handled}, {"abandoned", iv.Abandoned}, {"answered_within_target", iv.AnsweredInSL}} {
			if c.v < 0 || c.v > maxIntervalContacts {
				refuse(c.name, "must be between 0 and %d, got %d", maxIntervalContacts, c.v)
			}
		}
		if iv.AnsweredInSL > iv.Handled {
			refuse("answered_within_target", "cannot exceed handled (%d), got %d", iv.Handled, iv.AnsweredInSL)
		}
		if !(iv.HandleSeconds >= 0) || iv.HandleSeconds > float64(iv.Handled)*86_400 {
			refuse("handle_seconds", "must be between 0 and a day per handled contact, got %v", iv.HandleSeconds)
		}
		if len(bad) > 0 {
			res.Rejected++
			res.Errors = append(res.Errors, bad...)
			continue
		}
		row := store.QueueActual{QueueID: id, Start: iv.Start, IntervalMin: iv.IntervalMin, Offered: iv.Offered, Handled: iv.Handled,
			Abandoned: iv.Abandoned, HandleSeconds: iv.HandleSeconds, AnsweredInSL: iv.AnsweredInSL}
		key := [2]int64{id, iv.Start.Unix()}
		if j, ok := at[key]; ok {
			rows[j] = row
			res.Duplicates++
			continue
		}
		at[key] = len(rows)
		rows = append(rows, row)
	}
	if err := s.store.UpsertQueueActuals(ctx, rows); err != nil {
		return res, err
	}
	res.Stored = len(rows)
	if len(rows) > 0 {
		s.liveChanged(ctx)
	}
	return res, nil
}
