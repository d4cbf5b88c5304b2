package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
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

// raceClock is a server clock the test moves between rounds.
type raceClock struct{ at atomic.Int64 }

func (c *raceClock) set(t time.Time) { c.at.Store(t.UnixNano()) }
func (c *raceClock) now() time.Time  { return time.Unix(0, c.at.Load()).UTC() }

// intradayRace is a world whose clock each round sets to 09:00 of a day of
// its own in Lisbon, two days and more ahead of the real clock.
type intradayRace struct {
	*world
	clock raceClock
	first time.Time // the first round's day, at midnight
	p     auth.Principal
}

func newIntradayRace(t *testing.T, st *store.Store) *intradayRace {
	lisbon, err := time.LoadLocation("Europe/Lisbon")
	require.NoError(t, err)
	ir := &intradayRace{}
	ir.clock.set(time.Now())
	ir.world = newWorldAt(t, st, ir.clock.now)
	ahead := time.Now().In(lisbon).AddDate(0, 0, 2)
	ir.first = time.Date(ahead.Year(), ahead.Month(), ahead.Day(), 0, 0, 0, 0, lisbon)
	ir.p = auth.Principal{User: ir.users[org.RolePlanner]}
	return ir
}

// round sets the clock to 09:00 of round r's day and returns the day, its
// times by the hour and minute, and the clock's time.
func (ir *intradayRace) round(r int) (day time.Time, at func(h, m int) time.Time, now time.Time) {
	day = time.Date(ir.first.Year(), ir.first.Month(), ir.first.Day()+r, 0, 0, 0, 0, ir.first.Location())
	at = func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	ir.clock.set(at(9, 0))
	return day, at, at(9, 0)
}

// raceIntradayDay stores queue q's forecast of day from contacts (per
// half-hour, by local hour) and publishes shifts as a plan of that day
// alone; it returns the plan's id.
func raceIntradayDay(t *testing.T, st *store.Store, w *world, day time.Time, contacts func(h, m int) float64, shifts []calendar.Shift) int64 {
	t.Helper()
	ctx := context.Background()
	var pts []store.ForecastPoint
	for i := 0; i < 48; i++ {
		at := day.Add(time.Duration(i) * 30 * time.Minute)
		v := contacts(at.Hour(), at.Minute())
		pts = append(pts, store.ForecastPoint{StartAt: at.UTC(), Contacts: v, Lower: v / 2, Upper: v * 2})
	}
	_, err := st.CreateForecast(ctx, store.Forecast{QueueID: w.queue.ID, Method: "snaive", IntervalMin: 30, StartAt: day.UTC(), EndAt: day.AddDate(0, 0, 1).UTC()}, pts)
	require.NoError(t, err)
	d, err := st.CreateScheduleDraft(ctx, store.Schedule{Name: "Day " + day.Format(time.DateOnly), Timezone: "Europe/Lisbon", PeriodStart: day.UTC(),
		PeriodEnd: day.AddDate(0, 0, 1).UTC()}, shifts)
	require.NoError(t, err)
	pub, _, err := st.PublishSchedule(ctx, d.ID, d.Version, w.users[org.RolePlanner].ID, day.AddDate(0, 0, -7))
	require.NoError(t, err)
	return pub.PlanID
}

// raceAgents adds n agents to team A for round r, so that one round's
// shifts do not count against another's contract checks.
func raceAgents(t *testing.T, st *store.Store, w *world, what string, r, n int) []org.Agent {
	t.Helper()
	out := make([]org.Agent, n)
	for i := range out {
		a, err := st.CreateAgent(context.Background(), org.Agent{Name: fmt.Sprintf("%s %d-%d", what, r, i), Email: fmt.Sprintf("%s-%d-%d@race.example.com", what, r, i),
			Timezone: "Europe/Lisbon", TeamID: &w.teamA.ID, Contract: org.DefaultContract, Skills: []org.Skill{{Kind: "channel", Value: "voice", Proficiency: 3}}})
		require.NoError(t, err)
		out[i] = a
	}
	return out
}

