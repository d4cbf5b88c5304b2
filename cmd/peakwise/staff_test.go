package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// staffCSV writes a forecast file and returns its path.
func staffCSV(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "forecast.csv")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func staffRows(t *testing.T, out string) []map[string]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	require.NoError(t, err)
	require.NotEmpty(t, recs)
	var rows []map[string]string
	for _, rec := range recs[1:] {
		row := map[string]string{}
		for i, h := range recs[0] {
			row[h] = rec[i]
		}
		rows = append(rows, row)
	}
	return rows
}

// TestStaffPublishedCase runs the CLI on the published Erlang C example (100
// calls per 30 minutes, AHT 180 s, 80% within 20 s, shrinkage 0.3: 14 agents,
// 20 staff, SL 0.8884, ASA 7.84 s, occupancy 0.7143; see
// scheduling/erlang/erlang_test.go for the sources), with the interval
// detected from the timestamps and columns in an unusual order.
func TestStaffPublishedCase(t *testing.T) {
	path := staffCSV(t, "upper,forecast,timestamp,channel,lower,timezone\n"+
		"110,100,2026-03-29T01:00:00+01:00,voice,90,Europe/Paris\n"+
		"110,100,2026-03-29T01:30:00+01:00,voice,90,Europe/Paris\n"+
		"0,0,2026-03-29T03:00:00+02:00,voice,0,Europe/Paris\n")
	code, out, errOut := runCLI(t, nil, "", "staff", "--forecast", path, "--aht", "180s", "--sl", "0.80", "--answer-within", "20s", "--shrinkage", "0.30")
	require.Equal(t, 0, code, errOut)
	assert.True(t, strings.HasPrefix(out, "timestamp,channel,timezone,contacts,required_agents,required_staff,service_level,asa_seconds,occupancy\n"), out)
	rows := staffRows(t, out)
	require.Len(t, rows, 3)
	want := map[string]string{"timestamp": "2026-03-29T01:00:00+01:00", "channel": "voice", "timezone": "Europe/Paris", "contacts": "100",
		"required_agents": "14", "required_staff": "20", "service_level": "0.8884", "asa_seconds": "7.84", "occupancy": "0.7143"}
	assert.Equal(t, want, rows[0])
	assert.Equal(t, "2026-03-29T03:00:00+02:00", rows[2]["timestamp"], "timestamps are copied as given, across the DST change")
	assert.Equal(t, "0", rows[2]["required_agents"])
	assert.Equal(t, "0", rows[2]["required_staff"])
}

func TestStaffOverridesAndModes(t *testing.T) {
	path := staffCSV(t, "timestamp,channel,timezone,forecast,lower,upper,aht_seconds,queue\n"+
		"2026-01-05T08:00:00Z,voice,UTC,100,90,110,180,q1\n"+
		"2026-01-05T08:00:00Z,voice,UTC,100,90,110,,q2\n")
	out := filepath.Join(t.TempDir(), "r.csv")
	code, _, errOut := runCLI(t, nil, "", "staff", "--forecast", path, "--aht", "360s", "--sl", "80", "--answer-within", "20s", "--interval", "30m", "--out", out)
	require.Equal(t, 0, code, errOut)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	rows := staffRows(t, string(data))
	require.Len(t, rows, 2)
	assert.Equal(t, "14", rows[0]["required_agents"], "aht_seconds 180 overrides --aht")
	assert.Equal(t, "q1", rows[0]["queue"])
	assert.NotEqual(t, "14", rows[1]["required_agents"], "an empty aht_seconds falls back to --aht")

	// What-if: 11 agents on 10 Erlangs.
	code, stdout, errOut := runCLI(t, nil, "", "staff", "--forecast", path, "--aht", "180s", "--agents", "11", "--answer-within", "20s", "--interval", "30m")
	require.Equal(t, 0, code, errOut)
	rows = staffRows(t, stdout)
	assert.Equal(t, "11", rows[1]["required_agents"])
	assert.Equal(t, "0.9091", rows[1]["occupancy"])

	// Erlang A needs fewer agents than Erlang C for the same target.
	code, stdout, errOut = runCLI(t, nil, "", "staff", "--forecast", path, "--aht", "180s", "--sl", "0.8", "--answer-within", "20s", "--patience", "60s", "--interval", "30m")
	require.Equal(t, 0, code, errOut)
	rows = staffRows(t, stdout)
	agentsA, err := strconv.Atoi(rows[0]["required_agents"])
	require.NoError(t, err)
	assert.Less(t, agentsA, 14)
	assert.Greater(t, agentsA, 9, "fewer agents than Erlangs cannot answer 80%")

	// An ASA-only target leaves the service level empty rather than inventing a
	// threshold. 12 agents give C=0.4494, ASA 40.4 s; 13 give C=0.2853, ASA 17.1 s.
	code, stdout, errOut = runCLI(t, nil, "timestamp,forecast\n2026-01-05T08:00:00Z,100\n", "staff", "--forecast", "-", "--aht", "180s", "--asa", "20s", "--interval", "30m")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "timestamp,channel,timezone,contacts,required_agents,required_staff,service_level,asa_seconds,occupancy\n"+
		"2026-01-05T08:00:00Z,,,100,13,13,,17.12,0.7692\n", stdout)
}

