package calendar

import (
	"fmt"
	"time"
)

// SwapStatus is where a swap offer stands.
type SwapStatus string

const (
	SwapOffered   SwapStatus = "offered"
	SwapAccepted  SwapStatus = "accepted" // a colleague took it; waiting for approval
	SwapApproved  SwapStatus = "approved" // published: the shift is the taker's
	SwapRejected  SwapStatus = "rejected"
	SwapCancelled SwapStatus = "cancelled"
	SwapExpired   SwapStatus = "expired"
)

// Swap is an agent's offer to give one of their published shifts to a colleague.
type Swap struct {
	ID           int64      `json:"id"`
	ShiftUID     string     `json:"shift_uid"`
	PlanID       int64      `json:"plan_id"`
	FromAgentID  int64      `json:"from_agent_id"`
	ToAgentID    *int64     `json:"to_agent_id"` // nil: open to anyone who can work it
	TakerAgentID *int64     `json:"taker_agent_id"`
	Status       SwapStatus `json:"status"`
	Note         string     `json:"note"`
	ExpiresAt    time.Time  `json:"expires_at"`
	CreatedAt    time.Time  `json:"created_at"`
	AcceptedAt   *time.Time `json:"accepted_at"`
	DecidedByID  *int64     `json:"decided_by_id"`
	DecidedAt    *time.Time `json:"decided_at"`
	DecisionNote string     `json:"decision_note"`
	Version      int        `json:"version"`
}

// Effective returns the offer with an open status turned to expired once its time has passed.
func (s Swap) Effective(now time.Time) Swap {
	if (s.Status == SwapOffered || s.Status == SwapAccepted) && !now.Before(s.ExpiresAt) {
		s.Status = SwapExpired
	}
	return s
}

// DefaultSwapExpiry is how long before the shift an offer stops being open by default.
const DefaultSwapExpiry = 12 * time.Hour

// Accept records that taker takes the offer. Returns an error if the offer is
// not open, has expired, is addressed to someone else, or taker is the giver.
func Accept(s Swap, taker int64, now time.Time) (Swap, error) {
	s = s.Effective(now)
	switch {
	case s.Status != SwapOffered:
		return s, fmt.Errorf("the offer is %s", s.Status)
	case taker == s.FromAgentID:
		return s, fmt.Errorf("you cannot take your own shift")
	case s.ToAgentID != nil && *s.ToAgentID != taker:
		return s, fmt.Errorf("the offer is addressed to someone else")
	}
	s.Status, s.TakerAgentID, s.AcceptedAt = SwapAccepted, &taker, &now
	return s, nil
}

// DecideSwap approves or rejects an accepted offer.
func DecideSwap(s Swap, approve bool, by int64, now time.Time, note string) (Swap, error) {
	s = s.Effective(now)
	if s.Status != SwapAccepted {
		return s, fmt.Errorf("the offer is %s; only accepted offers can be decided", s.Status)
	}
	s.Status = SwapRejected
	if approve {
		s.Status = SwapApproved
	}
	s.DecidedByID, s.DecidedAt, s.DecisionNote = &by, &now, note
	return s, nil
}

// CancelSwap withdraws an offer that is not decided yet.
func CancelSwap(s Swap, now time.Time) (Swap, error) {
	s = s.Effective(now)
	if s.Status != SwapOffered && s.Status != SwapAccepted {
		return s, fmt.Errorf("the offer is %s and cannot be cancelled", s.Status)
	}
	s.Status = SwapCancelled
	return s, nil
}

// Reassign returns shifts with the shift uid given to agent taker, for the
// next revision of the plan. Returns an error if uid is not among shifts.
func Reassign(shifts []Shift, uid string, taker int64) ([]Shift, error) {
	out := make([]Shift, len(shifts))
	found := false
	for i, s := range shifts {
		s.ID = 0 // the copies are new rows of the next revision
		if s.UID == uid {
			s.AgentID, s.ShortNotice, found = taker, false, true
		}
		out[i] = s
	}
	if !found {
		return nil, fmt.Errorf("the shift is no longer in the published plan")
	}
	return out, nil
}
