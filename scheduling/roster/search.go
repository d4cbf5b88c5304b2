package roster

import (
	"context"
	"math"
	"time"
)

// The annealing search runs after the local-search rounds: simulated
// annealing over single random moves (annealMove, and with probability
// annealAim a move aimed at an interval short of cover, annealHole), with
// the temperature falling geometrically from annealHot to annealCold
// objective units (under-coverage costs 100 an agent-hour, so an hour of
// paid time is 1 and half a 30-minute interval short is 25). With a
// deadline one cooling run of annealMovesPerShiftDeadline moves per shift,
// cut to 85% of the time left if that comes first (the temperature then
// follows the clock, so the run still cools); without one,
// Problem.SearchEpochs cooling runs (default 1) of annealMovesPerShift
// moves per shift each, every run from the best roster so far, so the
// roster depends only on the problem and its Seed (as it does with a
// deadline the moves fit in). Local-search rounds then polish the best
// roster found. Measured in
// docs/benchmarks/rostering.md; what was tried and dropped:
// docs/adr/0006-roster-annealing-search.md.
const (
	annealAim           = 0.3
	annealMovesPerShift = 150
	// annealMovesPerShiftDeadline bounds the search when there is a
	// deadline, so a small roster does not spend a long one for nothing.
	annealMovesPerShiftDeadline = 10000
	annealHot                   = 8.0
	annealCold                  = 0.05
	// The fairness polish after the search (polishFairness): the peak-share
	// Gini priced at fairnessPolishGini times Weights.Fairness (2,000 at
	// the default), 3,000 moves per shift under a deadline
	// (docs/benchmarks/rostering.md has what it buys).
	fairnessPolishGini  = 25000
	fairnessPolishMoves = 3000
	// searchSteps is how many progress steps the search reports.
	searchSteps = 10
)

// skipFairnessPolish leaves the polish out; only the follow-the-sun
// benchmark sets it, to measure what the polish buys.
var skipFairnessPolish bool

// kept is one shift of a saved roster.
type kept struct {
	agent, pat, queue int
	breaks            []int
}

// snapshot saves the roster's shifts.
func (s *solver) snapshot(into []kept) []kept {
	into = into[:0]
	for id := range s.shifts {
		if pl := &s.shifts[id]; pl.alive {
			into = append(into, kept{pl.agent, pl.pat, pl.queue, append([]int(nil), pl.breaks...)})
		}
	}
	return into
}

// restore replaces the roster's shifts by saved ones; the cover and the
// sums are recounted from nothing, so no rounding residue of the moves
// since is left behind.
func (s *solver) restore(saved []kept) {
	for id := range s.shifts {
		if s.shifts[id].alive {
			s.remove(int32(id))
		}
	}
	clear(s.on)
	s.sumUnder, s.sumOver = 0, 0
	for i := 0; i < s.n; i++ {
		s.evalInterval(i)
		s.sumUnder += s.under[i]
		s.sumOver += s.over[i]
	}
	for _, k := range saved {
		s.add(k.agent, k.pat, k.breaks, k.queue)
	}
	s.softTotal = 0
	for ai := range s.agents {
		s.softTotal += s.agents[ai].soft
	}
}

// search improves the roster by simulated annealing and leaves the best
// roster it found in place; step(k) is called as the search passes k of
// searchSteps. It reports whether ctx's deadline ended it.
func (s *solver) search(ctx context.Context, step func(k int)) (deadline bool) {
	epochs := max(s.p.SearchEpochs, 1)
	if s.p.SearchEpochs < 0 || ctx.Err() != nil {
		return ctx.Err() != nil
	}
	best := s.snapshot(nil)
	bestObj := s.obj()
	ix := s.holeIndex()
	if dl, ok := ctx.Deadline(); ok {
		until := time.Now().Add(time.Until(dl) * 17 / 20)
		deadline = s.anneal(ctx, ix, &best, &bestObj, annealMovesPerShiftDeadline, until, step)
	} else {
		for e := 0; e < epochs && !deadline; e++ {
			deadline = s.anneal(ctx, ix, &best, &bestObj, annealMovesPerShift, time.Time{}, func(k int) { step((e*searchSteps + k) / epochs) })
			if e+1 < epochs {
				s.restore(best)
			}
		}
	}
	if s.obj() > bestObj+1e-9 {
		s.restore(best)
	}
	// The rounds' best-improvement moves polish what the annealing leaves
	// to chance at its last temperatures: the soft terms, worth less than a
	// move's noise there.
	for r := 0; r < s.p.MaxRounds && ctx.Err() == nil; r++ {
		before := s.obj()
		s.round(ctx)
		if s.obj() > before-1e-6*math.Max(1, math.Abs(before)) {
			break
		}
	}
	if s.p.Weights.Fairness > 0 && !skipFairnessPolish && ctx.Err() == nil {
		s.polishFairness(ctx)
	}
	return deadline || ctx.Err() != nil
}

