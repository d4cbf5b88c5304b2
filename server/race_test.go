package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"os"
	"strconv"
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

// The race suite: every state change that people can make at the same
// moment is hit by a burst of raceWidth concurrent requests, on SQLite and
// on PostgreSQL, and the invariants are checked from the database afterwards:
// one winner, one published revision per plan, nothing lost, nothing
// duplicated, audit rows that match what happened. PEAKWISE_RACE_ROUNDS sets
// the rounds per workflow (default raceDefaultRounds, for CI);
// docs/benchmarks/concurrency.md records a 100-round run.

const (
	raceWidth         = 20
	raceDefaultRounds = 2
)

func raceRounds(t *testing.T) int {
	v := os.Getenv("PEAKWISE_RACE_ROUNDS")
	if v == "" {
		return raceDefaultRounds
	}
	n, err := strconv.Atoi(v)
	require.NoError(t, err, "PEAKWISE_RACE_ROUNDS")
	require.Positive(t, n, "PEAKWISE_RACE_ROUNDS")
	return n
}

// hit is one answer of a burst, with when the request started and ended.
type hit struct {
	Status     int
	Body       []byte
	Start, End time.Time
}

func (h hit) String() string { return fmt.Sprintf("%d %s", h.Status, bytes.TrimSpace(h.Body)) }

// call sends one request without testing.T, so goroutines may use it; a
// transport error is status 0 with the error as body.
func call(method, url string, body any, headers map[string]string) hit {
	h := hit{Start: time.Now()}
	defer func() { h.End = time.Now() }()
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return hit{Body: []byte(err.Error())}
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return hit{Body: []byte(err.Error())}
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return hit{Body: []byte(err.Error()), Start: h.Start, End: time.Now()}
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return hit{Status: res.StatusCode, Body: data, Start: h.Start, End: time.Now()}
}

// burst runs the n requests of fn at once (all goroutines released
// together) and returns their answers in order.
func burst(n int, fn func(i int) hit) []hit {
	out := make([]hit, n)
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := 0; i < n; i++ {
		go func(i int) {
			defer done.Done()
			ready.Done()
			<-start
			out[i] = fn(i)
		}(i)
	}
	ready.Wait()
	close(start)
	done.Wait()
	return out
}

// tally counts statuses and fails on anything outside allowed (a 500, a
// transport error).
func tally(t *testing.T, hits []hit, allowed ...int) map[int]int {
	t.Helper()
	n := map[int]int{}
	for i, h := range hits {
		n[h.Status]++
		ok := false
		for _, a := range allowed {
			ok = ok || h.Status == a
		}
		assert.True(t, ok, "request %d answered %s", i, h)
	}
	return n
}

func (w *world) bearer(role org.Role) map[string]string {
	return map[string]string{"Authorization": "Bearer " + w.tokens[role]}
}

func ifMatch(h map[string]string, v int) map[string]string {
	out := map[string]string{"If-Match": fmt.Sprintf(`"%d"`, v)}
	for k, x := range h {
		out[k] = x
	}
	return out
}

// racePlan stores a plan of one shift per agent on day (09:00-17:00 UTC),
// publishes it, and returns the published revision.
func racePlan(t *testing.T, st *store.Store, name string, day time.Time, agents []int64) store.Schedule {
	t.Helper()
	ctx := context.Background()
	var shifts []calendar.Shift
	for _, a := range agents {
		start := day.Add(9 * time.Hour)
		shifts = append(shifts, calendar.Shift{AgentID: a, Template: "day", Start: start, End: start.Add(8 * time.Hour), PaidMinutes: 480})
	}
	draft, err := st.CreateScheduleDraft(ctx, store.Schedule{Name: name, Timezone: "UTC", PeriodStart: day, PeriodEnd: day.AddDate(0, 0, 7)}, shifts)
	require.NoError(t, err)
	pub, _, err := st.PublishSchedule(ctx, draft.ID, draft.Version, 0, time.Now())
	require.NoError(t, err)
	return pub
}

