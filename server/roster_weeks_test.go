package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// TestRosterDraftKeepsEveryWeekWhole rosters agents in New York and Seoul
// onto a queue on each clock through the API. The draft's period runs from
// Seoul's Monday 00:00 (Sunday 11:00 in New York) to New York's next Monday
// 00:00; the rule warnings and the plan validator, which read that period,
// find nothing; every full-timer has his whole 40 hours in his own week; and
// the pages say the period with its times. "pro_rata": true asks for New
// York's week alone.
func TestRosterDraftKeepsEveryWeekWhole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w, inMarch := newWorldPlanningMarch(t, st)
		ny, seoul := mustLoad("America/New_York"), mustLoad("Asia/Seoul")
		mondayNY, mondaySeoul := time.Date(2026, 3, 23, 0, 0, 0, 0, ny), time.Date(2026, 3, 23, 0, 0, 0, 0, seoul)
		queueIDs := seedNewYorkSeoulWeek(t, st, w)
		c, _ := signIn(t, w, "planner@example.com")
		inMarch.Store(true)

		req := map[string]any{"name": "Week 13", "queue_ids": queueIDs, "start": "2026-03-23", "weeks": 1, "timezone": "America/New_York",
			"templates": rosterTemplates(), "time_limit_seconds": 3}
		draft := rosteredDraft(t, st, runRoster(t, w, req))
		assert.True(t, draft.PeriodStart.Equal(mondaySeoul), "%s", draft.PeriodStart.In(ny))
		assert.True(t, draft.PeriodEnd.Equal(mondayNY.AddDate(0, 0, 7)), "%s", draft.PeriodEnd.In(ny))
		assertWholeWeeksWorked(t, st, draft)

		// Each queue's coverage is its own week, 336 half hours from its own
		// Monday: the edge pieces belong to the neighbouring plans.
		for i, monday := range []time.Time{mondayNY, mondaySeoul} {
			res := w.as(org.RolePlanner, http.MethodGet, fmt.Sprintf("/api/v1/schedules/%d/coverage?queue_id=%d", draft.ID, queueIDs[i]), nil)
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			var cov struct {
				Intervals []struct {
					Start time.Time `json:"start"`
				} `json:"intervals"`
			}
			require.NoError(t, json.Unmarshal(res.Body, &cov))
			require.Len(t, cov.Intervals, 336, "queue %d", queueIDs[i])
			assert.True(t, cov.Intervals[0].Start.Equal(monday), "queue %d starts at %s", queueIDs[i], cov.Intervals[0].Start.In(monday.Location()))
		}

		// The draft's live warnings read the same period.
		res := w.as(org.RolePlanner, http.MethodGet, "/api/v1/schedules/"+itoa(draft.ID), nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		assert.NotContains(t, string(res.Body), "min_week_hours")

		// "pro_rata": true plans New York's week alone, which Seoul's
		// forecast of its own week does not hold.
		req["pro_rata"] = true
		res = w.as(org.RolePlanner, http.MethodPost, "/api/v1/schedules/roster", req)
		assert.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
		assert.Contains(t, string(res.Body), "the latest forecast of Voice KR ends")

		status, _, body := page(t, c, "GET", w.srv.URL+"/planner/schedules", nil)
		require.Equal(t, http.StatusOK, status, body)
		assert.Contains(t, html.UnescapeString(body), "Sun 22 Mar 11:00 – Mon 30 Mar 2026 00:00 EDT", "a period that does not start at midnight says its times")
		status, _, body = page(t, c, "GET", w.srv.URL+"/planner/schedules/"+itoa(draft.ID), nil)
		require.Equal(t, http.StatusOK, status, body)
		assert.Contains(t, body, "Mon 23 Mar 00:00 – Mon 30 Mar 2026 13:00 KST", "the plan's page, on its queue's clock")
	})
}

