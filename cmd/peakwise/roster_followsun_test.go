package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling/plancheck"
	"github.com/peakwise/peakwise/scheduling/roster"
)

// TestScheduleCommandPlansAFollowTheSunWeek runs the schedule command as a
// planner would on a small follow-the-sun week, files in and files out:
// agents in New York, Berlin and Seoul, each site's queue open on its own
// clock (the requirements file's timezone column), a global English queue
// around the clock that asks for level 3, full- and part-time contracts
// with templates limited to them, time off and published shifts, planned
// from New York's Monday while Berlin's clocks go forward: the period runs
// from Monday 00:00 in Seoul to Monday 00:00 in New York a week later, so
// every agent's week is whole on his own clock. The written
// schedule.csv is then re-checked rule by rule and its cover recounted per
// queue by `schedule check`, which must find no breach and the report's
// figures.
func TestScheduleCommandPlansAFollowTheSunWeek(t *testing.T) {
	planFollowSunWeek(t, []followSunSite{
		{"America/New_York", "voice_us", "en"}, {"Europe/Berlin", "voice_de", "de"}, {"Asia/Seoul", "chat_kr", "ko"},
	}, "20s")
}

// TestScheduleCommandPlansAWeekForAZoneOffTheGrid is the same week with
// the Seoul site in Kathmandu, whose +5:45 is off the templates' 30-minute
// grid: Kathmandu's Monday 00:00 falls between two half hours of New
// York's, so the period opens at the half hour before it (roster.WholeWeeks
// on the plan's grid), the requirements stay on their grid, and every
// agent still has his week whole.
func TestScheduleCommandPlansAWeekForAZoneOffTheGrid(t *testing.T) {
	planFollowSunWeek(t, []followSunSite{
		{"America/New_York", "voice_us", "en"}, {"Europe/Berlin", "voice_de", "de"}, {"Asia/Kathmandu", "chat_np", "ne"},
	}, "10s")
}

// followSunSite is one site of planFollowSunWeek: its zone, its own queue
// (open on its clock) and its agents' language.
type followSunSite struct{ zone, queue, lang string }

