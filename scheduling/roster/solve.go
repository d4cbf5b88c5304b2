package roster

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"github.com/peakwise/peakwise/scheduling"
	"github.com/peakwise/peakwise/scheduling/calendar"
)

// pattern is a shift one agent of a zone may work: a template at a start on
// the zone's local clock.
type pattern struct {
	tmpl        int
	start, end  time.Time
	day, week   int // civil day numbers (local date, its Monday)
	wd          time.Weekday
	paid        int
	early, late bool
	// weekendH and nightH are the hours of its span on a Saturday or Sunday
	// and at night, on the zone's clock (breaks not taken out: they do not
	// move a shift's weekend or night share by much, and this way a break
	// move leaves the terms unchanged).
	weekendH, nightH float64
	segs             []segment
	breaks0          []int  // default break offsets (minutes after the start)
	cells0           []cell // net cover with the default breaks
}

type zone struct {
	loc          *time.Location
	pats         []pattern
	dayLo, dayHi map[int]int // patterns of a local day: [dayLo, dayHi)
	agents       []int
}

type agentState struct {
	z, g       int
	byDay      map[int]int32 // local civil day -> shift id
	weekPaid   map[int]int   // minutes per local week (keyed by its Monday)
	weekShifts map[int]int
	weekMin    map[int]int // minimum minutes per local week (PlanWeekMinimum plus booked minutes)
	maxPaid    int         // the longest paid time of the templates his contract may work
	okDay      map[int]bool
	bookedDay  map[int]bool // local days with a published shift of another plan
	booked     []Booked
	blocked    bool // serves no queue at its minimum level: never rostered
	restDays   int  // how many days around a shift its rest can reach
	paidMin    int
	peakMin    float64
	weekendH   float64 // his shifts' weekend and night hours (pattern.weekendH, nightH)
	nightH     float64
	stretchObj float64 // the objective's price of his shifts' peak stretches (stretchPrice)
	unmet      int
	dayOff     [7]bool
	soft       float64
}

type placed struct {
	agent, z, pat int
	queue         int // the queue the shift is assigned to; it covers only this one
	breaks        []int
	cells         []cell
	peakMin       float64
	stretchObj    float64
	unmet         int
	alive         bool
}

type solver struct {
	p       *Problem
	n, Q, G int
	stepH   float64
	req     []float64 // [i*Q+q]
	on      []float64 // [i*Q+q] cover of the shifts assigned to q
	rem     []float64 // [i*Q+q] shortfall left (negative: over)
	under   []float64
	over    []float64
	groups  []group
	zones   []zone
	pool    [][]int // [z*G+g] agents
	agents  []agentState
	shifts  []placed
	free    []int32
	peakQ   [][]bool // [queue][interval]: the queue's peaks on its own clock
	peakG   [][]bool // [group][interval]: peak for any of the group's queues

	dirty     []int32
	isDirty   []bool
	sumUnder  float64
	sumOver   float64
	paidTotal int
	softTotal float64
	allowH    float64 // the shortfall allowance in agent-hours
	tmplCount []int   // shifts of each template in the roster (max_agents caps them)
	combos    breakCombosCache
	near      map[int64][]int32 // shifts by UTC start day, for relieveShift
	failed    map[int32]string  // shifts whose stretch relief failed, as they were
	buf       []float64
	rng       *rand.Rand
}

// Solve rosters the agents: each gets shifts (template x start on his own
// clock, so a 09:00 shift stays at 09:00 across a DST change) and break
// times. Contract hours, shifts, rest and consecutive days, availability,
// approved time off and skills are never broken; a weekly minimum the agent's
// availability cannot reach is the one rule it may miss, and Measure reports
// it. It minimises, in this order, under-coverage, shifts over the
// peak-stretch limit (stress.go), paid hours, over-coverage and the soft
// terms (preferences, fairness of peak hours, peak stretches):
// a greedy construction by needed cover per paid hour, then local search
// (move, transfer and drop shifts, re-place breaks, refill) until MaxRounds,
// a round without improvement, or ctx's deadline, then simulated annealing
// (search.go: SearchEpochs runs without a deadline, the time left with one),
// returning the best roster found. Returns Validate's errors for bad input and ctx.Err() if ctx is
// cancelled before its deadline.
func Solve(ctx context.Context, p Problem) (Roster, error) {
	if err := p.Validate(); err != nil {
		return Roster{}, err
	}
	p.defaults()
	p.Agents = p.eligible()
	s := newSolver(&p)
	total := p.MaxRounds + 2 + searchSteps
	progress := func(done int) {
		if p.Progress != nil {
			p.Progress(done, total)
		}
	}
	canceled := func() bool { return errors.Is(ctx.Err(), context.Canceled) }
	progress(0) // the total is known before the first, longest step
	s.greedy(ctx)
	for round := 0; round < 2 && ctx.Err() == nil; round++ {
		s.placeAllBreaks()
		s.greedy(ctx)
	}
	if canceled() {
		return Roster{}, ctx.Err()
	}
	s.fillMinimums()
	s.relieveStretch(ctx, false)
	progress(1)
	r := Roster{Stopped: "rounds"}
	for r.Rounds < p.MaxRounds {
		if ctx.Err() != nil {
			r.Stopped = "deadline"
			break
		}
		before := s.obj()
		s.round(ctx)
		r.Rounds++
		progress(1 + r.Rounds)
		if s.obj() > before-1e-6*math.Max(1, math.Abs(before)) {
			r.Stopped = "converged"
			break
		}
	}
	if s.search(ctx, func(k int) { progress(1 + p.MaxRounds + k) }) {
		r.Stopped = "deadline"
	}
	if canceled() {
		return Roster{}, ctx.Err()
	}
	s.fillMinimums()
	s.relieveStretch(ctx, true)
	r.Assignments = s.assignments()
	progress(total)
	return r, nil
}

