package service

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/peakwise/peakwise/intraday"
	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/scheduling/plancheck"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// Bounds of overtime and voluntary time off offered within the day: a shift
// is extended by at most MaxOvertime, and one cut short keeps at least
// MinShiftAfterVTO from its start.
const (
	MaxOvertime      = 2 * time.Hour
	MinShiftAfterVTO = 4 * time.Hour
)

// Offer kinds.
const (
	OfferOvertime = "overtime"
	OfferVTO      = "vto"
)

// ShiftOffer is overtime or voluntary time off offered to one agent: their
// shift ending at To instead of From.
type ShiftOffer struct {
	Kind      string    `json:"kind"` // overtime or vto
	AgentID   int64     `json:"agent_id"`
	AgentName string    `json:"agent_name"`
	ShiftUID  string    `json:"shift_uid"`
	From      time.Time `json:"from"` // the shift's end now
	To        time.Time `json:"to"`   // the end offered
}

// shiftOffers turns the staffing gaps left after the break moves into
// offers: for a short stretch, agents on the queue whose shift ends inside
// it may stay on to its end (at most MaxOvertime); for an overstaffed one,
// agents whose shift ends inside it may leave once it has begun (not before
// IntradayNotice from now, keeping MinShiftAfterVTO of their shift), so
// they leave only overstaffed time; soonest-ending first, as many as the
// gap's agents. Offers rejected today
// are left out.
func shiftOffers(windows []intraday.StaffingWindow, onQueue []calendar.Shift, agents map[int64]org.Agent, rejected map[string]bool, now time.Time) []ShiftOffer {
	out := []ShiftOffer{}
	taken := map[string]bool{}
	earliest := now.Add(IntradayNotice)
	for _, w := range windows {
		var cands []ShiftOffer
		for _, sh := range onQueue {
			if sh.AgentID == 0 || taken[sh.UID] {
				continue
			}
			o := ShiftOffer{AgentID: sh.AgentID, AgentName: agents[sh.AgentID].Name, ShiftUID: sh.UID, From: sh.End}
			switch {
			case w.Agents > 0 && !sh.End.Before(w.Start) && sh.End.Before(w.End) && !sh.End.Before(earliest):
				o.Kind, o.To = OfferOvertime, minTime(w.End, sh.End.Add(MaxOvertime))
			case w.Agents < 0 && sh.End.After(w.Start) && !sh.End.After(w.End):
				// Leaving early takes the agent off only inside the stretch.
				o.Kind, o.To = OfferVTO, maxTime(maxTime(w.Start, earliest), sh.Start.Add(MinShiftAfterVTO))
				if !o.To.Before(w.End) || !o.To.Before(sh.End) {
					continue
				}
			default:
				continue
			}
			if rejected[offerKey(o)] {
				continue
			}
			cands = append(cands, o)
		}
		sort.Slice(cands, func(i, j int) bool { return cands[i].From.Before(cands[j].From) })
		n := w.Agents
		if n < 0 {
			n = -n
		}
		for _, o := range cands[:min(n, len(cands))] {
			taken[o.ShiftUID] = true
			out = append(out, o)
		}
	}
	return out
}

func offerKey(o ShiftOffer) string {
	return o.Kind + "@" + o.ShiftUID + "@" + o.From.UTC().Format(time.RFC3339) + "@" + o.To.UTC().Format(time.RFC3339)
}

const shiftOfferEntity = "intraday_shift_offer"

