package server_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

func TestPublishFlowAgentViewAndCalendarFeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorldAt(t, st, func() time.Time { return time.Date(2026, 3, 27, 12, 0, 0, 0, time.UTC) })
		lisbon, _ := time.LoadLocation("Europe/Lisbon")
		// The week in which Europe moves its clocks forward (Sunday 29 March 2026).
		periodStart := time.Date(2026, 3, 23, 0, 0, 0, 0, lisbon)
		day := func(d int, hh int) time.Time { return time.Date(2026, 3, 23+d, hh, 0, 0, 0, lisbon) }
		shiftJSON := func(agent int64, d, from, to int) map[string]any {
			return map[string]any{"agent_id": agent, "template": "FT8", "start": day(d, from), "end": day(d, to), "paid_minutes": (to-from)*60 - 30,
				"breaks": []map[string]any{{"name": "lunch", "start": day(d, from+4), "end": day(d, from+4).Add(30 * time.Minute)}}}
		}
		draft := map[string]any{"name": "Week 13", "timezone": "Europe/Lisbon", "period_start": periodStart, "period_end": periodStart.AddDate(0, 0, 7),
			"shifts": []any{shiftJSON(w.agentA1.ID, 0, 9, 17), shiftJSON(w.agentA1.ID, 6, 9, 17), shiftJSON(w.agentA2.ID, 0, 9, 17)}}

		res := w.as(org.RoleAgent, "POST", "/api/v1/schedules", draft)
		assert.Equal(t, 403, res.Status, "agents cannot create schedules")
		res = w.as(org.RolePlanner, "POST", "/api/v1/schedules", draft)
		require.Equal(t, 201, res.Status, "%s", res.Body)
		sched := res.json(t)
		id := int64(sched["id"].(float64))

		mine := w.as(org.RoleAgent, "GET", "/api/v1/me/shifts?from=2026-03-20&to=2026-04-05", nil)
		require.Equal(t, 200, mine.Status, "%s", mine.Body)
		assert.Equal(t, "[]", strings.TrimSpace(string(mine.Body)), "agents see only published shifts")

		res = w.as(org.RolePlanner, "POST", fmt.Sprintf("/api/v1/schedules/%d/publish", id), nil)
		assert.Equal(t, 400, res.Status, "publishing needs the version")
		res = w.as(org.RolePlanner, "POST", fmt.Sprintf("/api/v1/schedules/%d/publish", id), nil, map[string]string{"If-Match": `"1"`})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		res = w.as(org.RolePlanner, "POST", fmt.Sprintf("/api/v1/schedules/%d/publish", id), nil, map[string]string{"If-Match": `"2"`})
		assert.Equal(t, 409, res.Status, "a published revision is immutable")

		mine = w.as(org.RoleAgent, "GET", "/api/v1/me/shifts?from=2026-03-20&to=2026-04-05", nil)
		require.Equal(t, 200, mine.Status, "%s", mine.Body)
		var shifts []map[string]any
		require.NoError(t, jsonUnmarshalBytes(mine.Body, &shifts))
		require.Len(t, shifts, 2, "only the agent's own shifts")
		assert.Equal(t, "2026-03-23T09:00:00Z", shifts[0]["start_local"], "Lisbon is UTC+0 before the change")
		assert.Equal(t, "2026-03-29T09:00:00+01:00", shifts[1]["start_local"], "after the DST change the shift still starts at 09:00 local")
		assert.Equal(t, "2026-03-29T08:00:00Z", shifts[1]["start"])

		assert.Equal(t, 404, w.as(org.RoleAgent, "GET", fmt.Sprintf("/api/v1/agents/%d/shifts", w.agentA2.ID), nil).Status, "another agent's shifts are invisible")
		assert.Equal(t, 200, w.as(org.RoleSupervisor, "GET", fmt.Sprintf("/api/v1/agents/%d/shifts", w.agentA2.ID), nil).Status)
		assert.Equal(t, 404, w.as(org.RoleSupervisor, "GET", fmt.Sprintf("/api/v1/agents/%d/shifts", w.agentB1.ID), nil).Status)

		// Calendar feed: created by the agent, parsed by an independent parser.
		assert.Equal(t, 404, w.as(org.RoleAgent, "POST", fmt.Sprintf("/api/v1/agents/%d/calendar-feed", w.agentA2.ID), nil).Status)
		res = w.as(org.RoleAgent, "POST", fmt.Sprintf("/api/v1/agents/%d/calendar-feed", w.agentA1.ID), nil)
		require.Equal(t, 201, res.Status, "%s", res.Body)
		feedURL := res.json(t)["url"].(string)
		feedURL = w.srv.URL + feedURL[strings.Index(feedURL, "/calendar/"):]
		cal := fetchCalendar(t, feedURL)
		events := cal.Events()
		require.Len(t, events, 4, "two shifts and their breaks")
		uids := map[string]string{}
		for _, e := range events {
			start, err := e.GetStartAt()
			require.NoError(t, err)
			uids[start.UTC().Format(time.RFC3339)] = e.Id()
		}
		assert.Contains(t, uids, "2026-03-29T08:00:00Z")

		// Republish with Sunday's shift moved an hour later: same event, new time, one change.
		draft["plan_id"] = id
		draft["shifts"] = []any{shiftJSON(w.agentA1.ID, 0, 9, 17), shiftJSON(w.agentA1.ID, 6, 10, 18), shiftJSON(w.agentA2.ID, 0, 9, 17)}
		res = w.as(org.RolePlanner, "POST", "/api/v1/schedules", draft)
		require.Equal(t, 201, res.Status, "%s", res.Body)
		assert.EqualValues(t, 2, res.json(t)["revision"])
		id2 := int64(res.json(t)["id"].(float64))
		res = w.as(org.RolePlanner, "POST", fmt.Sprintf("/api/v1/schedules/%d/publish", id2), nil, map[string]string{"If-Match": `"1"`})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		changes := res.json(t)["changes"].([]any)
		require.Len(t, changes, 1, "only the moved shift changed: %s", res.Body)
		assert.Equal(t, "changed", changes[0].(map[string]any)["kind"])
		assert.Equal(t, true, changes[0].(map[string]any)["soon"], "Sunday is within 48 hours of Friday noon")
		mine = w.as(org.RoleAgent, "GET", "/api/v1/me/shifts?from=2026-03-20&to=2026-04-05", nil)
		shifts = nil
		require.NoError(t, jsonUnmarshalBytes(mine.Body, &shifts))
		require.Len(t, shifts, 2)
		assert.Equal(t, false, shifts[0]["short_notice"])
		assert.Equal(t, true, shifts[1]["short_notice"], "the agent sees the short-notice change marked")

		cal = fetchCalendar(t, feedURL)
		moved := map[string]string{}
		for _, e := range cal.Events() {
			start, _ := e.GetStartAt()
			moved[start.UTC().Format(time.RFC3339)] = e.Id()
		}
		assert.Equal(t, uids["2026-03-29T08:00:00Z"], moved["2026-03-29T09:00:00Z"], "the moved shift keeps its UID so calendars update it")
		assert.Len(t, cal.Events(), 4, "no duplicates")
		old := w.as(org.RolePlanner, "GET", fmt.Sprintf("/api/v1/schedules/%d", id), nil).json(t)
		assert.Equal(t, "superseded", old["status"])

		// Reset: the old URL stops working.
		res = w.as(org.RoleAgent, "POST", fmt.Sprintf("/api/v1/agents/%d/calendar-feed", w.agentA1.ID), nil)
		require.Equal(t, 201, res.Status)
		gone := do(t, nil, "GET", feedURL, nil, nil)
		assert.Equal(t, 404, gone.Status)
	})
}

