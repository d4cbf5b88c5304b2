package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/org"
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
