package server_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling/erlang"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

func TestRequirementsFromTheLatestForecast(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newWorld(t, st)
		q := w.queue
		q.Shrinkage, q.ASATargetSec = 0.3, 30
		q, err := st.UpdateQueue(ctx, q)
		require.NoError(t, err)
		t0 := time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC) // across Lisbon's spring-forward night
		aht := 240.0
		pts := []store.ForecastPoint{{StartAt: t0, Contacts: 0}, {StartAt: t0.Add(30 * time.Minute), Contacts: 120, AHTSeconds: &aht}, {StartAt: t0.Add(time.Hour), Contacts: 2000}}
		f, err := st.CreateForecast(ctx, store.Forecast{QueueID: q.ID, Method: "test", IntervalMin: 30, StartAt: t0, EndAt: t0.Add(90 * time.Minute), HistoryFrom: t0.Add(-time.Hour), HistoryTo: t0}, pts)
		require.NoError(t, err)

		res := w.as(org.RoleSupervisor, "GET", fmt.Sprintf("/api/v1/queues/%d/requirements", q.ID), nil)
		require.Equal(t, 200, res.Status, "%s", res.Body)
		var got struct {
			ForecastID int64 `json:"forecast_id"`
			Model      string
			Intervals  []struct {
				StartLocal     string  `json:"start_local"`
				RequiredAgents int     `json:"required_agents"`
				RequiredStaff  int     `json:"required_staff"`
				ServiceLevel   float64 `json:"service_level"`
				AHTSeconds     float64 `json:"aht_seconds"`
			}
		}
		require.NoError(t, jsonUnmarshalBytes(res.Body, &got))
		assert.Equal(t, f.ID, got.ForecastID)
		assert.Equal(t, "erlang_c", got.Model)
		require.Len(t, got.Intervals, 3)
		assert.Equal(t, 0, got.Intervals[0].RequiredAgents, "no contacts, no agents")
		assert.Equal(t, "2026-03-29T00:30:00Z", got.Intervals[1].StartLocal)
		assert.Equal(t, "2026-03-29T02:00:00+01:00", got.Intervals[2].StartLocal, "local time jumps an hour at 01:00 UTC")
		assert.Equal(t, 240.0, got.Intervals[1].AHTSeconds, "the forecast's AHT wins over the queue default")
		assert.Equal(t, 300.0, got.Intervals[2].AHTSeconds)
		for i, p := range pts[1:] {
			a := aht
			if p.AHTSeconds == nil {
				a = 300
			}
			want, err := erlang.Solve(erlang.Load{Contacts: p.Contacts, Interval: 30 * time.Minute, AHT: time.Duration(a) * time.Second, Concurrency: 1},
				erlang.Targets{ServiceLevel: 0.8, AnswerWithin: 20 * time.Second, ASA: 30 * time.Second, MaxOccupancy: 0.85, Shrinkage: 0.3})
			require.NoError(t, err)
			assert.Equal(t, want.Agents, got.Intervals[i+1].RequiredAgents)
			assert.Equal(t, want.Staff, got.Intervals[i+1].RequiredStaff)
			assert.GreaterOrEqual(t, got.Intervals[i+1].ServiceLevel, 0.8)
		}
		assert.Equal(t, 403, w.as(org.RoleAgent, "GET", fmt.Sprintf("/api/v1/queues/%d/requirements", q.ID), nil).Status)
	})
}

func TestDeferredRequirementsMeetTheResponseTarget(t *testing.T) {
	st := storetest.OpenSQLite(t)
	ctx := context.Background()
	w := newWorld(t, st)
	email, err := st.CreateChannel(ctx, org.Channel{Key: "email", Name: "Email", Kind: org.Deferred})
	require.NoError(t, err)
	q, err := st.CreateQueue(ctx, org.Queue{Name: "Email", ChannelID: email.ID, Timezone: "UTC", ServiceLevelPct: 90, ResponseWithinSec: 4 * 3600, DefaultAHTSec: 360, IntervalMin: 60, Shrinkage: 0.25})
	require.NoError(t, err)
	t0 := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
	var pts []store.ForecastPoint
	for i := 0; i < 10; i++ {
		pts = append(pts, store.ForecastPoint{StartAt: t0.Add(time.Duration(i) * time.Hour), Contacts: float64(40 * (i % 3))})
	}
	_, err = st.CreateForecast(ctx, store.Forecast{QueueID: q.ID, Method: "test", IntervalMin: 60, StartAt: t0, EndAt: t0.Add(10 * time.Hour), HistoryFrom: t0, HistoryTo: t0}, pts)
	require.NoError(t, err)
	res := w.as(org.RolePlanner, "GET", fmt.Sprintf("/api/v1/queues/%d/requirements", q.ID), nil)
	require.Equal(t, 200, res.Status, "%s", res.Body)
	var got struct {
		Model     string
		Intervals []struct {
			RequiredAgents   int      `json:"required_agents"`
			RequiredStaff    int      `json:"required_staff"`
			OldestAgeSeconds *float64 `json:"oldest_age_seconds"`
		}
	}
	require.NoError(t, jsonUnmarshalBytes(res.Body, &got))
	assert.Equal(t, "deferred", got.Model)
	require.Len(t, got.Intervals, 10)
	for i, iv := range got.Intervals[:7] {
		require.NotNil(t, iv.OldestAgeSeconds)
		assert.LessOrEqual(t, *iv.OldestAgeSeconds, 4*3600.0, "interval %d: nothing waits past the 4-hour target", i)
		assert.GreaterOrEqual(t, iv.RequiredStaff, iv.RequiredAgents)
	}
}

func TestRequirementsFollowNewTargetsAndForecastsAfterACachedRead(t *testing.T) {
	st := storetest.OpenSQLite(t)
	ctx := context.Background()
	w := newWorld(t, st)
	t0 := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
	forecast := func(contacts float64) store.Forecast {
		f, err := st.CreateForecast(ctx, store.Forecast{QueueID: w.queue.ID, Method: "test", IntervalMin: 30, StartAt: t0, EndAt: t0.Add(30 * time.Minute),
			HistoryFrom: t0.Add(-time.Hour), HistoryTo: t0}, []store.ForecastPoint{{StartAt: t0, Contacts: contacts}})
		require.NoError(t, err)
		return f
	}
	staff := func() (int64, int) {
		res := w.as(org.RoleSupervisor, "GET", fmt.Sprintf("/api/v1/queues/%d/requirements", w.queue.ID), nil)
		require.Equal(t, 200, res.Status, "%s", res.Body)
		var got struct {
			ForecastID int64 `json:"forecast_id"`
			Intervals  []struct {
				RequiredStaff int `json:"required_staff"`
			}
		}
		require.NoError(t, jsonUnmarshalBytes(res.Body, &got))
		require.Len(t, got.Intervals, 1)
		return got.ForecastID, got.Intervals[0].RequiredStaff
	}
	f1 := forecast(100)
	id, first := staff()
	assert.Equal(t, f1.ID, id)
	_, again := staff()
	assert.Equal(t, first, again, "a repeated read gives the same answer")

	q := w.queue
	q.Shrinkage = 0.5
	_, err := st.UpdateQueue(ctx, q)
	require.NoError(t, err)
	_, shrunk := staff()
	assert.Greater(t, shrunk, first, "more shrinkage needs more staff at once, not after the cache expires")

	f2 := forecast(400)
	id, busier := staff()
	assert.Equal(t, f2.ID, id, "the new forecast version is used at once")
	assert.Greater(t, busier, shrunk)
}
