package service

import (
	"context"
	"fmt"
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
	if now := s.now(); start.Before(now) {
		return calendar.TimeOff{}, &fault.Error{Code: fault.Invalid, Message: "invalid time-off request",
			Fields: map[string]string{"first_date": fmt.Sprintf("%s has begun already; time off is asked for ahead", start.In(loc).Format("Mon 2 Jan 2006 15:04"))}}
	}
	var out calendar.TimeOff
	err = s.store.Tx(ctx, func(tx *store.Store) error {
		// One request per stretch of time: an overlapping pending or approved
		// one is named instead of a second being made (under the agent's lock
		// in the transaction, so two at once make one).
		if err := tx.LockAgent(ctx, a.ID); err != nil {
			return err
		}
		mine, _, err := tx.FindTimeOff(ctx, store.TimeOffFilter{AgentIDs: []int64{a.ID}, From: start, To: end, Page: store.Page{Limit: 50}})
		if err != nil {
			return err
		}
		for _, r := range mine {
			if (r.Status == calendar.TimeOffPending || r.Status == calendar.TimeOffApproved) && r.Start.Before(end) && start.Before(r.End) {
				return &fault.Error{Code: fault.Conflict, Message: "the agent has asked for this time off already",
					Fields: map[string]string{"first_date": fmt.Sprintf("overlaps request %d (%s to %s, %s)", r.ID,
						r.Start.In(loc).Format("Mon 2 Jan 2006 15:04"), r.End.In(loc).Format("Mon 2 Jan 2006 15:04"), r.Status)}}
			}
		}
		out, err = tx.CreateTimeOff(ctx, calendar.TimeOff{AgentID: a.ID, Start: start, End: end, FullDays: req.From == "",
			Reason: strings.TrimSpace(req.Reason), CreatedByID: p.User.ID})
		return err
	})
	return out, err
}

// DecideTimeOff approves or denies a pending request r for the decider by.
// Approving takes the agent off the published shifts the time off covers:
// the plans holding them get a new revision without them (short notice
// marked where it is), in the same transaction as the decision, audited. A
// part-day request that falls on part of a published shift is refused
// (Unprocessable) with the reason: change that shift first.
func (s *Service) DecideTimeOff(ctx context.Context, by int64, r calendar.TimeOff, approve bool, note string) (calendar.TimeOff, error) {
	now := s.now()
	decided, err := calendar.Decide(r, approve, by, now, strings.TrimSpace(note))
	if err != nil {
		return r, fault.Errorf(fault.Conflict, "%v", err)
	}
	var out calendar.TimeOff
	err = s.store.Tx(ctx, func(tx *store.Store) error {
		if out, err = tx.SaveTimeOffState(ctx, decided); err != nil {
			return err
		}
		if !approve {
			return nil
		}
		return s.takeOffShifts(ctx, tx, out, by, now)
	})
	return out, err
}

// takeOffShifts removes the agent's published shifts that the approved time
// off r covers, one new revision per plan that held them.
func (s *Service) takeOffShifts(ctx context.Context, tx *store.Store, r calendar.TimeOff, by int64, now time.Time) error {
	covered, err := tx.FindShifts(ctx, store.ShiftFilter{Published: true, AgentIDs: []int64{r.AgentID}, From: r.Start, To: r.End})
	if err != nil {
		return err
	}
	drop := map[int64]map[string]bool{} // plan -> shift UIDs
	for _, sh := range covered {
		if !r.FullDays && (sh.Start.Before(r.Start) || sh.End.After(r.End)) {
			return &fault.Error{Code: fault.Unprocessable, Message: "the time off covers part of a published shift",
				Fields: map[string]string{"decision": fmt.Sprintf("the agent works %s-%s that day; change the shift in the plan first, then approve",
					sh.Start.Format(time.RFC3339), sh.End.Format(time.RFC3339))}}
		}
		_, sch, err := tx.FindPublishedShiftByUID(ctx, sh.UID)
		if err != nil {
			return err
		}
		if drop[sch.PlanID] == nil {
			drop[sch.PlanID] = map[string]bool{}
		}
		drop[sch.PlanID][sh.UID] = true
	}
	for planID, uids := range drop {
		if err := tx.LockPlan(ctx, planID); err != nil {
			return err
		}
		var sch store.Schedule
		for uid := range uids { // the plan's published revision, read again under its lock
			var err error
			if _, sch, err = tx.FindPublishedShiftByUID(ctx, uid); err == nil {
				break
			} else if !fault.Is(err, fault.NotFound) {
				return err
			}
		}
		if sch.ID == 0 {
			continue // the shifts went meanwhile
		}
		shifts, err := tx.FindShifts(ctx, store.ShiftFilter{ScheduleID: sch.ID})
		if err != nil {
			return err
		}
		kept := shifts[:0]
		for _, sh := range shifts {
			if !uids[sh.UID] {
				sh.ID = 0
				kept = append(kept, sh)
			}
		}
		draft, err := tx.CreateScheduleDraft(ctx, store.Schedule{PlanID: planID, Name: sch.Name, Timezone: sch.Timezone,
			PeriodStart: sch.PeriodStart, PeriodEnd: sch.PeriodEnd, CreatedByID: &by, Report: sch.Report}, kept)
		if err != nil {
			return err
		}
		published, _, err := tx.PublishSchedule(ctx, draft.ID, draft.Version, by, now)
		if err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, store.AuditEvent{ActorID: &by, Entity: "schedule", EntityID: published.ID, Action: "time off",
			After:  store.Snapshot(map[string]any{"time_off_id": r.ID, "removed_shifts": len(shifts) - len(kept)}),
			Reason: fmt.Sprintf("time off %d approved", r.ID)}); err != nil {
			return err
		}
	}
	return nil
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
