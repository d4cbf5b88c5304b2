package service

import (
	"context"
	"sort"
	"time"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// DraftReport is what Peakwise found when it checked a draft.
type DraftReport struct {
	// Warnings are broken contract or time-off rules; publishing needs them accepted with a reason.
	Warnings []calendar.Violation `json:"warnings"`
	// Validator are the breaches the independent plan validator found in a
	// solver's output (none, unless the solver has a bug); they stay with
	// the revision and publishing asks to accept them too.
	Validator []calendar.Violation `json:"validator,omitempty"`
}

// RuleWarnings checks every agent's shifts against their contract, approved
// time off and the shifts they already have in other plans' published
// revisions, which also count toward the contract (planID is the plan the
// shifts belong to, 0 for a new one).
func (s *Service) RuleWarnings(ctx context.Context, planID int64, start, end time.Time, shifts []calendar.Shift) ([]calendar.Violation, error) {
	return s.RuleWarningsAmong(ctx, planID, start, end, shifts, nil)
}

// RuleWarningsAmong is RuleWarnings with the agents already loaded (nil:
// read the plan's agents). Returns NotFound for a shift of an agent not
// among them.
func (s *Service) RuleWarningsAmong(ctx context.Context, planID int64, start, end time.Time, shifts []calendar.Shift, agents map[int64]org.Agent) ([]calendar.Violation, error) {
	// Each agent's own shifts, so the checks do not scan the whole plan per agent.
	byAgent := map[int64][]calendar.Shift{}
	for _, sh := range shifts {
		if sh.AgentID != 0 {
			byAgent[sh.AgentID] = append(byAgent[sh.AgentID], sh)
		}
	}
	out := []calendar.Violation{}
	ids := make([]int64, 0, len(byAgent))
	for id := range byAgent {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	if agents == nil {
		var err error
		if agents, err = s.AgentsByID(ctx, ids); err != nil {
			return nil, err
		}
	}
	// The shifts these agents already have in other plans' published
	// revisions count toward their contracts too (hours, shifts, rest, days
	// in a row), and must not overlap this plan's.
	var others []calendar.Shift
	othersOf := map[int64][]calendar.Shift{}
	if len(ids) > 0 {
		var err error
		if others, err = s.store.FindShifts(ctx, store.ShiftFilter{Published: true, ExceptPlanID: planID, AgentIDs: ids, From: start, To: end}); err != nil {
			return nil, err
		}
		for _, o := range others {
			othersOf[o.AgentID] = append(othersOf[o.AgentID], o)
		}
	}
	for _, id := range ids {
		a, ok := agents[id]
		if !ok {
			return nil, fault.Errorf(fault.NotFound, "agent not found")
		}
		loc, err := time.LoadLocation(a.Timezone)
		if err != nil {
			return nil, fault.Wrap(fault.Internal, err, "agent has a bad time zone")
		}
		c := a.Contract
		out = append(out, calendar.CheckContract(id, calendar.Contract{MinWeekHours: c.MinWeekHours, MaxWeekHours: c.MaxWeekHours,
			MaxShiftsPerWeek: c.MaxShiftsPerWeek, MinRestHours: c.MinRestHours, MaxConsecutiveDays: c.MaxConsecutiveDays}, loc, append(byAgent[id], othersOf[id]...), start, end)...)
	}
	if len(ids) > 0 {
		var off []calendar.TimeOff
		for page := (store.Page{Limit: 500}); ; page.Offset += page.Limit {
			batch, total, err := s.store.FindTimeOff(ctx, store.TimeOffFilter{AgentIDs: ids, Status: calendar.TimeOffApproved, From: start, To: end, Page: page})
			if err != nil {
				return nil, err
			}
			off = append(off, batch...)
			if page.Offset+page.Limit >= total {
				break
			}
		}
		out = append(out, calendar.CheckTimeOff(shifts, off)...)
		out = append(out, calendar.CheckDoubleBooking(shifts, others)...)
		out = append(out, availabilityWarnings(start, end, shifts, agents)...)
	}
	return out, nil
}