// TestRosterStartsNoShiftInThePast plans the week of 23 March 2026 on
// Sunday evening in New York, when Seoul's Monday has begun: the period,
// whole on every clock, opens at Seoul's Monday 00:00, but no shift starts
// before now, the hours already past ask for no cover, and every full-timer
// still works his whole week with no rule broken.
func TestRosterStartsNoShiftInThePast(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ny, seoul := mustLoad("America/New_York"), mustLoad("Asia/Seoul")
		var clock atomic.Pointer[time.Time]
		w := newWorldAt(t, st, func() time.Time {
			if at := clock.Load(); at != nil {
				return *at
			}
			return time.Now()
		})
		queueIDs := seedNewYorkSeoulWeek(t, st, w)
		signIn(t, w, "planner@example.com")
		req := map[string]any{"name": "Week 13", "queue_ids": queueIDs, "start": "2026-03-23", "weeks": 1, "timezone": "America/New_York",
			"templates": rosterTemplates(), "time_limit_seconds": 3}
		seoulRequired := func(run store.JobRun) float64 {
			var result service.RosterResult
			require.NoError(t, json.Unmarshal([]byte(run.Result), &result))
			for _, q := range result.Report.Queues {
				if q.Queue == "Voice KR" {
					return q.RequiredHours
				}
			}
			t.Fatalf("no Voice KR in %s", run.Result)
			return 0
		}
		saturday := time.Date(2026, 3, 21, 12, 0, 0, 0, ny)
		clock.Store(&saturday)
		before := seoulRequired(runRoster(t, w, req))
		now := time.Date(2026, 3, 22, 20, 0, 0, 0, ny) // Monday 09:00 in Seoul
		clock.Store(&now)
		run := runRoster(t, w, req)
		draft := rosteredDraft(t, st, run)
		assert.True(t, draft.PeriodStart.Equal(time.Date(2026, 3, 23, 0, 0, 0, 0, seoul)), "%s", draft.PeriodStart.In(ny))
		shifts, err := st.FindShifts(context.Background(), store.ShiftFilter{ScheduleID: draft.ID})
		require.NoError(t, err)
		require.NotEmpty(t, shifts)
		for _, sh := range shifts {
			assert.False(t, sh.Start.Before(now), "a shift starts at %s, before now", sh.Start.In(seoul))
		}
		assertWholeWeeksWorked(t, st, draft)
		// Seoul's Monday 08:00-09:00, 20 contacts a half hour, is past.
		assert.Less(t, seoulRequired(run), before, "the past asks for no cover")
	})
}

// TestRosterPeriodIsOnTheGridForAZoneOffIt: a roster of New York and
// Kathmandu (+5:45) agents on 30-minute templates. Kathmandu's Monday 00:00
// is Sunday 18:15 UTC, between two of the plan's half hours, so the draft's
// period opens at 18:00 UTC; every full-timer still has his whole week and
// the rule warnings and the validator find nothing.
func TestRosterPeriodIsOnTheGridForAZoneOffIt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w, inMarch := newWorldPlanningMarch(t, st)
		ny := mustLoad("America/New_York")
		queueIDs := []int64{seedVoiceSite(t, st, w, "Voice US", "en", ny, 3, 0), seedVoiceSite(t, st, w, "Voice NP", "ne", mustLoad("Asia/Kathmandu"), 3, 0)}
		inMarch.Store(true)
		draft := rosteredDraft(t, st, runRoster(t, w, map[string]any{"name": "Week 13", "queue_ids": queueIDs, "start": "2026-03-23", "weeks": 1,
			"timezone": "America/New_York", "templates": rosterTemplates(), "time_limit_seconds": 2}))
		assert.True(t, draft.PeriodStart.Equal(time.Date(2026, 3, 22, 18, 0, 0, 0, time.UTC)), "%s", draft.PeriodStart.UTC())
		assert.True(t, draft.PeriodEnd.Equal(time.Date(2026, 3, 30, 0, 0, 0, 0, ny)), "%s", draft.PeriodEnd.In(ny))
		assertWholeWeeksWorked(t, st, draft)
	})
}

// rosteredDraft is the draft a roster run left, checked to carry no rule
// warning and no validator breach.
func rosteredDraft(t *testing.T, st *store.Store, run store.JobRun) store.Schedule {
	t.Helper()
	var result struct {
		ScheduleID int64 `json:"schedule_id"`
	}
	require.NoError(t, json.Unmarshal([]byte(run.Result), &result))
	draft, err := st.FindScheduleByID(context.Background(), result.ScheduleID)
	require.NoError(t, err)
	var saved struct {
		Warnings  []calendar.Violation  `json:"warnings"`
		Validator *[]calendar.Violation `json:"validator"`
	}
	require.NoError(t, json.Unmarshal([]byte(draft.Report), &saved))
	assert.Empty(t, saved.Warnings)
	assert.Nil(t, saved.Validator, "validator breaches: %v", saved.Validator)
	return draft
}

