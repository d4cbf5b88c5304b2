package scheduling

import (
	"context"
	"math"
	"sort"
)

// The LP solver: the set-covering program over every (template x start x
// break placement) column is solved by column generation on its LP
// relaxation, then rounded to integers by diving (fix what the LP already
// runs whole, round the most fractional-but-largest column up, re-solve the
// residual), and handed to the local search of the greedy generator.

// breakOpts is a candidate's precomputed geometry: the cover of its span and,
// for each break and each allowed start of it, the cover that break removes.
type breakOpts struct {
	span  []cell
	opts  [][]int    // per break: allowed start offsets (minutes after the shift start)
	taken [][][]cell // per break, per option: cover removed
}

// colKey identifies a column: a candidate and its option index per break
// (one rune each).
type colKey struct {
	cand int
	pat  string
}

// lpColumn is a column of the covering program.
type lpColumn struct {
	key   colKey
	cand  int
	pat   []int // option index per break
	cover []cell
	cost  float64
}

// stressRules shape the columns the stress-aware solve may use.
type stressRules struct {
	on bool
	// peakBreakCost is added to a column's cost per break minute in a peak interval.
	peakBreakCost float64
}

type coverSolver struct {
	g     *generator
	geo   []breakOpts
	req   []float64 // residual requirement per interval
	rules stressRules
	cols  []lpColumn
	index map[colKey]int
	// allowed[cand] lists the patterns a stress-aware solve may use (nil: any).
	allowed [][][]int
	byStart map[candKey]int
	// seed is added to the local search's random seeds (see searchBoth).
	seed uint64
}

func newCoverSolver(g *generator, rules stressRules) *coverSolver {
	s := &coverSolver{g: g, rules: rules, index: map[colKey]int{}, req: append([]float64(nil), g.p.Required...)}
	s.geo = make([]breakOpts, len(g.cands))
	for ci, c := range g.cands {
		t := g.ts.Templates[c.tmpl]
		var bo breakOpts
		bo.span = g.spanCover(c)
		bo.opts = make([][]int, len(t.Breaks))
		bo.taken = make([][][]cell, len(t.Breaks))
		for bi, b := range t.Breaks {
			for st := b.EarliestStart; st <= b.LatestStart; st += b.StepMin {
				bo.opts[bi] = append(bo.opts[bi], st)
				bo.taken[bi] = append(bo.taken[bi], g.breakCover(c, st, b.LengthMin))
			}
		}
		s.geo[ci] = bo
	}
	if rules.on {
		s.allowed = make([][][]int, len(g.cands))
		for ci, c := range g.cands {
			s.allowed[ci] = s.stressPatterns(ci, c)
		}
	}
	return s
}

// stressPatterns lists the break patterns of a candidate that keep every
// stretch of peak work within MaxPeakStretch; if none does, the ones with the
// shortest longest stretch.
func (s *coverSolver) stressPatterns(ci int, c candidate) [][]int {
	bo := s.geo[ci]
	var all [][]int
	best := math.MaxInt64
	var bestPats [][]int
	eachPattern(bo.opts, func(pat []int) {
		offs := make([]int, len(pat))
		for bi, k := range pat {
			offs[bi] = bo.opts[bi][k]
		}
		st := s.g.peakStretch(c, offs)
		p := append([]int(nil), pat...)
		if st <= s.g.p.MaxPeakStretch {
			all = append(all, p)
		}
		if int(st) < best {
			best, bestPats = int(st), [][]int{p}
		} else if int(st) == best {
			bestPats = append(bestPats, p)
		}
	})
	if len(all) == 0 {
		return bestPats
	}
	return all
}

// eachPattern calls f with every combination of one option per break.
func eachPattern(opts [][]int, f func(pat []int)) {
	pat := make([]int, len(opts))
	var rec func(b int)
	rec = func(b int) {
		if b == len(opts) {
			f(pat)
			return
		}
		for k := range opts[b] {
			pat[b] = k
			rec(b + 1)
		}
	}
	rec(0)
}

func (s *coverSolver) key(ci int, pat []int) colKey {
	b := make([]rune, len(pat))
	for i, v := range pat {
		b[i] = rune(v)
	}
	return colKey{cand: ci, pat: string(b)}
}

