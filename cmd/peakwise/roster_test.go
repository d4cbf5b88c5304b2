package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/peakwise/peakwise/scheduling/plancheck"
	"github.com/peakwise/peakwise/scheduling/roster"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rosterAgent is one agent of the CLI test, written to agents.csv and used
// again, independently of the roster package, to check every output row.
type rosterAgent struct {
	id, zone, skills string
	minH, maxH       float64
	maxShifts        int
	restH            float64
	maxDays          int
	days             []time.Weekday // available on these local days ...
	from, to         int            // ... from..to local minutes
	offDate          string         // a local date of approved time off, or ""
	prefer, daysOff  string
}

func (a rosterAgent) csvRow(loc *time.Location) string {
	var ds []string
	for _, d := range a.days {
		ds = append(ds, strings.ToLower(d.String()[:3]))
	}
	avail := fmt.Sprintf("%s %02d:%02d-%02d:%02d", strings.Join(ds, ","), a.from/60, a.from%60, a.to/60, a.to%60)
	off := ""
	if a.offDate != "" {
		d, _ := time.ParseInLocation(time.DateOnly, a.offDate, loc)
		off = d.Format(time.RFC3339) + "/" + d.AddDate(0, 0, 1).Format(time.RFC3339)
	}
	return fmt.Sprintf("%s,%s,%s,%g,%g,%d,%g,%d,%q,%s,%s,%s\n", a.id, a.zone, a.skills, a.minH, a.maxH, a.maxShifts, a.restH, a.maxDays, avail, off, a.prefer, a.daysOff)
}

var everyDay = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}
var weekdaysOnly = everyDay[:5]