func TestStaffErrors(t *testing.T) {
	bad := staffCSV(t, "timestamp,forecast\n"+
		"2026-01-05T08:00:00Z,10\n"+
		"yesterday,10\n"+
		"2026-01-05T08:30:00Z,-3\n"+
		"2026-01-05T08:00:00Z,4\n")
	code, _, errOut := runCLI(t, nil, "", "staff", "--forecast", bad, "--aht", "180s", "--asa", "20s")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "line 3: timestamp")
	assert.Contains(t, errOut, "line 4: forecast")
	assert.Contains(t, errOut, "line 5: timestamp")

	good := staffCSV(t, "timestamp,forecast\n2026-01-05T08:00:00Z,10\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--aht", "180s", "--asa", "20s"}, "--forecast is required"},
		{[]string{"--forecast", good, "--aht", "180s"}, "give a target"},
		{[]string{"--forecast", good, "--aht", "180s", "--sl", "0.8"}, "--answer-within"},
		{[]string{"--forecast", good, "--aht", "soon", "--asa", "20s"}, "not a duration"},
		{[]string{"--forecast", good, "--aht", "180s", "--asa", "20s", "--shrinkage", "1.5", "--interval", "30m"}, "shrinkage"},
	} {
		code, _, errOut := runCLI(t, nil, "", append([]string{"staff"}, tc.args...)...)
		assert.Equal(t, 2, code, "%v: %s", tc.args, errOut)
		assert.Contains(t, errOut, tc.want, "%v", tc.args)
	}
	// One row: nothing to detect the interval from; 30 minutes, with a warning.
	code, out, errOut := runCLI(t, nil, "", "staff", "--forecast", good, "--aht", "180s", "--sl", "0.8", "--answer-within", "20s")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, errOut, "assuming --interval 30m")
	assert.Contains(t, out, "2026-01-05T08:00:00Z,,,10,3,3,")

	code, _, errOut = runCLI(t, nil, "", "staff", "--forecast", good, "--asa", "20s", "--interval", "30m")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "line 2: aht_seconds")
}

// TestStaffDeferred sizes email with a 3-hour target; 11:00 is missing from the
// forecast, so it is closed and its share of the work moves to the open hours
// of each window. Hand computation (AHT 6 min, occupancy 1): 08:00 carries a
// third of 08:00's 720 work-minutes = 240 -> 4 agents; 09:00 adds half of
// 09:00's 720 -> 600 -> 10; 10:00 adds half of 09:00's and half of 10:00's 360
// -> 780 -> 13; 12:00 carries the other half of 10:00's -> 180 -> 3.
func TestStaffDeferred(t *testing.T) {
	path := staffCSV(t, "timestamp,channel,forecast\n"+
		"2026-01-05T08:00:00Z,email,120\n"+
		"2026-01-05T09:00:00Z,email,120\n"+
		"2026-01-05T10:00:00Z,email,60\n"+
		"2026-01-05T12:00:00Z,email,0\n")
	code, out, errOut := runCLI(t, nil, "", "staff", "--forecast", path, "--aht", "6m", "--response-within", "3h", "--max-occupancy", "1", "--shrinkage", "0.2")
	require.Equal(t, 0, code, errOut)
	rows := staffRows(t, out)
	require.Len(t, rows, 4)
	for i, want := range []struct{ agents, staff string }{{"4", "5"}, {"10", "13"}, {"13", "17"}, {"3", "4"}} {
		assert.Equal(t, want.agents, rows[i]["required_agents"], "row %d", i)
		assert.Equal(t, want.staff, rows[i]["required_staff"], "row %d", i)
		assert.Equal(t, "", rows[i]["service_level"])
	}

	code, _, errOut = runCLI(t, nil, "", "staff", "--forecast", path, "--aht", "6m", "--response-within", "3h", "--sl", "0.8", "--answer-within", "20s")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "cannot be combined")

	offGrid := staffCSV(t, "timestamp,forecast\n2026-01-05T08:00:00Z,1\n2026-01-05T09:00:00Z,1\n2026-01-05T09:20:00Z,1\n")
	code, _, errOut = runCLI(t, nil, "", "staff", "--forecast", offGrid, "--aht", "6m", "--response-within", "3h", "--interval", "1h")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "line 4: timestamp")
}

// TestStaffPublishedWhatIf runs the classic Erlang-C web page case through the
// CLI: 360 calls per half hour, 4-minute calls, 55 agents, 15 s -> P(wait <=
// 15 s) 0.8459, expected wait 8.184 s (see scheduling/erlang/erlang_test.go).
func TestStaffPublishedWhatIf(t *testing.T) {
	path := staffCSV(t, "timestamp,forecast\n2026-01-05T08:00:00Z,360\n")
	code, out, errOut := runCLI(t, nil, "", "staff", "--forecast", path, "--aht", "4m", "--agents", "55", "--answer-within", "15s", "--interval", "30m")
	require.Equal(t, 0, code, errOut)
	rows := staffRows(t, out)
	require.Len(t, rows, 1)
	assert.Equal(t, "0.8459", rows[0]["service_level"])
	assert.Equal(t, "8.18", rows[0]["asa_seconds"])
	assert.Equal(t, "0.8727", rows[0]["occupancy"])
	assert.Equal(t, "55", rows[0]["required_agents"])
}
