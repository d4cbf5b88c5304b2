package jobs_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/jobs"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestScheduledSlotRunsOnceAcrossReplicas(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			cfg := storetest.Config(t, d)
			ctx := context.Background()
			var ran atomic.Int32
			var wg sync.WaitGroup
			results := make([]error, 4)
			for i := range results {
				st, err := store.Open(ctx, cfg)
				require.NoError(t, err)
				defer st.Close()
				require.NoError(t, st.Migrate(ctx))
				runner := jobs.NewRunner(st, quiet, nil)
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, results[i] = runner.Run(ctx, jobs.Request{Job: "nightly", Slot: "2026-11-22T02:00:00Z"}, func(ctx context.Context, p *jobs.Progress) (any, error) {
						ran.Add(1)
						return nil, nil
					})
				}()
			}
			wg.Wait()
			assert.EqualValues(t, 1, ran.Load(), "exactly one replica runs the slot")
			conflicts := 0
			for _, err := range results {
				if err != nil {
					assert.Equal(t, fault.Conflict, fault.CodeOf(err), "%v", err)
					conflicts++
				}
			}
			assert.Equal(t, 3, conflicts)
		})
	}
}

func TestRunRecordsProgressAndOutcome(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		runner := jobs.NewRunner(st, quiet, nil)
		run, err := runner.Run(ctx, jobs.Request{Job: "batch", Slot: "a", Params: map[string]int{"queues": 3}},
			func(ctx context.Context, p *jobs.Progress) (any, error) {
				p.SetTotal(3)
				p.Done()
				p.Fail("queue 2", errors.New("history is empty"))
				p.Done()
				return map[string]int{"forecasts": 2}, nil
			})
		require.NoError(t, err)
		assert.Equal(t, store.JobPartial, run.Status, "one failing item does not fail the run")
		assert.Equal(t, 3, run.Total)
		assert.Equal(t, 2, run.Done)
		assert.Equal(t, 1, run.Failed)
		assert.Equal(t, "queue 2: history is empty", run.Errors)
		assert.JSONEq(t, `{"forecasts":2}`, run.Result)
		assert.JSONEq(t, `{"queues":3}`, run.Params)
		require.NotNil(t, run.FinishedAt)

		run, err = runner.Run(ctx, jobs.Request{Job: "batch", Slot: "b"}, func(ctx context.Context, p *jobs.Progress) (any, error) {
			panic("boom")
		})
		require.NoError(t, err)
		assert.Equal(t, store.JobFailed, run.Status, "a panicking job fails its run, not the process")
		assert.Contains(t, run.Errors, "boom")

		runs, total, err := st.FindJobRuns(ctx, store.JobRunFilter{Job: "batch"})
		require.NoError(t, err)
		assert.Equal(t, 2, total)
		assert.Equal(t, "b", runs[0].Slot, "newest first")
	})
}

func TestStaleRunIsAbandonedAndNextRunCompletes(t *testing.T) {
	st := storetest.OpenSQLite(t)
	ctx := context.Background()
	clock := time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	// A run whose process died: claimed, never finished.
	dead, err := st.ClaimJobRun(ctx, store.JobRun{Job: "nightly", Slot: jobs.SlotFor(clock), Owner: "dead", StartedAt: clock, HeartbeatAt: clock})
	require.NoError(t, err)

	clock = clock.Add(24 * time.Hour)
	runner := jobs.NewRunner(st, quiet, now)
	run, err := runner.Run(ctx, jobs.Request{Job: "nightly", Slot: jobs.SlotFor(clock)}, func(ctx context.Context, p *jobs.Progress) (any, error) { return nil, nil })
	require.NoError(t, err)
	assert.Equal(t, store.JobSucceeded, run.Status)
	old, err := st.FindJobRunByID(ctx, dead.ID)
	require.NoError(t, err)
	assert.Equal(t, store.JobAbandoned, old.Status, "the dead run is marked, not left running forever")
}

func TestSchedulerRejectsBadSpec(t *testing.T) {
	s := jobs.NewScheduler(jobs.NewRunner(storetest.OpenSQLite(t), quiet, nil), quiet, time.UTC)
	err := s.Add("x", "every night", func(context.Context, *jobs.Progress) (any, error) { return nil, nil })
	assert.Equal(t, fault.Invalid, fault.CodeOf(err))
	assert.NoError(t, s.Add("x", "0 2 * * *", func(context.Context, *jobs.Progress) (any, error) { return nil, nil }))
}
