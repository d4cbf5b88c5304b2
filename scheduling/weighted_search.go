package scheduling

import (
	"context"
	"math"
	"math/rand/v2"
)

// Row-weighting local search over whole plans, after the row-weighting
// local search for set covering (Gao et al., 2015): from a plan without
// shortfall it drops a shift and tries to close the hole that opens by
// relocating shifts (any template, any start, breaks re-placed where they
// hurt least) and adding ones that still keep the plan cheaper than the best
// found. A step takes one short interval at random, makes the move that
// leaves the least weighted shortfall (even if that is more than before),
// and adds weight to that interval, so the search stops circling a hole it
// cannot close and pushes it elsewhere, often into over-coverage, where it
// vanishes. Every plan without shortfall it meets is
// cheaper than the last, and the cheapest is kept.

// wsShift is one shift of the search: a candidate and its option per break.
type wsShift struct {
	ci  int
	pat []int
}

type weightedSearch struct {
	s      *coverSolver
	req    []float64
	cov    []float64
	w      []float64 // weight per interval
	shifts []wsShift
	used   []int // shifts per template
	paid   float64
	cost   []float64 // paid minutes per candidate
	near   [][]int   // interval -> candidates whose span covers it
	center []int     // candidate -> interval in the middle of its span
	reach  int       // longest span in intervals
	leftAt []int     // candidate -> last step a shift left it
	tmp    []float64 // scratch cover per interval, zero between uses
	limit  []int     // scratch
	pat    []int     // scratch
	rng    *rand.Rand
	// stress restricts every shift to the break patterns within the
	// peak-stretch rule (s.stressPatterns), computed as candidates come up.
	stress   bool
	patterns [][][]int
	loss     [][]float64 // scratch: weighted change per break and option
}

// weightedSearchSteps is the search's step budget. A step evaluates the
// relocations of the shifts near one short interval, about 60 microseconds
// on a week of 30-minute intervals; more steps than this found nothing
// cheaper on the planted weeks.
const weightedSearchSteps = 40000

// weightedSearchRounds is how many rounds share the steps (2 measured best
// of 1, 2 and 4 on the planted weeks at 20,000 and 40,000 steps).
const weightedSearchRounds = 2

// weightedSearch runs the search on the generator's plan (which must have no
// shortfall, or it is left alone) in rounds, steps steps in all, and adopts
// the cheapest plan without shortfall it finds. Each round starts from the
// best plan so far with fresh weights and its own random choices: runs from
// one plan differ widely, so several short ones beat one long one. The
// random choices are seeded, so a plan is repeatable.
func (s *coverSolver) weightedSearch(ctx context.Context, steps, rounds int) {
	s.search(ctx, steps, rounds, false)
}

// stressSearch is weightedSearch that gives every shift it moves a break
// pattern within the peak-stretch rule (or as near it as the shift gets);
// shifts it leaves keep theirs.
func (s *coverSolver) stressSearch(ctx context.Context, steps, rounds int) {
	s.search(ctx, steps, rounds, true)
}

// searchBoth runs weightedSearch twice at once from the same plan, on the
// machine's second core: the second run with another seed and its steps in
// twice as many rounds. It keeps the cheaper plan (the first on a tie), so a
// plan is still repeatable. Runs from one plan end one or two 4-hour shifts
// apart, either way; on the planted weeks of 45-120 pairs the mean gap to
// the optimum fell from 0.73-1.56% with one run to 0.41-1.14% with both.
func (s *coverSolver) searchBoth(ctx context.Context, steps, rounds int) {
	s.searchAlongside(ctx, s.g.clone(), steps, rounds)
}

// searchAlongside searches this plan and h (another plan over the same
// candidates) at once, h on the second core with another seed and its steps
// in twice as many rounds, and keeps the cheaper in this solver's plan (this
// one on a tie).
func (s *coverSolver) searchAlongside(ctx context.Context, h *generator, steps, rounds int) {
	hs := s.over(h)
	hs.seed = s.seed + 1<<20
	done := make(chan struct{})
	go func() {
		defer close(done)
		hs.weightedSearch(ctx, steps, 2*rounds)
	}()
	s.weightedSearch(ctx, steps, rounds)
	<-done
	if h.shortfall() <= s.g.shortfall()+1e-9 && h.paid() < s.g.paid()-1e-9 {
		*s.g = *h
	}
}

// extraSearches caps how many more times searchOn searches.
const extraSearches = 8

