package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// TestMigration0012RepairsPlans builds the states that concurrent publishes
// and swap approvals left before migration 0012 (two published revisions of
// one plan, two revisions with one number), reruns the step, and checks the
// repair: the newest published revision stays published, the others are
// superseded, revisions are renumbered in (revision, id) order, and the new
// unique indexes refuse a second published revision afterwards.
func TestMigration0012RepairsPlans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		day := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
		rev := func(planID int64) store.Schedule {
			d, err := st.CreateScheduleDraft(ctx, store.Schedule{PlanID: planID, Name: "repair", Timezone: "UTC", PeriodStart: day, PeriodEnd: day.AddDate(0, 0, 7)}, nil)
			require.NoError(t, err)
			return d
		}
		r1 := rev(0)
		_, _, err := st.PublishSchedule(ctx, r1.ID, r1.Version, 0, day)
		require.NoError(t, err)
		r2, r3 := rev(r1.PlanID), rev(r1.PlanID)
		db, err := st.SQL()
		require.NoError(t, err)
		exec := func(q string, args ...any) error {
			_, err := db.ExecContext(ctx, fmt.Sprintf(q, args...))
			return err
		}
		require.NoError(t, exec(`DROP INDEX schedules_one_published`))
		require.NoError(t, exec(`DROP INDEX schedules_plan_revision`))
		require.NoError(t, exec(`UPDATE schedules SET status = 'published' WHERE id = %d`, r2.ID))
		require.NoError(t, exec(`UPDATE schedules SET revision = 2 WHERE id = %d`, r3.ID))
		require.NoError(t, exec(`DELETE FROM schema_migrations WHERE id = '0012_schedule_revisions'`))

		require.NoError(t, st.Migrate(ctx))

		want := map[int64][2]any{r1.ID: {1, store.ScheduleSuperseded}, r2.ID: {2, store.SchedulePublished}, r3.ID: {3, store.ScheduleDraft}}
		for id, w := range want {
			got, err := st.FindScheduleByID(ctx, id)
			require.NoError(t, err)
			assert.Equal(t, w, [2]any{got.Revision, got.Status}, "revision id %d", id)
		}
		assert.Error(t, exec(`UPDATE schedules SET status = 'published' WHERE id = %d`, r1.ID), "a second published revision is refused")
		assert.Error(t, exec(`UPDATE schedules SET revision = 1 WHERE id = %d`, r3.ID), "a repeated revision number is refused")
	})
}
