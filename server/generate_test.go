package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// generateMonday is the first day of the generated week: no DST change.
var generateMonday = time.Date(2026, 3, 2, 0, 0, 0, 0, mustLoad("Europe/Lisbon"))

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// weekdayForecast stores a week's forecast for q from generateMonday:
// contacts on weekdays 08:00-18:00 local, none otherwise.
func weekdayForecast(t *testing.T, st *store.Store, q org.Queue, contacts float64) {
	t.Helper()
	var pts []store.ForecastPoint
	for t0 := generateMonday; t0.Before(generateMonday.AddDate(0, 0, 7)); t0 = t0.Add(30 * time.Minute) {
		l := t0.In(generateMonday.Location())
		c := 0.0
		if l.Weekday() != time.Saturday && l.Weekday() != time.Sunday && l.Hour() >= 8 && l.Hour() < 18 {
			c = contacts
		}
		pts = append(pts, store.ForecastPoint{StartAt: t0.UTC(), Contacts: c, Lower: c, Upper: c})
	}
	_, err := st.CreateForecast(context.Background(), store.Forecast{QueueID: q.ID, Method: "test", IntervalMin: 30, StartAt: pts[0].StartAt,
		EndAt: pts[len(pts)-1].StartAt.Add(30 * time.Minute), HistoryFrom: generateMonday.AddDate(0, 0, -28), HistoryTo: generateMonday}, pts)
	require.NoError(t, err)
}

// generationResult is what a finished generation run leaves.
type generationResult struct {
	ScheduleID int64             `json:"schedule_id"`
	Shifts     int               `json:"shifts"`
	PaidHours  float64           `json:"paid_hours"`
	Report     scheduling.Report `json:"report"`
}

// awaitRun polls the run until it is no longer running.
func awaitRun(t *testing.T, w *world, runID int64) store.JobRun {
	t.Helper()
	var run store.JobRun
	require.Eventually(t, func() bool {
		r := w.as(org.RolePlanner, http.MethodGet, "/api/v1/jobs/runs/"+itoa(runID), nil)
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		require.NoError(t, jsonUnmarshalBytes(r.Body, &run))
		return run.Status != store.JobRunning
	}, 60*time.Second, 100*time.Millisecond)
	return run
}