// TestScheduleCommandRostersAgentsAcrossDST rosters agents in Berlin and
// Sydney over the fortnight in which Berlin's clocks go forward (29 March
// 2026) and Sydney's go back (5 April), then re-checks every rule row by row
// from the written schedule.csv.
func TestScheduleCommandRostersAgentsAcrossDST(t *testing.T) {
	dir := t.TempDir()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	sydney, _ := time.LoadLocation("Australia/Sydney")
	zones := map[string]*time.Location{"Europe/Berlin": berlin, "Australia/Sydney": sydney}
	start := time.Date(2026, 3, 23, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 0, 14)

	// Requirements: each region's queue 07:00-19:00 on its own clock, two
	// agents on weekdays and one at weekends.
	var b strings.Builder
	b.WriteString("timestamp,queue,timezone,required_staff\n")
	for at := start; at.Before(end); at = at.Add(30 * time.Minute) {
		for _, q := range []struct {
			name string
			loc  *time.Location
		}{{"de", berlin}, {"au", sydney}} {
			l := at.In(q.loc)
			v := 0
			if l.Hour() >= 7 && l.Hour() < 19 {
				v = 2
				if l.Weekday() == time.Saturday || l.Weekday() == time.Sunday {
					v = 1
				}
			}
			fmt.Fprintf(&b, "%s,%s,UTC,%d\n", at.Format(time.RFC3339), q.name, v)
		}
	}
	req := filepath.Join(dir, "req.csv")
	require.NoError(t, os.WriteFile(req, []byte(b.String()), 0o644))
	tmpl := filepath.Join(dir, "shifts.json")
	require.NoError(t, os.WriteFile(tmpl, []byte(`{"interval_min": 30, "templates": [
	  {"name": "D8", "span_min": 510, "paid_min": 480, "start": {"from": "06:30", "to": "11:00", "step_min": 30},
	   "days": ["mon","tue","wed","thu","fri","sat","sun"], "max_agents": null,
	   "breaks": [{"name": "break", "length_min": 15, "paid": true, "earliest_start_min": 90, "latest_start_min": 150, "step_min": 15},
	              {"name": "lunch", "length_min": 30, "paid": false, "earliest_start_min": 210, "latest_start_min": 300, "step_min": 30}]},
	  {"name": "P4", "span_min": 240, "paid_min": 240, "start": {"from": "07:00", "to": "15:00", "step_min": 30},
	   "days": ["mon","tue","wed","thu","fri","sat","sun"], "max_agents": null, "breaks": []}]}`), 0o644))
	type window struct{ from, to int }
	templates := map[string]struct {
		span, paid, from, to, step int
		breaks                     []struct{ length, earliest, latest, step int }
	}{
		"D8": {510, 480, 390, 660, 30, []struct{ length, earliest, latest, step int }{{15, 90, 150, 15}, {30, 210, 300, 30}}},
		"P4": {240, 240, 420, 900, 30, nil},
	}

	agents := []rosterAgent{
		{"de1@example.com", "Europe/Berlin", "de:5", 30, 40, 5, 11, 5, everyDay, 6 * 60, 20 * 60, "", "early", ""},
		{"de2@example.com", "Europe/Berlin", "de:4", 30, 40, 5, 11, 5, everyDay, 6 * 60, 20 * 60, "2026-03-25", "", "sat;sun"},
		{"de3@example.com", "Europe/Berlin", "de:3", 24, 32, 4, 12, 4, weekdaysOnly, 6 * 60, 16 * 60, "", "", ""},
		{"de4@example.com", "Europe/Berlin", "de:3", 0, 20, 3, 11, 3, everyDay, 9 * 60, 20 * 60, "", "late", ""},
		{"de5@example.com", "Europe/Berlin", "de:4;au:2", 30, 40, 5, 11, 5, everyDay, 6 * 60, 20 * 60, "", "", ""},
		{"de6@example.com", "Europe/Berlin", "de:2", 30, 40, 5, 11, 5, everyDay, 6 * 60, 21 * 60, "", "late", ""},
		{"au1@example.com", "Australia/Sydney", "au:5", 30, 40, 5, 11, 5, everyDay, 6 * 60, 20 * 60, "", "", ""},
		{"au2@example.com", "Australia/Sydney", "au:4", 30, 40, 5, 11, 5, everyDay, 6 * 60, 20 * 60, "2026-04-01", "", ""},
		{"au3@example.com", "Australia/Sydney", "au:3", 24, 32, 4, 11, 4, weekdaysOnly, 6 * 60, 19 * 60, "", "early", ""},
		{"au4@example.com", "Australia/Sydney", "au:3", 0, 20, 3, 11, 3, everyDay, 7 * 60, 20 * 60, "", "", "sun"},
		{"au5@example.com", "Australia/Sydney", "au:4;de:1", 30, 40, 5, 11, 5, everyDay, 6 * 60, 20 * 60, "", "", ""},
		{"au6@example.com", "Australia/Sydney", "au:2", 30, 40, 5, 11, 5, everyDay, 6 * 60, 21 * 60, "", "late", ""},
	}
	var ab strings.Builder
	ab.WriteString("agent,timezone,skills,min_week_hours,max_week_hours,max_shifts_week,min_rest_hours,max_consecutive_days,availability,time_off,prefer,days_off\n")
	byID := map[string]rosterAgent{}
	for _, a := range agents {
		ab.WriteString(a.csvRow(zones[a.zone]))
		byID[a.id] = a
	}
	agentsCSV := filepath.Join(dir, "agents.csv")
	require.NoError(t, os.WriteFile(agentsCSV, []byte(ab.String()), 0o644))

	out, rep := filepath.Join(dir, "schedule.csv"), filepath.Join(dir, "report.json")
	code, _, errOut := runCLI(t, nil, "", "schedule", "--requirements", req, "--shifts", tmpl, "--start", "2026-03-23", "--weeks", "2",
		"--agents", agentsCSV, "--out", out, "--report", rep, "--time-limit", "20s", "--pro-rata")
	// The plan is on UTC and pro rata, so every Berlin and Sydney week here
	// is cut by the period: the validator holds each to its minimum pro
	// rata, and the roster must keep them all.
	var got struct {
		Breaches    []plancheck.Breach `json:"breaches"`
		OverStretch []struct {
			Reason string `json:"reason"`
		} `json:"over_stretch"`
		Kindness *struct {
			Kind, Cheapest, Cost map[string]float64
		} `json:"kindness"`
		Total struct {
			UnderHours float64 `json:"under_agent_hours"`
		} `json:"total"`
		Shortfalls []roster.ShortfallNote `json:"shortfalls"`
	}
	rb, err := os.ReadFile(rep)
	require.NoError(t, err, errOut)
	require.NoError(t, json.Unmarshal(rb, &got))
	require.Equal(t, 0, code, errOut)
	require.Empty(t, got.Breaches)
	// The cheapest roster's figures stand beside the kind one's, and every
	// shift over the peak-stretch limit says why.
	require.NotNil(t, got.Kindness)
	for _, f := range []string{"paid_agent_hours", "under_agent_hours", "longest_peak_stretch_min", "agents_over_stretch", "peak_share_gini", "weekend_share_gini", "night_share_gini"} {
		require.Contains(t, got.Kindness.Cheapest, f)
		assert.InDelta(t, got.Kindness.Kind[f]-got.Kindness.Cheapest[f], got.Kindness.Cost[f], 1e-9, f)
	}
	for _, n := range got.OverStretch {
		assert.NotEmpty(t, n.Reason)
	}
	assert.Contains(t, errOut, "the cheapest roster:")
	// What stays short is explained queue by queue, and the reasons add up.
	why := roster.SumShortfalls(got.Shortfalls)
	assert.InDelta(t, got.Total.UnderHours, why.UnderHours, 1e-9)
	assert.InDelta(t, why.UnderHours, why.NoAgentHours+why.AllWorkingHours+why.AtMaximumHours+why.RulesHours+why.PricedHours+why.SpareHours, 1e-9)
	assert.Equal(t, got.Total.UnderHours > 0, strings.Contains(errOut, "stay short:"), errOut)
	t.Logf("under-coverage %.2f h: %+v", got.Total.UnderHours, why)
	// `schedule check` finds the same breaches in the written files.
	checkCode, checkOut, checkErr := runCLI(t, nil, "", "schedule", "check", "--schedule", out, "--shifts", tmpl, "--agents", agentsCSV,
		"--start", "2026-03-23", "--weeks", "2", "--timezone", "UTC", "--pro-rata")
	assert.Equal(t, code, checkCode, checkErr)
	assert.Equal(t, len(got.Breaches), strings.Count(checkOut, "\n"), checkOut)
	// Its cover, recounted per queue from the written rows (each shift only
	// on its queue, breaks out), is what the roster's report says.
	recount := filepath.Join(dir, "recount.json")
	checkCode, _, checkErr = runCLI(t, nil, "", "schedule", "check", "--schedule", out, "--shifts", tmpl, "--agents", agentsCSV,
		"--start", "2026-03-23", "--weeks", "2", "--timezone", "UTC", "--requirements", req, "--report", recount, "--pro-rata")
	require.Equal(t, 0, checkCode, checkErr)
	var cover struct {
		Coverage []plancheck.QueueCover `json:"coverage"`
	}
	var claimed struct {
		Queues []plancheck.QueueCover `json:"queues"`
	}
	rc, err := os.ReadFile(recount)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(rc, &cover))
	require.NoError(t, json.Unmarshal(rb, &claimed))
	require.Len(t, cover.Coverage, 3, "au, de and the total")
	require.Len(t, claimed.Queues, 2)
	for i, q := range claimed.Queues {
		assert.Equal(t, q.Queue, cover.Coverage[i].Queue)
		assert.InDelta(t, q.RequiredHours, cover.Coverage[i].RequiredHours, 1e-6, q.Queue)
		assert.InDelta(t, q.UnderHours, cover.Coverage[i].UnderHours, 1e-6, q.Queue)
		assert.InDelta(t, q.OverHours, cover.Coverage[i].OverHours, 1e-6, q.Queue)
	}
	// A minimum level the roster was not given: de3 (level 3) works de.
	checkCode, checkOut, checkErr = runCLI(t, nil, "", "schedule", "check", "--schedule", out, "--shifts", tmpl, "--agents", agentsCSV,
		"--start", "2026-03-23", "--weeks", "2", "--timezone", "UTC", "--min-level", "de=4", "--pro-rata")
	assert.Equal(t, 1, checkCode, checkErr)
	assert.Contains(t, checkOut, "skill: "+out+" line ", "the breach names the file and line")
	assert.Contains(t, checkOut, "of de3@example.com")
	assert.Contains(t, checkOut, "assigned to de at level 3; the queue asks for level 4")
	code, _, checkErr = runCLI(t, nil, "", "schedule", "check", "--schedule", out, "--shifts", tmpl, "--agents", agentsCSV,
		"--start", "2026-03-23", "--timezone", "UTC", "--min-level", "fr=2")
	assert.Equal(t, 2, code, "a queue nobody has is a usage error: %s", checkErr)

	f, err := os.Open(out)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"agent", "template", "start", "end", "paid_minutes", "breaks", "queue"}, rows[0])
	require.Greater(t, len(rows), 40, "ten agents over two weeks")

	type shift struct{ start, end time.Time }
	own := map[string][]shift{}
	weekPaid := map[string]int{}
	weekShifts := map[string]int{}
	offsets := map[string]map[int]bool{}
	for line, row := range rows[1:] {
		where := fmt.Sprintf("schedule.csv line %d", line+2)
		a, ok := byID[row[0]]
		require.True(t, ok, "%s: unknown agent %q", where, row[0])
		loc := zones[a.zone]
		s, err1 := time.Parse(time.RFC3339, row[2])
		e, err2 := time.Parse(time.RFC3339, row[3])
		require.NoError(t, err1, where)
		require.NoError(t, err2, where)
		paid, err := strconv.Atoi(row[4])
		require.NoError(t, err, where)
		ls := s.In(loc)
		_, off := ls.Zone()
		_, written := s.Zone()
		assert.Equal(t, off, written, "%s: times are written on the agent's clock", where)
		if offsets[a.id] == nil {
			offsets[a.id] = map[int]bool{}
		}
		offsets[a.id][off] = true

		// Period, template shape and the local start clock.
		assert.False(t, s.Before(start) || e.After(end), "%s: outside the period", where)
		tp, ok := templates[row[1]]
		require.True(t, ok, "%s: unknown template %q", where, row[1])
		assert.Equal(t, time.Duration(tp.span)*time.Minute, e.Sub(s), "%s: span", where)
		assert.Equal(t, tp.paid, paid, "%s: paid minutes", where)
		m := ls.Hour()*60 + ls.Minute()
		assert.True(t, m >= tp.from && m <= tp.to && (m-tp.from)%tp.step == 0, "%s: local start %s is not a %s start", where, ls.Format("15:04"), row[1])
		var breaks []string
		if row[5] != "" {
			breaks = strings.Split(row[5], ";")
		}
		require.Len(t, breaks, len(tp.breaks), where)
		for k, br := range breaks {
			x, y, _ := strings.Cut(br, "/")
			bs, err1 := time.Parse(time.RFC3339, x)
			be, err2 := time.Parse(time.RFC3339, y)
			require.NoError(t, err1, where)
			require.NoError(t, err2, where)
			offMin := int(bs.Sub(s) / time.Minute)
			rule := tp.breaks[k]
			assert.True(t, offMin >= rule.earliest && offMin <= rule.latest && (offMin-rule.earliest)%rule.step == 0, "%s: break %d at +%d min", where, k, offMin)
			assert.Equal(t, time.Duration(rule.length)*time.Minute, be.Sub(bs), "%s: break %d length", where, k)
		}

		// Skill: the queue is one of the agent's.
		assert.Contains(t, a.skills, row[6]+":", "%s: %s has no skill for %q", where, a.id, row[6])

		// Availability, minute by minute on the agent's wall clock.
		for at := s; at.Before(e); at = at.Add(time.Minute) {
			l := at.In(loc)
			mm := l.Hour()*60 + l.Minute()
			okDay := false
			for _, d := range a.days {
				okDay = okDay || d == l.Weekday()
			}
			if !okDay || mm < a.from || mm >= a.to {
				t.Errorf("%s: %s is not available at %s", where, a.id, l.Format("Mon 2 Jan 15:04 MST"))
				break
			}
		}
		// Approved time off: the whole local date.
		if a.offDate != "" {
			d, _ := time.ParseInLocation(time.DateOnly, a.offDate, loc)
			assert.False(t, s.Before(d.AddDate(0, 0, 1)) && d.Before(e), "%s: %s works in time off on %s", where, a.id, a.offDate)
		}
		monday := time.Date(ls.Year(), ls.Month(), ls.Day()-int((ls.Weekday()+6)%7), 0, 0, 0, 0, loc)
		key := a.id + " " + monday.Format(time.DateOnly)
		weekPaid[key] += paid
		weekShifts[key]++
		own[a.id] = append(own[a.id], shift{s, e})
	}

	// Contracts, per agent and local week.
	for _, a := range agents {
		loc := zones[a.zone]
		for key, mins := range weekPaid {
			if strings.HasPrefix(key, a.id+" ") {
				assert.LessOrEqual(t, float64(mins)/60, a.maxH, "%s: weekly hours", key)
				assert.LessOrEqual(t, weekShifts[key], a.maxShifts, "%s: weekly shifts", key)
			}
		}
		// The second week is the only one wholly inside the period on both clocks.
		monday := time.Date(2026, 3, 30, 0, 0, 0, 0, loc)
		require.False(t, monday.Before(start) || monday.AddDate(0, 0, 7).After(end))
		minH := a.minH
		if a.offDate == "2026-04-01" {
			// A day off is paid as a contract day (docs/adr/0010): the
			// week owes its minimum less min_week_hours / max_shifts_week.
			days := a.maxShifts
			if days == 0 {
				days = 5 // the contract sets none
			}
			minH = a.minH - a.minH/float64(min(days, 7))
		}
		assert.GreaterOrEqual(t, float64(weekPaid[a.id+" 2026-03-30"])/60, minH-1e-9, "%s: minimum hours in the week of 30 March", a.id)

		ss := own[a.id]
		sort.Slice(ss, func(i, j int) bool { return ss[i].start.Before(ss[j].start) })
		dates := map[string]bool{}
		for k, s := range ss {
			d := s.start.In(loc).Format(time.DateOnly)
			assert.False(t, dates[d], "%s: two shifts on %s", a.id, d)
			dates[d] = true
			if k > 0 {
				rest := s.start.Sub(ss[k-1].end)
				assert.GreaterOrEqual(t, rest, time.Duration(a.restH*float64(time.Hour)), "%s: rest before %s", a.id, s.start.In(loc))
			}
		}
		run := 0
		for d := time.Date(2026, 3, 21, 0, 0, 0, 0, loc); d.Before(end.AddDate(0, 0, 1)); d = d.AddDate(0, 0, 1) {
			if dates[d.Format(time.DateOnly)] {
				run++
				assert.LessOrEqual(t, run, a.maxDays, "%s: consecutive days up to %s", a.id, d.Format(time.DateOnly))
			} else {
				run = 0
			}
		}
	}
	// Shifts on both sides of each clock change (each row's local start was
	// checked against its template above).
	seen := map[string]map[int]bool{"Europe/Berlin": {}, "Australia/Sydney": {}}
	for id, offs := range offsets {
		for off := range offs {
			seen[byID[id].zone][off] = true
		}
	}
	assert.Equal(t, map[int]bool{3600: true, 7200: true}, seen["Europe/Berlin"], "Berlin shifts before and after 29 March")
	assert.Equal(t, map[int]bool{39600: true, 36000: true}, seen["Australia/Sydney"], "Sydney shifts before and after 5 April")

	var report struct {
		Total struct {
			Required float64 `json:"required_agent_hours"`
			Under    float64 `json:"under_agent_hours"`
		} `json:"total"`
		Violations []any `json:"violations"`
		Agents     []any `json:"agents"`
	}
	raw, err := os.ReadFile(rep)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &report))
	assert.Empty(t, report.Violations)
	assert.Len(t, report.Agents, len(agents))
	assert.Positive(t, report.Total.Required)
	assert.Less(t, report.Total.Under, 0.1*report.Total.Required, "six agents a region have the shifts to cover nearly all of it")
}

func TestScheduleCommandRosterRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	req := filepath.Join(dir, "req.csv")
	require.NoError(t, os.WriteFile(req, []byte("timestamp,queue,timezone,required_staff\n2026-03-23T09:00:00Z,de,UTC,1\n"), 0o644))
	tmpl := filepath.Join(dir, "s.json")
	require.NoError(t, os.WriteFile(tmpl, []byte(`{"interval_min":30,"templates":[{"name":"D","span_min":480,"paid_min":480,
		"start":{"from":"09:00","to":"09:00","step_min":30},"days":["mon"],"max_agents":null,"breaks":[]}]}`), 0o644))
	header := "agent,timezone,skills,min_week_hours,max_week_hours,max_shifts_week,min_rest_hours,max_consecutive_days,availability,time_off,prefer,days_off\n"
	cases := []struct {
		name, agents, want string
	}{
		{"bad cell", header + "a,UTC,de,,,,,,,,,\nb,Nowhere/City,de,,,,,,,,,\n", "line 3, timezone"},
		{"unknown queue", header + "a,UTC,fr:3,,,,,,,,,\n", `"fr" names no queue`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			agents := filepath.Join(dir, "agents.csv")
			require.NoError(t, os.WriteFile(agents, []byte(c.agents), 0o644))
			code, _, errOut := runCLI(t, nil, "", "schedule", "--requirements", req, "--shifts", tmpl, "--start", "2026-03-23",
				"--agents", agents, "--out", filepath.Join(dir, "out.csv"))
			assert.Equal(t, 1, code)
			assert.Contains(t, errOut, c.want)
		})
	}
	agentsOK := filepath.Join(dir, "agents-ok.csv")
	require.NoError(t, os.WriteFile(agentsOK, []byte(header+"a,UTC,de,,,,,,,,,\n"), 0o644))
	for _, pct := range []string{"-1", "5.5", "NaN"} {
		code, _, errOut := runCLI(t, nil, "", "schedule", "--requirements", req, "--shifts", tmpl, "--start", "2026-03-23",
			"--agents", agentsOK, "--out", filepath.Join(dir, "out.csv"), "--shortfall-allowance", pct)
		assert.Equal(t, 2, code, pct)
		assert.Contains(t, errOut, "--shortfall-allowance must be a percent from 0 to 5", pct)
	}
	noQueue := filepath.Join(dir, "noqueue.csv")
	require.NoError(t, os.WriteFile(noQueue, []byte("timestamp,timezone,required_staff\n2026-03-23T09:00:00Z,UTC,1\n"), 0o644))
	agents := filepath.Join(dir, "agents.csv")
	require.NoError(t, os.WriteFile(agents, []byte(header+"a,UTC,de,,,,,,,,,\n"), 0o644))
	code, _, errOut := runCLI(t, nil, "", "schedule", "--requirements", noQueue, "--shifts", tmpl, "--start", "2026-03-23",
		"--agents", agents, "--out", filepath.Join(dir, "out.csv"))
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "queue (or channel)")
}

