package web

import (
	"fmt"
	"strconv"

	"github.com/peakwise/peakwise/scheduling/roster"
	"github.com/peakwise/peakwise/server/service"
)

// rosterFiguresView is a rostered draft's solver figures as the plan page
// shows them: the shortfall against its allowance and the kind roster
// beside the cheapest one, row by row.
type rosterFiguresView struct {
	RequiredHours, UnderHours, AllowanceHours float64
	UnderShare, AllowanceShare                float64 // of the required agent-hours
	WithinAllowance                           bool
	Search                                    string // how the search ended, in words
	SolveSeconds                              float64
	Edited                                    bool
	Rows                                      []kindnessRow
	// Short explains the agent-hours short, queue by queue, then in all
	// (the last row); empty when nothing is short.
	Short []shortRow
}

// shortRow is one queue's agent-hours short by reason
// (roster.ShortfallNote), formatted.
type shortRow struct {
	Queue                                                       string
	Under, NoAgent, AllWorking, AtMaximum, Rules, Priced, Spare string
}

// kindnessRow is one figure of the kind and the cheapest roster and what
// the kindness costs (kind less cheapest, signed).
type kindnessRow struct {
	Label, Kind, Cheapest, Cost string
}

// rosterFiguresOf lays out f for the page; nil when the draft has none.
func rosterFiguresOf(f *service.RosterFigures) *rosterFiguresView {
	if f == nil {
		return nil
	}
	k, c, d := f.Kindness.Kind, f.Kindness.Cheapest, f.Kindness.Cost
	v := &rosterFiguresView{RequiredHours: f.RequiredHours, UnderHours: k.UnderHours, AllowanceHours: f.ShortfallAllowanceHours,
		WithinAllowance: k.UnderHours <= f.ShortfallAllowanceHours+1e-9, Search: searchEnd(f.Stopped), SolveSeconds: f.SolveSeconds, Edited: f.Edited}
	if f.RequiredHours > 0 {
		v.UnderShare, v.AllowanceShare = k.UnderHours/f.RequiredHours, f.ShortfallAllowanceHours/f.RequiredHours
	}
	row := func(label string, digits int, get func(roster.PlanFigures) float64) {
		v.Rows = append(v.Rows, kindnessRow{Label: label, Kind: fixed(get(k), digits), Cheapest: fixed(get(c), digits), Cost: signed(get(d), digits)})
	}
	row("Paid hours", 1, func(p roster.PlanFigures) float64 { return p.PaidHours })
	row("Agent-hours short", 1, func(p roster.PlanFigures) float64 { return p.UnderHours })
	row("Longest peak stretch without a break (min)", 0, func(p roster.PlanFigures) float64 { return p.LongestPeakStretchMin })
	row("Shifts over the stretch limit", 0, func(p roster.PlanFigures) float64 { return float64(p.ShiftsOverStretch) })
	row("Agents with a shift over it", 0, func(p roster.PlanFigures) float64 { return float64(p.AgentsOverStretch) })
	row("Peak work per paid hour, Gini", 3, func(p roster.PlanFigures) float64 { return p.PeakShareGini })
	row("Weekend work per paid hour, Gini", 3, func(p roster.PlanFigures) float64 { return p.WeekendShareGini })
	row("Night work per paid hour, Gini", 3, func(p roster.PlanFigures) float64 { return p.NightShareGini })
	if len(f.Shortfalls) > 0 {
		for _, n := range append(f.Shortfalls, roster.SumShortfalls(f.Shortfalls)) {
			v.Short = append(v.Short, shortRow{Queue: n.Queue, Under: fixed(n.UnderHours, 2), NoAgent: fixed(n.NoAgentHours, 2),
				AllWorking: fixed(n.AllWorkingHours, 2), AtMaximum: fixed(n.AtMaximumHours, 2), Rules: fixed(n.RulesHours, 2),
				Priced: fixed(n.PricedHours, 2), Spare: fixed(n.SpareHours, 2)})
		}
		v.Short[len(v.Short)-1].Queue = "All queues"
	}
	return v
}

// searchEnd says how a roster search ended (roster.Roster.Stopped).
func searchEnd(stopped string) string {
	switch stopped {
	case "converged":
		return "The search converged"
	case "deadline":
		return "The search ran to its time limit"
	case "rounds":
		return "The search ran all its rounds"
	}
	return "The search ended"
}

func fixed(v float64, digits int) string { return strconv.FormatFloat(v, 'f', digits, 64) }

// signed shows a difference with its sign ("+4.0", "−0.012", "0").
func signed(v float64, digits int) string {
	s := fixed(v, digits)
	switch {
	case s == fixed(0, digits) || s == "-"+fixed(0, digits):
		return fixed(0, digits)
	case v > 0:
		return "+" + s
	default:
		return fmt.Sprintf("−%s", s[1:])
	}
}
