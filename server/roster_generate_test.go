package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/scheduling/roster"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

func rosterTemplates() map[string]any {
	return map[string]any{"interval_min": 30, "templates": []map[string]any{
		{"name": "FT8", "span_min": 510, "paid_min": 480, "start": map[string]any{"from": "07:00", "to": "11:00", "step_min": 30},
			"days":   []string{"mon", "tue", "wed", "thu", "fri"},
			"breaks": []map[string]any{{"name": "lunch", "length_min": 30, "paid": false, "earliest_start_min": 210, "latest_start_min": 300, "step_min": 30}}},
		{"name": "PT4", "span_min": 240, "paid_min": 240, "start": map[string]any{"from": "08:00", "to": "14:00", "step_min": 30},
			"days": []string{"mon", "tue", "wed", "thu", "fri"}},
	}}
}

// TestRosterJobMakesADraftThatKeepsTheRules rosters stored agents onto a
// queue's forecast through the API and checks the draft it leaves.
func TestRosterJobMakesADraftThatKeepsTheRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorldAt(t, st, beforeMarch2026)
		ctx := context.Background()
		lisbon, _ := time.LoadLocation("Europe/Lisbon")
		monday := time.Date(2026, 3, 23, 0, 0, 0, 0, lisbon) // the week Lisbon moves to summer time (29 March)
		var pts []store.ForecastPoint
		for t0 := monday; t0.Before(monday.AddDate(0, 0, 7)); t0 = t0.Add(30 * time.Minute) {
			l := t0.In(lisbon)
			c := 0.0
			if l.Weekday() != time.Saturday && l.Weekday() != time.Sunday && l.Hour() >= 8 && l.Hour() < 18 {
				c = 30
			}
			pts = append(pts, store.ForecastPoint{StartAt: t0.UTC(), Contacts: c, Lower: c, Upper: c})
		}
		_, err := st.CreateForecast(ctx, store.Forecast{QueueID: w.queue.ID, Method: "test", IntervalMin: 30, StartAt: pts[0].StartAt,
			EndAt: pts[len(pts)-1].StartAt.Add(30 * time.Minute), HistoryFrom: monday.AddDate(0, 0, -28), HistoryTo: monday}, pts)
		require.NoError(t, err)
		var agents []org.Agent
		for i := 0; i < 14; i++ {
			a := org.Agent{Name: fmt.Sprint("voice ", i), Email: fmt.Sprintf("v%d@agents.example.com", i), Timezone: "Europe/Lisbon", TeamID: &w.teamA.ID,
				Contract: org.DefaultContract, Skills: []org.Skill{{Kind: "channel", Value: "voice", Proficiency: 4}}}
			if i%4 == 0 {
				a.Availability = []org.Window{{Day: "mon", From: "08:00", To: "20:00"}, {Day: "tue", From: "08:00", To: "20:00"}, {Day: "wed", From: "08:00", To: "20:00"}}
			}
			created, err := st.CreateAgent(ctx, a)
			require.NoError(t, err)
			agents = append(agents, created)
		}

		// Agent 1 already works Monday 09:00-17:30 in another published plan:
		// the roster must work around it, not double-book him.
		busyStart := time.Date(2026, 3, 23, 9, 0, 0, 0, lisbon)
		busy := calendar.Shift{AgentID: agents[1].ID, Template: "other", Start: busyStart, End: busyStart.Add(8*time.Hour + 30*time.Minute), PaidMinutes: 510}
		other, err := st.CreateScheduleDraft(ctx, store.Schedule{Name: "Other plan", Timezone: "Europe/Lisbon", PeriodStart: monday.UTC(), PeriodEnd: monday.AddDate(0, 0, 7).UTC()},
			[]calendar.Shift{busy})
		require.NoError(t, err)
		_, _, err = st.PublishSchedule(ctx, other.ID, other.Version, 0, monday.AddDate(0, 0, -7))
		require.NoError(t, err)

		req := map[string]any{"name": "Week 13", "queue_ids": []int64{w.queue.ID}, "start": "2026-03-23", "weeks": 1, "timezone": "Europe/Lisbon",
			"templates": rosterTemplates(), "time_limit_seconds": 5}
		assert.Equal(t, http.StatusForbidden, w.as(org.RoleAgent, http.MethodPost, "/api/v1/schedules/roster", req).Status)
		assert.Equal(t, http.StatusConflict, w.as(org.RoleAdmin, http.MethodPost, "/api/v1/jobs/roster/runs", nil).Status,
			"the roster job starts from its own endpoint, never bare from the job trigger")
		res := w.as(org.RolePlanner, http.MethodPost, "/api/v1/schedules/generate", map[string]any{"queue_id": w.queue.ID, "start": "2026-03-23", "weeks": 1,
			"templates": rosterTemplates(), "stress_budget": 2})
		assert.Equal(t, http.StatusBadRequest, res.Status)
		assert.Contains(t, string(res.Body), "stress_budget")
		bad := map[string]any{"name": "x", "queue_ids": []int64{w.queue.ID}, "start": "23/03/2026", "weeks": 9, "timezone": "Mars/Olympus",
			"templates": map[string]any{"interval_min": 30, "templates": []map[string]any{{"name": "X", "span_min": 60, "paid_min": 90,
				"start": map[string]any{"from": "07:00", "to": "08:00", "step_min": 30}, "days": []string{"mon"}}}},
			"shortfall_allowance_pct": 6}
		res = w.as(org.RolePlanner, http.MethodPost, "/api/v1/schedules/roster", bad)
		require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
		for _, f := range []string{"start", "weeks", "timezone", "templates.", "shortfall_allowance_pct"} {
			assert.Contains(t, string(res.Body), f)
		}

		run := runRoster(t, w, req)
		var result struct {
			ScheduleID int64 `json:"schedule_id"`
			Report     struct {
				ShortfallAllowanceHours float64 `json:"shortfall_allowance_hours"`
				Total                   struct {
					RequiredHours float64 `json:"required_agent_hours"`
				} `json:"total"`
				Violations  []calendar.Violation `json:"violations"`
				OverStretch []struct {
					Reason string `json:"reason"`
				} `json:"over_stretch"`
				Kindness *struct {
					Kind     map[string]float64 `json:"kind"`
					Cheapest map[string]float64 `json:"cheapest"`
					Cost     map[string]float64 `json:"cost"`
				} `json:"kindness"`
			} `json:"report"`
		}
		require.NoError(t, json.Unmarshal([]byte(run.Result), &result))
		require.NotZero(t, result.ScheduleID)
		// Without shortfall_allowance_pct the default allowance applies.
		assert.InDelta(t, roster.DefaultShortfallAllowance*result.Report.Total.RequiredHours, result.Report.ShortfallAllowanceHours, 1e-9)
		// The job's result sets the cheapest roster's figures beside the
		// kind one's, and says why each shift over the stretch limit is.
		require.NotNil(t, result.Report.Kindness, "%s", run.Result)
		k := result.Report.Kindness
		for _, f := range []string{"paid_agent_hours", "under_agent_hours", "longest_peak_stretch_min", "agents_over_stretch", "peak_share_gini", "weekend_share_gini", "night_share_gini"} {
			require.Contains(t, k.Cheapest, f)
			assert.InDelta(t, k.Kind[f]-k.Cheapest[f], k.Cost[f], 1e-9, f)
		}
		for _, n := range result.Report.OverStretch {
			assert.NotEmpty(t, n.Reason)
		}

		shifts, err := st.FindShifts(ctx, store.ShiftFilter{ScheduleID: result.ScheduleID})
		require.NoError(t, err)
		require.NotEmpty(t, shifts)
		// The plan validator re-checked the roster in the job and found nothing.
		draft, err := st.FindScheduleByID(ctx, result.ScheduleID)
		require.NoError(t, err)
		var saved struct {
			Validator *[]calendar.Violation `json:"validator"`
		}
		require.NoError(t, json.Unmarshal([]byte(draft.Report), &saved))
		assert.Nil(t, saved.Validator, "validator breaches: %v", saved.Validator)
		byAgent := map[int64][]calendar.Shift{}
		for _, sh := range shifts {
			byAgent[sh.AgentID] = append(byAgent[sh.AgentID], sh)
		}
		for _, a := range agents {
			mine := byAgent[a.ID]
			assert.Empty(t, calendar.CheckContract(a.ID, calendar.Contract(a.Contract), lisbon, mine, monday, monday.AddDate(0, 0, 7)), "agent %s", a.Name)
			for _, sh := range mine {
				l := sh.Start.In(lisbon)
				assert.True(t, l.Hour() >= 7 && l.Hour() <= 14, "shift starts on the local clock: %s", l)
				if len(a.Availability) > 0 {
					wd := l.Weekday()
					assert.True(t, wd >= time.Monday && wd <= time.Wednesday && l.Hour() >= 8 && sh.End.In(lisbon).Hour() <= 20,
						"agent %s works only when available: %s-%s", a.Name, l, sh.End.In(lisbon))
				}
			}
			delete(byAgent, a.ID)
		}
		assert.Empty(t, byAgent, "only agents with the queue's skill are rostered")
		for _, sh := range shifts {
			if sh.AgentID == busy.AgentID {
				assert.False(t, sh.Start.Before(busy.End) && busy.Start.Before(sh.End), "agent 1 is not double-booked: %s-%s", sh.Start, sh.End)
			}
		}

		// A hand-made draft that does double-book him says so in its warnings,
		// and publishing it needs them accepted.
		clash := busy
		clash.Start, clash.End = busyStart.Add(2*time.Hour), busyStart.Add(6*time.Hour)
		clash.PaidMinutes = 240
		res = w.as(org.RolePlanner, http.MethodPost, "/api/v1/schedules", map[string]any{"name": "Clash", "timezone": "Europe/Lisbon",
			"period_start": monday, "period_end": monday.AddDate(0, 0, 7), "shifts": []calendar.Shift{clash}})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		assert.Contains(t, string(res.Body), "double_booked")
		clashID := int64(res.json(t)["id"].(float64))
		res = w.as(org.RolePlanner, http.MethodPost, "/api/v1/schedules/"+itoa(clashID)+"/publish", map[string]any{}, map[string]string{"If-Match": `"1"`})
		assert.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
		assert.Contains(t, string(res.Body), "double_booked")

		// Shifts in other published plans count toward the contract: a
		// sixth shift in a week where another plan already has five is one
		// too many, though this draft alone has one.
		var five []calendar.Shift
		for d := 0; d < 5; d++ {
			at := time.Date(2026, 3, 23+d, 8, 0, 0, 0, lisbon)
			five = append(five, calendar.Shift{AgentID: agents[2].ID, Template: "other", Start: at, End: at.Add(8 * time.Hour), PaidMinutes: 480})
		}
		week, err := st.CreateScheduleDraft(ctx, store.Schedule{Name: "Agent 2's week", Timezone: "Europe/Lisbon", PeriodStart: monday.UTC(), PeriodEnd: monday.AddDate(0, 0, 7).UTC()}, five)
		require.NoError(t, err)
		_, _, err = st.PublishSchedule(ctx, week.ID, week.Version, 0, monday.AddDate(0, 0, -7))
		require.NoError(t, err)
		saturday := time.Date(2026, 3, 28, 9, 0, 0, 0, lisbon)
		res = w.as(org.RolePlanner, http.MethodPost, "/api/v1/schedules", map[string]any{"name": "Saturday", "timezone": "Europe/Lisbon",
			"period_start": monday, "period_end": monday.AddDate(0, 0, 7), "shifts": []calendar.Shift{{AgentID: agents[2].ID, Template: "PT4",
				Start: saturday, End: saturday.Add(4 * time.Hour), PaidMinutes: 240}}})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		assert.Contains(t, string(res.Body), "max_shifts_per_week", "five shifts elsewhere plus this one")
		assert.Contains(t, string(res.Body), "max_week_hours", "40 hours elsewhere plus these 4")
		assert.NotContains(t, string(res.Body), "double_booked")
	})
}