// decisionAudits counts the audit rows of entity on queue queueID whose
// suggestion concerns shift uid, by action.
func decisionAudits(t *testing.T, st *store.Store, entity string, queueID int64, uid string) map[string]int {
	t.Helper()
	evs, err := st.FindAudit(context.Background(), entity, queueID)
	require.NoError(t, err)
	out := map[string]int{}
	for _, e := range evs {
		var v struct {
			ShiftUID string `json:"shift_uid"`
		}
		require.NoError(t, json.Unmarshal([]byte(e.After), &v))
		if v.ShiftUID == uid {
			out[e.Action]++
		}
	}
	return out
}

// checkDecidedPlan asserts a plan after decisions: one published revision,
// one new revision per accepted suggestion, and the published revision
// with as many shifts as the first (none lost or doubled), returned.
func checkDecidedPlan(t *testing.T, st *store.Store, planID int64, accepted, shifts int, round int) []calendar.Shift {
	t.Helper()
	pub, revs := checkPlan(t, st, planID)
	assert.Len(t, revs, 1+accepted, "round %d: one new revision per accepted suggestion", round)
	got, err := st.FindShifts(context.Background(), store.ShiftFilter{ScheduleID: pub.ID})
	require.NoError(t, err)
	assert.Len(t, got, shifts, "round %d: no shift lost or doubled", round)
	return got
}

// TestRaceBreakMoveDecisions decides one suggested break move by a burst
// of accepts and rejects (the planner's and a colleague's pages both
// open). The suggestion is decided once: one answer 200, the rest 409. An
// accepted move publishes exactly one new revision with the break moved;
// a rejected one publishes nothing; the decision is audited once.
func TestRaceBreakMoveDecisions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ir := newIntradayRace(t, st)
		w := ir.world
		for r := 0; r < raceRounds(t); r++ {
			day, at, now := ir.round(r)
			agents := raceAgents(t, st, w, "move", r, 2)
			shift := func(a org.Agent) calendar.Shift {
				return calendar.Shift{AgentID: a.ID, QueueID: w.queue.ID, Template: "day", Start: at(8, 0), End: at(16, 0), PaidMinutes: 450,
					Breaks: []calendar.Break{{Name: "break", Start: at(10, 0), End: at(10, 15), Paid: true}, {Name: "lunch", Start: at(12, 0), End: at(12, 30)},
						{Name: "break", Start: at(14, 0), End: at(14, 15), Paid: true}}}
			}
			planID := raceIntradayDay(t, st, w, day, func(h, m int) float64 {
				switch {
				case h < 8:
					return 0
				case h == 12 && m == 0:
					return 12 // both agents are at lunch in the peak
				}
				return 0.5
			}, []calendar.Shift{shift(agents[0]), shift(agents[1])})
			view, err := newServiceFor(t, st, now).Intraday(context.Background(), ir.p, w.queue.ID)
			require.NoError(t, err)
			require.NotEmpty(t, view.Moves, "round %d: a lunch moves out of the peak", r)
			m := view.Moves[0]
			hits := burst(raceWidth, func(i int) hit {
				return call(http.MethodPost, fmt.Sprintf("%s/api/v1/queues/%d/intraday/break-moves", w.srv.URL, w.queue.ID),
					map[string]any{"shift_uid": m.ShiftUID, "from": m.From, "to": m.To, "accept": i%2 == 0}, w.bearer(org.RolePlanner))
			})
			n := tally(t, hits, 200, 409)
			if !assert.Equal(t, 1, n[200], "round %d: the suggestion is decided once: %v", r, hits) {
				continue
			}
			accepted := 0
			for i, h := range hits {
				if h.Status == 200 && i%2 == 0 {
					accepted = 1
				}
			}
			final := checkDecidedPlan(t, st, planID, accepted, 2, r)
			for _, sh := range final {
				if sh.UID != m.ShiftUID {
					continue
				}
				moved := false
				for _, b := range sh.Breaks {
					moved = moved || (b.Name == "lunch" && b.Start.Equal(m.To))
				}
				assert.Equal(t, accepted == 1, moved, "round %d: the lunch moved only if the move was accepted", r)
			}
			want := map[string]int{"reject": 1}
			if accepted == 1 {
				want = map[string]int{"accept": 1}
			}
			assert.Equal(t, want, decisionAudits(t, st, "intraday_break_move", w.queue.ID, m.ShiftUID), "round %d: the decision is audited once", r)
		}
	})
}

