package scheduling

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/peakwise/peakwise/scheduling/calendar"
)

// Plan is the input of headcount generation.
type Plan struct {
	Location *time.Location
	Start    time.Time // first interval of the requirements
	Step     time.Duration
	Required []float64 // staff required per interval from Start
	// Cyclic makes the period a repeating week: shifts running past its end
	// cover its first intervals.
	Cyclic bool
	// PeakShare is the share of each local day's busiest intervals that count
	// as peak (default 0.25: the top quartile).
	PeakShare float64
	// MaxPeakStretch is the longest a shift should work through peak
	// intervals without a break (default 2 h).
	MaxPeakStretch time.Duration
	// MaxBreakShare is the largest share of on-shift staff that should be on
	// break in one interval (default 0.2).
	MaxBreakShare float64
	// Workload is the offered load per interval in erlangs (optional). With
	// MaxOccupancy it raises the requirement so projected occupancy
	// (workload / scheduled staff) stays at most MaxOccupancy everywhere.
	Workload     []float64
	MaxOccupancy float64
	// StressBudget is how much more paid time the stress-aware plan may take
	// than the cheapest plan found, as a share (0.02: at most 2% more). Zero
	// lets stress relief move breaks but never add paid time.
	StressBudget float64
}

// validate reports bad plan fields.
func (p Plan) validate() error {
	var errs FieldErrors
	switch {
	case p.Location == nil:
		errs = append(errs, FieldError{"plan.location", "is required"})
	case p.Step <= 0:
		errs = append(errs, FieldError{"plan.step", "must be positive"})
	}
	for i, r := range p.Required {
		if r < 0 || math.IsNaN(r) || math.IsInf(r, 0) {
			errs = append(errs, FieldError{fmt.Sprintf("plan.required[%d]", i), fmt.Sprintf("%g is not a staff count >= 0", r)})
			break
		}
	}
	if p.PeakShare < 0 || p.PeakShare > 1 {
		errs = append(errs, FieldError{"plan.peak_share", "must be between 0 and 1"})
	}
	if p.MaxPeakStretch < 0 {
		errs = append(errs, FieldError{"plan.max_peak_stretch", "must not be negative"})
	}
	if p.MaxBreakShare < 0 || p.MaxBreakShare > 1 {
		errs = append(errs, FieldError{"plan.max_break_share", "must be between 0 and 1"})
	}
	if p.StressBudget < 0 || p.StressBudget > 1 {
		errs = append(errs, FieldError{"plan.stress_budget", "must be between 0 and 1 (a share of paid time)"})
	}
	if p.Workload != nil {
		if len(p.Workload) != len(p.Required) {
			errs = append(errs, FieldError{"plan.workload", fmt.Sprintf("has %d intervals but the requirements have %d", len(p.Workload), len(p.Required))})
		}
		if p.MaxOccupancy <= 0 || p.MaxOccupancy > 1 {
			errs = append(errs, FieldError{"plan.max_occupancy", "must be in (0, 1] when a workload is given"})
		}
	}
	if errs != nil {
		return errs
	}
	return nil
}

// effective is the plan with the occupancy cap folded into the requirement:
// at least workload / MaxOccupancy staff in every interval.
func (p Plan) effective() Plan {
	if p.Workload == nil {
		return p
	}
	q := p
	q.Required = make([]float64, len(p.Required))
	for i, r := range p.Required {
		q.Required[i] = math.Max(r, math.Ceil(p.Workload[i]/p.MaxOccupancy-1e-9))
	}
	return q
}

// candidate is one shift the generator may run: a template at a start.
type candidate struct {
	tmpl  int
	start time.Time
	first int // interval index of the start (may be >= n in cyclic plans, wrapped)
	span  int // intervals spanned (rounded up)
	// net is the cover it adds per interval with its breaks at their default
	// places: breaks already subtracted, so a break never counts as cover.
	net []cell
}

// cell is cover added to one interval.
type cell struct {
	i int
	v float64
}

