package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeHistory writes five weeks of weekday 09:00-17:00 half-hours in
// Europe/Paris with an AHT column.
func writeHistory(t *testing.T) string {
	t.Helper()
	paris, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	var b strings.Builder
	b.WriteString("contacts,timestamp,timezone,channel,aht_seconds\n")
	start := time.Date(2026, 2, 2, 0, 0, 0, 0, paris)
	for d := 0; d < 35; d++ {
		day := start.AddDate(0, 0, d)
		if day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			continue
		}
		for m := 9 * 60; m < 17*60; m += 30 {
			ts := day.Add(time.Duration(m) * time.Minute)
			fmt.Fprintf(&b, "%d,%s,Europe/Paris,chat,%d\n", 10+m%7, ts.Format(time.RFC3339), 250)
		}
	}
	path := filepath.Join(t.TempDir(), "history.csv")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	return path
}

func TestForecastCommand(t *testing.T) {
	hist := writeHistory(t)
	out := filepath.Join(t.TempDir(), "forecast.csv")
	code, _, errOut := runCLI(t, nil, "", "forecast", "--history", hist, "--horizon", "2d", "--out", out)
	require.Equal(t, 0, code, errOut)
	f, err := os.Open(out)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, []string{"timestamp", "channel", "timezone", "forecast", "lower", "upper", "aht_seconds"}, rows[0])
	require.Len(t, rows, 1+2*48, "one row per interval of the two days")
	assert.Equal(t, "2026-03-06T17:00:00+01:00", rows[1][0], "starts right after the last history row, on the local clock")
	assert.Equal(t, "chat", rows[1][1])

	code, stdout, errOut := runCLI(t, nil, "", "forecast", "backtest", "--history", hist, "--horizon", "7d", "--origins", "3")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, stdout, "chat/Europe/Paris: 3 nightly origins")
	assert.Contains(t, stdout, "profile_flat")
}

func TestForecastCommandRejectsBadFiles(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.csv")
	require.NoError(t, os.WriteFile(bad, []byte("timestamp,channel,timezone,contacts\n2026-01-05T09:00:00Z,voice,UTC,4\nnot-a-time,voice,UTC,5\n2026-01-05T10:00:00Z,voice,Nowhere/Land,1\n"), 0o644))
	code, _, errOut := runCLI(t, nil, "", "forecast", "--history", bad, "--horizon", "1d")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "line 3, timestamp")
	assert.Contains(t, errOut, "line 4, timezone")

	code, _, errOut = runCLI(t, nil, "", "forecast", "--history", bad, "--horizon", "soon")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--horizon")
	code, _, errOut = runCLI(t, nil, "", "forecast", "--history", bad, "--method", "crystal-ball")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "unknown method")
}
