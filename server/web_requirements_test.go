package server_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// TestWebRequirementsWithWhatIf: the requirements page sizes a day of the
// latest forecast with the queue's targets, recomputes it with what-if
// targets without saving them, shows bad what-ifs per field and is a
// planner's page.
func TestWebRequirementsWithWhatIf(t *testing.T) {
	st := storetest.OpenSQLite(t)
	ctx := context.Background()
	w := newWorld(t, st)
	c, _ := signIn(t, w, "planner@example.com")
	base := w.srv.URL + "/planner/queues/" + itoa(w.queue.ID) + "/requirements"

	status, _, body := page(t, c, "GET", base, nil)
	require.Equal(t, http.StatusOK, status, "%s", body)
	assert.Contains(t, body, "No forecast yet")

	q := w.queue
	q.MaxOccupancy, q.Shrinkage, q.DefaultAHTSec = 1, 0.3, 180
	q, err := st.UpdateQueue(ctx, q)
	require.NoError(t, err)
	t0 := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC) // 09:00 in Lisbon
	_, err = st.CreateForecast(ctx, store.Forecast{QueueID: q.ID, Method: "snaive", IntervalMin: 30, StartAt: t0, EndAt: t0.Add(time.Hour),
		HistoryFrom: t0.Add(-time.Hour), HistoryTo: t0}, []store.ForecastPoint{{StartAt: t0, Contacts: 100}, {StartAt: t0.Add(30 * time.Minute), Contacts: 0}})
	require.NoError(t, err)

	// The queue's targets: 10 Erlangs at 80% in 20 s need 14 agents, 20 staff
	// after 30% shrinkage, so 10 staff hours for the day's one busy half hour.
	status, _, body = page(t, c, "GET", base, nil)
	require.Equal(t, http.StatusOK, status, "%s", body)
	assert.Contains(t, body, `<option value="2026-05-04" selected>`)
	assert.Contains(t, body, `<td data-label="Time">09:00</td>`)
	assert.Contains(t, body, `data-label="Agents on the queue">14</td>`)
	assert.Contains(t, body, `data-label="Staff">20</td>`)
	assert.Contains(t, body, `<dd id="staff-hours">10.0 h`)
	assert.Contains(t, body, "88.8%", "Erlang C's service level with 14 agents")
	assert.NotContains(t, body, "what-if, not saved")

	// What-if: answered within 30 s needs 13 agents (82.7%), 19 staff; 120%
	// handle time (216 s, 12 Erlangs) needs 16 agents, 23 staff.
	status, _, body = page(t, c, "GET", base+"?"+url.Values{"date": {"2026-05-04"}, "answer_within_seconds": {"30"}}.Encode(), nil)
	require.Equal(t, http.StatusOK, status, "%s", body)
	assert.Contains(t, body, `data-label="Agents on the queue">13</td>`)
	assert.Contains(t, body, `<dd id="staff-hours">9.5 h`)
	assert.Contains(t, body, "what-if, not saved")
	status, _, body = page(t, c, "GET", base+"?"+url.Values{"aht": {"120"}, "aht_unit": {"pct"}}.Encode(), nil)
	require.Equal(t, http.StatusOK, status, "%s", body)
	assert.Contains(t, body, `data-label="Handle time">216 s</td>`)
	assert.Contains(t, body, `data-label="Agents on the queue">16</td>`)
	assert.Contains(t, body, `data-label="Staff">23</td>`)
	stored, err := st.FindQueueByID(ctx, q.ID)
	require.NoError(t, err)
	assert.Equal(t, q.Version, stored.Version, "a what-if is not saved")

	// Bad values are named next to their fields.
	status, _, body = page(t, c, "GET", base+"?"+url.Values{"aht": {"long"}, "shrinkage": {"120"}}.Encode(), nil)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, `id="aht-error">must be a number`)
	status, _, body = page(t, c, "GET", base+"?"+url.Values{"shrinkage": {"120"}, "service_level_pct": {"100"}}.Encode(), nil)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, `id="shrinkage-error">must be at least 0% and below 100%, got 120%`)
	assert.Contains(t, body, `id="service_level_pct-error">`)

	// Deferred work: no service level or answer time to change; the oldest
	// item's age instead of the speed of answer.
	email, err := st.CreateChannel(ctx, org.Channel{Key: "email", Name: "Email", Kind: org.Deferred})
	require.NoError(t, err)
	eq, err := st.CreateQueue(ctx, org.Queue{Name: "Email PT", ChannelID: email.ID, Timezone: "Europe/Lisbon", ServiceLevelPct: 90, ResponseWithinSec: 4 * 3600,
		DefaultAHTSec: 360, ChatConcurrency: 1, IntervalMin: 60, MaxOccupancy: 0.85, Shrinkage: 0.2})
	require.NoError(t, err)
	_, err = st.CreateForecast(ctx, store.Forecast{QueueID: eq.ID, Method: "snaive", IntervalMin: 60, StartAt: t0, EndAt: t0.Add(2 * time.Hour),
		HistoryFrom: t0.Add(-time.Hour), HistoryTo: t0}, []store.ForecastPoint{{StartAt: t0, Contacts: 30}, {StartAt: t0.Add(time.Hour), Contacts: 10}})
	require.NoError(t, err)
	status, _, body = page(t, c, "GET", w.srv.URL+"/planner/queues/"+itoa(eq.ID)+"/requirements?shrinkage=10", nil)
	require.Equal(t, http.StatusOK, status, "%s", body)
	assert.Contains(t, body, "Oldest item waiting")
	assert.NotContains(t, body, `id="service_level_pct"`)
	assert.Contains(t, body, "what-if, not saved")

	// The queue's page links here; other roles are refused.
	_, _, body = page(t, c, "GET", w.srv.URL+"/planner/queues/"+itoa(q.ID), nil)
	assert.Contains(t, body, `href="/planner/queues/`+itoa(q.ID)+`/requirements"`)
	for _, email := range []string{"supervisor@example.com", "agent@example.com"} {
		other, _ := signIn(t, w, email)
		status, _, _ = page(t, other, "GET", base, nil)
		assert.Equal(t, http.StatusForbidden, status, email)
	}
}
