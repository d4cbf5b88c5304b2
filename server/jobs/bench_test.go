package jobs_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/peakwise/peakwise/server/jobs"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// BenchmarkFanOutThroughput is the job queue's overhead on PostgreSQL
// (docs/benchmarks/jobs.md): one run fans out 1,000 items that do nothing
// but be recorded, worked by one replica with PEAKWISE_BENCH_WORKERS
// (default 8) workers. It reports items per second from fan-out to the run's
// end, and the median and p90 time from fan-out to an item's start (the
// first item's wait is the enqueue-to-start latency).
func BenchmarkFanOutThroughput(b *testing.B) {
	if os.Getenv("PEAKWISE_TEST_DATABASE_URL") == "" {
		b.Skip("set PEAKWISE_TEST_DATABASE_URL: the figures are for PostgreSQL")
	}
	workers := 8
	if v := os.Getenv("PEAKWISE_BENCH_WORKERS"); v != "" {
		fmt.Sscan(v, &workers)
	}
	const n = 1000
	cfg := storetest.Config(b, store.Postgres)
	cfg.MaxOpenConns = 40
	ctx := context.Background()
	st, err := store.Open(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	c := jobs.Config{Workers: workers, PollInterval: 100 * time.Millisecond}
	r := jobs.NewRunner(st, quiet, nil, c)
	var mu sync.Mutex
	var fanned time.Time
	var waits []time.Duration
	r.Register("fan", func(ctx context.Context, run store.JobRun, p *jobs.Progress) (any, error) {
		items := make([]string, n)
		for i := range items {
			items[i] = fmt.Sprint(i)
		}
		mu.Lock()
		fanned = time.Now()
		mu.Unlock()
		return nil, p.FanOut(ctx, items)
	})
	r.RegisterItems("fan", func(ctx context.Context, run store.JobRun, item string) error {
		mu.Lock()
		waits = append(waits, time.Since(fanned))
		mu.Unlock()
		return nil
	})
	if err := r.Open(ctx); err != nil {
		b.Fatal(err)
	}
	defer r.Close(ctx)
	var total time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		run, err := r.Start(ctx, jobs.Request{Job: "fan", Slot: fmt.Sprint("bench-", i)})
		if err != nil {
			b.Fatal(err)
		}
		for {
			got, err := st.FindJobRunByID(ctx, run.ID)
			if err != nil {
				b.Fatal(err)
			}
			if got.Status != store.JobRunning {
				mu.Lock()
				total += time.Since(fanned)
				mu.Unlock()
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	b.StopTimer()
	sort.Slice(waits, func(i, j int) bool { return waits[i] < waits[j] })
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "items/s")
	b.ReportMetric(float64(waits[0].Microseconds())/1000, "first_start_ms")
	b.ReportMetric(float64(waits[len(waits)/2].Microseconds())/1000, "p50_start_ms")
	b.ReportMetric(float64(waits[len(waits)*9/10].Microseconds())/1000, "p90_start_ms")
}

// BenchmarkEnqueueToStart is the time from starting a run (one small job)
// to its handler running, on PostgreSQL, with jobs started one at a time
// 20 times a second on an otherwise idle replica of 8 workers. It reports
// the p50 and p99.
func BenchmarkEnqueueToStart(b *testing.B) {
	if os.Getenv("PEAKWISE_TEST_DATABASE_URL") == "" {
		b.Skip("set PEAKWISE_TEST_DATABASE_URL: the figures are for PostgreSQL")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, storetest.Config(b, store.Postgres))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	r := jobs.NewRunner(st, quiet, nil, jobs.Config{Workers: 8})
	var mu sync.Mutex
	sent := map[int64]time.Time{}
	started := make(chan time.Duration, 1000)
	r.Register("tick", func(ctx context.Context, run store.JobRun, p *jobs.Progress) (any, error) {
		mu.Lock()
		t0 := sent[run.ID]
		mu.Unlock()
		started <- time.Since(t0)
		return nil, nil
	})
	if err := r.Open(ctx); err != nil {
		b.Fatal(err)
	}
	defer r.Close(ctx)
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N*20; i++ {
		mu.Lock() // the handler may run before Start returns: hold it off until the time is noted
		t0 := time.Now()
		run, err := r.Start(ctx, jobs.Request{Job: "tick", Slot: fmt.Sprint("tick-", i)})
		if err != nil {
			mu.Unlock()
			b.Fatal(err)
		}
		sent[run.ID] = t0
		mu.Unlock()
		select {
		case d := <-started:
			lat = append(lat, d)
		case <-time.After(10 * time.Second):
			b.Fatal("the job did not start within 10 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99_ms")
}