// nextDraft stores the plan's next revision with every shift moved by
// shift, as a draft.
func nextDraft(t *testing.T, st *store.Store, of store.Schedule, move time.Duration) (store.Schedule, []calendar.Shift) {
	t.Helper()
	ctx := context.Background()
	shifts, err := st.FindShifts(ctx, store.ShiftFilter{ScheduleID: of.ID})
	require.NoError(t, err)
	for i := range shifts {
		shifts[i].ID, shifts[i].Start, shifts[i].End = 0, shifts[i].Start.Add(move), shifts[i].End.Add(move)
	}
	d, err := st.CreateScheduleDraft(ctx, store.Schedule{PlanID: of.PlanID, Name: of.Name, Timezone: of.Timezone, PeriodStart: of.PeriodStart, PeriodEnd: of.PeriodEnd}, shifts)
	require.NoError(t, err)
	return d, shifts
}

// checkPlan asserts the plan's revisions: distinct numbers, exactly one
// published, and returns them by id.
func checkPlan(t *testing.T, st *store.Store, planID int64) (published store.Schedule, revs map[int64]store.Schedule) {
	t.Helper()
	all, _, err := st.FindSchedules(context.Background(), store.ScheduleFilter{PlanID: planID, Page: store.Page{Limit: 500}})
	require.NoError(t, err)
	revs = map[int64]store.Schedule{}
	numbers := map[int]int64{}
	n := 0
	for _, s := range all {
		revs[s.ID] = s
		if other, dup := numbers[s.Revision]; dup {
			t.Errorf("plan %d: revisions %d and %d are both number %d", planID, other, s.ID, s.Revision)
		}
		numbers[s.Revision] = s.ID
		if s.Status == store.SchedulePublished {
			n++
			published = s
		}
	}
	assert.Equal(t, 1, n, "plan %d must have exactly one published revision: %+v", planID, all)
	return published, revs
}

// shiftKeys renders shifts as agent@start-end, sorted by FindShifts' order.
func shiftKeys(shifts []calendar.Shift) []string {
	out := make([]string, len(shifts))
	for i, s := range shifts {
		out[i] = fmt.Sprintf("%d@%s-%s", s.AgentID, s.Start.UTC().Format(time.RFC3339), s.End.UTC().Format("15:04"))
	}
	return out
}

func publishedShiftsOf(t *testing.T, st *store.Store, scheduleID int64) []string {
	t.Helper()
	shifts, err := st.FindShifts(context.Background(), store.ShiftFilter{ScheduleID: scheduleID})
	require.NoError(t, err)
	return shiftKeys(shifts)
}

// TestRacePublishSameDraft is issue 20's first defect: the same draft
// published by 3 and by 20 requests at once with the same If-Match. Exactly
// one answers 200, the others 409; the draft is the plan's one published
// revision, the one before it is superseded, and the agents see its shifts.
func TestRacePublishSameDraft(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 30)
		for _, width := range []int{3, raceWidth} {
			for r := 0; r < raceRounds(t); r++ {
				first := racePlan(t, st, fmt.Sprintf("publish %d/%d", width, r), day, []int64{w.agentA1.ID, w.agentA2.ID})
				draft, want := nextDraft(t, st, first, time.Hour)
				hits := burst(width, func(int) hit {
					return call("POST", fmt.Sprintf("%s/api/v1/schedules/%d/publish", w.srv.URL, draft.ID), nil, ifMatch(w.bearer(org.RolePlanner), draft.Version))
				})
				n := tally(t, hits, 200, 409)
				assert.Equal(t, 1, n[200], "width %d round %d: one publication wins: %v", width, r, hits)
				pub, revs := checkPlan(t, st, first.PlanID)
				assert.Equal(t, draft.ID, pub.ID, "the draft is the published revision")
				assert.Equal(t, store.ScheduleSuperseded, revs[first.ID].Status)
				assert.Equal(t, shiftKeys(want), publishedShiftsOf(t, st, pub.ID), "the published shifts are the draft's")
				mine, err := st.FindShifts(context.Background(), store.ShiftFilter{AgentIDs: []int64{w.agentA1.ID}, Published: true, From: day, To: day.AddDate(0, 0, 1)})
				require.NoError(t, err)
				if assert.Len(t, mine, 1, "agent a1 keeps exactly one published shift that day") {
					assert.Equal(t, want[0].Start, mine[0].Start)
				}
				day = day.AddDate(0, 0, 1)
			}
		}
	})
}