// column builds (or finds) the column of candidate ci with pattern pat.
func (s *coverSolver) column(ci int, pat []int) int {
	k := s.key(ci, pat)
	if j, ok := s.index[k]; ok {
		return j
	}
	bo := s.geo[ci]
	acc := map[int]float64{}
	for _, x := range bo.span {
		acc[x.i] += x.v
	}
	peakMin := 0.0
	for bi, o := range pat {
		for _, x := range bo.taken[bi][o] {
			acc[x.i] -= x.v
			if s.g.peak[x.i] {
				peakMin += x.v * s.g.p.Step.Minutes()
			}
		}
	}
	cov := make([]cell, 0, len(acc))
	for i, v := range acc {
		if v > 1e-12 {
			cov = append(cov, cell{i, v})
		}
	}
	sort.Slice(cov, func(a, b int) bool { return cov[a].i < cov[b].i })
	cost := float64(s.g.ts.Templates[s.g.cands[ci].tmpl].PaidMin)
	if s.rules.on {
		cost += s.rules.peakBreakCost * peakMin
	}
	s.cols = append(s.cols, lpColumn{key: k, cand: ci, pat: append([]int(nil), pat...), cover: cov, cost: cost})
	s.index[k] = len(s.cols) - 1
	return len(s.cols) - 1
}

// price returns, for every candidate, its best pattern under the duals y and
// that column's reduced cost (without its break-in-peak cost, which column adds).
func (s *coverSolver) price(y []float64, candDual []float64, add func(ci int, pat []int, rc float64)) {
	g := s.g
	step := g.p.Step.Minutes()
	pat := []int{}
	for ci, c := range g.cands {
		bo := s.geo[ci]
		base := float64(g.ts.Templates[c.tmpl].PaidMin) - candDual[ci]
		for _, x := range bo.span {
			base -= y[x.i] * x.v
		}
		loss := func(bi, k int) float64 {
			l := 0.0
			for _, x := range bo.taken[bi][k] {
				l += y[x.i] * x.v
				if s.rules.on && g.peak[x.i] {
					l += s.rules.peakBreakCost * x.v * step
				}
			}
			return l
		}
		if s.allowed == nil {
			pat = pat[:0]
			rc := base
			for bi := range bo.opts {
				bk, bl := 0, math.Inf(1)
				for k := range bo.opts[bi] {
					if l := loss(bi, k); l < bl-1e-12 {
						bk, bl = k, l
					}
				}
				pat = append(pat, bk)
				rc += bl
			}
			add(ci, pat, rc)
			continue
		}
		var losses [][]float64
		for bi := range bo.opts {
			ls := make([]float64, len(bo.opts[bi]))
			for k := range ls {
				ls[k] = loss(bi, k)
			}
			losses = append(losses, ls)
		}
		var bestPat []int
		bestRC := math.Inf(1)
		for _, p := range s.allowed[ci] {
			rc := base
			for bi, k := range p {
				rc += losses[bi][k]
			}
			if rc < bestRC-1e-12 {
				bestPat, bestRC = p, rc
			}
		}
		if bestPat != nil {
			add(ci, bestPat, bestRC)
		}
	}
}

// coverLP is the LP relaxation of one covering program, kept between solves
// so the dive re-optimizes from the last basis.
type coverLP struct {
	s        *coverSolver
	m        lpModel
	sx       *simplex
	rowOf    []int   // interval -> row, -1 when nothing is required there
	capRow   []int   // template -> max_agents row or -1
	candRows [][]int // candidate -> rows fixing its shift count from below
	inModel  []int   // model column -> solver column
	seen     map[int]bool
	banned   []bool    // candidates the dive has ruled out
	y        []float64 // duals per interval
	candDual []float64 // per candidate: duals of its template cap and count rows
	perturb  []float64 // per covering row: what its right-hand side was raised by
}

// over is a solver for another plan (a clone of s.g) over the same
// candidates, sharing s's geometry and columns.
func (s *coverSolver) over(h *generator) *coverSolver {
	return &coverSolver{g: h, geo: s.geo, index: s.index, cols: s.cols}
}

// rhsPerturb is the scale of the covering rows' right-hand-side perturbation
// (in staff; requirements are whole or half agents).
const rhsPerturb = 1e-6

// lowerBound is a lower bound on the unperturbed program's optimum from the
// current optimal duals (lp.sx.duals must be current): duals stay feasible
// whatever the right-hand side, so the dual objective with the unperturbed
// right-hand side bounds the original program from below.
func (lp *coverLP) lowerBound() float64 {
	b := lp.sx.objective()
	for r, eps := range lp.perturb {
		b -= eps * lp.sx.y[r]
	}
	return b
}

