package server_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// repeatLastDay is a test forecaster: the plumbing is under test, not a model.
func repeatLastDay(_ context.Context, in service.ForecastInput) (service.ForecastOutput, error) {
	last := in.History[len(in.History)-1]
	step := time.Duration(last.IntervalMin) * time.Minute
	start := last.StartAt.Add(step)
	n := int(in.Horizon / step)
	pts := make([]store.ForecastPoint, n)
	for i := range pts {
		src := in.History[len(in.History)-1-((n-1-i)%len(in.History))]
		pts[i] = store.ForecastPoint{StartAt: start.Add(time.Duration(i) * step), Contacts: src.Contacts, Lower: src.Contacts * 0.9, Upper: src.Contacts * 1.1}
	}
	return service.ForecastOutput{Forecast: store.Forecast{Method: "test-repeat", IntervalMin: last.IntervalMin, StartAt: start, EndAt: start.Add(in.Horizon),
		HistoryFrom: in.History[0].StartAt, HistoryTo: start}, Points: pts}, nil
}

func TestForecastRunStoresVersionsAndIsolatesFailures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newWorld(t, st)
		srv := httptest.NewServer(newServer(t, st, server.Config{Forecaster: repeatLastDay}).Handler())
		defer srv.Close()
		empty, err := st.CreateQueue(ctx, org.Queue{Name: "Empty", ChannelID: w.channel.ID, Timezone: "UTC", ServiceLevelPct: 80, AnswerWithinSec: 20, DefaultAHTSec: 300, ChatConcurrency: 1, IntervalMin: 30})
		require.NoError(t, err)
		t0 := time.Now().UTC().Truncate(time.Hour).Add(-48 * time.Hour)
		var hist []store.HistoryPoint
		for i := 0; i < 96; i++ {
			hist = append(hist, store.HistoryPoint{StartAt: t0.Add(time.Duration(i) * 30 * time.Minute), IntervalMin: 30, Contacts: float64(i % 48)})
		}
		require.NoError(t, st.ReplaceHistory(ctx, w.queue.ID, hist))

		planner := map[string]string{"Authorization": "Bearer " + w.tokens[org.RolePlanner]}
		res := do(t, nil, "POST", srv.URL+"/api/v1/forecast-runs", map[string]any{"horizon": "1d"}, planner)
		require.Equal(t, 202, res.Status, "%s", res.Body)
		loc := res.Header.Get("Location")
		var run map[string]any
		require.Eventually(t, func() bool {
			run = do(t, nil, "GET", srv.URL+loc, nil, planner).json(t)
			return run["status"] != "running"
		}, 10*time.Second, 20*time.Millisecond)
		assert.Equal(t, "partial", run["status"], "the empty queue fails, the other succeeds: %v", run)
		assert.EqualValues(t, 2, run["total"])
		assert.EqualValues(t, 1, run["done"])
		assert.Contains(t, run["errors"], fmt.Sprintf("queue %d", empty.ID))
		assert.Contains(t, run["errors"], "no history")

		f := do(t, nil, "GET", fmt.Sprintf("%s/api/v1/queues/%d/forecast", srv.URL, w.queue.ID), nil, planner)
		require.Equal(t, 200, f.Status, "%s", f.Body)
		fc := f.json(t)
		assert.Equal(t, "test-repeat", fc["method"])
		assert.Len(t, fc["points"], 48)
		assert.NotNil(t, fc["job_run_id"])

		agent := map[string]string{"Authorization": "Bearer " + w.tokens[org.RoleAgent]}
		assert.Equal(t, 403, do(t, nil, "GET", fmt.Sprintf("%s/api/v1/queues/%d/forecast", srv.URL, w.queue.ID), nil, agent).Status, "forecasts are for planners")
		assert.Equal(t, 400, do(t, nil, "POST", srv.URL+"/api/v1/forecast-runs", map[string]any{"horizon": "soon"}, planner).Status)
		assert.Equal(t, 404, do(t, nil, "GET", fmt.Sprintf("%s/api/v1/queues/%d/forecast", srv.URL, empty.ID), nil, planner).Status)
	})
}

