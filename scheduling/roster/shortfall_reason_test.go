package roster

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling"
	"github.com/peakwise/peakwise/scheduling/calendar"
)

// TestShortfallReasonsNameEachCase builds one small roster by hand for each
// reason a ShortfallNote gives: two days of hourly intervals, queues a and
// b, one 8-hour template starting 06:00-14:00, and one agent who serves a
// (and b where the case says). One hour of a stays short in each; the note
// must put that hour under the case's reason and nowhere else.
func TestShortfallReasonsNameEachCase(t *testing.T) {
	monday := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	at := func(day, hour int) time.Time { return monday.Add(time.Duration(24*day+hour) * time.Hour) }
	shift := func(queue string, day, hour int) Assignment {
		return Assignment{Agent: "x", Queue: queue, Shift: calendar.Shift{Start: at(day, hour), End: at(day, hour+8), Template: "D", PaidMinutes: 480}}
	}
	type need struct {
		queue         string
		day, from, to int // hours [from, to) of day need one agent
	}
	cases := []struct {
		name     string
		maxHours float64
		skills   []string
		needs    []need
		shifts   []Assignment
		want     func(ShortfallNote) float64
	}{
		{"no template reaches 02:00", 40, []string{"a"}, []need{{"a", 0, 2, 3}}, nil,
			func(n ShortfallNote) float64 { return n.NoAgentHours }},
		{"the agent could take a shift", 40, []string{"a"}, []need{{"a", 0, 10, 11}}, nil,
			func(n ShortfallNote) float64 { return n.PricedHours }},
		{"the agent works b then", 40, []string{"a", "b"}, []need{{"a", 0, 10, 11}, {"b", 0, 8, 16}}, []Assignment{shift("b", 0, 8)},
			func(n ShortfallNote) float64 { return n.AllWorkingHours }},
		{"his one shift of the week is needed on Tuesday", 8, []string{"a"}, []need{{"a", 0, 10, 11}, {"a", 1, 8, 16}}, []Assignment{shift("a", 1, 8)},
			func(n ShortfallNote) float64 { return n.AtMaximumHours }},
		{"his one shift of the week covers nothing needed", 8, []string{"a"}, []need{{"a", 0, 10, 11}}, []Assignment{shift("a", 1, 8)},
			func(n ShortfallNote) float64 { return n.SpareHours }},
		{"he already works Monday morning", 40, []string{"a"}, []need{{"a", 0, 18, 19}, {"a", 0, 6, 14}}, []Assignment{shift("a", 0, 6)},
			func(n ShortfallNote) float64 { return n.RulesHours }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := Problem{Start: monday, Step: time.Hour, Location: time.UTC, Queues: []string{"a", "b"}, Seed: 1,
				Templates: scheduling.Templates{IntervalMin: 60, Templates: []scheduling.Template{{Name: "D", SpanMin: 480, PaidMin: 480,
					Start: scheduling.StartWindow{From: "06:00", To: "14:00", StepMin: 60}, Days: []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}}}},
				Required: [][]float64{make([]float64, 48), make([]float64, 48)}}
			for _, n := range c.needs {
				for h := n.from; h < n.to; h++ {
					p.Required[map[string]int{"a": 0, "b": 1}[n.queue]][24*n.day+h] = 1
				}
			}
			x := Agent{ID: "x", Location: time.UTC, Skills: map[string]int{},
				Contract: calendar.Contract{MaxWeekHours: c.maxHours, MaxShiftsPerWeek: 5, MinRestHours: 11, MaxConsecutiveDays: 6}}
			for _, q := range c.skills {
				x.Skills[q] = 3
			}
			p.Agents = []Agent{x}
			rep, err := Measure(p, c.shifts)
			require.NoError(t, err)
			require.Empty(t, rep.Violations)
			require.Len(t, rep.Shortfalls, 1, "%+v", rep.Shortfalls)
			n := rep.Shortfalls[0]
			assert.Equal(t, "a", n.Queue)
			assert.InDelta(t, 1, n.UnderHours, 1e-9)
			assert.InDelta(t, 1, c.want(n), 1e-9, "%+v", n)
			assert.InDelta(t, n.UnderHours, n.NoAgentHours+n.AllWorkingHours+n.PricedHours+n.SpareHours+n.AtMaximumHours+n.RulesHours, 1e-9)
		})
	}
}

