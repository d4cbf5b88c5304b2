package roster

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/peakwise/peakwise/scheduling"
)

// maxBreakCombos bounds the break placements of one template that the
// stretch relief tries one by one; a template with more (many breaks with
// wide windows) is only re-placed a break at a time (placeBreaks).
const maxBreakCombos = 512

// stretchPrice is the objective's price of a shift whose longest run of
// peak work without a break lasts longest minutes: StretchLimit once it is
// over MaxPeakStretch, plus PeakStretch per hour beyond.
func (s *solver) stretchPrice(longest float64) float64 {
	beyond := longest - s.p.MaxPeakStretch.Minutes()
	if beyond <= 1e-9 {
		return 0
	}
	w := s.p.Weights
	return w.StretchLimit + w.PeakStretch*beyond/60
}

// breakCombos lists every placement of t's breaks: each break at a start of
// its window (at its step), in order and not overlapping the one before.
// It returns nil when there are more than limit of them.
func breakCombos(t scheduling.Template, limit int) [][]int {
	var out [][]int
	cur := make([]int, len(t.Breaks))
	var walk func(k int) bool
	walk = func(k int) bool {
		if k == len(t.Breaks) {
			if len(out) == limit {
				return false
			}
			out = append(out, append([]int(nil), cur...))
			return true
		}
		b := t.Breaks[k]
		for off := b.EarliestStart; off <= b.LatestStart; off += b.StepMin {
			if k > 0 && off < cur[k-1]+t.Breaks[k-1].LengthMin {
				continue
			}
			cur[k] = off
			if !walk(k + 1) {
				return false
			}
		}
		return true
	}
	if !walk(0) {
		return nil
	}
	return out
}

// breakCombosCache memoises breakCombos per template, and fitCombo.
type breakCombosCache struct {
	combos [][][]int
	done   []bool
	fit    map[[3]int32]int32
}

// combosOf returns the break placements of template ti (memoised; nil when
// there are too many to try one by one).
func (s *solver) combosOf(ti int) [][]int {
	c := &s.combos
	if c.combos == nil {
		c.combos = make([][][]int, len(s.p.Templates.Templates))
		c.done = make([]bool, len(s.p.Templates.Templates))
	}
	if !c.done[ti] {
		c.combos[ti] = breakCombos(s.p.Templates.Templates[ti], maxBreakCombos)
		c.done[ti] = true
	}
	return c.combos[ti]
}

// smallCombos is the most break placements of a neighbour's template that
// replaceAround tries one by one; with more it moves one break at a time.
const smallCombos = 64

// compoundTries bounds the placements within the limit, of those that
// leave requirement uncovered, that relieveShift tries together with
// re-placing the breaks of the shifts around it.
const compoundTries = 3

// relieveStretch tries to bring every shift over MaxPeakStretch within it
// (relieveShift), until ctx's deadline. A shift whose relief failed and
// that has not changed since is tried again only when all is set: the last
// pass, after the search, tries every shift over the limit again.
func (s *solver) relieveStretch(ctx context.Context, all bool) {
	w := s.p.Weights
	if w.StretchLimit == 0 && w.PeakStretch == 0 {
		return
	}
	// Shifts by the UTC day they start, for the neighbours of a relieved
	// shift; ids reused by later moves are checked where they are used.
	s.near = map[int64][]int32{}
	for id := range s.shifts {
		if pl := &s.shifts[id]; pl.alive {
			d := s.zones[pl.z].pats[pl.pat].start.Unix() / 86400
			s.near[d] = append(s.near[d], int32(id))
		}
	}
	if s.failed == nil {
		s.failed = map[int32]string{}
	}
	for id := 0; id < len(s.shifts); id++ {
		if id&15 == 0 && ctx.Err() != nil {
			return
		}
		pl := &s.shifts[id]
		if !pl.alive || pl.stretchObj == 0 {
			continue
		}
		key := fmt.Sprint(pl.agent, pl.pat, pl.queue, pl.breaks)
		if !all && s.failed[int32(id)] == key {
			continue
		}
		if nid := s.relieveShift(int32(id)); s.shifts[nid].stretchObj > 0 {
			p := &s.shifts[nid]
			s.failed[nid] = fmt.Sprint(p.agent, p.pat, p.queue, p.breaks)
		}
	}
}