// TestGenerateRequestsAreChecked refuses bad generation requests with the
// fields to fix, and starts no run for them.
func TestGenerateRequestsAreChecked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorldAt(t, st, beforeMarch2026)
		weekdayForecast(t, st, w.queue, 20)
		unforecast, err := st.CreateQueue(context.Background(), org.Queue{Name: "Voice EN", ChannelID: w.channel.ID, Timezone: "Europe/Lisbon",
			ServiceLevelPct: 80, AnswerWithinSec: 20, DefaultAHTSec: 300, ChatConcurrency: 1, IntervalMin: 30})
		require.NoError(t, err)
		good := func(change func(m map[string]any)) map[string]any {
			m := map[string]any{"queue_id": w.queue.ID, "start": "2026-03-02", "weeks": 1, "templates": rosterTemplates(), "time_limit_seconds": 2}
			if change != nil {
				change(m)
			}
			return m
		}
		badTemplates := rosterTemplates()
		badTemplates["templates"].([]map[string]any)[0]["paid_min"] = 500
		quarter := rosterTemplates()
		quarter["interval_min"] = 15
		cases := []struct {
			name   string
			role   org.Role
			body   map[string]any
			status int
			fields []string
		}{
			{"agent", org.RoleAgent, good(nil), http.StatusForbidden, nil},
			{"supervisor", org.RoleSupervisor, good(nil), http.StatusForbidden, nil},
			{"many bad fields", org.RolePlanner, good(func(m map[string]any) {
				m["start"], m["weeks"], m["time_limit_seconds"] = "02/03/2026", 7, 601
			}), http.StatusBadRequest, []string{"start", "weeks", "time_limit_seconds"}},
			{"unknown queue", org.RolePlanner, good(func(m map[string]any) { m["queue_id"] = 99999 }), http.StatusBadRequest, []string{"queue_id"}},
			{"no templates", org.RolePlanner, good(func(m map[string]any) { delete(m, "templates") }), http.StatusBadRequest, []string{"templates"}},
			{"both templates and a set", org.RolePlanner, good(func(m map[string]any) { m["template_set_id"] = 1 }), http.StatusBadRequest, []string{"template_set_id"}},
			{"unknown set", org.RolePlanner, good(func(m map[string]any) { delete(m, "templates"); m["template_set_id"] = 99999 }),
				http.StatusBadRequest, []string{"template_set_id"}},
			{"bad template", org.RolePlanner, good(func(m map[string]any) { m["templates"] = badTemplates }), http.StatusBadRequest,
				[]string{"templates.templates[0] (FT8).paid_min"}},
			{"queue without a forecast", org.RolePlanner, good(func(m map[string]any) { m["queue_id"] = unforecast.ID }), http.StatusUnprocessableEntity, []string{"queue_id"}},
			{"beyond the forecast", org.RolePlanner, good(func(m map[string]any) { m["weeks"] = 2 }), http.StatusUnprocessableEntity, nil},
			{"intervals differ", org.RolePlanner, good(func(m map[string]any) { m["templates"] = quarter }), http.StatusUnprocessableEntity,
				[]string{"templates.interval_min"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res := w.as(c.role, http.MethodPost, "/api/v1/schedules/generate", c.body)
				require.Equal(t, c.status, res.Status, "%s", res.Body)
				if c.fields != nil {
					fields := errorFields(t, res)
					for _, f := range c.fields {
						assert.NotEmpty(t, fields[f], "field %s in %v", f, fields)
					}
					assert.Len(t, fields, len(c.fields), "%v", fields)
				}
			})
		}
		res := w.as(org.RolePlanner, http.MethodGet, "/api/v1/jobs/runs?job=generate-schedule", nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		assert.EqualValues(t, 0, res.json(t)["total"], "no run was started")
	})
}

