package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling"
	"github.com/peakwise/peakwise/scheduling/roster"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// runState is what the progress bar polls.
type runState struct {
	Status string
	Total  int
	Done   int
	Errors string
	Next   string
}

// waitRun polls a run's progress page until the run ends.
func waitRun(t *testing.T, w *world, c *http.Client, path string) runState {
	t.Helper()
	var st runState
	require.Eventually(t, func() bool {
		res := do(t, c, "GET", w.srv.URL+path+"?format=json", nil, nil)
		require.NoError(t, jsonUnmarshalBytes(res.Body, &st))
		return st.Status != "running"
	}, 90*time.Second, 100*time.Millisecond)
	return st
}

// writes counts what a refused form must not have written: plans and job runs.
func writes(t *testing.T, st *store.Store) [2]int {
	t.Helper()
	ctx := context.Background()
	_, plans, err := st.FindSchedules(ctx, store.ScheduleFilter{Page: store.Page{Limit: 1}})
	require.NoError(t, err)
	_, runs, err := st.FindJobRuns(ctx, store.JobRunFilter{Page: store.Page{Limit: 1}})
	require.NoError(t, err)
	return [2]int{plans, runs}
}

// TestWebRosterFormStartsAJobThatNamesAgents drives the generate form in its
// default mode, named agents: bad input is named next to each control and
// writes nothing; good input (a stored template set) starts the roster job,
// whose progress page ends on a draft whose shifts carry agents.
func TestWebRosterFormStartsAJobThatNamesAgents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		ctx := context.Background()
		monday := forecastWorld(t, w)
		for i := 0; i < 12; i++ {
			_, err := st.CreateAgent(ctx, org.Agent{Name: fmt.Sprint("voice ", i), Email: fmt.Sprintf("v%d@agents.example.com", i), Timezone: "Europe/Lisbon",
				TeamID: &w.teamA.ID, Contract: org.DefaultContract, Skills: []org.Skill{{Kind: "channel", Value: "voice", Proficiency: 4}}})
			require.NoError(t, err)
		}
		raw, err := json.Marshal(rosterTemplates())
		require.NoError(t, err)
		ts, err := scheduling.ReadTemplates(strings.NewReader(string(raw)))
		require.NoError(t, err)
		set, err := st.CreateTemplateSet(ctx, store.TemplateSet{Name: "Weekdays", Templates: ts})
		require.NoError(t, err)

		c, csrf := signIn(t, w, "planner@example.com")
		status, _, body := page(t, c, "GET", w.srv.URL+"/planner/schedules", nil)
		require.Equal(t, 200, status, body)
		assert.Regexp(t, `id="gen-mode-roster" name="mode" value="roster" checked`, body, "named agents is the default")
		assert.Regexp(t, `<label class="choice"><input type="checkbox" id="gen-queue-`+itoa(w.queue.ID)+`" name="queue_id" value="`+itoa(w.queue.ID)+`" checked> Voice PT`, body)
		assert.Contains(t, body, `<option value="`+itoa(set.ID)+`">Weekdays</option>`, "stored template sets are offered")
		for _, id := range []string{"gen-start", "gen-weeks", "gen-zone", "gen-limit", "gen-stress", "gen-shortfall", "gen-name", "gen-set", "gen-templates"} {
			assert.Contains(t, body, `<label for="`+id+`">`, "every control has a label")
		}
		assert.Contains(t, body, `<input type="checkbox" id="gen-pro-rata" name="pro_rata" value="1" aria-describedby="pro_rata-help"> Pro rata (plan the dates given on the plan's clock; cut weeks owe their share)</label>`,
			"pro rata is offered, off by default")
		assert.Contains(t, body, `name="shortfall_allowance_pct" type="number" min="0" max="5" step="0.1" value="0.4"`, "the shortfall allowance shows its default")

		form := func(kv ...string) url.Values {
			v := url.Values{"csrf_token": {csrf}, "mode": {"roster"}, "queue_id": {itoa(w.queue.ID)}, "start": {monday.Format(time.DateOnly)}, "weeks": {"1"},
				"timezone": {""}, "time_limit": {"5"}, "template_set_id": {itoa(set.ID)}, "templates": {""}, "name": {""}}
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i+1] == "-" {
					v.Del(kv[i])
				} else {
					v.Set(kv[i], kv[i+1])
				}
			}
			return v
		}
		// A second queue, not yet forecast.
		_, err = st.CreateQueue(ctx, org.Queue{Name: "Voice BR", ChannelID: w.channel.ID, Timezone: "America/Sao_Paulo", ServiceLevelPct: 80,
			AnswerWithinSec: 20, DefaultAHTSec: 300, ChatConcurrency: 1, IntervalMin: 30})
		require.NoError(t, err)
		before := writes(t, st)
		for _, tc := range []struct {
			name   string
			form   url.Values
			status int
			fields map[string]string
		}{
			{"bad fields", form("queue_id", "-", "start", "soon", "weeks", "two", "timezone", "Mars/Olympus", "time_limit", "900", "shortfall_allowance_pct", "some"), 400, map[string]string{
				"queue_id": "Tick at least one queue, or All queues.", "start": "Must be a date, YYYY-MM-DD.", "weeks": "Enter a whole number of weeks.",
				"timezone": "Must be an IANA time zone such as Europe/Berlin.", "time_limit": "Must be 1 to 600.",
				"shortfall_allowance_pct": "Enter a percent such as 0.4, or 0 for none."}},
			{"a shortfall allowance above 5%", form("shortfall_allowance_pct", "6"), 400, map[string]string{
				"shortfall_allowance_pct": "Must be a percent from 0 to 5."}},
			{"unknown queue and set", form("queue_id", "999999", "template_set_id", "999999"), 400, map[string]string{
				"queue_id": "There is no queue &#34;999999&#34;.", "template_set_id": "There is no shift template set 999999."}},
			{"inline templates that break the rules", form("template_set_id", "", "templates", `{"interval_min": 45, "templates": []}`), 400, map[string]string{
				"templates": "interval_min must be 15, 30 or 60."}},
			{"past the forecast", form("start", monday.AddDate(0, 0, 14).Format(time.DateOnly)), 422, map[string]string{
				"queue_id": "The latest forecast of Voice PT ends"}},
			{"before the forecast", form("start", monday.AddDate(0, 0, -1).Format(time.DateOnly)), 422, map[string]string{
				"queue_id": "The latest forecast of Voice PT starts"}},
			{"a past period", form("start", "2020-01-06"), 400, map[string]string{
				"start": "2020-01-06 is in the past; a roster is for the days to come."}},
			{"headcount for two queues", form("mode", "headcount", "queue_id", "all"), 400, map[string]string{
				"queue_id": "Headcount covers one queue at a time"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				status, _, body := page(t, c, "POST", w.srv.URL+"/planner/schedules/generate", tc.form)
				assert.Equal(t, tc.status, status, body)
				assert.Contains(t, body, `role="alert">The draft was not started`)
				for field, msg := range tc.fields {
					assert.Contains(t, body, `id="`+field+`-error">`+msg, field)
				}
			})
		}
		status, _, body = page(t, c, "POST", w.srv.URL+"/planner/schedules/generate", form("weeks", "9", "pro_rata", "1"))
		assert.Equal(t, 400, status, body)
		assert.Contains(t, body, `name="pro_rata" value="1" checked`, "a refused form keeps the box ticked")
		status, _, body = page(t, c, "POST", w.srv.URL+"/planner/schedules/generate", form("queue_id", "all"))
		assert.Equal(t, 422, status, body)
		assert.Contains(t, body, `id="queue_id-error">Voice BR has no forecast yet; forecast it first.`, "all queues means every queue")
		status, _, _ = page(t, c, "POST", w.srv.URL+"/planner/schedules/generate", form("csrf_token", "-"))
		assert.Equal(t, 403, status, "the form needs its CSRF token")
		agent, agentCSRF := signIn(t, w, "agent@example.com")
		status, _, _ = page(t, agent, "POST", w.srv.URL+"/planner/schedules/generate", form("csrf_token", agentCSRF))
		assert.Equal(t, 403, status)
		assert.Equal(t, before, writes(t, st), "a refused form writes no plan and starts no job")

		// Good input: the progress page, then a draft of named agents' shifts.
		status, path, body := page(t, c, "POST", w.srv.URL+"/planner/schedules/generate", form())
		require.Equal(t, 200, status, body)
		require.Regexp(t, `^/planner/runs/\d+$`, path)
		assert.Contains(t, body, "<h1>Generating a draft</h1>")
		assert.Contains(t, body, `<progress id="run-progress" max="`)
		run := waitRun(t, w, c, path)
		require.Equal(t, "succeeded", run.Status, run.Errors)
		assert.Positive(t, run.Done, "the roster job reports its rounds")
		require.Regexp(t, `^/planner/schedules/\d+$`, run.Next)
		_, _, body = page(t, c, "GET", w.srv.URL+path, nil)
		assert.Regexp(t, `Open the draft</a> \(\d+ shifts for \d+ agents, [\d.]+ paid hours\)`, body)

		plans, _, err := st.FindSchedules(ctx, store.ScheduleFilter{Page: store.Page{Limit: 1}})
		require.NoError(t, err)
		require.NotEmpty(t, plans)
		draft := plans[0]
		assert.Equal(t, run.Next, "/planner/schedules/"+itoa(draft.ID))
		assert.Equal(t, store.ScheduleDraft, draft.Status)
		assert.Equal(t, "Voice PT from "+monday.Format(time.DateOnly), draft.Name, "the default name")
		assert.Equal(t, "Europe/Lisbon", draft.Timezone, "the plan's zone defaults to the queue's")
		shifts, err := st.FindShifts(ctx, store.ShiftFilter{ScheduleID: draft.ID})
		require.NoError(t, err)
		require.NotEmpty(t, shifts)
		for _, sh := range shifts {
			require.NotZero(t, sh.AgentID, "every shift names its agent")
		}
		status, _, body = page(t, c, "GET", w.srv.URL+run.Next+"?view=week&from="+monday.Format(time.DateOnly), nil)
		require.Equal(t, 200, status, body)
		assert.Regexp(t, regexp.MustCompile(`voice \d+`), body, "the grid shows the agents")

		// The draft shows the solver's figures: the shortfall against its
		// allowance and the kind roster beside the cheapest, as the job's
		// report has them.
		stored, err := st.FindJobRunByID(ctx, mustID(t, path))
		require.NoError(t, err)
		var res service.RosterResult
		require.NoError(t, json.Unmarshal([]byte(stored.Result), &res))
		require.NotNil(t, res.Report.Kindness)
		kind, cheap := res.Report.Kindness.Kind, res.Report.Kindness.Cheapest
		assert.Contains(t, body, `<h2 id="kindness-h">Kindness and its cost</h2>`)
		assert.Contains(t, body, fmt.Sprintf(" of %.1f required agent-hours short (", res.Report.Total.RequiredHours))
		assert.Contains(t, body, fmt.Sprintf("the shortfall allowance of %.1f h (0.4%%)", res.Report.ShortfallAllowanceHours))
		assert.Contains(t, body, fmt.Sprintf(`<tr><th scope="row">Paid hours</th><td>%.1f</td><td>%.1f</td>`, kind.PaidHours, cheap.PaidHours))
		assert.Contains(t, body, fmt.Sprintf(`<tr><th scope="row">Peak work per paid hour, Gini</th><td>%.3f</td><td>%.3f</td>`, kind.PeakShareGini, cheap.PeakShareGini))
		assert.Contains(t, body, "as the solver returned it")
		assert.NotContains(t, body, "edited by hand")
		// What stays short is explained, queue by queue and in all.
		t.Logf("under-coverage %.2f h", res.Report.Total.UnderHours)
		if short := roster.SumShortfalls(res.Report.Shortfalls); res.Report.Total.UnderHours > 0 {
			assert.Contains(t, body, `<h3 id="short-h">Why hours stay short</h3>`)
			assert.Contains(t, body, fmt.Sprintf(`<tr><th scope="row">All queues</th><td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%.2f</td>`,
				res.Report.Total.UnderHours, short.NoAgentHours, short.AllWorkingHours, short.AtMaximumHours))
		} else {
			assert.NotContains(t, body, "Why hours stay short")
		}

		// A hand edit keeps them, said to be the roster's as generated.
		_, _, body = page(t, c, "GET", w.srv.URL+html.UnescapeString(regexp.MustCompile(`<a class="shift[^"]*" style="[^"]*" href="([^"]+)"`).FindStringSubmatch(body)[1]), nil)
		version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(body)[1]
		del := w.srv.URL + html.UnescapeString(regexp.MustCompile(`<form method="post" action="([^"]+/shifts/[^"]+)"`).FindStringSubmatch(body)[1])
		status, _, body = page(t, c, "POST", del, url.Values{"csrf_token": {csrf}, "version": {version}, "action": {"delete"}})
		require.Equal(t, 200, status, body)
		_, _, body = page(t, c, "GET", w.srv.URL+run.Next, nil)
		assert.Contains(t, body, "The draft was edited by hand since it was generated")
		assert.Contains(t, body, fmt.Sprintf(`<tr><th scope="row">Paid hours</th><td>%.1f</td>`, kind.PaidHours))
	})
}

