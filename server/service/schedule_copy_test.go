package service_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// TestDraftFromPublished: the published revision is copied to the plan's
// next draft with its shifts and their UIDs; a draft or a superseded
// revision is refused; copies made at once each get their own revision.
func TestDraftFromPublished(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newLiveWorld(t, st)
		u, err := st.CreateUser(ctx, org.User{Email: "planner@example.com", Name: "planner", Role: org.RolePlanner}, "")
		require.NoError(t, err)
		at := func(d, h int) time.Time { return time.Date(2026, 12, 7+d, h, 0, 0, 0, time.UTC) }
		first, err := st.CreateScheduleDraft(ctx, store.Schedule{Name: "week", Timezone: "UTC", PeriodStart: at(0, 0), PeriodEnd: at(7, 0)},
			[]calendar.Shift{{AgentID: w.agent.ID, QueueID: w.queue.ID, Template: "8h", Start: at(1, 9), End: at(1, 17), PaidMinutes: 480},
				{AgentID: w.agent.ID, QueueID: w.queue.ID, Template: "8h", Start: at(2, 9), End: at(2, 17), PaidMinutes: 480}})
		require.NoError(t, err)
		_, err = w.svc.DraftFromPublished(ctx, u.ID, first.ID)
		assert.True(t, fault.Is(err, fault.Conflict), "a draft cannot be copied: %v", err)
		_, _, err = st.PublishSchedule(ctx, first.ID, first.Version, u.ID, w.now)
		require.NoError(t, err)

		draft, err := w.svc.DraftFromPublished(ctx, u.ID, first.ID)
		require.NoError(t, err)
		assert.Equal(t, store.ScheduleDraft, draft.Status)
		assert.Equal(t, first.PlanID, draft.PlanID)
		assert.Equal(t, 2, draft.Revision)
		assert.Equal(t, "week", draft.Name)
		assert.True(t, draft.PeriodStart.Equal(first.PeriodStart) && draft.PeriodEnd.Equal(first.PeriodEnd))
		was, err := st.FindShifts(ctx, store.ShiftFilter{ScheduleID: first.ID})
		require.NoError(t, err)
		copied, err := st.FindShifts(ctx, store.ShiftFilter{ScheduleID: draft.ID})
		require.NoError(t, err)
		require.Len(t, copied, 2)
		for i := range was {
			assert.Equal(t, was[i].UID, copied[i].UID, "the copy keeps the shifts' UIDs")
			assert.True(t, was[i].Start.Equal(copied[i].Start) && was[i].End.Equal(copied[i].End))
			assert.NotEqual(t, was[i].ID, copied[i].ID)
		}

		// Copies at once: each is the plan's next revision, none lost.
		const n = 6
		revs := make(chan int, n)
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d, err := w.svc.DraftFromPublished(ctx, u.ID, first.ID)
				if assert.NoError(t, err) {
					revs <- d.Revision
				}
			}()
		}
		wg.Wait()
		close(revs)
		seen := map[int]bool{}
		for r := range revs {
			assert.False(t, seen[r], "revision %d taken twice", r)
			seen[r] = true
		}
		assert.Len(t, seen, n)

		// Once the copy is published, the first revision is superseded and
		// cannot start a draft any more.
		_, _, err = st.PublishSchedule(ctx, draft.ID, draft.Version, u.ID, w.now)
		require.NoError(t, err)
		_, err = w.svc.DraftFromPublished(ctx, u.ID, first.ID)
		assert.True(t, fault.Is(err, fault.Conflict), "a superseded revision cannot be copied: %v", err)
		_, err = w.svc.DraftFromPublished(ctx, u.ID, 999999)
		assert.True(t, fault.Is(err, fault.NotFound), "%v", err)
	})
}
