package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/jobs"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// fast is a queue set up for tests: quick polling, a short rescue.
var fast = jobs.Config{Workers: 4, PollInterval: 100 * time.Millisecond, ItemAttempts: 2}

// replica opens one more store on the test database, as another process would.
func replica(t *testing.T, cfg store.Config) *store.Store {
	st, err := store.Open(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	require.NoError(t, st.Migrate(context.Background()))
	return st
}

func closeRunner(t *testing.T, r *jobs.Runner) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = r.Close(ctx)
	})
}

func waitRun(t *testing.T, st *store.Store, id int64, within time.Duration) store.JobRun {
	t.Helper()
	var run store.JobRun
	require.Eventually(t, func() bool {
		var err error
		run, err = st.FindJobRunByID(context.Background(), id)
		require.NoError(t, err)
		return run.Status != store.JobRunning
	}, within, 50*time.Millisecond, "run %d did not end", id)
	return run
}

func each(t *testing.T, fn func(t *testing.T, cfg store.Config)) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) { fn(t, storetest.Config(t, d)) })
	}
}

// A run goes through the queue and leaves its result and progress.
func TestRunGoesThroughTheQueue(t *testing.T) {
	each(t, func(t *testing.T, cfg store.Config) {
		st := replica(t, cfg)
		r := jobs.NewRunner(st, quiet, nil, fast)
		closeRunner(t, r)
		reg := prometheus.NewRegistry()
		reg.MustRegister(r.Collector())
		r.Register("sum", func(ctx context.Context, run store.JobRun, p *jobs.Progress) (any, error) {
			p.SetTotal(3)
			for i := 0; i < 3; i++ {
				p.Done()
			}
			return map[string]string{"params": run.Params}, nil
		})
		run, err := r.Start(context.Background(), jobs.Request{Job: "sum", Slot: "s1", Params: map[string]int{"n": 3}})
		require.NoError(t, err)
		assert.Equal(t, store.JobRunning, run.Status)
		done := waitRun(t, st, run.ID, 20*time.Second)
		assert.Equal(t, store.JobSucceeded, done.Status)
		assert.Equal(t, 3, done.Done)
		assert.JSONEq(t, `{"params":"{\"n\":3}"}`, done.Result)

		_, err = r.Start(context.Background(), jobs.Request{Job: "sum", Slot: "s1"})
		assert.Equal(t, fault.Conflict, fault.CodeOf(err), "a slot runs once")

		// /metrics: the attempt, its wait and run time, and the queue's depth.
		require.Eventually(t, func() bool {
			families, err := reg.Gather()
			require.NoError(t, err)
			seen := map[string]bool{}
			for _, f := range families {
				seen[f.GetName()] = true
			}
			return seen["peakwise_jobs_attempts_total"] && seen["peakwise_jobs_wait_seconds"] && seen["peakwise_jobs_queue_depth"]
		}, 10*time.Second, 50*time.Millisecond)
		_, err = r.Start(context.Background(), jobs.Request{Job: "nope", Slot: "x"})
		assert.Equal(t, fault.NotFound, fault.CodeOf(err))
	})
}

// A fanned-out run: every item is worked once, a flaky item is retried, a
// broken one fails after its attempts, and the last item finishes the run
// as partial with the broken item's error.
func TestFannedOutItemsFinishTheRun(t *testing.T) {
	each(t, func(t *testing.T, cfg store.Config) {
		st := replica(t, cfg)
		var mu sync.Mutex
		worked := map[string]int{}
		mk := func() *jobs.Runner {
			r := jobs.NewRunner(replica(t, cfg), quiet, nil, fast)
			closeRunner(t, r)
			r.Register("fan", func(ctx context.Context, run store.JobRun, p *jobs.Progress) (any, error) {
				var items []string
				for i := 0; i < 12; i++ {
					items = append(items, fmt.Sprint(i))
				}
				return nil, p.FanOut(ctx, items)
			})
			r.RegisterItems("fan", func(ctx context.Context, run store.JobRun, item string) error {
				mu.Lock()
				worked[item]++
				n := worked[item]
				mu.Unlock()
				switch {
				case item == "3":
					return errors.New("queue 3 has no history")
				case item == "5" && n == 1:
					return errors.New("database went away")
				}
				return nil
			})
			return r
		}
		a, b := mk(), mk() // two replicas share the items
		require.NoError(t, b.Open(context.Background()))
		run, err := a.Start(context.Background(), jobs.Request{Job: "fan", Slot: "night"})
		require.NoError(t, err)
		done := waitRun(t, st, run.ID, 60*time.Second)
		assert.Equal(t, store.JobPartial, done.Status)
		assert.Equal(t, 12, done.Total)
		assert.Equal(t, 11, done.Done)
		assert.Equal(t, 1, done.Failed)
		assert.Contains(t, done.Errors, "3: queue 3 has no history")
		mu.Lock()
		defer mu.Unlock()
		assert.Equal(t, 2, worked["3"], "the broken item had its two attempts")
		assert.Equal(t, 2, worked["5"], "the flaky item was retried once")
		for i := 0; i < 12; i++ {
			if i != 3 && i != 5 {
				assert.Equal(t, 1, worked[fmt.Sprint(i)], "item %d worked once", i)
			}
		}
	})
}