// searchOn spends time a deadline leaves on more of the search: it runs
// searchBoth again from the best plan so far, with fresh seeds, at most
// extraSearches times, until ctx ends or the plan pays no more than bound
// (paid minutes, the LP bound) rounded up to whole pay units, so that no
// plan without shortfall pays less. Runs from one plan end one or two
// 4-hour shifts apart, so more of them find more: on the double-peak week
// one run in 16 from the LP's plan found 1,216 h where the others stopped
// at 1,220 h (by hand), and with these runs BenchmarkGenerate24x7 at 9.5 s
// gets 1,216 h on every call.
func (s *coverSolver) searchOn(ctx context.Context, bound float64) {
	floor := 0.0
	if unit := float64(s.g.ts.payUnit()); unit > 0 {
		floor = unit * math.Ceil(bound/unit-1e-6)
	}
	defer func(seed uint64) { s.seed = seed }(s.seed)
	for r := 1; r <= extraSearches && ctx.Err() == nil; r++ {
		if s.g.shortfall() > 1e-9 || s.g.paid() <= floor+1e-9 {
			return
		}
		s.seed = uint64(r) << 24
		s.searchBoth(ctx, weightedSearchSteps, weightedSearchRounds)
	}
}

func (s *coverSolver) search(ctx context.Context, steps, rounds int, stress bool) {
	g := s.g
	if g.shortfall() > 1e-9 || len(g.chosen) == 0 {
		return
	}
	for r := 0; r < rounds && ctx.Err() == nil; r++ {
		ws := s.newWeightedSearch(s.seed + uint64(r))
		if stress {
			ws.stress, ws.patterns = true, make([][][]int, len(g.cands))
		}
		s.adoptShifts(ws.run(ctx, steps/rounds, ws.snapshot(), ws.paid))
	}
}

// plan lists the generator's shifts as candidates and patterns.
func (s *coverSolver) plan() []wsShift {
	g := s.g
	out := make([]wsShift, 0, len(g.chosen))
	for _, pl := range g.chosen {
		out = append(out, wsShift{s.candIndex(pl.c), g.pattern(pl)})
	}
	return out
}

// pattern is a placed shift's break starts as option indexes.
func (g *generator) pattern(pl placed) []int {
	pat := make([]int, len(pl.breaks))
	for bi, b := range g.ts.Templates[pl.c.tmpl].Breaks {
		pat[bi] = b.option(pl.breaks[bi])
	}
	return pat
}

// run searches for at most steps steps and returns the cheapest plan without
// shortfall it met (the one it started from if none is cheaper).
func (ws *weightedSearch) run(ctx context.Context, steps int, best []wsShift, bestPaid float64) []wsShift {
	const tenure = 10
	for step := 1; step <= steps && (step%8 != 0 || ctx.Err() == nil); step++ {
		short := ws.short()
		if len(short) == 0 {
			if ws.paid < bestPaid-1e-9 {
				best, bestPaid = ws.snapshot(), ws.paid
			}
			if !ws.dropOne(step) {
				break
			}
			continue
		}
		i := short[ws.rng.IntN(len(short))]
		ws.bestMove(i, step, tenure, bestPaid)
		// Only the interval the step worked on gains weight: weighting every
		// short interval measured worse on the planted weeks (1.32% against
		// 1.11% above the optimum, 20,000 steps).
		ws.w[i]++
		if step%1024 == 0 {
			ws.recount()
		}
	}
	if len(ws.short()) == 0 && ws.paid < bestPaid-1e-9 {
		best = ws.snapshot()
	}
	return best
}

func (s *coverSolver) newWeightedSearch(seed uint64) *weightedSearch {
	g := s.g
	ws := &weightedSearch{s: s, req: g.p.Required, cov: make([]float64, g.n), w: make([]float64, g.n),
		used: make([]int, len(g.ts.Templates)), cost: make([]float64, len(g.cands)), near: make([][]int, g.n),
		center: make([]int, len(g.cands)), tmp: make([]float64, g.n), leftAt: make([]int, len(g.cands)),
		rng: rand.New(rand.NewPCG(seed, uint64(g.n)))}
	for i := range ws.w {
		ws.w[i] = 1
	}
	for ci, c := range g.cands {
		ws.cost[ci] = float64(g.ts.Templates[c.tmpl].PaidMin)
		ws.center[ci] = c.first + c.span/2
		ws.reach = max(ws.reach, c.span)
		ws.leftAt[ci] = -1 << 30
		for _, x := range s.geo[ci].span {
			ws.near[x.i] = append(ws.near[x.i], ci)
		}
	}
	for _, sh := range s.plan() {
		ws.insert(sh)
	}
	return ws
}

