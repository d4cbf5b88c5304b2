package service

import (
	"strconv"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/scheduling/plancheck"
	"github.com/peakwise/peakwise/server/org"
)

// planWarnings turns the plan validator's breaches (agents named by their
// id) into draft warnings, which publishing must accept with a reason.
func planWarnings(bs []plancheck.Breach) []calendar.Violation {
	out := []calendar.Violation{}
	for _, b := range bs {
		id, _ := strconv.ParseInt(b.Agent, 10, 64)
		out = append(out, calendar.Violation{AgentID: id, Rule: b.Rule, Message: b.Where + ": " + b.Why})
	}
	return out
}

// checkWindows are an agent's availability windows as the plan validator
// reads them; a window whose end is not after its start runs past midnight.
func checkWindows(ws []org.Window) []plancheck.Window {
	var out []plancheck.Window
	for _, w := range ws {
		wd, ok1 := weekday(w.Day)
		f, ok2 := clockMin(w.From)
		t, ok3 := clockMin(w.To)
		switch {
		case !ok1 || !ok2 || !ok3:
		case f < t:
			out = append(out, plancheck.Window{Day: wd, From: f, To: t})
		default:
			out = append(out, plancheck.Window{Day: wd, From: f, To: 1440}, plancheck.Window{Day: (wd + 1) % 7, From: 0, To: t})
		}
	}
	return out
}

// checkShift is a stored shift as the plan validator reads it.
func checkShift(sh calendar.Shift) plancheck.Shift {
	out := plancheck.Shift{Agent: strconv.FormatInt(sh.AgentID, 10), Template: sh.Template, Start: sh.Start, End: sh.End, PaidMinutes: sh.PaidMinutes}
	for _, b := range sh.Breaks {
		out.Breaks = append(out.Breaks, plancheck.Break{Name: b.Name, Start: b.Start, End: b.End, Paid: b.Paid})
	}
	return out
}