// TestRacePublishTwoDrafts publishes two drafts of one plan at once, each
// by half the burst: each draft is published once (one 200 each), and the
// plan ends with exactly one published revision, the one published last.
func TestRacePublishTwoDrafts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 30)
		for r := 0; r < raceRounds(t); r++ {
			first := racePlan(t, st, fmt.Sprintf("two drafts %d", r), day, []int64{w.agentA1.ID, w.agentB1.ID})
			d1, _ := nextDraft(t, st, first, time.Hour)
			d2, _ := nextDraft(t, st, first, 2*time.Hour)
			hits := burst(raceWidth, func(i int) hit {
				d := []store.Schedule{d1, d2}[i%2]
				return call("POST", fmt.Sprintf("%s/api/v1/schedules/%d/publish", w.srv.URL, d.ID), nil, ifMatch(w.bearer(org.RolePlanner), d.Version))
			})
			tally(t, hits, 200, 409)
			wins := map[int64]int{}
			for i, h := range hits {
				if h.Status == 200 {
					wins[[]int64{d1.ID, d2.ID}[i%2]]++
				}
			}
			assert.Equal(t, map[int64]int{d1.ID: 1, d2.ID: 1}, wins, "each draft is published exactly once: %v", hits)
			pub, revs := checkPlan(t, st, first.PlanID)
			other := d1.ID
			if pub.ID == d1.ID {
				other = d2.ID
			}
			assert.Equal(t, store.ScheduleSuperseded, revs[other].Status)
			assert.Equal(t, store.ScheduleSuperseded, revs[first.ID].Status)
			assert.True(t, !revs[other].PublishedAt.After(*pub.PublishedAt), "the revision published last stays published")
			day = day.AddDate(0, 0, 1)
		}
	})
}

// TestRaceSwapDecisions is issue 20's second defect: approvals (and
// rejections, and decisions sent with a newer version than was read) of
// several swaps of one plan at once. Each offer gets exactly one 200; every
// approved swap is in the plan's one published revision, every rejected one
// is not; no shift is lost or doubled and each approval is audited once.
func TestRaceSwapDecisions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		ctx := context.Background()
		const swaps = raceWidth / 2
		rng := rand.New(rand.NewSource(20))
		day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 20)
		for r := 0; r < raceRounds(t); r++ {
			var givers, takers []int64
			for i := 0; i < 2*swaps; i++ {
				a, err := st.CreateAgent(ctx, org.Agent{Name: fmt.Sprintf("r%d-%d", r, i), Email: fmt.Sprintf("r%d-%d@race.example.com", r, i), Timezone: "UTC",
					TeamID: &w.teamA.ID, Contract: org.DefaultContract, Skills: []org.Skill{{Kind: "channel", Value: "voice", Proficiency: 3}}})
				require.NoError(t, err)
				if i < swaps {
					givers = append(givers, a.ID)
				} else {
					takers = append(takers, a.ID)
				}
			}
			plan := racePlan(t, st, fmt.Sprintf("swaps %d", r), day, givers)
			shifts, err := st.FindShifts(ctx, store.ShiftFilter{ScheduleID: plan.ID})
			require.NoError(t, err)
			offers := make([]calendar.Swap, swaps)
			giverOf := map[int64]int{}
			for i, a := range givers {
				giverOf[a] = i
			}
			for _, sh := range shifts {
				i := giverOf[sh.AgentID]
				sw, err := st.CreateSwap(ctx, calendar.Swap{ShiftUID: sh.UID, PlanID: plan.PlanID, FromAgentID: sh.AgentID, ExpiresAt: sh.Start.Add(-time.Hour)})
				require.NoError(t, err)
				taker := takers[i]
				now := time.Now().UTC()
				sw.Status, sw.TakerAgentID, sw.AcceptedAt = calendar.SwapAccepted, &taker, &now
				offers[i], err = st.SaveSwapState(ctx, sw)
				require.NoError(t, err)
			}
			type decision struct {
				swap    int
				approve bool
				version int
			}
			ds := make([]decision, raceWidth)
			for i := range ds {
				sw := offers[i/2]
				ds[i] = decision{swap: i / 2, approve: true, version: sw.Version}
				if i%2 == 1 {
					switch rng.Intn(3) {
					case 0:
						ds[i].approve = false
					case 1:
						ds[i].version = sw.Version + 1 // the version after the other decision
					}
				}
			}
			hits := burst(raceWidth, func(i int) hit {
				d := ds[i]
				return call("POST", fmt.Sprintf("%s/api/v1/swaps/%d/decision", w.srv.URL, offers[d.swap].ID),
					map[string]any{"approve": d.approve, "version": d.version, "note": "race"}, w.bearer(org.RoleSupervisor))
			})
			tally(t, hits, 200, 409)
			pub, _ := checkPlan(t, st, plan.PlanID)
			final, err := st.FindShifts(ctx, store.ShiftFilter{ScheduleID: pub.ID})
			require.NoError(t, err)
			assert.Len(t, final, swaps, "round %d: no shift lost or doubled", r)
			holder := map[int64]int64{} // giver -> who works that giver's shift now
			for _, sh := range final {
				for i, a := range givers {
					if sh.AgentID == a || sh.AgentID == takers[i] {
						_, seen := holder[a]
						assert.False(t, seen, "round %d: giver %d's shift is held twice", r, a)
						holder[a] = sh.AgentID
					}
				}
			}
			audits := 0
			for i := range offers {
				wins := 0
				var won decision
				for k, h := range hits {
					if ds[k].swap == i && h.Status == 200 {
						wins++
						won = ds[k]
					}
				}
				if !assert.Equal(t, 1, wins, "round %d swap %d: exactly one decision wins: %v %v", r, i, hits[2*i], hits[2*i+1]) {
					continue
				}
				got, err := st.FindSwapByID(ctx, offers[i].ID)
				require.NoError(t, err)
				want, worker := calendar.SwapRejected, givers[i]
				if won.approve {
					want, worker = calendar.SwapApproved, takers[i]
				}
				assert.Equal(t, want, got.Status, "round %d swap %d", r, i)
				assert.Equal(t, worker, holder[givers[i]], "round %d swap %d: the published plan shows the decision", r, i)
				if won.approve {
					audits++
				}
			}
			assert.Equal(t, audits, countAudit(t, st, "swap", plan.PlanID), "round %d: one swap audit per approval", r)
			day = day.AddDate(0, 0, 1)
		}
	})
}

