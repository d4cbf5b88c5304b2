package qa

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func berlin(t testing.TB) *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	return loc
}

// weekOf makes perDay[d] interactions for each agent on local day d (0 = weekStart) of the
// week, at 08:00, 08:10, ... local time, with handle time 100 s + 10 s per index.
func weekOf(weekStart time.Time, agents []string, perDay [7]int) []Interaction {
	var out []Interaction
	for _, a := range agents {
		for d, n := range perDay {
			day := weekStart.AddDate(0, 0, d)
			for i := 0; i < n; i++ {
				out = append(out, Interaction{
					ExternalID: fmt.Sprintf("%s-d%d-%02d", a, d, i), Channel: "voice", Queue: "q1", Agent: a,
					StartedAt:     time.Date(day.Year(), day.Month(), day.Day(), 8, 10*i, 0, 0, weekStart.Location()),
					HandleSeconds: 100 + 10*i,
				})
			}
		}
	}
	return out
}

func TestSampleSpreadsOverTheWeek(t *testing.T) {
	loc := berlin(t)
	ws := time.Date(2025, 3, 3, 0, 0, 0, 0, loc)
	dayOf := func(id string) int {
		var a string
		var d, i int
		_, _ = fmt.Sscanf(id, "%3s-d%d-%d", &a, &d, &i)
		return d
	}
	cases := []struct {
		name   string
		n      int
		perDay [7]int
		want   int // assignments per agent
		maxDay int // at most this many on one day
		days   int // at least this many different days
	}{
		{"one per day", 7, [7]int{5, 5, 5, 5, 5, 5, 5}, 7, 1, 7},
		{"busy Monday does not dominate", 7, [7]int{40, 1, 1, 1, 1, 1, 1}, 7, 1, 7},
		{"fewer than a week", 3, [7]int{5, 5, 5, 5, 5, 5, 5}, 3, 1, 3},
		{"two rounds", 10, [7]int{5, 5, 5, 5, 5, 0, 0}, 10, 2, 5},
		{"weekdays only, busy Monday", 10, [7]int{10, 1, 1, 1, 1, 0, 0}, 10, 6, 5},
		{"fewer candidates than asked", 10, [7]int{1, 0, 2, 0, 0, 0, 1}, 4, 2, 3},
		{"no candidates", 5, [7]int{}, 0, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			plan := SamplePlan{PerAgentPerWeek: c.n, Seed: 7, Reviewers: []string{"rev1", "rev2"}}
			got, err := Sample(plan, weekOf(ws, []string{"ann", "bob"}, c.perDay), ws, loc)
			require.NoError(t, err)
			for _, agent := range []string{"ann", "bob"} {
				perDay := map[int]int{}
				n := 0
				for _, a := range got {
					if a.Agent == agent {
						n++
						perDay[dayOf(a.ExternalID)]++
					}
				}
				assert.Equal(t, c.want, n, agent)
				assert.GreaterOrEqual(t, len(perDay), c.days, "%s: days used %v", agent, perDay)
				for d, k := range perDay {
					assert.LessOrEqual(t, k, c.maxDay, "%s: day %d", agent, d)
				}
			}
		})
	}
}

