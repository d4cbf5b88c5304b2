package scheduling

import (
	"context"
	"math"
	"sync"
	"time"
)

// Stress relief: the cheapest plan's breaks go where cover is best served,
// which can leave a shift working three hours of peak without a break, or
// stack breaks in a peak. relieveStress re-places breaks under the stress
// rules and pays for the cover that costs with extra shifts, up to
// Plan.StressBudget.

func (g *generator) clone() *generator {
	h := *g
	h.cov = append([]float64(nil), g.cov...)
	h.used = append([]int(nil), g.used...)
	h.chosen = make([]placed, len(g.chosen))
	for i, pl := range g.chosen {
		h.chosen[i] = placed{c: pl.c, breaks: append([]int(nil), pl.breaks...)}
	}
	return &h
}

// stressState tracks staff on shift and on break per interval.
type stressState struct {
	s         *coverSolver
	onShift   []float64
	onBreak   []float64
	compliant map[candKey]map[string]bool // per candidate: break offsets within the peak-stretch rule
	tmp       []float64                   // scratch: one shift's cover per interval
}

// peakMinutes is the break time a shift with these offsets takes in peaks,
// in intervals.
func (st *stressState) peakMinutes(c candidate, offs []int) float64 {
	g := st.s.g
	bo := st.s.geo[st.s.candIndex(c)]
	m := 0.0
	for bi, b := range g.ts.Templates[c.tmpl].Breaks {
		for _, x := range bo.taken[bi][b.option(offs[bi])] {
			if g.peak[x.i] {
				m += x.v
			}
		}
	}
	return m
}

func offsKey(offs []int) string {
	b := make([]rune, len(offs))
	for i, o := range offs {
		b[i] = rune(o)
	}
	return string(b)
}

func newStressState(s *coverSolver) *stressState {
	g := s.g
	st := &stressState{s: s, onShift: make([]float64, g.n), onBreak: make([]float64, g.n), compliant: map[candKey]map[string]bool{}}
	for _, pl := range g.chosen {
		st.add(pl, 1)
	}
	return st
}

func (st *stressState) add(pl placed, sign float64) {
	g := st.s.g
	ci := st.s.candIndex(pl.c)
	for _, x := range st.s.geo[ci].span {
		st.onShift[x.i] += sign * x.v
	}
	for bi, b := range g.ts.Templates[pl.c.tmpl].Breaks {
		for _, x := range g.breakCover(pl.c, pl.breaks[bi], b.LengthMin) {
			st.onBreak[x.i] += sign * x.v
		}
	}
}

// isCompliant says whether a shift with these break offsets keeps the
// peak-stretch rule (or, if no placement of its breaks can, is as close as
// any placement gets).
func (st *stressState) isCompliant(c candidate, offs []int) bool {
	k := candKey{c.tmpl, c.start.UnixNano()}
	set, ok := st.compliant[k]
	if !ok {
		set = map[string]bool{}
		ci := st.s.candIndex(c)
		for _, pat := range st.s.stressPatterns(ci, c) {
			o := make([]int, len(pat))
			for bi, j := range pat {
				o[bi] = st.s.geo[ci].opts[bi][j]
			}
			set[offsKey(o)] = true
		}
		st.compliant[k] = set
	}
	return set[offsKey(offs)]
}

// shortfallWith is how much a shift of this geometry with breaks at pattern
// pat would add to the plan's shortfall (negative: take from it), counted
// on its own intervals only.
func (st *stressState) shortfallWith(bo breakOpts, pat []int) float64 {
	g := st.s.g
	if st.tmp == nil {
		st.tmp = make([]float64, g.n)
	}
	for _, x := range bo.span {
		st.tmp[x.i] += x.v
	}
	for bi, j := range pat {
		for _, x := range bo.taken[bi][j] {
			st.tmp[x.i] -= x.v
		}
	}
	d := 0.0
	settle := func(cells []cell) {
		for _, x := range cells {
			if v := st.tmp[x.i]; v != 0 {
				d += shortOf(g.p.Required[x.i], g.cov[x.i]+v) - shortOf(g.p.Required[x.i], g.cov[x.i])
				st.tmp[x.i] = 0
			}
		}
	}
	settle(bo.span)
	for bi, j := range pat {
		settle(bo.taken[bi][j])
	}
	return d
}

// placeAll gives every shift its least stressful break placement: within the
// peak-stretch rule, then the fewest break minutes in peaks and over the
// break share, near the peaks (their shoulders) rather than in valleys.
// With force false a shift only moves when that adds no shortfall.
func (st *stressState) placeAll(force bool) { st.place(force, false) }

