package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
	assert.Contains(t, body, "by <strong>profile</strong>")
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
