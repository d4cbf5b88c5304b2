package server_test

import (
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

// A supervisor reads a plan's shifts of their teams' agents only; a planner
// reads them all.
func TestSupervisorSeesTheirTeamsShiftsOnly(t *testing.T) {
	st := storetest.OpenSQLite(t)
	w := newWorld(t, st)
	start := time.Now().UTC().Truncate(time.Hour).Add(48 * time.Hour)
	var shifts []calendar.Shift
	for _, a := range []org.Agent{w.agentA1, w.agentA2, w.agentB1} {
		shifts = append(shifts, calendar.Shift{AgentID: a.ID, Template: "8h", Start: start, End: start.Add(8 * time.Hour), PaidMinutes: 480})
	}
	plan, err := st.CreateScheduleDraft(t.Context(), store.Schedule{Name: "p", Timezone: "UTC", PeriodStart: start.Add(-time.Hour), PeriodEnd: start.Add(24 * time.Hour)}, shifts)
	require.NoError(t, err)
	path := "/api/v1/schedules/" + itoa(plan.ID) + "/shifts"
	count := func(role org.Role, q string) (int, map[float64]bool) {
		res := w.as(role, http.MethodGet, path+q, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var got []map[string]any
		require.NoError(t, jsonUnmarshalBytes(res.Body, &got))
		ids := map[float64]bool{}
		for _, sh := range got {
			ids[sh["agent_id"].(float64)] = true
		}
		return len(got), ids
	}
	n, _ := count(org.RolePlanner, "")
	assert.Equal(t, 3, n)
	n, ids := count(org.RoleSupervisor, "")
	assert.Equal(t, 2, n, "team A's two agents")
	assert.False(t, ids[float64(w.agentB1.ID)], "not team B's")
	n, _ = count(org.RoleSupervisor, "?agent_id="+itoa(w.agentB1.ID))
	assert.Zero(t, n, "asking for another team's agent gives nothing")
}
