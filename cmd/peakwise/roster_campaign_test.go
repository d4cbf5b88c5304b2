package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling/plancheck"
	"github.com/peakwise/peakwise/scheduling/roster"
)

// TestScheduleCommandRandomWeeksPassTheirCheck is the CLI's property test:
// random small multi-site weeks written as files (two or three sites drawn
// from zones on and off the grid, templates on a 15-, 30- or 60-minute
// grid, a start date near a DST change,
// one or two weeks, contracts with templates limited to them, availability,
// whole and part-day time off, published shifts before the period, a
// queue with a minimum level), planned with `peakwise schedule --agents`
// and re-checked with `peakwise schedule check` from the written files.
// The check must find no breach but a weekly minimum the roster's own
// report already names (the one rule availability and time off can make
// impossible), and its recount of the cover must equal the report's.
// PEAKWISE_CLI_INSTANCES runs more weeks (default 4).
func TestScheduleCommandRandomWeeksPassTheirCheck(t *testing.T) {
	n := 4
	if v, err := strconv.Atoi(os.Getenv("PEAKWISE_CLI_INSTANCES")); err == nil && v > 0 {
		n = v
	}
	first := 1
	if v, err := strconv.Atoi(os.Getenv("PEAKWISE_CLI_FIRST")); err == nil && v > 0 {
		first = v
	}
	for seed := first; seed < first+n; seed++ {
		w := randomWeekFiles(t, uint64(seed))
		if msg := planAndCheck(t, w); msg != "" {
			t.Errorf("seed %d (%s): %s", seed, w.what, msg)
		}
	}
}

// weekFiles are the input files of one random week and the flags that go
// with them.
type weekFiles struct {
	dir, req, tmpl, agents, published string
	start, zone, minLevel             string
	weeks                             int
	what                              string
}