func fetchCalendar(t *testing.T, url string) *ics.Calendar {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, 200, res.StatusCode)
	assert.Contains(t, res.Header.Get("Content-Type"), "text/calendar")
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	cal, err := ics.ParseCalendar(strings.NewReader(string(body)))
	require.NoError(t, err, "%s", body)
	return cal
}

func TestScheduleUploadRejectsBadFilesWhole(t *testing.T) {
	w := newWorld(t, storetest.OpenSQLite(t))
	csvBody := "agent,template,start,end,paid_minutes,breaks\n" +
		w.agentA1.Email + ",FT8,2026-01-05T09:00:00Z,2026-01-05T17:30:00Z,480,2026-01-05T13:00:00Z/2026-01-05T13:30:00Z\n" +
		"nobody@example.com,FT8,2026-01-05T09:00:00Z,2026-01-05T17:30:00Z,480,\n" +
		w.agentA2.Email + ",FT8,not-a-time,2026-01-05T17:30:00Z,480,\n" +
		fmt.Sprint(w.agentB1.ID) + ",FT8,2026-01-05T17:00:00Z,2026-01-05T09:00:00Z,480,\n"
	q := "?name=W2&timezone=UTC&period_start=2026-01-05T00:00:00Z&period_end=2026-01-12T00:00:00Z"
	res := w.as(org.RolePlanner, "POST", "/api/v1/schedules"+q, csvBody, map[string]string{"Content-Type": "text/csv"})
	require.Equal(t, 422, res.Status, "%s", res.Body)
	fields := res.json(t)["error"].(map[string]any)["fields"].(map[string]any)
	assert.Contains(t, fields, "line 3.agent")
	assert.Contains(t, fields, "line 4.start")
	_, n, err := w.st.FindSchedules(t.Context(), store.ScheduleFilter{})
	require.NoError(t, err)
	assert.Equal(t, 0, n, "nothing was saved")

	good := "agent,template,start,end,paid_minutes,breaks\n" +
		w.agentA1.Email + ",FT8,2026-01-05T09:00:00Z,2026-01-05T17:30:00Z,480,2026-01-05T13:00:00Z/2026-01-05T13:30:00Z\n" +
		fmt.Sprint(w.agentB1.ID) + ",FT8,2026-01-05T17:00:00Z,2026-01-05T09:00:00Z,480,\n"
	res = w.as(org.RolePlanner, "POST", "/api/v1/schedules"+q, good, map[string]string{"Content-Type": "text/csv"})
	require.Equal(t, 422, res.Status, "a shift ending before it starts is refused: %s", res.Body)
	assert.Contains(t, string(res.Body), "line 3.end")

	good = strings.Split(good, "\n")[0] + "\n" + strings.Split(good, "\n")[1] + "\n,PT4,2026-01-06T09:00:00Z,2026-01-06T13:00:00Z,240,\n"
	res = w.as(org.RolePlanner, "POST", "/api/v1/schedules"+q, good, map[string]string{"Content-Type": "text/csv"})
	require.Equal(t, 201, res.Status, "%s", res.Body)
	id := int64(res.json(t)["id"].(float64))
	shifts := w.as(org.RolePlanner, "GET", fmt.Sprintf("/api/v1/schedules/%d/shifts", id), nil)
	require.Equal(t, 200, shifts.Status)
	assert.Contains(t, string(shifts.Body), `"agent_id":0`, "a headcount shift has no agent")
}

