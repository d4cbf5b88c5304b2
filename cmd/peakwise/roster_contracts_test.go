package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestScheduleCommandKeepsContractsOnEachAgentsClock rosters full-time
// agents in Seoul and Berlin on a week planned on New York's clock (Berlin
// goes forward inside it), with a full-time-only template, a queue that
// asks for level 3 and a shift published before the period, then re-checks
// schedule.csv row by row: FT8 only for FT, nobody below level 3 on en,
// and every agent's hours in his local week at least the pro-rata minimum.
func TestScheduleCommandKeepsContractsOnEachAgentsClock(t *testing.T) {
	dir := t.TempDir()
	ny, _ := time.LoadLocation("America/New_York")
	start := time.Date(2026, 3, 23, 0, 0, 0, 0, ny)
	var b strings.Builder
	b.WriteString("timestamp,queue,timezone,required_staff\n")
	for at := start; at.Before(start.AddDate(0, 0, 7)); at = at.Add(30 * time.Minute) {
		fmt.Fprintf(&b, "%s,en,America/New_York,2\n%s,ko,America/New_York,1\n", at.Format(time.RFC3339), at.Format(time.RFC3339))
	}
	req := filepath.Join(dir, "req.csv")
	require.NoError(t, os.WriteFile(req, []byte(b.String()), 0o644))
	tmpl := filepath.Join(dir, "shifts.json")
	require.NoError(t, os.WriteFile(tmpl, []byte(`{"interval_min": 30, "templates": [
	  {"name": "FT8", "span_min": 480, "paid_min": 480, "start": {"from": "06:00", "to": "14:00", "step_min": 60},
	   "days": ["mon","tue","wed","thu","fri","sat","sun"], "contracts": ["FT"], "breaks": []},
	  {"name": "PT4", "span_min": 240, "paid_min": 240, "start": {"from": "06:00", "to": "18:00", "step_min": 60},
	   "days": ["mon","tue","wed","thu","fri","sat","sun"], "breaks": []}]}`), 0o644))
	agents := filepath.Join(dir, "agents.csv")
	require.NoError(t, os.WriteFile(agents, []byte("agent,timezone,skills,contract,min_week_hours,max_week_hours,max_shifts_week,min_rest_hours,max_consecutive_days,availability,time_off,prefer,days_off\n"+
		"kim,Asia/Seoul,ko:5;en:1,FT,40,40,5,11,6,,,,\n"+
		"lee,Asia/Seoul,ko:4;en:4,FT,40,40,5,11,6,,,,\n"+
		"ana,Europe/Berlin,en:5,FT,40,40,6,11,6,,,,\n"+
		"ben,Europe/Berlin,en:3,PT,16,20,5,11,6,,,,\n"), 0o644))
	// Ana worked the Monday morning the period cuts (05:00 in Berlin is its start).
	published := filepath.Join(dir, "published.csv")
	require.NoError(t, os.WriteFile(published, []byte("agent,template,start,end,paid_minutes,breaks\n"+
		"ana,FT8,2026-03-23T00:00:00+01:00,2026-03-23T04:00:00+01:00,240,\n"+
		"someone-else,FT8,2026-03-23T00:00:00+01:00,2026-03-23T08:00:00+01:00,480,\n"), 0o644))
	out := filepath.Join(dir, "schedule.csv")
	code, _, errOut := runCLI(t, nil, "", "schedule", "--requirements", req, "--shifts", tmpl, "--start", "2026-03-23",
		"--agents", agents, "--out", out, "--min-level", "en=3", "--published", published, "--time-limit", "10s")
	require.Equal(t, 0, code, errOut)

	f, err := os.Open(out)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	zone := map[string]string{"kim": "Asia/Seoul", "lee": "Asia/Seoul", "ana": "Europe/Berlin", "ben": "Europe/Berlin"}
	// Whole local dates of the agent's week 23-29 March inside the plan:
	// Monday is cut in Seoul (13:00) and Berlin (05:00), so six remain.
	want := map[string]float64{"kim": 40 * 6.0 / 7, "lee": 40 * 6.0 / 7, "ana": 40 * 6.0 / 7, "ben": 16 * 6.0 / 7}
	paid := map[string]float64{}
	for _, r := range rows[1:] {
		agent, template, queue := r[0], r[1], r[6]
		if template == "FT8" {
			assert.Contains(t, []string{"kim", "lee", "ana"}, agent, "FT8 is for full-time contracts only")
		}
		if agent == "kim" {
			assert.Equal(t, "ko", queue, "a level-1 English speaker is not assigned to en (minimum 3)")
		}
		loc, _ := time.LoadLocation(zone[agent])
		s, err := time.Parse(time.RFC3339, r[2])
		require.NoError(t, err)
		if l := s.In(loc); l.Before(time.Date(2026, 3, 30, 0, 0, 0, 0, loc)) {
			m, _ := strconv.Atoi(r[4])
			paid[agent] += float64(m) / 60
		}
		assert.Equal(t, s.In(loc).Format(time.RFC3339), r[2], "times are on the agent's clock")
	}
	for a, h := range want {
		assert.GreaterOrEqual(t, paid[a], h-1e-9, "%s's week of 23 March on his own clock", a)
	}
	assert.LessOrEqual(t, paid["ana"], 36.0, "the published 4 h count toward Ana's 40 h maximum")

	code, _, errOut = runCLI(t, nil, "", "schedule", "--requirements", req, "--shifts", tmpl, "--start", "2026-03-23",
		"--agents", agents, "--out", out, "--min-level", "en=9")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--min-level")
}