func randomWeekFiles(t *testing.T, seed uint64) weekFiles {
	rng := rand.New(rand.NewPCG(seed, 29))
	pool := []string{"America/New_York", "Europe/Berlin", "Asia/Seoul", "Asia/Kathmandu", "Asia/Kolkata",
		"Australia/Adelaide", "America/Los_Angeles", "Europe/London", "Australia/Sydney", "UTC"}
	rng.Shuffle(len(pool), func(a, b int) { pool[a], pool[b] = pool[b], pool[a] })
	zones := pool[:2+rng.IntN(2)]
	// Dates near the US, EU and Australian changes, and a plain week.
	dates := []string{"2026-03-05", "2026-03-23", "2026-03-30", "2026-04-02", "2026-10-22", "2026-10-29", "2026-06-01"}
	w := weekFiles{dir: t.TempDir(), start: dates[rng.IntN(len(dates))], zone: zones[0], weeks: 1 + rng.IntN(2)}
	grid := []int{15, 30, 60}[rng.IntN(3)]
	w.what = fmt.Sprintf("%v from %s, %d weeks, %d-minute grid", zones, w.start, w.weeks, grid)
	day, err := time.Parse(time.DateOnly, w.start)
	require.NoError(t, err)
	locs := make([]*time.Location, len(zones))
	for i, z := range zones {
		locs[i], err = time.LoadLocation(z)
		require.NoError(t, err)
	}
	// Rows for every clock's weeks, on the plan's half hours.
	from := time.Date(day.Year(), day.Month(), day.Day()-1, 0, 0, 0, 0, locs[0])
	to := time.Date(day.Year(), day.Month(), day.Day()+7*w.weeks+1, 0, 0, 0, 0, locs[0])
	var req strings.Builder
	req.WriteString("timestamp,queue,timezone,required_staff\n")
	levels := []string{}
	for at := from; at.Before(to); at = at.Add(time.Duration(grid) * time.Minute) {
		for i, z := range zones {
			l := at.In(locs[i])
			v := 0
			if h := l.Hour(); h >= 8 && h < 19 {
				v = 1
			}
			fmt.Fprintf(&req, "%s,site%d,%s,%d\n", at.UTC().Format(time.RFC3339), i, z, v)
		}
		g := 0
		if h := at.In(locs[0]).Hour(); h >= 6 && h < 22 {
			g = 1
		}
		fmt.Fprintf(&req, "%s,global,%s,%d\n", at.UTC().Format(time.RFC3339), zones[0], g)
	}
	if rng.IntN(2) == 0 {
		w.minLevel = "global=3"
		levels = append(levels, w.minLevel)
	}
	w.req = filepath.Join(w.dir, "requirements.csv")
	require.NoError(t, os.WriteFile(w.req, []byte(req.String()), 0o644))
	w.tmpl = filepath.Join(w.dir, "shifts.json")
	brk := max(15, grid) // breaks and steps on the grid
	require.NoError(t, os.WriteFile(w.tmpl, []byte(fmt.Sprintf(`{"interval_min": %[1]d, "templates": [
	  {"name": "FT8", "span_min": 510, "paid_min": 480, "start": {"from": "06:00", "to": "14:00", "step_min": %[2]d},
	   "days": ["mon","tue","wed","thu","fri","sat","sun"], "contracts": ["FT"],
	   "breaks": [{"name": "lunch", "length_min": 30, "paid": false, "earliest_start_min": 180, "latest_start_min": 300, "step_min": %[2]d}]},
	  {"name": "PT4", "span_min": 240, "paid_min": 240, "start": {"from": "06:00", "to": "18:00", "step_min": %[2]d},
	   "days": ["mon","tue","wed","thu","fri","sat","sun"], "contracts": ["PT"], "max_agents": 60, "breaks": []}]}`, grid, max(30, brk))), 0o644))
	var agents, published strings.Builder
	agents.WriteString("agent,timezone,skills,contract,min_week_hours,max_week_hours,max_shifts_week,min_rest_hours,max_consecutive_days,availability,time_off,prefer,days_off\n")
	published.WriteString("agent,template,start,end,paid_minutes,breaks\n")
	count := 0
	for i, z := range zones {
		loc := locs[i]
		for k := 0; k < 3+rng.IntN(3); k++ {
			count++
			id := fmt.Sprintf("a%d-%d@example.com", i, k)
			skills := fmt.Sprintf("site%d:%d", i, 2+rng.IntN(4))
			if rng.IntN(2) == 0 {
				skills += fmt.Sprintf(";global:%d", 1+rng.IntN(5))
			}
			contract, minH, maxH, shifts := "FT", 40, 40, 5
			if rng.IntN(5) < 2 {
				contract, minH, maxH, shifts = "PT", 16+4*rng.IntN(2), 24, 5
			}
			avail := []string{"", "", "mon-fri 06:00-22:00;sat 08:00-18:00", "mon-sun 10:00-24:00"}[rng.IntN(4)]
			off := ""
			switch rng.IntN(5) {
			case 0: // a whole local day
				d := time.Date(day.Year(), day.Month(), day.Day()+rng.IntN(7*w.weeks), 0, 0, 0, 0, loc)
				off = d.Format(time.RFC3339) + "/" + d.AddDate(0, 0, 1).Format(time.RFC3339)
			case 1: // an appointment of a few hours
				d := time.Date(day.Year(), day.Month(), day.Day()+rng.IntN(7*w.weeks), 9+rng.IntN(6), 0, 0, 0, loc)
				off = d.Format(time.RFC3339) + "/" + d.Add(time.Duration(2+rng.IntN(3))*time.Hour).Format(time.RFC3339)
			}
			fmt.Fprintf(&agents, "%s,%s,%s,%s,%d,%d,%d,11,6,%s,%s,,\n", id, z, skills, contract, minH, maxH, shifts, avail, off)
			if rng.IntN(3) == 0 { // a late shift the evening before the plan
				d := time.Date(day.Year(), day.Month(), day.Day()-1, 14, 0, 0, 0, loc)
				fmt.Fprintf(&published, "%s,,%s,%s,240,\n", id, d.Format(time.RFC3339), d.Add(4*time.Hour).Format(time.RFC3339))
			}
		}
	}
	w.what += fmt.Sprintf(", %d agents", count)
	if len(levels) > 0 {
		w.what += ", " + strings.Join(levels, " ")
	}
	w.agents, w.published = filepath.Join(w.dir, "agents.csv"), filepath.Join(w.dir, "published.csv")
	require.NoError(t, os.WriteFile(w.agents, []byte(agents.String()), 0o644))
	require.NoError(t, os.WriteFile(w.published, []byte(published.String()), 0o644))
	return w
}