// countAudit counts audit events of action on the revisions of a plan.
func countAudit(t *testing.T, st *store.Store, action string, planID int64) int {
	t.Helper()
	all, _, err := st.FindSchedules(context.Background(), store.ScheduleFilter{PlanID: planID, Page: store.Page{Limit: 500}})
	require.NoError(t, err)
	n := 0
	for _, s := range all {
		evs, err := st.FindAudit(context.Background(), "schedule", s.ID)
		require.NoError(t, err)
		for _, e := range evs {
			if e.Action == action {
				n++
			}
		}
	}
	return n
}

// TestRaceTimeOffDecisions decides one pending request by a burst of
// approvals and denials (some sent with the version after the first
// decision) and the agent's own cancellations. An agent may cancel an
// approved request, and a cancellation names no version, so the allowed
// outcomes are: one decision; one cancellation; or an approval and then one
// cancellation. Never two decisions, two cancellations, a decision after a
// cancellation, or a decision on a version it did not read; the request
// ends in the last winner's state, changed once per winner.
func TestRaceTimeOffDecisions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		ctx := context.Background()
		rng := rand.New(rand.NewSource(21))
		day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 40)
		for r := 0; r < raceRounds(t); r++ {
			req, err := st.CreateTimeOff(ctx, calendar.TimeOff{AgentID: w.agentA1.ID, Start: day, End: day.AddDate(0, 0, 1), FullDays: true, Reason: "race",
				CreatedByID: w.users[org.RoleAgent].ID})
			require.NoError(t, err)
			kinds := make([]string, raceWidth)
			for i := range kinds {
				kinds[i] = []string{"approve", "deny", "approve-next", "cancel"}[rng.Intn(4)]
			}
			kinds[0] = "approve"
			hits := burst(raceWidth, func(i int) hit {
				base := fmt.Sprintf("%s/api/v1/time-off/%d", w.srv.URL, req.ID)
				switch kinds[i] {
				case "cancel":
					return call("POST", base+"/cancel", nil, w.bearer(org.RoleAgent))
				case "approve-next":
					return call("POST", base+"/decision", map[string]any{"approve": true, "version": req.Version + 1}, w.bearer(org.RoleSupervisor))
				}
				return call("POST", base+"/decision", map[string]any{"approve": kinds[i] == "approve", "version": req.Version}, w.bearer(org.RoleSupervisor))
			})
			tally(t, hits, 200, 409)
			var decided, cancelled []hit
			decision := ""
			for i, h := range hits {
				switch {
				case h.Status != 200:
				case kinds[i] == "cancel":
					cancelled = append(cancelled, h)
				default:
					decided = append(decided, h)
					decision = kinds[i]
				}
			}
			assert.LessOrEqual(t, len(decided), 1, "round %d: at most one decision wins: %v", r, hits)
			assert.LessOrEqual(t, len(cancelled), 1, "round %d: at most one cancellation wins: %v", r, hits)
			if !assert.NotEmpty(t, append(decided, cancelled...), "round %d: someone wins: %v", r, hits) {
				continue
			}
			assert.NotEqual(t, "approve-next", decision, "round %d: a decision on a version it did not read won", r)
			got, err := st.FindTimeOffByID(ctx, req.ID)
			require.NoError(t, err)
			want := map[string]calendar.TimeOffStatus{"approve": calendar.TimeOffApproved, "deny": calendar.TimeOffDenied}[decision]
			if len(cancelled) == 1 {
				want = calendar.TimeOffCancelled
				if len(decided) == 1 {
					assert.Equal(t, "approve", decision, "round %d: only an approved request can be cancelled after its decision", r)
					assert.True(t, decided[0].Start.Before(cancelled[0].End), "round %d: the cancellation came after the approval", r)
				}
			}
			assert.Equal(t, want, got.Status, "round %d: the request is in the last winner's state", r)
			assert.Equal(t, req.Version+len(decided)+len(cancelled), got.Version, "round %d: changed once per winner", r)
			day = day.AddDate(0, 0, 2)
		}
	})
}