// netCover sums a shift's cover per interval, breaks subtracted.
func (g *generator) netCover(c candidate, breaks []int) []cell {
	acc := map[int]float64{}
	var order []int
	g.contribution(c, breaks, func(i int, share float64) {
		if _, ok := acc[i]; !ok {
			order = append(order, i)
		}
		acc[i] += share
	})
	out := make([]cell, 0, len(order))
	for _, i := range order {
		if acc[i] > 1e-12 || acc[i] < -1e-12 {
			out = append(out, cell{i, acc[i]})
		}
	}
	return out
}

// Generate chooses shifts (templates x starts x break times) that cover the
// requirements with the least paid time it can find, then relieves stress
// within p.StressBudget; it returns the stress-aware plan of GeneratePlans.
// It stops at ctx's deadline with the best plan so far. Returns FieldErrors
// for bad templates or plan fields.
func Generate(ctx context.Context, p Plan, ts Templates) ([]calendar.Shift, error) {
	plans, err := GeneratePlans(ctx, p, ts)
	if err != nil {
		return nil, err
	}
	return plans.StressAware, nil
}

// Plans are the two plans of one generation.
type Plans struct {
	// Cheapest covers the requirements with the least paid time found
	// (breaks wherever coverage is best served).
	Cheapest []calendar.Shift
	// StressAware keeps peak stretches within MaxPeakStretch, breaks off
	// the peaks and at most MaxBreakShare of staff on break, as far as it can
	// for at most StressBudget more paid time than Cheapest.
	StressAware []calendar.Shift
	// LowerBoundPaidHours is the LP relaxation's optimum: no plan without
	// shortfall pays less (0 if the LP did not finish in time).
	LowerBoundPaidHours float64
	// CapShortfall lists the stress-aware plan's shortfall that only
	// templates already at their max_agents could cover (empty when the
	// caps cost no cover).
	CapShortfall []CapShortfall
}

