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

// CheckTaker returns an Unprocessable error listing why taker cannot work sh.
func (s *Service) CheckTaker(ctx context.Context, sh calendar.Shift, sch store.Schedule, takerID int64) error {
	taker, err := s.store.FindAgentByID(ctx, takerID)
	if err != nil {
		return err
	}
	giver, err := s.store.FindAgentByID(ctx, sh.AgentID)
	if err != nil {
		return err
	}
	problems := map[string]string{}
	if missing := s.MissingSkills(ctx, sh, giver, taker); len(missing) > 0 {
		problems["skills"] = "the shift needs " + strings.Join(missing, ", ")
	}
	loc, err := time.LoadLocation(taker.Timezone)
	if err != nil {
		return fault.Wrap(fault.Internal, err, "agent has a bad time zone")
	}
	weekStart := sh.Start.AddDate(0, 0, -7)
	weekEnd := sh.End.AddDate(0, 0, 7)
	theirs, err := s.store.FindShifts(ctx, store.ShiftFilter{AgentIDs: []int64{taker.ID}, From: weekStart, To: weekEnd, Published: true})
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
	off, _, err := s.store.FindTimeOff(ctx, store.TimeOffFilter{AgentIDs: []int64{taker.ID}, Status: calendar.TimeOffApproved, From: moved.Start, To: moved.End})
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

// MissingSkills lists what the shift needs that taker lacks: the queue's
// channel and language, or else the giver's channels.
func (s *Service) MissingSkills(ctx context.Context, sh calendar.Shift, giver, taker org.Agent) []string {
	has := map[string]bool{}
	for _, sk := range taker.Skills {
		has[sk.Kind+":"+sk.Value] = true
	}
	var need []string
	if sh.QueueID != 0 {
		if q, err := s.store.FindQueueByID(ctx, sh.QueueID); err == nil {
			if ch, err := s.store.FindChannelByID(ctx, q.ChannelID); err == nil {
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
	sh, sch, err := tx.FindPublishedShiftByUID(ctx, sw.ShiftUID)
	if err != nil || sh.AgentID != sw.FromAgentID {
		return store.Schedule{}, fault.Errorf(fault.Conflict, "the shift changed since it was offered; the swap cannot be approved")
	}
	if err := s.CheckTaker(ctx, sh, sch, *sw.TakerAgentID); err != nil {
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
