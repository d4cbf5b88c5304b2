package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// Booking asks for a planned coaching session of Minutes (15 to 120,
// default 30) in the agent's schedule; Version is the session's, as read.
type Booking struct {
	Minutes int
	Version int
}

// bookingStep is the grid coaching bookings are placed on.
const bookingStep = 15 * time.Minute

// BookCoaching places the session in one of the agent's published shifts
// between now and its due time, at the slot where the queues the agent serves
// expect the fewest contacts (their latest forecasts), and publishes the
// plan's next revision with it, so the agent's week and calendar show it and
// coverage counts it as off-queue. Returns Conflict when the session is not
// planned or already booked, Unprocessable when no shift has room.
func (s *Service) BookCoaching(ctx context.Context, p auth.Principal, id int64, req Booking) (qa.CoachingSession, error) {
	if req.Minutes == 0 {
		req.Minutes = 30
	}
	if req.Minutes < 15 || req.Minutes > 120 || req.Minutes%15 != 0 {
		return qa.CoachingSession{}, &fault.Error{Code: fault.Invalid, Message: "bad length", Fields: map[string]string{"minutes": "must be 15 to 120, in steps of 15"}}
	}
	var out qa.CoachingSession
	err := s.store.Tx(ctx, func(tx *store.Store) error {
		cs, err := s.LoadCoaching(ctx, tx, p, id, auth.Update)
		if err != nil {
			return err
		}
		switch {
		case cs.Version != req.Version:
			return fault.Errorf(fault.Conflict, "coaching session was changed by someone else (version %d is stale); reload and retry", req.Version)
		case cs.State != qa.CoachingPlanned:
			return fault.Errorf(fault.Conflict, "only a planned session can be booked; this one is %s", cs.State)
		case cs.BookedStart != nil:
			return fault.Errorf(fault.Conflict, "the session is already booked")
		}
		now := s.now()
		if !cs.DueAt.After(now) {
			return &fault.Error{Code: fault.Unprocessable, Message: "the session is overdue", Fields: map[string]string{"due_at": "move the due time into the future before booking"}}
		}
		agent, err := tx.FindAgentByID(ctx, cs.AgentID)
		if err != nil {
			return err
		}
		shifts, err := tx.FindShifts(ctx, store.ShiftFilter{AgentIDs: []int64{agent.ID}, From: now, To: cs.DueAt, Published: true})
		if err != nil {
			return err
		}
		load, err := s.contactLoad(ctx, tx, agent, now, cs.DueAt)
		if err != nil {
			return err
		}
		var best, was calendar.Shift
		var slot calendar.Break
		bestLoad, found := 0.0, false
		for _, sh := range shifts {
			if sh.End.After(cs.DueAt) {
				continue // the session must be over by its due time
			}
			booked, b, err := calendar.BookActivity(sh, "coaching", time.Duration(req.Minutes)*time.Minute, bookingStep, now, load)
			if errors.Is(err, calendar.ErrNoSlot) {
				continue
			}
			if err != nil {
				return err
			}
			l := 0.0
			for t := b.Start; t.Before(b.End); t = t.Add(bookingStep) {
				l += load(t)
			}
			if !found || l < bestLoad {
				best, was, slot, bestLoad, found = booked, sh, b, l, true
			}
		}
		if !found {
			return &fault.Error{Code: fault.Unprocessable, Message: "no published shift has room for the session before it is due",
				Fields: map[string]string{"due_at": fmt.Sprintf("%s has no free %d minutes in a published shift until then", agent.Name, req.Minutes)}}
		}
		published, err := s.publishShiftChange(ctx, tx, was, best, p.User.ID, now, fmt.Sprintf("coaching session %d booked", cs.ID))
		if err != nil {
			return err
		}
		cs.BookedStart, cs.BookedEnd, cs.BookedShift = &slot.Start, &slot.End, best.UID
		if out, err = tx.SaveCoachingBooking(ctx, cs); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, store.AuditEvent{ActorID: &p.User.ID, Entity: "coaching", EntityID: cs.ID, Action: "book",
			After: store.Snapshot(map[string]any{"start": slot.Start, "end": slot.End, "shift_uid": best.UID, "schedule_id": published.ID})})
	})
	return out, err
}