// polishFairness lowers the Gini of the agents' peak time per paid time
// (Report.PeakShareGini) itself, where the search priced its proxy, each
// agent's peak hours squared over his paid hours: that proxy weighs an
// agent by his paid hours, the Gini weighs every agent alike. It prices
// the Gini at fairnessPolishGini times Weights.Fairness in place of the
// proxy and takes the random moves (annealMove) that lower that objective
// without adding under-coverage or paid time: peak work changes hands only
// where cover and cost stay as they are. (A polish that could add
// under-coverage would spend the shortfall allowance on fairness:
// docs/adr/0011-shortfall-allowance.md.) With a deadline it makes
// fairnessPolishMoves moves per shift or stops at half the time left, so
// what follows still runs; without one, annealMovesPerShift. See
// docs/adr/0012-fairness-polish-on-the-gini.md.
func (s *solver) polishFairness(ctx context.Context) {
	keep := s.p.Weights
	price := fairnessPolishGini * keep.Fairness
	if polishGiniWeight > 0 {
		price = polishGiniWeight
	}
	s.p.Weights.Fairness = 0 // the Gini below stands for it
	for ai := range s.agents {
		s.refreshSoft(ai)
	}
	defer func() {
		s.p.Weights = keep
		for ai := range s.agents {
			s.refreshSoft(ai)
		}
	}()
	g := newGiniTracker(len(s.agents))
	s.syncGini(g)
	var until time.Time
	perShift := annealMovesPerShift // without a deadline, as much as one cooling run
	if dl, ok := ctx.Deadline(); ok {
		until = time.Now().Add(time.Until(dl) / 2)
		perShift = fairnessPolishMoves
	}
	alive := 0
	for id := range s.shifts {
		if s.shifts[id].alive {
			alive++
		}
	}
	cur := s.obj() + price*g.gini()
	for m := 0; m < perShift*max(alive, 10); m++ {
		if m&255 == 0 && (ctx.Err() != nil || !until.IsZero() && time.Now().After(until)) {
			return
		}
		under, paid := s.sumUnder, s.paidTotal
		undo := s.annealMove()
		if undo == nil {
			continue
		}
		if s.sumUnder <= under+1e-9 && s.paidTotal <= paid {
			s.syncGini(g)
			if o := s.obj() + price*g.gini(); o < cur-1e-9 {
				cur = o
				continue
			}
		}
		undo()
		s.syncGini(g)
	}
}

// syncGini brings g's slots to the agents' peak time per paid time (empty
// for an agent without paid time), as Report.PeakShareGini measures it.
func (s *solver) syncGini(g *giniTracker) {
	for ai := range s.agents {
		st := &s.agents[ai]
		if st.paidMin > 0 {
			g.set(ai, st.peakMin/float64(st.paidMin), true)
		} else {
			g.set(ai, 0, false)
		}
	}
}

// polishGiniWeight, when positive, is the polish's price of the Gini in
// place of fairnessPolishGini times Weights.Fairness; only the
// follow-the-sun benchmark sets it (PEAKWISE_FOLLOWSUN_POLISH_GINI), for
// sweeps.
var polishGiniWeight float64