// TestGenerateJobCoversTheRequirements generates a week's shifts for a queue
// through the API, from inline templates and from a stored set, and checks the
// draft covers the requirements and the run reports it.
func TestGenerateJobCoversTheRequirements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorldAt(t, st, beforeMarch2026)
		weekdayForecast(t, st, w.queue, 20)
		res := w.as(org.RolePlanner, http.MethodPost, "/api/v1/shift-templates", templateSetBody("Weekdays"))
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		setID := decodeSet(t, res).ID

		cases := []struct {
			name     string
			body     map[string]any
			wantName string
		}{
			{"inline templates", map[string]any{"name": "Week 10", "queue_id": w.queue.ID, "start": "2026-03-02", "weeks": 1,
				"templates": rosterTemplates(), "time_limit_seconds": 5}, "Week 10"},
			{"stored set", map[string]any{"queue_id": w.queue.ID, "start": "2026-03-02", "weeks": 1, "template_set_id": setID,
				"time_limit_seconds": 5}, "Voice PT from 2026-03-02"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res := w.as(org.RolePlanner, http.MethodPost, "/api/v1/schedules/generate", c.body)
				require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
				runID := int64(res.json(t)["id"].(float64))
				assert.Equal(t, "/api/v1/jobs/runs/"+itoa(runID), res.Header.Get("Location"))
				run := awaitRun(t, w, runID)
				require.Equal(t, store.JobSucceeded, run.Status, "errors: %v", run.Errors)
				assert.Equal(t, "generate-schedule", run.Job)
				assert.Equal(t, 3, run.Done)
				var result generationResult
				require.NoError(t, json.Unmarshal([]byte(run.Result), &result))
				require.NotZero(t, result.ScheduleID)

				// The run's report.
				rep := result.Report
				assert.Equal(t, 7*48, len(rep.Intervals), "one interval report per half hour of the week")
				assert.InDelta(t, 0, rep.UnderAgentHours, 1e-9, "an easy instance is fully covered")
				assert.Greater(t, rep.RequiredAgentHours, 0.0)
				assert.InDelta(t, rep.RequiredAgentHours, rep.CoveredAgentHours, 1e-9)
				assert.Positive(t, rep.Shifts)
				assert.Equal(t, rep.Shifts, result.Shifts)
				assert.InDelta(t, rep.PaidAgentHours, result.PaidHours, 1e-9)
				assert.GreaterOrEqual(t, rep.PaidAgentHours, rep.RequiredAgentHours)
				assert.Positive(t, rep.Stress.PeakCoverageRatio)
				assert.GreaterOrEqual(t, rep.Stress.PeakCoverageRatio, 1.0, "peaks are covered")
				assert.Positive(t, rep.Stress.LongestPeakStretchMin)
				byTemplate := 0
				for _, n := range rep.ShiftsByTemplate {
					byTemplate += n
				}
				assert.Equal(t, rep.Shifts, byTemplate)

				// The stored draft: its shifts are the report's, all on the queue and unassigned.
				sch, err := st.FindScheduleByID(context.Background(), result.ScheduleID)
				require.NoError(t, err)
				assert.Equal(t, store.ScheduleDraft, sch.Status)
				var warned struct {
					Warnings []map[string]any `json:"warnings"`
				}
				require.NoError(t, json.Unmarshal([]byte(sch.Report), &warned), sch.Report)
				assert.NotNil(t, warned.Warnings, "the draft says what the plan validator found")
				assert.Empty(t, warned.Warnings, "the plan validator finds no breach in the generated plan")
				assert.Equal(t, c.wantName, sch.Name)
				assert.Equal(t, "Europe/Lisbon", sch.Timezone)
				assert.True(t, sch.PeriodStart.Equal(generateMonday), "period starts %s", sch.PeriodStart)
				assert.True(t, sch.PeriodEnd.Equal(generateMonday.AddDate(0, 0, 7)), "period ends %s", sch.PeriodEnd)
				shifts, err := st.FindShifts(context.Background(), store.ShiftFilter{ScheduleID: sch.ID})
				require.NoError(t, err)
				require.Len(t, shifts, rep.Shifts)
				for _, sh := range shifts {
					assert.Equal(t, w.queue.ID, sh.QueueID)
					assert.Zero(t, sh.AgentID, "headcount shifts have no agent yet")
					l := sh.Start.In(generateMonday.Location())
					assert.True(t, l.Weekday() >= time.Monday && l.Weekday() <= time.Friday, "templates run on weekdays: %s", l)
				}

				// The coverage endpoint reads the same draft: nothing under-covered.
				res = w.as(org.RoleSupervisor, http.MethodGet, "/api/v1/schedules/"+itoa(sch.ID)+"/coverage?queue_id="+itoa(w.queue.ID), nil)
				require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
				cov := res.json(t)
				assert.InDelta(t, 0, cov["under_staff_hours"].(float64), 1e-9)
				assert.InDelta(t, rep.RequiredAgentHours, cov["required_staff_hours"].(float64), 1e-9)
			})
		}
	})
}

// beforeMarch2026 is the clock of tests that plan fixed weeks of March 2026:
// a plan is for the days to come.
func beforeMarch2026() time.Time { return time.Date(2026, 2, 20, 12, 0, 0, 0, time.UTC) }

// newWorldPlanningMarch is a world whose clock is the real one (the browser
// signs in on it: cookies expire by it) until the returned switch is set,
// then beforeMarch2026, so a roster of a March 2026 week is asked for before
// that week.
func newWorldPlanningMarch(t *testing.T, st *store.Store) (*world, *atomic.Bool) {
	inMarch := new(atomic.Bool)
	w := newWorldAt(t, st, func() time.Time {
		if inMarch.Load() {
			return beforeMarch2026()
		}
		return time.Now()
	})
	return w, inMarch
}