// apply adds (sign 1) or removes (-1) cells to the cover and returns the
// change of the weighted shortfall and of the shortfall.
func (ws *weightedSearch) apply(cells []cell, sign float64) (float64, float64) {
	dw, du := 0.0, 0.0
	for _, x := range cells {
		c := ws.cov[x.i]
		before := shortOf(ws.req[x.i], c)
		c += sign * x.v
		after := shortOf(ws.req[x.i], c)
		ws.cov[x.i] = c
		dw += ws.w[x.i] * (after - before)
		du += after - before
	}
	return dw, du
}

// place adds (sign 1) or removes (-1) a shift's cover.
func (ws *weightedSearch) place(sh wsShift, sign float64) (float64, float64) {
	bo := ws.s.geo[sh.ci]
	dw, du := ws.apply(bo.span, sign)
	for bi, k := range sh.pat {
		a, b := ws.apply(bo.taken[bi][k], -sign)
		dw, du = dw+a, du+b
	}
	return dw, du
}

func (ws *weightedSearch) insert(sh wsShift) {
	ws.place(sh, 1)
	ws.shifts = append(ws.shifts, sh)
	ws.used[ws.s.g.cands[sh.ci].tmpl]++
	ws.paid += ws.cost[sh.ci]
}

func (ws *weightedSearch) remove(k, step int) {
	sh := ws.shifts[k]
	ws.place(sh, -1)
	ws.shifts[k] = ws.shifts[len(ws.shifts)-1]
	ws.shifts = ws.shifts[:len(ws.shifts)-1]
	ws.used[ws.s.g.cands[sh.ci].tmpl]--
	ws.paid -= ws.cost[sh.ci]
	ws.leftAt[sh.ci] = step
}

// bestBreaks finds, for a shift of candidate ci added to the current cover,
// the break placement that leaves the least weighted shortfall, one break at
// a time in order (each after the one before it ends, and early enough for
// the ones after it). It returns the changes of the weighted shortfall and
// of the shortfall and the pattern (scratch, valid until the next call), the
// cover unchanged; ok is false if the breaks do not fit or if the weighted
// change is sure to exceed bound (breaks only take cover away, so the span's
// change is a lower bound).
func (ws *weightedSearch) bestBreaks(ci int, bound float64) (dw, du float64, pat []int, ok bool) {
	g := ws.s.g
	bo := ws.s.geo[ci]
	rules := g.ts.Templates[g.cands[ci].tmpl].Breaks
	pat = ws.pat[:0]
	for range rules {
		pat = append(pat, 0)
	}
	ws.pat = pat // keep the capacity: no allocation per call
	for _, x := range bo.span {
		c := ws.cov[x.i]
		dw += ws.w[x.i] * (shortOf(ws.req[x.i], c+x.v) - shortOf(ws.req[x.i], c))
	}
	if dw > bound+1e-9 {
		return 0, 0, nil, false
	}
	dw = 0
	// tmp holds the shift's own cover so far, so the cover is not written.
	for _, x := range bo.span {
		c := ws.cov[x.i]
		d := shortOf(ws.req[x.i], c+x.v) - shortOf(ws.req[x.i], c)
		dw, du = dw+ws.w[x.i]*d, du+d
		ws.tmp[x.i] += x.v
	}
	defer func() {
		for _, x := range bo.span {
			ws.tmp[x.i] = 0
		}
		for bi := range rules {
			for _, x := range bo.taken[bi][pat[bi]] {
				ws.tmp[x.i] = 0
			}
		}
	}()
	// limit[bi] is the latest start of break bi that leaves room for the rest.
	limit := ws.limit[:0]
	for range rules {
		limit = append(limit, 0)
	}
	ws.limit = limit
	for bi := len(rules) - 1; bi >= 0; bi-- {
		limit[bi] = rules[bi].LatestStart
		if bi+1 < len(rules) {
			limit[bi] = min(limit[bi], limit[bi+1]-rules[bi].LengthMin)
		}
	}
	if ws.stress && len(rules) > 0 {
		if !ws.patternBreaks(ci, pat) {
			return 0, 0, nil, false
		}
		for bi, k := range pat {
			for _, x := range bo.taken[bi][k] {
				c := ws.cov[x.i] + ws.tmp[x.i]
				d := shortOf(ws.req[x.i], c-x.v) - shortOf(ws.req[x.i], c)
				dw, du = dw+ws.w[x.i]*d, du+d
				ws.tmp[x.i] -= x.v
			}
		}
		return dw, du, pat, true
	}
	prevEnd := math.MinInt
	for bi := range rules {
		bk, bw, bu, seen := -1, math.Inf(1), 0.0, 0
		for k, off := range bo.opts[bi] {
			if off < prevEnd || off > limit[bi] {
				continue
			}
			a, b := 0.0, 0.0
			for _, x := range bo.taken[bi][k] {
				c := ws.cov[x.i] + ws.tmp[x.i]
				d := shortOf(ws.req[x.i], c-x.v) - shortOf(ws.req[x.i], c)
				a, b = a+ws.w[x.i]*d, b+d
			}
			if a <= 1e-9 {
				// Among placements that cost nothing, the one with the most
				// spare cover: a break there leaves the rest of the spare
				// cover in fewer, larger pieces, which a later drop can use
				// (0.97% against 1.04% above the optimum on the planted weeks;
				// preferring the least spare cover measured 1.04%).
				spare := 0.0
				for _, x := range bo.taken[bi][k] {
					spare += ws.cov[x.i] + ws.tmp[x.i] - ws.req[x.i]
				}
				a -= 1e-6 * spare
			}
			switch {
			case a < bw-1e-9:
				bk, bw, bu, seen = k, a, b, 1
			case a <= bw+1e-9:
				// Ties go to a random one, so breaks spread over equal places.
				seen++
				if ws.rng.IntN(seen) == 0 {
					bk, bw, bu = k, a, b
				}
			}
		}
		if bk < 0 {
			return 0, 0, nil, false
		}
		for _, x := range bo.taken[bi][bk] {
			ws.tmp[x.i] -= x.v
		}
		pat[bi] = bk
		dw, du = dw+bw, du+bu
		prevEnd = bo.opts[bi][bk] + rules[bi].LengthMin
	}
	return dw, du, pat, true
}