// anneal runs one cooling run from the current roster: perShift moves per
// shift, or until the instant until (if not zero) if that comes first, the
// temperature following whichever of the two is further along; best and
// bestObj are updated with every better roster it finds. It reports
// whether ctx or the clock, not the moves, ended it.
func (s *solver) anneal(ctx context.Context, ix *holeIndex, best *[]kept, bestObj *float64, perShift int, until time.Time, step func(k int)) (stopped bool) {
	alive := 0
	for id := range s.shifts {
		if s.shifts[id].alive {
			alive++
		}
	}
	moves := perShift * max(alive, 10)
	temp, reported := annealHot, 0
	cur := s.obj()
	began := time.Now()
	for m := 0; ; m++ {
		if m&255 == 0 {
			if ctx.Err() != nil {
				return true
			}
			// The run is as far as the further of its moves and its time.
			frac := float64(m) / float64(moves)
			if !until.IsZero() {
				clock := float64(time.Since(began)) / float64(until.Sub(began))
				if clock >= 1 {
					return true
				}
				frac = max(frac, clock)
			}
			if frac >= 1 {
				return false
			}
			temp = annealHot * math.Pow(annealCold/annealHot, frac)
			if m&1023 == 0 {
				ix.refresh(s)
			}
			if k := int(frac * searchSteps); k > reported {
				reported = k
				step(k)
			}
		}
		var undo func()
		if len(ix.holes) > 0 && s.rng.Float64() < annealAim {
			undo = s.annealHole(ix)
		} else {
			undo = s.annealMove()
		}
		if undo == nil {
			continue
		}
		o := s.obj()
		if d := o - cur; d <= 0 || s.rng.Float64() < math.Exp(-d/temp) {
			cur = o
			if o < *bestObj-1e-9 {
				*bestObj = o
				*best = s.snapshot(*best)
			}
			continue
		}
		undo()
	}
}

// annealMove makes one random move that keeps every hard rule and every
// weekly minimum the roster meets, and returns how to undo it (nil if the
// move it drew could not be made):
//
//   - a shift onto another of its agent's queues;
//   - a shift to another start of any template on the same date (breaks
//     re-placed), or of its own template on another free date of its week;
//   - a shift to another agent of its zone;
//   - two agents of a zone trade their shifts of one date;
//   - a shift dropped, or a shift added for an agent below his maximum;
//   - one break of a shift to another start in its window.
func (s *solver) annealMove() func() {
	if len(s.shifts) == 0 {
		return s.annealAdd()
	}
	id := int32(s.rng.IntN(len(s.shifts)))
	if !s.shifts[id].alive {
		return nil
	}
	switch k := s.rng.IntN(100); {
	case k < 20:
		return s.annealQueue(id)
	case k < 45:
		return s.annealRestart(id, false)
	case k < 55:
		return s.annealRestart(id, true)
	case k < 65:
		return s.annealTransfer(id)
	case k < 77:
		return s.annealSwap(id)
	case k < 82:
		return s.annealDrop(id)
	case k < 92:
		return s.annealAdd()
	default:
		return s.annealBreak(id)
	}
}

func (s *solver) annealQueue(id int32) func() {
	pl := &s.shifts[id]
	qs := s.groups[s.agents[pl.agent].g].queues
	if len(qs) < 2 {
		return nil
	}
	from, to := pl.queue, qs[s.rng.IntN(len(qs))]
	if to == from {
		return nil
	}
	s.setQueue(id, to)
	return func() { s.setQueue(id, from) }
}

// replace takes shift id out and gives agent ai pattern pat instead (on
// the queue it helps most, breaks placed), if he can take it and the old
// shift's agent keeps his minimum of its week; otherwise it puts the old
// shift back and returns nil.
func (s *solver) replace(id int32, ai, pat int, keepBreaks bool) func() {
	return s.replaceQ(id, ai, pat, keepBreaks, -1)
}

// replaceOn is replace onto queue q, breaks placed.
func (s *solver) replaceOn(id int32, ai, pat, q int) func() {
	return s.replaceQ(id, ai, pat, false, q)
}

func (s *solver) replaceQ(id int32, ai, pat int, keepBreaks bool, q int) func() {
	old := s.shifts[id]
	old.breaks = append([]int(nil), old.breaks...)
	week := s.zones[old.z].pats[old.pat].week
	s.remove(id)
	if !s.canAdd(ai, pat) {
		s.add(old.agent, old.pat, old.breaks, old.queue)
		return nil
	}
	b := s.zones[s.agents[ai].z].pats[pat].breaks0
	if keepBreaks {
		b = old.breaks
	}
	nid := s.add(ai, pat, b, q)
	if !s.minOK(old.agent, week) {
		s.remove(nid)
		s.add(old.agent, old.pat, old.breaks, old.queue)
		return nil
	}
	if !keepBreaks {
		s.placeBreaks(nid)
	}
	return func() {
		s.remove(nid)
		s.add(old.agent, old.pat, old.breaks, old.queue)
	}
}

