package erlang

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadForecast(t *testing.T) {
	in := "\ufeffQueue,Forecast,timestamp,aht_seconds,extra\n" +
		"sales,12.5,2026-01-05T08:00:00+01:00,240,x\n" +
		"sales,0,2026-01-05T08:15:00+01:00,,y\n" +
		"support,3,2026-01-05T08:00:00+01:00,90.5,z\n"
	fc, err := ReadForecast(strings.NewReader(in))
	require.NoError(t, err)
	assert.True(t, fc.HasQueue)
	require.Len(t, fc.Rows, 3)
	assert.Equal(t, ForecastRow{Line: 2, Timestamp: time.Date(2026, 1, 5, 7, 0, 0, 0, time.UTC).In(fc.Rows[0].Timestamp.Location()),
		RawTimestamp: "2026-01-05T08:00:00+01:00", Queue: "sales", Contacts: 12.5, AHT: 240 * time.Second}, fc.Rows[0])
	assert.Equal(t, time.Duration(0), fc.Rows[1].AHT)
	assert.Equal(t, 90500*time.Millisecond, fc.Rows[2].AHT)
	d, err := DetectInterval(fc.Rows)
	require.NoError(t, err)
	assert.Equal(t, 15*time.Minute, d)
}

func TestReadForecastErrors(t *testing.T) {
	cases := []struct {
		name, in string
		want     []string
	}{
		{"empty", "", []string{"line 1: header: the file is empty"}},
		{"missing columns", "time,value\n", []string{"line 1: timestamp: required column", "line 1: forecast: required column"}},
		{"duplicate column", "timestamp,forecast,forecast\n", []string{"line 1: forecast: column appears twice"}},
		{"bad cells", "timestamp,forecast,aht_seconds\n" +
			"2026-01-05 08:00,1,60\n" +
			"2026-01-05T08:00:00Z,NaN,60\n" +
			"2026-01-05T08:30:00Z,1,-5\n" +
			"2026-01-05T08:30:00Z,1\n" +
			"2026-01-05T08:30:00Z,2,60\n",
			[]string{"line 2: timestamp", "line 3: forecast", "line 4: aht_seconds", "line 5: row: has 2 cells", "line 6: timestamp: 2026-01-05T08:30:00Z repeats the interval of line 4"}},
		{"bad quoting", "timestamp,forecast\n\"2026-01-05T08:00:00Z,1\n", []string{"csv"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadForecast(strings.NewReader(tc.in))
			var errs InputErrors
			require.True(t, errors.As(err, &errs), "%v", err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestReadForecastFallsBackToContacts(t *testing.T) {
	fc, err := ReadForecast(strings.NewReader("timestamp,channel,timezone,contacts\n2003-03-03T07:00:00-05:00,voice,America/New_York,560\n"))
	require.NoError(t, err)
	require.Len(t, fc.Rows, 1)
	assert.Equal(t, 560.0, fc.Rows[0].Contacts)
	assert.Equal(t, "America/New_York", fc.Rows[0].Timezone)
	// With both, forecast wins.
	fc, err = ReadForecast(strings.NewReader("timestamp,contacts,forecast\n2003-03-03T07:00:00-05:00,1,2\n"))
	require.NoError(t, err)
	assert.Equal(t, 2.0, fc.Rows[0].Contacts)
}

func TestDetectIntervalNeedsTwoTimestamps(t *testing.T) {
	_, err := DetectInterval([]ForecastRow{{Timestamp: time.Unix(0, 0)}})
	assert.ErrorContains(t, err, "cannot detect")
}