// newLP builds the program: cover req in every interval, at most max_agents
// shifts per template; perturb raises each covering row's right-hand side by
// a tiny amount of its own (see dive).
func (s *coverSolver) newLP(req []float64, perturb bool) (*coverLP, error) {
	g := s.g
	lp := &coverLP{s: s, rowOf: make([]int, g.n), capRow: make([]int, len(g.ts.Templates)),
		candRows: make([][]int, len(g.cands)), seen: map[int]bool{}, y: make([]float64, g.n), candDual: make([]float64, len(g.cands)), banned: make([]bool, len(g.cands))}
	maxPaid := s.maxPaid()
	for i, r := range req {
		lp.rowOf[i] = -1
		if r > 1e-9 {
			lp.rowOf[i] = len(lp.m.rows)
			// An unavoidable shortfall costs more than any shift could, and
			// less where the requirement is large: one agent short of 20 hurts
			// service level less than one short of 3.
			eps := 0.0
			if perturb {
				eps = rhsPerturb * (1 + float64((i*7919)%97)/97)
			}
			lp.perturb = append(lp.perturb, eps)
			lp.m.rows = append(lp.m.rows, lpRow{kind: rowAtLeast, rhs: r + eps, penalty: 20 * maxPaid * (1 + 1/math.Max(g.p.Required[i], 1))})
		}
	}
	// A template's cap is hard: one shift over it must cost more than all
	// the shortfall that shift could close (every interval of its span at
	// the dearest covering penalty), so the LP takes shortfall instead.
	// (With no penalty the excess was free and the cap was ignored.)
	capPenalty := 0.0
	for _, c := range g.cands {
		capPenalty = math.Max(capPenalty, float64(c.span+1)*40*maxPaid)
	}
	for ti, t := range g.ts.Templates {
		lp.capRow[ti] = -1
		if t.MaxAgents != nil {
			lp.capRow[ti] = len(lp.m.rows)
			lp.m.rows = append(lp.m.rows, lpRow{kind: rowAtMost, rhs: float64(*t.MaxAgents), penalty: capPenalty})
		}
	}
	for j := range s.cols {
		lp.addCol(j)
	}
	sx, err := newSimplex(&lp.m)
	if err != nil {
		return nil, err
	}
	lp.sx = sx
	return lp, nil
}

func (s *coverSolver) maxPaid() float64 {
	mp := 0.0
	for _, t := range s.g.ts.Templates {
		mp = math.Max(mp, float64(t.PaidMin))
	}
	return mp
}

func (lp *coverLP) addCol(j int) {
	if lp.seen[j] {
		return
	}
	lp.seen[j] = true
	c := lp.s.cols[j]
	lc := lpCol{cost: c.cost}
	for _, x := range c.cover {
		if r := lp.rowOf[x.i]; r >= 0 {
			lc.rows = append(lc.rows, int32(r))
			lc.vals = append(lc.vals, x.v)
		}
	}
	if r := lp.capRow[lp.s.g.cands[c.cand].tmpl]; r >= 0 {
		lc.rows = append(lc.rows, int32(r))
		lc.vals = append(lc.vals, 1)
	}
	for _, r := range lp.candRows[c.cand] {
		lc.rows = append(lc.rows, int32(r))
		lc.vals = append(lc.vals, 1)
	}
	if len(lc.rows) == 0 {
		return // covers nothing required
	}
	lp.m.cols = append(lp.m.cols, lc)
	lp.inModel = append(lp.inModel, j)
}

// optimize solves the LP over the columns so far, prices every candidate's
// best break pattern against the duals, adds the improving columns and
// repeats until none improves: then the LP over all columns is solved.
func (lp *coverLP) optimize(ctx context.Context) error {
	g := lp.s.g
	for {
		if err := lp.sx.solve(ctx); err != nil {
			return err
		}
		lp.sx.duals()
		for i, r := range lp.rowOf {
			lp.y[i] = 0
			if r >= 0 {
				lp.y[i] = lp.sx.y[r]
			}
		}
		for ci, c := range g.cands {
			d := 0.0
			if r := lp.capRow[c.tmpl]; r >= 0 {
				d += lp.sx.y[r]
			}
			for _, r := range lp.candRows[ci] {
				d += lp.sx.y[r]
			}
			lp.candDual[ci] = d
		}
		added := 0
		lp.s.price(lp.y, lp.candDual, func(ci int, pat []int, rc float64) {
			if rc < -1e-6 && !lp.banned[ci] {
				before := len(lp.m.cols)
				lp.addCol(lp.s.column(ci, pat))
				added += len(lp.m.cols) - before
			}
		})
		if added == 0 {
			return nil
		}
	}
}

