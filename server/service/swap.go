package service

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/scheduling/plancheck"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// CheckTaker returns an Unprocessable error listing why taker cannot work sh,
// reading through st (the transaction, when the check guards a write).
func CheckTaker(ctx context.Context, st *store.Store, sh calendar.Shift, takerID int64) error {
	taker, err := st.FindAgentByID(ctx, takerID)
	if err != nil {
		return err
	}
	giver, err := st.FindAgentByID(ctx, sh.AgentID)
	if err != nil {
		return err
	}
	problems := map[string]string{}
	if missing := missingSkills(ctx, st, sh, giver, taker); len(missing) > 0 {
		problems["skills"] = "the shift needs " + strings.Join(missing, ", ")
	}
	loc, err := time.LoadLocation(taker.Timezone)
	if err != nil {
		return fault.Wrap(fault.Internal, err, "agent has a bad time zone")
	}
	weekStart := sh.Start.AddDate(0, 0, -7)
	weekEnd := sh.End.AddDate(0, 0, 7)
	theirs, err := st.FindShifts(ctx, store.ShiftFilter{AgentIDs: []int64{taker.ID}, From: weekStart, To: weekEnd, Published: true})
	if err != nil {
		return err
	}
	moved := sh
	moved.AgentID = taker.ID
	off, _, err := st.FindTimeOff(ctx, store.TimeOffFilter{AgentIDs: []int64{taker.ID}, Status: calendar.TimeOffApproved, From: weekStart, To: weekEnd})
	if err != nil {
		return err
	}
	// The plan validator judges the taker with the shift: contract limits
	// on his own clock (hours, shifts, rest, days in a row, counting the
	// shifts he has), availability, approved time off and overlaps. Taking
	// a shift only adds hours, so weekly minimums are not his concern here.
	c := taker.Contract
	pa := plancheck.Agent{ID: strconv.FormatInt(taker.ID, 10), Location: loc, MaxWeekHours: c.MaxWeekHours, MaxShiftsPerWeek: c.MaxShiftsPerWeek,
		MinRestHours: c.MinRestHours, MaxConsecutiveDays: c.MaxConsecutiveDays, Availability: checkWindows(taker.Availability)}
	for _, o := range off {
		pa.TimeOff = append(pa.TimeOff, plancheck.Span{Start: o.Start, End: o.End})
	}
	for _, o := range theirs {
		pa.Published = append(pa.Published, checkShift(o))
	}
	for _, b := range plancheck.Check(plancheck.Input{Start: weekStart, End: weekEnd, Agents: []plancheck.Agent{pa}, Shifts: []plancheck.Shift{checkShift(moved)}}) {
		if _, seen := problems[b.Rule]; !seen {
			problems[b.Rule] = b.Why
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return &fault.Error{Code: fault.Unprocessable, Message: taker.Name + " cannot take this shift", Fields: problems}
}

// missingSkills lists what the shift needs that taker lacks: the queue's
// channel and language, or else the giver's channels.
func missingSkills(ctx context.Context, st *store.Store, sh calendar.Shift, giver, taker org.Agent) []string {
	has := map[string]bool{}
	for _, sk := range taker.Skills {
		has[sk.Kind+":"+sk.Value] = true
	}
	var need []string
	if sh.QueueID != 0 {
		if q, err := st.FindQueueByID(ctx, sh.QueueID); err == nil {
			if ch, err := st.FindChannelByID(ctx, q.ChannelID); err == nil {
				need = append(need, "channel:"+ch.Key)
			}
			if q.Language != "" {
				need = append(need, "language:"+q.Language)
			}
		}
	} else {
		for _, sk := range giver.Skills {
			if sk.Kind == "channel" {
				need = append(need, "channel:"+sk.Value)
			}
		}
	}
	var missing []string
	for _, n := range need {
		if !has[n] {
			missing = append(missing, strings.Replace(n, ":", " ", 1))
		}
	}
	return missing
}

// PublishSwap re-checks the taker and publishes the plan's next revision with
// the shift reassigned, so both agents see the change in the usual way.
func (s *Service) PublishSwap(ctx context.Context, tx *store.Store, sw calendar.Swap, by int64, now time.Time) (store.Schedule, error) {
	// Approvals of one plan publish one after another, each on top of the
	// revision the previous one published.
	if err := tx.LockPlan(ctx, sw.PlanID); err != nil {
		return store.Schedule{}, err
	}
	sh, sch, err := tx.FindPublishedShiftByUID(ctx, sw.ShiftUID)
	if err != nil || sh.AgentID != sw.FromAgentID {
		return store.Schedule{}, fault.Errorf(fault.Conflict, "the shift changed since it was offered; the swap cannot be approved")
	}
	if err := CheckTaker(ctx, tx, sh, *sw.TakerAgentID); err != nil {
		return store.Schedule{}, err
	}
	shifts, err := tx.FindShifts(ctx, store.ShiftFilter{ScheduleID: sch.ID})
	if err != nil {
		return store.Schedule{}, err
	}
	next, err := calendar.Reassign(shifts, sw.ShiftUID, *sw.TakerAgentID)
	if err != nil {
		return store.Schedule{}, fault.Errorf(fault.Conflict, "%v", err)
	}
	draft, err := tx.CreateScheduleDraft(ctx, store.Schedule{PlanID: sch.PlanID, Name: sch.Name, Timezone: sch.Timezone,
		PeriodStart: sch.PeriodStart, PeriodEnd: sch.PeriodEnd, CreatedByID: &by, Report: sch.Report}, next)
	if err != nil {
		return store.Schedule{}, err
	}
	published, _, err := tx.PublishSchedule(ctx, draft.ID, draft.Version, by, now)
	if err != nil {
		return store.Schedule{}, err
	}
	return published, tx.AppendAudit(ctx, store.AuditEvent{ActorID: &by, Entity: "schedule", EntityID: published.ID, Action: "swap",
		Before: store.Snapshot(map[string]any{"shift_uid": sw.ShiftUID, "agent_id": sw.FromAgentID}),
		After:  store.Snapshot(map[string]any{"shift_uid": sw.ShiftUID, "agent_id": *sw.TakerAgentID}), Reason: fmt.Sprintf("swap offer %d", sw.ID)})
}

// SwapOffer offers a published shift to one agent (ToAgentID) or anyone who
// may take it; ExpiresAt nil means 12 hours before the shift.
type SwapOffer struct {
	ShiftUID  string
	ToAgentID *int64
	Note      string
	ExpiresAt *time.Time
}

// OfferSwap records p's offer of a published shift.
func (s *Service) OfferSwap(ctx context.Context, p auth.Principal, req SwapOffer) (calendar.Swap, error) {
	sh, sch, err := s.store.FindPublishedShiftByUID(ctx, req.ShiftUID)
	if fault.Is(err, fault.NotFound) {
		return calendar.Swap{}, &fault.Error{Code: fault.Invalid, Message: "invalid swap offer", Fields: map[string]string{"shift_uid": "no published shift has this uid"}}
	} else if err != nil {
		return calendar.Swap{}, err
	}
	if sh.AgentID == 0 {
		return calendar.Swap{}, &fault.Error{Code: fault.Invalid, Message: "invalid swap offer", Fields: map[string]string{"shift_uid": "the shift has no agent"}}
	}
	giver, err := s.store.FindAgentByID(ctx, sh.AgentID)
	if err != nil {
		return calendar.Swap{}, err
	}
	if err := p.AllowObject(auth.Swaps, auth.Create, auth.Owner{AgentID: &giver.ID, TeamID: giver.TeamID}); err != nil {
		return calendar.Swap{}, err
	}
	now := s.now()
	expires := sh.Start.Add(-calendar.DefaultSwapExpiry)
	if req.ExpiresAt != nil {
		expires = *req.ExpiresAt
	}
	f := fault.Fields{}
	if !sh.Start.After(now) {
		f.Add("shift_uid", "the shift has already started")
	}
	if !expires.After(now) || expires.After(sh.Start) {
		f.Add("expires_at", "must be in the future and no later than the shift's start (%s)", sh.Start.Format(time.RFC3339))
	}
	if req.ToAgentID != nil {
		if *req.ToAgentID == giver.ID {
			f.Add("to_agent_id", "cannot be the agent who offers the shift")
		} else if _, err := s.store.FindAgentByID(ctx, *req.ToAgentID); fault.Is(err, fault.NotFound) {
			f.Add("to_agent_id", "no such agent")
		}
	}
	if len(req.Note) > 500 {
		f.Add("note", "is longer than 500 characters")
	}
	if err := f.Err("invalid swap offer"); err != nil {
		return calendar.Swap{}, err
	}
	sw, err := s.store.CreateSwap(ctx, calendar.Swap{ShiftUID: sh.UID, PlanID: sch.PlanID, FromAgentID: giver.ID, ToAgentID: req.ToAgentID,
		Note: strings.TrimSpace(req.Note), ExpiresAt: expires})
	if err != nil {
		return calendar.Swap{}, err
	}
	return sw, nil
}

// LoadSwap finds an offer and checks p may act on it as the giver's side.
func (s *Service) LoadSwap(ctx context.Context, p auth.Principal, id int64, action auth.Action) (calendar.Swap, error) {
	sw, err := s.store.FindSwapByID(ctx, id)
	if err != nil {
		return sw, err
	}
	giver, err := s.store.FindAgentByID(ctx, sw.FromAgentID)
	if err != nil {
		return sw, err
	}
	return sw, p.AllowObject(auth.Swaps, action, auth.Owner{AgentID: &giver.ID, TeamID: giver.TeamID})
}

// AcceptSwap lets agent take offer id: an offer to them or to anyone, a shift
// still published as offered, and a taker the rules allow.
func (s *Service) AcceptSwap(ctx context.Context, agentID int64, id int64) (calendar.Swap, error) {
	sw, err := s.store.FindSwapByID(ctx, id)
	if err != nil {
		return calendar.Swap{}, err
	}
	if sw.ToAgentID != nil && *sw.ToAgentID != agentID && sw.FromAgentID != agentID {
		return calendar.Swap{}, fault.Errorf(fault.NotFound, "swap offer not found")
	}
	accepted, err := calendar.Accept(sw, agentID, s.now())
	if err != nil {
		return calendar.Swap{}, fault.Errorf(fault.Conflict, "%v", err)
	}
	sh, _, err := s.store.FindPublishedShiftByUID(ctx, sw.ShiftUID)
	if err != nil {
		return calendar.Swap{}, fault.Errorf(fault.Conflict, "the shift is no longer published as offered")
	}
	if err := CheckTaker(ctx, s.store, sh, agentID); err != nil {
		return calendar.Swap{}, err
	}
	saved, err := s.store.SaveSwapState(ctx, accepted)
	if err != nil {
		return calendar.Swap{}, err
	}
	return saved, nil
}

// SwapDecision is a decided offer and, when approved, the revision that
// published it.
type SwapDecision struct {
	Swap     calendar.Swap
	Schedule *store.Schedule
}

// DecideSwap approves (publishing the change) or denies offer sw, for the
// decider by, in one transaction.
func (s *Service) DecideSwap(ctx context.Context, by int64, sw calendar.Swap, approve bool, note string) (SwapDecision, error) {
	now := s.now()
	decided, err := calendar.DecideSwap(sw, approve, by, now, strings.TrimSpace(note))
	if err != nil {
		return SwapDecision{}, fault.Errorf(fault.Conflict, "%v", err)
	}
	resp := SwapDecision{}
	err = s.store.Tx(ctx, func(tx *store.Store) error {
		if decided.Status == calendar.SwapApproved {
			sch, err := s.PublishSwap(ctx, tx, decided, by, now)
			if err != nil {
				return err
			}
			resp.Schedule = &sch
		}
		saved, err := tx.SaveSwapState(ctx, decided)
		resp.Swap = saved
		return err
	})
	if err != nil {
		return SwapDecision{}, err
	}
	return resp, nil
}

// CancelSwap withdraws an offer that is still open.
func (s *Service) CancelSwap(ctx context.Context, sw calendar.Swap) (calendar.Swap, error) {
	cancelled, err := calendar.CancelSwap(sw, s.now())
	if err != nil {
		return calendar.Swap{}, fault.Errorf(fault.Conflict, "%v", err)
	}
	saved, err := s.store.SaveSwapState(ctx, cancelled)
	if err != nil {
		return calendar.Swap{}, err
	}
	return saved, nil
}

// FindSwaps reads through the store; the caller has checked the principal may.
func (s *Service) FindSwaps(ctx context.Context, f store.SwapFilter) ([]calendar.Swap, int, error) {
	return s.store.FindSwaps(ctx, f)
}

// FindPublishedShift returns the published shift with uid. Returns NotFound
// when no published revision holds it (it was swapped, moved or the plan
// republished without it).
func (s *Service) FindPublishedShift(ctx context.Context, uid string) (calendar.Shift, error) {
	sh, _, err := s.store.FindPublishedShiftByUID(ctx, uid)
	return sh, err
}
