package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/peakwise/peakwise/scheduling/plancheck"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestScheduleKeepsMaxAgentsAndCheckRechecksIt is the first
// finding end to end: 4 staff 08:00-20:00 UTC every day, FT8 (06:00-14:00)
// and PT4 (06:00-18:00) capped at 0. The plan has no PT4 shift, its report
// lists no breach, `schedule check` agrees, and the same CSV with one PT4
// shift added is refused by the check with the cap named.
func TestScheduleKeepsMaxAgentsAndCheckRechecksIt(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("timestamp,required\n")
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	for at := start; at.Before(start.AddDate(0, 0, 7)); at = at.Add(30 * time.Minute) {
		v := 0
		if at.Hour() >= 8 && at.Hour() < 20 {
			v = 4
		}
		fmt.Fprintf(&b, "%s,%d\n", at.Format(time.RFC3339), v)
	}
	req := filepath.Join(dir, "req.csv")
	require.NoError(t, os.WriteFile(req, []byte(b.String()), 0o644))
	tmpl := filepath.Join(dir, "shifts.json")
	require.NoError(t, os.WriteFile(tmpl, []byte(`{"interval_min": 30, "templates": [
	  {"name": "FT8", "span_min": 480, "paid_min": 480, "start": {"from": "06:00", "to": "14:00", "step_min": 30},
	   "days": ["mon","tue","wed","thu","fri","sat","sun"], "max_agents": null, "breaks": []},
	  {"name": "PT4", "span_min": 240, "paid_min": 240, "start": {"from": "06:00", "to": "18:00", "step_min": 30},
	   "days": ["mon","tue","wed","thu","fri","sat","sun"], "max_agents": 0, "breaks": []}]}`), 0o644))
	out, rep := filepath.Join(dir, "schedule.csv"), filepath.Join(dir, "report.json")
	code, _, errOut := runCLI(t, nil, "", "schedule", "--requirements", req, "--shifts", tmpl, "--start", "2026-01-05",
		"--out", out, "--report", rep, "--time-limit", "3s")
	require.Equal(t, 0, code, errOut)
	var report struct {
		ShiftsByTemplate map[string]int    `json:"shifts_by_template"`
		UnderAgentHours  float64           `json:"under_agent_hours"`
		Breaches         []json.RawMessage `json:"breaches"`
	}
	raw, err := os.ReadFile(rep)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &report))
	assert.Zero(t, report.ShiftsByTemplate["PT4"])
	assert.Zero(t, report.UnderAgentHours)
	assert.NotNil(t, report.Breaches, "the report always lists breaches")
	assert.Empty(t, report.Breaches)

	check := func(path string) (int, string, string) {
		return runCLI(t, nil, "", "schedule", "check", "--schedule", path, "--shifts", tmpl, "--start", "2026-01-05", "--timezone", "UTC")
	}
	code, stdout, errOut := check(out)
	assert.Equal(t, 0, code, errOut)
	assert.Empty(t, stdout)

	f, err := os.Open(out)
	require.NoError(t, err)
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	require.NoError(t, err)
	rows = append(rows, []string{"", "PT4", "2026-01-06T09:00:00Z", "2026-01-06T13:00:00Z", "240", ""},
		[]string{"", "FT8", "2026-01-07T15:00:00Z", "2026-01-07T23:00:00Z", "480", ""})
	bad := filepath.Join(dir, "bad.csv")
	var bb strings.Builder
	w := csv.NewWriter(&bb)
	require.NoError(t, w.WriteAll(rows))
	require.NoError(t, os.WriteFile(bad, []byte(bb.String()), 0o644))
	code, stdout, errOut = check(bad)
	assert.Equal(t, 1, code)
	assert.Contains(t, stdout, "max_agents: template PT4: the plan has 1 shifts of it; max_agents is 0")
	assert.Contains(t, stdout, "start_window: "+bad+" line "+fmt.Sprint(len(rows)))
	assert.Contains(t, errOut, "2 breaches")
}

// TestScheduleCheckReportsBadCells: a bad schedule.csv is refused with the
// line and column of every bad cell, and nothing is checked.
func TestScheduleCheckReportsBadCells(t *testing.T) {
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "shifts.json")
	require.NoError(t, os.WriteFile(tmpl, []byte(`{"interval_min": 30, "templates": [
	  {"name": "FT8", "span_min": 480, "paid_min": 480, "start": {"from": "06:00", "to": "14:00", "step_min": 30},
	   "days": ["mon"], "max_agents": null, "breaks": []}]}`), 0o644))
	sched := filepath.Join(dir, "s.csv")
	require.NoError(t, os.WriteFile(sched, []byte("agent,template,start,end,paid_minutes,breaks\n,FT8,yesterday,2026-01-05T16:00:00Z,x,a/b\n"), 0o644))
	code, _, errOut := runCLI(t, nil, "", "schedule", "check", "--schedule", sched, "--shifts", tmpl, "--start", "2026-01-05", "--timezone", "UTC")
	assert.Equal(t, 1, code)
	for _, want := range []string{"line 2, start", "paid_minutes: \"x\"", "breaks: \"a/b\""} {
		assert.Contains(t, errOut, want)
	}
	code, _, errOut = runCLI(t, nil, "", "schedule", "check", "--schedule", sched, "--shifts", tmpl)
	assert.Equal(t, 2, code, errOut)
}

// TestCheckedReportKeepsTheReportsFieldOrder: the breaches follow the
// report's own fields, which keep their order.
func TestCheckedReportKeepsTheReportsFieldOrder(t *testing.T) {
	type rep struct {
		Z int `json:"z"`
		A int `json:"a"`
	}
	b, err := json.Marshal(checkedReport[rep]{rep{1, 2}, nonNil(nil)})
	require.NoError(t, err)
	assert.Equal(t, `{"z":1,"a":2,"breaches":[]}`, string(b))
	b, err = json.Marshal(checkedReport[struct{}]{struct{}{}, []plancheck.Breach{{Rule: "span", Shift: 0, Where: "w", Why: "y"}}})
	require.NoError(t, err)
	assert.Equal(t, `{"breaches":[{"rule":"span","shift":0,"where":"w","why":"y"}]}`, string(b))
}