// TestWebForecastNowStartsTheForecastJob forecasts one queue from its page:
// the run's progress page ends on the queue, which shows the new forecast.
func TestWebForecastNowStartsTheForecastJob(t *testing.T) {
	w := newWorld(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	t0 := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -28)
	var hist []store.HistoryPoint
	for i := 0; i < 28*48; i++ {
		at := t0.Add(time.Duration(i) * 30 * time.Minute)
		v := 0.0
		if h := at.Hour(); h >= 8 && h < 18 {
			v = 20
		}
		hist = append(hist, store.HistoryPoint{StartAt: at, IntervalMin: 30, Contacts: v})
	}
	require.NoError(t, w.st.ReplaceHistory(ctx, w.queue.ID, hist))
	c, csrf := signIn(t, w, "planner@example.com")
	queue := w.srv.URL + "/planner/queues/" + itoa(w.queue.ID)
	status, _, body := page(t, c, "GET", queue, nil)
	require.Equal(t, 200, status, body)
	assert.Contains(t, body, "No forecast yet")
	assert.Contains(t, body, `<label for="forecast-horizon">Forecast ahead</label>`)

	status, _, _ = page(t, c, "POST", queue+"/forecast", url.Values{"csrf_token": {csrf}, "horizon": {"forever"}})
	assert.Equal(t, 400, status)
	status, path, body := page(t, c, "POST", queue+"/forecast", url.Values{"csrf_token": {csrf}, "horizon": {"28d"}})
	require.Equal(t, 200, status, body)
	require.Regexp(t, `^/planner/runs/\d+$`, path)
	run := waitRun(t, w, c, path)
	require.Equal(t, "succeeded", run.Status, run.Errors)
	assert.Equal(t, "/planner/queues/"+itoa(w.queue.ID), run.Next)
	f, err := w.st.FindLatestForecast(ctx, w.queue.ID)
	require.NoError(t, err)
	assert.InDelta(t, 28*24, f.EndAt.Sub(f.StartAt).Hours(), 24, "forecast four weeks ahead")
	_, _, body = page(t, c, "GET", queue, nil)
	assert.Contains(t, body, fmt.Sprintf("Latest forecast <strong>#%d</strong>", f.ID))

	agent, agentCSRF := signIn(t, w, "agent@example.com")
	status, _, _ = page(t, agent, "POST", queue+"/forecast", url.Values{"csrf_token": {agentCSRF}})
	assert.Equal(t, 403, status)
}