// assertWholeWeeksWorked: every full-timer works his whole 40 hours, all in
// his own week of 23 March 2026.
func assertWholeWeeksWorked(t *testing.T, st *store.Store, draft store.Schedule) {
	t.Helper()
	ctx := context.Background()
	agents, _, err := st.FindAgents(ctx, store.AgentFilter{Page: store.Page{Limit: 100}})
	require.NoError(t, err)
	shifts, err := st.FindShifts(ctx, store.ShiftFilter{ScheduleID: draft.ID})
	require.NoError(t, err)
	for _, a := range agents {
		if a.Contract.Name != "FT" {
			continue
		}
		loc := mustLoad(a.Timezone)
		monday := time.Date(2026, 3, 23, 0, 0, 0, 0, loc)
		paid := 0
		for _, sh := range shifts {
			if sh.AgentID == a.ID {
				assert.True(t, !sh.Start.Before(monday) && sh.Start.Before(monday.AddDate(0, 0, 7)), "%s works in his own week: %s", a.Name, sh.Start.In(loc))
				paid += sh.PaidMinutes
			}
		}
		assert.Equal(t, 40*60, paid, "%s (%s) has his whole week", a.Name, a.Timezone)
	}
}

// seedNewYorkSeoulWeek adds Voice US (New York) and Voice KR (Seoul), each
// with a forecast of its week of 23 March 2026 (New York's from a day
// early, so the period's first hours, Sunday 11:00-24:00 in New York, the
// week before's, have a forecast its plan is not for) and four full-timers
// on its clock, and returns the queues' ids.
func seedNewYorkSeoulWeek(t *testing.T, st *store.Store, w *world) []int64 {
	t.Helper()
	return []int64{seedVoiceSite(t, st, w, "Voice US", "en", mustLoad("America/New_York"), 4, 1),
		seedVoiceSite(t, st, w, "Voice KR", "ko", mustLoad("Asia/Seoul"), 4, 0)}
}

// seedVoiceSite adds a voice queue on loc's clock in language lang, with a
// forecast of 20 contacts every weekday half hour from 08:00 to 18:00 of its
// week of 23 March 2026 (starting daysEarly days before its Monday), and
// agents full-timers (40 h) on its clock who speak lang; it returns the
// queue's id.
func seedVoiceSite(t *testing.T, st *store.Store, w *world, name, lang string, loc *time.Location, agents, daysEarly int) int64 {
	t.Helper()
	ctx := context.Background()
	q, err := st.CreateQueue(ctx, org.Queue{Name: name, ChannelID: w.channel.ID, Timezone: loc.String(), Language: lang, ServiceLevelPct: 80,
		AnswerWithinSec: 20, DefaultAHTSec: 300, ChatConcurrency: 1, IntervalMin: 30})
	require.NoError(t, err)
	monday := time.Date(2026, 3, 23, 0, 0, 0, 0, loc)
	from := monday.AddDate(0, 0, -daysEarly)
	var pts []store.ForecastPoint
	for t0 := from; t0.Before(monday.AddDate(0, 0, 7)); t0 = t0.Add(30 * time.Minute) {
		l, c := t0.In(loc), 0.0
		if l.Weekday() != time.Saturday && l.Weekday() != time.Sunday && l.Hour() >= 8 && l.Hour() < 18 {
			c = 20
		}
		pts = append(pts, store.ForecastPoint{StartAt: t0.UTC(), Contacts: c, Lower: c, Upper: c})
	}
	_, err = st.CreateForecast(ctx, store.Forecast{QueueID: q.ID, Method: "test", IntervalMin: 30, StartAt: pts[0].StartAt,
		EndAt: monday.AddDate(0, 0, 7).UTC(), HistoryFrom: from.AddDate(0, 0, -28), HistoryTo: from}, pts)
	require.NoError(t, err)
	for i := 0; i < agents; i++ {
		c := org.DefaultContract
		c.Name, c.MinWeekHours = "FT", 40
		_, err := st.CreateAgent(ctx, org.Agent{Name: fmt.Sprint(lang, i), Email: fmt.Sprintf("%s%d@agents.example.com", lang, i), Timezone: loc.String(),
			Contract: c, Skills: []org.Skill{{Kind: "channel", Value: "voice", Proficiency: 3}, {Kind: "language", Value: lang, Proficiency: 5}}})
		require.NoError(t, err)
	}
	return q.ID
}