func civilDay(t time.Time) int {
	y, m, d := t.Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func newSolver(p *Problem) *solver {
	n := len(p.Required[0])
	s := &solver{p: p, n: n, Q: len(p.Queues), stepH: p.Step.Hours(), rng: rand.New(rand.NewPCG(p.Seed, 0x9e3779b97f4a7c15))}
	var groupOf []int
	s.groups, groupOf = groupsOf(p.Queues, p.Agents)
	s.G = len(s.groups)
	s.req = make([]float64, n*s.Q)
	for q := range p.Queues {
		for i, v := range p.Required[q] {
			s.req[i*s.Q+q] = v
		}
	}
	s.peakQ = queuePeaks(p)
	s.peakG = make([][]bool, s.G)
	for g := range s.groups {
		s.peakG[g] = unionPeaks(s.peakQ, s.groups[g].queues, n)
	}
	s.on = make([]float64, n*s.Q)
	s.tmplCount = make([]int, len(p.Templates.Templates))
	s.rem = append([]float64(nil), s.req...)
	s.under, s.over = make([]float64, n), make([]float64, n)
	s.isDirty = make([]bool, n)
	s.buf = make([]float64, 0, 80)
	for i := 0; i < n; i++ {
		s.evalInterval(i)
		s.sumUnder += s.under[i]
		s.sumOver += s.over[i]
	}
	s.allowH = p.ShortfallAllowance * s.sumUnder * s.stepH
	zoneOf := map[string]int{}
	for ai, a := range p.Agents {
		z, ok := zoneOf[a.Location.String()]
		if !ok {
			z = len(s.zones)
			zoneOf[a.Location.String()] = z
			s.zones = append(s.zones, s.buildZone(a.Location))
		}
		s.zones[z].agents = append(s.zones[z].agents, ai)
		st := agentState{z: z, g: groupOf[ai], byDay: map[int]int32{}, weekPaid: map[int]int{}, weekShifts: map[int]int{}, weekMin: map[int]int{},
			okDay: map[int]bool{}, bookedDay: map[int]bool{}, booked: a.Booked, blocked: len(a.Skills) == 0}
		st.restDays = int(math.Ceil((a.Contract.MinRestHours+16)/24)) + 1
		for _, d := range a.DaysOff {
			st.dayOff[d] = true
		}
		for _, t := range p.Templates.Templates {
			if t.AllowsContract(a.Contract.Name) {
				st.maxPaid = max(st.maxPaid, t.PaidMin)
			}
		}
		// Published shifts of other plans count toward their local week's
		// hours and shifts, and take their local date.
		for _, b := range a.Booked {
			l := b.Start.In(a.Location)
			dn := civilDay(l)
			w := dn - int((l.Weekday()+6)%7)
			st.bookedDay[dn] = true
			st.weekPaid[w] += b.PaidMinutes
			st.weekShifts[w]++
		}
		for _, m := range weekStarts(a.Location, p.Start, p.End()) {
			if st.blocked {
				break
			}
			if mins := int(math.Ceil(PlanWeekMinimum(a, m, p.Start, p.End())*60 - 1e-9)); mins > 0 {
				st.weekMin[civilDay(m)] = mins + st.weekPaid[civilDay(m)]
			}
		}
		s.agents = append(s.agents, st)
	}
	best := map[string]int{}
	for ai := range s.agents {
		st := &s.agents[ai]
		pats := s.zones[st.z].pats
		for pi := range pats {
			if !st.okDay[pats[pi].day] && s.staticOK(ai, &pats[pi]) {
				st.okDay[pats[pi].day] = true
			}
		}
		s.capMinimums(ai, best)
	}
	s.pool = make([][]int, len(s.zones)*s.G)
	for ai, st := range s.agents {
		k := st.z*s.G + st.g
		s.pool[k] = append(s.pool[k], ai)
	}
	return s
}

// capMinimums lowers each weekly minimum of agent ai that no set of shifts
// could reach (too few free days or shifts left, or the templates' paid
// times cannot add up to it under the weekly maximum) to the most paid time
// that can, so the solver still gives him as much as it can; Measure
// reports the week. best memoises the most reachable minutes by paid
// times, shift count and cap.
func (s *solver) capMinimums(ai int, best map[string]int) {
	st := &s.agents[ai]
	c := s.p.Agents[ai].Contract
	var paid []int
	for _, t := range s.p.Templates.Templates {
		if t.AllowsContract(s.p.Agents[ai].Contract.Name) && !slices.Contains(paid, t.PaidMin) {
			paid = append(paid, t.PaidMin)
		}
	}
	sort.Ints(paid)
	for w, m := range st.weekMin {
		free := 0
		for d := w; d < w+7; d++ {
			if st.okDay[d] && !st.bookedDay[d] {
				free++
			}
		}
		k := free
		if c.MaxShiftsPerWeek > 0 {
			k = min(k, c.MaxShiftsPerWeek-st.weekShifts[w])
		}
		limit := m
		if c.MaxWeekHours > 0 {
			limit = int(math.Floor(c.MaxWeekHours*60+1e-9)) - st.weekPaid[w]
		}
		key := fmt.Sprint(paid, k, limit)
		most, ok := best[key]
		if !ok {
			most = mostPaid(paid, max(0, k), limit)
			best[key] = most
		}
		if st.weekPaid[w]+most < m {
			st.weekMin[w] = st.weekPaid[w] + most
		}
	}
}

// mostPaid is the largest sum of at most k of the paid times (each usable
// again) that does not exceed limit: a reachability table over the sums,
// k rounds of adding one more shift.
func mostPaid(paid []int, k, limit int) int {
	if k <= 0 || limit <= 0 {
		return 0
	}
	reach := make([]bool, limit+1)
	reach[0] = true
	best := 0
	for round := 0; round < k; round++ {
		next := append([]bool(nil), reach...)
		for x, ok := range reach {
			if !ok {
				continue
			}
			for _, p := range paid {
				if y := x + p; y <= limit && !next[y] {
					next[y] = true
					best = max(best, y)
				}
			}
		}
		reach = next
	}
	return best
}

// buildZone lists every template start on every local date of the zone that
// lies wholly inside the period, skipping clock times a DST change removes.
func (s *solver) buildZone(loc *time.Location) zone {
	p := s.p
	z := zone{loc: loc, dayLo: map[int]int{}, dayHi: map[int]int{}}
	first := p.Start.In(loc)
	end := p.End()
	for day := time.Date(first.Year(), first.Month(), first.Day()-1, 0, 0, 0, 0, loc); day.Before(end); day = day.AddDate(0, 0, 1) {
		dn := civilDay(day)
		z.dayLo[dn] = len(z.pats)
		for ti, t := range p.Templates.Templates {
			if !hasDay(t.Days, day.Weekday()) {
				continue
			}
			from, _ := clockMinutes(string(t.Start.From))
			to, _ := clockMinutes(string(t.Start.To))
			for m := from; m <= to; m += t.Start.StepMin {
				st := time.Date(day.Year(), day.Month(), day.Day(), m/60, m%60, 0, 0, loc)
				if st.Hour() != m/60 || st.Minute() != m%60 || civilDay(st) != dn {
					continue // a clock time that does not exist on this DST day
				}
				en := st.Add(time.Duration(t.SpanMin) * time.Minute)
				if st.Before(p.Start) || en.After(end) || st.Before(p.NotBefore) {
					continue
				}
				lend := en.In(loc)
				pt := pattern{tmpl: ti, start: st, end: en, day: dn, week: dn - int((day.Weekday()+6)%7), wd: day.Weekday(), paid: t.PaidMin,
					early: m < 9*60, late: civilDay(lend) > dn || lend.Hour()*60+lend.Minute() > 19*60, segs: wallSegments(loc, st, en)}
				pt.weekendH, pt.nightH = weekendNight(loc, calendar.Shift{Start: st, End: en})
				pt.breaks0 = defaultBreaks(t)
				pt.cells0 = s.cells(&pt, pt.breaks0)
				z.pats = append(z.pats, pt)
			}
		}
		z.dayHi[dn] = len(z.pats)
	}
	return z
}

func hasDay(days []string, wd time.Weekday) bool {
	for _, d := range days {
		if dayNames[d] == wd {
			return true
		}
	}
	return false
}

func defaultBreaks(t scheduling.Template) []int {
	out := make([]int, len(t.Breaks))
	for i, b := range t.Breaks {
		mid := (b.EarliestStart + b.LatestStart) / 2
		out[i] = b.EarliestStart + (mid-b.EarliestStart)/b.StepMin*b.StepMin
	}
	return out
}

func (s *solver) breakIntervals(pt *pattern, offs []int) []Interval {
	t := s.p.Templates.Templates[pt.tmpl]
	out := make([]Interval, len(offs))
	for k, off := range offs {
		bs := pt.start.Add(time.Duration(off) * time.Minute)
		out[k] = Interval{bs, bs.Add(time.Duration(t.Breaks[k].LengthMin) * time.Minute)}
	}
	return out
}

func (s *solver) cells(pt *pattern, breaks []int) []cell {
	c := coverCells(s.p.Start, s.p.Step, pt.start, pt.end, s.breakIntervals(pt, breaks), s.buf)
	return c
}

// evalInterval stores interval i's shortfall per queue (requirement less
// the cover of the shifts assigned to it) and its under- and over-cover.
func (s *solver) evalInterval(i int) {
	r := s.rem[i*s.Q : (i+1)*s.Q]
	for q := range r {
		r[q] = s.req[i*s.Q+q] - s.on[i*s.Q+q]
	}
	u, o := 0.0, 0.0
	for _, v := range r {
		if v > 0 {
			u += v
		} else {
			o -= v
		}
	}
	s.under[i], s.over[i] = u, o
}

func (s *solver) mark(i int32) {
	if !s.isDirty[i] {
		s.isDirty[i] = true
		s.dirty = append(s.dirty, i)
	}
}

func (s *solver) flush() {
	for _, i := range s.dirty {
		s.isDirty[i] = false
		s.sumUnder -= s.under[i]
		s.sumOver -= s.over[i]
		s.evalInterval(int(i))
		s.sumUnder += s.under[i]
		s.sumOver += s.over[i]
	}
	s.dirty = s.dirty[:0]
}

func (s *solver) obj() float64 {
	w := s.p.Weights
	return s.underCost(s.sumUnder*s.stepH) + w.Paid*float64(s.paidTotal)/60 + w.Over*s.sumOver*s.stepH + s.softTotal
}

// underCost prices u agent-hours short: Weights.Shortfall an hour within
// the allowance, Weights.Under beyond it.
func (s *solver) underCost(u float64) float64 {
	w := s.p.Weights
	if u <= s.allowH {
		return w.Shortfall * u
	}
	return w.Shortfall*s.allowH + w.Under*(u-s.allowH)
}

// underPrice is what one more hour short costs now.
func (s *solver) underPrice() float64 {
	if s.sumUnder*s.stepH < s.allowH-1e-9 {
		return s.p.Weights.Shortfall
	}
	return s.p.Weights.Under
}

func (s *solver) refreshSoft(ai int) {
	st := &s.agents[ai]
	w := s.p.Weights
	v := w.Preference*float64(st.unmet) + st.stretchObj
	if st.paidMin > 0 {
		ph, paidH := st.peakMin/60, float64(st.paidMin)/60
		v += (w.Fairness*ph*ph + w.WeekendFairness*st.weekendH*st.weekendH + w.NightFairness*st.nightH*st.nightH) / paidH
	}
	s.softTotal += v - st.soft
	st.soft = v
}

func (s *solver) unmetOf(ai int, pt *pattern) int {
	u := 0
	switch s.p.Agents[ai].Prefer {
	case PreferEarly:
		if pt.late {
			u++
		}
	case PreferLate:
		if pt.early {
			u++
		}
	}
	if s.agents[ai].dayOff[pt.wd] {
		u++
	}
	return u
}

func (s *solver) shiftStats(pl *placed) {
	pm, longest := peakStats(pl.cells, s.peakQ[pl.queue], s.p.Step)
	pl.peakMin = pm
	pl.stretchObj = s.stretchPrice(longest)
}

// bestQueue is the queue of skill set g to which cells add the most needed
// cover (the first of them on a tie), and that cover.
func (s *solver) bestQueue(g int, cells []cell) (int, float64) {
	best, bestGain := -1, -1.0
	for _, q := range s.groups[g].queues {
		sum := 0.0
		for _, c := range cells {
			if r := s.rem[int(c.i)*s.Q+q]; r > 0 {
				sum += math.Min(c.v, r)
			}
		}
		if sum > bestGain+1e-12 {
			best, bestGain = q, sum
		}
	}
	return best, bestGain
}

// add gives agent ai pattern pat with the given breaks, assigned to queue
// q (or, with q < 0, to the queue of his skills it helps most); rules are
// the caller's to check (canAdd).
func (s *solver) add(ai, pat int, breaks []int, q int) int32 {
	st := &s.agents[ai]
	pt := &s.zones[st.z].pats[pat]
	pl := placed{agent: ai, z: st.z, pat: pat, breaks: append([]int(nil), breaks...), alive: true}
	pl.cells = s.cells(pt, pl.breaks)
	if q < 0 {
		q, _ = s.bestQueue(st.g, pl.cells)
	}
	pl.queue = q
	s.shiftStats(&pl)
	pl.unmet = s.unmetOf(ai, pt)
	var id int32
	if k := len(s.free); k > 0 {
		id = s.free[k-1]
		s.free = s.free[:k-1]
		s.shifts[id] = pl
	} else {
		id = int32(len(s.shifts))
		s.shifts = append(s.shifts, pl)
	}
	for _, c := range pl.cells {
		s.on[int(c.i)*s.Q+pl.queue] += c.v
		s.mark(c.i)
	}
	s.flush()
	st.byDay[pt.day] = id
	s.tmplCount[pt.tmpl]++
	st.weekPaid[pt.week] += pt.paid
	st.weekShifts[pt.week]++
	st.paidMin += pt.paid
	st.peakMin += pl.peakMin
	st.weekendH += pt.weekendH
	st.nightH += pt.nightH
	st.stretchObj += pl.stretchObj
	st.unmet += pl.unmet
	s.paidTotal += pt.paid
	s.refreshSoft(ai)
	return id
}

func (s *solver) remove(id int32) {
	pl := &s.shifts[id]
	st := &s.agents[pl.agent]
	pt := &s.zones[pl.z].pats[pl.pat]
	for _, c := range pl.cells {
		s.on[int(c.i)*s.Q+pl.queue] -= c.v
		s.mark(c.i)
	}
	s.flush()
	delete(st.byDay, pt.day)
	s.tmplCount[pt.tmpl]--
	st.weekPaid[pt.week] -= pt.paid
	st.weekShifts[pt.week]--
	st.paidMin -= pt.paid
	st.peakMin -= pl.peakMin
	st.weekendH -= pt.weekendH
	st.nightH -= pt.nightH
	st.stretchObj -= pl.stretchObj
	st.unmet -= pl.unmet
	if st.paidMin == 0 {
		st.peakMin, st.stretchObj, st.weekendH, st.nightH = 0, 0, 0, 0 // no float residue on an empty agent
	}
	s.paidTotal -= pt.paid
	s.refreshSoft(pl.agent)
	pl.alive = false
	s.free = append(s.free, id)
}

// setBreaks moves a shift's breaks, touching only the intervals whose cover changes.
func (s *solver) setBreaks(id int32, breaks []int) {
	pl := &s.shifts[id]
	st := &s.agents[pl.agent]
	pt := &s.zones[pl.z].pats[pl.pat]
	next := s.cells(pt, breaks)
	old := pl.cells
	cellChanges(old, next, func(i int32, d float64) {
		s.on[int(i)*s.Q+pl.queue] += d
		s.mark(i)
	})
	s.flush()
	st.peakMin -= pl.peakMin
	st.stretchObj -= pl.stretchObj
	pl.cells = next
	copy(pl.breaks, breaks)
	s.shiftStats(pl)
	st.peakMin += pl.peakMin
	st.stretchObj += pl.stretchObj
	s.refreshSoft(pl.agent)
}

// canAdd checks every hard rule for giving agent ai pattern pat.
func (s *solver) canAdd(ai, pat int) bool {
	a := &s.p.Agents[ai]
	st := &s.agents[ai]
	pt := &s.zones[st.z].pats[pat]
	if _, taken := st.byDay[pt.day]; taken || st.bookedDay[pt.day] {
		return false
	}
	if m := s.p.Templates.Templates[pt.tmpl].MaxAgents; m != nil && s.tmplCount[pt.tmpl] >= *m {
		return false // the template's cap on shifts in the whole plan
	}
	c := a.Contract
	if c.MaxShiftsPerWeek > 0 && st.weekShifts[pt.week]+1 > c.MaxShiftsPerWeek {
		return false
	}
	if c.MaxWeekHours > 0 && float64(st.weekPaid[pt.week]+pt.paid) > c.MaxWeekHours*60+1e-9 {
		return false
	}
	// Keep the week's minimum reachable with the shifts and free days left.
	if m := st.weekMin[pt.week]; m > 0 && st.weekPaid[pt.week]+pt.paid < m {
		left := 0
		for d := pt.week; d < pt.week+7; d++ {
			if _, taken := st.byDay[d]; d != pt.day && !taken && !st.bookedDay[d] && st.okDay[d] {
				left++
			}
		}
		if c.MaxShiftsPerWeek > 0 {
			left = min(left, c.MaxShiftsPerWeek-st.weekShifts[pt.week]-1)
		}
		if st.weekPaid[pt.week]+pt.paid+left*st.maxPaid < m {
			return false
		}
	}
	if !s.staticOK(ai, pt) {
		return false
	}
	rest := time.Duration(c.MinRestHours * float64(time.Hour))
	for _, b := range st.booked {
		if b.Start.Before(pt.end.Add(rest)) && pt.start.Before(b.End.Add(rest)) {
			return false // overlaps a published shift or its rest
		}
	}
	for d := pt.day - st.restDays; d <= pt.day+st.restDays; d++ {
		id, ok := st.byDay[d]
		if !ok || d == pt.day {
			continue
		}
		o := &s.zones[st.z].pats[s.shifts[id].pat]
		switch {
		case !o.end.After(pt.start):
			if pt.start.Sub(o.end) < rest {
				return false
			}
		case !pt.end.After(o.start):
			if o.start.Sub(pt.end) < rest {
				return false
			}
		default:
			return false // overlap
		}
	}
	if c.MaxConsecutiveDays > 0 {
		run := 1
		for d := pt.day - 1; ; d-- {
			if _, ok := st.byDay[d]; !ok && !st.bookedDay[d] {
				break
			}
			run++
		}
		for d := pt.day + 1; ; d++ {
			if _, ok := st.byDay[d]; !ok && !st.bookedDay[d] {
				break
			}
			run++
		}
		if run > c.MaxConsecutiveDays {
			return false
		}
	}
	return true
}

// staticOK checks the rules that do not depend on the agent's other shifts:
// a queue to serve, the template's contracts, availability and time off.
func (s *solver) staticOK(ai int, pt *pattern) bool {
	a := &s.p.Agents[ai]
	if s.agents[ai].blocked || !s.p.Templates.Templates[pt.tmpl].AllowsContract(a.Contract.Name) {
		return false
	}
	for _, seg := range pt.segs {
		if !available(a.Availability, seg.day, seg.from, seg.to) {
			return false
		}
	}
	return !a.OffDuring(pt.start, pt.end)
}

// minOK reports whether agent ai still meets week w's minimum.
func (s *solver) minOK(ai, w int) bool {
	st := &s.agents[ai]
	return st.weekPaid[w] >= st.weekMin[w]
}

// gain is the needed cover a pattern's default shape adds for skill set g,
// assigned to the queue it helps most, per paid hour.
func (s *solver) gain(z, g, pat int) float64 {
	pt := &s.zones[z].pats[pat]
	_, sum := s.bestQueue(g, pt.cells0)
	return sum * s.stepH / (float64(pt.paid) / 60)
}

type entry struct {
	score   float64
	z, g, p int32
}

type entryHeap []entry

func (h entryHeap) Len() int           { return len(h) }
func (h entryHeap) Less(a, b int) bool { return h[a].score > h[b].score }
func (h entryHeap) Swap(a, b int)      { h[a], h[b] = h[b], h[a] }
func (h *entryHeap) Push(x any)        { *h = append(*h, x.(entry)) }
func (h *entryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// threshold is the least needed cover per paid hour worth a shift under the
// weights, at the price an hour short has now (underPrice).
func (s *solver) threshold() float64 {
	w := s.p.Weights
	return (w.Paid + w.Over) / (s.underPrice() + w.Over)
}

// greedy adds shifts by needed cover per paid hour (lazily re-scored), each
// to the agent of the pattern's zone and skill set who fits it best, until
// no shift is worth its pay. Adding only lowers the shortfall, so the
// threshold only rises (threshold): a pattern once below it stays below.
func (s *solver) greedy(ctx context.Context) {
	thr := s.threshold()
	h := entryHeap{}
	for z := range s.zones {
		for g := 0; g < s.G; g++ {
			pool := s.pool[z*s.G+g]
			if len(pool) == 0 {
				continue
			}
			for pi := range s.zones[z].pats {
				pt := &s.zones[z].pats[pi]
				ok := false
				for _, ai := range pool {
					if s.staticOK(ai, pt) {
						ok = true
						break
					}
				}
				if !ok {
					continue
				}
				if sc := s.gain(z, g, pi); sc > thr {
					h = append(h, entry{sc, int32(z), int32(g), int32(pi)})
				}
			}
		}
	}
	heap.Init(&h)
	exchanges := 0
	for it := 0; h.Len() > 0; it++ {
		if it&255 == 0 && ctx.Err() != nil {
			return
		}
		e := heap.Pop(&h).(entry)
		thr = s.threshold()
		sc := s.gain(int(e.z), int(e.g), int(e.p))
		if sc <= thr {
			continue
		}
		if h.Len() > 0 && sc < h[0].score-1e-12 {
			e.score = sc
			heap.Push(&h, e)
			continue
		}
		ai := s.pickAgent(int(e.z), int(e.g), int(e.p))
		if ai < 0 {
			// Nobody can take it as things stand; adding only uses capacity
			// up, so it is dropped, after one try at trading it for a worse
			// shift of someone who could take it otherwise.
			if sc >= exchangeMin && exchanges < exchangeBudget {
				exchanges++
				s.exchange(int(e.z), int(e.g), int(e.p))
			}
			continue
		}
		pt := &s.zones[e.z].pats[e.p]
		s.add(ai, int(e.p), pt.breaks0, -1)
		e.score = s.gain(int(e.z), int(e.g), int(e.p))
		if e.score > thr {
			heap.Push(&h, e)
		}
	}
}

// Exchanges are tried for patterns worth at least exchangeMin needed cover
// per paid hour, at most exchangeBudget times per greedy pass, so their cost
// stays bounded on large rosters.
const (
	exchangeMin    = 0.25
	exchangeBudget = 3000
)

// exchange gives pattern pat to an agent of zone z and skill set g in place
// of one of his shifts in the same week or within his rest reach (which
// frees the hours, shift count, rest or day it needs), if that lowers the
// objective; it tries every such agent and shift and keeps the best.
func (s *solver) exchange(z, g, pat int) {
	pt := &s.zones[z].pats[pat]
	bestObj, bestAgent, bestDay := s.obj()-1e-9, -1, 0
	for _, ai := range s.pool[z*s.G+g] {
		if !s.staticOK(ai, pt) {
			continue
		}
		st := &s.agents[ai]
		var days []int
		for d := pt.week; d < pt.week+7; d++ {
			days = append(days, d)
		}
		for d := pt.day - st.restDays; d <= pt.day+st.restDays; d++ {
			if d < pt.week || d >= pt.week+7 {
				days = append(days, d)
			}
		}
		for _, d := range days {
			id, ok := st.byDay[d]
			if !ok {
				continue
			}
			old := s.shifts[id]
			oldWeek := s.zones[z].pats[old.pat].week
			s.remove(id)
			if s.canAdd(ai, pat) {
				nid := s.add(ai, pat, pt.breaks0, -1)
				if o := s.obj(); o < bestObj && s.minOK(ai, oldWeek) && s.minOK(ai, pt.week) {
					bestObj, bestAgent, bestDay = o, ai, d
				}
				s.remove(nid)
			}
			s.add(ai, old.pat, old.breaks, old.queue)
		}
	}
	if bestAgent < 0 {
		return
	}
	s.remove(s.agents[bestAgent].byDay[bestDay])
	s.placeBreaks(s.add(bestAgent, pat, pt.breaks0, -1))
}

// pickAgent chooses who of a zone's agents with skill set g takes pattern
// pat: first those short of their weekly minimum (the furthest short first),
// then the one it leaves with the fewest unmet preferences and the fairest
// peak share, then the one with the fewest paid hours. -1 if nobody can.
func (s *solver) pickAgent(z, g, pat int) int {
	pt := &s.zones[z].pats[pat]
	best := -1
	var bestKey [3]float64
	pm, _ := peakStats(pt.cells0, s.peakG[g], s.p.Step)
	w := s.p.Weights
	for _, ai := range s.pool[z*s.G+g] {
		if !s.canAdd(ai, pat) {
			continue
		}
		st := &s.agents[ai]
		short := float64(st.weekMin[pt.week] - st.weekPaid[pt.week])
		if short < 0 {
			short = 0
		}
		ph, wh, nh := (st.peakMin+pm)/60, st.weekendH+pt.weekendH, st.nightH+pt.nightH
		soft := w.Preference*float64(s.unmetOf(ai, pt)) +
			(w.Fairness*ph*ph+w.WeekendFairness*wh*wh+w.NightFairness*nh*nh)/(float64(st.paidMin+pt.paid)/60)
		if st.paidMin > 0 {
			old := st.peakMin / 60
			soft -= (w.Fairness*old*old + w.WeekendFairness*st.weekendH*st.weekendH + w.NightFairness*st.nightH*st.nightH) / (float64(st.paidMin) / 60)
		}
		key := [3]float64{-short, soft, float64(st.paidMin)}
		if best < 0 || less3(key, bestKey) {
			best, bestKey = ai, key
		}
	}
	return best
}

func less3(a, b [3]float64) bool {
	for k := range a {
		if a[k] < b[k]-1e-12 {
			return true
		}
		if a[k] > b[k]+1e-12 {
			return false
		}
	}
	return false
}

// placeBreaks moves one shift's breaks, each in turn, to the start in its
// window that lowers the objective most.
func (s *solver) placeBreaks(id int32) {
	pl := &s.shifts[id]
	t := s.p.Templates.Templates[s.zones[pl.z].pats[pl.pat].tmpl]
	if len(t.Breaks) == 0 {
		return
	}
	s.fitBreaks(id)
	trial := append([]int(nil), pl.breaks...)
	for bi, b := range t.Breaks {
		best, bestObj := trial[bi], s.obj()
		orig := trial[bi]
		for off := b.EarliestStart; off <= b.LatestStart; off += b.StepMin {
			if off == orig || (bi > 0 && off < trial[bi-1]+t.Breaks[bi-1].LengthMin) ||
				(bi+1 < len(trial) && off+b.LengthMin > trial[bi+1]) {
				continue
			}
			trial[bi] = off
			s.setBreaks(id, trial)
			if o := s.obj(); o < bestObj-1e-9 {
				best, bestObj = off, o
			}
		}
		trial[bi] = best
		s.setBreaks(id, trial)
	}
}

func (s *solver) placeAllBreaks() {
	for id := range s.shifts {
		if s.shifts[id].alive {
			s.placeBreaks(int32(id))
		}
	}
}

// fillMinimums gives every agent short of a weekly minimum more shifts (the
// most needed cover per paid hour first), or longer ones in place of his
// shorter ones, until the minimum is met or nothing fits.
func (s *solver) fillMinimums() {
	for ai := range s.agents {
		st := &s.agents[ai]
		weeks := make([]int, 0, len(st.weekMin))
		for w := range st.weekMin {
			weeks = append(weeks, w)
		}
		sort.Ints(weeks)
		for _, w := range weeks {
			for !s.minOK(ai, w) {
				if s.addForMinimum(ai, w) < 0 && !s.lengthenForMinimum(ai, w) && !s.moveForMinimum(ai, w) {
					break
				}
			}
		}
	}
}

// addForMinimum gives agent ai the most useful shift that fits in week w
// and returns its id, or -1 if none fits.
func (s *solver) addForMinimum(ai, w int) int32 {
	st := &s.agents[ai]
	z := &s.zones[st.z]
	best, bestScore := -1, math.Inf(-1)
	for d := w; d < w+7; d++ {
		for pi := z.dayLo[d]; pi < z.dayHi[d]; pi++ {
			if !s.canAdd(ai, pi) {
				continue
			}
			// Needed cover first; among useless shifts, the longest fills the minimum fastest.
			sc := s.gain(st.z, st.g, pi) + float64(z.pats[pi].paid)*1e-6
			if sc > bestScore {
				best, bestScore = pi, sc
			}
		}
	}
	if best < 0 {
		return -1
	}
	id := s.add(ai, best, z.pats[best].breaks0, -1)
	s.placeBreaks(id)
	return id
}

// rearrangeForMinimum, with one of agent ai's shifts of week w taken out,
// tries every shift that fits in w in its place, each followed by the most
// useful second one, and keeps the first pair that pays the week more than
// before (minutes). It reports whether it did.
func (s *solver) rearrangeForMinimum(ai, w, before int) bool {
	st := &s.agents[ai]
	z := &s.zones[st.z]
	for d := w; d < w+7; d++ {
		for pi := z.dayLo[d]; pi < z.dayHi[d]; pi++ {
			if !s.canAdd(ai, pi) {
				continue
			}
			first := s.add(ai, pi, z.pats[pi].breaks0, -1)
			if second := s.addForMinimum(ai, w); second >= 0 {
				if st.weekPaid[w] > before {
					s.placeBreaks(first)
					return true
				}
				s.remove(second)
			}
			s.remove(first)
		}
	}
	return false
}

// moveForMinimum makes room in week w for more paid time of agent ai by
// moving one of his shifts (of w or a neighbouring week, whose rest or days
// in a row block the free days of w) and filling again: the week gains a
// shift, and a neighbouring week keeps its minimum. It reports whether week
// w gained paid time.
func (s *solver) moveForMinimum(ai, w int) bool {
	st := &s.agents[ai]
	for d := w - 7; d < w+14; d++ {
		id, ok := st.byDay[d]
		if !ok {
			continue
		}
		old := s.shifts[id]
		ow := s.zones[old.z].pats[old.pat].week
		before := st.weekPaid[w]
		s.remove(id)
		if ow == w {
			if s.rearrangeForMinimum(ai, w, before) {
				return true
			}
			s.add(ai, old.pat, old.breaks, old.queue)
			continue
		}
		added := s.addForMinimum(ai, w)
		if added < 0 {
			s.add(ai, old.pat, old.breaks, old.queue)
			continue
		}
		if ow != w && s.minOK(ai, ow) {
			return true
		}
		// Put the moved shift back somewhere in its own week.
		if moved := s.addForMinimum(ai, ow); moved >= 0 {
			if s.minOK(ai, ow) {
				return true
			}
			s.remove(moved)
		}
		s.remove(added)
		s.add(ai, old.pat, old.breaks, old.queue)
	}
	return false
}

func (s *solver) lengthenForMinimum(ai, w int) bool {
	st := &s.agents[ai]
	z := &s.zones[st.z]
	for d := w; d < w+7; d++ {
		id, ok := st.byDay[d]
		if !ok {
			continue
		}
		old := s.shifts[id]
		oldPaid := z.pats[old.pat].paid
		s.remove(id)
		best := -1
		for pi := z.dayLo[d]; pi < z.dayHi[d]; pi++ {
			if z.pats[pi].paid > oldPaid && s.canAdd(ai, pi) && (best < 0 || z.pats[pi].paid > z.pats[best].paid) {
				best = pi
			}
		}
		if best >= 0 {
			s.placeBreaks(s.add(ai, best, z.pats[best].breaks0, -1))
			return true
		}
		s.add(ai, old.pat, old.breaks, old.queue)
	}
	return false
}

// setQueue moves a shift's cover to queue q.
func (s *solver) setQueue(id int32, q int) {
	pl := &s.shifts[id]
	for _, c := range pl.cells {
		s.on[int(c.i)*s.Q+pl.queue] -= c.v
		s.on[int(c.i)*s.Q+q] += c.v
		s.mark(c.i)
	}
	s.flush()
	pl.queue = q
	// The shift's peak time is judged by its new queue's peaks.
	st := &s.agents[pl.agent]
	st.peakMin -= pl.peakMin
	st.stretchObj -= pl.stretchObj
	s.shiftStats(pl)
	st.peakMin += pl.peakMin
	st.stretchObj += pl.stretchObj
	s.refreshSoft(pl.agent)
}

// rebalance re-assigns shifts between queues: a shift moves to another of
// its agent's queues if that lowers the objective, or if a shift that
// overlaps it can take over its old queue in the same move (a two-step
// chain: an English speaker moves to the English queue, a German speaker
// working English moves back to German).
func (s *solver) rebalance(ctx context.Context) {
	var ids []int32
	for id := range s.shifts {
		if s.shifts[id].alive && len(s.groups[s.agents[s.shifts[id].agent].g].queues) > 1 {
			ids = append(ids, int32(id))
		}
	}
	s.rng.Shuffle(len(ids), func(a, b int) { ids[a], ids[b] = ids[b], ids[a] })
	// Shifts by the UTC day they start: one that overlaps a shift starts on
	// its day or the day before or after (no shift is longer than 16 h).
	byDay := map[int64][]int32{}
	dayOf := func(id int32) int64 {
		pl := &s.shifts[id]
		return s.zones[pl.z].pats[pl.pat].start.Unix() / 86400
	}
	for _, id := range ids {
		byDay[dayOf(id)] = append(byDay[dayOf(id)], id)
	}
	for k, a := range ids {
		if k&63 == 0 && ctx.Err() != nil {
			return
		}
		pa := &s.shifts[a]
		da := dayOf(a)
		near := append(append(append([]int32(nil), byDay[da-1]...), byDay[da]...), byDay[da+1]...)
		ptA := &s.zones[pa.z].pats[pa.pat]
		from := pa.queue
		base := s.obj() - 1e-9
	next:
		for _, q := range s.groups[s.agents[pa.agent].g].queues {
			if q == from {
				continue
			}
			s.setQueue(a, q)
			if s.obj() < base {
				break
			}
			for _, b := range near {
				pb := &s.shifts[b]
				if b == a || pb.queue != q {
					continue
				}
				ptB := &s.zones[pb.z].pats[pb.pat]
				if !ptB.start.Before(ptA.end) || !ptA.start.Before(ptB.end) || !slices.Contains(s.groups[s.agents[pb.agent].g].queues, from) {
					continue
				}
				s.setQueue(b, from)
				if s.obj() < base {
					break next
				}
				s.setQueue(b, q)
			}
			s.setQueue(a, from)
		}
	}
}

// swapTries bounds the partners swap tries for each shift.
const swapTries = 24

// swap trades shifts of one local date between two agents of a zone (each
// takes the other's template, start, breaks; the queues are chosen again),
// where both can take them and it lowers the objective: an agent with the
// skill a queue lacks takes the time another agent works on a queue with
// cover to spare, with both agents' hours and shift counts kept.
func (s *solver) swap(ctx context.Context) {
	type key struct{ z, day int }
	by := map[key][]int32{}
	var ids []int32
	for id := range s.shifts {
		if pl := &s.shifts[id]; pl.alive {
			ids = append(ids, int32(id))
			k := key{pl.z, s.zones[pl.z].pats[pl.pat].day}
			by[k] = append(by[k], int32(id))
		}
	}
	s.rng.Shuffle(len(ids), func(a, b int) { ids[a], ids[b] = ids[b], ids[a] })
	for n, x := range ids {
		if n&63 == 0 && ctx.Err() != nil {
			return
		}
		// Removing and adding reuses the same ids, so every id of a list
		// stays a shift of that zone and date, though maybe another one.
		k := key{s.shifts[x].z, s.zones[s.shifts[x].z].pats[s.shifts[x].pat].day}
		list := by[k]
		// At most swapTries partners from a random place in the list keep
		// a pass linear in the shifts on large rosters.
		from := s.rng.IntN(len(list))
		for t := 0; t < min(len(list), swapTries); t++ {
			y := list[(from+t)%len(list)]
			px, py := s.shifts[x], s.shifts[y]
			if y == x || px.agent == py.agent || px.pat == py.pat {
				continue
			}
			week := s.zones[px.z].pats[px.pat].week
			base := s.obj() - 1e-9
			s.remove(x)
			s.remove(y)
			kept := false
			if s.canAdd(px.agent, py.pat) {
				nx := s.add(px.agent, py.pat, py.breaks, -1)
				if s.canAdd(py.agent, px.pat) {
					ny := s.add(py.agent, px.pat, px.breaks, -1)
					if s.obj() < base && s.minOK(px.agent, week) && s.minOK(py.agent, week) {
						kept = true
					} else {
						s.remove(ny)
					}
				}
				if !kept {
					s.remove(nx)
				}
			}
			if kept {
				break
			}
			s.add(px.agent, px.pat, px.breaks, px.queue)
			s.add(py.agent, py.pat, py.breaks, py.queue)
		}
	}
}

// round is one pass of local search over every shift, then a refill.
func (s *solver) round(ctx context.Context) {
	var ids []int32
	for id := range s.shifts {
		if s.shifts[id].alive {
			ids = append(ids, int32(id))
		}
	}
	s.rng.Shuffle(len(ids), func(a, b int) { ids[a], ids[b] = ids[b], ids[a] })
	for k, id := range ids {
		if k&63 == 0 && ctx.Err() != nil {
			return
		}
		if s.shifts[id].alive {
			if nid := s.improveShift(id); nid >= 0 {
				s.placeBreaks(nid)
			}
		}
	}
	s.swap(ctx)
	s.rebalance(ctx)
	s.greedy(ctx)
	s.relieveStretch(ctx, false)
}

// improveShift tries the shift's alternatives: dropping it, another start
// within an hour or a template containing it (or inside it) on the same day,
// or the same shift for another agent of its zone;
// it keeps the best that lowers the objective. Returns the id of the shift
// now in its place, or -1 if it was dropped.
func (s *solver) improveShift(id int32) int32 {
	orig := s.shifts[id]
	ai := orig.agent
	st := &s.agents[ai]
	z := &s.zones[orig.z]
	pt := z.pats[orig.pat]
	base := s.obj()
	s.remove(id)
	const keep, drop = -1, -2
	bestKind, bestAgent, bestPat, bestQueue, bestObj := keep, ai, orig.pat, orig.queue, base-1e-9
	try := func(agent, pat int, breaks []int, q int) {
		nid := s.add(agent, pat, breaks, q)
		s.fitBreaks(nid)
		if s.minOK(ai, pt.week) {
			if o := s.obj(); o < bestObj {
				bestKind, bestAgent, bestPat, bestQueue, bestObj = 0, agent, pat, s.shifts[nid].queue, o
			}
		}
		s.remove(nid)
	}
	// The same shift on another of the agent's queues.
	for _, q := range s.groups[st.g].queues {
		if q != orig.queue {
			try(ai, orig.pat, orig.breaks, q)
		}
	}
	if s.minOK(ai, pt.week) {
		if o := s.obj(); o < bestObj {
			bestKind, bestObj = drop, o
		}
		// The same shift for another agent: same skill set first, a few others too.
		others := s.pool[orig.z*s.G+st.g]
		if len(z.agents) > 0 {
			for k := 0; k < 4; k++ {
				others = append(others[:len(others):len(others)], z.agents[s.rng.IntN(len(z.agents))])
			}
		}
		for _, bj := range others {
			if bj != ai && s.canAdd(bj, orig.pat) {
				try(bj, orig.pat, orig.breaks, -1)
			}
		}
	}
	for pi := z.dayLo[pt.day]; pi < z.dayHi[pt.day]; pi++ {
		q := &z.pats[pi]
		// Nearby starts of any template, and other templates that contain the
		// shift or lie inside it (a longer shift for a slot-bound agent).
		near := q.start.Sub(pt.start).Abs() <= time.Hour
		nested := (!q.start.After(pt.start) && !q.end.Before(pt.end)) || (!pt.start.After(q.start) && !pt.end.Before(q.end))
		if pi == orig.pat || !(near || nested) || !s.canAdd(ai, pi) {
			continue
		}
		try(ai, pi, q.breaks0, -1)
	}
	// The same template on another free date of the week, at any start: the
	// hours a contract's minimum forces move to where they are needed.
	for d := pt.week; d < pt.week+7; d++ {
		if _, taken := st.byDay[d]; taken || d == pt.day {
			continue
		}
		for pi := z.dayLo[d]; pi < z.dayHi[d]; pi++ {
			if q := &z.pats[pi]; q.tmpl == pt.tmpl && s.canAdd(ai, pi) {
				try(ai, pi, q.breaks0, -1)
			}
		}
	}
	switch bestKind {
	case drop:
		return -1
	case keep:
		return s.add(ai, orig.pat, orig.breaks, orig.queue)
	}
	b := z.pats[bestPat].breaks0
	if bestPat == orig.pat {
		b = orig.breaks
	}
	return s.add(bestAgent, bestPat, b, bestQueue)
}

// assignments turns the placed shifts into calendar shifts, by agent and start.
func (s *solver) assignments() []Assignment {
	var out []Assignment
	for _, pl := range s.shifts {
		if !pl.alive {
			continue
		}
		pt := &s.zones[pl.z].pats[pl.pat]
		t := s.p.Templates.Templates[pt.tmpl]
		sh := calendar.Shift{AgentID: int64(pl.agent + 1), Template: t.Name, Start: pt.start.UTC(), End: pt.end.UTC(), PaidMinutes: t.PaidMin}
		for bi, b := range t.Breaks {
			bs := pt.start.Add(time.Duration(pl.breaks[bi]) * time.Minute).UTC()
			sh.Breaks = append(sh.Breaks, calendar.Break{Name: b.Name, Start: bs, End: bs.Add(time.Duration(b.LengthMin) * time.Minute), Paid: b.Paid})
		}
		out = append(out, Assignment{Agent: s.p.Agents[pl.agent].ID, Queue: s.p.Queues[pl.queue], Shift: sh})
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Shift.AgentID != out[b].Shift.AgentID {
			return out[a].Shift.AgentID < out[b].Shift.AgentID
		}
		return out[a].Shift.Start.Before(out[b].Shift.Start)
	})
	for k := range out {
		out[k].Shift.UID = fmt.Sprintf("a%d-%s", out[k].Shift.AgentID, out[k].Shift.Start.Format("20060102T1504Z"))
	}
	return out
}
