package store_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

func newQueue(t testing.TB, s *store.Store) org.Queue {
	ctx := context.Background()
	ch, err := s.CreateChannel(ctx, org.Channel{Key: "voice", Name: "Voice", Kind: org.Realtime})
	require.NoError(t, err)
	q, err := s.CreateQueue(ctx, org.Queue{Name: "Voice", ChannelID: ch.ID, Timezone: "America/New_York", ServiceLevelPct: 80,
		AnswerWithinSec: 20, DefaultAHTSec: 300, ChatConcurrency: 1, IntervalMin: 30})
	require.NoError(t, err)
	return q
}

func series(start time.Time, n int, step time.Duration, contacts float64) []store.HistoryPoint {
	pts := make([]store.HistoryPoint, n)
	for i := range pts {
		pts[i] = store.HistoryPoint{StartAt: start.Add(time.Duration(i) * step), IntervalMin: int(step / time.Minute), Contacts: contacts}
	}
	return pts
}

func TestReplaceHistoryIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		q := newQueue(t, s)
		t0 := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
		require.NoError(t, s.ReplaceHistory(ctx, q.ID, series(t0, 10, 30*time.Minute, 5)))
		// Re-import an overlapping range with new numbers: intervals 5..14.
		require.NoError(t, s.ReplaceHistory(ctx, q.ID, series(t0.Add(150*time.Minute), 10, 30*time.Minute, 7)))
		pts, err := s.FindHistory(ctx, q.ID, time.Time{}, time.Time{})
		require.NoError(t, err)
		require.Len(t, pts, 15, "no duplicates")
		assert.Equal(t, 5.0, pts[4].Contacts)
		assert.Equal(t, 7.0, pts[5].Contacts)
		assert.Equal(t, time.UTC, pts[0].StartAt.Location())
		sum, err := s.SummarizeHistory(ctx)
		require.NoError(t, err)
		require.Len(t, sum, 1)
		assert.Equal(t, 15, sum[0].Intervals)
		assert.Equal(t, 5.0*5+7*10, sum[0].Contacts)
		assert.True(t, sum[0].First.Equal(t0))
	})
}

func TestForecastVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		q := newQueue(t, s)
		t0 := time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)
		wape := 0.07
		mk := func(method string, created time.Time) store.Forecast {
			pts := []store.ForecastPoint{{StartAt: t0, Contacts: 10, Lower: 8, Upper: 12}, {StartAt: t0.Add(30 * time.Minute), Contacts: 11, Lower: 9, Upper: 13}}
			f, err := s.CreateForecast(ctx, store.Forecast{QueueID: q.ID, CreatedAt: created, Method: method, IntervalMin: 30, StartAt: t0,
				EndAt: t0.Add(time.Hour), HistoryFrom: t0.Add(-24 * time.Hour), HistoryTo: t0, BacktestWAPE: &wape}, pts)
			require.NoError(t, err)
			return f
		}
		mk("snaive", t0.Add(-2*time.Hour))
		second := mk("auto", t0.Add(-time.Hour))
		latest, err := s.FindLatestForecast(ctx, q.ID)
		require.NoError(t, err)
		assert.Equal(t, second.ID, latest.ID)
		assert.Equal(t, "auto", latest.Method)
		require.NotNil(t, latest.BacktestWAPE)
		assert.InDelta(t, 0.07, *latest.BacktestWAPE, 1e-12)
		pts, err := s.FindForecastPoints(ctx, latest.ID, t0.Add(time.Minute), time.Time{})
		require.NoError(t, err)
		require.Len(t, pts, 1)
		assert.Equal(t, 11.0, pts[0].Contacts)
		list, n, err := s.FindForecasts(ctx, q.ID, store.Page{})
		require.NoError(t, err)
		assert.Equal(t, 2, n)
		assert.Equal(t, second.ID, list[0].ID)
	})
}

// BenchmarkImportHistory measures storing five years of 15-minute history for
// one queue (175,200 intervals) in one transaction. On PostgreSQL it needs
// PEAKWISE_TEST_DATABASE_URL.
func BenchmarkImportHistory(b *testing.B) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(d), func(b *testing.B) {
			if d == store.Postgres && os.Getenv("PEAKWISE_TEST_DATABASE_URL") == "" {
				b.Skip("set PEAKWISE_TEST_DATABASE_URL to benchmark PostgreSQL")
			}
			s := storetest.Open(b, d)
			q := newQueue(b, s)
			pts := series(time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), 175200, 15*time.Minute, 12)
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				err := s.Tx(ctx, func(tx *store.Store) error { return tx.ReplaceHistory(ctx, q.ID, pts) })
				require.NoError(b, err)
			}
		})
	}
}
