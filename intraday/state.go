// Package intraday runs the day as it happens: agents' live states from the
// contact center's platform, real-time adherence against the published
// schedule, and the re-forecast of the rest of today from what has arrived.
// It is pure: no database, no clock (times are passed in), no HTTP.
package intraday

import (
	"fmt"
	"strings"
	"time"
)

// State is what an agent is doing according to the contact center platform.
type State string

// The states every source is mapped onto.
const (
	LoggedOut        State = "logged_out"
	Available        State = "available"
	OnContact        State = "on_contact"
	AfterContactWork State = "after_contact_work"
	Break            State = "break"
	Lunch            State = "lunch"
	Meeting          State = "meeting"
	Training         State = "training"
	Coaching         State = "coaching"
	Offline          State = "offline"
)

// States lists every state, in the order a board shows them.
var States = []State{Available, OnContact, AfterContactWork, Break, Lunch, Meeting, Training, Coaching, Offline, LoggedOut}

// Valid reports whether s is one of States.
func (s State) Valid() bool {
	for _, v := range States {
		if s == v {
			return true
		}
	}
	return false
}

// Productive reports whether the agent is working contacts: available, on a
// contact or wrapping one up. Conformance counts this time.
func (s State) Productive() bool {
	return s == Available || s == OnContact || s == AfterContactWork
}

// Event is one change of an agent's state. ID is the source's event id: the
// same ID sent twice is one event.
type Event struct {
	ID      string    `json:"event_id"`
	Agent   string    `json:"agent"` // the source's reference: an agent id, email or external id
	State   State     `json:"state"`
	Code    string    `json:"code,omitempty"` // the source's own status name, when it was mapped
	Queue   string    `json:"queue,omitempty"`
	Channel string    `json:"channel,omitempty"`
	At      time.Time `json:"at"`
}

// Bounds of an event's text fields.
const maxRefLen = 200

// FieldError is one problem with one field of an event.
type FieldError struct {
	Field, Reason string
}

func (e FieldError) Error() string { return e.Field + ": " + e.Reason }

// FieldErrors lists every problem found with an input.
type FieldErrors []FieldError

func (e FieldErrors) Error() string {
	parts := make([]string, len(e))
	for i, f := range e {
		parts[i] = f.Error()
	}
	return strings.Join(parts, "; ")
}

// Validate lists every problem with the event: an id, an agent and a known
// state are required, on_contact names its queue or channel, text fields are
// at most 200 characters, and the time must lie within a day of now (a stream
// replays recent events, not last year's).
func (e Event) Validate(now time.Time) error {
	var errs FieldErrors
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{field, fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(e.ID) == "" {
		add("event_id", "is required (it makes a resent event count once)")
	}
	if strings.TrimSpace(e.Agent) == "" {
		add("agent", "is required")
	}
	if !e.State.Valid() {
		add("state", "must be one of %s, got %q", joinStates(), e.State)
	}
	if e.State == OnContact && e.Queue == "" && e.Channel == "" {
		add("queue", "an on_contact event names its queue or channel")
	}
	for _, f := range []struct{ name, v string }{{"event_id", e.ID}, {"agent", e.Agent}, {"code", e.Code}, {"queue", e.Queue}, {"channel", e.Channel}} {
		if len(f.v) > maxRefLen {
			add(f.name, "is longer than %d characters", maxRefLen)
		}
	}
	switch {
	case e.At.IsZero():
		add("at", "is required")
	case e.At.Before(now.Add(-MaxEventAge)):
		add("at", "%s is more than a day old; load history through the imports instead", e.At.Format(time.RFC3339))
	case e.At.After(now.Add(MaxEventLead)):
		add("at", "%s is in the future (clocks more than 5 minutes apart?)", e.At.Format(time.RFC3339))
	}
	if errs != nil {
		return errs
	}
	return nil
}

// MaxEventAge and MaxEventLead bound an event's time around now.
const (
	MaxEventAge  = 24 * time.Hour
	MaxEventLead = 5 * time.Minute
)

func joinStates() string {
	s := make([]string, len(States))
	for i, v := range States {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}
