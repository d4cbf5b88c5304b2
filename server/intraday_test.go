package server_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// TestIntradayMovesABreakOutOfThePeak: a queue's day with a noon peak in
// which both planned agents are on break. The intraday page re-forecasts
// from the morning's actuals, shows the gap, and suggests moving a break;
// accepting publishes the plan's next revision with the break moved (short
// notice, within the stress limit), rejecting hides the suggestion.
func TestIntradayMovesABreakOutOfThePeak(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		lisbon, _ := time.LoadLocation("Europe/Lisbon")
		// Two days ahead of the real clock, so the browser keeps the session
		// cookie (it expires by the server's clock).
		ahead := time.Now().In(lisbon).AddDate(0, 0, 2)
		day := time.Date(ahead.Year(), ahead.Month(), ahead.Day(), 0, 0, 0, 0, lisbon)
		now := day.Add(9 * time.Hour)
		w := newWorldAt(t, st, func() time.Time { return now.UTC() })
		ctx := context.Background()
		var pts []store.ForecastPoint
		for i := 0; i < 48; i++ {
			at := day.Add(time.Duration(i) * 30 * time.Minute)
			v := 0.5
			if at.Hour() < 8 {
				v = 0
			}
			if at.Hour() == 12 && at.Minute() == 0 {
				v = 12
			}
			pts = append(pts, store.ForecastPoint{StartAt: at.UTC(), Contacts: v, Lower: v / 2, Upper: v * 2})
		}
		_, err := st.CreateForecast(ctx, store.Forecast{QueueID: w.queue.ID, Method: "snaive", IntervalMin: 30, StartAt: day.UTC(), EndAt: day.AddDate(0, 0, 1).UTC()}, pts)
		require.NoError(t, err)
		require.NoError(t, st.UpsertQueueActuals(ctx, []store.QueueActual{
			{QueueID: w.queue.ID, Start: day.Add(8 * time.Hour).UTC(), IntervalMin: 30, Offered: 3, Handled: 3, HandleSeconds: 900},
			{QueueID: w.queue.ID, Start: day.Add(8*time.Hour + 30*time.Minute).UTC(), IntervalMin: 30, Offered: 2, Handled: 2, HandleSeconds: 600}}))
		at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
		shift := func(a org.Agent) calendar.Shift {
			return calendar.Shift{AgentID: a.ID, QueueID: w.queue.ID, Template: "day", Start: at(8, 0), End: at(16, 0), PaidMinutes: 450,
				Breaks: []calendar.Break{{Name: "break", Start: at(10, 0), End: at(10, 15), Paid: true}, {Name: "lunch", Start: at(12, 0), End: at(12, 30)},
					{Name: "break", Start: at(14, 0), End: at(14, 15), Paid: true}}}
		}
		d, err := st.CreateScheduleDraft(ctx, store.Schedule{Name: "June", Timezone: "Europe/Lisbon", PeriodStart: day.UTC(), PeriodEnd: day.AddDate(0, 0, 7).UTC()},
			[]calendar.Shift{shift(w.agentA1), shift(w.agentA2)})
		require.NoError(t, err)
		_, _, err = st.PublishSchedule(ctx, d.ID, d.Version, w.users[org.RolePlanner].ID, day.AddDate(0, 0, -7))
		require.NoError(t, err)

		p := auth.Principal{User: w.users[org.RolePlanner]}
		view, err := newServiceFor(t, st, now).Intraday(ctx, p, w.queue.ID)
		require.NoError(t, err)
		assert.Equal(t, day.Format(time.DateOnly), view.Date)
		assert.Equal(t, 18, view.Elapsed, "midnight to 09:00, the night without reports counting as none")
		assert.Greater(t, view.Factor, 1.0, "the morning ran over the night's forecast")
		noon := view.Intervals[24]
		assert.Equal(t, "12:00", noon.StartLocal)
		assert.Less(t, noon.Gap, 0.0, "both agents are on lunch in the peak")
		require.NotEmpty(t, view.Moves, "a lunch moves out of the peak")
		m := view.Moves[0]
		assert.True(t, m.From.Equal(at(12, 0)))
		assert.False(t, m.To.Equal(m.From))

		c, csrf := signIn(t, w, "planner@example.com")
		status, _, body := page(t, c, "GET", w.srv.URL+fmt.Sprintf("/planner/intraday/%d", w.queue.ID), nil)
		require.Equal(t, 200, status, "%s", body)
		assert.Contains(t, body, "Intraday: Voice PT")
		assert.Contains(t, body, "Accept")

		// Reject the first suggestion: it is not shown again.
		form := url.Values{"csrf_token": {csrf}, "shift_uid": {m.ShiftUID}, "from": {m.From.UTC().Format(time.RFC3339)}, "to": {m.To.UTC().Format(time.RFC3339)}}
		form.Set("decision", "reject")
		status, _, body = page(t, c, "POST", w.srv.URL+fmt.Sprintf("/planner/intraday/%d/moves", w.queue.ID), form)
		require.Equal(t, 200, status, "%s", body)
		assert.Contains(t, body, "Suggestion rejected")
		again, err := newServiceFor(t, st, now).Intraday(ctx, p, w.queue.ID)
		require.NoError(t, err)
		for _, o := range again.Moves {
			assert.False(t, o.ShiftUID == m.ShiftUID && o.From.Equal(m.From) && o.To.Equal(m.To), "a rejected move stays hidden")
		}
		require.NotEmpty(t, again.Moves, "the other agent's lunch can still move")

		// Accept the next: the plan's next revision has the lunch moved, short notice.
		n := again.Moves[0]
		form = url.Values{"csrf_token": {csrf}, "shift_uid": {n.ShiftUID}, "from": {n.From.UTC().Format(time.RFC3339)}, "to": {n.To.UTC().Format(time.RFC3339)}, "decision": {"accept"}}
		status, _, body = page(t, c, "POST", w.srv.URL+fmt.Sprintf("/planner/intraday/%d/moves", w.queue.ID), form)
		require.Equal(t, 200, status, "%s", body)
		assert.Contains(t, body, "Break moved and published")
		published, err := st.FindShifts(ctx, store.ShiftFilter{Published: true, AgentIDs: []int64{n.AgentID}, From: day, To: day.AddDate(0, 0, 1)})
		require.NoError(t, err)
		require.Len(t, published, 1)
		moved := published[0]
		assert.True(t, moved.ShortNotice, "a change within 48 hours is short notice")
		var lunch calendar.Break
		for _, b := range moved.Breaks {
			if b.Name == "lunch" {
				lunch = b
			}
		}
		assert.True(t, lunch.Start.Equal(n.To), "the lunch starts at %s, want %s", lunch.Start, n.To)
		assert.Equal(t, 30*time.Minute, lunch.End.Sub(lunch.Start))

		// Accepting it again is refused: the break is no longer there.
		status, _, body = page(t, c, "POST", w.srv.URL+fmt.Sprintf("/planner/intraday/%d/moves", w.queue.ID), form)
		require.Equal(t, 200, status)
		assert.Contains(t, body, "Not moved")
		// A move that would leave too long a stretch is refused by the service.
		_, err = newServiceFor(t, st, now).DecideBreakMove(ctx, p, w.queue.ID, n.ShiftUID, n.To, at(11, 0).Add(-15*time.Minute), true)
		assert.Error(t, err)
		assert.True(t, strings.Contains(err.Error(), "cannot move") || strings.Contains(err.Error(), "no longer"), "%v", err)
	})
}