// bound requires at least (kind rowAtLeast) or at most (rowAtMost) k shifts
// of candidate ci.
func (lp *coverLP) bound(ci int, kind lpRowKind, k float64) {
	lp.sx.grow()
	r := len(lp.m.rows)
	lp.m.rows = append(lp.m.rows, lpRow{kind: kind, rhs: k, penalty: 1000 * lp.s.maxPaid()})
	lp.candRows[ci] = append(lp.candRows[ci], r)
	for mj, j := range lp.inModel {
		if lp.s.cols[j].cand == ci {
			c := &lp.m.cols[mj]
			c.rows = append(c.rows, int32(r))
			c.vals = append(c.vals, 1)
		}
	}
	lp.sx.addRow()
}

// ban rules candidate ci out (or back in): its columns get a prohibitive
// cost (so the simplex drives them out of the basis) and it is not priced.
func (lp *coverLP) ban(ci int, on bool) {
	lp.banned[ci] = on
	for mj, j := range lp.inModel {
		if lp.s.cols[j].cand == ci {
			lp.m.cols[mj].cost = lp.s.cols[j].cost
			if on {
				lp.m.cols[mj].cost = 1000 * lp.s.maxPaid()
			}
		}
	}
}

// shortfall is the LP's total shortfall over the cover rows.
func (lp *coverLP) shortfall() float64 {
	t := 0.0
	for _, r := range lp.rowOf {
		if r >= 0 {
			t += lp.sx.shortfall(r)
		}
	}
	return t
}

// values returns the LP value of every column in use and the shift count of
// every candidate.
func (lp *coverLP) values() (map[int]float64, []float64) {
	x := map[int]float64{}
	z := make([]float64, len(lp.s.g.cands))
	for mj, j := range lp.inModel {
		if v := lp.sx.value(mj); v > 1e-9 {
			x[j] = v
			z[lp.s.cols[j].cand] += v
		}
	}
	return x, z
}

