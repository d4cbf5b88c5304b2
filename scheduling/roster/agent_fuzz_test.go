package roster

import (
	"bytes"
	"testing"
)

// FuzzReadAgents checks the agents CSV reader never panics and that a
// rejected file names the lines at fault.
func FuzzReadAgents(f *testing.F) {
	f.Add([]byte("agent,timezone,skills,min_week_hours,max_week_hours,max_shifts_week,min_rest_hours,max_consecutive_days,availability,time_off,prefer,days_off\n" +
		"ana,Europe/Lisbon,voice,20,40,5,11,5,mon-fri 08:00-18:00,,,\n"))
	f.Add([]byte("agent,timezone\n\"a\"b,UTC\n"))
	f.Add([]byte(""))
	f.Add([]byte("agent,timezone,skills,min_week_hours,max_week_hours,max_shifts_week,min_rest_hours,max_consecutive_days,availability,time_off,prefer,days_off\n" +
		"bo,UTC,chat:2,1e308,40,200,99,400,,3026-01-01T00:00:00Z/3026-01-02T00:00:00Z,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		agents, err := ReadAgents(bytes.NewReader(data))
		if err != nil && agents != nil {
			t.Fatalf("agents returned with an error: %v", err)
		}
		for _, a := range agents {
			c := a.Contract
			if a.ID == "" || len(a.ID) > 4*MaxAgentRef || a.Location == nil || len(a.Skills) == 0 ||
				c.MinWeekHours < 0 || c.MaxWeekHours > 168 || (c.MaxWeekHours > 0 && c.MinWeekHours > c.MaxWeekHours) ||
				c.MaxShiftsPerWeek < 0 || c.MaxShiftsPerWeek > 14 || c.MinRestHours < 0 || c.MinRestHours > 48 ||
				c.MaxConsecutiveDays < 0 || c.MaxConsecutiveDays > 31 {
				t.Fatalf("agent outside the file's bounds: %+v", a)
			}
			for _, r := range a.TimeOff {
				if !r.End.After(r.Start) || r.Start.Year() < 2000 || r.End.Year() >= 2100 {
					t.Fatalf("time off outside bounds: %+v", r)
				}
			}
		}
		if le, ok := err.(LineErrors); ok {
			for _, e := range le {
				if e.Line < 1 {
					t.Fatalf("error without a line: %+v", e)
				}
			}
		}
	})
}
