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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling/plancheck"
)

func TestScheduleCommandHeadcount(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("timestamp,channel,timezone,required_staff\n")
	ny, _ := time.LoadLocation("America/New_York")
	day := time.Date(2026, 3, 9, 0, 0, 0, 0, ny) // the Monday after the DST change
	for d := 0; d < 5; d++ {
		for m := 9 * 60; m < 17*60; m += 30 {
			ts := time.Date(day.Year(), day.Month(), day.Day()+d, m/60, m%60, 0, 0, ny)
			fmt.Fprintf(&b, "%s,voice,America/New_York,%d\n", ts.Format(time.RFC3339), 3)
		}
	}
	req := filepath.Join(dir, "req.csv")
	require.NoError(t, os.WriteFile(req, []byte(b.String()), 0o644))
	tmpl := filepath.Join(dir, "s.json")
	require.NoError(t, os.WriteFile(tmpl, []byte(`{"interval_min":30,"templates":[{"name":"D","span_min":480,"paid_min":480,
		"start":{"from":"09:00","to":"09:00","step_min":30},"days":["mon","tue","wed","thu","fri"],"max_agents":null,"breaks":[]}]}`), 0o644))
	out, rep := filepath.Join(dir, "schedule.csv"), filepath.Join(dir, "report.json")
	code, _, errOut := runCLI(t, nil, "", "schedule", "--requirements", req, "--shifts", tmpl, "--start", "2026-03-09", "--out", out, "--report", rep)
	require.Equal(t, 0, code, errOut)
	f, err := os.Open(out)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, []string{"agent", "template", "start", "end", "paid_minutes", "breaks"}, rows[0])
	require.Len(t, rows, 1+15, "three agents a day for five days")
	assert.Equal(t, "2026-03-09T09:00:00-04:00", rows[1][2])
	var report map[string]any
	raw, err := os.ReadFile(rep)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &report))
	assert.EqualValues(t, 0, report["under_agent_hours"])
	assert.EqualValues(t, 120, report["paid_agent_hours"])
	cmp, ok := report["stress_comparison"].(map[string]any)
	require.True(t, ok, "report.json sets the cheapest plan beside the stress-aware one")
	assert.EqualValues(t, 0.02, cmp["stress_budget"])
	assert.EqualValues(t, 120, cmp["cheapest"].(map[string]any)["paid_agent_hours"])
	assert.EqualValues(t, 120, cmp["stress_aware"].(map[string]any)["paid_agent_hours"])
	assert.InDelta(t, 120, cmp["lower_bound_paid_hours"], 1e-6)
	// schedule check recounts the same cover from the written rows.
	recount := filepath.Join(dir, "recount.json")
	code, _, errOut = runCLI(t, nil, "", "schedule", "check", "--schedule", out, "--shifts", tmpl, "--start", "2026-03-09",
		"--timezone", "America/New_York", "--requirements", req, "--report", recount)
	require.Equal(t, 0, code, errOut)
	var checked struct {
		Coverage []plancheck.QueueCover `json:"coverage"`
	}
	raw, err = os.ReadFile(recount)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &checked))
	require.Len(t, checked.Coverage, 1, "a headcount plan covers one summed requirement")
	assert.InDelta(t, report["under_agent_hours"], checked.Coverage[0].UnderHours, 1e-9)
	assert.InDelta(t, report["required_agent_hours"], checked.Coverage[0].RequiredHours, 1e-9)
	assert.InDelta(t, report["covered_agent_hours"], checked.Coverage[0].CoveredHours, 1e-9)

	// A flat requirement is peak all day: eight hours without a break break
	// the default 2-hour limit, not a 9-hour one.
	stress := report["stress"].(map[string]any)
	assert.EqualValues(t, 15, stress["shifts_over_peak_limit"])
	code, _, errOut = runCLI(t, nil, "", "schedule", "--requirements", req, "--shifts", tmpl, "--start", "2026-03-09", "--out", out, "--report", rep,
		"--max-peak-stretch", "9h", "--peak-share", "0.5", "--max-break-share", "0.3")
	require.Equal(t, 0, code, errOut)
	raw, err = os.ReadFile(rep)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &report))
	assert.EqualValues(t, 0, report["stress"].(map[string]any)["shifts_over_peak_limit"])
	for flag, bad := range map[string]string{"--peak-share": "0", "--max-peak-stretch": "-1h", "--max-break-share": "1.5", "--time-limit": "-1s"} {
		code, _, errOut = runCLI(t, nil, "", "schedule", "--requirements", req, "--shifts", tmpl, "--start", "2026-03-09", "--out", out, flag, bad)
		assert.Equal(t, 2, code, flag)
		assert.Contains(t, errOut, flag)
	}

	code, _, errOut = runCLI(t, nil, "", "schedule", "--requirements", req, "--shifts", tmpl, "--start", "2026-03-09", "--out", out, "--stress-budget", "3")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--stress-budget")

	code, _, errOut = runCLI(t, nil, "", "schedule", "--requirements", req, "--shifts", tmpl, "--start", "2026-03-09", "--out", out, "--agents", "a.csv")
	assert.Equal(t, 1, code, "rostering mode reads the agents file")
	assert.Contains(t, errOut, "a.csv")
}

