package service_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling"
	"github.com/peakwise/peakwise/scheduling/roster"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// rosterWeekTemplates are weekday full-time (8 paid hours) and part-time
// shifts, their starts on each agent's clock.
const rosterWeekTemplates = `{"interval_min": 30, "templates": [
  {"name": "FT8", "span_min": 510, "paid_min": 480, "start": {"from": "07:00", "to": "11:00", "step_min": 30}, "days": ["mon", "tue", "wed", "thu", "fri"],
   "breaks": [{"name": "lunch", "length_min": 30, "paid": false, "earliest_start_min": 210, "latest_start_min": 300, "step_min": 30}]},
  {"name": "PT4", "span_min": 240, "paid_min": 240, "start": {"from": "08:00", "to": "14:00", "step_min": 30}, "days": ["mon", "tue", "wed", "thu", "fri"]}]}`

// TestRosterPeriodHoldsEveryWeekWhole rosters agents in New York and Seoul
// onto a queue on each of those clocks, each forecast for its own week only.
// By default the period runs from Seoul's Monday 00:00 to New York's next
// Monday 00:00, each queue asks only for its own week, and every agent's own
// week lies whole in it, so full-timers owe (and get) their whole 40 hours;
// with forecasts past the week, the edges still ask for nothing. Pro rata
// plans New York's week: Seoul's forecast no longer holds it, and
// with forecasts that do, Seoul's full-timers owe six sevenths.
func TestRosterPeriodHoldsEveryWeekWhole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		ny, seoul := mustZone(t, "America/New_York"), mustZone(t, "Asia/Seoul")
		now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
		svc := service.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), service.Config{Now: func() time.Time { return now }})
		ch, err := st.CreateChannel(ctx, org.Channel{Key: "voice", Name: "Voice", Kind: org.Realtime})
		require.NoError(t, err)
		mkQueue := func(name, zone, lang string) org.Queue {
			q, err := st.CreateQueue(ctx, org.Queue{Name: name, ChannelID: ch.ID, Timezone: zone, Language: lang, ServiceLevelPct: 80,
				AnswerWithinSec: 20, DefaultAHTSec: 300, ChatConcurrency: 1, IntervalMin: 30, MaxOccupancy: 0.85, Shrinkage: 0.2})
			require.NoError(t, err)
			return q
		}
		qNY, qSeoul := mkQueue("Voice US", "America/New_York", "en"), mkQueue("Voice KR", "Asia/Seoul", "ko")
		// forecast stores weekday contacts 08:00-18:00 on the queue's clock
		// from..to (local dates, to exclusive).
		forecast := func(q org.Queue, loc *time.Location, from, to time.Time) {
			var pts []store.ForecastPoint
			for t0 := from; t0.Before(to); t0 = t0.Add(30 * time.Minute) {
				l, c := t0.In(loc), 0.0
				if l.Weekday() != time.Saturday && l.Weekday() != time.Sunday && l.Hour() >= 8 && l.Hour() < 18 {
					c = 20
				}
				pts = append(pts, store.ForecastPoint{StartAt: t0.UTC(), Contacts: c, Lower: c, Upper: c})
			}
			_, err := st.CreateForecast(ctx, store.Forecast{QueueID: q.ID, Method: "test", IntervalMin: 30, StartAt: from.UTC(), EndAt: to.UTC(),
				HistoryFrom: from.AddDate(0, 0, -28), HistoryTo: from}, pts)
			require.NoError(t, err)
		}
		mondayNY, mondaySeoul := time.Date(2026, 3, 23, 0, 0, 0, 0, ny), time.Date(2026, 3, 23, 0, 0, 0, 0, seoul)
		forecast(qNY, ny, mondayNY, mondayNY.AddDate(0, 0, 7))
		forecast(qSeoul, seoul, mondaySeoul, mondaySeoul.AddDate(0, 0, 7))

		ft := org.DefaultContract
		ft.Name, ft.MinWeekHours = "FT", 40
		pt := org.DefaultContract
		pt.Name, pt.MaxWeekHours = "PT", 20
		for i := 0; i < 4; i++ {
			for _, a := range []struct{ zone, lang string }{{"America/New_York", "en"}, {"Asia/Seoul", "ko"}} {
				c := pt
				if i < 3 {
					c = ft
				}
				_, err := st.CreateAgent(ctx, org.Agent{Name: fmt.Sprint(a.lang, i), Email: fmt.Sprintf("%s%d@agents.example.com", a.lang, i), Timezone: a.zone,
					Contract: c, Skills: []org.Skill{{Kind: "channel", Value: "voice", Proficiency: 3}, {Kind: "language", Value: a.lang, Proficiency: 5}}})
				require.NoError(t, err)
			}
		}
		ts, err := scheduling.ReadTemplates(strings.NewReader(rosterWeekTemplates))
		require.NoError(t, err)
		planner := auth.Principal{User: org.User{ID: 1, Role: org.RolePlanner}}
		req := service.Roster{Name: "Week 13", QueueIDs: []int64{qNY.ID, qSeoul.ID}, Start: "2026-03-23", Weeks: 1, Timezone: "America/New_York", Templates: &ts}

		// whole checks a problem planned by default.
		whole := func(prob roster.Problem) {
			t.Helper()
			assert.True(t, prob.Start.Equal(mondaySeoul), "starts at Seoul's Monday 00:00 (Sunday 11:00 in New York): %s", prob.Start.In(ny))
			assert.True(t, prob.End().Equal(mondayNY.AddDate(0, 0, 7)), "ends at New York's next Monday 00:00: %s", prob.End().In(ny))
			require.Len(t, prob.Agents, 8)
			own := map[string][2]time.Time{"Voice US": {mondayNY, mondayNY.AddDate(0, 0, 7)}, "Voice KR": {mondaySeoul, mondaySeoul.AddDate(0, 0, 7)}}
			for q, name := range prob.Queues {
				asked := 0.0
				for i, v := range prob.Required[q] {
					at := prob.Start.Add(time.Duration(i) * prob.Step)
					if at.Before(own[name][0]) || !at.Before(own[name][1]) {
						assert.Zero(t, v, "%s asks for nothing outside its own week (%s)", name, at)
					}
					asked += v
				}
				assert.Positive(t, asked, "%s asks for its own week", name)
			}
			for _, a := range prob.Agents {
				monday := time.Date(2026, 3, 23, 0, 0, 0, 0, a.Location)
				assert.InDelta(t, a.Contract.MinWeekHours, roster.PlanWeekMinimum(a, monday, prob.Start, prob.End()), 1e-9,
					"agent %s (%s) owes his whole week", a.ID, a.Location)
			}
		}
		prob, err := svc.RosterProblem(ctx, planner, req)
		require.NoError(t, err, "a forecast of the queue's own week is enough")
		whole(prob)
		sol, err := roster.Solve(ctx, prob)
		require.NoError(t, err)
		paid := map[string]int{}
		for _, as := range sol.Assignments {
			paid[as.Agent] += as.Shift.PaidMinutes
		}
		for _, a := range prob.Agents {
			if a.Contract.Name == "FT" {
				assert.Equal(t, 40*60, paid[a.ID], "full-timer %s (%s) gets his whole week", a.ID, a.Location)
			}
		}

		// Pro rata plans New York's dates alone; Seoul's forecast ends
		// before New York's week does.
		pro := req
		pro.ProRata = true
		_, err = svc.RosterProblem(ctx, planner, pro)
		require.True(t, fault.Is(err, fault.Unprocessable), "%v", err)
		var fe *fault.Error
		require.ErrorAs(t, err, &fe)
		assert.Contains(t, fe.Fields["queue_ids[1]"], "the latest forecast of Voice KR ends")

		// With forecasts a day wider each way, pro rata is the old period:
		// New York's week, each queue asking for all of it, and Seoul's
		// full-timers owing the share of their six whole dates in it.
		forecast(qNY, ny, mondayNY.AddDate(0, 0, -1), mondayNY.AddDate(0, 0, 8))
		forecast(qSeoul, seoul, mondaySeoul.AddDate(0, 0, -1), mondaySeoul.AddDate(0, 0, 8))
		prob, err = svc.RosterProblem(ctx, planner, req)
		require.NoError(t, err)
		whole(prob) // the edges are the neighbouring weeks', though forecast
		prob, err = svc.RosterProblem(ctx, planner, pro)
		require.NoError(t, err)
		assert.True(t, prob.Start.Equal(mondayNY), "%s", prob.Start)
		assert.True(t, prob.End().Equal(mondayNY.AddDate(0, 0, 7)), "%s", prob.End())
		seoulMonday := time.Date(2026, 3, 30, 9, 0, 0, 0, seoul) // Sunday 20:00 in New York
		assert.Positive(t, prob.Required[1][int(seoulMonday.Sub(prob.Start)/prob.Step)], "Seoul's next Monday morning is in New York's week")
		for _, a := range prob.Agents {
			if a.Contract.Name != "FT" {
				continue
			}
			want := 40.0
			if a.Location.String() == "Asia/Seoul" {
				want = 40.0 * 6 / 7
			}
			assert.InDelta(t, want, roster.PlanWeekMinimum(a, time.Date(2026, 3, 23, 0, 0, 0, 0, a.Location), prob.Start, prob.End()), 1e-9, "agent %s (%s)", a.ID, a.Location)
		}
	})
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}
