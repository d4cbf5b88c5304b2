package server_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

func TestHistoryJSONImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		ctx := context.Background()
		t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		rec := func(min int, contacts float64, aht float64) map[string]any {
			return map[string]any{"queue_id": w.queue.ID, "start": t0.Add(time.Duration(min) * time.Minute), "contacts": contacts, "aht_seconds": aht}
		}
		// 15-minute records into the queue's 30-minute intervals.
		body := map[string]any{"records": []any{rec(0, 10, 200), rec(15, 30, 300), rec(30, 5, 100), rec(45, 0, 0)}}
		res := w.as(org.RolePlanner, "POST", "/api/v1/history/records", body)
		require.Equal(t, 200, res.Status, "%s", res.Body)
		assert.EqualValues(t, 2, res.json(t)["intervals"])
		pts, err := st.FindHistory(ctx, w.queue.ID, time.Time{}, time.Time{})
		require.NoError(t, err)
		require.Len(t, pts, 2)
		assert.Equal(t, 40.0, pts[0].Contacts)
		assert.InDelta(t, (10*200+30*300)/40.0, *pts[0].AHTSeconds, 1e-9, "AHT weighted by contacts")

		// Re-importing the same range replaces, never duplicates.
		res = w.as(org.RolePlanner, "POST", "/api/v1/history/records", map[string]any{"records": []any{rec(0, 1, 100), rec(30, 2, 100)}})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		pts, err = st.FindHistory(ctx, w.queue.ID, time.Time{}, time.Time{})
		require.NoError(t, err)
		require.Len(t, pts, 2)
		assert.Equal(t, 1.0, pts[0].Contacts)

		bad := map[string]any{"records": []any{rec(60, 3, 100), map[string]any{"queue_id": 9999, "start": t0, "contacts": 1},
			map[string]any{"queue_id": w.queue.ID, "start": t0.Add(90 * time.Minute), "contacts": -2}}}
		res = w.as(org.RolePlanner, "POST", "/api/v1/history/records", bad)
		require.Equal(t, 422, res.Status, "%s", res.Body)
		fields := res.json(t)["error"].(map[string]any)["fields"].(map[string]any)
		assert.Contains(t, fields, "records[1].queue_id")
		assert.Contains(t, fields, "records[2].contacts")
		pts, err = st.FindHistory(ctx, w.queue.ID, time.Time{}, time.Time{})
		require.NoError(t, err)
		assert.Len(t, pts, 2, "the good record of a bad import was not written")

		hourly := map[string]any{"records": []any{rec(120, 3, 100), rec(180, 4, 100)}}
		res = w.as(org.RolePlanner, "POST", "/api/v1/history/records", hourly)
		require.Equal(t, 422, res.Status, "hourly data cannot fill 30-minute intervals: %s", res.Body)
		assert.Contains(t, string(res.Body), fmt.Sprintf("queue %d", w.queue.ID))
		assert.Equal(t, 403, w.as(org.RoleSupervisor, "POST", "/api/v1/history/records", body).Status)
	})
}