// planAndCheck plans w with the schedule command and re-checks it with
// schedule check; it returns what is wrong, or "".
func planAndCheck(t *testing.T, w weekFiles) string {
	out, rep, recount := filepath.Join(w.dir, "schedule.csv"), filepath.Join(w.dir, "report.json"), filepath.Join(w.dir, "recount.json")
	args := []string{"schedule", "--requirements", w.req, "--shifts", w.tmpl, "--start", w.start, "--weeks", strconv.Itoa(w.weeks),
		"--timezone", w.zone, "--agents", w.agents, "--published", w.published, "--out", out, "--report", rep, "--time-limit", "2s"}
	check := []string{"schedule", "check", "--schedule", out, "--shifts", w.tmpl, "--agents", w.agents, "--published", w.published,
		"--start", w.start, "--weeks", strconv.Itoa(w.weeks), "--timezone", w.zone, "--requirements", w.req, "--report", recount}
	if w.minLevel != "" {
		args = append(args, "--min-level", w.minLevel)
		check = append(check, "--min-level", w.minLevel)
	}
	// The command exits 1 when the roster breaks a rule it could not
	// avoid (a weekly minimum); it still writes the plan and the report.
	if code, _, errOut := runCLI(t, nil, "", args...); code != 0 && !strings.Contains(errOut, "cannot avoid") {
		return "schedule: " + errOut
	}
	_, _, checkErr := runCLI(t, nil, "", check...) // exits 1 on any breach; the report says which
	var claimed roster.Report
	var checked struct {
		Breaches []plancheck.Breach     `json:"breaches"`
		Coverage []plancheck.QueueCover `json:"coverage"`
	}
	for path, into := range map[string]any{rep: &claimed, recount: &checked} {
		raw, err := os.ReadFile(path)
		if err != nil {
			return err.Error() + "; schedule check said: " + checkErr
		}
		if err := json.Unmarshal(raw, into); err != nil {
			return path + ": " + err.Error()
		}
	}
	short := map[string]bool{} // agents whose weekly minimum the report says it could not meet
	for _, v := range claimed.Violations {
		if v.Rule == "min_week_hours" && v.AgentID >= 1 && int(v.AgentID) <= len(claimed.Agents) {
			short[claimed.Agents[v.AgentID-1].Agent] = true
		}
	}
	var wrong []string
	for _, b := range checked.Breaches {
		if b.Rule == plancheck.RuleMinWeekHours && short[b.Agent] {
			continue
		}
		wrong = append(wrong, fmt.Sprintf("%s: %s: %s", b.Rule, b.Where, b.Why))
	}
	queues := append(claimed.Queues, claimed.Total)
	if len(checked.Coverage) != len(queues) {
		wrong = append(wrong, fmt.Sprintf("recount has %d rows, the report %d", len(checked.Coverage), len(queues)))
	} else {
		for i, q := range queues {
			c := checked.Coverage[i]
			if d := q.UnderHours - c.UnderHours; d > 1e-6 || d < -1e-6 {
				wrong = append(wrong, fmt.Sprintf("%s: under %.3f h in the report, %.3f h recounted", c.Queue, q.UnderHours, c.UnderHours))
			}
			if d := q.RequiredHours - c.RequiredHours; d > 1e-6 || d < -1e-6 {
				wrong = append(wrong, fmt.Sprintf("%s: required %.3f h in the report, %.3f h recounted", c.Queue, q.RequiredHours, c.RequiredHours))
			}
		}
	}
	return strings.Join(wrong, "; ")
}
