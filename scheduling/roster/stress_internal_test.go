package roster

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling/plancheck"
)

// TestBreakDeltaIsTheObjectivesChange checks the stretch relief's shortcut
// against the roster itself: for shifts of a constructed roster and every
// placement of their breaks, breakDelta equals the objective's change when
// the breaks are really moved there.
func TestBreakDeltaIsTheObjectivesChange(t *testing.T) {
	p := followSunProblem(t, 30, 0.9, 3)
	p.defaults()
	p.Agents = p.eligible()
	s := newSolver(&p)
	s.greedy(context.Background())
	checked := 0
	for id := range s.shifts {
		if !s.shifts[id].alive || id%7 != 0 {
			continue
		}
		pl := &s.shifts[id]
		pt := &s.zones[pl.z].pats[pl.pat]
		orig := append([]int(nil), pl.breaks...)
		for _, c := range s.combosOf(pt.tmpl) {
			cells := s.cells(pt, c)
			pm, longest := peakStats(cells, s.peakQ[pl.queue], s.p.Step)
			want := s.obj()
			predicted := s.breakDelta(int32(id), cells, pm, s.stretchPrice(longest))
			s.setBreaks(int32(id), c)
			got := s.obj() - want
			if math.Abs(got-predicted) > 1e-6 {
				t.Fatalf("shift %d, breaks %v: breakDelta %.9f, the objective moved %.9f", id, c, predicted, got)
			}
			s.setBreaks(int32(id), orig)
			checked++
		}
	}
	if checked < 100 {
		t.Fatalf("only %d placements checked", checked)
	}
}

// TestFairnessPolishKeepsCoverAndPaidHours: the fairness polish never adds
// under-coverage or paid time, never raises the objective it descends (the
// peak-share Gini, as the report measures it, priced in place of the
// search's proxy), puts the price back, and breaks no rule the roster kept.
func TestFairnessPolishKeepsCoverAndPaidHours(t *testing.T) {
	boosted := func(s *solver) float64 {
		keep := s.p.Weights
		s.p.Weights.Fairness = 0
		for ai := range s.agents {
			s.refreshSoft(ai)
		}
		rep, err := Measure(*s.p, s.assignments())
		require.NoError(t, err)
		o := s.obj() + fairnessPolishGini*keep.Fairness*rep.PeakShareGini
		s.p.Weights = keep
		for ai := range s.agents {
			s.refreshSoft(ai)
		}
		return o
	}
	breaches := func(p Problem, s *solver) map[string]bool {
		out := map[string]bool{}
		for _, b := range plancheck.Check(plancheckInput(p, s.assignments())) {
			out[b.Rule+" "+b.Agent] = true
		}
		return out
	}
	improved := 0
	for seed := uint64(1); seed <= 20; seed++ {
		p := randomMultiZone(t, seed)
		p.defaults()
		p.Agents = p.eligible()
		s := newSolver(&p)
		s.greedy(t.Context())
		s.placeAllBreaks()
		s.fillMinimums()
		under, paid, obj, before := s.sumUnder, s.paidTotal, boosted(s), breaches(p, s)
		s.polishFairness(t.Context())
		if boosted(s) < obj-1e-6 {
			improved++
		}
		assert.LessOrEqual(t, s.sumUnder, under+1e-9, "seed %d: under-coverage", seed)
		assert.LessOrEqual(t, s.paidTotal, paid, "seed %d: paid minutes", seed)
		assert.LessOrEqual(t, boosted(s), obj+1e-6, "seed %d: the polish's objective", seed)
		g := newGiniTracker(len(s.agents))
		s.syncGini(g)
		rep, err := Measure(p, s.assignments())
		require.NoError(t, err)
		assert.InDelta(t, rep.PeakShareGini, g.gini(), 1e-9, "seed %d: the polish's Gini is the report's", seed)
		assert.Equal(t, DefaultWeights().Fairness, s.p.Weights.Fairness, "seed %d: the price is put back", seed)
		for b := range breaches(p, s) {
			assert.True(t, before[b], "seed %d: a new breach %s", seed, b)
		}
	}
	assert.Positive(t, improved, "the polish found nothing to improve on any seed")
}
