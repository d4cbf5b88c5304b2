package roster

import (
	"time"

	"github.com/peakwise/peakwise/scheduling/calendar"
)

// ShortfallNote says why a queue's requirement stays uncovered: each
// interval short of cover counts, in agent-hours, under the first reason
// that holds for it, read from the roster as it is, for the agents who
// serve the queue (at its minimum level):
//
//   - NoAgentHours: none of them may work then at all: no template his
//     contract allows starts so that its span holds the interval inside his
//     availability and the period, clear of his time off;
//   - AllWorkingHours: every one who may works then already, on this queue
//     or another;
//   - PricedHours: one who does not could take a shift that holds it and
//     keeps every rule (his week's maximum hours and shifts, one shift a
//     local date, rest around his other and published shifts, days in a
//     row, the template caps): the search left it because its paid time
//     cost more than the cover is worth (the shortfall allowance), or did
//     not find it;
//   - SpareHours: one who does not has a shift elsewhere whose cover is
//     all over the requirement (giving it up uncovers nothing) and, without
//     it, could take a shift that holds the interval within every rule: the
//     search did not find the move, or kept the shift where it is for the
//     stress, fairness or preference terms;
//   - AtMaximumHours: every one who does not has reached his week's maximum
//     hours or shifts for every such shift, and has no shift to spare: to
//     cover the interval, a roster of these agents uncovers another;
//   - RulesHours: the others' shifts that would hold it break rest, one
//     shift a local date, days in a row or a template cap.
//
// NoAgent, AllWorking and AtMaximum are trades, not misses: a roster of the
// same agents covers such an interval only by uncovering another, or not at
// all (NoAgent). Priced and Spare are what a search or a price left.
type ShortfallNote struct {
	Queue           string  `json:"queue"`
	UnderHours      float64 `json:"under_agent_hours"`
	NoAgentHours    float64 `json:"no_agent_hours"`
	AllWorkingHours float64 `json:"all_working_hours"`
	PricedHours     float64 `json:"priced_hours"`
	SpareHours      float64 `json:"spare_hours"`
	AtMaximumHours  float64 `json:"at_maximum_hours"`
	RulesHours      float64 `json:"rules_hours"`
}

// shortfallReasons explains every queue's under-coverage in the measured
// roster (ShortfallNote); queues with none are left out.
func (c *stretchContext) shortfallReasons() []ShortfallNote {
	p := c.p
	n, Q := len(p.Required[0]), len(p.Queues)
	h := p.Step.Hours()
	x := c.newShortIndex()
	out := []ShortfallNote{}
	for q, name := range p.Queues {
		note := ShortfallNote{Queue: name}
		for i := 0; i < n; i++ {
			u := c.al.rem[i*Q+q]
			if u <= 1e-9 {
				continue
			}
			note.UnderHours += u * h
			switch x.reason(q, i) {
			case shortNoAgent:
				note.NoAgentHours += u * h
			case shortAllWorking:
				note.AllWorkingHours += u * h
			case shortPriced:
				note.PricedHours += u * h
			case shortSpare:
				note.SpareHours += u * h
			case shortAtMaximum:
				note.AtMaximumHours += u * h
			default:
				note.RulesHours += u * h
			}
		}
		if note.UnderHours > 0 {
			out = append(out, note)
		}
	}
	return out
}

type shortKind int

const (
	shortNoAgent shortKind = iota
	shortAllWorking
	shortPriced
	shortSpare
	shortAtMaximum
	shortRules
)

// shortIndex is what the reasons read of every agent, built once: which
// intervals some shift he may work holds (reach, built when first asked),
// which his shifts overlap (busy), his shifts with the published ones
// (others), the least paid time of his templates, and which shifts are
// spare.
type shortIndex struct {
	c       *stretchContext
	reach   [][]uint64
	busy    [][]uint64
	others  [][]calendar.Shift
	minPaid []int // -1: no template for his contract
	spare   []int8
}

func (c *stretchContext) newShortIndex() *shortIndex {
	p := c.p
	n := len(p.Required[0])
	words := (n + 63) / 64
	x := &shortIndex{c: c, reach: make([][]uint64, len(p.Agents)), busy: make([][]uint64, len(p.Agents)),
		others: make([][]calendar.Shift, len(p.Agents)), minPaid: make([]int, len(p.Agents)), spare: make([]int8, len(c.shifts))}
	for ai, a := range p.Agents {
		x.busy[ai] = make([]uint64, words)
		for _, k := range c.byAgent[ai] {
			sh := c.shifts[k]
			x.others[ai] = append(x.others[ai], sh)
			x.mark(x.busy[ai], sh.Start, sh.End, false)
		}
		for _, b := range a.Booked {
			x.others[ai] = append(x.others[ai], calendar.Shift{Start: b.Start, End: b.End, PaidMinutes: b.PaidMinutes})
		}
		x.minPaid[ai] = -1
		for _, t := range p.Templates.Templates {
			if t.AllowsContract(a.Contract.Name) && (x.minPaid[ai] < 0 || t.PaidMin < x.minPaid[ai]) {
				x.minPaid[ai] = t.PaidMin
			}
		}
	}
	return x
}

