package service

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/scheduling/plancheck"
	"github.com/peakwise/peakwise/scheduling/roster"
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
	// Roster is what the rostering solver reported when it made the draft;
	// nil for other drafts. Hand edits keep it, marked Edited.
	Roster *RosterFigures `json:"roster,omitempty"`
}

// RosterFigures are a rostered draft's figures as the solver returned it:
// the week's requirement and shortfall allowance, and the kind roster beside
// the cheapest one solved with it (roster.Kindness).
type RosterFigures struct {
	RequiredHours           float64         `json:"required_agent_hours"`
	ShortfallAllowanceHours float64         `json:"shortfall_allowance_hours"`
	Kindness                roster.Kindness `json:"kindness"`
	// Shortfalls say queue by queue why requirement stays uncovered
	// (roster.ShortfallNote); none when nothing does.
	Shortfalls   []roster.ShortfallNote `json:"shortfalls,omitempty"`
	Stopped      string                 `json:"stopped,omitempty"`
	SolveSeconds float64                `json:"solve_seconds"`
	// Edited is set once the draft is edited by hand: the figures are the
	// roster's as generated, not the draft's now.
	Edited bool `json:"edited,omitempty"`
}

// RosterFiguresOf reads the solver figures a revision was stored with (nil
// if it has none: it was not rostered, or was saved before they were kept).
func RosterFiguresOf(sch store.Schedule) *RosterFigures {
	var report DraftReport
	if json.Unmarshal([]byte(sch.Report), &report) != nil {
		return nil
	}
	return report.Roster
}

// RuleWarnings checks every agent's shifts with the plan validator
// (scheduling/plancheck, which shares no code with the solvers): contract
// limits per agent week on the agent's own clock (pro rata for weeks the
// period cuts), rest and days in a row, availability, approved time off, and
// overlaps with the shifts they already have in other plans' published
// revisions, which also count toward the contract (planID is the plan the
// shifts belong to, 0 for a new one). Shapes the draft itself must have
// (inside the period, breaks inside shifts, no overlap within the plan) are
// CheckDraft's.
func (s *Service) RuleWarnings(ctx context.Context, planID int64, start, end time.Time, shifts []calendar.Shift) ([]calendar.Violation, error) {
	return s.RuleWarningsAmong(ctx, planID, start, end, shifts, nil)
}

// publishedReach is how far before and after a plan's period other plans'
// published shifts are read: far enough for rest, days in a row and the
// agent weeks the period cuts.
const publishedReach = 8 * 24 * time.Hour

// RuleWarningsAmong is RuleWarnings with the agents already loaded (nil:
// read the plan's agents). Returns NotFound for a shift of an agent not
// among them.
func (s *Service) RuleWarningsAmong(ctx context.Context, planID int64, start, end time.Time, shifts []calendar.Shift, agents map[int64]org.Agent) ([]calendar.Violation, error) {
	ids := agentIDsOf(shifts)
	out := []calendar.Violation{}
	if len(ids) == 0 {
		return out, nil
	}
	if agents == nil {
		var err error
		if agents, err = s.AgentsByID(ctx, ids); err != nil {
			return nil, err
		}
	}
	others, err := s.store.FindShifts(ctx, store.ShiftFilter{Published: true, ExceptPlanID: planID, AgentIDs: ids, From: start.Add(-publishedReach), To: end.Add(publishedReach)})
	if err != nil {
		return nil, err
	}
	// Time off a week either side: it counts toward the weeks the period
	// cuts (plancheck.WeekMinimum).
	var off []calendar.TimeOff
	for page := (store.Page{Limit: 500}); ; page.Offset += page.Limit {
		batch, total, err := s.store.FindTimeOff(ctx, store.TimeOffFilter{AgentIDs: ids, Status: calendar.TimeOffApproved, From: start.AddDate(0, 0, -7), To: end.AddDate(0, 0, 7), Page: page})
		if err != nil {
			return nil, err
		}
		off = append(off, batch...)
		if page.Offset+page.Limit >= total {
			break
		}
	}
	in := plancheck.Input{Start: start, End: end}
	byID := map[string]int{}
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
		byID[strconv.FormatInt(id, 10)] = len(in.Agents)
		in.Agents = append(in.Agents, plancheck.Agent{ID: strconv.FormatInt(id, 10), Location: loc, Contract: c.Name,
			MinWeekHours: c.MinWeekHours, MaxWeekHours: c.MaxWeekHours, MaxShiftsPerWeek: c.MaxShiftsPerWeek,
			MinRestHours: c.MinRestHours, MaxConsecutiveDays: c.MaxConsecutiveDays, Availability: checkWindows(a.Availability)})
	}
	for _, o := range others {
		k := byID[strconv.FormatInt(o.AgentID, 10)]
		in.Agents[k].Published = append(in.Agents[k].Published, checkShift(o))
	}
	for _, r := range off {
		if k, ok := byID[strconv.FormatInt(r.AgentID, 10)]; ok {
			in.Agents[k].TimeOff = append(in.Agents[k].TimeOff, plancheck.Span{Start: r.Start, End: r.End})
		}
	}
	var index []int // plan shift of each checked shift
	for i, sh := range shifts {
		if sh.AgentID != 0 {
			in.Shifts = append(in.Shifts, checkShift(sh))
			index = append(index, i)
		}
	}
	for _, b := range plancheck.Check(in) {
		rule, keep := warningRule(b.Rule)
		if !keep {
			continue
		}
		id, _ := strconv.ParseInt(b.Agent, 10, 64)
		v := calendar.Violation{AgentID: id, Rule: rule, Message: b.Where + ": " + b.Why}
		if b.Shift >= 0 && b.Shift < len(index) {
			v.UID = shifts[index[b.Shift]].UID
		}
		out = append(out, v)
	}
	return out, nil
}

// warningRule names a validator breach as drafts' warnings always have
// (overlapping another plan's published shift is "double_booked"), and
// leaves out what CheckDraft already refuses or a hand-made plan cannot
// know (templates, queues, the period).
func warningRule(rule string) (string, bool) {
	switch rule {
	case plancheck.RuleOverlap:
		return "double_booked", true
	case plancheck.RuleMaxShiftsWeek:
		return "max_shifts_per_week", true
	case plancheck.RuleMinRest, plancheck.RuleMaxWeekHours, plancheck.RuleMinWeekHours, plancheck.RuleConsecutiveDays,
		plancheck.RuleTimeOff, plancheck.RuleAvailability, plancheck.RuleOneADay:
		return rule, true
	}
	return "", false
}
