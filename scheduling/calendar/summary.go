package calendar

import "sort"

// Summary is the cost side of a set of shifts, for comparing drafts.
type Summary struct {
	Shifts         int               `json:"shifts"`
	Agents         int               `json:"agents"`
	PaidHours      float64           `json:"paid_hours"`
	BreakHours     float64           `json:"break_hours"`
	PaidHoursAgent map[int64]float64 `json:"paid_hours_by_agent"`
	// WarningsByRule counts rule breaks by rule name.
	WarningsByRule map[string]int `json:"warnings_by_rule"`
}

// Summarize adds up shifts and the warnings found for them.
func Summarize(shifts []Shift, warnings []Violation) Summary {
	s := Summary{Shifts: len(shifts), PaidHoursAgent: map[int64]float64{}, WarningsByRule: map[string]int{}}
	for _, sh := range shifts {
		h := float64(sh.PaidMinutes) / 60
		s.PaidHours += h
		if sh.AgentID != 0 {
			s.PaidHoursAgent[sh.AgentID] += h
		}
		for _, b := range sh.Breaks {
			s.BreakHours += b.End.Sub(b.Start).Hours()
		}
	}
	s.Agents = len(s.PaidHoursAgent)
	for _, w := range warnings {
		s.WarningsByRule[w.Rule]++
	}
	return s
}

// AgentIDs returns the agents of a summary in ascending order.
func (s Summary) AgentIDs() []int64 {
	ids := make([]int64, 0, len(s.PaidHoursAgent))
	for id := range s.PaidHoursAgent {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}