// annealRestart moves a shift to a random start on its date (any template
// within two hours), or with otherDay of its own template on a random
// other date of its week.
func (s *solver) annealRestart(id int32, otherDay bool) func() {
	pl := &s.shifts[id]
	z := &s.zones[pl.z]
	pt := &z.pats[pl.pat]
	day := pt.day
	if otherDay {
		day = pt.week + s.rng.IntN(7)
		if day == pt.day {
			return nil
		}
		if _, taken := s.agents[pl.agent].byDay[day]; taken || !s.agents[pl.agent].okDay[day] {
			return nil
		}
	}
	lo, hi := z.dayLo[day], z.dayHi[day]
	if hi <= lo {
		return nil
	}
	pi := lo + s.rng.IntN(hi-lo)
	q := &z.pats[pi]
	if pi == pl.pat || (otherDay && q.tmpl != pt.tmpl) || (!otherDay && q.start.Sub(pt.start).Abs() > 2*time.Hour) {
		return nil
	}
	return s.replace(id, pl.agent, pi, false)
}

// annealTransfer gives a shift to a random other agent of its zone.
func (s *solver) annealTransfer(id int32) func() {
	pl := &s.shifts[id]
	agents := s.zones[pl.z].agents
	bj := agents[s.rng.IntN(len(agents))]
	if bj == pl.agent {
		return nil
	}
	return s.replace(id, bj, pl.pat, true)
}

// annealSwap trades shift id with the shift of a random other agent of its
// zone on the same date.
func (s *solver) annealSwap(x int32) func() {
	px := &s.shifts[x]
	agents := s.zones[px.z].agents
	bj := agents[s.rng.IntN(len(agents))]
	y, ok := s.agents[bj].byDay[s.zones[px.z].pats[px.pat].day]
	if !ok || bj == px.agent || s.shifts[y].pat == px.pat {
		return nil
	}
	return s.swapShifts(x, y)
}

// swapShifts makes the agents of shifts x and y (one local date of one
// zone) trade them, each taking the other's pattern and breaks, if both
// can and both keep the week's minimum; it returns how to undo it, or nil.
func (s *solver) swapShifts(x, y int32) func() {
	px, py := s.shifts[x], s.shifts[y]
	px.breaks = append([]int(nil), px.breaks...)
	py.breaks = append([]int(nil), py.breaks...)
	week := s.zones[px.z].pats[px.pat].week
	s.remove(x)
	s.remove(y)
	back := func() {
		s.add(px.agent, px.pat, px.breaks, px.queue)
		s.add(py.agent, py.pat, py.breaks, py.queue)
	}
	if !s.canAdd(px.agent, py.pat) {
		back()
		return nil
	}
	nx := s.add(px.agent, py.pat, py.breaks, -1)
	if !s.canAdd(py.agent, px.pat) {
		s.remove(nx)
		back()
		return nil
	}
	ny := s.add(py.agent, px.pat, px.breaks, -1)
	if !s.minOK(px.agent, week) || !s.minOK(py.agent, week) {
		s.remove(ny)
		s.remove(nx)
		back()
		return nil
	}
	return func() {
		s.remove(ny)
		s.remove(nx)
		back()
	}
}

func (s *solver) annealDrop(id int32) func() {
	old := s.shifts[id]
	old.breaks = append([]int(nil), old.breaks...)
	s.remove(id)
	back := func() { s.add(old.agent, old.pat, old.breaks, old.queue) }
	if !s.minOK(old.agent, s.zones[old.z].pats[old.pat].week) {
		back()
		return nil
	}
	return back
}

// annealAdd gives a random agent a random pattern of his zone on a random
// date he has free.
func (s *solver) annealAdd() func() {
	ai := s.rng.IntN(len(s.agents))
	st := &s.agents[ai]
	if st.blocked {
		return nil
	}
	z := &s.zones[st.z]
	if len(z.pats) == 0 {
		return nil
	}
	pi := s.rng.IntN(len(z.pats))
	if _, taken := st.byDay[z.pats[pi].day]; taken || !s.canAdd(ai, pi) {
		return nil
	}
	nid := s.add(ai, pi, z.pats[pi].breaks0, -1)
	s.placeBreaks(nid)
	return func() { s.remove(nid) }
}