// TestRaceTokenRevocation revokes one token by a burst of revocations while
// the same burst uses it: every revocation succeeds, the token's revocation
// time is set once, and no request that started after a revocation
// finished gets in.
func TestRaceTokenRevocation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		ctx := context.Background()
		for r := 0; r < raceRounds(t); r++ {
			secret, rec, hash, err := authNewToken(w.users[org.RoleAgent].ID)
			require.NoError(t, err)
			tok, err := st.CreateAPIToken(ctx, rec, hash)
			require.NoError(t, err)
			use := map[string]string{"Authorization": "Bearer " + secret}
			hits := burst(raceWidth, func(i int) hit {
				if i%2 == 0 {
					return call("DELETE", fmt.Sprintf("%s/api/v1/tokens/%d", w.srv.URL, tok.ID), nil, w.bearer(org.RoleAdmin))
				}
				return call("GET", w.srv.URL+"/api/v1/me", nil, use)
			})
			firstRevoked := time.Time{}
			for i, h := range hits {
				if i%2 == 0 {
					assert.Equal(t, 204, h.Status, "round %d: revoking is idempotent: %s", r, h)
					if firstRevoked.IsZero() || h.End.Before(firstRevoked) {
						firstRevoked = h.End
					}
				} else {
					assert.Contains(t, []int{200, 401}, h.Status, "round %d: %s", r, h)
				}
			}
			for i, h := range hits {
				if i%2 == 1 && h.Start.After(firstRevoked) {
					assert.Equal(t, 401, h.Status, "round %d: a request sent after the token was revoked got in", r)
				}
			}
			got, err := st.FindAPITokenByID(ctx, tok.ID)
			require.NoError(t, err)
			require.NotNil(t, got.RevokedAt, "round %d", r)
			assert.Equal(t, 401, call("GET", w.srv.URL+"/api/v1/me", nil, use).Status)
			again := call("DELETE", fmt.Sprintf("%s/api/v1/tokens/%d", w.srv.URL, tok.ID), nil, w.bearer(org.RoleAdmin))
			assert.Equal(t, 204, again.Status)
			later, err := st.FindAPITokenByID(ctx, tok.ID)
			require.NoError(t, err)
			assert.Equal(t, got.RevokedAt, later.RevokedAt, "round %d: the first revocation time stays", r)
		}
	})
}