// GeneratePlans builds the cheapest plan (LP relaxation by column
// generation, rounded by diving, breaks repaired, spare shifts dropped, then
// a row-weighting local search, two differently seeded runs at once, then
// exact re-optimization of windows of starts; the greedy generator's plan if
// that is cheaper) and the stress-aware plan derived from it. It stops at
// ctx's deadline with the best plans so far; under a deadline the greedy
// plan, searched while the LP is solved, is the fallback and a rival (see
// below). Returns FieldErrors for bad templates or plan fields.
func GeneratePlans(ctx context.Context, p Plan, ts Templates) (Plans, error) {
	if err := ts.Validate(); err != nil {
		return Plans{}, err
	}
	if err := p.validate(); err != nil {
		return Plans{}, err
	}
	if p.Step != time.Duration(ts.IntervalMin)*time.Minute {
		return Plans{}, fmt.Errorf("the requirements come in %s intervals but the templates say %d minutes", p.Step, ts.IntervalMin)
	}
	p = p.effective()
	// The LP gets most of the time; the greedy plan is the fallback.
	lpCtx := ctx
	if dl, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		lpCtx, cancel = context.WithDeadline(ctx, dl.Add(-time.Until(dl)/3))
		defer cancel()
	}
	// The search and the window step stop at four fifths of the time left,
	// so relieving stress always has the last fifth.
	searchCtx := ctx
	if dl, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		searchCtx, cancel = context.WithDeadline(ctx, dl.Add(-time.Until(dl)/5))
		defer cancel()
	}
	// The greedy plan (the fallback) needs nothing from the LP: it runs on
	// the second core while the LP dive runs on the first. Once built, it
	// is searched on that core until the LP is done: if the LP runs out of
	// time (a large week, a slow machine), the searched greedy plan is the
	// one taken further (planted 75-pair weeks with a 10 s limit on a slow
	// machine: 968-972 paid hours where the greedy plan alone paid 1,088-1,092).
	greedySearchCtx, stopGreedySearch := context.WithCancel(searchCtx)
	defer stopGreedySearch()
	type fallback struct{ built, searched *generator }
	greedyDone := make(chan fallback, 1)
	go func() {
		h := greedyPlan(searchCtx, p, ts)
		built := h.clone()
		newCoverSolver(h, stressRules{}).weightedSearch(greedySearchCtx, weightedSearchSteps, weightedSearchRounds)
		greedyDone <- fallback{built, h}
	}()
	var out Plans
	g := newGenerator(p, ts)
	s := newCoverSolver(g, stressRules{})
	chosen, root, err := s.dive(lpCtx)
	lpOK := err == nil && chosen != nil
	if lpOK {
		stopGreedySearch()
		out.LowerBoundPaidHours = root / 60
		s.adopt(chosen)
		// Rounding can push a template past its cap when the LP had to
		// break it; the greedy refill below uses only templates with room.
		g.trimCaps()
		s.repairBreaks(searchCtx, nil)
		g.greedy(searchCtx)
		g.prune()
		s.dropSpare(searchCtx, nil)
		g.improve(searchCtx)
	}
	fb := <-greedyDone
	_, deadline := ctx.Deadline()
	switch {
	case !lpOK:
		g = fb.searched
		s = newCoverSolver(g, stressRules{})
		s.searchBoth(searchCtx, weightedSearchSteps, weightedSearchRounds)
	case deadline && better(fb.searched, g):
		// Under a deadline the LP's plan can come late and still rough
		// (planted 120-pair weeks at 10 s on a slow machine: 4-5% above the
		// optimum at the end) while the greedy plan, searched meanwhile, is
		// cheaper: each is searched further on its own core, and the
		// cheaper kept. Without a deadline which plan is searched must not
		// depend on timing: the LP's, on both cores.
		s.searchAlongside(searchCtx, fb.searched, weightedSearchSteps, weightedSearchRounds)
	default:
		s.searchBoth(searchCtx, weightedSearchSteps, weightedSearchRounds)
	}
	s.refineWindows(searchCtx, windowWidth, windowStride, windowNodes, windowSweeps)
	if deadline {
		// The time the deadline leaves goes to more searching; without
		// one, the plan's cost must not depend on the machine's speed.
		s.searchOn(searchCtx, 60*out.LowerBoundPaidHours)
	}
	if better(fb.built, g) {
		g = fb.built
		s = newCoverSolver(g, stressRules{})
	}
	out.Cheapest = g.shifts()
	// Relief's searches stop a tenth of its time before the deadline: the
	// breaks placed after them and the free alternative need that much.
	reliefCtx := ctx
	if dl, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		reliefCtx, cancel = context.WithDeadline(ctx, dl.Add(-time.Until(dl)/10))
		defer cancel()
	}
	aware := s.relieveStress(reliefCtx)
	if better(aware, g) {
		// Relief's own search found a plan cheaper than the cheapest (it
		// can, when a deadline cut the main search short): that is the
		// cheapest plan found.
		out.Cheapest = aware.shifts()
	}
	out.StressAware = aware.shifts()
	out.CapShortfall = aware.capShortfall()
	// Every step above keeps the caps; a plan over one is a bug, never
	// a result.
	for _, h := range []*generator{g, aware} {
		if ti := h.overCap(); ti >= 0 {
			return Plans{}, fmt.Errorf("internal error: the plan has more %s shifts than its max_agents (%d)", ts.Templates[ti].Name, *ts.Templates[ti].MaxAgents)
		}
	}
	return out, nil
}

// overCap is the first template whose max_agents the plan exceeds, or -1.
func (g *generator) overCap() int {
	n := make([]int, len(g.ts.Templates))
	for _, pl := range g.chosen {
		n[pl.c.tmpl]++
	}
	for ti, t := range g.ts.Templates {
		if t.MaxAgents != nil && n[ti] > *t.MaxAgents {
			return ti
		}
	}
	return -1
}

