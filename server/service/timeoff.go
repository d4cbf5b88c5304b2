package service

import (
	"context"
	"strings"
	"time"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/store"
)

// TimeOffRequest asks for full days (FirstDate..LastDate) or part of one day
// (FirstDate with From and To), in the agent's own time zone.
type TimeOffRequest struct {
	AgentID   int64 // 0: the caller's agent
	FirstDate string
	LastDate  string
	From      string
	To        string
	Reason    string
}

// RequestTimeOff records a pending time-off request for an agent p may
// request for.
func (s *Service) RequestTimeOff(ctx context.Context, p auth.Principal, req TimeOffRequest) (calendar.TimeOff, error) {
	if req.AgentID == 0 {
		if p.User.AgentID == nil {
			return calendar.TimeOff{}, &fault.Error{Code: fault.Invalid, Message: "invalid request", Fields: map[string]string{"agent_id": "is required (your account is not an agent)"}}
		}
		req.AgentID = *p.User.AgentID
	}
	a, err := s.store.FindAgentByID(ctx, req.AgentID)
	if err != nil {
		return calendar.TimeOff{}, err
	}
	if err := p.AllowObject(auth.TimeOff, auth.Create, auth.Owner{AgentID: &a.ID, TeamID: a.TeamID}); err != nil {
		return calendar.TimeOff{}, err
	}
	loc, err := time.LoadLocation(a.Timezone)
	if err != nil {
		return calendar.TimeOff{}, fault.Wrap(fault.Internal, err, "agent has a bad time zone")
	}
	start, end, field, err := calendar.TimeOffSpan(loc, req.FirstDate, req.LastDate, req.From, req.To)
	if err != nil {
		return calendar.TimeOff{}, &fault.Error{Code: fault.Invalid, Message: "invalid time-off request", Fields: map[string]string{field: err.Error()}}
	}
	if len(req.Reason) > 500 {
		return calendar.TimeOff{}, &fault.Error{Code: fault.Invalid, Message: "invalid time-off request", Fields: map[string]string{"reason": "is longer than 500 characters"}}
	}
	return s.store.CreateTimeOff(ctx, calendar.TimeOff{AgentID: a.ID, Start: start, End: end, FullDays: req.From == "",
		Reason: strings.TrimSpace(req.Reason), CreatedByID: p.User.ID})
}

// DecideTimeOff approves or denies a pending request r for the decider by.
func (s *Service) DecideTimeOff(ctx context.Context, by int64, r calendar.TimeOff, approve bool, note string) (calendar.TimeOff, error) {
	decided, err := calendar.Decide(r, approve, by, s.now(), strings.TrimSpace(note))
	if err != nil {
		return r, fault.Errorf(fault.Conflict, "%v", err)
	}
	return s.store.SaveTimeOffState(ctx, decided)
}

// CancelTimeOff cancels a request that has not started.
func (s *Service) CancelTimeOff(ctx context.Context, r calendar.TimeOff) (calendar.TimeOff, error) {
	cancelled, err := calendar.Cancel(r, s.now())
	if err != nil {
		return r, fault.Errorf(fault.Conflict, "%v", err)
	}
	return s.store.SaveTimeOffState(ctx, cancelled)
}

// FindTimeOff reads through the store; the caller has checked the principal may.
func (s *Service) FindTimeOff(ctx context.Context, f store.TimeOffFilter) ([]calendar.TimeOff, int, error) {
	return s.store.FindTimeOff(ctx, f)
}