// planFollowSunWeek writes the files of a 30-agent follow-the-sun week
// over sites (a third of the agents each; the first site's clock is the
// plan's, the last is furthest east), plans it with the schedule command and
// re-checks it with `schedule check`.
func planFollowSunWeek(t *testing.T, sites []followSunSite, limit string) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(16, 3))
	ny, _ := time.LoadLocation(sites[0].zone)
	east, _ := time.LoadLocation(sites[len(sites)-1].zone)
	// Rows for the whole span, on New York's half hours; each queue asks
	// only for its own week.
	start, end := time.Date(2026, 3, 23, 0, 0, 0, 0, east), time.Date(2026, 3, 30, 0, 0, 0, 0, ny)
	start = start.Truncate(30 * time.Minute)
	var req strings.Builder
	req.WriteString("timestamp,queue,timezone,required_staff\n")
	for at := start; at.Before(end); at = at.Add(30 * time.Minute) {
		for _, s := range sites {
			loc, _ := time.LoadLocation(s.zone)
			l := at.In(loc)
			v := 0
			if h := l.Hour(); h >= 8 && h < 20 {
				v = 2
				if h >= 10 && h < 14 {
					v = 3 // the site's own peak
				}
				if l.Weekday() == time.Saturday || l.Weekday() == time.Sunday {
					v--
				}
			}
			fmt.Fprintf(&req, "%s,%s,%s,%d\n", at.UTC().Format(time.RFC3339), s.queue, s.zone, v)
		}
		fmt.Fprintf(&req, "%s,voice_en,UTC,1\n", at.UTC().Format(time.RFC3339))
	}
	reqPath := filepath.Join(dir, "requirements.csv")
	require.NoError(t, os.WriteFile(reqPath, []byte(req.String()), 0o644))

	tmpl := filepath.Join(dir, "shifts.json")
	require.NoError(t, os.WriteFile(tmpl, []byte(`{"interval_min": 30, "templates": [
	  {"name": "FT8", "span_min": 510, "paid_min": 480, "start": {"from": "00:00", "to": "23:30", "step_min": 30},
	   "days": ["mon","tue","wed","thu","fri","sat","sun"], "contracts": ["FT"],
	   "breaks": [{"name": "lunch", "length_min": 30, "paid": false, "earliest_start_min": 150, "latest_start_min": 300, "step_min": 30}]},
	  {"name": "PT4", "span_min": 240, "paid_min": 240, "start": {"from": "00:00", "to": "23:30", "step_min": 30},
	   "days": ["mon","tue","wed","thu","fri","sat","sun"], "contracts": ["PT"], "breaks": []}]}`), 0o644))

	var agents, published strings.Builder
	agents.WriteString("agent,timezone,skills,contract,min_week_hours,max_week_hours,max_shifts_week,min_rest_hours,max_consecutive_days,availability,time_off,prefer,days_off\n")
	published.WriteString("agent,template,start,end,paid_minutes,breaks\n")
	for i := 0; i < 30; i++ {
		s := sites[i%3]
		loc, _ := time.LoadLocation(s.zone)
		id := fmt.Sprintf("%s%d@example.com", s.lang, i)
		skills := fmt.Sprintf("%s:%d;voice_en:%d", s.queue, 3+rng.IntN(3), 1+rng.IntN(5))
		contract, minH, maxH := "FT", 40, 40
		if rng.IntN(10) < 4 {
			contract, minH, maxH = "PT", 20, 24
		}
		off := ""
		if rng.IntN(6) == 0 {
			d := time.Date(2026, 3, 24+rng.IntN(4), 0, 0, 0, 0, loc)
			off = d.Format(time.RFC3339) + "/" + d.AddDate(0, 0, 1).Format(time.RFC3339)
		}
		fmt.Fprintf(&agents, "%s,%s,%s,%s,%d,%d,5,11,6,,%s,,\n", id, s.zone, skills, contract, minH, maxH, off)
		if rng.IntN(3) == 0 { // worked the Sunday before the plan
			d := time.Date(2026, 3, 22, 9, 0, 0, 0, loc)
			fmt.Fprintf(&published, "%s,,%s,%s,240,\n", id, d.Format(time.RFC3339), d.Add(4*time.Hour).Format(time.RFC3339))
		}
	}
	agentsPath, pubPath := filepath.Join(dir, "agents.csv"), filepath.Join(dir, "published.csv")
	require.NoError(t, os.WriteFile(agentsPath, []byte(agents.String()), 0o644))
	require.NoError(t, os.WriteFile(pubPath, []byte(published.String()), 0o644))

	out, rep := filepath.Join(dir, "schedule.csv"), filepath.Join(dir, "report.json")
	code, _, errOut := runCLI(t, nil, "", "schedule", "--requirements", reqPath, "--shifts", tmpl, "--start", "2026-03-23",
		"--timezone", "America/New_York", "--agents", agentsPath, "--published", pubPath, "--min-level", "voice_en=3",
		"--out", out, "--report", rep, "--time-limit", limit)
	require.Equal(t, 0, code, errOut)
	t.Log(errOut)

	recount := filepath.Join(dir, "recount.json")
	code, checkOut, checkErr := runCLI(t, nil, "", "schedule", "check", "--schedule", out, "--shifts", tmpl, "--agents", agentsPath,
		"--published", pubPath, "--min-level", "voice_en=3", "--start", "2026-03-23", "--timezone", "America/New_York",
		"--requirements", reqPath, "--report", recount)
	require.Equal(t, 0, code, checkOut+checkErr)
	t.Log(checkOut)

	var claimed struct {
		Agents []struct {
			Agent string             `json:"agent"`
			Weeks []roster.AgentWeek `json:"weeks"`
		} `json:"agents"`
		Total  plancheck.QueueCover   `json:"total"`
		Queues []plancheck.QueueCover `json:"queues"`
		Shifts int                    `json:"shifts"`
	}
	var checked struct {
		Shifts   int                    `json:"shifts"`
		Breaches []plancheck.Breach     `json:"breaches"`
		Coverage []plancheck.QueueCover `json:"coverage"`
	}
	raw, err := os.ReadFile(rep)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &claimed))
	raw, err = os.ReadFile(recount)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &checked))
	assert.Empty(t, checked.Breaches)
	assert.Equal(t, claimed.Shifts, checked.Shifts)
	require.Len(t, checked.Coverage, 5, "four queues and the total")
	for i, q := range append(claimed.Queues, claimed.Total) {
		c := checked.Coverage[i]
		assert.InDelta(t, q.RequiredHours, c.RequiredHours, 1e-6, "%s required", c.Queue)
		assert.InDelta(t, q.UnderHours, c.UnderHours, 1e-6, "%s under", c.Queue)
		assert.InDelta(t, q.OverHours, c.OverHours, 1e-6, "%s over", c.Queue)
	}
	// Each agent's weeks on his own clock, with the minimum this plan owes
	// in each, are in the report, and the plan gives them. The week of 23
	// March is whole for everyone, so it owes the whole weekly minimum (less
	// hours already published in it); the edges hold only pieces of a day of
	// the neighbouring weeks, which owe nothing.
	require.Len(t, claimed.Agents, 30)
	for _, a := range claimed.Agents {
		require.NotEmpty(t, a.Weeks, a.Agent)
		whole := 0
		for _, w := range a.Weeks {
			assert.GreaterOrEqual(t, w.PlannedHours, w.MinHours-1e-9, "%s, week of %s", a.Agent, w.Monday)
			assert.LessOrEqual(t, w.MinHours, w.WeekMinHours+1e-9, "%s, week of %s", a.Agent, w.Monday)
			if w.Monday == "2026-03-23" {
				whole++
				assert.Equal(t, 7, w.DaysInPlan, a.Agent)
				assert.InDelta(t, w.WeekMinHours-w.PublishedHours, w.MinHours, 1e-9, a.Agent)
			} else {
				assert.Equal(t, 0, w.DaysInPlan, a.Agent)
				assert.Zero(t, w.MinHours, a.Agent)
			}
		}
		assert.Equal(t, 1, whole, a.Agent)
	}
	assert.Less(t, claimed.Total.UnderHours, 0.1*claimed.Total.RequiredHours, "thirty agents have the hours for this week")
}
