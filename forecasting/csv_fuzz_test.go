package forecasting

import (
	"bytes"
	"errors"
	"math"
	"testing"
)

// FuzzReadHistoryCSV checks the history reader from outside: it never panics,
// a rejected file is a list of line errors, and an accepted one holds only
// quantities within the documented bounds (bounds.go).
func FuzzReadHistoryCSV(f *testing.F) {
	for _, seed := range []string{
		"timestamp,channel,timezone,contacts,aht_seconds\n2026-03-02T08:30:00Z,voice,UTC,12,300\n2026-03-02T08:45:00Z,voice,UTC,3,\n",
		"timestamp,channel,timezone,contacts\n2026-03-29T00:30:00Z,chat,Europe/Lisbon,1e308\n",
		"timestamp,channel,timezone,contacts,queue\n2026-03-02T08:30:00+01:00,voice,Europe/Berlin,4,Voice DE\n2026-03-02T08:30:00+01:00,voice,Europe/Berlin,5,Voice DE\n",
		"contacts,timestamp\n\"a\"b,2026\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := ReadHistoryCSV(bytes.NewReader(data))
		if err != nil {
			var ie InputErrors
			if errors.As(err, &ie) {
				for _, e := range ie {
					if e.Line < 0 {
						t.Fatalf("error without a line: %+v", e)
					}
				}
			}
			return
		}
		for _, r := range recs {
			if p := ContactsProblem(r.Contacts); p != "" {
				t.Fatalf("line %d accepted: %s", r.Line, p)
			}
			if !math.IsNaN(r.AHT) {
				if p := AHTProblem(r.AHT); p != "" {
					t.Fatalf("line %d accepted: %s", r.Line, p)
				}
			}
		}
	})
}
