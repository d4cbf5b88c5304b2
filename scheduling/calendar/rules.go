package calendar

import (
	"fmt"
	"sort"
	"time"
)

// Contract is the working-time rules one agent's shifts must keep.
type Contract struct {
	// Name is the kind of contract, e.g. "FT"; shift templates may be
	// limited to named contracts (scheduling.Template.Contracts).
	Name               string  `json:"name,omitempty"`
	MinWeekHours       float64 `json:"min_week_hours"`
	MaxWeekHours       float64 `json:"max_week_hours"`
	MaxShiftsPerWeek   int     `json:"max_shifts_per_week"`
	MinRestHours       float64 `json:"min_rest_hours"`
	MaxConsecutiveDays int     `json:"max_consecutive_days"`
}

// Violation is one broken rule, with the shift (UID) or week it concerns.
type Violation struct {
	AgentID int64  `json:"agent_id"`
	Rule    string `json:"rule"` // max_week_hours, min_week_hours, max_shifts_per_week, min_rest, max_consecutive_days, time_off, double_booked
	UID     string `json:"uid,omitempty"`
	Week    string `json:"week,omitempty"` // local date of the week's Monday
	Message string `json:"message"`
}

// CheckContract lists where an agent's shifts break their contract. Weeks run
// Monday to Sunday on the agent's own clock (loc); paid minutes count toward
// weekly hours in the week the shift starts; rest is measured between the end
// of one shift and the start of the next; a working day is a local date on
// which a shift starts. Weekly minimums are only checked for weeks that lie
// wholly inside [periodStart, periodEnd).
func CheckContract(agentID int64, c Contract, loc *time.Location, shifts []Shift, periodStart, periodEnd time.Time) []Violation {
	var own []Shift
	for _, s := range shifts {
		if s.AgentID == agentID {
			own = append(own, s)
		}
	}
	sort.Slice(own, func(i, j int) bool { return own[i].Start.Before(own[j].Start) })
	var out []Violation
	type week struct {
		minutes int
		shifts  int
		monday  time.Time
	}
	weeks := map[string]*week{}
	mondayOf := func(t time.Time) time.Time {
		l := t.In(loc)
		return time.Date(l.Year(), l.Month(), l.Day()-int((l.Weekday()+6)%7), 0, 0, 0, 0, loc)
	}
	for w := mondayOf(periodStart); w.Before(periodEnd); w = w.AddDate(0, 0, 7) {
		weeks[w.Format(time.DateOnly)] = &week{monday: w}
	}
	days := map[string]bool{}
	for i, s := range own {
		m := mondayOf(s.Start)
		key := m.Format(time.DateOnly)
		if weeks[key] == nil {
			weeks[key] = &week{monday: m}
		}
		weeks[key].minutes += s.PaidMinutes
		weeks[key].shifts++
		days[s.Start.In(loc).Format(time.DateOnly)] = true
		if i > 0 && c.MinRestHours > 0 {
			rest := s.Start.Sub(own[i-1].End)
			if rest < time.Duration(c.MinRestHours*float64(time.Hour)) {
				out = append(out, Violation{AgentID: agentID, Rule: "min_rest", UID: s.UID,
					Message: fmt.Sprintf("only %s rest before the shift starting %s (contract: %g h)", fmtDur(rest), s.Start.In(loc).Format("Mon 2 Jan 15:04 MST"), c.MinRestHours)})
			}
		}
	}
	keys := make([]string, 0, len(weeks))
	for k := range weeks {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		w := weeks[k]
		hours := float64(w.minutes) / 60
		if c.MaxWeekHours > 0 && hours > c.MaxWeekHours+1e-9 {
			out = append(out, Violation{AgentID: agentID, Rule: "max_week_hours", Week: k, Message: fmt.Sprintf("%.2f paid hours in the week of %s (contract: at most %g)", hours, k, c.MaxWeekHours)})
		}
		inside := !w.monday.Before(periodStart) && !w.monday.AddDate(0, 0, 7).After(periodEnd)
		if inside && hours < c.MinWeekHours-1e-9 {
			out = append(out, Violation{AgentID: agentID, Rule: "min_week_hours", Week: k, Message: fmt.Sprintf("%.2f paid hours in the week of %s (contract: at least %g)", hours, k, c.MinWeekHours)})
		}
		if c.MaxShiftsPerWeek > 0 && w.shifts > c.MaxShiftsPerWeek {
			out = append(out, Violation{AgentID: agentID, Rule: "max_shifts_per_week", Week: k, Message: fmt.Sprintf("%d shifts in the week of %s (contract: at most %d)", w.shifts, k, c.MaxShiftsPerWeek)})
		}
	}
	if c.MaxConsecutiveDays > 0 {
		dates := make([]string, 0, len(days))
		for d := range days {
			dates = append(dates, d)
		}
		sort.Strings(dates)
		run := 0
		var prev time.Time
		for _, d := range dates {
			t, _ := time.ParseInLocation(time.DateOnly, d, loc)
			if run > 0 && t.Equal(time.Date(prev.Year(), prev.Month(), prev.Day()+1, 0, 0, 0, 0, loc)) {
				run++
			} else {
				run = 1
			}
			if run == c.MaxConsecutiveDays+1 {
				out = append(out, Violation{AgentID: agentID, Rule: "max_consecutive_days", Week: d,
					Message: fmt.Sprintf("%d working days in a row up to %s (contract: at most %d)", run, d, c.MaxConsecutiveDays)})
			}
			prev = t
		}
	}
	return out
}

// CheckTimeOff lists the shifts that fall in approved time off.
func CheckTimeOff(shifts []Shift, timeOff []TimeOff) []Violation {
	var out []Violation
	for _, r := range timeOff {
		if r.Status != TimeOffApproved {
			continue
		}
		for _, s := range Conflicts(r, shifts) {
			out = append(out, Violation{AgentID: s.AgentID, Rule: "time_off", UID: s.UID,
				Message: fmt.Sprintf("the shift starting %s falls in approved time off", s.Start.UTC().Format(time.RFC3339))})
		}
	}
	return out
}

// CheckDoubleBooking lists the shifts that overlap a shift the same agent
// already has in another published plan (others): publishing both would give
// the agent two places to be at once.
func CheckDoubleBooking(shifts, others []Shift) []Violation {
	byAgent := map[int64][]Shift{}
	for _, o := range others {
		byAgent[o.AgentID] = append(byAgent[o.AgentID], o)
	}
	var out []Violation
	for _, s := range shifts {
		if s.AgentID == 0 {
			continue
		}
		for _, o := range byAgent[s.AgentID] {
			if s.Start.Before(o.End) && o.Start.Before(s.End) {
				out = append(out, Violation{AgentID: s.AgentID, Rule: "double_booked", UID: s.UID,
					Message: fmt.Sprintf("the shift starting %s overlaps a published shift of another plan (%s to %s)",
						s.Start.UTC().Format(time.RFC3339), o.Start.UTC().Format(time.RFC3339), o.End.UTC().Format(time.RFC3339))})
				break
			}
		}
	}
	return out
}

func fmtDur(d time.Duration) string {
	h := int(d / time.Hour)
	m := int((d % time.Hour) / time.Minute)
	return fmt.Sprintf("%dh%02d", h, m)
}
