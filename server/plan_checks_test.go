package server_test

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

// TestDraftsWarnAboutShiftsOutsideAvailability: an uploaded draft and a
// hand edit are re-checked by the plan validator against the agent's
// availability, on the agent's clock (Lisbon, UTC+1 in June).
func TestDraftsWarnAboutShiftsOutsideAvailability(t *testing.T) {
	st := storetest.OpenSQLite(t)
	w := newWorld(t, st)
	a := w.agentA2
	a.Availability = []org.Window{{Day: "mon", From: "09:00", To: "17:00"}, {Day: "tue", From: "22:00", To: "06:00"}}
	a, err := st.UpdateAgent(context.Background(), a)
	require.NoError(t, err)
	lisbon, _ := time.LoadLocation("Europe/Lisbon")
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, lisbon) // a Monday
	shift := func(from, to time.Duration) map[string]any {
		return map[string]any{"agent_id": a.ID, "template": "day", "start": day.Add(from), "end": day.Add(to), "paid_minutes": int((to - from).Minutes())}
	}
	draft := map[string]any{"name": "Avail", "timezone": "Europe/Lisbon", "period_start": day, "period_end": day.AddDate(0, 0, 7), "shifts": []any{
		shift(9*time.Hour, 17*time.Hour),                               // inside Monday's window
		shift(46*time.Hour, 52*time.Hour),                              // Tue 22:00 to Wed 04:00: inside the window past midnight
		shift(4*24*time.Hour+9*time.Hour, 4*24*time.Hour+12*time.Hour), // Friday: no window
	}}
	res := w.as(org.RolePlanner, "POST", "/api/v1/schedules", draft)
	require.Equal(t, 201, res.Status, "%s", res.Body)
	report, _ := res.json(t)["report"].(string)
	assert.Contains(t, report, "availability")
	assert.Contains(t, report, "Fri 5 Jun 2026 09:00", "the Friday shift, on the agent's clock")
	assert.NotContains(t, report, "Mon 1 Jun 2026", "the Monday shift is inside the window")
	assert.NotContains(t, report, "Tue 2 Jun 2026", "the night shift is inside the window past midnight")
}

// TestHandMadeDraftsAreCheckedOnTheAgentsClock: a hand-made draft is judged
// by the plan validator: a New York agent's week that a Lisbon plan's
// period cuts keeps its minimum hours pro rata (the old check exempted cut
// weeks), and a shift right after another plan's published one breaks rest.
func TestHandMadeDraftsAreCheckedOnTheAgentsClock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		ctx := context.Background()
		ny, _ := time.LoadLocation("America/New_York")
		a, err := st.FindAgentByID(ctx, w.agentA1.ID)
		require.NoError(t, err)
		a.Timezone = "America/New_York"
		a.Contract = org.Contract{Name: "FT", MinWeekHours: 40, MaxWeekHours: 48, MaxShiftsPerWeek: 6, MinRestHours: 11, MaxConsecutiveDays: 6}
		_, err = st.UpdateAgent(ctx, a)
		require.NoError(t, err)
		// Wednesday to the next Wednesday on the plan's clock: the agent's
		// week of Monday 8 March 2027 is cut, and his one shift in it is 8 h.
		lisbon, _ := time.LoadLocation("Europe/Lisbon")
		start := time.Date(2027, 3, 10, 0, 0, 0, 0, lisbon)
		shift := func(d, h int) map[string]any {
			s := time.Date(2027, 3, d, h, 0, 0, 0, ny)
			return map[string]any{"agent_id": a.ID, "template": "day", "start": s, "end": s.Add(8 * time.Hour), "paid_minutes": 480}
		}
		res := w.as(org.RolePlanner, "POST", "/api/v1/schedules", map[string]any{"name": "Cut week", "timezone": "Europe/Lisbon",
			"period_start": start, "period_end": start.AddDate(0, 0, 7), "shifts": []any{shift(11, 9)}})
		require.Equal(t, 201, res.Status, "%s", res.Body)
		assert.Contains(t, string(res.Body), "min_week_hours", "the cut week's minimum holds pro rata")

		// Another plan publishes a late shift; a shift 4 h after it breaks rest.
		late := time.Date(2027, 3, 12, 14, 0, 0, 0, ny)
		other, err := st.CreateScheduleDraft(ctx, store.Schedule{Name: "Other", Timezone: "UTC", PeriodStart: start.UTC(), PeriodEnd: start.AddDate(0, 0, 7).UTC()},
			[]calendar.Shift{{AgentID: a.ID, Template: "late", Start: late, End: late.Add(8 * time.Hour), PaidMinutes: 480}})
		require.NoError(t, err)
		_, _, err = st.PublishSchedule(ctx, other.ID, other.Version, 0, start.AddDate(0, 0, -7))
		require.NoError(t, err)
		res = w.as(org.RolePlanner, "POST", "/api/v1/schedules", map[string]any{"name": "Early", "timezone": "Europe/Lisbon",
			"period_start": start, "period_end": start.AddDate(0, 0, 7), "shifts": []any{shift(13, 2)}})
		require.Equal(t, 201, res.Status, "%s", res.Body)
		assert.Contains(t, string(res.Body), "min_rest")
	})
}