// TestRacePlanEdits hits one draft with hand edits (add, change, remove a
// shift) and publications, all with the same If-Match: exactly one wins,
// and the plan shows exactly that one change.
func TestRacePlanEdits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		ctx := context.Background()
		rng := rand.New(rand.NewSource(22))
		day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 50)
		for r := 0; r < raceRounds(t); r++ {
			first := racePlan(t, st, fmt.Sprintf("edits %d", r), day, []int64{w.agentA1.ID, w.agentA2.ID})
			draft, before := nextDraft(t, st, first, 0)
			cur, err := st.FindShifts(ctx, store.ShiftFilter{ScheduleID: draft.ID})
			require.NoError(t, err)
			kinds := make([]string, raceWidth)
			for i := range kinds {
				kinds[i] = []string{"add", "change", "remove", "publish"}[rng.Intn(4)]
			}
			start := day.Add(10 * time.Hour)
			hits := burst(raceWidth, func(i int) hit {
				h := ifMatch(w.bearer(org.RolePlanner), draft.Version)
				base := fmt.Sprintf("%s/api/v1/schedules/%d", w.srv.URL, draft.ID)
				sh := map[string]any{"agent_id": w.agentB1.ID, "template": "day", "start": start, "end": start.Add(8 * time.Hour), "paid_minutes": 480}
				switch kinds[i] {
				case "add":
					return call("POST", base+"/shifts", sh, h)
				case "change":
					sh["agent_id"] = cur[0].AgentID
					return call("PUT", fmt.Sprintf("%s/shifts/%d", base, cur[0].ID), sh, h)
				case "remove":
					return call("DELETE", fmt.Sprintf("%s/shifts/%d", base, cur[1].ID), nil, h)
				}
				return call("POST", base+"/publish", nil, h)
			})
			n := tally(t, hits, 200, 201, 409)
			if !assert.Equal(t, 1, n[200]+n[201], "round %d: one change wins: %v", r, hits) {
				continue
			}
			won := ""
			for i, h := range hits {
				if h.Status < 300 {
					won = kinds[i]
				}
			}
			pub, revs := checkPlan(t, st, first.PlanID)
			got := revs[draft.ID]
			assert.Equal(t, draft.Version+1, got.Version, "round %d: the draft changed once (%s)", r, won)
			shifts, err := st.FindShifts(ctx, store.ShiftFilter{ScheduleID: draft.ID})
			require.NoError(t, err)
			switch won {
			case "publish":
				assert.Equal(t, draft.ID, pub.ID)
				assert.Equal(t, shiftKeys(before), shiftKeys(shifts))
			case "add":
				assert.Equal(t, first.ID, pub.ID, "round %d: an edit does not publish", r)
				assert.Len(t, shifts, len(before)+1)
			case "change":
				assert.Equal(t, first.ID, pub.ID)
				assert.Len(t, shifts, len(before))
				assert.Contains(t, shiftKeys(shifts), fmt.Sprintf("%d@%s-%s", cur[0].AgentID, start.Format(time.RFC3339), start.Add(8*time.Hour).Format("15:04")))
			case "remove":
				assert.Equal(t, first.ID, pub.ID)
				assert.Len(t, shifts, len(before)-1)
			}
			day = day.AddDate(0, 0, 1)
		}
	})
}

// raceEvaluation scores, submits and releases a new evaluation of a1's
// interaction when release is set, and returns it (id, version).
func raceEvaluation(t *testing.T, w *qaWorld, release bool) (int64, int) {
	t.Helper()
	id, v := w.evaluate(t, w.callA1, answers(1, 4, 3, 1))
	if release {
		res := w.as(org.RoleQAReviewer, http.MethodPost, "/api/v1/qa/evaluations/"+itoa(id)+"/release", map[string]any{"version": v})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		v++
	}
	return id, v
}

func auditActions(t *testing.T, st *store.Store, entity string, id int64) map[string]int {
	t.Helper()
	evs, err := st.FindAudit(context.Background(), entity, id)
	require.NoError(t, err)
	out := map[string]int{}
	for _, e := range evs {
		out[e.Action]++
	}
	return out
}