// trimCaps drops shifts of templates over their max_agents, each time the
// one whose removal opens the least shortfall.
func (g *generator) trimCaps() {
	for ti, t := range g.ts.Templates {
		if t.MaxAgents == nil {
			continue
		}
		for g.used[ti] > *t.MaxAgents {
			best, bestShort := -1, math.Inf(1)
			for k, pl := range g.chosen {
				if pl.c.tmpl != ti {
					continue
				}
				g.apply(pl, -1)
				if sh := g.shortfall(); sh < bestShort {
					best, bestShort = k, sh
				}
				g.apply(pl, 1)
			}
			g.apply(g.chosen[best], -1)
			g.chosen = append(g.chosen[:best], g.chosen[best+1:]...)
			g.used[ti]--
		}
	}
}

// CapShortfall is shortfall a template cap stands in the way of: intervals
// the plan leaves short that only shifts of templates already at their
// max_agents could have covered.
type CapShortfall struct {
	// Templates are the capped templates (at their cap) that could cover
	// these intervals; no template with room left can.
	Templates []string `json:"templates"`
	// Intervals is how many intervals are short for this reason, and
	// UnderAgentHours the agent-hours missing there.
	Intervals       int       `json:"intervals"`
	UnderAgentHours float64   `json:"under_agent_hours"`
	First           time.Time `json:"first"`
}

// capShortfall lists, per set of binding caps, the shortfall no template
// with room left could cover.
func (g *generator) capShortfall() []CapShortfall {
	short := make([]bool, g.n)
	any := false
	for i, r := range g.p.Required {
		if r-g.cov[i] > 1e-9 {
			short[i], any = true, true
		}
	}
	if !any {
		return nil
	}
	room := make([]bool, g.n)    // some template with room left covers it
	capped := make([][]int, g.n) // templates at their cap that cover it
	for _, c := range g.cands {
		t := g.ts.Templates[c.tmpl]
		full := t.MaxAgents != nil && g.used[c.tmpl] >= *t.MaxAgents
		g.addSpan(c.start, c.start.Add(minutes(t.SpanMin)), func(i int, _ float64) {
			if !short[i] {
				return
			}
			if !full {
				room[i] = true
			} else if !slices.Contains(capped[i], c.tmpl) {
				capped[i] = append(capped[i], c.tmpl)
			}
		})
	}
	byKey := map[string]*CapShortfall{}
	var out []CapShortfall
	var keys []string
	for i := range short {
		if !short[i] || room[i] || len(capped[i]) == 0 {
			continue
		}
		slices.Sort(capped[i])
		var names []string
		for _, ti := range capped[i] {
			names = append(names, g.ts.Templates[ti].Name)
		}
		key := strings.Join(names, ",")
		cs, ok := byKey[key]
		if !ok {
			cs = &CapShortfall{Templates: names, First: g.p.Start.Add(time.Duration(i) * g.p.Step)}
			byKey[key] = cs
			keys = append(keys, key)
		}
		cs.Intervals++
		cs.UnderAgentHours += (g.p.Required[i] - g.cov[i]) * g.p.Step.Hours()
	}
	for _, k := range keys {
		out = append(out, *byKey[k])
	}
	return out
}

// better says whether h has less shortfall than g, or as little and pays
// less.
func better(h, g *generator) bool {
	return h.shortfall() < g.shortfall()-1e-9 || (h.shortfall() <= g.shortfall()+1e-9 && h.paid() < g.paid()-1e-9)
}

// greedyPlan is the first generator: greedy by covered shortfall per paid
// hour, breaks placed where cover is spare, holes refilled, spare shifts
// pruned, then remove-and-refill improvement.
func greedyPlan(ctx context.Context, p Plan, ts Templates) *generator {
	g := newGenerator(p, ts)
	g.greedy(ctx)
	for round := 0; round < 3 && ctx.Err() == nil; round++ {
		g.placeBreaks()
		if g.shortfall() < 1e-9 {
			break
		}
		g.greedy(ctx)
	}
	g.placeBreaks()
	g.prune()
	g.improve(ctx)
	return g
}

