package forecasting

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadHistoryCSVBoundsEveryQuantity(t *testing.T) {
	for _, tc := range []struct{ name, row, field string }{
		{"contacts 1e308", "2026-03-02T09:00:00Z,voice,UTC,1e308,", "contacts"},
		{"contacts 1e20", "2026-03-02T09:00:00Z,voice,UTC,1e20,", "contacts"},
		{"contacts 1e9", "2026-03-02T09:00:00Z,voice,UTC,1e9,", "contacts"},
		{"contacts Inf", "2026-03-02T09:00:00Z,voice,UTC,+Inf,", "contacts"},
		{"contacts NaN", "2026-03-02T09:00:00Z,voice,UTC,NaN,", "contacts"},
		{"negative contacts", "2026-03-02T09:00:00Z,voice,UTC,-1,", "contacts"},
		{"AHT over a day", "2026-03-02T09:00:00Z,voice,UTC,10,86401", "aht_seconds"},
		{"AHT Inf", "2026-03-02T09:00:00Z,voice,UTC,10,Inf", "aht_seconds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := "timestamp,channel,timezone,contacts,aht_seconds\n2026-03-02T08:30:00Z,voice,UTC,12,300\n" + tc.row + "\n"
			_, err := ReadHistoryCSV(strings.NewReader(in))
			var ie InputErrors
			require.True(t, errors.As(err, &ie), "%v", err)
			require.Len(t, ie, 1)
			assert.Equal(t, 3, ie[0].Line)
			assert.Equal(t, tc.field, ie[0].Field)
		})
	}
	recs, err := ReadHistoryCSV(strings.NewReader("timestamp,channel,timezone,contacts,aht_seconds\n2026-03-02T08:30:00Z,voice,UTC,100000,86400\n"))
	require.NoError(t, err, "the bounds themselves are accepted")
	assert.Equal(t, 100000.0, recs[0].Contacts)
}

func TestStartProblemBoundsTheHistoryWindow(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	assert.Empty(t, StartProblem(time.Date(2003, 1, 6, 0, 0, 0, 0, time.UTC), now), "real archives stay importable")
	assert.Empty(t, StartProblem(now.Add(23*time.Hour), now), "a clock a little ahead is fine")
	assert.Contains(t, StartProblem(now.AddDate(30, 0, 0), now), "future")
	assert.Contains(t, StartProblem(now.Add(25*time.Hour), now), "future")
	assert.Contains(t, StartProblem(time.Date(1926, 1, 1, 0, 0, 0, 0, time.UTC), now), "before 2000")
	errs := CheckStarts([]Record{{Line: 2, Start: now.Add(-time.Hour)}, {Line: 3, Start: now.AddDate(25, 0, 0)}}, now)
	require.Len(t, errs, 1)
	assert.Equal(t, 3, errs[0].Line)
}