// annealBreak moves one break of a shift to a random start in its window
// that keeps the breaks apart and in order.
func (s *solver) annealBreak(id int32) func() {
	pl := &s.shifts[id]
	t := s.p.Templates.Templates[s.zones[pl.z].pats[pl.pat].tmpl]
	if len(t.Breaks) == 0 {
		return nil
	}
	bi := s.rng.IntN(len(t.Breaks))
	b := t.Breaks[bi]
	off := b.EarliestStart + s.rng.IntN((b.LatestStart-b.EarliestStart)/b.StepMin+1)*b.StepMin
	trial := append([]int(nil), pl.breaks...)
	if off == trial[bi] || (bi > 0 && off < trial[bi-1]+t.Breaks[bi-1].LengthMin) ||
		(bi+1 < len(trial) && off+b.LengthMin > trial[bi+1]) {
		return nil
	}
	old := append([]int(nil), pl.breaks...)
	trial[bi] = off
	s.setBreaks(id, trial)
	return func() { s.setBreaks(id, old) }
}

// holeIndex finds moves aimed at under-covered intervals: for each zone and
// interval the patterns that work in it, for each queue the agents who serve
// it, and the intervals and queues short of cover (refreshed now and then).
type holeIndex struct {
	cover   [][][]int32 // [zone][interval] patterns working in it
	dayOf   [][]int32   // [zone][interval] local civil day
	servers [][]int     // [queue] agents
	holes   []int32     // i*Q+q with a shortfall
}

func (s *solver) holeIndex() *holeIndex {
	ix := &holeIndex{servers: make([][]int, s.Q)}
	for z := range s.zones {
		zz := &s.zones[z]
		cov := make([][]int32, s.n)
		for pi := range zz.pats {
			for _, c := range zz.pats[pi].cells0 {
				cov[c.i] = append(cov[c.i], int32(pi))
			}
		}
		ix.cover = append(ix.cover, cov)
		days := make([]int32, s.n)
		for i := range days {
			days[i] = int32(civilDay(s.p.Start.Add(time.Duration(i) * s.p.Step).In(zz.loc)))
		}
		ix.dayOf = append(ix.dayOf, days)
	}
	for ai, st := range s.agents {
		if st.blocked {
			continue
		}
		for _, q := range s.groups[st.g].queues {
			ix.servers[q] = append(ix.servers[q], ai)
		}
	}
	ix.refresh(s)
	return ix
}

func (ix *holeIndex) refresh(s *solver) {
	ix.holes = ix.holes[:0]
	for k, r := range s.rem {
		if r > 1e-9 {
			ix.holes = append(ix.holes, int32(k))
		}
	}
}

// annealHole aims at a random interval and queue short of cover: a random
// agent who serves the queue works there, by taking one of his shifts that
// overlaps the interval onto the queue, moving his shift of that date (or
// another date of the week) to a pattern that works in it, or a new shift.
func (s *solver) annealHole(ix *holeIndex) func() {
	h := ix.holes[s.rng.IntN(len(ix.holes))]
	i, q := int(h)/s.Q, int(h)%s.Q
	if s.rem[h] <= 1e-9 || len(ix.servers[q]) == 0 {
		return nil
	}
	ai := ix.servers[q][s.rng.IntN(len(ix.servers[q]))]
	st := &s.agents[ai]
	day := int(ix.dayOf[st.z][i])
	for d := day - 1; d <= day; d++ {
		if id, ok := st.byDay[d]; ok {
			for _, c := range s.shifts[id].cells {
				if int(c.i) == i {
					if s.shifts[id].queue == q {
						return nil
					}
					from := s.shifts[id].queue
					s.setQueue(id, q)
					return func() { s.setQueue(id, from) }
				}
			}
		}
	}
	cov := ix.cover[st.z][i]
	if len(cov) == 0 {
		return nil
	}
	pi := int(cov[s.rng.IntN(len(cov))])
	pt := &s.zones[st.z].pats[pi]
	if id, ok := st.byDay[pt.day]; ok {
		return s.replaceOn(id, ai, pi, q)
	}
	if s.rng.IntN(2) == 0 {
		// Another date of the same week gives up its shift.
		d := pt.week + s.rng.IntN(7)
		if id, ok := st.byDay[d]; ok {
			return s.replaceOn(id, ai, pi, q)
		}
		return nil
	}
	if !s.canAdd(ai, pi) {
		return nil
	}
	nid := s.add(ai, pi, pt.breaks0, q)
	s.placeBreaks(nid)
	return func() { s.remove(nid) }
}
