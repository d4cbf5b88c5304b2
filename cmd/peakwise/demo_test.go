package main

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server"
	"github.com/peakwise/peakwise/server/demo"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// TestDemoCenterIsSizedToItsAgents checks that the demo is a center its own
// agents can staff: every queue forecasts from history, the week's required
// staff-hours fit the agents' contracted hours with room to spare but are not
// trivial, no site ever needs more of its agents at once than it has, and the
// coming public holiday is forecast lower than a normal day.
func TestDemoCenterIsSizedToItsAgents(t *testing.T) {
	ctx := context.Background()
	st := storetest.OpenSQLite(t)
	now := time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC) // a Wednesday
	_, err := demo.Seed(ctx, st, 7, now)
	require.NoError(t, err)
	clock := func() time.Time { return now }
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	run, err := server.New(st, log, server.Config{Now: clock}).ForecastAll(ctx, "demo-test")
	require.NoError(t, err)
	require.Equal(t, store.JobSucceeded, run.Status, "every queue forecasts: %s", run.Errors)

	agents, _, err := st.FindAgents(ctx, store.AgentFilter{Page: store.Page{Limit: 500}})
	require.NoError(t, err)
	contracted := 0.0
	siteAgents := map[string]int{}
	for _, a := range agents {
		contracted += a.Contract.MaxWeekHours
		siteAgents[a.Timezone]++
	}

	svc := service.New(st, log, service.Config{Now: clock})
	queues, _, err := st.FindQueues(ctx, store.Page{Limit: 500})
	require.NoError(t, err)
	monday := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	staffHours := 0.0
	atOnce := map[string]map[time.Time]int{} // site zone -> interval -> staff its queues need
	for _, q := range queues {
		loc, err := time.LoadLocation(q.Timezone)
		require.NoError(t, err)
		from := time.Date(monday.Year(), monday.Month(), monday.Day(), 0, 0, 0, 0, loc)
		req, err := svc.QueueRequirements(ctx, q, 0, from, from.AddDate(0, 0, 7))
		require.NoError(t, err, q.Name)
		peak, hours := 0, 0.0
		for _, iv := range req.Intervals {
			hours += float64(iv.RequiredStaff) * req.Interval().Hours()
			peak = max(peak, iv.RequiredStaff)
			if atOnce[q.Timezone] == nil {
				atOnce[q.Timezone] = map[time.Time]int{}
			}
			atOnce[q.Timezone][iv.Start] += iv.RequiredStaff
		}
		t.Logf("%s: %.0f staff-hours, peak %d", q.Name, hours, peak)
		staffHours += hours
		assert.GreaterOrEqual(t, peak, 2, "%s has a real peak", q.Name)
	}
	t.Logf("required %.0f staff-hours of %.0f contracted", staffHours, contracted)
	assert.Less(t, staffHours, 0.85*contracted, "the agents' contracts cover the week with room for the rules")
	assert.Greater(t, staffHours, 0.45*contracted, "the center is busy, not idle")
	for zone, byInterval := range atOnce {
		most := 0
		for _, n := range byInterval {
			most = max(most, n)
		}
		assert.LessOrEqual(t, most, siteAgents[zone]*3/4, "%s never needs more than three quarters of its %d agents at once", zone, siteAgents[zone])
	}

	days, _, err := st.FindSpecialDays(ctx, store.SpecialDayFilter{Page: store.Page{Limit: 100}})
	require.NoError(t, err)
	assert.NotEmpty(t, days, "the demo has public holidays")
	for _, q := range queues {
		if q.Name != "Voice PT" {
			continue
		}
		f, err := st.FindLatestForecast(ctx, q.ID)
		require.NoError(t, err)
		pts, err := st.FindForecastPoints(ctx, f.ID, time.Time{}, time.Time{})
		require.NoError(t, err)
		loc, _ := time.LoadLocation(q.Timezone)
		perDay := map[string]float64{}
		for _, p := range pts {
			perDay[p.StartAt.In(loc).Format(time.DateOnly)] += p.Contacts
		}
		for _, d := range days {
			if d.QueueID == nil || *d.QueueID != q.ID || d.Date < now.Format(time.DateOnly) {
				continue
			}
			date, _ := time.ParseInLocation(time.DateOnly, d.Date, loc)
			normal := perDay[date.AddDate(0, 0, 7).Format(time.DateOnly)]
			require.Positive(t, normal, "the forecast covers the week after the holiday")
			assert.InDelta(t, d.Factor, perDay[d.Date]/normal, 0.15, "the holiday %s is forecast at its factor", d.Date)
		}
	}
}