func TestSampleFilterAndWeekBounds(t *testing.T) {
	loc := berlin(t)
	// The week of the spring DST change: Sunday 30 March 2025 has 23 hours in Berlin.
	ws := time.Date(2025, 3, 24, 0, 0, 0, 0, loc)
	at := func(d, h, m int) time.Time { return time.Date(2025, 3, 24+d, h, m, 0, 0, loc) }
	in := func(id string, mod func(*Interaction)) Interaction {
		x := Interaction{ExternalID: id, Channel: "voice", Queue: "q1", Agent: "ann", StartedAt: at(2, 10, 0), HandleSeconds: 300, CSAT: v(2)}
		if mod != nil {
			mod(&x)
		}
		return x
	}
	cases := []struct {
		name   string
		filter SampleFilter
		in     Interaction
		want   bool
	}{
		{"plain", SampleFilter{}, in("a", nil), true},
		{"first instant of the week", SampleFilter{}, in("a", func(x *Interaction) { x.StartedAt = ws }), true},
		{"last minute of the DST Sunday", SampleFilter{}, in("a", func(x *Interaction) { x.StartedAt = at(6, 23, 59) }), true},
		{"next Monday 00:00 local", SampleFilter{}, in("a", func(x *Interaction) { x.StartedAt = at(7, 0, 0) }), false},
		// 7 x 24 h after the start is already Monday 01:00 local: 168 h is not the week here.
		{"168 hours after the start", SampleFilter{}, in("a", func(x *Interaction) { x.StartedAt = ws.Add(168*time.Hour - time.Minute) }), false},
		{"the week before", SampleFilter{}, in("a", func(x *Interaction) { x.StartedAt = ws.Add(-time.Second) }), false},
		{"no agent", SampleFilter{}, in("a", func(x *Interaction) { x.Agent = "" }), false},
		{"channel listed", SampleFilter{Channels: []string{"chat", "voice"}}, in("a", nil), true},
		{"channel not listed", SampleFilter{Channels: []string{"chat"}}, in("a", nil), false},
		{"queue listed", SampleFilter{Queues: []string{"q1"}}, in("a", nil), true},
		{"queue not listed", SampleFilter{Queues: []string{"q2"}}, in("a", nil), false},
		{"handle at the minimum", SampleFilter{MinHandleSeconds: 300}, in("a", nil), true},
		{"handle below the minimum", SampleFilter{MinHandleSeconds: 301}, in("a", nil), false},
		{"handle at the maximum", SampleFilter{MaxHandleSeconds: 300}, in("a", nil), true},
		{"handle above the maximum", SampleFilter{MaxHandleSeconds: 299}, in("a", nil), false},
		{"CSAT at the maximum", SampleFilter{MaxCSAT: v(2)}, in("a", nil), true},
		{"CSAT above the maximum", SampleFilter{MaxCSAT: v(1)}, in("a", nil), false},
		{"no CSAT answer with a CSAT filter", SampleFilter{MaxCSAT: v(5)}, in("a", func(x *Interaction) { x.CSAT = nil }), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			plan := SamplePlan{PerAgentPerWeek: 3, Reviewers: []string{"rev"}, Filter: c.filter}
			got, err := Sample(plan, []Interaction{c.in}, ws, loc)
			require.NoError(t, err)
			assert.Equal(t, c.want, len(got) == 1, "%v", got)
		})
	}
}

func TestSampleReviewers(t *testing.T) {
	loc := time.UTC
	ws := time.Date(2025, 3, 3, 0, 0, 0, 0, loc)
	full := [7]int{3, 3, 3, 3, 3, 1, 1}
	cases := []struct {
		name      string
		agents    []string
		reviewers []string
		n         int
		loads     map[string]int // exact loads expected, or nil to check max - min <= 1
	}{
		{"outside reviewers share evenly", []string{"a1", "a2", "a3", "a4", "a5"}, []string{"r1", "r2", "r3"}, 5, nil},
		{"peers review each other", []string{"ann", "bob", "cid"}, []string{"ann", "bob", "cid"}, 4, nil},
		{"peers and a lead", []string{"ann", "bob", "cid", "dan"}, []string{"ann", "bob", "lead"}, 3, nil},
		// Two reviewers who are the only agents: each must review all of the other's work.
		{"two peers", []string{"ann", "bob"}, []string{"ann", "bob"}, 5, map[string]int{"ann": 5, "bob": 5}},
		// ann's 6 items can only go to bob; zed's 6 go to ann first to even out: 6 / 6.
		{"one reviewer is also an agent", []string{"ann", "zed"}, []string{"bob", "ann"}, 6, map[string]int{"ann": 6, "bob": 6}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			plan := SamplePlan{PerAgentPerWeek: c.n, Seed: 3, Reviewers: c.reviewers, DueAfter: 48 * time.Hour}
			got, err := Sample(plan, weekOf(ws, c.agents, full), ws, loc)
			require.NoError(t, err)
			require.Len(t, got, c.n*len(c.agents))
			load := map[string]int{}
			for _, a := range got {
				assert.NotEqual(t, a.Agent, a.Reviewer, "self-review of %s", a.ExternalID)
				assert.Contains(t, c.reviewers, a.Reviewer)
				assert.Equal(t, time.Date(2025, 3, 12, 0, 0, 0, 0, loc), a.Due, "end of week + 2 days")
				load[a.Reviewer]++
			}
			if c.loads != nil {
				assert.Equal(t, c.loads, load)
				return
			}
			lo, hi := len(got), 0
			for _, r := range c.reviewers {
				lo, hi = min(lo, load[r]), max(hi, load[r])
			}
			assert.LessOrEqual(t, hi-lo, 1, "loads %v", load)
		})
	}
}