func TestPublishingRuleBreaksNeedsAReason(t *testing.T) {
	w := newWorld(t, storetest.OpenSQLite(t))
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	draft := map[string]any{"name": "Tight", "timezone": "UTC", "period_start": day, "period_end": day.AddDate(0, 0, 7), "shifts": []any{
		map[string]any{"agent_id": w.agentA1.ID, "template": "late", "start": day.Add(14 * time.Hour), "end": day.Add(22 * time.Hour), "paid_minutes": 480},
		map[string]any{"agent_id": w.agentA1.ID, "template": "early", "start": day.Add(30 * time.Hour), "end": day.Add(38 * time.Hour), "paid_minutes": 480},
	}}
	res := w.as(org.RolePlanner, "POST", "/api/v1/schedules", draft)
	require.Equal(t, 201, res.Status, "%s", res.Body)
	id := int64(res.json(t)["id"].(float64))
	assert.Contains(t, res.json(t)["report"], "min_rest", "the draft reports the 8-hour rest")

	path := fmt.Sprintf("/api/v1/schedules/%d/publish", id)
	res = w.as(org.RolePlanner, "POST", path, nil, map[string]string{"If-Match": `"1"`})
	require.Equal(t, 422, res.Status, "%s", res.Body)
	assert.Contains(t, string(res.Body), "min_rest")
	res = w.as(org.RolePlanner, "POST", path, map[string]any{"accept_warnings": true}, map[string]string{"If-Match": `"1"`})
	assert.Equal(t, 422, res.Status, "accepting needs a reason")
	res = w.as(org.RolePlanner, "POST", path, map[string]any{"accept_warnings": true, "reason": "agent asked to swap"}, map[string]string{"If-Match": `"1"`})
	require.Equal(t, 200, res.Status, "%s", res.Body)
	trail, err := w.st.FindAudit(t.Context(), "schedule", id)
	require.NoError(t, err)
	require.Len(t, trail, 1)
	assert.Equal(t, "agent asked to swap", trail[0].Reason)
	assert.Contains(t, trail[0].After, "min_rest")
}