// improve tries, for each shift, to take it out and refill what it leaves
// uncovered with cheaper shifts; a swap is kept only if it lowers paid time
// and leaves no new shortfall.
func (g *generator) improve(ctx context.Context) {
	for pass := 0; pass < 10 && ctx.Err() == nil; pass++ {
		changed := false
		for k := 0; k < len(g.chosen) && ctx.Err() == nil; k++ {
			before := g.shortfall()
			paidBefore := g.paid()
			saved := append([]placed(nil), g.chosen...)
			savedCov := append([]float64(nil), g.cov...)
			savedUsed := append([]int(nil), g.used...)
			out := g.chosen[k]
			g.apply(out, -1)
			g.used[out.c.tmpl]--
			g.chosen = append(g.chosen[:k:k], g.chosen[k+1:]...)
			g.greedyExcept(ctx, out.c)
			g.prune()
			if g.shortfall() <= before+1e-9 && g.paid() < paidBefore-1e-9 {
				changed = true
				continue
			}
			g.chosen, g.cov, g.used = saved, savedCov, savedUsed
		}
		if !changed {
			return
		}
	}
}

func (g *generator) paid() float64 {
	s := 0.0
	for _, pl := range g.chosen {
		s += float64(g.ts.Templates[pl.c.tmpl].PaidMin)
	}
	return s
}

type generator struct {
	p      Plan
	ts     Templates
	n      int
	cands  []candidate
	chosen []placed
	cov    []float64
	used   []int // shifts per template
	peak   []bool
}

// placed is a chosen shift with its break starts (minutes after the start).
type placed struct {
	c      candidate
	breaks []int
}

func newGenerator(p Plan, ts Templates) *generator {
	g := &generator{p: p, ts: ts, n: len(p.Required), cov: make([]float64, len(p.Required)), used: make([]int, len(ts.Templates))}
	if g.p.PeakShare == 0 {
		g.p.PeakShare = 0.25
	}
	if g.p.MaxPeakStretch == 0 {
		g.p.MaxPeakStretch = 2 * time.Hour
	}
	g.peak = Peaks(p.Location, p.Start, p.Step, p.Required, g.p.PeakShare)
	end := p.Start.Add(time.Duration(g.n) * p.Step)
	first := p.Start.In(p.Location)
	day := time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, p.Location)
	if !p.Cyclic {
		day = day.AddDate(0, 0, -1) // shifts from the evening before may reach into the period
	}
	for ; day.Before(end); day = day.AddDate(0, 0, 1) {
		for ti, t := range ts.Templates {
			if !hasDay(t.Days, day.Weekday()) {
				continue
			}
			from, _ := t.Start.From.minutes()
			to, _ := t.Start.To.minutes()
			for m := from; m <= to; m += t.Start.StepMin {
				st := time.Date(day.Year(), day.Month(), day.Day(), m/60, m%60, 0, 0, p.Location)
				if st.Hour() != m/60 || st.Minute() != m%60 {
					continue // a clock time that does not exist on a DST day
				}
				if !st.Add(time.Duration(t.SpanMin)*time.Minute).After(p.Start) || !st.Before(end) {
					continue
				}
				idx := int(math.Floor(float64(st.Sub(p.Start)) / float64(p.Step)))
				span := int(math.Ceil(float64(time.Duration(t.SpanMin)*time.Minute) / float64(p.Step)))
				c := candidate{tmpl: ti, start: st, first: idx, span: span}
				c.net = g.netCover(c, g.defaultBreaks(t))
				g.cands = append(g.cands, c)
			}
		}
	}
	return g
}

func hasDay(days []string, wd time.Weekday) bool {
	for _, d := range days {
		if weekdays[d] == wd {
			return true
		}
	}
	return false
}

// contribution calls f(interval, share) for every interval the shift covers,
// with breaks removing their share.
func (g *generator) contribution(c candidate, breaks []int, f func(i int, share float64)) {
	t := g.ts.Templates[c.tmpl]
	end := c.start.Add(time.Duration(t.SpanMin) * time.Minute)
	g.addSpan(c.start, end, f)
	for bi, b := range t.Breaks {
		bs := c.start.Add(time.Duration(breaks[bi]) * time.Minute)
		g.addSpan(bs, bs.Add(time.Duration(b.LengthMin)*time.Minute), func(i int, v float64) { f(i, -v) })
	}
}