// mark sets the bits of the intervals [from, to) overlaps (whole: only
// those it holds entirely).
func (x *shortIndex) mark(bits []uint64, from, to time.Time, whole bool) {
	p := x.c.p
	n := len(p.Required[0])
	lo, hi := from.Sub(p.Start), to.Sub(p.Start)
	var first, last int // [first, last)
	if whole {
		first, last = int((lo+p.Step-1)/p.Step), int(hi/p.Step)
	} else {
		first, last = int(lo/p.Step), int((hi+p.Step-1)/p.Step)
	}
	for i := max(first, 0); i < min(last, n); i++ {
		bits[i/64] |= 1 << (i % 64)
	}
}

func has(bits []uint64, i int) bool { return bits[i/64]&(1<<(i%64)) != 0 }

// reaches says whether some shift agent ai may work (spansHolding) holds
// interval i: his bits are built from every such shift the first time.
func (x *shortIndex) reaches(ai, i int) bool {
	if x.reach[ai] == nil {
		p := x.c.p
		a := p.Agents[ai]
		bits := make([]uint64, len(x.busy[ai]))
		loc := a.Location
		l := p.Start.In(loc)
		end := p.End()
		for date := time.Date(l.Year(), l.Month(), l.Day()-1, 0, 0, 0, 0, loc); date.Before(end); date = date.AddDate(0, 0, 1) {
			x.c.eachShift(ai, date, func(lo, hi, _ int) (int, int) { return lo, hi }, func(_ int, st, en time.Time) {
				x.mark(bits, st, en, true)
			})
		}
		x.reach[ai] = bits
	}
	return has(x.reach[ai], i)
}

// reason classifies interval i of queue q (ShortfallNote).
func (x *shortIndex) reason(q, i int) shortKind {
	c := x.c
	p := c.p
	from := p.Start.Add(time.Duration(i) * p.Step)
	to := from.Add(p.Step)
	queue := p.Queues[q]
	reach, idle, atMax, spare := 0, 0, 0, false
	for ai, a := range p.Agents {
		if _, ok := a.Skills[queue]; !ok || !x.reaches(ai, i) {
			continue
		}
		reach++
		if has(x.busy[ai], i) {
			continue
		}
		idle++
		var spans []span
		maxed := x.weeksFull(ai, from)
		if !maxed {
			spans = c.spansHolding(ai, from, to)
			maxed = true
			for _, s := range spans {
				switch x.fits(ai, s, -1) {
				case fitOK:
					return shortPriced
				case fitRules:
					maxed = false
				}
			}
		}
		if maxed {
			atMax++
		}
		for _, k := range c.byAgent[ai] {
			if spare || !x.spareShift(k) {
				continue
			}
			if spans == nil {
				spans = c.spansHolding(ai, from, to)
			}
			for _, s := range spans {
				spare = spare || x.fits(ai, s, k) == fitOK
			}
		}
	}
	switch {
	case reach == 0:
		return shortNoAgent
	case idle == 0:
		return shortAllWorking
	case spare:
		return shortSpare
	case atMax == idle:
		return shortAtMaximum
	}
	return shortRules
}

// weeksFull says whether agent ai's weeks of the local date of from and
// the date before (where every shift that holds from starts) have no room
// for one more shift of any of his templates: fits would say fitMaximum
// for every shift that holds from.
func (x *shortIndex) weeksFull(ai int, from time.Time) bool {
	if x.minPaid[ai] < 0 {
		return true
	}
	a := x.c.p.Agents[ai]
	l := from.In(a.Location)
	for back := 0; back <= 1; back++ {
		date := time.Date(l.Year(), l.Month(), l.Day()-back, 0, 0, 0, 0, a.Location)
		monday := date.AddDate(0, 0, -int((date.Weekday()+6)%7))
		paid, count := x.weekLoad(ai, monday)
		if !(a.Contract.MaxWeekHours > 0 && float64(paid+x.minPaid[ai]) > a.Contract.MaxWeekHours*60+1e-9 ||
			a.Contract.MaxShiftsPerWeek > 0 && count+1 > a.Contract.MaxShiftsPerWeek) {
			return false
		}
	}
	return true
}

// weekLoad is the paid minutes and shifts of agent ai's shifts (this
// plan's and published) that start in his local week from monday.
func (x *shortIndex) weekLoad(ai int, monday time.Time) (paid, count int) {
	next := monday.AddDate(0, 0, 7)
	for _, o := range x.others[ai] {
		if !o.Start.Before(monday) && o.Start.Before(next) {
			paid += o.PaidMinutes
			count++
		}
	}
	return paid, count
}

// span is a shift agent ai may work by his templates, availability, time
// off and the period alone.
type span struct {
	tmpl       int
	start, end time.Time
}