// dive rounds the LP to an integer plan. It rounds shift counts per
// candidate (template x start), not break patterns, so breaks stay free to
// move while counts are decided: each step requires the candidate whose count
// is closest below a whole number to reach it, and re-optimizes from the last
// basis. With every count whole, each candidate's shifts take the break
// patterns the LP gives them most weight. It returns the chosen columns (one
// per shift) and the root LP value, a lower bound on paid minutes of any
// plan without shortfall.
func (s *coverSolver) dive(ctx context.Context) ([]int, float64, error) {
	lp, err := s.newLP(s.req, false)
	if err != nil {
		return nil, 0, err
	}
	if err := lp.optimize(ctx); err != nil {
		if ctx.Err() != nil {
			return nil, 0, err
		}
		// Covering programs are highly degenerate (many exact covers tie),
		// and on some weeks rounding leaves the simplex's basis singular
		// (planted weeks of 60 pairs: the generator fell back to its greedy
		// plan, 2.6% above the optimum). Raising every right-hand side by a
		// tiny amount of its own breaks the ties; the bound then comes from
		// the duals (lowerBound), so it stays a true lower bound.
		if lp, err = s.newLP(s.req, true); err != nil {
			return nil, 0, err
		}
		if err := lp.optimize(ctx); err != nil {
			return nil, 0, err
		}
	}
	lp.sx.duals()
	root, rootObj := lp.lowerBound(), lp.sx.objective()
	rootShort := lp.shortfall()
	upOnly := make([]bool, len(s.g.cands))
	for ctx.Err() == nil && lp.sx.objective() <= rootObj*(1+diveSlack) {
		_, z := lp.values()
		// Fix the counts the LP has all but decided (within 0.1 of a whole
		// number) to that number; if none, the one closest to whole.
		type fix struct {
			ci   int
			dist float64
		}
		var fixes []fix
		closest := fix{-1, 1}
		for ci, v := range z {
			f := v - math.Floor(v)
			if f < 1e-6 || f > 1-1e-6 {
				continue
			}
			d := math.Min(f, 1-f)
			if upOnly[ci] && f < 0.5 {
				d = 1 - f
			}
			if d <= 0.1 {
				fixes = append(fixes, fix{ci, d})
			}
			if d < closest.dist {
				closest = fix{ci, d}
			}
		}
		if closest.ci < 0 {
			break
		}
		if len(fixes) == 0 {
			fixes = []fix{closest}
		}
		var down []int
		var downRows []int
		for _, f := range fixes {
			v := z[f.ci]
			switch {
			case upOnly[f.ci] || v-math.Floor(v) >= 0.5:
				lp.bound(f.ci, rowAtLeast, math.Ceil(v))
			case v < 0.5:
				lp.ban(f.ci, true)
				down = append(down, f.ci)
			default:
				lp.bound(f.ci, rowAtMost, math.Floor(v))
				down = append(down, f.ci)
				downRows = append(downRows, len(lp.m.rows)-1)
			}
		}
		if err := lp.optimize(ctx); err != nil {
			break // out of time: round what is left up below
		}
		if lp.shortfall() > rootShort+1e-6 && len(down) > 0 {
			// Rounding down left something uncovered: take those decisions
			// back (a free excess relaxes an at-most row) and round these
			// candidates only up from now on.
			for _, ci := range down {
				if lp.banned[ci] {
					lp.ban(ci, false)
				}
				upOnly[ci] = true
			}
			for _, r := range downRows {
				lp.m.rows[r].penalty = 0
			}
			if err := lp.optimize(ctx); err != nil {
				break
			}
		}
	}
	x, z := lp.values()
	byCand := map[int][]int{}
	for j := range x {
		byCand[s.cols[j].cand] = append(byCand[s.cols[j].cand], j)
	}
	var chosen []int
	for ci, js := range byCand {
		k := int(math.Floor(z[ci] + 0.5))
		// Whole parts first, then the largest remainders.
		sort.Slice(js, func(a, b int) bool {
			fa, fb := x[js[a]]-math.Floor(x[js[a]]+1e-9), x[js[b]]-math.Floor(x[js[b]]+1e-9)
			if fa != fb {
				return fa > fb
			}
			return js[a] < js[b]
		})
		for _, j := range js {
			for n := int(math.Floor(x[j] + 1e-6)); n > 0 && k > 0; n-- {
				chosen = append(chosen, j)
				k--
			}
		}
		for _, j := range js {
			if k == 0 {
				break
			}
			if x[j]-math.Floor(x[j]+1e-6) > 1e-6 {
				chosen = append(chosen, j)
				k--
			}
		}
	}
	sort.Ints(chosen)
	return chosen, root, nil
}

// spanCover is the cover of a candidate's whole span, breaks ignored.
func (g *generator) spanCover(c candidate) []cell {
	t := g.ts.Templates[c.tmpl]
	var out []cell
	g.addSpan(c.start, c.start.Add(minutes(t.SpanMin)), func(i int, v float64) { out = append(out, cell{i, v}) })
	return mergeCells(out)
}

// breakCover is the cover a break starting off minutes after the shift start removes.
func (g *generator) breakCover(c candidate, off, length int) []cell {
	var out []cell
	bs := c.start.Add(minutes(off))
	g.addSpan(bs, bs.Add(minutes(length)), func(i int, v float64) { out = append(out, cell{i, v}) })
	return mergeCells(out)
}

func mergeCells(cs []cell) []cell {
	acc := map[int]float64{}
	var order []int
	for _, c := range cs {
		if _, ok := acc[c.i]; !ok {
			order = append(order, c.i)
		}
		acc[c.i] += c.v
	}
	out := make([]cell, 0, len(order))
	for _, i := range order {
		out = append(out, cell{i, acc[i]})
	}
	return out
}

// adopt replaces the generator's plan with the given columns.
func (s *coverSolver) adopt(chosen []int) {
	shifts := make([]wsShift, len(chosen))
	for k, j := range chosen {
		shifts[k] = wsShift{s.cols[j].cand, s.cols[j].pat}
	}
	s.adoptShifts(shifts)
}

// diveSlack is how far (a share of the root LP) the dive lets the LP drift
// up before it stops fixing and rounds the rest to the nearest count; the
// break repair and spare-shift search then close the gaps. Zero measured
// best for time (see docs/benchmarks/scheduling.md): 0.001 found a cheaper
// plan on the 24/7 week but took over 10 s.
const diveSlack = 0.0
