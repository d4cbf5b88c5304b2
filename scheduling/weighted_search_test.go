package scheduling

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// placeShift puts one shift of template tmpl starting at the given local
// clock on the generator's plan, breaks at their defaults.
func placeShift(t *testing.T, g *generator, tmpl int, at time.Time) {
	t.Helper()
	for _, c := range g.cands {
		if c.tmpl == tmpl && c.start.Equal(at) {
			pl := placed{c: c, breaks: g.defaultBreaks(g.ts.Templates[tmpl])}
			g.apply(pl, 1)
			g.chosen = append(g.chosen, pl)
			g.used[tmpl]++
			return
		}
	}
	t.Fatalf("no candidate of template %d at %s", tmpl, at)
}

func TestWeightedSearchRelocatesShiftsToTheOptimum(t *testing.T) {
	utc := time.UTC
	day := time.Date(2026, 1, 5, 0, 0, 0, 0, utc)
	p := Plan{Location: utc, Start: day, Step: 30 * time.Minute, Required: make([]float64, 48)}
	for i := 18; i < 34; i++ { // 09:00-17:00: two agents
		p.Required[i] = 2
	}
	ts := Templates{IntervalMin: 30, Templates: []Template{
		{Name: "D8", SpanMin: 480, PaidMin: 480, Start: StartWindow{"06:00", "12:00", 30}, Days: []string{"mon"}},
		{Name: "P4", SpanMin: 240, PaidMin: 240, Start: StartWindow{"06:00", "18:00", 30}, Days: []string{"mon"}},
	}}
	g := newGenerator(p, ts)
	// Covered, but the day shifts start three hours early, so two part-time
	// shifts close the afternoon: 24 paid hours where 16 (two D8 at 09:00)
	// do. No shift is spare: the search has to move the D8s.
	placeShift(t, g, 0, day.Add(6*time.Hour))
	placeShift(t, g, 0, day.Add(6*time.Hour))
	placeShift(t, g, 1, day.Add(13*time.Hour))
	placeShift(t, g, 1, day.Add(13*time.Hour))
	require.InDelta(t, 0, g.shortfall(), 1e-9)
	g.prune()
	require.InDelta(t, 24*60, g.paid(), 1e-9, "nothing to prune")

	s := newCoverSolver(g, stressRules{})
	s.weightedSearch(context.Background(), 2000, 2)
	r := Measure(p, g.shifts())
	assert.InDelta(t, 16, r.PaidAgentHours, 1e-9)
	assert.InDelta(t, 0, r.UnderAgentHours, 1e-9)
	assert.InDelta(t, 0, r.OverAgentHours, 1e-9)
}

func TestWeightedSearchKeepsCoverAndBreakRules(t *testing.T) {
	p, optimum := plantedDoublePeak(t, 40, 3)
	ts := loadTemplates(t)
	g := greedyPlan(context.Background(), p, ts)
	require.InDelta(t, 0, g.shortfall(), 1e-9)
	before := g.paid()

	s := newCoverSolver(g, stressRules{})
	s.weightedSearch(context.Background(), 4000, 2)
	shifts := g.shifts()
	r := Measure(p, shifts)
	assert.InDelta(t, 0, r.UnderAgentHours, 1e-9, "no shortfall")
	assert.LessOrEqual(t, g.paid(), before, "never dearer than the plan it started from")
	assert.Less(t, g.paid(), before, "the greedy plan leaves room to improve")
	assert.GreaterOrEqual(t, r.PaidAgentHours, optimum-1e-9)
	// The generator's own tally agrees with the plan it returns.
	cov := coverage(p, shifts)
	for i := range cov {
		require.InDelta(t, cov[i], g.cov[i], 1e-9, "interval %d", i)
	}
	for _, pl := range g.chosen {
		tm := ts.Templates[pl.c.tmpl]
		end := 0
		for bi, b := range tm.Breaks {
			off := pl.breaks[bi]
			assert.GreaterOrEqual(t, off, b.EarliestStart, "%s %s", tm.Name, b.Name)
			assert.LessOrEqual(t, off, b.LatestStart, "%s %s", tm.Name, b.Name)
			assert.Zero(t, (off-b.EarliestStart)%b.StepMin, "%s %s on its step", tm.Name, b.Name)
			assert.GreaterOrEqual(t, off, end, "%s %s after the break before it", tm.Name, b.Name)
			end = off + b.LengthMin
		}
	}
}