// spansHolding lists the spans of agent ai that hold [from, to): a
// template his contract allows, started at a time of its window on the
// interval's local date or the date before, inside the period (and not
// before NotBefore), his availability, and clear of his time off.
func (c *stretchContext) spansHolding(ai int, from, to time.Time) []span {
	p := c.p
	a := p.Agents[ai]
	loc := a.Location
	l := from.In(loc)
	var out []span
	// of is the interval's local minute from the date's midnight, to an
	// hour (a clock change that day moves it by one at most): only starts
	// from a span before it to it can hold the interval.
	of := l.Hour()*60 + l.Minute()
	for back := 1; back >= 0; back-- {
		date := time.Date(l.Year(), l.Month(), l.Day()-back, 0, 0, 0, 0, loc)
		window := func(lo, hi, span int) (int, int) {
			if first := of + 1440*back - span - 60; first > lo {
				lo = first // eachShift keeps to the window's own grid
			}
			return lo, min(hi, of+1440*back+60)
		}
		c.eachShift(ai, date, window, func(ti int, st, en time.Time) {
			if !st.After(from) && !en.Before(to) {
				out = append(out, span{ti, st, en})
			}
		})
	}
	return out
}

type fit int

const (
	fitOK fit = iota
	fitMaximum
	fitRules
)

// fits says whether agent ai could add span s to his shifts: within his
// week's maximum hours and shifts (fitMaximum if not), and keeping one
// shift a local date, rest around his other and published shifts, days in
// a row and the template's cap (fitRules if not), with his shift skip
// (an index into c.shifts, or -1) given up.
func (x *shortIndex) fits(ai int, s span, skip int) fit {
	c := x.c
	p := c.p
	a := p.Agents[ai]
	t := p.Templates.Templates[s.tmpl]
	loc := a.Location
	l := s.start.In(loc)
	date := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	monday := date.AddDate(0, 0, -int((date.Weekday()+6)%7))
	paid, count := x.weekLoad(ai, monday)
	paid, count = paid+t.PaidMin, count+1
	var skipped calendar.Shift
	if skip >= 0 {
		skipped = c.shifts[skip]
		if !skipped.Start.Before(monday) && skipped.Start.Before(monday.AddDate(0, 0, 7)) {
			paid, count = paid-skipped.PaidMinutes, count-1
		}
	}
	if a.Contract.MaxWeekHours > 0 && float64(paid) > a.Contract.MaxWeekHours*60+1e-9 ||
		a.Contract.MaxShiftsPerWeek > 0 && count > a.Contract.MaxShiftsPerWeek {
		return fitMaximum
	}
	used := c.used[t.Name]
	if skip >= 0 && skipped.Template == t.Name {
		used--
	}
	if t.MaxAgents != nil && used+1 > *t.MaxAgents {
		return fitRules
	}
	rest := time.Duration(a.Contract.MinRestHours * float64(time.Hour))
	day := civilDay(l)
	worked := map[int]bool{day: true}
	for _, o := range x.others[ai] {
		if skip >= 0 && o.Start.Equal(skipped.Start) && o.End.Equal(skipped.End) {
			continue
		}
		if civilDay(o.Start.In(loc)) == day || o.Start.Before(s.end.Add(rest)) && s.start.Before(o.End.Add(rest)) {
			return fitRules
		}
		worked[civilDay(o.Start.In(loc))] = true
	}
	if limit := a.Contract.MaxConsecutiveDays; limit > 0 {
		run := 1
		for d := day - 1; worked[d]; d-- {
			run++
		}
		for d := day + 1; worked[d]; d++ {
			run++
		}
		if run > limit {
			return fitRules
		}
	}
	return fitOK
}

// spareShift says whether giving up shift k uncovers nothing: every
// interval it works is over its queue's requirement by at least what it
// covers there.
func (x *shortIndex) spareShift(k int) bool {
	if x.spare[k] != 0 {
		return x.spare[k] == 1
	}
	x.spare[k] = 2
	if x.c.spare(k) {
		x.spare[k] = 1
	}
	return x.spare[k] == 1
}

// spare is spareShift without the cache.
func (c *stretchContext) spare(k int) bool {
	Q := len(c.p.Queues)
	for q, v := range c.al.shiftQueue[k] {
		if v <= 0 {
			continue
		}
		for _, x := range c.al.cells[k] {
			if c.al.rem[int(x.i)*Q+q]+x.v > 1e-9 {
				return false
			}
		}
	}
	return true
}

// SumShortfalls adds the notes of every queue into one, named "(all)".
func SumShortfalls(notes []ShortfallNote) ShortfallNote {
	t := ShortfallNote{Queue: "(all)"}
	for _, x := range notes {
		t.UnderHours += x.UnderHours
		t.NoAgentHours += x.NoAgentHours
		t.AllWorkingHours += x.AllWorkingHours
		t.PricedHours += x.PricedHours
		t.SpareHours += x.SpareHours
		t.AtMaximumHours += x.AtMaximumHours
		t.RulesHours += x.RulesHours
	}
	return t
}
