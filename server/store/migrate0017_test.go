package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// TestMigration0017KeepsOneForecastPerQueueAndRun: a run's second forecast
// of a queue (an item worked twice) is refused as a conflict, and rerunning
// the step over duplicates left from before unties the later ones from the
// run without losing them.
func TestMigration0017KeepsOneForecastPerQueueAndRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		ch, err := st.CreateChannel(ctx, org.Channel{Key: "voice", Name: "Voice", Kind: org.Realtime})
		require.NoError(t, err)
		q, err := st.CreateQueue(ctx, org.Queue{Name: "Q", ChannelID: ch.ID, Timezone: "UTC", ServiceLevelPct: 80, AnswerWithinSec: 20,
			DefaultAHTSec: 300, ChatConcurrency: 1, IntervalMin: 30})
		require.NoError(t, err)
		day := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
		run, err := st.ClaimJobRun(ctx, store.JobRun{Job: "forecast", Status: store.JobRunning, StartedAt: day, HeartbeatAt: day})
		require.NoError(t, err)
		f := store.Forecast{QueueID: q.ID, JobRunID: &run.ID, Method: "m", IntervalMin: 30, StartAt: day, EndAt: day.AddDate(0, 0, 7)}
		first, err := st.CreateForecast(ctx, f, nil)
		require.NoError(t, err)
		_, err = st.CreateForecast(ctx, f, nil)
		assert.True(t, fault.Is(err, fault.Conflict), "a second forecast of the run for the queue: %v", err)
		_, err = st.CreateForecast(ctx, store.Forecast{QueueID: q.ID, Method: "m", IntervalMin: 30, StartAt: day, EndAt: day.AddDate(0, 0, 7)}, nil)
		require.NoError(t, err, "forecasts of no run are not limited")

		db, err := st.SQL()
		require.NoError(t, err)
		_, err = db.ExecContext(ctx, `DROP INDEX forecasts_queue_run`)
		require.NoError(t, err)
		dup, err := st.CreateForecast(ctx, f, nil)
		require.NoError(t, err)
		_, err = db.ExecContext(ctx, `DELETE FROM schema_migrations WHERE id = '0017_forecast_of_run'`)
		require.NoError(t, err)
		require.NoError(t, st.Migrate(ctx))

		got, err := st.FindForecastOfRun(ctx, q.ID, run.ID)
		require.NoError(t, err)
		assert.Equal(t, first.ID, got.ID, "the first forecast keeps its run")
		kept, err := st.FindForecastByID(ctx, dup.ID)
		require.NoError(t, err, "the duplicate's data stays")
		assert.Nil(t, kept.JobRunID)
		_, err = st.CreateForecast(ctx, f, nil)
		assert.True(t, fault.Is(err, fault.Conflict), "the index holds again: %v", err)
	})
}
