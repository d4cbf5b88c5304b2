package server_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

func TestCoachingIsBookedIntoTheQuietestSlotOfAPublishedShift(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		now := time.Date(2026, 3, 9, 6, 0, 0, 0, time.UTC) // Monday, before the shifts
		w := newWorldAt(t, st, func() time.Time { return now })
		ctx := context.Background()
		// a1 serves the voice queue; its forecast is quiet at 14:00-15:00 UTC on Tuesday.
		a1 := w.agentA1
		a1.Skills = []org.Skill{{Kind: "channel", Value: "voice", Proficiency: 4}}
		var err error
		a1, err = st.UpdateAgent(ctx, a1)
		require.NoError(t, err)
		var pts []store.ForecastPoint
		for t0 := now; t0.Before(now.AddDate(0, 0, 7)); t0 = t0.Add(30 * time.Minute) {
			c := 40.0
			if t0.Weekday() == time.Tuesday && t0.Hour() == 14 {
				c = 2
			}
			pts = append(pts, store.ForecastPoint{StartAt: t0, Contacts: c, Lower: c, Upper: c})
		}
		_, err = st.CreateForecast(ctx, store.Forecast{QueueID: w.queue.ID, Method: "test", IntervalMin: 30, StartAt: pts[0].StartAt,
			EndAt: pts[len(pts)-1].StartAt.Add(30 * time.Minute), HistoryFrom: now.AddDate(0, 0, -28), HistoryTo: now}, pts)
		require.NoError(t, err)
		var shifts []calendar.Shift
		for d := 0; d < 5; d++ {
			start := time.Date(2026, 3, 9+d, 9, 0, 0, 0, time.UTC)
			shifts = append(shifts, calendar.Shift{AgentID: a1.ID, Template: "FT8", Start: start, End: start.Add(8*time.Hour + 30*time.Minute), PaidMinutes: 480,
				Breaks: []calendar.Break{{Name: "lunch", Start: start.Add(4 * time.Hour), End: start.Add(4*time.Hour + 30*time.Minute)}}})
		}
		sch, err := st.CreateScheduleDraft(ctx, store.Schedule{Name: "week 11", Timezone: "Europe/Lisbon", PeriodStart: time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC),
			PeriodEnd: time.Date(2026, 3, 16, 0, 0, 0, 0, time.UTC)}, shifts)
		require.NoError(t, err)
		_, _, err = st.PublishSchedule(ctx, sch.ID, sch.Version, w.users[org.RolePlanner].ID, now.Add(-72*time.Hour))
		require.NoError(t, err)

		res := w.as(org.RoleSupervisor, http.MethodPost, "/api/v1/qa/coaching", map[string]any{"agent_id": a1.ID, "topic": "Tone",
			"due_at": time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC).Format(time.RFC3339)})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		id := itoa(int64(res.json(t)["id"].(float64)))
		assert.Equal(t, http.StatusForbidden, w.as(org.RoleAgent, http.MethodPost, "/api/v1/qa/coaching/"+id+"/book", map[string]any{"version": 1}).Status)
		assert.Equal(t, http.StatusBadRequest, w.as(org.RoleSupervisor, http.MethodPost, "/api/v1/qa/coaching/"+id+"/book", map[string]any{"version": 1, "minutes": 20}).Status)
		res = w.as(org.RoleSupervisor, http.MethodPost, "/api/v1/qa/coaching/"+id+"/book", map[string]any{"version": 1, "minutes": 60})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		booked := res.json(t)
		assert.Equal(t, "2026-03-10T14:00:00Z", booked["booked_start"], "the quietest hour of a shift that ends before the session is due")
		assert.Equal(t, "2026-03-10T15:00:00Z", booked["booked_end"])

		// The agent's published week now shows it as paid off-queue time.
		mine, err := st.FindShifts(ctx, store.ShiftFilter{AgentIDs: []int64{a1.ID}, From: time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC), Published: true})
		require.NoError(t, err)
		require.Len(t, mine, 1)
		var coaching *calendar.Break
		for i := range mine[0].Breaks {
			if mine[0].Breaks[i].Name == "coaching" {
				coaching = &mine[0].Breaks[i]
			}
		}
		require.NotNil(t, coaching, "breaks: %+v", mine[0].Breaks)
		assert.True(t, coaching.Paid)
		assert.Equal(t, shifts[1].Start.Add(5*time.Hour), coaching.Start)
		assert.Equal(t, http.StatusConflict, w.as(org.RoleSupervisor, http.MethodPost, "/api/v1/qa/coaching/"+id+"/book", map[string]any{"version": booked["version"]}).Status)
	})
}