// publishShiftChange publishes the next revision of the plan holding the
// shift (by UID) with the shift was replaced by changed, as swaps do. Under
// the plan's lock it checks that the published shift is still was, and
// returns Conflict if another publication changed it meanwhile.
func (s *Service) publishShiftChange(ctx context.Context, tx *store.Store, was, changed calendar.Shift, by int64, now time.Time, reason string) (store.Schedule, error) {
	_, sch, err := tx.FindPublishedShiftByUID(ctx, changed.UID)
	if err != nil {
		return store.Schedule{}, err
	}
	if err := tx.LockPlan(ctx, sch.PlanID); err != nil {
		return store.Schedule{}, err
	}
	cur, sch, err := tx.FindPublishedShiftByUID(ctx, changed.UID)
	if err != nil || !sameShift(cur, was) {
		return store.Schedule{}, fault.Errorf(fault.Conflict, "the shift was changed by another publication meanwhile; reload and try again")
	}
	shifts, err := tx.FindShifts(ctx, store.ShiftFilter{ScheduleID: sch.ID})
	if err != nil {
		return store.Schedule{}, err
	}
	for i := range shifts {
		if shifts[i].UID == changed.UID {
			shifts[i] = changed
		}
		shifts[i].ID = 0
	}
	draft, err := tx.CreateScheduleDraft(ctx, store.Schedule{PlanID: sch.PlanID, Name: sch.Name, Timezone: sch.Timezone,
		PeriodStart: sch.PeriodStart, PeriodEnd: sch.PeriodEnd, CreatedByID: &by, Report: sch.Report}, shifts)
	if err != nil {
		return store.Schedule{}, err
	}
	published, _, err := tx.PublishSchedule(ctx, draft.ID, draft.Version, by, now)
	if err != nil {
		return store.Schedule{}, err
	}
	return published, tx.AppendAudit(ctx, store.AuditEvent{ActorID: &by, Entity: "schedule", EntityID: published.ID, Action: "activity",
		After: store.Snapshot(changed), Reason: reason})
}

// contactLoad returns the forecast contacts per minute, summed over the
// queues the agent serves (channel skill, and language where the queue has
// one), for the step starting at t; 0 where no forecast covers t.
func (s *Service) contactLoad(ctx context.Context, st *store.Store, a org.Agent, from, to time.Time) (func(time.Time) float64, error) {
	queues, _, err := st.FindQueues(ctx, store.Page{Limit: 500})
	if err != nil {
		return nil, err
	}
	type span struct {
		start, end time.Time
		perMin     float64
	}
	var spans []span
	for _, q := range queues {
		ch, err := st.FindChannelByID(ctx, q.ChannelID)
		if err != nil {
			return nil, err
		}
		if !servesQueue(a, ch.Key, q.Language) {
			continue
		}
		f, err := st.FindLatestForecast(ctx, q.ID)
		if err != nil {
			var fe *fault.Error
			if errors.As(err, &fe) && fe.Code == fault.NotFound {
				continue
			}
			return nil, err
		}
		pts, err := st.FindForecastPoints(ctx, f.ID, from.Add(-time.Duration(f.IntervalMin)*time.Minute), to)
		if err != nil {
			return nil, err
		}
		iv := time.Duration(f.IntervalMin) * time.Minute
		for _, pt := range pts {
			spans = append(spans, span{pt.StartAt, pt.StartAt.Add(iv), pt.Contacts / iv.Minutes()})
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start.Before(spans[j].start) })
	return func(t time.Time) float64 {
		total := 0.0
		i := sort.Search(len(spans), func(i int) bool { return spans[i].start.After(t) })
		for j := i - 1; j >= 0 && j >= i-64; j-- {
			if !t.Before(spans[j].start) && t.Before(spans[j].end) {
				total += spans[j].perMin
			}
		}
		return total
	}, nil
}

// servesQueue reports whether the agent has the queue's channel skill and,
// when the queue has a language, that language.
func servesQueue(a org.Agent, channel, language string) bool {
	hasChannel, hasLanguage := false, language == ""
	for _, sk := range a.Skills {
		if sk.Kind == "channel" && sk.Value == channel {
			hasChannel = true
		}
		if sk.Kind == "language" && sk.Value == language {
			hasLanguage = true
		}
	}
	return hasChannel && hasLanguage
}

// sameShift reports whether two reads of one shift agree on who works it,
// when, and its breaks.
func sameShift(a, b calendar.Shift) bool {
	return a.UID == b.UID && a.AgentID == b.AgentID && a.Start.Equal(b.Start) && a.End.Equal(b.End) &&
		slices.EqualFunc(a.Breaks, b.Breaks, func(x, y calendar.Break) bool {
			return x.Name == y.Name && x.Start.Equal(y.Start) && x.End.Equal(y.End) && x.Paid == y.Paid
		})
}
