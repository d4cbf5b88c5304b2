package roster

import (
	"context"
	"math"
	"testing"
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