// addSpan calls f(interval, share) for every interval [from, to) overlaps.
func (g *generator) addSpan(from, to time.Time, f func(i int, share float64)) {
	for at := from; at.Before(to); {
		k := int(math.Floor(float64(at.Sub(g.p.Start)) / float64(g.p.Step)))
		next := g.p.Start.Add(time.Duration(k+1) * g.p.Step)
		if next.After(to) {
			next = to
		}
		if i, ok := g.index(k); ok {
			f(i, float64(next.Sub(at))/float64(g.p.Step))
		}
		at = next
	}
}

func minutes(n int) time.Duration { return time.Duration(n) * time.Minute }

// index maps an interval offset into the plan (wrapping in cyclic plans).
func (g *generator) index(k int) (int, bool) {
	if g.p.Cyclic {
		return ((k % g.n) + g.n) % g.n, true
	}
	return k, k >= 0 && k < g.n
}

func (g *generator) defaultBreaks(t Template) []int {
	out := make([]int, len(t.Breaks))
	for i, b := range t.Breaks {
		mid := (b.EarliestStart + b.LatestStart) / 2
		out[i] = b.EarliestStart + (mid-b.EarliestStart)/b.StepMin*b.StepMin
	}
	return out
}

func (g *generator) shortfall() float64 {
	s := 0.0
	for i, r := range g.p.Required {
		s += math.Max(0, r-g.cov[i])
	}
	return s
}

// greedy adds shifts while any adds cover that is still needed.
func (g *generator) greedy(ctx context.Context) { g.greedyExcept(ctx, candidate{tmpl: -1}) }

// greedyExcept is greedy that never picks the candidate skip.
func (g *generator) greedyExcept(ctx context.Context, skip candidate) {
	for ctx.Err() == nil {
		best, bestScore := -1, 0.0
		for ci, c := range g.cands {
			if c.tmpl == skip.tmpl && c.start.Equal(skip.start) {
				continue
			}
			t := g.ts.Templates[c.tmpl]
			if t.MaxAgents != nil && g.used[c.tmpl] >= *t.MaxAgents {
				continue
			}
			gain := 0.0
			for _, x := range c.net {
				if x.v > 0 {
					if d := g.p.Required[x.i] - g.cov[x.i]; d > 0 {
						gain += math.Min(x.v, d)
					}
				}
			}
			// Needed cover per paid hour, so short shifts fill narrow gaps and
			// long ones carry the day.
			score := gain / (float64(t.PaidMin) / 60)
			if gain > 1e-9 && score > bestScore+1e-12 {
				best, bestScore = ci, score
			}
		}
		if best < 0 {
			return
		}
		c := g.cands[best]
		pl := placed{c: c, breaks: g.defaultBreaks(g.ts.Templates[c.tmpl])}
		g.apply(pl, 1)
		g.chosen = append(g.chosen, pl)
		g.used[c.tmpl]++
	}
}

func (g *generator) apply(pl placed, sign float64) {
	g.contribution(pl.c, pl.breaks, func(i int, share float64) { g.cov[i] += sign * share })
}

