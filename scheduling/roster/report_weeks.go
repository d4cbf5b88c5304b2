package roster

import (
	"time"

	"github.com/peakwise/peakwise/scheduling/calendar"
)

// AgentWeek is one local week of an agent's (Monday 00:00 on his clock)
// that the period touches: what his contract asks of this plan in it and
// what the plan gives, so the pro-rata rule for a week the period cuts is
// explicit in the report.
type AgentWeek struct {
	// Monday is the week's first local date.
	Monday string `json:"monday"`
	// DaysInPlan counts the week's local dates wholly inside the period.
	DaysInPlan int `json:"days_in_plan"`
	// TimeOffHours is what approved time off counts toward the week
	// (TimeOffCredit: a contract day for a day off, its hours for part of
	// one).
	TimeOffHours float64 `json:"time_off_hours"`
	// WeekMinHours is the contract's minimum for the whole week less
	// TimeOffHours (WeekMinimum); MinHours is what this plan must give
	// (PlanWeekMinimum): the share of the minimum for the days in the plan
	// less the time off on them, less published shifts already in the week.
	WeekMinHours float64 `json:"week_min_hours"`
	MinHours     float64 `json:"min_hours"`
	// PublishedHours are the paid hours of his already published shifts
	// that start in the week; PlannedHours and Shifts this plan's.
	PublishedHours float64 `json:"published_hours"`
	PlannedHours   float64 `json:"planned_hours"`
	Shifts         int     `json:"shifts"`
}

// agentWeeks lists the agent's local weeks the period [start, end) touches,
// with the plan's shifts (own) counted in the week they start in.
func agentWeeks(a Agent, own []calendar.Shift, start, end time.Time) []AgentWeek {
	var out []AgentWeek
	for _, m := range weekStarts(a.Location, start, end) {
		next := m.AddDate(0, 0, 7)
		w := AgentWeek{Monday: m.Format(time.DateOnly), TimeOffHours: TimeOffCredit(a, m), WeekMinHours: WeekMinimum(a, m),
			MinHours: PlanWeekMinimum(a, m, start, end)}
		for k := 0; k < 7; k++ {
			if from, to := m.AddDate(0, 0, k), m.AddDate(0, 0, k+1); !from.Before(start) && !to.After(end) {
				w.DaysInPlan++
			}
		}
		for _, b := range a.Booked {
			if !b.Start.Before(m) && b.Start.Before(next) {
				w.PublishedHours += float64(b.PaidMinutes) / 60
			}
		}
		for _, sh := range own {
			if !sh.Start.Before(m) && sh.Start.Before(next) {
				w.PlannedHours += float64(sh.PaidMinutes) / 60
				w.Shifts++
			}
		}
		out = append(out, w)
	}
	return out
}