// patternBreaks writes into pat the allowed pattern of candidate ci whose
// breaks leave the least weighted shortfall, each break scored on its own
// against the cover with the shift's span in tmp. It returns false if the
// candidate has no allowed pattern.
func (ws *weightedSearch) patternBreaks(ci int, pat []int) bool {
	if ws.patterns[ci] == nil {
		ws.patterns[ci] = ws.s.stressPatterns(ci, ws.s.g.cands[ci])
	}
	pats := ws.patterns[ci]
	if len(pats) == 0 {
		return false
	}
	bo := ws.s.geo[ci]
	for len(ws.loss) < len(bo.opts) {
		ws.loss = append(ws.loss, nil)
	}
	for bi := range bo.opts {
		ls := ws.loss[bi][:0]
		for range bo.opts[bi] {
			ls = append(ls, 0)
		}
		ws.loss[bi] = ls
		for k := range ls {
			for _, x := range bo.taken[bi][k] {
				c := ws.cov[x.i] + ws.tmp[x.i]
				ls[k] += ws.w[x.i] * (shortOf(ws.req[x.i], c-x.v) - shortOf(ws.req[x.i], c))
				// A break minute in a peak costs as much as twenty short
				// ones before they gain weight, so the relieved plan takes
				// no larger share of its break time in peaks than the
				// cheapest (on the double-peak week: 42% with 20, 44% with 8,
				// 45% with 2, against 43% in the cheapest plan); between
				// patterns that cost the same, breaks where cover is most
				// spare.
				if ws.s.g.peak[x.i] {
					ls[k] += 20 * x.v
				}
				ls[k] -= 1e-6 * (c - ws.req[x.i])
			}
		}
	}
	best, bestL, seen := -1, math.Inf(1), 0
	for pi, pt := range pats {
		l := 0.0
		for bi, k := range pt {
			l += ws.loss[bi][k]
		}
		switch {
		case l < bestL-1e-9:
			best, bestL, seen = pi, l, 1
		case l <= bestL+1e-9:
			seen++
			if ws.rng.IntN(seen) == 0 {
				best = pi
			}
		}
	}
	copy(pat, pats[best])
	return true
}

func shortOf(req, cov float64) float64 {
	if d := req - cov; d > 0 {
		return d
	}
	return 0
}

// short lists the intervals with shortfall.
func (ws *weightedSearch) short() []int {
	var out []int
	for i, r := range ws.req {
		if r-ws.cov[i] > 1e-9 {
			out = append(out, i)
		}
	}
	return out
}