func TestWeightedSearchLeavesAPlanWithShortfallAlone(t *testing.T) {
	utc := time.UTC
	day := time.Date(2026, 1, 5, 0, 0, 0, 0, utc)
	p := Plan{Location: utc, Start: day, Step: time.Hour, Required: make([]float64, 24)}
	p.Required[10] = 3
	ts := Templates{IntervalMin: 60, Templates: []Template{{Name: "A", SpanMin: 240, PaidMin: 240, Start: StartWindow{"08:00", "08:00", 60}, Days: []string{"mon"}}}}
	g := newGenerator(p, ts)
	placeShift(t, g, 0, day.Add(8*time.Hour))
	s := newCoverSolver(g, stressRules{})
	s.weightedSearch(context.Background(), 100, 1)
	assert.Len(t, g.chosen, 1, "the search starts only from a plan without shortfall")
}

func TestStressSearchMovesShiftsOnlyToPatternsWithinThePeakStretchRule(t *testing.T) {
	p, _ := plantedDoublePeak(t, 40, 2)
	ts := loadTemplates(t)
	g := greedyPlan(context.Background(), p, ts)
	require.InDelta(t, 0, g.shortfall(), 1e-9)
	before := map[string]int{}
	for _, pl := range g.chosen {
		before[placedKey(pl)]++
	}
	s := newCoverSolver(g, stressRules{})
	s.stressSearch(context.Background(), 3000, 1)
	assert.InDelta(t, 0, g.shortfall(), 1e-9)
	moved := 0
	for _, pl := range g.chosen {
		if before[placedKey(pl)] > 0 {
			before[placedKey(pl)]--
			continue
		}
		moved++
		ci := s.candIndex(pl.c)
		ok := false
		for _, pat := range s.stressPatterns(ci, pl.c) {
			same := true
			for bi, k := range pat {
				same = same && s.geo[ci].opts[bi][k] == pl.breaks[bi]
			}
			ok = ok || same
		}
		assert.True(t, ok, "%s at %s: breaks %v outside the peak-stretch rule", ts.Templates[pl.c.tmpl].Name, pl.c.start, pl.breaks)
	}
	assert.Positive(t, moved, "the search moved shifts")
}

func placedKey(pl placed) string {
	return fmt.Sprint(pl.c.tmpl, pl.c.start.Unix(), pl.breaks)
}

// TestSearchBothKeepsTheCheaperRunAndRepeats: the two concurrent searches
// end where each would alone, the cheaper one wins, and the result is the
// same on every call.
func TestSearchBothKeepsTheCheaperRunAndRepeats(t *testing.T) {
	p, _ := plantedDoublePeak(t, 30, 2)
	ts := loadTemplates(t)
	const steps, rounds = 3000, 2
	alone := func(seed uint64, rounds int) float64 {
		g := greedyPlan(context.Background(), p, ts)
		s := newCoverSolver(g, stressRules{})
		s.seed = seed
		s.weightedSearch(context.Background(), steps, rounds)
		require.InDelta(t, 0, g.shortfall(), 1e-9)
		return g.paid()
	}
	both := func() []string {
		g := greedyPlan(context.Background(), p, ts)
		newCoverSolver(g, stressRules{}).searchBoth(context.Background(), steps, rounds)
		require.InDelta(t, 0, g.shortfall(), 1e-9)
		a, b := alone(0, rounds), alone(1<<20, 2*rounds)
		t.Logf("alone: %.0f and %.0f paid minutes; both: %.0f", a, b, g.paid())
		assert.InDelta(t, min(a, b), g.paid(), 1e-9, "the cheaper of the two runs")
		var out []string
		for _, sh := range g.shifts() {
			out = append(out, fmt.Sprint(sh.Template, sh.Start, sh.Breaks))
		}
		return out
	}
	assert.Equal(t, both(), both(), "repeatable")
}

// TestSearchOnKeepsImproving: from the searched greedy plan of a planted
// week, more searches with fresh seeds end cheaper, stay free of shortfall
// and never go below the proven optimum; a plan with shortfall is left
// alone.
func TestSearchOnKeepsImproving(t *testing.T) {
	p, optimum := plantedDoublePeak(t, 30, 1)
	ts := loadTemplates(t)
	g := greedyPlan(context.Background(), p.effective(), ts)
	require.InDelta(t, 0, g.shortfall(), 1e-9)
	s := newCoverSolver(g, stressRules{})
	s.searchBoth(context.Background(), weightedSearchSteps, weightedSearchRounds)
	once := g.clone()
	s.searchOn(context.Background(), 60*optimum)
	assert.InDelta(t, 0, g.shortfall(), 1e-9)
	assert.Less(t, g.paid(), once.paid(), "one search: %.0f h", once.paid()/60)
	assert.GreaterOrEqual(t, g.paid()/60, optimum-1e-9)
	assert.Zero(t, s.seed, "the solver's own seed is restored")

	g.apply(g.chosen[0], -1) // a hole: the search must not run
	g.chosen = g.chosen[1:]
	short, paid := g.shortfall(), g.paid()
	s.searchOn(context.Background(), 0)
	assert.Equal(t, short, g.shortfall())
	assert.Equal(t, paid, g.paid())
}
