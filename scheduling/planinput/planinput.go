// Package planinput turns the solvers' types (scheduling.Templates,
// roster.Problem and Assignments, calendar.Shift) into the validator's own
// (plancheck.Input), so the CLI and the server check plans the same way
// while plancheck itself shares no code with the solvers. It is pure.
package planinput

import (
	"time"

	"github.com/peakwise/peakwise/scheduling"
	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/scheduling/plancheck"
	"github.com/peakwise/peakwise/scheduling/roster"
)

var weekdays = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// Templates converts a (validated) templates document.
func Templates(ts scheduling.Templates) []plancheck.Template {
	out := make([]plancheck.Template, 0, len(ts.Templates))
	for _, t := range ts.Templates {
		pt := plancheck.Template{Name: t.Name, SpanMin: t.SpanMin, PaidMin: t.PaidMin, StartStepMin: t.Start.StepMin,
			StartFromMin: clock(string(t.Start.From)), StartToMin: clock(string(t.Start.To)), Contracts: t.Contracts}
		if t.MaxAgents != nil {
			n := *t.MaxAgents
			pt.MaxAgents = &n
		}
		for _, d := range t.Days {
			pt.Days = append(pt.Days, weekdays[d])
		}
		for _, b := range t.Breaks {
			pt.Breaks = append(pt.Breaks, plancheck.BreakRule{Name: b.Name, LengthMin: b.LengthMin, Paid: b.Paid,
				EarliestStartMin: b.EarliestStart, LatestStartMin: b.LatestStart, StepMin: b.StepMin})
		}
		out = append(out, pt)
	}
	return out
}

// clock reads "HH:MM" as minutes after midnight (-1 if it is not one, which
// no start matches).
func clock(s string) int {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return -1
	}
	return t.Hour()*60 + t.Minute()
}

// Shift converts one calendar shift of agent (empty in headcount plans)
// working in queue.
func Shift(s calendar.Shift, agent, queue string) plancheck.Shift {
	out := plancheck.Shift{Agent: agent, Template: s.Template, Start: s.Start, End: s.End, PaidMinutes: s.PaidMinutes, Queue: queue}
	for _, b := range s.Breaks {
		out.Breaks = append(out.Breaks, plancheck.Break{Name: b.Name, Start: b.Start, End: b.End, Paid: b.Paid})
	}
	return out
}

// Headcount is the check of a headcount plan: shifts without agents over
// the plan's period; shifts may reach in from before it and past its end.
func Headcount(p scheduling.Plan, ts scheduling.Templates, shifts []calendar.Shift) plancheck.Input {
	in := plancheck.Input{Location: p.Location, Start: p.Start, End: p.Start.Add(time.Duration(len(p.Required)) * p.Step),
		Templates: Templates(ts)}
	for _, s := range shifts {
		in.Shifts = append(in.Shifts, Shift(s, "", ""))
	}
	return in
}

// Agent converts a roster agent: his contract (and its name), skills,
// availability, approved time off and already published shifts.
func Agent(a roster.Agent) plancheck.Agent {
	out := plancheck.Agent{ID: a.ID, Location: a.Location, Skills: a.Skills, Contract: a.Contract.Name,
		MinWeekHours: a.Contract.MinWeekHours, MaxWeekHours: a.Contract.MaxWeekHours, MaxShiftsPerWeek: a.Contract.MaxShiftsPerWeek,
		MinRestHours: a.Contract.MinRestHours, MaxConsecutiveDays: a.Contract.MaxConsecutiveDays}
	for _, w := range a.Availability {
		out.Availability = append(out.Availability, plancheck.Window{Day: w.Day, From: w.From, To: w.To})
	}
	for _, t := range a.TimeOff {
		out.TimeOff = append(out.TimeOff, plancheck.Span{Start: t.Start, End: t.End})
	}
	for _, b := range a.Booked {
		out.Published = append(out.Published, plancheck.Shift{Agent: a.ID, Start: b.Start, End: b.End, PaidMinutes: b.PaidMinutes})
	}
	return out
}

// Roster is the check of a roster: the problem's period (every shift
// inside it), templates, agents and queues, and the assignments.
func Roster(p roster.Problem, as []roster.Assignment) plancheck.Input {
	n := 0
	if len(p.Required) > 0 {
		n = len(p.Required[0])
	}
	in := plancheck.Input{Location: p.Location, Start: p.Start, End: p.Start.Add(time.Duration(n) * p.Step), WholeShifts: true,
		NotBefore: p.NotBefore, Templates: Templates(p.Templates), Agents: []plancheck.Agent{}}
	for _, a := range p.Agents {
		in.Agents = append(in.Agents, Agent(a))
	}
	for _, q := range p.Queues {
		in.Queues = append(in.Queues, plancheck.Queue{Name: q, MinLevel: p.MinLevel[q]})
	}
	for _, a := range as {
		in.Shifts = append(in.Shifts, Shift(a.Shift, a.Agent, a.Queue))
	}
	return in
}
