package server_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

func TestTimeOffRequestFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorldAt(t, st, func() time.Time { return time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC) })
		res := w.as(org.RoleAgent, "POST", "/api/v1/time-off", map[string]any{"first_date": "2026-03-29", "reason": "family"})
		require.Equal(t, 201, res.Status, "%s", res.Body)
		req := res.json(t)
		assert.Equal(t, "pending", req["status"])
		assert.Equal(t, "2026-03-29T00:00:00Z", req["start"])
		assert.Equal(t, "2026-03-29T23:00:00Z", req["end"], "Lisbon's spring-forward day has 23 hours")
		id := int64(req["id"].(float64))
		path := fmt.Sprintf("/api/v1/time-off/%d", id)

		res = w.as(org.RoleAgent, "POST", "/api/v1/time-off", map[string]any{"first_date": "2026-03-28", "last_date": "2026-03-29"})
		assert.Equal(t, 409, res.Status, "overlaps the request made: %s", res.Body)
		assert.Contains(t, string(res.Body), fmt.Sprintf("overlaps request %d", id))
		res = w.as(org.RoleAgent, "POST", "/api/v1/time-off", map[string]any{"first_date": "2026-03-19"})
		assert.Equal(t, 400, res.Status, "a day that has begun: %s", res.Body)
		assert.Contains(t, string(res.Body), "has begun already")

		res = w.as(org.RoleAgent, "POST", "/api/v1/time-off", map[string]any{"agent_id": w.agentA2.ID, "first_date": "2026-03-30"})
		assert.Equal(t, 404, res.Status, "an agent cannot ask for a colleague")
		res = w.as(org.RoleAgent, "POST", "/api/v1/time-off", map[string]any{"first_date": "2026-03-30", "from": "13:00", "to": "09:00"})
		assert.Equal(t, 400, res.Status)
		assert.Contains(t, string(res.Body), `"to"`)

		assert.Equal(t, 403, w.as(org.RoleAgent, "POST", path+"/decision", map[string]any{"approve": true, "version": 1}).Status, "agents cannot approve")
		// agentB1's supervisor is nobody: the supervisor of team A cannot decide B's requests.
		other := w.as(org.RolePlanner, "POST", "/api/v1/time-off", map[string]any{"agent_id": w.agentB1.ID, "first_date": "2026-04-02"})
		require.Equal(t, 201, other.Status, "%s", other.Body)
		otherID := int64(other.json(t)["id"].(float64))
		assert.Equal(t, 404, w.as(org.RoleSupervisor, "POST", fmt.Sprintf("/api/v1/time-off/%d/decision", otherID), map[string]any{"approve": true, "version": 1}).Status)

		res = w.as(org.RoleSupervisor, "POST", path+"/decision", map[string]any{"approve": true, "note": "enjoy"}, map[string]string{"If-Match": `"1"`})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		assert.Equal(t, "approved", res.json(t)["status"])
		assert.Equal(t, 409, w.as(org.RolePlanner, "POST", path+"/decision", map[string]any{"approve": false, "version": 2}).Status, "decided once")

		list := w.as(org.RoleAgent, "GET", "/api/v1/time-off", nil).json(t)
		assert.EqualValues(t, 1, list["total"], "an agent lists only their own requests")
		list = w.as(org.RoleSupervisor, "GET", "/api/v1/time-off", nil).json(t)
		assert.EqualValues(t, 1, list["total"], "a supervisor lists their team's")
		list = w.as(org.RolePlanner, "GET", "/api/v1/time-off?status=pending", nil).json(t)
		assert.EqualValues(t, 1, list["total"])

		res = w.as(org.RoleAgent, "POST", path+"/cancel", nil)
		require.Equal(t, 200, res.Status, "%s", res.Body)
		assert.Equal(t, "cancelled", res.json(t)["status"])
	})
}

