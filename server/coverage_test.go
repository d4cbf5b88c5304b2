package server_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

func TestPlanCoverageAndSimulation(t *testing.T) {
	st := storetest.OpenSQLite(t)
	ctx := context.Background()
	w := newWorld(t, st)
	t0 := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC) // Lisbon is UTC+1: 09:00 local
	var pts []store.ForecastPoint
	for i := 0; i < 8; i++ {
		pts = append(pts, store.ForecastPoint{StartAt: t0.Add(time.Duration(i) * 30 * time.Minute), Contacts: 60})
	}
	_, err := st.CreateForecast(ctx, store.Forecast{QueueID: w.queue.ID, Method: "test", IntervalMin: 30, StartAt: t0, EndAt: t0.Add(4 * time.Hour), HistoryFrom: t0, HistoryTo: t0}, pts)
	require.NoError(t, err)
	var shifts []any
	for i := 0; i < 14; i++ {
		// A headcount plan (no agents): fourteen identical shifts on the queue.
		sh := map[string]any{"queue_id": w.queue.ID, "template": "t",
			"start": t0, "end": t0.Add(4 * time.Hour), "paid_minutes": 240}
		if i < 2 {
			sh["breaks"] = []any{map[string]any{"name": "b", "start": t0.Add(time.Hour), "end": t0.Add(75 * time.Minute)}}
		}
		shifts = append(shifts, sh)
	}
	res := w.as(org.RolePlanner, "POST", "/api/v1/schedules", map[string]any{"name": "cov", "timezone": "UTC", "period_start": t0, "period_end": t0.Add(4 * time.Hour), "shifts": shifts})
	require.Equal(t, 201, res.Status, "%s", res.Body)
	id := int64(res.json(t)["id"].(float64))

	res = w.as(org.RoleSupervisor, "GET", fmt.Sprintf("/api/v1/schedules/%d/coverage?queue_id=%d&simulate=50", id, w.queue.ID), nil)
	require.Equal(t, 200, res.Status, "%s", res.Body)
	var cov struct {
		RequiredStaffHours float64 `json:"required_staff_hours"`
		UnderStaffHours    float64 `json:"under_staff_hours"`
		Intervals          []struct {
			RequiredStaff         int      `json:"required_staff"`
			ScheduledStaff        float64  `json:"scheduled_staff"`
			ProjectedServiceLevel *float64 `json:"projected_service_level"`
		}
		Simulation []struct {
			Date         string
			ServiceLevel struct{ Mean, Low, High *float64 } `json:"service_level"`
		}
	}
	require.NoError(t, jsonUnmarshalBytes(res.Body, &cov))
	require.Len(t, cov.Intervals, 8)
	assert.Equal(t, 14.0, cov.Intervals[0].ScheduledStaff)
	assert.Equal(t, 13.0, cov.Intervals[2].ScheduledStaff, "two 15-minute breaks in one 30-minute interval take one agent")
	require.NotNil(t, cov.Intervals[0].ProjectedServiceLevel)
	require.Len(t, cov.Simulation, 1)
	assert.Equal(t, "2026-05-04", cov.Simulation[0].Date)
	sim := cov.Simulation[0].ServiceLevel
	require.NotNil(t, sim.Mean)
	assert.LessOrEqual(t, *sim.Low, *sim.Mean)
	assert.GreaterOrEqual(t, *sim.High, *sim.Mean)
	assert.Greater(t, cov.RequiredStaffHours, 0.0)
	assert.Equal(t, 400, w.as(org.RolePlanner, "GET", fmt.Sprintf("/api/v1/schedules/%d/coverage", id), nil).Status, "the queue must be named")
}