// TestScheduleCommandWithoutAZone: the plain timestamp,required file
// has no timezone column. One UTC offset on every row fixes the plan's clock;
// offsets that change (a DST week) without a zone name are refused rather
// than guessed.
func TestScheduleCommandWithoutAZone(t *testing.T) {
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "s.json")
	require.NoError(t, os.WriteFile(tmpl, []byte(`{"interval_min":30,"templates":[{"name":"D","span_min":480,"paid_min":480,
		"start":{"from":"09:00","to":"09:00","step_min":30},"days":["mon","tue","wed","thu","fri"],"max_agents":null,"breaks":[]}]}`), 0o644))
	write := func(name string, zone *time.Location, first time.Time) string {
		var b strings.Builder
		b.WriteString("timestamp,required\n")
		for d := 0; d < 5; d++ {
			for m := 9 * 60; m < 17*60; m += 30 {
				ts := time.Date(first.Year(), first.Month(), first.Day()+d, m/60, m%60, 0, 0, zone)
				fmt.Fprintf(&b, "%s,2\n", ts.Format(time.RFC3339))
			}
		}
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
		return path
	}
	out := filepath.Join(dir, "schedule.csv")
	for _, c := range []struct {
		zone  *time.Location
		start string
	}{{time.UTC, "2026-01-05T09:00:00Z"}, {time.FixedZone("", 5*3600+1800), "2026-01-05T09:00:00+05:30"}} {
		req := write("plain.csv", c.zone, time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC))
		code, _, errOut := runCLI(t, nil, "", "schedule", "--requirements", req, "--shifts", tmpl, "--start", "2026-01-05", "--out", out)
		require.Equal(t, 0, code, errOut)
		rows := readCSV(t, out)
		require.Len(t, rows, 1+10, "two agents a day for five days")
		assert.Equal(t, c.start, rows[1][2], "shifts start at 09:00 on the requirements' own clock")
	}

	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	req := write("dst.csv", berlin, time.Date(2026, 3, 26, 0, 0, 0, 0, time.UTC)) // Thu-Mon across 29 March
	code, _, errOut := runCLI(t, nil, "", "schedule", "--requirements", req, "--shifts", tmpl, "--start", "2026-03-23", "--out", out)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--timezone")
	code, _, errOut = runCLI(t, nil, "", "schedule", "--requirements", req, "--shifts", tmpl, "--start", "2026-03-23", "--out", out, "--timezone", "Europe/Berlin")
	assert.Equal(t, 0, code, errOut)
}

// TestScheduleCommandSpreadsCoarserRequirements: 30-minute requirements for
// 15-minute templates hold for both quarter hours of their half hour (they
// used to fill only the first, halving the requirement the plan saw).
func TestScheduleCommandSpreadsCoarserRequirements(t *testing.T) {
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "s.json")
	require.NoError(t, os.WriteFile(tmpl, []byte(`{"interval_min":15,"templates":[{"name":"D","span_min":480,"paid_min":480,
		"start":{"from":"09:00","to":"09:00","step_min":15},"days":["mon","tue","wed","thu","fri"],"max_agents":null,"breaks":[]}]}`), 0o644))
	var b strings.Builder
	b.WriteString("timestamp,required\n")
	for d := 0; d < 5; d++ {
		for m := 9 * 60; m < 17*60; m += 30 {
			fmt.Fprintf(&b, "%s,2\n", time.Date(2026, 1, 5+d, m/60, m%60, 0, 0, time.UTC).Format(time.RFC3339))
		}
	}
	req, out, rep := filepath.Join(dir, "r.csv"), filepath.Join(dir, "schedule.csv"), filepath.Join(dir, "report.json")
	require.NoError(t, os.WriteFile(req, []byte(b.String()), 0o644))
	code, _, errOut := runCLI(t, nil, "", "schedule", "--requirements", req, "--shifts", tmpl, "--start", "2026-01-05", "--out", out, "--report", rep)
	require.Equal(t, 0, code, errOut)
	var report map[string]any
	raw, err := os.ReadFile(rep)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &report))
	assert.EqualValues(t, 80, report["required_agent_hours"], "two agents, eight hours, five days")
	assert.EqualValues(t, 0, report["under_agent_hours"])
	assert.EqualValues(t, 0, report["over_agent_hours"])
	assert.EqualValues(t, 80, report["paid_agent_hours"])
}
