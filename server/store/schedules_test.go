package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

func TestFindShiftsOrdersByStartThenIDAndLeanLeavesOutText(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		site, err := st.CreateSite(ctx, org.Site{Name: "S", Timezone: "UTC"})
		require.NoError(t, err)
		team, err := st.CreateTeam(ctx, org.Team{SiteID: site.ID, Name: "T"})
		require.NoError(t, err)
		a, err := st.CreateAgent(ctx, org.Agent{Name: "a", Email: "a@example.com", Timezone: "UTC", TeamID: &team.ID, Contract: org.DefaultContract})
		require.NoError(t, err)
		t0 := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
		mk := func(h int, note string) calendar.Shift {
			start := t0.Add(time.Duration(h) * time.Hour)
			return calendar.Shift{AgentID: a.ID, Template: "T", Start: start, End: start.Add(4 * time.Hour), PaidMinutes: 225, Note: note,
				Breaks: []calendar.Break{{Name: "b", Start: start.Add(time.Hour), End: start.Add(75 * time.Minute), Paid: true}}}
		}
		// Stored out of order, two with the same start.
		sch, err := st.CreateScheduleDraft(ctx, store.Schedule{Name: "P", Timezone: "UTC", PeriodStart: t0, PeriodEnd: t0.AddDate(0, 0, 1)},
			[]calendar.Shift{mk(2, "late"), mk(0, "first"), mk(0, "second"), {Template: "H", Start: t0, End: t0.Add(time.Hour)}})
		require.NoError(t, err)
		all, err := st.FindShifts(ctx, store.ShiftFilter{ScheduleID: sch.ID})
		require.NoError(t, err)
		require.Len(t, all, 4)
		for i := 1; i < len(all); i++ {
			ok := all[i-1].Start.Before(all[i].Start) || (all[i-1].Start.Equal(all[i].Start) && all[i-1].ID < all[i].ID)
			assert.True(t, ok, "shift %d is in (start, id) order", i)
		}
		assert.Equal(t, "late", all[3].Note)
		assert.NotEmpty(t, all[3].UID)
		assert.Equal(t, []string{"first", "second", "", "late"}, []string{all[0].Note, all[1].Note, all[2].Note, all[3].Note}, "same start: by id")
		assert.Equal(t, int64(0), all[2].AgentID, "a headcount shift has no agent")
		assert.Equal(t, []calendar.Break{{Name: "b", Start: t0.Add(3 * time.Hour), End: t0.Add(3*time.Hour + 15*time.Minute), Paid: true}}, all[3].Breaks)

		lean, err := st.FindShifts(ctx, store.ShiftFilter{ScheduleID: sch.ID, Lean: true})
		require.NoError(t, err)
		require.Len(t, lean, 4)
		for i := range all {
			want := all[i]
			want.UID, want.Note = "", ""
			assert.Equal(t, want, lean[i])
		}

		none, err := st.FindShifts(ctx, store.ShiftFilter{ScheduleID: sch.ID + 1})
		require.NoError(t, err)
		assert.NotNil(t, none, "no shifts is an empty list, not null in JSON")
		assert.Empty(t, none)
	})
}