// Three replicas fire the same slot of a periodic job: one run.
func TestPeriodicSlotRunsOnceAcrossReplicas(t *testing.T) {
	each(t, func(t *testing.T, cfg store.Config) {
		st := replica(t, cfg)
		var ran atomic.Int32
		now := func() time.Time { return time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC) }
		var wg sync.WaitGroup
		for i := 0; i < 3; i++ {
			r := jobs.NewRunner(replica(t, cfg), quiet, now, fast)
			closeRunner(t, r)
			r.Register("nightly", func(ctx context.Context, run store.JobRun, p *jobs.Progress) (any, error) {
				ran.Add(1)
				return nil, nil
			})
			require.NoError(t, r.Open(context.Background()))
			wg.Add(1)
			go func() {
				defer wg.Done()
				assert.NoError(t, r.Fire(context.Background(), "nightly"))
			}()
		}
		wg.Wait()
		require.Eventually(t, func() bool {
			runs, _, err := st.FindJobRuns(context.Background(), store.JobRunFilter{Job: "nightly"})
			require.NoError(t, err)
			return len(runs) == 1 && runs[0].Status == store.JobSucceeded
		}, 20*time.Second, 50*time.Millisecond)
		time.Sleep(500 * time.Millisecond)
		assert.EqualValues(t, 1, ran.Load(), "the slot ran once")
	})
}

// Cancelling a running run: it is recorded at once and its body sees its
// context end.
func TestCancelStopsARunningRun(t *testing.T) {
	each(t, func(t *testing.T, cfg store.Config) {
		st := replica(t, cfg)
		r := jobs.NewRunner(st, quiet, nil, fast)
		closeRunner(t, r)
		started, stopped := make(chan struct{}), make(chan struct{})
		r.Register("solve", func(ctx context.Context, run store.JobRun, p *jobs.Progress) (any, error) {
			close(started)
			<-ctx.Done()
			close(stopped)
			return nil, ctx.Err()
		})
		run, err := r.Start(context.Background(), jobs.Request{Job: "solve", Slot: "c1"})
		require.NoError(t, err)
		<-started
		got, err := r.Cancel(context.Background(), run.ID, 7)
		require.NoError(t, err)
		assert.Equal(t, store.JobCancelled, got.Status)
		assert.Contains(t, got.Errors, "cancelled by user 7")
		select {
		case <-stopped:
		case <-time.After(20 * time.Second):
			t.Fatal("the running body did not see the cancel")
		}
		_, err = r.Cancel(context.Background(), run.ID, 7)
		assert.Equal(t, fault.Conflict, fault.CodeOf(err), "a run that ended cannot be cancelled")
	})
}

// A replica dies in the middle of an item (here: its worker hangs and its
// one slot stays taken, as after kill -9 the row stays "running"); after
// RescueAfter, River's rescuer hands the item back and another replica
// works it. Every item is recorded once and the run succeeds. (River's
// rescuer looks every 30 seconds, so this test takes that long.)
func TestItemsOfADeadReplicaAreRescued(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for River's rescuer (30 s)")
	}
	each(t, func(t *testing.T, cfg store.Config) {
		st := replica(t, cfg)
		dead := make(chan struct{})
		t.Cleanup(func() { close(dead) })
		var hung atomic.Int32
		var mu sync.Mutex
		worked := map[string]int{}
		mk := func(name string, workers int) *jobs.Runner {
			c := fast
			c.Workers, c.JobTimeout, c.RescueAfter = workers, time.Second, 2*time.Second
			r := jobs.NewRunner(replica(t, cfg), quiet, nil, c)
			r.Register("fan", func(ctx context.Context, run store.JobRun, p *jobs.Progress) (any, error) {
				return nil, p.FanOut(ctx, []string{"a", "b", "c", "d"})
			})
			r.RegisterItems("fan", func(ctx context.Context, run store.JobRun, item string) error {
				if name == "doomed" {
					hung.Add(1)
					<-dead // never returns while the test runs: the process is gone
					return nil
				}
				mu.Lock()
				worked[item]++
				mu.Unlock()
				return nil
			})
			return r
		}
		doomed := mk("doomed", 1)
		run, err := doomed.Start(context.Background(), jobs.Request{Job: "fan", Slot: "night"})
		require.NoError(t, err)
		require.Eventually(t, func() bool { return hung.Load() == 1 }, 20*time.Second, 20*time.Millisecond, "the doomed replica took an item")
		survivor := mk("survivor", 4)
		closeRunner(t, survivor)
		require.NoError(t, survivor.Open(context.Background()))
		done := waitRun(t, st, run.ID, 90*time.Second)
		assert.Equal(t, store.JobSucceeded, done.Status, done.Errors)
		assert.Equal(t, 4, done.Done)
		mu.Lock()
		defer mu.Unlock()
		assert.Len(t, worked, 4, "the survivor worked every item, the rescued one included")
		for item, n := range worked {
			assert.Equal(t, 1, n, "item %s worked once by the survivor", item)
		}
	})
}