// dropOne removes the shift whose removal adds the least weighted shortfall
// per paid minute. It returns false if there is none.
func (ws *weightedSearch) dropOne(step int) bool {
	best, bestScore := -1, math.Inf(1)
	for k, sh := range ws.shifts {
		dw, _ := ws.place(sh, -1)
		ws.place(sh, 1)
		if score := dw / ws.cost[sh.ci]; score < bestScore-1e-12 {
			best, bestScore = k, score
		}
	}
	if best < 0 {
		return false
	}
	ws.remove(best, step)
	return true
}

// bestMove makes the best move for short interval i: relocate a shift near
// it to a candidate covering it, or add such a candidate, whichever leaves
// the least weighted shortfall, provided the plan stays cheaper than
// bestPaid. A candidate a shift left less than tenure steps ago is taken only
// if that closes every hole.
func (ws *weightedSearch) bestMove(i, step, tenure int, bestPaid float64) {
	g := ws.s.g
	type move struct {
		k   int // shift to relocate, -1 to add
		ci  int
		pat []int
	}
	var best move
	bestW, bestPaidAfter, seen := math.Inf(1), 0.0, 0
	under := 0.0
	for j, r := range ws.req {
		under += math.Max(0, r-ws.cov[j])
	}
	consider := func(k, ci int, dw0, du0, paidAfter float64) {
		t := g.ts.Templates[g.cands[ci].tmpl]
		if paidAfter >= bestPaid-1e-9 {
			return
		}
		if t.MaxAgents != nil {
			n := ws.used[g.cands[ci].tmpl]
			if k >= 0 && g.cands[ws.shifts[k].ci].tmpl == g.cands[ci].tmpl {
				n--
			}
			if n >= *t.MaxAgents {
				return
			}
		}
		dw, du, pat, ok := ws.bestBreaks(ci, bestW-dw0)
		if !ok {
			return
		}
		dw, du = dw+dw0, du+du0
		if step-ws.leftAt[ci] < tenure && under+du > 1e-9 {
			return
		}
		switch {
		case dw < bestW-1e-9 || (dw <= bestW+1e-9 && paidAfter < bestPaidAfter-1e-9):
			best, bestW, bestPaidAfter, seen = move{k, ci, append(best.pat[:0:0], pat...)}, dw, paidAfter, 1
		case dw <= bestW+1e-9 && paidAfter <= bestPaidAfter+1e-9:
			seen++
			if ws.rng.IntN(seen) == 0 {
				best = move{k, ci, append(best.pat[:0:0], pat...)}
			}
		}
	}
	for k, sh := range ws.shifts {
		if !ws.isNear(sh.ci, i) {
			continue
		}
		dw0, du0 := ws.place(sh, -1)
		for _, ci := range ws.near[i] {
			consider(k, ci, dw0, du0, ws.paid-ws.cost[sh.ci]+ws.cost[ci])
		}
		ws.place(sh, 1)
	}
	for _, ci := range ws.near[i] {
		consider(-1, ci, 0, 0, ws.paid+ws.cost[ci])
	}
	if seen == 0 {
		return
	}
	if best.k >= 0 {
		ws.remove(best.k, step)
	}
	ws.insert(wsShift{best.ci, best.pat})
}

// isNear says whether a shift of candidate ci could, moved, reach interval
// i: its middle is within a span of it either way.
func (ws *weightedSearch) isNear(ci, i int) bool {
	g := ws.s.g
	d := i - ws.center[ci]
	if g.p.Cyclic {
		d = ((d % g.n) + g.n) % g.n
		if d > g.n/2 {
			d -= g.n
		}
	}
	return d <= ws.reach && d >= -ws.reach
}

// recount rebuilds the cover from the shifts, so rounding cannot drift.
func (ws *weightedSearch) recount() {
	clear(ws.cov)
	for _, sh := range ws.shifts {
		ws.place(sh, 1)
	}
}

func (ws *weightedSearch) snapshot() []wsShift {
	out := make([]wsShift, len(ws.shifts))
	for k, sh := range ws.shifts {
		out[k] = wsShift{sh.ci, append([]int(nil), sh.pat...)}
	}
	return out
}

// adoptShifts replaces the generator's plan with the given shifts.
func (s *coverSolver) adoptShifts(shifts []wsShift) {
	g := s.g
	g.chosen = g.chosen[:0]
	clear(g.cov)
	clear(g.used)
	for _, sh := range shifts {
		offs := make([]int, len(sh.pat))
		for bi, k := range sh.pat {
			offs[bi] = s.geo[sh.ci].opts[bi][k]
		}
		pl := placed{c: g.cands[sh.ci], breaks: offs}
		g.apply(pl, 1)
		g.chosen = append(g.chosen, pl)
		g.used[pl.c.tmpl]++
	}
}
