package scheduling

import (
	"context"
	"math"
	"slices"
	"sync"
)

// Exact re-optimization of windows of the plan (a large-neighbourhood step):
// take out every shift that starts inside a window of start times, and search
// what they covered (the requirement the rest of the plan leaves open) for a
// cheaper cover as a small integer program, by branch and bound on the
// simplex (a bounded number of nodes, so the search is exact only when the
// tree is small, as it mostly is: most windows are settled at the root). The
// local search moves one shift at a time; this moves all of a window's at
// once, so it closes the gaps the search leaves where several shifts must
// move together (15-minute breaks left without a partner in their half hour,
// which waste half an agent each).
//
// The window program has breaks implicit (after Bechtold and Jacobs, 1990):
// an integer count per candidate (template x start) and place of its first
// break, and per later break and place an integer count of the candidate's
// shifts taking it there, each later break's counts adding up to at least
// the candidate's shifts. Break windows never overlap (Templates.Validate),
// so any such counts split into whole shifts. Places whose breaks take the
// same cover (a quarter-hour break at :00 or :15 of a half-hour interval) are
// one variable.

// The window step's settings: windows of windowWidth start intervals every
// windowStride intervals, at most windowNodes branch-and-bound nodes each, at
// most windowSweeps sweeps over the period.
const (
	windowWidth  = 64
	windowStride = 16
	windowNodes  = 40
	windowSweeps = 4
)

// windowVar is a variable of a window program: a count of candidate ci's
// shifts (shift; with its first break at option opt when it has breaks) or
// of its shifts taking break brk at option opt.
type windowVar struct {
	ci, brk, opt int
	shift        bool
}

// windowProgram is one window's integer program.
type windowProgram struct {
	m    lpModel
	vars []windowVar
	// gcd of the templates' paid minutes: every plan's cost is a multiple.
	unit float64
	// big is the penalty per unit of a broken row.
	big float64
}

// windowPositions gives every candidate a position on the start axis (its
// first interval; wrapped in cyclic plans) and the axis length.
func (g *generator) windowPositions() ([]int, int) {
	pos := make([]int, len(g.cands))
	if g.p.Cyclic {
		for ci, c := range g.cands {
			pos[ci] = ((c.first % g.n) + g.n) % g.n
		}
		return pos, g.n
	}
	lo, hi := math.MaxInt, math.MinInt
	for _, c := range g.cands {
		lo, hi = min(lo, c.first), max(hi, c.first)
	}
	for ci, c := range g.cands {
		pos[ci] = c.first - lo
	}
	return pos, hi - lo + 1
}

// refineWindows sweeps windows of width start intervals, every stride
// intervals, over the plan, and replaces a window's shifts with a cheaper
// exact cover of what they covered whenever branch and bound finds one within
// nodes nodes. Sweeps repeat while one improves, at most sweeps times. The
// plan must have no shortfall (else it is left alone); it never gains any.
func (s *coverSolver) refineWindows(ctx context.Context, width, stride, nodes, sweeps int) {
	g := s.g
	if g.shortfall() > 1e-9 || len(g.chosen) == 0 {
		return
	}
	pos, axis := g.windowPositions()
	unit := g.ts.payUnit()
	if unit <= 0 {
		return // nothing is paid: nothing to save
	}
	// A window is solved again only when a change nearby (within a window
	// and a shift's span) may have opened a cheaper cover in it.
	reach := 0
	for _, c := range g.cands {
		reach = max(reach, c.span)
	}
	var starts []int
	for a := 0; a < axis; a += stride {
		starts = append(starts, a)
	}
	dirty := make([]bool, len(starts))
	for w := range dirty {
		dirty[w] = true
	}
	distance := func(a, b int) int {
		d := a - b
		if d < 0 {
			d = -d
		}
		if g.p.Cyclic {
			d = min(d, axis-d)
		}
		return d
	}
	window := func(a int) func(ci int) bool {
		return func(ci int) bool {
			d := pos[ci] - a
			if g.p.Cyclic {
				d = ((d % axis) + axis) % axis
			}
			return d >= 0 && d < width
		}
	}
	// Windows half the period apart share no interval, so they are solved
	// two at a time, on both cores, from the same plan.
	half := (len(starts) + 1) / 2
	for sweep := 0; sweep < sweeps && ctx.Err() == nil; sweep++ {
		improved := false
		for w := 0; w < half && ctx.Err() == nil; w++ {
			pair := []int{w}
			if v := w + half; v < len(starts) && distance(starts[w], starts[v]) >= width+reach {
				pair = append(pair, v)
			}
			var todo []int
			for _, v := range pair {
				if dirty[v] {
					dirty[v] = false
					todo = append(todo, v)
				}
			}
			if len(todo) == 0 {
				continue
			}
			plan := s.plan()
			found := make([][]wsShift, len(todo))
			ok := make([]bool, len(todo))
			var wg sync.WaitGroup
			for k, v := range todo {
				wg.Add(1)
				go func() {
					defer wg.Done()
					found[k], ok[k] = s.windowCover(ctx, plan, window(starts[v]), float64(unit), nodes)
				}()
			}
			wg.Wait()
			var next []wsShift
			changed := []int{}
			for k, v := range todo {
				if ok[k] {
					changed = append(changed, v)
					next = append(next, found[k]...)
				}
			}
			if len(changed) == 0 {
				continue
			}
			for _, sh := range plan {
				replaced := false
				for _, v := range changed {
					replaced = replaced || window(starts[v])(sh.ci)
				}
				if !replaced {
					next = append(next, sh)
				}
			}
			before := g.shortfall()
			s.adoptShifts(next)
			// Two windows solved at once may each take the room left
			// under a template's cap.
			if g.shortfall() > before+1e-9 || g.overCap() >= 0 {
				s.adoptShifts(plan) // cannot happen if the program is right; never keep a worse plan
				continue
			}
			improved = true
			for _, v := range changed {
				for u, b := range starts {
					if distance(starts[v], b) < width+reach {
						dirty[u] = true
					}
				}
			}
		}
		if !improved {
			return
		}
	}
}

