package service

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/peakwise/peakwise/scheduling/calendar"
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
	for _, o := range theirs {
		if o.Start.Before(moved.End) && moved.Start.Before(o.End) {
			problems["overlap"] = fmt.Sprintf("%s already works %s-%s", taker.Name, o.Start.In(loc).Format("Mon 15:04"), o.End.In(loc).Format("15:04 MST"))
		}
	}
	c := taker.Contract
	viol := calendar.CheckContract(taker.ID, calendar.Contract{MaxWeekHours: c.MaxWeekHours, MaxShiftsPerWeek: c.MaxShiftsPerWeek,
		MinRestHours: c.MinRestHours, MaxConsecutiveDays: c.MaxConsecutiveDays}, loc, append(theirs, moved), weekStart, weekEnd)
	off, _, err := st.FindTimeOff(ctx, store.TimeOffFilter{AgentIDs: []int64{taker.ID}, Status: calendar.TimeOffApproved, From: moved.Start, To: moved.End})
	if err != nil {
		return err
	}
	viol = append(viol, calendar.CheckTimeOff([]calendar.Shift{moved}, off)...)
	for _, v := range viol {
		problems[v.Rule] = v.Message
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