// DecideShiftOffer records the agent's answer to an overtime or VTO offer
// on queue queueID, as the planner enters it, once: under the plan's lock
// it checks that the published shift still ends at o.From and that nobody
// recorded an answer to the offer before, else Conflict. Accepting then
// re-checks the offer (the new end is far enough ahead and within the
// bounds above) and, for overtime, the
// agent's contract on their own clock (hours, rest, days; plancheck); then
// it publishes the plan's next revision with the shift's end moved (breaks
// after a VTO end dropped, paid minutes adjusted), short notice. Both are
// audited.
func (s *Service) DecideShiftOffer(ctx context.Context, p auth.Principal, queueID int64, o ShiftOffer, accept bool) (store.Schedule, error) {
	if err := p.Allow(auth.Schedules, auth.Update); err != nil {
		return store.Schedule{}, err
	}
	if o.Kind != OfferOvertime && o.Kind != OfferVTO {
		return store.Schedule{}, &fault.Error{Code: fault.Invalid, Message: "the offer is not valid", Fields: map[string]string{"kind": "must be overtime or vto"}}
	}
	if _, err := s.store.FindQueueByID(ctx, queueID); err != nil {
		return store.Schedule{}, err
	}
	o.From, o.To = o.From.UTC(), o.To.UTC()
	now := s.now()
	var published store.Schedule
	err := s.store.Tx(ctx, func(tx *store.Store) error {
		sh, err := lockedPublishedShift(ctx, tx, o.ShiftUID)
		if err != nil {
			return err
		}
		if !sh.End.Equal(o.From) {
			return fault.Errorf(fault.Conflict, "the shift no longer ends at %s; reload the page", o.From.Format(time.RFC3339))
		}
		if done, err := decidedBefore(ctx, tx, shiftOfferEntity, queueID, offerKey, offerKey(o)); err != nil {
			return err
		} else if done {
			return fault.Errorf(fault.Conflict, "this offer was answered already; reload the page")
		}
		if !accept {
			return tx.AppendAudit(ctx, store.AuditEvent{ActorID: &p.User.ID, Entity: shiftOfferEntity, EntityID: queueID, Action: "reject", After: store.Snapshot(o)})
		}
		changed, problem := endShiftAt(sh, o, now)
		if problem == "" && o.Kind == OfferOvertime {
			problem, err = s.overtimeProblem(ctx, tx, changed)
			if err != nil {
				return err
			}
		}
		if problem != "" {
			return &fault.Error{Code: fault.Unprocessable, Message: "the offer cannot be taken", Fields: map[string]string{"to": problem}}
		}
		reason := "intraday: overtime to cover a short stretch"
		if o.Kind == OfferVTO {
			reason = "intraday: voluntary time off in an overstaffed stretch"
		}
		if published, err = s.publishShiftChange(ctx, tx, sh, changed, p.User.ID, now, reason); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, store.AuditEvent{ActorID: &p.User.ID, Entity: shiftOfferEntity, EntityID: queueID, Action: "accept", After: store.Snapshot(o)})
	})
	return published, err
}

// endShiftAt is sh ending at o.To, or why it may not.
func endShiftAt(sh calendar.Shift, o ShiftOffer, now time.Time) (calendar.Shift, string) {
	switch {
	case o.To.Before(now.Add(IntradayNotice)):
		return sh, fmt.Sprintf("the new end must be %d minutes or more ahead", int(IntradayNotice/time.Minute))
	case o.Kind == OfferOvertime && (!o.To.After(sh.End) || o.To.Sub(sh.End) > MaxOvertime):
		return sh, fmt.Sprintf("overtime extends a shift by up to %s", MaxOvertime)
	case o.Kind == OfferVTO && (!o.To.Before(sh.End) || o.To.Before(sh.Start.Add(MinShiftAfterVTO))):
		return sh, fmt.Sprintf("voluntary time off ends a shift early, keeping at least %s of it", MinShiftAfterVTO)
	}
	changed := sh
	changed.End = o.To
	delta := int(o.To.Sub(sh.End) / time.Minute)
	changed.Breaks = nil
	for _, b := range sh.Breaks {
		if !b.Start.Before(o.To) { // a break after the new end goes with the time
			if !b.Paid {
				delta += int(b.End.Sub(b.Start) / time.Minute)
			}
			continue
		}
		changed.Breaks = append(changed.Breaks, b)
	}
	changed.PaidMinutes = max(0, sh.PaidMinutes+delta)
	return changed, ""
}

// overtimeProblem judges the extended shift against the agent's contract
// on their own clock with the plan validator, counting their other published
// shifts: "" when it keeps every rule.
func (s *Service) overtimeProblem(ctx context.Context, tx *store.Store, sh calendar.Shift) (string, error) {
	a, err := tx.FindAgentByID(ctx, sh.AgentID)
	if err != nil {
		return "", err
	}
	loc, err := time.LoadLocation(a.Timezone)
	if err != nil {
		return "", fault.Wrap(fault.Internal, err, "agent has a bad time zone")
	}
	theirs, err := tx.FindShifts(ctx, store.ShiftFilter{AgentIDs: []int64{a.ID}, From: sh.Start.AddDate(0, 0, -8), To: sh.End.AddDate(0, 0, 8), Published: true})
	if err != nil {
		return "", err
	}
	c := a.Contract
	pa := plancheck.Agent{ID: strconv.FormatInt(a.ID, 10), Location: loc, MaxWeekHours: c.MaxWeekHours, MaxShiftsPerWeek: c.MaxShiftsPerWeek,
		MinRestHours: c.MinRestHours, MaxConsecutiveDays: c.MaxConsecutiveDays, Availability: checkWindows(a.Availability)}
	for _, o := range theirs {
		if o.UID != sh.UID {
			pa.Published = append(pa.Published, checkShift(o))
		}
	}
	bs := plancheck.Check(plancheck.Input{Start: sh.Start, End: sh.End, Agents: []plancheck.Agent{pa}, Shifts: []plancheck.Shift{checkShift(sh)}})
	if len(bs) > 0 {
		return bs[0].Why, nil
	}
	return "", nil
}
