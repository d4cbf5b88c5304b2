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
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := ReadAgents(bytes.NewReader(data))
		if le, ok := err.(LineErrors); ok {
			for _, e := range le {
				if e.Line < 1 {
					t.Fatalf("error without a line: %+v", e)
				}
			}
		}
	})
}
