package erlang

import (
	"bytes"
	"math"
	"testing"
)

// FuzzReadForecast checks the forecast/requirements CSV reader never panics
// and accepts only finite, non-negative volumes.
func FuzzReadForecast(f *testing.F) {
	for _, seed := range []string{
		"timestamp,channel,timezone,forecast,aht_seconds\n2026-03-02T08:30:00Z,voice,UTC,12,300\n",
		"timestamp,contacts\n2026-03-02T08:30:00Z,1e308\n",
		"timestamp,forecast\n\"a\"b,1\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fc, err := ReadForecast(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, r := range fc.Rows {
			if math.IsNaN(r.Contacts) || math.IsInf(r.Contacts, 0) || r.Contacts < 0 {
				t.Fatalf("line %d accepted volume %v", r.Line, r.Contacts)
			}
		}
	})
}