func newServiceFor(t *testing.T, st *store.Store, now time.Time) *service.Service {
	return service.New(st, nil, service.Config{Now: func() time.Time { return now.UTC() }})
}

// TestIntradayOffersOvertimeAndTimeOff: an overstaffed afternoon offers
// voluntary time off and a short evening offers overtime to the agents
// whose shifts can cover it; the planner records the answers, and an
// accepted offer publishes the shift with its new end (short notice, paid
// time adjusted, breaks after a VTO end dropped).
func TestIntradayOffersOvertimeAndTimeOff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		lisbon, _ := time.LoadLocation("Europe/Lisbon")
		ahead := time.Now().In(lisbon).AddDate(0, 0, 2)
		day := time.Date(ahead.Year(), ahead.Month(), ahead.Day(), 0, 0, 0, 0, lisbon)
		at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
		now := at(9, 0)
		w := newWorldAt(t, st, func() time.Time { return now.UTC() })
		ctx := context.Background()
		var pts []store.ForecastPoint
		for i := 0; i < 48; i++ {
			s := day.Add(time.Duration(i) * 30 * time.Minute)
			v := 0.0
			switch h := s.In(lisbon).Hour(); {
			case h >= 8 && h < 17:
				v = 0.5 // one agent is plenty
			case h >= 17 && h < 19:
				v = 6 // and nobody is planned
			}
			pts = append(pts, store.ForecastPoint{StartAt: s.UTC(), Contacts: v, Lower: v / 2, Upper: v * 2})
		}
		_, err := st.CreateForecast(ctx, store.Forecast{QueueID: w.queue.ID, Method: "snaive", IntervalMin: 30, StartAt: day.UTC(), EndAt: day.AddDate(0, 0, 1).UTC()}, pts)
		require.NoError(t, err)
		mk := func(a org.Agent, from, to int) calendar.Shift {
			return calendar.Shift{AgentID: a.ID, QueueID: w.queue.ID, Template: "day", Start: at(from, 0), End: at(to, 0), PaidMinutes: (to-from)*60 - 30,
				Breaks: []calendar.Break{{Name: "lunch", Start: at(from+4, 0), End: at(from+4, 30)}, {Name: "break", Start: at(to-2, 0), End: at(to-2, 15), Paid: true}}}
		}
		d, err := st.CreateScheduleDraft(ctx, store.Schedule{Name: "Day", Timezone: "Europe/Lisbon", PeriodStart: day.UTC(), PeriodEnd: day.AddDate(0, 0, 1).UTC()},
			[]calendar.Shift{mk(w.agentA1, 8, 16), mk(w.agentA2, 8, 16), mk(w.agentB1, 9, 17)})
		require.NoError(t, err)
		_, _, err = st.PublishSchedule(ctx, d.ID, d.Version, w.users[org.RolePlanner].ID, day.AddDate(0, 0, -7))
		require.NoError(t, err)

		p := auth.Principal{User: w.users[org.RolePlanner]}
		view, err := newServiceFor(t, st, now).Intraday(ctx, p, w.queue.ID)
		require.NoError(t, err)
		var ot, vto *service.ShiftOffer
		for i, o := range view.Offers {
			switch o.Kind {
			case service.OfferOvertime:
				ot = &view.Offers[i]
			case service.OfferVTO:
				if vto == nil {
					vto = &view.Offers[i]
				}
			}
		}
		require.NotNil(t, ot, "the short evening offers overtime: %+v", view.Offers)
		require.NotNil(t, vto, "the overstaffed day offers time off: %+v", view.Offers)
		assert.Equal(t, w.agentB1.ID, ot.AgentID, "only b1's shift ends in the short stretch")
		assert.True(t, ot.From.Equal(at(17, 0)) && ot.To.Equal(at(19, 0)), "%v-%v", ot.From, ot.To)
		assert.False(t, vto.To.Before(at(12, 0)), "time off keeps 4 h of the shift")

		c, csrf := signIn(t, w, "planner@example.com")
		status, _, body := page(t, c, "GET", w.srv.URL+fmt.Sprintf("/planner/intraday/%d", w.queue.ID), nil)
		require.Equal(t, 200, status, "%s", body)
		assert.Contains(t, body, "Overtime: stay until 19:00")
		form := url.Values{"csrf_token": {csrf}, "kind": {ot.Kind}, "shift_uid": {ot.ShiftUID}, "from": {ot.From.UTC().Format(time.RFC3339)},
			"to": {ot.To.UTC().Format(time.RFC3339)}, "decision": {"accept"}}
		status, _, body = page(t, c, "POST", w.srv.URL+fmt.Sprintf("/planner/intraday/%d/offers", w.queue.ID), form)
		require.Equal(t, 200, status, "%s", body)
		assert.Contains(t, body, "Shift changed and published")
		got, err := st.FindShifts(ctx, store.ShiftFilter{Published: true, AgentIDs: []int64{w.agentB1.ID}, From: day, To: day.AddDate(0, 0, 1)})
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.True(t, got[0].End.Equal(at(19, 0)))
		assert.Equal(t, 8*60-30+120, got[0].PaidMinutes)
		assert.True(t, got[0].ShortNotice)

		res := w.as(org.RolePlanner, "POST", fmt.Sprintf("/api/v1/queues/%d/intraday/shift-offers", w.queue.ID),
			map[string]any{"kind": vto.Kind, "shift_uid": vto.ShiftUID, "from": vto.From, "to": vto.To, "accept": true})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		got, err = st.FindShifts(ctx, store.ShiftFilter{Published: true, AgentIDs: []int64{vto.AgentID}, From: day, To: day.AddDate(0, 0, 1)})
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.True(t, got[0].End.Equal(vto.To))
		for _, b := range got[0].Breaks {
			assert.True(t, b.Start.Before(vto.To), "breaks after the new end are gone")
		}
		assert.Less(t, got[0].PaidMinutes, 8*60-30)
		res = w.as(org.RolePlanner, "POST", fmt.Sprintf("/api/v1/queues/%d/intraday/shift-offers", w.queue.ID),
			map[string]any{"kind": vto.Kind, "shift_uid": vto.ShiftUID, "from": vto.From, "to": vto.To, "accept": true})
		assert.Equal(t, 409, res.Status, "the shift no longer ends there: %s", res.Body)
	})
}