// TestValidatorBreachesStayWithTheRevision: breaches the plan validator saved
// with a rostered draft are listed with the live rule warnings, and
// publishing asks to accept them.
func TestValidatorBreachesStayWithTheRevision(t *testing.T) {
	w := newWorld(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	day := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	report := `{"warnings":[],"validator":[{"agent_id":` + itoa(w.agentA1.ID) + `,"rule":"start_window","message":"shift 1: starts at 09:00 local; template E starts 06:00 to 08:00"}]}`
	d, err := w.st.CreateScheduleDraft(ctx, store.Schedule{Name: "Rostered", Timezone: "UTC", PeriodStart: day.Add(-9 * time.Hour), PeriodEnd: day.AddDate(0, 0, 7), Report: report},
		[]calendar.Shift{{AgentID: w.agentA1.ID, Template: "E", Start: day, End: day.Add(8 * time.Hour), PaidMinutes: 480}})
	require.NoError(t, err)
	res := w.as(org.RolePlanner, http.MethodPost, "/api/v1/schedules/"+itoa(d.ID)+"/publish", map[string]any{}, map[string]string{"If-Match": `"1"`})
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
	assert.Contains(t, string(res.Body), "start_window")
	res = w.as(org.RolePlanner, http.MethodPost, "/api/v1/schedules/"+itoa(d.ID)+"/publish", map[string]any{"accept_warnings": true, "reason": "checked by hand"},
		map[string]string{"If-Match": `"1"`})
	assert.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
}