func TestSampleIsReproducible(t *testing.T) {
	loc := berlin(t)
	ws := time.Date(2025, 3, 3, 0, 0, 0, 0, loc)
	data := weekOf(ws, []string{"ann", "bob", "cid"}, [7]int{9, 8, 7, 6, 5, 4, 3})
	plan := SamplePlan{PerAgentPerWeek: 5, Seed: 11, Reviewers: []string{"r1", "r2"}}
	first, err := Sample(plan, data, ws, loc)
	require.NoError(t, err)
	require.Len(t, first, 15)

	rng := rand.New(rand.NewPCG(5, 5))
	for i := 0; i < 5; i++ {
		shuffled := append([]Interaction(nil), data...)
		rng.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		again, err := Sample(SamplePlan{PerAgentPerWeek: 5, Seed: 11, Reviewers: []string{"r2", "r1"}}, shuffled, ws, loc)
		require.NoError(t, err)
		assert.Equal(t, first, again, "input order %d", i)
	}

	other, err := Sample(SamplePlan{PerAgentPerWeek: 5, Seed: 12, Reviewers: []string{"r1", "r2"}}, data, ws, loc)
	require.NoError(t, err)
	assert.NotEqual(t, ids(first), ids(other), "another seed draws other interactions")

	// Adding an agent does not change the others' draws.
	more, err := Sample(plan, append(weekOf(ws, []string{"abe"}, [7]int{2, 2, 2, 2, 2, 2, 2}), data...), ws, loc)
	require.NoError(t, err)
	assert.Equal(t, ids(first), ids(more)[5:])

	// Sorted by agent, then start.
	for i := 1; i < len(first); i++ {
		assert.LessOrEqual(t, first[i-1].Agent, first[i].Agent)
	}
}

func ids(as []Assignment) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.ExternalID
	}
	return out
}

