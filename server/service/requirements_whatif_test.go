package service_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// TestRequirementsWhatIfMatchesErlangCFigures sizes one half hour of 100
// contacts (10 Erlangs at a 180-second handle time) under changed targets and
// compares with Erlang C worked by hand: P(wait) = C(N, A),
// SL = 1 - C(N, A)·exp(-(N-A)·t/AHT), ASA = C(N, A)·AHT/(N-A).
func TestRequirementsWhatIfMatchesErlangCFigures(t *testing.T) {
	st := storetest.OpenSQLite(t)
	ctx := context.Background()
	ch, err := st.CreateChannel(ctx, org.Channel{Key: "voice", Name: "Voice", Kind: org.Realtime})
	require.NoError(t, err)
	q, err := st.CreateQueue(ctx, org.Queue{Name: "Voice", ChannelID: ch.ID, Timezone: "UTC", ServiceLevelPct: 80,
		AnswerWithinSec: 20, DefaultAHTSec: 300, ChatConcurrency: 1, IntervalMin: 30, MaxOccupancy: 0.85, Shrinkage: 0.3})
	require.NoError(t, err)
	t0 := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	_, err = st.CreateForecast(ctx, store.Forecast{QueueID: q.ID, Method: "test", IntervalMin: 30, StartAt: t0, EndAt: t0.Add(time.Hour),
		HistoryFrom: t0.Add(-time.Hour), HistoryTo: t0}, []store.ForecastPoint{{StartAt: t0, Contacts: 100}, {StartAt: t0.Add(30 * time.Minute), Contacts: 0}})
	require.NoError(t, err)
	svc := service.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), service.Config{Now: func() time.Time { return t0 }})
	before, err := svc.QueueRequirements(ctx, q, 0, t0, t0.Add(time.Hour))
	require.NoError(t, err)

	f := func(v float64) *float64 { return &v }
	i := func(v int) *int { return &v }
	tests := []struct {
		name        string
		w           service.RequirementsWhatIf
		agents      int
		staff       int
		sl, asa     float64
		aht         float64
		occupancy   float64
		targetSL    float64
		targetShrnk float64
	}{
		// A = 10: N = 13 gives 79.56% in 20 s, N = 14 gives 88.84%.
		{"aht in seconds, no occupancy cap", service.RequirementsWhatIf{AHTSeconds: f(180), MaxOccupancy: f(1)}, 14, 20, 0.8884, 7.8, 180, 10.0 / 14, 0.8, 0.3},
		// A = 12 (216 s): N = 15 gives 75.82%, N = 16 gives 85.87%; no shrinkage.
		{"aht as a percentage of the forecast's", service.RequirementsWhatIf{AHTPercent: f(72), MaxOccupancy: f(1), Shrinkage: f(0)}, 16, 16, 0.8587, 11.0, 216, 12.0 / 16, 0.8, 0},
		// 80% in 30 s: N = 13 gives 82.70%.
		{"answer within 30 s", service.RequirementsWhatIf{AHTSeconds: f(180), AnswerWithinSec: i(30), MaxOccupancy: f(1)}, 13, 19, 0.8270, 17.1, 180, 10.0 / 13, 0.8, 0.3},
		// 90% in 20 s: N = 15 gives 94.15% (N = 14 gives 88.84%).
		{"service level 90%", service.RequirementsWhatIf{AHTSeconds: f(180), ServiceLevelPct: f(90), MaxOccupancy: f(1), Shrinkage: f(0.25)}, 15, 20, 0.9415, 3.7, 180, 10.0 / 15, 0.9, 0.25},
		// Occupancy at most 70%: N >= 10/0.7, so 15.
		{"occupancy cap 70%", service.RequirementsWhatIf{AHTSeconds: f(180), MaxOccupancy: f(0.7)}, 15, 22, 0.9415, 3.7, 180, 10.0 / 15, 0.8, 0.3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := svc.QueueRequirementsWhatIf(ctx, q, tc.w, t0, t0.Add(time.Hour))
			require.NoError(t, err)
			require.Len(t, got.Intervals, 2)
			iv := got.Intervals[0]
			assert.Equal(t, tc.agents, iv.RequiredAgents)
			assert.Equal(t, tc.staff, iv.RequiredStaff)
			assert.InDelta(t, tc.sl, iv.ServiceLevel, 0.0001)
			require.NotNil(t, iv.ASASeconds)
			assert.InDelta(t, tc.asa, *iv.ASASeconds, 0.05)
			assert.InDelta(t, tc.aht, iv.AHTSeconds, 1e-9)
			assert.InDelta(t, tc.occupancy, iv.Occupancy, 1e-9)
			assert.InDelta(t, tc.targetSL, got.Targets.ServiceLevel, 1e-9)
			assert.InDelta(t, tc.targetShrnk, got.Targets.Shrinkage, 1e-9)
			assert.Equal(t, 0, got.Intervals[1].RequiredStaff, "no contacts, nobody")
		})
	}

	// Nothing was saved: the queue and its cached requirements are as before.
	again, err := svc.QueueRequirements(ctx, q, 0, t0, t0.Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, before, again)
	stored, err := st.FindQueueByID(ctx, q.ID)
	require.NoError(t, err)
	assert.Equal(t, q.Version, stored.Version)

	// Out of range, or the handle time both ways: Invalid, per field.
	_, err = svc.QueueRequirementsWhatIf(ctx, q, service.RequirementsWhatIf{AHTSeconds: f(180), AHTPercent: f(110), ServiceLevelPct: f(100),
		Shrinkage: f(1), MaxOccupancy: f(0), AnswerWithinSec: i(0)}, t0, t0.Add(time.Hour))
	var fe *fault.Error
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, fault.Invalid, fe.Code)
	for _, k := range []string{"aht", "service_level_pct", "answer_within_seconds", "shrinkage", "max_occupancy"} {
		assert.Contains(t, fe.Fields, k)
	}
}