// placeViolating moves only the shifts whose breaks break the peak-stretch
// rule, each to the compliant placement that opens the least shortfall
// (then the least stress): the cheapest way to meet the rule.
func (st *stressState) placeViolating() { st.place(true, true) }

// place is placeAll; with onlyViolating it leaves compliant shifts alone and
// weighs shortfall above stress.
func (st *stressState) place(force, onlyViolating bool) {
	g := st.s.g
	share := g.p.MaxBreakShare
	maxReq := 0.0
	for _, r := range g.p.Required {
		maxReq = math.Max(maxReq, r)
	}
	for k := range g.chosen {
		pl := &g.chosen[k]
		t := g.ts.Templates[pl.c.tmpl]
		if len(t.Breaks) == 0 {
			continue
		}
		if onlyViolating && st.isCompliant(pl.c, pl.breaks) {
			continue
		}
		ci := st.s.candIndex(pl.c)
		bo := st.s.geo[ci]
		st.add(*pl, -1)
		g.apply(*pl, -1)
		before := st.shortfallWith(bo, g.pattern(*pl)) // with the shift where it is
		best, bestScore := append([]int(nil), pl.breaks...), math.Inf(1)
		eachPattern(bo.opts, func(pat []int) {
			offs := make([]int, len(pat))
			for bi, j := range pat {
				offs[bi] = bo.opts[bi][j]
			}
			score := 0.0
			if !st.isCompliant(pl.c, offs) {
				score += 1e6
			}
			added := st.shortfallWith(bo, pat) - before
			if !force && added > 1e-9 {
				return
			}
			if onlyViolating {
				score += 1e4 * added
			} else {
				score += 100 * added
			}
			for bi := range pat {
				for _, x := range bo.taken[bi][pat[bi]] {
					on := st.onShift[x.i] + 1
					if over := (st.onBreak[x.i]+x.v)/on - share; over > 0 {
						score += 100 * over
					}
					if g.peak[x.i] {
						score += 1000 * x.v
					}
					// Shoulders over valleys: the busier the interval, the
					// more a break there relieves.
					score -= x.v * g.p.Required[x.i] / math.Max(maxReq, 1)
				}
			}
			if score < bestScore-1e-9 {
				best, bestScore = offs, score
			}
		})
		pl.breaks = best
		g.apply(*pl, 1)
		st.add(*pl, 1)
	}
}

// relieveStress returns a copy of the plan with stress relieved (see
// relieveWithin), provided the plan pays at most StressBudget more than this
// one, adds no shortfall, takes no larger share of its break time in peaks
// and has no longer peak stretch. It tries at most four ways, and keeps the
// first that fits (a 3-hour limit within budget beats no relief at all):
// every shift's breaks at their least stressful places within
// MaxPeakStretch; only the shifts that break that limit moved (cheaper, but
// it may leave more break time in peaks); the same with a limit halfway to
// this plan's longest stretch; the same with a limit one interval below it.
// Moving breaks only where that costs no cover is preferred when it
// relieves as much (no longer stretch, no larger share in peaks), and is the
// fallback when no way fits; if even that makes a figure worse, it returns
// the plan as it is.
func (s *coverSolver) relieveStress(ctx context.Context) *generator {
	g := s.g
	limit := g.paid()*(1+g.p.StressBudget) + 1e-9
	short, share, stretch := g.shortfall(), peakBreakShare(g), longestPeakStretch(g)
	noWorse := func(h *generator) bool {
		return h.shortfall() <= short+1e-9 && peakBreakShare(h) <= share+1e-9 && longestPeakStretch(h) <= stretch
	}
	// The ways, in order of preference. They are independent, so the first
	// and the last (the likeliest to fit) run at once, one on each core;
	// the middle ones run (together) only when they could still beat them.
	type way struct {
		stretch       time.Duration
		onlyViolating bool
	}
	lo := g.p.MaxPeakStretch
	ways := []way{{lo, false}}
	if lo < stretch {
		ways = append(ways, way{lo, true})
		mid := (lo + stretch) / 2 / g.p.Step * g.p.Step
		if mid > lo && mid < stretch {
			ways = append(ways, way{mid, true})
		}
		// The smallest cut: one interval off the longest stretch, only the
		// shifts over it moved. On a tight plan it is often the only one
		// that adds no break time in peaks (the Erlang week at twice the
		// size: 210 -> 180 min for nothing, where 150 and 120 min took a
		// larger share of break minutes in peaks).
		if last := stretch - g.p.Step; last > lo && last > mid {
			ways = append(ways, way{last, true})
		}
	}
	got := make([]*generator, len(ways))
	run := func(ks ...int) {
		var wg sync.WaitGroup
		for _, k := range ks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[k] = s.relieveWithin(ctx, ways[k].stretch, ways[k].onlyViolating)
			}()
		}
		wg.Wait()
	}
	fits := func(k int) bool { return got[k] != nil && got[k].paid() <= limit && noWorse(got[k]) }
	switch last := len(ways) - 1; {
	case ctx.Err() != nil:
	case last == 0:
		run(0)
	default:
		run(0, last)
		if !fits(0) && last >= 2 && ctx.Err() == nil {
			var middle []int
			for k := 1; k < last; k++ {
				middle = append(middle, k)
			}
			run(middle...)
		}
	}
	var best *generator
	for k := range ways {
		if fits(k) {
			best = got[k]
			break
		}
	}
	// Moving breaks only where that costs no cover is free, and sometimes
	// relieves as much: then it is the better plan.
	free := g.clone()
	newStressState(s.over(free)).placeAll(false)
	freeOK := noWorse(free)
	if best != nil && (!freeOK || longestPeakStretch(free) > longestPeakStretch(best) || peakBreakShare(free) > peakBreakShare(best)+1e-9) {
		return best
	}
	if freeOK {
		return free
	}
	// Moving breaks alone made some figure worse (it can, when the search
	// was cut short by a deadline): the cheapest plan as it is.
	return g.clone()
}