// Approving time off takes the agent off the published shift that day: the
// plan gets a new revision without it, audited; a part-day request on part
// of a shift is refused with the reason and stays pending.
func TestApprovingTimeOffTakesTheAgentOffShift(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		lisbon, _ := time.LoadLocation("Europe/Lisbon")
		day := time.Now().In(lisbon).AddDate(0, 0, 10)
		shiftStart := time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, lisbon)
		plan, err := st.CreateScheduleDraft(t.Context(), store.Schedule{Name: "week", Timezone: "Europe/Lisbon", PeriodStart: shiftStart.AddDate(0, 0, -3), PeriodEnd: shiftStart.AddDate(0, 0, 4)},
			[]calendar.Shift{
				{AgentID: w.agentA1.ID, Template: "8h", Start: shiftStart, End: shiftStart.Add(8 * time.Hour), PaidMinutes: 480},
				{AgentID: w.agentA1.ID, Template: "8h", Start: shiftStart.AddDate(0, 0, 1), End: shiftStart.AddDate(0, 0, 1).Add(8 * time.Hour), PaidMinutes: 480},
				{AgentID: w.agentA2.ID, Template: "8h", Start: shiftStart, End: shiftStart.Add(8 * time.Hour), PaidMinutes: 480},
			})
		require.NoError(t, err)
		_, _, err = st.PublishSchedule(t.Context(), plan.ID, plan.Version, 0, time.Now())
		require.NoError(t, err)

		date := day.Format(time.DateOnly)
		part := w.as(org.RoleAgent, "POST", "/api/v1/time-off", map[string]any{"first_date": date, "from": "10:00", "to": "12:00", "reason": "dentist"})
		require.Equal(t, 201, part.Status, "%s", part.Body)
		partID := int64(part.json(t)["id"].(float64))
		res := w.as(org.RoleSupervisor, "POST", fmt.Sprintf("/api/v1/time-off/%d/decision", partID), map[string]any{"approve": true, "version": 1})
		assert.Equal(t, 422, res.Status, "%s", res.Body)
		assert.Contains(t, string(res.Body), "change the shift in the plan first")
		still, err := st.FindTimeOffByID(t.Context(), partID)
		require.NoError(t, err)
		assert.Equal(t, calendar.TimeOffPending, still.Status, "a refused approval decides nothing")

		require.Equal(t, 200, w.as(org.RoleAgent, "POST", fmt.Sprintf("/api/v1/time-off/%d/cancel", partID), nil).Status, "the agent withdraws it")
		full := w.as(org.RoleAgent, "POST", "/api/v1/time-off", map[string]any{"first_date": date, "reason": "family"})
		require.Equal(t, 201, full.Status, "%s", full.Body)
		fullID := int64(full.json(t)["id"].(float64))
		res = w.as(org.RoleSupervisor, "POST", fmt.Sprintf("/api/v1/time-off/%d/decision", fullID), map[string]any{"approve": true, "version": 1})
		require.Equal(t, 200, res.Status, "%s", res.Body)

		shifts, err := st.FindShifts(t.Context(), store.ShiftFilter{Published: true, AgentIDs: []int64{w.agentA1.ID, w.agentA2.ID}})
		require.NoError(t, err)
		var a1, a2 int
		for _, sh := range shifts {
			switch sh.AgentID {
			case w.agentA1.ID:
				a1++
				assert.False(t, sh.Start.Equal(shiftStart), "the shift on the day off is gone")
			case w.agentA2.ID:
				a2++
			}
		}
		assert.Equal(t, 1, a1, "a1 keeps the next day's shift")
		assert.Equal(t, 1, a2, "a colleague's shift stays")
		revs, _, err := st.FindSchedules(t.Context(), store.ScheduleFilter{PlanID: plan.PlanID})
		require.NoError(t, err)
		assert.Len(t, revs, 2, "a new revision was published")
	})
}