// placeBreaks moves every shift's breaks, one shift at a time, to where the
// plan has the most spare cover, preferring placements that keep stretches
// of peak work within MaxPeakStretch.
func (g *generator) placeBreaks() {
	for k := range g.chosen {
		pl := &g.chosen[k]
		t := g.ts.Templates[pl.c.tmpl]
		if len(t.Breaks) == 0 {
			continue
		}
		g.apply(*pl, -1)
		for bi, b := range t.Breaks {
			bestStart, bestScore := pl.breaks[bi], math.Inf(-1)
			for s := b.EarliestStart; s <= b.LatestStart; s += b.StepMin {
				if bi > 0 && s < pl.breaks[bi-1]+t.Breaks[bi-1].LengthMin {
					continue
				}
				trial := append([]int(nil), pl.breaks...)
				trial[bi] = s
				// Spare cover where the break would be: the lowest surplus over its intervals.
				spare := math.Inf(1)
				bs := pl.c.start.Add(time.Duration(s) * time.Minute)
				for at := bs; at.Before(bs.Add(time.Duration(b.LengthMin) * time.Minute)); at = at.Add(g.p.Step) {
					k := int(math.Floor(float64(at.Sub(g.p.Start)) / float64(g.p.Step)))
					if i, ok := g.index(k); ok {
						spare = math.Min(spare, g.cov[i]+1-g.p.Required[i]) // cover with this shift present
					}
				}
				if math.IsInf(spare, 1) {
					spare = 0
				}
				over := g.peakStretch(pl.c, trial) - g.p.MaxPeakStretch
				score := spare - math.Max(0, over.Hours())*2
				if score > bestScore+1e-12 {
					bestStart, bestScore = s, score
				}
			}
			pl.breaks[bi] = bestStart
		}
		g.apply(*pl, 1)
	}
}

// peakStretch is the longest run of peak intervals the shift works without a break.
func (g *generator) peakStretch(c candidate, breaks []int) time.Duration {
	t := g.ts.Templates[c.tmpl]
	onBreak := func(at time.Time) bool {
		for bi, b := range t.Breaks {
			bs := c.start.Add(time.Duration(breaks[bi]) * time.Minute)
			if !at.Before(bs) && at.Before(bs.Add(time.Duration(b.LengthMin)*time.Minute)) {
				return true
			}
		}
		return false
	}
	longest, run := time.Duration(0), time.Duration(0)
	end := c.start.Add(time.Duration(t.SpanMin) * time.Minute)
	for at := c.start; at.Before(end); at = at.Add(g.p.Step) {
		k := int(math.Floor(float64(at.Sub(g.p.Start)) / float64(g.p.Step)))
		i, ok := g.index(k)
		if ok && g.peak[i] && !onBreak(at) {
			run += g.p.Step
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}

// prune drops shifts, most recent first, whose removal opens no shortfall.
func (g *generator) prune() {
	for k := len(g.chosen) - 1; k >= 0; k-- {
		pl := g.chosen[k]
		before := g.shortfall()
		g.apply(pl, -1)
		if g.shortfall() > before+1e-9 {
			g.apply(pl, 1)
			continue
		}
		g.chosen = append(g.chosen[:k], g.chosen[k+1:]...)
		g.used[pl.c.tmpl]--
	}
}

func (g *generator) shifts() []calendar.Shift {
	out := make([]calendar.Shift, 0, len(g.chosen))
	for _, pl := range g.chosen {
		t := g.ts.Templates[pl.c.tmpl]
		s := calendar.Shift{Template: t.Name, Start: pl.c.start, End: pl.c.start.Add(time.Duration(t.SpanMin) * time.Minute), PaidMinutes: t.PaidMin}
		for bi, b := range t.Breaks {
			bs := pl.c.start.Add(time.Duration(pl.breaks[bi]) * time.Minute)
			s.Breaks = append(s.Breaks, calendar.Break{Name: b.Name, Start: bs, End: bs.Add(time.Duration(b.LengthMin) * time.Minute), Paid: b.Paid})
		}
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

// Peaks marks the intervals in the top share of each local day's requirement.
func Peaks(loc *time.Location, start time.Time, step time.Duration, req []float64, share float64) []bool {
	out := make([]bool, len(req))
	byDay := map[string][]int{}
	for i := range req {
		d := start.Add(time.Duration(i) * step).In(loc).Format(time.DateOnly)
		byDay[d] = append(byDay[d], i)
	}
	for _, idx := range byDay {
		vals := make([]float64, 0, len(idx))
		for _, i := range idx {
			if req[i] > 0 {
				vals = append(vals, req[i])
			}
		}
		if len(vals) == 0 {
			continue
		}
		sort.Float64s(vals)
		cut := vals[int(math.Floor(float64(len(vals)-1)*(1-share)))]
		for _, i := range idx {
			out[i] = req[i] > 0 && req[i] >= cut
		}
	}
	return out
}
