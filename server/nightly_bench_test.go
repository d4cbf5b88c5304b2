package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// BenchmarkNightlyForecast runs the nightly re-forecast over queues with two
// years of 15-minute history each on PostgreSQL (PEAKWISE_BENCH_QUEUES
// queues, default 100; the target is 1,000) and reports the run's wall time
// and the heap it peaked at. Seeding takes about a second per queue.
func BenchmarkNightlyForecast(b *testing.B) {
	if os.Getenv("PEAKWISE_TEST_DATABASE_URL") == "" {
		b.Skip("set PEAKWISE_TEST_DATABASE_URL to run this PostgreSQL benchmark")
	}
	n := 100
	if v, err := strconv.Atoi(os.Getenv("PEAKWISE_BENCH_QUEUES")); err == nil && v > 0 {
		n = v
	}
	st := storetest.Open(b, store.Postgres)
	ctx := context.Background()
	ch, err := st.CreateChannel(ctx, org.Channel{Key: "voice", Name: "Voice", Kind: org.Realtime})
	require.NoError(b, err)
	ny, _ := time.LoadLocation("America/New_York")
	start := time.Date(2024, 11, 25, 0, 0, 0, 0, ny)
	var pts []store.HistoryPoint
	for at := start; at.Before(start.AddDate(2, 0, 0)); at = at.Add(15 * time.Minute) {
		l := at.In(ny)
		v := 0.0
		if l.Weekday() != time.Sunday && l.Hour() >= 7 && l.Hour() < 21 {
			v = math.Round(20 + 15*math.Sin(float64(l.Hour()-7)/14*math.Pi))
		}
		pts = append(pts, store.HistoryPoint{StartAt: at.UTC(), IntervalMin: 15, Contacts: v})
	}
	for i := 0; i < n; i++ {
		q, err := st.CreateQueue(ctx, org.Queue{Name: fmt.Sprint("Q", i), ChannelID: ch.ID, Timezone: "America/New_York", ServiceLevelPct: 80,
			AnswerWithinSec: 20, DefaultAHTSec: 300, IntervalMin: 15})
		require.NoError(b, err)
		require.NoError(b, st.ReplaceHistory(ctx, q.ID, append([]store.HistoryPoint(nil), pts...)))
	}
	end := start.AddDate(2, 0, 0)
	srv := server.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{Now: func() time.Time { return end }})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var peak uint64
		done := make(chan struct{})
		go func() {
			var ms runtime.MemStats
			for {
				select {
				case <-done:
					return
				case <-time.After(50 * time.Millisecond):
					runtime.ReadMemStats(&ms)
					peak = max(peak, ms.HeapAlloc)
				}
			}
		}()
		began := time.Now()
		run, err := srv.ForecastAll(ctx, fmt.Sprint("bench-", i, time.Now().UnixNano()))
		close(done)
		require.NoError(b, err)
		require.Equal(b, store.JobSucceeded, run.Status, run.Errors)
		b.ReportMetric(time.Since(began).Seconds(), "run-s")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(n), "queues")
	}
}