// TestADayOffLeavesAFullTimersWeekWhole: a 40-hour, five-shift agent with
// five published shifts takes a day off; approving it takes that day's shift
// away, and the four left keep his week, since time off counts a contract
// day (8 h) toward the minimum (docs/adr/0010-time-off-paid-as-contract-days.md).
func TestADayOffLeavesAFullTimersWeekWhole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		ctx := t.Context()
		a, err := st.FindAgentByID(ctx, w.agentA1.ID)
		require.NoError(t, err)
		a.Timezone = "Europe/Lisbon"
		a.Contract = org.Contract{Name: "FT", MinWeekHours: 40, MaxWeekHours: 40, MaxShiftsPerWeek: 5, MinRestHours: 11, MaxConsecutiveDays: 6}
		_, err = st.UpdateAgent(ctx, a)
		require.NoError(t, err)
		lisbon, _ := time.LoadLocation("Europe/Lisbon")
		now := time.Now().In(lisbon)
		monday := time.Date(now.Year(), now.Month(), now.Day()+14-int((now.Weekday()+6)%7), 0, 0, 0, 0, lisbon)
		var shifts []calendar.Shift
		for d := range 5 {
			s := monday.AddDate(0, 0, d).Add(9 * time.Hour)
			shifts = append(shifts, calendar.Shift{AgentID: a.ID, Template: "8h", Start: s, End: s.Add(8 * time.Hour), PaidMinutes: 480})
		}
		plan, err := st.CreateScheduleDraft(ctx, store.Schedule{Name: "week", Timezone: "Europe/Lisbon", PeriodStart: monday, PeriodEnd: monday.AddDate(0, 0, 7)}, shifts)
		require.NoError(t, err)
		_, _, err = st.PublishSchedule(ctx, plan.ID, plan.Version, 0, time.Now())
		require.NoError(t, err)

		wednesday := monday.AddDate(0, 0, 2).Format(time.DateOnly)
		req := w.as(org.RoleAgent, "POST", "/api/v1/time-off", map[string]any{"first_date": wednesday, "reason": "family"})
		require.Equal(t, 201, req.Status, "%s", req.Body)
		id := int64(req.json(t)["id"].(float64))
		res := w.as(org.RoleSupervisor, "POST", fmt.Sprintf("/api/v1/time-off/%d/decision", id), map[string]any{"approve": true, "version": 1})
		require.Equal(t, 200, res.Status, "%s", res.Body)

		revs, _, err := st.FindSchedules(ctx, store.ScheduleFilter{PlanID: plan.PlanID})
		require.NoError(t, err)
		require.Len(t, revs, 2)
		latest := revs[0]
		if revs[1].Revision > latest.Revision {
			latest = revs[1]
		}
		left, err := st.FindShifts(ctx, store.ShiftFilter{ScheduleID: latest.ID})
		require.NoError(t, err)
		assert.Len(t, left, 4, "Wednesday's shift is gone")

		// Publishing asks to accept the rules' warnings as they stand: a
		// draft of the same plan with three of the shifts is short, and says
		// what the time off counted; the four are not.
		draftOf := func(shifts []calendar.Shift) store.Schedule {
			var copied []calendar.Shift
			for _, sh := range shifts {
				sh.ID = 0
				copied = append(copied, sh)
			}
			d, err := st.CreateScheduleDraft(ctx, store.Schedule{PlanID: plan.PlanID, Name: "week", Timezone: "Europe/Lisbon", PeriodStart: monday, PeriodEnd: monday.AddDate(0, 0, 7)}, copied)
			require.NoError(t, err)
			return d
		}
		short := draftOf(left[:3])
		res = w.as(org.RolePlanner, "POST", fmt.Sprintf("/api/v1/schedules/%d/publish", short.ID), map[string]any{}, map[string]string{"If-Match": `"1"`})
		require.Equal(t, 422, res.Status, "%s", res.Body)
		assert.Contains(t, string(res.Body), "min_week_hours")
		assert.Contains(t, string(res.Body), "8.00 h credited for time off")
		whole := draftOf(left)
		res = w.as(org.RolePlanner, "POST", fmt.Sprintf("/api/v1/schedules/%d/publish", whole.ID), map[string]any{}, map[string]string{"If-Match": `"1"`})
		assert.Equal(t, 200, res.Status, "32 h with a day off keep a 40-hour week: %s", res.Body)
	})
}

// Twenty identical requests at once make one; the others are told it exists.
func TestTimeOffBurstMakesOneRequest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		date := time.Now().AddDate(0, 0, 20).Format(time.DateOnly)
		codes := make(chan int, 20)
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes <- w.as(org.RoleAgent, "POST", "/api/v1/time-off", map[string]any{"first_date": date}).Status
			}()
		}
		wg.Wait()
		close(codes)
		created := 0
		for c := range codes {
			if c == 201 {
				created++
			} else {
				assert.Equal(t, 409, c)
			}
		}
		assert.Equal(t, 1, created)
		list, n, err := st.FindTimeOff(t.Context(), store.TimeOffFilter{AgentIDs: []int64{w.agentA1.ID}})
		require.NoError(t, err)
		assert.Equal(t, 1, n, "nothing duplicated: %v", list)
	})
}