// payUnit is the gcd of the templates' paid minutes: every plan's paid time
// is a whole number of these units (0 if nothing is paid).
func (ts Templates) payUnit() int {
	unit := 0
	for _, t := range ts.Templates {
		unit = gcd(unit, t.PaidMin)
	}
	return unit
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// windowCover re-solves the shifts of plan (left as it is) whose candidates
// are in(ci), and returns a cheaper set of shifts for them if it finds one.
func (s *coverSolver) windowCover(ctx context.Context, plan []wsShift, in func(ci int) bool, unit float64, nodes int) ([]wsShift, bool) {
	g := s.g
	cov := make([]float64, g.n)
	used := make([]int, len(g.ts.Templates))
	paidOut := 0.0
	for _, sh := range plan {
		if in(sh.ci) {
			paidOut += float64(g.ts.Templates[g.cands[sh.ci].tmpl].PaidMin)
			continue
		}
		s.addCover(cov, sh, 1)
		used[g.cands[sh.ci].tmpl]++
	}
	if paidOut == 0 {
		return nil, false
	}
	// What the other shifts leave open.
	open := make([]float64, g.n)
	for i, r := range g.p.Required {
		open[i] = math.Max(0, r-cov[i])
	}
	wp := s.windowProgram(in, open, used, unit)
	counts, ok := wp.solve(ctx, paidOut, nodes)
	if !ok {
		return nil, false
	}
	return wp.shifts(s, counts), true
}

// addCover adds (sign 1) or removes (-1) a shift's cover to cov.
func (s *coverSolver) addCover(cov []float64, sh wsShift, sign float64) {
	bo := s.geo[sh.ci]
	for _, x := range bo.span {
		cov[x.i] += sign * x.v
	}
	for bi, k := range sh.pat {
		for _, x := range bo.taken[bi][k] {
			cov[x.i] -= sign * x.v
		}
	}
}

// windowProgram builds the program: cover open with shifts of the
// candidates in(ci), within the templates' caps less used.
func (s *coverSolver) windowProgram(in func(ci int) bool, open []float64, used []int, unit float64) *windowProgram {
	g := s.g
	big := 1000 * s.maxPaid()
	wp := &windowProgram{unit: unit, big: big}
	rowOf := make([]int, g.n)
	for i, r := range open {
		rowOf[i] = -1
		if r > 1e-9 {
			rowOf[i] = len(wp.m.rows)
			wp.m.rows = append(wp.m.rows, lpRow{kind: rowAtLeast, rhs: r, penalty: big})
		}
	}
	capRow := make([]int, len(g.ts.Templates))
	for ti, t := range g.ts.Templates {
		capRow[ti] = -1
		if t.MaxAgents != nil {
			capRow[ti] = len(wp.m.rows)
			wp.m.rows = append(wp.m.rows, lpRow{kind: rowAtMost, rhs: math.Max(0, float64(*t.MaxAgents-used[ti])), penalty: big})
		}
	}
	cells := func(cs []cell, sign float64, col *lpCol) {
		for _, x := range cs {
			if r := rowOf[x.i]; r >= 0 && x.v != 0 {
				col.rows = append(col.rows, int32(r))
				col.vals = append(col.vals, sign*x.v)
			}
		}
	}
	// A shift's first break is folded into its count (one count per place
	// of that break), so only its later breaks need a link row: at least as
	// many of them as shifts.
	for ci, c := range g.cands {
		if !in(ci) {
			continue
		}
		bo := s.geo[ci]
		t := g.ts.Templates[c.tmpl]
		if !slices.ContainsFunc(bo.span, func(x cell) bool { return rowOf[x.i] >= 0 }) {
			continue // covers nothing still open
		}
		var links []int32
		for range t.Breaks[min(1, len(t.Breaks)):] {
			links = append(links, int32(len(wp.m.rows)))
			wp.m.rows = append(wp.m.rows, lpRow{kind: rowAtLeast, rhs: 0, penalty: big})
		}
		shift := func(opt int, taken []cell) {
			x := lpCol{cost: float64(t.PaidMin)}
			net := slices.Clone(bo.span)
			for _, c := range taken {
				net = append(net, cell{c.i, -c.v})
			}
			cells(mergeCells(net), 1, &x)
			if r := capRow[c.tmpl]; r >= 0 {
				x.rows = append(x.rows, int32(r))
				x.vals = append(x.vals, 1)
			}
			for _, r := range links {
				x.rows = append(x.rows, r)
				x.vals = append(x.vals, -1)
			}
			wp.m.cols = append(wp.m.cols, x)
			wp.vars = append(wp.vars, windowVar{ci: ci, brk: 0, opt: opt, shift: true})
		}
		if len(t.Breaks) == 0 {
			shift(-1, nil)
			continue
		}
		for k := range bo.opts[0] {
			if !sameAsEarlier(bo.taken[0], k) {
				shift(k, bo.taken[0][k])
			}
		}
		for bi := 1; bi < len(t.Breaks); bi++ {
			for k := range bo.opts[bi] {
				if sameAsEarlier(bo.taken[bi], k) {
					continue
				}
				y := lpCol{rows: []int32{links[bi-1]}, vals: []float64{1}}
				cells(bo.taken[bi][k], -1, &y)
				wp.m.cols = append(wp.m.cols, y)
				wp.vars = append(wp.vars, windowVar{ci: ci, brk: bi, opt: k})
			}
		}
	}
	return wp
}

// sameAsEarlier says whether option k takes exactly the cover an earlier
// option of the same break takes.
func sameAsEarlier(taken [][]cell, k int) bool {
	for e := 0; e < k; e++ {
		if slices.Equal(taken[e], taken[k]) {
			return true
		}
	}
	return false
}

// bbNode is a branch-and-bound node: its program (the window's with the
// node's bounds as extra rows) and a simplex warm-started from its parent's
// optimal basis, not yet re-solved.
type bbNode struct {
	m  *lpModel
	sx *simplex
}

// child copies the node and adds a bound: the sum of the variables vs at
// least (kind rowAtLeast) or at most (rowAtMost) k.
func (n bbNode) child(vs []int, kind lpRowKind, k, penalty float64) bbNode {
	m := &lpModel{rows: slices.Clone(n.m.rows), cols: slices.Clone(n.m.cols)}
	for j := range m.cols {
		m.cols[j].rows, m.cols[j].vals = slices.Clip(m.cols[j].rows), slices.Clip(m.cols[j].vals)
	}
	sx := n.sx.cloneOn(m)
	sx.grow()
	r := int32(len(m.rows))
	m.rows = append(m.rows, lpRow{kind: kind, rhs: k, penalty: penalty})
	for _, v := range vs {
		m.cols[v].rows = append(m.cols[v].rows, r)
		m.cols[v].vals = append(m.cols[v].vals, 1)
	}
	sx.addRow()
	return bbNode{m, sx}
}

// solve runs depth-first branch and bound for a plan cheaper than below,
// visiting at most nodes nodes, and returns the first one it finds (integer
// values per variable). At the root, variables whose reduced cost alone
// would lift the bound to below are fixed at zero (reduced-cost fixing), so
// the tree works on a much smaller program.
func (wp *windowProgram) solve(ctx context.Context, below float64, nodes int) ([]float64, bool) {
	root := bbNode{m: &wp.m}
	var err error
	if root.sx, err = newSimplex(root.m); err != nil {
		return nil, false
	}
	stack := []bbNode{root}
	for visited := 0; len(stack) > 0 && visited < nodes && ctx.Err() == nil; visited++ {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		vals, obj, ok := wp.relax(ctx, n)
		if !ok || wp.unit*math.Ceil(obj/wp.unit-1e-6) >= below-1e-9 {
			continue // no cheaper plan below this node
		}
		if visited == 0 {
			wp.fixByReducedCost(n, below-wp.unit-obj)
		}
		vs, f := wp.fractional(vals)
		if vs == nil {
			return vals, true
		}
		// Rounding up is the likelier side in a covering program: explore it first.
		stack = append(stack,
			n.child(vs, rowAtMost, math.Floor(f), wp.big),
			n.child(vs, rowAtLeast, math.Ceil(f), wp.big))
	}
	return nil, false
}

// fixByReducedCost bans (prohibitive cost) every nonbasic variable whose
// reduced cost exceeds room: raising it to one would cost more than the
// room left below the target. A nonbasic variable's cost rising keeps the
// basis optimal.
func (wp *windowProgram) fixByReducedCost(n bbNode, room float64) {
	n.sx.duals()
	for j := range n.m.cols {
		if n.sx.inB[j] < 0 && n.sx.reducedCost(j) > room+1e-6 {
			n.m.cols[j].cost = wp.big
		}
	}
}

// relax solves the node's LP from its warm start. ok is false when the node
// is infeasible (some row broken at its penalty) or the simplex fails.
func (wp *windowProgram) relax(ctx context.Context, n bbNode) ([]float64, float64, bool) {
	if err := n.sx.solve(ctx); err != nil {
		return nil, 0, false
	}
	for r := range n.m.rows {
		if n.sx.shortfall(r) > 1e-7 {
			return nil, 0, false
		}
	}
	vals := make([]float64, len(n.m.cols))
	for j := range vals {
		vals[j] = n.sx.value(j)
	}
	return vals, n.sx.objective(), true
}

// fractional picks what to branch on and its value: a candidate's shift
// count (the sum of its count variables) furthest from whole, else the
// count variable furthest from whole, else the break count furthest from
// whole; nil when all are whole.
func (wp *windowProgram) fractional(vals []float64) ([]int, float64) {
	var best []int
	bestF, bestD := 0.0, 1e-6
	for j := 0; j < len(wp.vars); {
		if !wp.vars[j].shift {
			j++
			continue
		}
		k, z := j, 0.0
		for ; k < len(wp.vars) && wp.vars[k].shift && wp.vars[k].ci == wp.vars[j].ci; k++ {
			z += vals[k]
		}
		if d := math.Abs(z - math.Round(z)); d > bestD {
			best, bestF, bestD = wp.group(j, k), z, d
		}
		j = k
	}
	for pass := 0; pass < 2 && best == nil; pass++ {
		for j, v := range vals {
			if wp.vars[j].shift != (pass == 0) {
				continue
			}
			if d := math.Abs(v - math.Round(v)); d > bestD {
				best, bestF, bestD = []int{j}, v, d
			}
		}
	}
	return best, bestF
}

// group lists the variables j..k-1.
func (wp *windowProgram) group(j, k int) []int {
	out := make([]int, 0, k-j)
	for ; j < k; j++ {
		out = append(out, j)
	}
	return out
}

// shifts turns whole counts into shifts: each candidate's counts, its later
// breaks dealt out in the counts the program chose.
func (wp *windowProgram) shifts(s *coverSolver, vals []float64) []wsShift {
	var out []wsShift
	of := map[int][]int{} // candidate -> its shifts in out
	for j, v := range wp.vars {
		n := int(math.Round(vals[j]))
		if !v.shift || n == 0 {
			continue
		}
		nb := len(s.g.ts.Templates[s.g.cands[v.ci].tmpl].Breaks)
		for range n {
			pat := make([]int, nb)
			if nb > 0 {
				pat[0] = v.opt
			}
			of[v.ci] = append(of[v.ci], len(out))
			out = append(out, wsShift{v.ci, pat})
		}
	}
	dealt := map[[2]int]int{} // candidate, break -> shifts given a place
	for j, v := range wp.vars {
		if v.shift {
			continue
		}
		key := [2]int{v.ci, v.brk}
		for n := int(math.Round(vals[j])); n > 0 && dealt[key] < len(of[v.ci]); n-- {
			out[of[v.ci][dealt[key]]].pat[v.brk] = v.opt
			dealt[key]++
		}
	}
	return out
}
