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