// relieveShift moves a shift over the stretch limit to the placement that
// lowers the objective most among: every placement of its breaks, and every
// start of every template the agent may work on the same local date, on any
// of his queues, with every placement of its breaks that keeps the limit
// there. The stretch price outweighs any one shift's paid hours, so a
// placement within the limit wins unless it leaves more requirement
// uncovered; the few best that do are tried again with the breaks of the
// shifts around them re-placed (a break moved out of the interval the new
// one takes), and kept if that lowers the objective.
func (s *solver) relieveShift(id int32) int32 {
	s.bestBreaks(id)
	if s.shifts[id].stretchObj == 0 {
		return id
	}
	orig := s.shifts[id]
	orig.breaks = append([]int(nil), orig.breaks...)
	ai := orig.agent
	st := &s.agents[ai]
	z := &s.zones[orig.z]
	day, week := z.pats[orig.pat].day, z.pats[orig.pat].week
	base, under := s.obj()-1e-9, s.sumUnder
	type option struct {
		pat, queue int
		breaks     []int
		obj        float64
	}
	var options []option
	limit := s.p.MaxPeakStretch.Minutes()
	s.remove(id)
	for pi := z.dayLo[day]; pi < z.dayHi[day]; pi++ {
		if !s.canAdd(ai, pi) {
			continue
		}
		pt := &z.pats[pi]
		combos := s.combosOf(pt.tmpl)
		if combos == nil {
			combos = [][]int{pt.breaks0}
		}
		// The placements within the limit on each queue, judged from their
		// cells alone; each is then priced by its change to the objective
		// (breakDelta) with the shift in place at the first of them.
		cells := make([][]cell, len(combos))
		peakMin := make([][]float64, len(combos))
		fits := make([][]int, len(s.groups[st.g].queues))
		for ci, c := range combos {
			cells[ci] = s.cells(pt, c)
			peakMin[ci] = make([]float64, len(fits))
			for k, q := range s.groups[st.g].queues {
				pm, longest := peakStats(cells[ci], s.peakQ[q], s.p.Step)
				peakMin[ci][k] = pm
				if longest <= limit+1e-9 {
					fits[k] = append(fits[k], ci)
				}
			}
		}
		for k, q := range s.groups[st.g].queues {
			if len(fits[k]) == 0 {
				continue
			}
			nid := s.add(ai, pi, combos[fits[k][0]], q)
			if s.minOK(ai, week) {
				at := s.obj()
				best := option{obj: math.Inf(1)}
				for _, ci := range fits[k] {
					if o := at + s.breakDelta(nid, cells[ci], peakMin[ci][k], 0); o < best.obj {
						best = option{pi, q, combos[ci], o}
					}
				}
				options = append(options, best)
			}
			s.remove(nid)
		}
	}
	sort.Slice(options, func(a, b int) bool { return options[a].obj < options[b].obj })
	for k, o := range options {
		if o.obj < base {
			return s.add(ai, o.pat, o.breaks, o.queue)
		}
		if k == compoundTries {
			break
		}
		nid := s.add(ai, o.pat, o.breaks, o.queue)
		undo := s.replaceAround(nid)
		// Under-coverage comes first: the neighbours' moves must give back
		// all the cover the new breaks took, whatever else they gain.
		if s.obj() < base && s.sumUnder <= under+1e-9 {
			return nid
		}
		for x := len(undo) - 1; x >= 0; x-- {
			s.setBreaks(undo[x].id, undo[x].breaks)
		}
		s.remove(nid)
	}
	return s.add(ai, orig.pat, orig.breaks, orig.queue)
}

// movedBreaks is a shift's breaks before replaceAround moved them.
type movedBreaks struct {
	id     int32
	breaks []int
}

// replaceAround re-places (placeBreaks) the breaks of every other shift on
// shift id's queue that overlaps it and has a break where the queue is
// short, and returns their breaks before, in the order they were moved.
func (s *solver) replaceAround(id int32) []movedBreaks {
	pl := &s.shifts[id]
	pt := &s.zones[pl.z].pats[pl.pat]
	d := pt.start.Unix() / 86400
	var undo []movedBreaks
	for dd := d - 1; dd <= d+1; dd++ {
		for _, o := range s.near[dd] {
			po := &s.shifts[o]
			if o == id || !po.alive || po.queue != pl.queue {
				continue
			}
			ot := &s.zones[po.z].pats[po.pat]
			if !ot.start.Before(pt.end) || !pt.start.Before(ot.end) || !s.breakWhereShort(o) {
				continue
			}
			before := append([]int(nil), po.breaks...)
			if len(s.combosOf(ot.tmpl)) <= smallCombos {
				s.bestBreaks(o)
			} else {
				s.placeBreaks(o)
			}
			if !slices.Equal(before, s.shifts[o].breaks) {
				undo = append(undo, movedBreaks{o, before})
			}
		}
	}
	return undo
}