func TestHistoryCSVImport(t *testing.T) {
	w := newWorld(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	csvBody := "timestamp,channel,timezone,contacts,aht_seconds\n" +
		"2026-03-02T09:00:00Z,voice,Europe/Lisbon,12,200\n" +
		"2026-03-02T09:30:00Z,voice,Europe/Lisbon,14,\n"
	res := w.as(org.RolePlanner, "POST", "/api/v1/history", csvBody, map[string]string{"Content-Type": "text/csv"})
	require.Equal(t, 200, res.Status, "%s", res.Body)
	pts, err := w.st.FindHistory(ctx, w.queue.ID, time.Time{}, time.Time{})
	require.NoError(t, err)
	require.Len(t, pts, 2)
	assert.Nil(t, pts[1].AHTSeconds)

	bad := "timestamp,channel,timezone,contacts\n" +
		"2026-03-02T10:00:00Z,voice,Europe/Lisbon,1\n" +
		"2026-03-02T10:30:00Z,voice,Europe/Lisbon,lots\n" +
		"2026-03-02T11:00:00Z,chat,Europe/Lisbon,3\n"
	res = w.as(org.RolePlanner, "POST", "/api/v1/history", bad, map[string]string{"Content-Type": "text/csv"})
	require.Equal(t, 422, res.Status, "%s", res.Body)
	assert.Contains(t, res.json(t)["error"].(map[string]any)["fields"], "line 3.contacts")

	noQueue := "timestamp,channel,timezone,contacts\n2026-03-02T11:00:00Z,chat,Europe/Lisbon,3\n"
	res = w.as(org.RolePlanner, "POST", "/api/v1/history", noQueue, map[string]string{"Content-Type": "text/csv"})
	require.Equal(t, 422, res.Status, "%s", res.Body)
	assert.Contains(t, string(res.Body), `no queue serves channel \"chat\" in Europe/Lisbon`)
	pts, err = w.st.FindHistory(ctx, w.queue.ID, time.Time{}, time.Time{})
	require.NoError(t, err)
	assert.Len(t, pts, 2, "bad files write nothing")
}

// Implausible quantities, dates and repeated intervals are refused with their
// place; nothing of such an import is written, and reads keep working.
func TestHistoryImportRefusesWhatWouldBreakReads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		ctx := context.Background()
		t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		rec := func(at time.Time, contacts float64) map[string]any {
			return map[string]any{"queue_id": w.queue.ID, "start": at, "contacts": contacts}
		}
		for _, c := range []float64{1e308, 1e20, 1e9} {
			res := w.as(org.RolePlanner, "POST", "/api/v1/history/records", map[string]any{"records": []any{rec(t0, 3), rec(t0.Add(30*time.Minute), c)}})
			require.Equal(t, 422, res.Status, "contacts %v: %s", c, res.Body)
			assert.Contains(t, res.json(t)["error"].(map[string]any)["fields"], "records[1].contacts")
		}
		res := w.as(org.RolePlanner, "POST", "/api/v1/history/records", map[string]any{"records": []any{rec(time.Date(2056, 3, 2, 9, 0, 0, 0, time.UTC), 3)}})
		require.Equal(t, 422, res.Status, "decades ahead: %s", res.Body)
		assert.Contains(t, string(res.Body), "future")

		res = w.as(org.RolePlanner, "POST", "/api/v1/history/records", map[string]any{"records": []any{rec(t0, 3), rec(t0.Add(30*time.Minute), 4), rec(t0, 5)}})
		require.Equal(t, 422, res.Status, "a repeated interval is not summed: %s", res.Body)
		assert.Contains(t, string(res.Body), "repeats records[0]")
		dup := "timestamp,channel,timezone,contacts\n" +
			"2026-03-02T09:00:00Z,voice,Europe/Lisbon,1\n" +
			"2026-03-02T09:30:00Z,voice,Europe/Lisbon,2\n" +
			"2026-03-02T09:00:00Z,voice,Europe/Lisbon,3\n"
		res = w.as(org.RolePlanner, "POST", "/api/v1/history", dup, map[string]string{"Content-Type": "text/csv"})
		require.Equal(t, 422, res.Status, "%s", res.Body)
		assert.Contains(t, string(res.Body), "line 4")
		assert.Contains(t, string(res.Body), "line 2")
		pts, err := st.FindHistory(ctx, w.queue.ID, time.Time{}, time.Time{})
		require.NoError(t, err)
		assert.Empty(t, pts, "nothing of a refused import is written")

		// A value stored before the bounds existed does not make the read fail.
		inf := math.Inf(1)
		require.NoError(t, st.ReplaceHistory(ctx, w.queue.ID, []store.HistoryPoint{
			{StartAt: t0, IntervalMin: 30, Contacts: 7}, {StartAt: t0.Add(30 * time.Minute), IntervalMin: 30, Contacts: inf},
			{StartAt: t0.Add(60 * time.Minute), IntervalMin: 30, Contacts: 1e9}}))
		pts, err = st.FindHistory(ctx, w.queue.ID, time.Time{}, time.Time{})
		require.NoError(t, err)
		require.Len(t, pts, 1, "values outside the import bounds are skipped on read")
		assert.Equal(t, 7.0, pts[0].Contacts)
		res = w.as(org.RolePlanner, "GET", fmt.Sprintf("/api/v1/queues/%d/history", w.queue.ID), nil)
		require.Equal(t, 200, res.Status, "%s", res.Body)
		assert.Contains(t, string(res.Body), `"contacts":7`)
	})
}

// A history read answers at most 366 days; without a range, the newest year.
func TestHistoryReadIsBounded(t *testing.T) {
	w := newWorld(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	old, recent := time.Date(2024, 3, 4, 9, 0, 0, 0, time.UTC), time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	require.NoError(t, w.st.ReplaceHistory(ctx, w.queue.ID, []store.HistoryPoint{{StartAt: old, IntervalMin: 30, Contacts: 1}}))
	require.NoError(t, w.st.ReplaceHistory(ctx, w.queue.ID, []store.HistoryPoint{{StartAt: recent, IntervalMin: 30, Contacts: 2}}))
	path := fmt.Sprintf("/api/v1/queues/%d/history", w.queue.ID)
	res := w.as(org.RolePlanner, "GET", path, nil)
	require.Equal(t, 200, res.Status, "%s", res.Body)
	assert.Contains(t, string(res.Body), "2026-03-02T09:00:00Z")
	assert.NotContains(t, string(res.Body), "2024-03-04", "the default is the newest year")
	res = w.as(org.RolePlanner, "GET", path+"?from=2024-01-01", nil)
	require.Equal(t, 200, res.Status, "%s", res.Body)
	assert.Contains(t, string(res.Body), "2024-03-04")
	res = w.as(org.RolePlanner, "GET", path+"?from=2024-01-01&to=2026-04-01", nil)
	assert.Equal(t, 400, res.Status, "more than 366 days at once: %s", res.Body)
}