func TestForecastRunWithTheEngine(t *testing.T) {
	st := storetest.OpenSQLite(t)
	w := newWorld(t, st)
	ctx := context.Background()
	lisbon, _ := time.LoadLocation("Europe/Lisbon")
	var hist []store.HistoryPoint
	start := time.Date(2026, 9, 7, 0, 0, 0, 0, lisbon)
	for d := 0; d < 35; d++ {
		day := start.AddDate(0, 0, d)
		for h := 8; h < 18; h++ {
			for m := 0; m < 60; m += 30 {
				aht := 290.0
				hist = append(hist, store.HistoryPoint{StartAt: time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, lisbon).UTC(), IntervalMin: 30, Contacts: float64(5 + h), AHTSeconds: &aht})
			}
		}
	}
	require.NoError(t, st.ReplaceHistory(ctx, w.queue.ID, hist))
	res := w.as(org.RolePlanner, "POST", "/api/v1/forecast-runs", map[string]any{"queue_ids": []int64{w.queue.ID}, "horizon": "7d"})
	require.Equal(t, 202, res.Status, "%s", res.Body)
	var run map[string]any
	require.Eventually(t, func() bool {
		run = w.as(org.RolePlanner, "GET", res.Header.Get("Location"), nil).json(t)
		return run["status"] != "running"
	}, 20*time.Second, 50*time.Millisecond)
	require.Equal(t, "succeeded", run["status"], "%v", run)
	f := w.as(org.RolePlanner, "GET", fmt.Sprintf("/api/v1/queues/%d/forecast", w.queue.ID), nil).json(t)
	assert.NotEmpty(t, f["method"])
	assert.NotNil(t, f["backtest_wape"], "the chosen method's backtest accuracy is kept")
	pts := f["points"].([]any)
	require.Len(t, pts, 7*48)
	for _, p := range pts {
		pt := p.(map[string]any)
		start, _ := time.Parse(time.RFC3339, pt["start"].(string))
		if h := start.In(lisbon).Hour(); h == 12 {
			assert.InDelta(t, 17.0, pt["forecast"], 1e-9, "12:00 local had 17 contacts every day")
		} else if h < 8 || h >= 18 {
			assert.Equal(t, 0.0, pt["forecast"], "closed at %s", start.In(lisbon))
		}
	}
	req := w.as(org.RolePlanner, "GET", fmt.Sprintf("/api/v1/queues/%d/requirements", w.queue.ID), nil)
	assert.Equal(t, 200, req.Status, "requirements follow from the stored forecast: %s", req.Body)

	// Actuals arrive for the first forecast day: 10% above the forecast at 12:00, exact elsewhere.
	first, _ := time.Parse(time.RFC3339, pts[0].(map[string]any)["start"].(string))
	var actuals []store.HistoryPoint
	for i := 0; i < 48; i++ {
		p := pts[i].(map[string]any)
		start := first.Add(time.Duration(i) * 30 * time.Minute)
		v := p["forecast"].(float64)
		if start.In(lisbon).Hour() == 12 {
			v *= 1.1
		}
		actuals = append(actuals, store.HistoryPoint{StartAt: start, IntervalMin: 30, Contacts: v})
	}
	require.NoError(t, st.ReplaceHistory(ctx, w.queue.ID, actuals))
	acc := w.as(org.RolePlanner, "GET", fmt.Sprintf("/api/v1/queues/%d/forecasts/%d/accuracy", w.queue.ID, int64(f["id"].(float64))), nil)
	require.Equal(t, 200, acc.Status, "%s", acc.Body)
	am := acc.json(t)
	days := am["days"].([]any)
	require.Len(t, days, 2, "the closed evening after the last history row, and the next day")
	assert.Nil(t, days[0].(map[string]any)["wape"], "a closed evening has no WAPE")
	var total float64
	for h := 8; h < 18; h++ {
		total += 2 * float64(5+h)
	}
	assert.InDelta(t, 2*1.7/(total+3.4), am["wape"], 1e-9)
}