func TestHandEditsOfADraft(t *testing.T) {
	w := newWorld(t, storetest.OpenSQLite(t))
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	draft := map[string]any{"name": "Edit me", "timezone": "UTC", "period_start": day, "period_end": day.AddDate(0, 0, 7), "shifts": []any{
		map[string]any{"agent_id": w.agentA1.ID, "template": "day", "start": day.Add(9 * time.Hour), "end": day.Add(17 * time.Hour), "paid_minutes": 480},
	}}
	res := w.as(org.RolePlanner, "POST", "/api/v1/schedules", draft)
	require.Equal(t, 201, res.Status, "%s", res.Body)
	id := int64(res.json(t)["id"].(float64))
	var shifts []map[string]any
	require.NoError(t, jsonUnmarshalBytes(w.as(org.RolePlanner, "GET", fmt.Sprintf("/api/v1/schedules/%d/shifts", id), nil).Body, &shifts))
	shiftID := int64(shifts[0]["id"].(float64))
	path := fmt.Sprintf("/api/v1/schedules/%d/shifts/%d", id, shiftID)

	moved := map[string]any{"agent_id": w.agentA1.ID, "template": "day", "start": day.Add(10 * time.Hour), "end": day.Add(18 * time.Hour), "paid_minutes": 450,
		"breaks": []any{map[string]any{"name": "lunch", "start": day.Add(13 * time.Hour), "end": day.Add(13*time.Hour + 30*time.Minute)}}}
	res = w.as(org.RolePlanner, "PUT", path, moved)
	assert.Equal(t, 400, res.Status, "an edit names the version it changes")
	res = w.as(org.RolePlanner, "PUT", path, moved, map[string]string{"If-Match": `"1"`})
	require.Equal(t, 200, res.Status, "%s", res.Body)
	res = w.as(org.RolePlanner, "PUT", path, moved, map[string]string{"If-Match": `"1"`})
	assert.Equal(t, 409, res.Status, "a stale edit is refused")

	clash := map[string]any{"agent_id": w.agentA1.ID, "template": "day", "start": day.Add(17 * time.Hour), "end": day.Add(20 * time.Hour), "paid_minutes": 180}
	res = w.as(org.RolePlanner, "POST", fmt.Sprintf("/api/v1/schedules/%d/shifts", id), clash, map[string]string{"If-Match": `"2"`})
	assert.Equal(t, 422, res.Status, "an overlapping shift is refused: %s", res.Body)

	next := map[string]any{"agent_id": w.agentA1.ID, "template": "early", "start": day.Add(26 * time.Hour), "end": day.Add(34 * time.Hour), "paid_minutes": 480}
	res = w.as(org.RolePlanner, "POST", fmt.Sprintf("/api/v1/schedules/%d/shifts", id), next, map[string]string{"If-Match": `"2"`})
	require.Equal(t, 201, res.Status, "%s", res.Body)
	assert.Contains(t, res.json(t)["report"], "min_rest", "an 8-hour rest is a warning, not a refusal")

	res = w.as(org.RolePlanner, "DELETE", path, nil, map[string]string{"If-Match": `"3"`})
	require.Equal(t, 200, res.Status, "%s", res.Body)
	assert.NotContains(t, res.json(t)["report"], "min_rest", "removing the shift clears the warning")
	assert.Equal(t, 403, w.as(org.RoleSupervisor, "DELETE", path, nil, map[string]string{"If-Match": `"4"`}).Status)
}

func TestCompareDrafts(t *testing.T) {
	w := newWorld(t, storetest.OpenSQLite(t))
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	mk := func(name string, hours ...int) int64 {
		var shifts []any
		for i, h := range hours {
			agent := []int64{w.agentA1.ID, w.agentA2.ID}[i%2]
			shifts = append(shifts, map[string]any{"agent_id": agent, "template": "t", "start": day.Add(time.Duration(24*i+9) * time.Hour),
				"end": day.Add(time.Duration(24*i+9+h) * time.Hour), "paid_minutes": h * 60})
		}
		res := w.as(org.RolePlanner, "POST", "/api/v1/schedules", map[string]any{"name": name, "timezone": "UTC", "period_start": day, "period_end": day.AddDate(0, 0, 7), "shifts": shifts})
		require.Equal(t, 201, res.Status, "%s", res.Body)
		return int64(res.json(t)["id"].(float64))
	}
	a, b := mk("cheap", 8, 8), mk("long", 8, 10)
	res := w.as(org.RoleSupervisor, "GET", fmt.Sprintf("/api/v1/schedule-comparison?left=%d&right=%d", a, b), nil)
	require.Equal(t, 200, res.Status, "%s", res.Body)
	m := res.json(t)
	assert.EqualValues(t, 16, m["left"].(map[string]any)["summary"].(map[string]any)["paid_hours"])
	assert.EqualValues(t, 18, m["right"].(map[string]any)["summary"].(map[string]any)["paid_hours"])
	changes := m["changes"].([]any)
	require.Len(t, changes, 1, "only a2's longer shift differs")
	assert.EqualValues(t, w.agentA2.ID, changes[0].(map[string]any)["agent_id"])
	assert.Equal(t, 400, w.as(org.RolePlanner, "GET", "/api/v1/schedule-comparison?left=x", nil).Status)
	assert.Equal(t, 403, w.as(org.RoleAgent, "GET", fmt.Sprintf("/api/v1/schedule-comparison?left=%d&right=%d", a, b), nil).Status)
}