// The requirements file's timezone column is each queue's own clock when
// rostering: the problem carries it, so each queue's peaks are judged on it.
func TestRosterRequirementsCarryEachQueuesClock(t *testing.T) {
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "s.json")
	require.NoError(t, os.WriteFile(tmpl, []byte(`{"interval_min":30,"templates":[{"name":"D","span_min":480,"paid_min":480,
		"start":{"from":"09:00","to":"09:00","step_min":30},"days":["mon"],"max_agents":null,"breaks":[]}]}`), 0o644))
	agents := filepath.Join(dir, "agents.csv")
	require.NoError(t, os.WriteFile(agents, []byte("agent,timezone,skills,min_week_hours,max_week_hours,max_shifts_week,min_rest_hours,max_consecutive_days,availability,time_off,prefer,days_off\n"+
		"a,Europe/Berlin,de,,,,,,,,,\nb,Asia/Seoul,kr,,,,,,,,,\nc,UTC,en,,,,,,,,,\n"), 0o644))
	write := func(body string) string {
		p := filepath.Join(dir, fmt.Sprintf("req%d.csv", len(body)))
		require.NoError(t, os.WriteFile(p, []byte("timestamp,queue,timezone,required_staff\n"+body), 0o644))
		return p
	}
	args := func(req, zone string) rosterArgs {
		return rosterArgs{reqPath: req, shiftsPath: tmpl, agentsPath: agents, startDate: "2026-03-23", zoneName: zone, out: "x", weeks: 1}
	}
	good := write("2026-03-23T09:00:00Z,de,Europe/Berlin,1\n2026-03-23T09:30:00Z,de,Europe/Berlin,2\n" +
		"2026-03-23T09:00:00Z,kr,Asia/Seoul,1\n2026-03-23T09:00:00Z,en,UTC,1\n")

	p, err := rosterProblem(args(good, "America/New_York"))
	require.NoError(t, err)
	require.Equal(t, []string{"de", "en", "kr"}, p.Queues)
	var names []string
	for _, l := range p.QueueLocations {
		names = append(names, l.String())
	}
	assert.Equal(t, []string{"Europe/Berlin", "UTC", "Asia/Seoul"}, names)
	assert.Equal(t, "America/New_York", p.Location.String(), "the plan's clock is the flag's")

	_, err = rosterProblem(args(good, ""))
	require.Error(t, err, "queues on three clocks and no plan clock named")
	assert.Contains(t, err.Error(), "--timezone")

	for _, c := range []struct{ body, want string }{
		{"2026-03-23T09:00:00Z,de,Europe/Berlin,1\n2026-03-23T10:00:00Z,de,Asia/Seoul,1\n", "line 3"},
		{"2026-03-23T09:00:00Z,de,Mars/Olympus,1\n", "Mars/Olympus"},
	} {
		_, err := rosterProblem(args(write(c.body), "UTC"))
		require.Error(t, err, c.body)
		assert.Contains(t, err.Error(), c.want)
	}
}