// relieveWithin returns a copy of the plan with every shift's breaks under
// the stress rules, peak stretches within stretch (with onlyViolating, only
// the shifts over it move at first): the cover that loses is refilled by
// moving other compliant breaks and adding shifts, then paid time is taken
// back out by the weighted search with compliant breaks.
func (s *coverSolver) relieveWithin(ctx context.Context, stretch time.Duration, onlyViolating bool) *generator {
	g := s.g
	h := g.clone()
	h.p.MaxPeakStretch = stretch
	hs := s.over(h)
	st := newStressState(hs)
	// Repairs keep breaks compliant and put no more break time in peaks.
	allowed := func(k int, offs []int) bool {
		c := h.chosen[k].c
		return st.isCompliant(c, offs) && st.peakMinutes(c, offs) <= st.peakMinutes(c, h.chosen[k].breaks)+1e-9
	}
	if onlyViolating {
		st.placeViolating()
	} else {
		st.placeAll(true)
	}
	hs.repairBreaks(ctx, allowed)
	if h.shortfall() > g.shortfall()+1e-9 {
		h.greedy(ctx)
		st = newStressState(hs)
		st.placeAll(false)
		hs.repairBreaks(ctx, allowed)
		h.prune()
		hs.dropSpare(ctx, allowed)
		// The shifts added above cost more than the budget on a tight
		// plan: the search takes paid time back out, every shift it moves
		// within the peak-stretch rule.
		hs.stressSearch(ctx, stressSearchSteps, 1)
	}
	// Last, every shift's breaks to their least stressful compliant place
	// that adds no shortfall: after moving only the violating shifts this
	// takes break time out of the peaks that the rest of the plan can spare
	// (the end-to-end Erlang week at twice the size, at 10 s: 210 -> 180
	// min and 35.4 -> 33.5% of break minutes in peaks, where relief had
	// left the cheapest plan as it was).
	newStressState(hs).placeAll(false)
	return h
}

// longestPeakStretch is the longest stretch of peak work without a break of
// any shift of the plan.
func longestPeakStretch(g *generator) time.Duration {
	var longest time.Duration
	for _, pl := range g.chosen {
		longest = max(longest, g.peakStretch(pl.c, pl.breaks))
	}
	return longest
}

// stressSearchSteps is the stress-aware plan's share of search steps.
const stressSearchSteps = 8000

// peakBreakShare is the share of the plan's break time taken in peak
// intervals (0 without breaks).
func peakBreakShare(g *generator) float64 {
	in, all := 0.0, 0.0
	for _, pl := range g.chosen {
		for bi, b := range g.ts.Templates[pl.c.tmpl].Breaks {
			for _, x := range g.breakCover(pl.c, pl.breaks[bi], b.LengthMin) {
				all += x.v
				if g.peak[x.i] {
					in += x.v
				}
			}
		}
	}
	if all == 0 {
		return 0
	}
	return in / all
}