// TestShortfallReasonsAddUpOnSolvedRosters solves random multi-zone weeks
// and checks that every queue short of cover has a note whose reasons add
// up to its under-coverage, and no queue without any has one.
func TestShortfallReasonsAddUpOnSolvedRosters(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		p := followSunProblem(t, 24, 1.1, seed)
		p.MaxRounds = 3
		p.SearchEpochs = -1
		r, err := Solve(context.Background(), p)
		require.NoError(t, err)
		rep, err := Measure(p, r.Assignments)
		require.NoError(t, err)
		notes := map[string]ShortfallNote{}
		for _, n := range rep.Shortfalls {
			notes[n.Queue] = n
		}
		short := 0
		for _, q := range rep.Queues {
			n, ok := notes[q.Queue]
			if q.UnderHours <= 0 {
				assert.False(t, ok, "seed %d: %s has nothing short", seed, q.Queue)
				continue
			}
			short++
			require.True(t, ok, "seed %d: %s is %.2f h short and has no note", seed, q.Queue, q.UnderHours)
			assert.InDelta(t, q.UnderHours, n.UnderHours, 1e-9)
			assert.InDelta(t, n.UnderHours, n.NoAgentHours+n.AllWorkingHours+n.PricedHours+n.SpareHours+n.AtMaximumHours+n.RulesHours, 1e-9)
		}
		assert.Positive(t, short, "seed %d: at load 1.1 some queue is short", seed)
	}
}

// TestSpansHoldingSkipsNoStart checks the start-window pruning of
// spansHolding against every start of every window on the interval's local
// date and the one before, for agents in three zones over a week with
// Berlin's spring clock change, and the reach bits built from every start
// of the period against both.
func TestSpansHoldingSkipsNoStart(t *testing.T) {
	p := followSunProblem(t, 12, 0.8, 2)
	p.defaults()
	c := stretchContext{p: &p, byAgent: make([][]int, len(p.Agents))}
	x := c.newShortIndex()
	n := len(p.Required[0])
	for ai, a := range p.Agents {
		for i := 0; i < n; i++ {
			from := p.Start.Add(time.Duration(i) * p.Step)
			to := from.Add(p.Step)
			var want []span
			l := from.In(a.Location)
			for back := 1; back >= 0; back-- {
				date := time.Date(l.Year(), l.Month(), l.Day()-back, 0, 0, 0, 0, a.Location)
				for ti, tm := range p.Templates.Templates {
					if !tm.AllowsContract(a.Contract.Name) || !hasDay(tm.Days, date.Weekday()) {
						continue
					}
					lo, _ := clockMinutes(string(tm.Start.From))
					hi, _ := clockMinutes(string(tm.Start.To))
					for m := lo; m <= hi; m += tm.Start.StepMin {
						st := time.Date(date.Year(), date.Month(), date.Day(), m/60, m%60, 0, 0, a.Location)
						en := st.Add(time.Duration(tm.SpanMin) * time.Minute)
						if st.Hour() != m/60 || st.Minute() != m%60 || st.After(from) || en.Before(to) ||
							st.Before(p.Start) || en.After(p.End()) || !a.AvailableFor(st, en) || a.OffDuring(st, en) {
							continue
						}
						want = append(want, span{ti, st, en})
					}
				}
			}
			got := c.spansHolding(ai, from, to)
			require.Equal(t, len(want), len(got), "agent %s at %s", a.ID, from.In(a.Location))
			require.Equal(t, len(want) > 0, x.reaches(ai, i), "agent %s at %s: reach bits", a.ID, from.In(a.Location))
			for k := range want {
				require.True(t, want[k].start.Equal(got[k].start) && want[k].tmpl == got[k].tmpl, "agent %s at %s", a.ID, from.In(a.Location))
			}
		}
	}
}