// TestRaceShiftOfferDecisions decides an overtime and a voluntary time off
// offer of one plan by a burst of accepts and rejects of each: each offer
// is decided once (one 200 each), every accepted offer publishes exactly
// one new revision with that shift's end moved, no shift is lost or
// doubled, and each decision is audited once.
func TestRaceShiftOfferDecisions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ir := newIntradayRace(t, st)
		w := ir.world
		for r := 0; r < raceRounds(t); r++ {
			day, at, now := ir.round(r)
			agents := raceAgents(t, st, w, "offer", r, 3)
			mk := func(a org.Agent, from, to int) calendar.Shift {
				return calendar.Shift{AgentID: a.ID, QueueID: w.queue.ID, Template: "day", Start: at(from, 0), End: at(to, 0), PaidMinutes: (to-from)*60 - 30,
					Breaks: []calendar.Break{{Name: "lunch", Start: at(from+4, 0), End: at(from+4, 30)}, {Name: "break", Start: at(to-2, 0), End: at(to-2, 15), Paid: true}}}
			}
			planID := raceIntradayDay(t, st, w, day, func(h, _ int) float64 {
				switch {
				case h >= 8 && h < 17:
					return 0.5 // one agent is plenty
				case h >= 17 && h < 19:
					return 6 // and nobody is planned
				}
				return 0
			}, []calendar.Shift{mk(agents[0], 8, 16), mk(agents[1], 8, 16), mk(agents[2], 9, 17)})
			view, err := newServiceFor(t, st, now).Intraday(context.Background(), ir.p, w.queue.ID)
			require.NoError(t, err)
			var offers []service.ShiftOffer
			for _, kind := range []string{service.OfferOvertime, service.OfferVTO} {
				for _, o := range view.Offers {
					if o.Kind == kind {
						offers = append(offers, o)
						break
					}
				}
			}
			require.Len(t, offers, 2, "round %d: an overtime and a time off offer: %+v", r, view.Offers)
			hits := burst(raceWidth, func(i int) hit {
				o := offers[i%2]
				return call(http.MethodPost, fmt.Sprintf("%s/api/v1/queues/%d/intraday/shift-offers", w.srv.URL, w.queue.ID),
					map[string]any{"kind": o.Kind, "shift_uid": o.ShiftUID, "from": o.From, "to": o.To, "accept": (i/2)%2 == 0}, w.bearer(org.RolePlanner))
			})
			tally(t, hits, 200, 409)
			accepted := map[int]bool{}
			wins := map[int]int{}
			for i, h := range hits {
				if h.Status == 200 {
					wins[i%2]++
					accepted[i%2] = (i/2)%2 == 0
				}
			}
			if !assert.Equal(t, map[int]int{0: 1, 1: 1}, wins, "round %d: each offer is decided once: %v", r, hits) {
				continue
			}
			n := 0
			for _, a := range accepted {
				if a {
					n++
				}
			}
			final := checkDecidedPlan(t, st, planID, n, 3, r)
			for k, o := range offers {
				for _, sh := range final {
					if sh.UID == o.ShiftUID {
						assert.Equal(t, accepted[k], sh.End.Equal(o.To), "round %d: %s offer: the shift ends at the offered time only if accepted", r, o.Kind)
					}
				}
				want := map[string]int{"reject": 1}
				if accepted[k] {
					want = map[string]int{"accept": 1}
				}
				assert.Equal(t, want, decisionAudits(t, st, "intraday_shift_offer", w.queue.ID, o.ShiftUID), "round %d: %s offer: one decision audited", r, o.Kind)
			}
		}
	})
}
