package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// BenchmarkNightlyForecast runs the nightly re-forecast over queues with two
// years of 15-minute history each on PostgreSQL (PEAKWISE_BENCH_QUEUES
// queues, default 100; the target is 1,000) and reports the run's wall time
// and the heap it peaked at. Seeding takes about a second per queue.
// PEAKWISE_BENCH_REPLICAS=N sends the run through the job queue, fanned
// out one item per queue, and starts N servers on the database, each
// working items with its own workers as replicas would (in one process
// here, so they share its cores and heap); unset, the run works inline.
// BenchmarkNightlyReplicas in cmd/peakwise runs the replicas as separate
// serve processes, each with its own memory.
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
	replicas := 0 // the run inline, as the demo's first start does
	if v, err := strconv.Atoi(os.Getenv("PEAKWISE_BENCH_REPLICAS")); err == nil && v > 0 {
		replicas = v
	}
	// With replicas, the run goes through the job queue as the nightly job
	// does, fanned out one item per queue, so every replica works on it.
	var startRun func(i int) int64
	if replicas > 0 {
		require.NoError(b, srv.StartJobs(ctx, false))
		defer srv.Close(ctx)
		for range replicas - 1 {
			other := server.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{Now: func() time.Time { return end }})
			require.NoError(b, other.StartJobs(ctx, false))
			defer other.Close(ctx)
		}
		u, err := st.CreateUser(ctx, org.User{Email: "planner@example.com", Name: "p", Role: org.RolePlanner}, "")
		require.NoError(b, err)
		secret, tok, hash, err := auth.NewAPIToken(u.ID, "bench")
		require.NoError(b, err)
		_, err = st.CreateAPIToken(ctx, tok, hash)
		require.NoError(b, err)
		api := httptest.NewServer(srv.Handler())
		defer api.Close()
		startRun = func(int) int64 {
			req, _ := http.NewRequest(http.MethodPost, api.URL+"/api/v1/forecast-runs", strings.NewReader(`{"horizon":"7d"}`))
			req.Header.Set("Authorization", "Bearer "+secret)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			require.NoError(b, err)
			defer res.Body.Close()
			var run store.JobRun
			require.NoError(b, json.NewDecoder(res.Body).Decode(&run))
			require.Equal(b, http.StatusAccepted, res.StatusCode)
			return run.ID
		}
	}
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
		var run store.JobRun
		if startRun == nil {
			run, err = srv.ForecastAll(ctx, fmt.Sprint("bench-", i, time.Now().UnixNano()))
		} else {
			id := startRun(i)
			for {
				if run, err = st.FindJobRunByID(ctx, id); err != nil || run.Status != store.JobRunning {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
		close(done)
		require.NoError(b, err)
		require.Equal(b, store.JobSucceeded, run.Status, run.Errors)
		b.ReportMetric(time.Since(began).Seconds(), "run-s")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(n), "queues")
		b.ReportMetric(float64(replicas), "replicas")
	}
}