func TestSampleErrors(t *testing.T) {
	ws := time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	data := weekOf(ws, []string{"ann"}, [7]int{2, 0, 0, 0, 0, 0, 0})
	good := SamplePlan{PerAgentPerWeek: 1, Reviewers: []string{"rev"}}
	cases := []struct {
		name     string
		plan     func(*SamplePlan)
		data     []Interaction
		weekAt   time.Time
		loc      *time.Location
		fields   []string // FieldErrors expected, or
		contains string   // a plain error
	}{
		{"bad plan", func(p *SamplePlan) {
			*p = SamplePlan{PerAgentPerWeek: 0, Reviewers: []string{"a", " ", "a"}, DueAfter: -time.Hour,
				Filter: SampleFilter{MinHandleSeconds: 50, MaxHandleSeconds: 10, MaxCSAT: v(6)}}
		}, data, ws, time.UTC, []string{"per_agent_per_week", "reviewers[1]", "reviewers[2]", "due_after", "filter.max_handle_seconds", "filter.max_csat"}, ""},
		{"no reviewers", func(p *SamplePlan) { p.Reviewers = nil }, data, ws, time.UTC, []string{"reviewers"}, ""},
		{"negative bounds", func(p *SamplePlan) { p.Filter.MinHandleSeconds, p.Filter.MaxHandleSeconds = -1, -2 }, data, ws, time.UTC,
			[]string{"filter.min_handle_seconds", "filter.max_handle_seconds"}, ""},
		{"no time zone", nil, data, ws, nil, nil, "time zone"},
		{"no week", nil, data, time.Time{}, time.UTC, nil, "weekStart"},
		{"duplicate interaction", nil, append(data, data[0]), ws, time.UTC, nil, `"ann-d0-00" appears twice`},
		{"only reviewer is the agent", func(p *SamplePlan) { p.Reviewers = []string{"ann"} }, data, ws, time.UTC, nil, `agent "ann"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			plan := good
			plan.Reviewers = append([]string(nil), good.Reviewers...)
			if c.plan != nil {
				c.plan(&plan)
			}
			got, err := Sample(plan, c.data, c.weekAt, c.loc)
			assert.Nil(t, got)
			require.Error(t, err)
			var fe FieldErrors
			if c.fields != nil {
				require.True(t, errors.As(err, &fe), "%v", err)
				assert.Equal(t, c.fields, fieldsOf(fe))
				return
			}
			assert.False(t, errors.As(err, &fe))
			assert.Contains(t, err.Error(), c.contains)
		})
	}
	// A duplicate outside the week or the filter is not a candidate and not an error.
	outside := append(data, Interaction{ExternalID: "ann-d0-00", Agent: "ann", StartedAt: ws.AddDate(0, 0, -1)})
	_, err := Sample(good, outside, ws, time.UTC)
	assert.NoError(t, err)
}

// TestAssignReviewersBalances checks the assignment on many random teams: every item gets a
// reviewer who is not its agent, and the loads are as even as the rule allows: a reviewer
// can carry two more than another only when that other is capped (everything they do not
// review is their own work).
func TestAssignReviewersBalances(t *testing.T) {
	rng := rand.New(rand.NewPCG(2025, 3))
	cases := []struct {
		name      string
		reviewers []string
		counts    map[string]int // items per agent
	}{
		{"three peers, one item each", []string{"a", "b", "c"}, map[string]int{"a": 1, "b": 1, "c": 1}},
		{"two peers, uneven", []string{"a", "b"}, map[string]int{"a": 1, "b": 5}},
		{"a big agent who reviews", []string{"a", "b", "c"}, map[string]int{"a": 10, "b": 1, "c": 1}},
		{"nothing to do", []string{"a", "b"}, map[string]int{}},
	}
	for i := 0; i < 300; i++ { // random teams of up to 6 reviewers and 8 agents, overlapping names
		names := []string{"p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9"}
		rng.Shuffle(len(names), func(a, b int) { names[a], names[b] = names[b], names[a] })
		reviewers := append([]string(nil), names[:2+rng.IntN(5)]...)
		counts := map[string]int{}
		first := rng.IntN(4)
		for _, a := range names[first : first+1+rng.IntN(6)] {
			counts[a] = rng.IntN(7)
		}
		cases = append(cases, struct {
			name      string
			reviewers []string
			counts    map[string]int
		}{fmt.Sprintf("random %d", i), reviewers, counts})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			reviewers := append([]string(nil), c.reviewers...)
			slices.Sort(reviewers)
			agents := make([]string, 0, len(c.counts))
			for a := range c.counts {
				agents = append(agents, a)
			}
			slices.Sort(agents)
			counts := make([]int, len(agents))
			total := 0
			for i, a := range agents {
				counts[i] = c.counts[a]
				total += c.counts[a]
			}
			got, err := assignReviewers(reviewers, agents, counts, rand.New(rand.NewPCG(1, 1)))
			require.NoError(t, err)
			load := map[string]int{}
			for i, a := range agents {
				require.Len(t, got[i], c.counts[a])
				for _, r := range got[i] {
					require.NotEqual(t, a, r, "self-review")
					require.Contains(t, reviewers, r)
					load[r]++
				}
			}
			for _, x := range reviewers {
				for _, y := range reviewers {
					capY := total - c.counts[y]
					assert.True(t, load[x] <= load[y]+1 || load[y] == capY,
						"%s carries %d, %s only %d (cap %d): loads %v, items %v", x, load[x], y, load[y], capY, load, c.counts)
				}
			}
		})
	}
}

// BenchmarkSample: a week of 500 agents x 100 interactions (50,000), 5 per agent, 20 reviewers
// of whom 10 are agents too.
func BenchmarkSample(b *testing.B) {
	ws := time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	agents := make([]string, 500)
	for i := range agents {
		agents[i] = fmt.Sprintf("agent%03d", i)
	}
	data := weekOf(ws, agents, [7]int{20, 20, 20, 20, 16, 2, 2})
	reviewers := append([]string{}, agents[:10]...)
	for i := 0; i < 10; i++ {
		reviewers = append(reviewers, fmt.Sprintf("lead%d", i))
	}
	plan := SamplePlan{PerAgentPerWeek: 5, Seed: 1, Reviewers: reviewers, DueAfter: 72 * time.Hour}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got, err := Sample(plan, data, ws, time.UTC)
		if err != nil || len(got) != 2500 {
			b.Fatal(err, len(got))
		}
	}
}