// fitBreaks moves the breaks of a shift over the stretch limit to the
// placement fitCombo finds, if there is one and it lowers the objective.
// The search's moves try a shift at its template's default breaks; this
// lets a start whose breaks can split its queue's peak count as such.
func (s *solver) fitBreaks(id int32) {
	pl := &s.shifts[id]
	if pl.stretchObj == 0 {
		return
	}
	c := s.fitCombo(pl.z, pl.pat, pl.queue)
	if c == nil {
		return
	}
	before := s.obj() - 1e-9
	old := append([]int(nil), pl.breaks...)
	s.setBreaks(id, c)
	if s.obj() >= before {
		s.setBreaks(id, old)
	}
}

// fitCombo returns the placement of pattern pat's breaks (zone z) that keeps
// the stretch limit on queue q's peaks and, of those, works the most peak
// time (its breaks take the least from the peak), then lies nearest the
// default breaks; nil if none keeps the limit (memoised).
func (s *solver) fitCombo(z, pat, q int) []int {
	c := &s.combos
	if c.fit == nil {
		c.fit = map[[3]int32]int32{}
	}
	pt := &s.zones[z].pats[pat]
	combos := s.combosOf(pt.tmpl)
	key := [3]int32{int32(z), int32(pat), int32(q)}
	k, ok := c.fit[key]
	if !ok {
		k = -1
		limit := s.p.MaxPeakStretch.Minutes()
		bestPeak, bestDist := -1.0, 0
		for ci, b := range combos {
			pm, longest := peakStats(s.cells(pt, b), s.peakQ[q], s.p.Step)
			if longest > limit+1e-9 {
				continue
			}
			dist := 0
			for x := range b {
				dist += max(b[x]-pt.breaks0[x], pt.breaks0[x]-b[x])
			}
			if pm > bestPeak+1e-9 || (pm > bestPeak-1e-9 && dist < bestDist) {
				k, bestPeak, bestDist = int32(ci), pm, dist
			}
		}
		c.fit[key] = k
	}
	if k < 0 {
		return nil
	}
	return combos[k]
}

// bestBreaks moves a shift's breaks to the placement, of all its template
// allows, that lowers the objective most.
func (s *solver) bestBreaks(id int32) {
	pl := &s.shifts[id]
	pt := &s.zones[pl.z].pats[pl.pat]
	combos := s.combosOf(pt.tmpl)
	best, bestDelta := -1, -1e-9
	for ci, c := range combos {
		cells := s.cells(pt, c)
		pm, longest := peakStats(cells, s.peakQ[pl.queue], s.p.Step)
		if d := s.breakDelta(id, cells, pm, s.stretchPrice(longest)); d < bestDelta {
			best, bestDelta = ci, d
		}
	}
	if best >= 0 {
		s.setBreaks(id, combos[best])
	}
}

// breakDelta is the change of the objective if shift id's cells were next,
// with peakMin peak minutes and a stretch price of price, on its queue:
// under- and over-coverage where its cover changes, the agent's fairness
// term and the stretch price (what setBreaks then obj would give, without
// touching the roster).
func (s *solver) breakDelta(id int32, next []cell, peakMin, price float64) float64 {
	pl := &s.shifts[id]
	w := s.p.Weights
	old := pl.cells
	du, do := 0.0, 0.0
	cellChanges(old, next, func(i int32, d float64) {
		r := s.rem[int(i)*s.Q+pl.queue]
		du += math.Max(0, r-d) - math.Max(0, r)
		do += math.Max(0, d-r) - math.Max(0, -r)
	})
	u := s.sumUnder * s.stepH
	delta := s.underCost(u+du*s.stepH) - s.underCost(u) + w.Over*do*s.stepH + price - pl.stretchObj
	if st := &s.agents[pl.agent]; st.paidMin > 0 && w.Fairness != 0 {
		paidH := float64(st.paidMin) / 60
		before, after := st.peakMin/60, (st.peakMin-pl.peakMin+peakMin)/60
		delta += w.Fairness * (after*after - before*before) / paidH
	}
	return delta
}

// breakWhereShort reports whether one of shift id's breaks takes time from
// an interval where its queue is short of its requirement.
func (s *solver) breakWhereShort(id int32) bool {
	pl := &s.shifts[id]
	pt := &s.zones[pl.z].pats[pl.pat]
	t := &s.p.Templates.Templates[pt.tmpl]
	for k, off := range pl.breaks {
		from := pt.start.Add(time.Duration(off) * time.Minute).Sub(s.p.Start)
		to := from + time.Duration(t.Breaks[k].LengthMin)*time.Minute
		for i := int(from / s.p.Step); i <= int((to-1)/s.p.Step) && i < s.n; i++ {
			if s.rem[i*s.Q+pl.queue] > 1e-9 {
				return true
			}
		}
	}
	return false
}
