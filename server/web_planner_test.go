package server_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// upload posts a file as the multipart "file" field with the CSRF token.
func upload(t *testing.T, c *http.Client, u, csrf, name, content string) (int, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if csrf != "" {
		require.NoError(t, mw.WriteField("csrf_token", csrf))
	}
	if name != "" {
		fw, err := mw.CreateFormFile("file", name)
		require.NoError(t, err)
		_, err = io.WriteString(fw, content)
		require.NoError(t, err)
	}
	require.NoError(t, mw.Close())
	req, err := http.NewRequest("POST", u, &body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "text/html")
	res, err := c.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(b)
}

// historyCSV is n half-hour rows for the world's queue (voice, Lisbon) from t0.
func historyCSV(t0 time.Time, n int, contacts func(i int) string) string {
	var b strings.Builder
	b.WriteString("timestamp,channel,timezone,contacts\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "%s,voice,Europe/Lisbon,%s\n", t0.Add(time.Duration(i)*30*time.Minute).Format(time.RFC3339), contacts(i))
	}
	return b.String()
}

func TestWebHistoryUploadListsBadLinesAndWritesNothing(t *testing.T) {
	w := newWorld(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	c, csrf := signIn(t, w, "planner@example.com")
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	url := w.srv.URL + "/planner/history"

	status, body := upload(t, c, url, csrf, "", "")
	assert.Equal(t, 400, status)
	assert.Contains(t, body, `id="file-error">Choose a CSV file to upload.`, "the error stands next to the field")

	bad := historyCSV(t0, 6, func(i int) string {
		switch i {
		case 1: // line 3
			return "-4"
		case 3: // line 5
			return "lots"
		}
		return "7"
	})
	status, body = upload(t, c, url, csrf, "march.csv", bad)
	assert.Equal(t, 422, status)
	assert.Contains(t, body, "march.csv: 2 problem(s); nothing was imported")
	assert.Regexp(t, `<tr><td>3</td><td>contacts</td><td>[^<]*</td></tr>`, body)
	assert.Regexp(t, `<tr><td>5</td><td>contacts</td><td>[^<]*lots[^<]*</td></tr>`, body)
	assert.Less(t, strings.Index(body, "<td>3</td>"), strings.Index(body, "<td>5</td>"), "problems are listed by line")

	unknown := "timestamp,channel,timezone,contacts\n" + t0.Format(time.RFC3339) + ",fax,Europe/Lisbon,3\n"
	status, body = upload(t, c, url, csrf, "fax.csv", unknown)
	assert.Equal(t, 422, status)
	assert.Contains(t, body, `<tr><td>2</td><td>—</td><td>no queue serves channel &#34;fax&#34; in Europe/Lisbon; create it first</td></tr>`)
	pts, err := st(w).FindHistory(ctx, w.queue.ID, time.Time{}, time.Time{})
	require.NoError(t, err)
	assert.Empty(t, pts, "a file with any bad line writes nothing")

	status, _ = upload(t, c, url, "", "ok.csv", historyCSV(t0, 4, func(int) string { return "7" }))
	assert.Equal(t, 403, status, "the upload form is CSRF-protected")

	status, body = upload(t, c, url, csrf, "ok.csv", historyCSV(t0, 4, func(int) string { return "7" }))
	assert.Equal(t, 200, status, body)
	assert.Contains(t, body, "Imported 4 intervals for 1 queue(s) from ok.csv")
	assert.Contains(t, body, "Mon 2 Mar 2026 09:00 WET", "the range is shown on the queue's clock, with its zone")
	pts, err = st(w).FindHistory(ctx, w.queue.ID, time.Time{}, time.Time{})
	require.NoError(t, err)
	assert.Len(t, pts, 4)

	agent, agentCSRF := signIn(t, w, "agent@example.com")
	status, _ = upload(t, agent, url, agentCSRF, "ok.csv", historyCSV(t0, 4, func(int) string { return "7" }))
	assert.Equal(t, 403, status, "agents cannot upload history")
}

func st(w *world) *store.Store { return w.st }

func TestWebQueuePageShowsForecastAndAccuracy(t *testing.T) {
	w := newWorld(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	// History: two days at 8 contacts per half hour; the forecasts said 10.
	t0 := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -3)
	var hist []store.HistoryPoint
	for i := 0; i < 96; i++ {
		hist = append(hist, store.HistoryPoint{StartAt: t0.Add(time.Duration(i) * 30 * time.Minute), IntervalMin: 30, Contacts: 8})
	}
	require.NoError(t, w.st.ReplaceHistory(ctx, w.queue.ID, hist))
	mk := func(method string, start time.Time, n int) store.Forecast {
		pts := make([]store.ForecastPoint, n)
		for i := range pts {
			pts[i] = store.ForecastPoint{StartAt: start.Add(time.Duration(i) * 30 * time.Minute), Contacts: 10, Lower: 7, Upper: 12}
		}
		wape := 0.125
		f, err := w.st.CreateForecast(ctx, store.Forecast{QueueID: w.queue.ID, Method: method, IntervalMin: 30, StartAt: start, EndAt: start.Add(time.Duration(n) * 30 * time.Minute),
			HistoryFrom: t0, HistoryTo: start, BacktestWAPE: &wape}, pts)
		require.NoError(t, err)
		return f
	}
	mk("seasonal_naive", t0.Add(24*time.Hour), 48) // older: the second day, all with actuals
	mk("profile", t0.Add(48*time.Hour), 96)

	c, _ := signIn(t, w, "planner@example.com")
	status, _, body := page(t, c, "GET", w.srv.URL+"/planner/queues/"+itoa(w.queue.ID), nil)
	require.Equal(t, 200, status, body)
	assert.Contains(t, body, "<h1>Voice PT</h1>")
	assert.Contains(t, body, "80% answered within 20 s")
	assert.Contains(t, body, "times in Europe/Lisbon", "the page names the zone of its times")
	assert.Contains(t, body, `by <strong><span title="profile">Weekday profile</span></strong>`, "the method in words, its code in the title")
	assert.Contains(t, body, "12.5%", "the backtest WAPE")
	assert.Contains(t, body, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="forecast"`)
	assert.Contains(t, body, "Local time (Europe/Lisbon)")
	assert.Contains(t, body, `data-name="10–90% range"`)
	// The older forecast said 10 where 8 came: realised WAPE 25%, bias +25%, every actual inside 7..12.
	assert.Regexp(t, `<td>seasonal_naive</td><td class="num">12.5%</td><td class="num">25.0%</td><td class="num">25.0%</td><td class="num">100.0%</td><td class="num">48</td>`, body)

	agent, _ := signIn(t, w, "agent@example.com")
	status, _, _ = page(t, agent, "GET", w.srv.URL+"/planner/queues/"+itoa(w.queue.ID), nil)
	assert.Equal(t, 403, status)
	status, _, _ = page(t, c, "GET", w.srv.URL+"/planner/queues/999999", nil)
	assert.Equal(t, 404, status)
}

func TestWebCoverageShowsRequiredScheduledAndProjection(t *testing.T) {
	w := newWorld(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	t0 := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC) // 09:00 in Lisbon
	var pts []store.ForecastPoint
	for i := 0; i < 8; i++ {
		pts = append(pts, store.ForecastPoint{StartAt: t0.Add(time.Duration(i) * 30 * time.Minute), Contacts: 60})
	}
	_, err := w.st.CreateForecast(ctx, store.Forecast{QueueID: w.queue.ID, Method: "test", IntervalMin: 30, StartAt: t0, EndAt: t0.Add(4 * time.Hour), HistoryFrom: t0, HistoryTo: t0}, pts)
	require.NoError(t, err)
	var shifts []any
	for i := 0; i < 14; i++ {
		sh := map[string]any{"queue_id": w.queue.ID, "template": "t", "start": t0, "end": t0.Add(4 * time.Hour), "paid_minutes": 240}
		if i < 2 {
			sh["breaks"] = []any{map[string]any{"name": "b", "start": t0.Add(time.Hour), "end": t0.Add(75 * time.Minute)}}
		}
		shifts = append(shifts, sh)
	}
	res := w.as("planner", "POST", "/api/v1/schedules", map[string]any{"name": "cov", "timezone": "UTC", "period_start": t0, "period_end": t0.Add(4 * time.Hour), "shifts": shifts})
	require.Equal(t, 201, res.Status, "%s", res.Body)
	id := int64(res.json(t)["id"].(float64))
	// The API's numbers, which the page must show the same.
	res = w.as("planner", "GET", fmt.Sprintf("/api/v1/schedules/%d/coverage?queue_id=%d", id, w.queue.ID), nil)
	require.Equal(t, 200, res.Status, "%s", res.Body)
	var cov struct {
		RequiredStaffHours float64 `json:"required_staff_hours"`
		Intervals          []struct {
			Contacts float64  `json:"contacts"`
			SL       *float64 `json:"projected_service_level"`
		}
	}
	require.NoError(t, jsonUnmarshalBytes(res.Body, &cov))
	sl, n := 0.0, 0.0
	for _, iv := range cov.Intervals {
		sl += *iv.SL * iv.Contacts
		n += iv.Contacts
	}

	c, _ := signIn(t, w, "planner@example.com")
	base := fmt.Sprintf("%s/planner/coverage?queue_id=%d&schedule_id=%d", w.srv.URL, w.queue.ID, id)
	status, _, body := page(t, c, "GET", base+"&from=2026-05-04&days=1", nil)
	require.Equal(t, 200, status, body)
	assert.Contains(t, body, `id="coverage-range"`)
	assert.Contains(t, body, `data-name="Scheduled"`)
	assert.Contains(t, body, "Local time (Europe/Lisbon)")
	// 14 agents for 8 half hours, less one agent-interval of breaks: 55.5 staff-hours.
	row := fmt.Sprintf(`<td class="num">%.1f</td><td class="num">55.5</td>`, cov.RequiredStaffHours)
	assert.Contains(t, body, row)
	assert.Contains(t, body, fmt.Sprintf(`<td class="num">%.1f%%</td>`, sl/n*100), "the day's projected service level, weighted by contacts")
	assert.Contains(t, body, "<td>09:00</td>", "intervals are listed on the queue's clock")
	assert.Contains(t, body, "<td class=\"num\">13.00</td>", "the interval with two breaks has 13 on the phones")

	status, _, body = page(t, c, "GET", base+"&from=someday&days=40", nil)
	assert.Equal(t, 400, status)
	assert.Contains(t, body, `id="from-error">&#34;someday&#34; is not a date like 2026-01-05.`)
	assert.Contains(t, body, `id="days-error">Enter a number of days from 1 to 14.`)

	status, _, body = page(t, c, "GET", base+"&from=2026-06-01&days=3", nil)
	assert.Equal(t, 200, status)
	assert.Contains(t, body, "has no forecast intervals inside both cov")
}

// forecastWorld gives the world's queue a two-week forecast from the coming
// Monday (Lisbon), busy on weekdays 09:00-17:00.
func forecastWorld(t *testing.T, w *world) time.Time {
	t.Helper()
	lisbon, err := time.LoadLocation("Europe/Lisbon")
	require.NoError(t, err)
	now := time.Now().In(lisbon)
	monday := time.Date(now.Year(), now.Month(), now.Day()+7-int((now.Weekday()+6)%7), 0, 0, 0, 0, lisbon)
	var pts []store.ForecastPoint
	for at := monday; at.Before(monday.AddDate(0, 0, 14)); at = at.Add(30 * time.Minute) {
		v := 0.0
		if l := at.In(lisbon); l.Hour() >= 9 && l.Hour() < 17 && l.Weekday() != time.Saturday && l.Weekday() != time.Sunday {
			v = 40
		}
		pts = append(pts, store.ForecastPoint{StartAt: at.UTC(), Contacts: v, Lower: v * 0.8, Upper: v * 1.2})
	}
	_, err = w.st.CreateForecast(context.Background(), store.Forecast{QueueID: w.queue.ID, Method: "test", IntervalMin: 30, StartAt: monday.UTC(),
		EndAt: monday.AddDate(0, 0, 14).UTC(), HistoryFrom: monday.AddDate(0, 0, -7).UTC(), HistoryTo: monday.UTC()}, pts)
	require.NoError(t, err)
	return monday
}

func TestWebGenerateEditComparePublish(t *testing.T) {
	w := newWorld(t, storetest.OpenSQLite(t))
	monday := forecastWorld(t, w)
	c, csrf := signIn(t, w, "planner@example.com")
	status, _, body := page(t, c, "GET", w.srv.URL+"/planner/schedules", nil)
	require.Equal(t, 200, status, body)
	m := regexp.MustCompile(`(?s)<textarea id="gen-templates"[^>]*>(.*?)</textarea>`).FindStringSubmatch(body)
	require.NotNil(t, m, "the form offers default templates")
	templates := html.UnescapeString(m[1])
	form := func(start, weeks, tmpl string) url.Values {
		return url.Values{"csrf_token": {csrf}, "mode": {"headcount"}, "queue_id": {itoa(w.queue.ID)}, "start": {start}, "weeks": {weeks}, "time_limit": {"5"},
			"stress_budget": {"0.02"}, "templates": {tmpl}}
	}

	// Bad input: every problem is named next to its field, nothing starts.
	status, _, body = page(t, c, "POST", w.srv.URL+"/planner/schedules/generate", form("next week", "9", `{"interval_min": 30`))
	assert.Equal(t, 400, status)
	assert.Contains(t, body, `id="start-error">Must be a date like 2026-01-05 (a local date on the queue&#39;s clock), got &#34;next week&#34;.`)
	assert.Contains(t, body, `id="weeks-error">Must be 1 to 6.`)
	assert.Contains(t, body, `id="templates-error">The shift templates are not valid JSON`)
	status, _, body = page(t, c, "POST", w.srv.URL+"/planner/schedules/generate", form(monday.AddDate(0, 0, 14).Format(time.DateOnly), "1", templates))
	assert.Equal(t, 422, status)
	assert.Contains(t, body, "the latest forecast of Voice PT ends", "a period past the forecast is refused")

	// Generate: the browser lands on the run's progress page, which ends at the draft.
	status, path, body := page(t, c, "POST", w.srv.URL+"/planner/schedules/generate", form(monday.Format(time.DateOnly), "1", templates))
	require.Equal(t, 200, status, body)
	require.Regexp(t, `^/planner/runs/\d+$`, path)
	assert.Contains(t, body, `<progress id="run-progress" max="`)
	var st struct {
		Status string
		Total  int
		Done   int
		Next   string
	}
	require.Eventually(t, func() bool {
		res := do(t, c, "GET", w.srv.URL+path+"?format=json", nil, nil)
		require.NoError(t, jsonUnmarshalBytes(res.Body, &st))
		return st.Status != "running"
	}, 30*time.Second, 50*time.Millisecond)
	require.Equal(t, "succeeded", st.Status)
	assert.Equal(t, 3, st.Done)
	require.Regexp(t, `^/planner/schedules/\d+$`, st.Next)

	// The grid: a day of shifts on the queue's clock, breaks, peaks, both reports.
	status, _, body = page(t, c, "GET", w.srv.URL+st.Next+"?view=day&from="+monday.Format(time.DateOnly), nil)
	require.Equal(t, 200, status, body)
	assert.Contains(t, body, "times in Europe/Lisbon")
	assert.Contains(t, body, `class="peak" style="left:`)
	assert.Regexp(t, `<a class="shift brk\d+" style="left:[0-9.]+%;width:[0-9.]+%"`, body, "shifts with breaks take a break class")
	assert.Regexp(t, `<style>\.brk0\{--brk:linear-gradient\(90deg,var\(--c\) [0-9.]+%,#0000 0 [0-9.]+%`, body, "breaks are gaps in their shift")
	assert.Regexp(t, ` title="\d\d:\d\d–\d\d:\d\d Voice PT \(FT8\), break \d\d:\d\d–\d\d:\d\d, lunch `, body, "a shift's title says its times, queue and breaks")
	assert.Regexp(t, `><span class="shift-time">\d\d:\d\d–\d\d:\d\d</span> <span class="shift-queue">Voice PT</span></a>`, body, "its block says its times and queue")
	assert.Contains(t, body, "<h2 id=\"stress-h\">Stress report</h2>")
	assert.Contains(t, body, "<h2 id=\"cost-h\">Cost report</h2>")
	assert.Contains(t, body, "<dt>Short</dt><dd>0.0 h</dd>", "the generator covers every required hour")
	edit := regexp.MustCompile(`<a class="shift[^"]*" style="[^"]*" href="([^"]+)"`).FindStringSubmatch(body)
	require.NotNil(t, edit, "draft shifts link to their edit page")
	editURL := html.UnescapeString(edit[1])

	// Edit: a bad time is refused next to its field; deleting one shift works.
	status, _, body = page(t, c, "GET", w.srv.URL+editURL, nil)
	require.Equal(t, 200, status, body)
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(body)[1]
	action := w.srv.URL + html.UnescapeString(regexp.MustCompile(`<form method="post" action="([^"]+/shifts/[^"]+)"`).FindStringSubmatch(body)[1])
	status, _, body = page(t, c, "POST", action, url.Values{"csrf_token": {csrf}, "version": {version}, "action": {"move"}, "start": {"tomorrow"}, "end": {"2030-01-01T10:00"}})
	assert.Equal(t, 400, status)
	assert.Contains(t, body, `id="start-error">&#34;tomorrow&#34; is not a date and time`)
	status, _, body = page(t, c, "POST", action, url.Values{"csrf_token": {csrf}, "version": {version}, "action": {"delete"}})
	require.Equal(t, 200, status, body)
	assert.Contains(t, body, "Shift deleted.")
	status, _, body = page(t, c, "POST", action, url.Values{"csrf_token": {csrf}, "version": {version}, "action": {"delete"}})
	assert.Equal(t, 404, status, "the shift is gone: %s", body)

	// Compare the generated draft with itself after the edit: one shift fewer.
	id := strings.TrimPrefix(st.Next, "/planner/schedules/")
	status, _, body = page(t, c, "GET", w.srv.URL+"/planner/compare?left="+id+"&right="+id, nil)
	require.Equal(t, 200, status, body)
	assert.Contains(t, body, "Who works differently (0 change(s))")
	status, _, body = page(t, c, "GET", w.srv.URL+"/planner/compare?left=x", nil)
	assert.Equal(t, 400, status)
	assert.Contains(t, body, `id="left-error">Choose a plan.`)

	// Publish with the shown version; a second try with the stale version is a conflict.
	_, _, body = page(t, c, "GET", w.srv.URL+st.Next, nil)
	version = regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(body)[1]
	status, _, body = page(t, c, "POST", w.srv.URL+st.Next+"/publish", url.Values{"csrf_token": {csrf}, "version": {version}})
	require.Equal(t, 200, status, body)
	assert.Contains(t, body, "Published revision 1")
	assert.NotContains(t, body, `id="publish"`, "a published plan has no publish button")
	status, _, _ = page(t, c, "POST", w.srv.URL+st.Next+"/publish", url.Values{"csrf_token": {csrf}, "version": {version}})
	assert.Equal(t, 409, status)

	// The jobs page lists the generation run; planners cannot trigger jobs, admins can.
	status, _, body = page(t, c, "GET", w.srv.URL+"/planner/jobs", nil)
	require.Equal(t, 200, status, body)
	assert.Contains(t, body, "<td>generate-schedule</td>")
	assert.Contains(t, body, "Only administrators can start a job by hand.")
	status, _, _ = page(t, c, "POST", w.srv.URL+"/planner/jobs/housekeeping/runs", url.Values{"csrf_token": {csrf}})
	assert.Equal(t, 403, status)
	admin, adminCSRF := signIn(t, w, "admin@example.com")
	status, path, body = page(t, admin, "POST", w.srv.URL+"/planner/jobs/housekeeping/runs", url.Values{"csrf_token": {adminCSRF}})
	require.Equal(t, 200, status, body)
	assert.Regexp(t, `^/planner/runs/\d+$`, path)
}

// TestRevisionWarningsAgreeEverywhere: a revision's own page, the compare
// page and publishing count the same rule warnings, also after time off
// approved since the draft was saved makes it break one more rule.
func TestRevisionWarningsAgreeEverywhere(t *testing.T) {
	w := newWorld(t, storetest.OpenSQLite(t))
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	draft := map[string]any{"name": "Tight", "timezone": "UTC", "period_start": day, "period_end": day.AddDate(0, 0, 7), "shifts": []any{
		map[string]any{"agent_id": w.agentA1.ID, "template": "late", "start": day.Add(14 * time.Hour), "end": day.Add(22 * time.Hour), "paid_minutes": 480},
		map[string]any{"agent_id": w.agentA1.ID, "template": "early", "start": day.Add(30 * time.Hour), "end": day.Add(38 * time.Hour), "paid_minutes": 480},
	}}
	res := w.as(org.RolePlanner, "POST", "/api/v1/schedules", draft)
	require.Equal(t, 201, res.Status, "%s", res.Body)
	id := itoa(int64(res.json(t)["id"].(float64)))
	c, _ := signIn(t, w, "planner@example.com")
	rows := regexp.MustCompile(`(?s)<h2 id="warn-h">Rule warnings</h2>.*?</section>`)
	counts := func() (own, compared int, ownBody string) {
		t.Helper()
		status, _, body := page(t, c, "GET", w.srv.URL+"/planner/schedules/"+id, nil)
		require.Equal(t, 200, status, body)
		own = strings.Count(rows.FindString(body), "<tr><td>")
		status, _, body2 := page(t, c, "GET", w.srv.URL+"/planner/compare?left="+id+"&right="+id, nil)
		require.Equal(t, 200, status, body2)
		m := regexp.MustCompile(`<th scope="row">Rule warnings</th><td>(\d+)</td><td>(\d+)</td>`).FindStringSubmatch(body2)
		require.NotNil(t, m, body2)
		compared, _ = strconv.Atoi(m[1])
		return own, compared, body
	}
	own, compared, _ := counts()
	require.Positive(t, own, "the 8-hour rest is a warning")
	assert.Equal(t, own, compared)

	// Time off approved after the draft was saved, over its first shift.
	off, err := w.st.CreateTimeOff(t.Context(), calendar.TimeOff{AgentID: w.agentA1.ID, Start: day.Add(12 * time.Hour), End: day.Add(23 * time.Hour),
		CreatedByID: w.users[org.RolePlanner].ID})
	require.NoError(t, err)
	off.Status = calendar.TimeOffApproved
	_, err = w.st.SaveTimeOffState(t.Context(), off)
	require.NoError(t, err)
	own2, compared2, body := counts()
	assert.Equal(t, own+1, own2, "the page lists the time-off break too")
	assert.Equal(t, own2, compared2, "compare counts what the revision's page lists")
	assert.Contains(t, body, fmt.Sprintf("Publish despite %d rule warning(s)", own2))
	res = w.as(org.RolePlanner, "POST", "/api/v1/schedules/"+id+"/publish", nil, map[string]string{"If-Match": `"1"`})
	require.Equal(t, 422, res.Status, "%s", res.Body)
	assert.Contains(t, string(res.Body), "time_off", "publishing asks to accept the same warnings")
}