// TestRaceEvaluationRelease releases one submitted evaluation by a burst
// (some requests sent with the version after the release): one release
// wins, it is audited once, and the agent sees it released once.
func TestRaceEvaluationRelease(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		now := time.Now().UTC()
		w := newQAWorld(t, st, now)
		rng := rand.New(rand.NewSource(23))
		for r := 0; r < raceRounds(t); r++ {
			id, v := raceEvaluation(t, w, false)
			next := make([]bool, raceWidth)
			for i := range next {
				next[i] = i > 0 && rng.Intn(3) == 0
			}
			hits := burst(raceWidth, func(i int) hit {
				ver := v
				if next[i] {
					ver = v + 1
				}
				return call("POST", fmt.Sprintf("%s/api/v1/qa/evaluations/%d/release", w.srv.URL, id), map[string]any{"version": ver}, w.bearer(org.RoleQAReviewer))
			})
			n := tally(t, hits, 200, 409)
			assert.Equal(t, 1, n[200], "round %d: one release wins: %v", r, hits)
			for i, h := range hits {
				if h.Status == 200 {
					assert.False(t, next[i], "round %d: a release sent with a version it did not read won", r)
				}
			}
			e, err := st.FindEvaluationByID(context.Background(), id)
			require.NoError(t, err)
			assert.Equal(t, "released", string(e.State))
			assert.Equal(t, v+1, e.Version, "round %d: released once", r)
			assert.Equal(t, 1, auditActions(t, st, "evaluation", id)["release"], "round %d: one release audit", r)
		}
	})
}

// TestRaceDisputeDecisions decides one open dispute by a burst of
// decisions (accept, partial, reject; some with the version after the
// first decision): one wins, the evaluation is rescored once, and the
// decision is audited once on the dispute and once on the evaluation.
func TestRaceDisputeDecisions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		now := time.Now().UTC()
		w := newQAWorld(t, st, now)
		rng := rand.New(rand.NewSource(24))
		for r := 0; r < raceRounds(t); r++ {
			id, _ := raceEvaluation(t, w, true)
			res := w.as(org.RoleAgent, http.MethodPost, "/api/v1/qa/evaluations/"+itoa(id)+"/disputes", map[string]any{
				"items": []map[string]any{{"criterion": "solve", "proposed": 4, "comment": "fixed"}}, "comment": "race"})
			require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
			dispute := int64(res.json(t)["id"].(float64))
			kinds := make([]string, raceWidth)
			for i := range kinds {
				kinds[i] = []string{"accept", "partial", "reject", "accept-next"}[rng.Intn(4)]
			}
			kinds[0] = "accept"
			hits := burst(raceWidth, func(i int) hit {
				body := map[string]any{"decision": kinds[i], "reason": "race", "version": 1}
				switch kinds[i] {
				case "partial":
					body["accepted"] = map[string]any{"solve": 4}
				case "accept-next":
					body["decision"], body["version"] = "accept", 2
				}
				return call("POST", fmt.Sprintf("%s/api/v1/qa/disputes/%d/decision", w.srv.URL, dispute), body, w.bearer(org.RoleQAReviewer))
			})
			n := tally(t, hits, 200, 409)
			if !assert.Equal(t, 1, n[200], "round %d: one decision wins: %v", r, hits) {
				continue
			}
			won := ""
			for i, h := range hits {
				if h.Status == 200 {
					won = kinds[i]
				}
			}
			assert.NotEqual(t, "accept-next", won, "round %d: a decision on a version it did not read won", r)
			d, err := st.FindDisputeByID(context.Background(), dispute)
			require.NoError(t, err)
			assert.Equal(t, won, d.Decision, "round %d", r)
			assert.Equal(t, 2, d.Version, "round %d: decided once", r)
			e, err := st.FindEvaluationByID(context.Background(), id)
			require.NoError(t, err)
			assert.Equal(t, "resolved", string(e.State))
			assert.Equal(t, 1, auditActions(t, st, "dispute", dispute)[won], "round %d: one decision audit on the dispute", r)
			assert.Equal(t, 1, auditActions(t, st, "evaluation", id)["dispute-"+won], "round %d: one decision audit on the evaluation", r)
		}
	})
}
