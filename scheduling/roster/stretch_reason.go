package roster

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/peakwise/peakwise/scheduling/calendar"
)

// StretchNote is one shift over the peak-stretch limit and why it is.
type StretchNote struct {
	Agent string    `json:"agent"`
	Start time.Time `json:"start"`
	// Queue is the queue the shift works, whose peaks (on its own clock)
	// the stretch is read on; Template is the shift's template.
	Queue    string `json:"queue"`
	Template string `json:"template"`
	// Minutes is its longest stretch of peak work without a break.
	Minutes float64 `json:"minutes"`
	// Reason says why the shift is over the limit, in words: no start,
	// template or break placement the agent may work on that local date
	// keeps it (with how many starts were tried), or the least requirement
	// that keeping it would leave uncovered on the queue (KeepUnderHours),
	// and the placement that would.
	Reason string `json:"reason"`
	// KeepUnderHours is the least under-coverage, in agent-hours, that any
	// placement of the shift within the limit would add on its queue with
	// the rest of the roster as it is; -1 when no placement keeps the limit.
	KeepUnderHours float64 `json:"keep_under_agent_hours"`
}

// stretchContext is what the reasons need of a measured roster.
type stretchContext struct {
	p        *Problem
	al       *allotment
	shifts   []calendar.Shift
	agentOf  []int
	byAgent  [][]int
	used     map[string]int // shifts per template in the roster
	limitMin float64
}

// stretchReason explains why shift k, worked on queue q (whose peaks are
// peaks), is over the limit: it tries every template the agent's contract
// allows at every start on the shift's local date (on his clock, inside the
// period and not before NotBefore: eachShift) that his
// availability, time off, rest around his other and published shifts, his
// weekly maximum, the template caps and his weekly minimum allow, with every
// placement of its breaks, and reports the least under-coverage on q that a
// placement within the limit would add, or that none keeps the limit.
func (c *stretchContext) stretchReason(k, q int, peaks []bool) (string, float64) {
	p := c.p
	sh := c.shifts[k]
	ai := c.agentOf[k]
	a := p.Agents[ai]
	loc := a.Location
	l := sh.Start.In(loc)
	date := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	monday := date.AddDate(0, 0, -int((date.Weekday()+6)%7))
	next := monday.AddDate(0, 0, 7)
	inWeek := func(t time.Time) bool { return !t.Before(monday) && t.Before(next) }
	rest := time.Duration(a.Contract.MinRestHours * float64(time.Hour))
	var others []Interval
	weekPaid, bookedPaid := 0, 0
	for _, o := range c.byAgent[ai] {
		if inWeek(c.shifts[o].Start) {
			weekPaid += c.shifts[o].PaidMinutes
		}
		if o != k {
			others = append(others, Interval{c.shifts[o].Start, c.shifts[o].End})
		}
	}
	for _, b := range a.Booked {
		others = append(others, Interval{b.Start, b.End})
		if inWeek(b.Start) {
			bookedPaid += b.PaidMinutes
		}
	}
	need := PlanWeekMinimum(a, monday, p.Start, p.End()) * 60
	// Worked cover the shift gives q now (none if the agent does not serve q).
	var old []cell
	if c.al.shiftQueue[k][q] > 0 {
		old = c.al.cells[k]
	}
	Q := len(p.Queues)
	stepH := p.Step.Hours()
	starts, fits := 0, 0
	best, bestWhat := math.Inf(1), ""
	// The templates the shift may take instead, by the week's hours and the
	// caps, with their break placements (nil: not allowed).
	combos := make([][][]int, len(p.Templates.Templates))
	for ti, t := range p.Templates.Templates {
		if t.MaxAgents != nil && t.Name != sh.Template && c.used[t.Name]+1 > *t.MaxAgents {
			continue
		}
		paid := weekPaid - sh.PaidMinutes + t.PaidMin
		if a.Contract.MaxWeekHours > 0 && float64(paid+bookedPaid) > a.Contract.MaxWeekHours*60+1e-9 {
			continue
		}
		if float64(paid) < need-1e-9 && paid < weekPaid {
			continue // it would take the week below its minimum
		}
		if combos[ti] = breakCombos(t, maxBreakCombos); combos[ti] == nil {
			combos[ti] = [][]int{defaultBreaks(t)}
		}
	}
	whole := func(lo, hi, _ int) (int, int) { return lo, hi }
	c.eachShift(ai, date, whole, func(ti int, st, en time.Time) {
		t := p.Templates.Templates[ti]
		if combos[ti] == nil {
			return
		}
		for _, o := range others {
			if o.Start.Before(en.Add(rest)) && st.Before(o.End.Add(rest)) {
				return
			}
		}
		starts++
		for _, offs := range combos[ti] {
			bs := make([]Interval, len(offs))
			for bi, off := range offs {
				b0 := st.Add(time.Duration(off) * time.Minute)
				bs[bi] = Interval{b0, b0.Add(time.Duration(t.Breaks[bi].LengthMin) * time.Minute)}
			}
			cells := coverCells(p.Start, p.Step, st, en, bs, nil)
			if _, longest := peakStats(cells, peaks, p.Step); longest > c.limitMin+1e-9 {
				continue
			}
			fits++
			added := underDelta(c.al.rem, Q, q, old, cells) * stepH
			if added < best-1e-9 {
				best = added
				var when []string
				for _, b := range bs {
					when = append(when, b.Start.In(loc).Format("15:04"))
				}
				bestWhat = fmt.Sprintf("%s at %s", t.Name, st.In(loc).Format("15:04"))
				if len(when) > 0 {
					bestWhat += " with breaks at " + strings.Join(when, ", ")
				}
			}
		}
	})
	queue := p.Queues[q]
	switch {
	case fits == 0 && starts <= 1:
		return fmt.Sprintf("no placement of its breaks splits %s's peak, and his availability, contract and other shifts allow no other start or template on %s",
			queue, date.Format("Mon 2 Jan")), -1
	case fits == 0:
		return fmt.Sprintf("no break window of his templates reaches inside %s's peak for any of the %d starts his availability, contract and other shifts allow on %s",
			queue, starts, date.Format("Mon 2 Jan")), -1
	case best > 1e-9:
		return fmt.Sprintf("keeping the limit would leave %.2f more agent-hours of %s uncovered (the least of any placement he may work on %s: %s)",
			best, queue, date.Format("Mon 2 Jan"), bestWhat), best
	}
	return fmt.Sprintf("%s keeps the limit without leaving requirement uncovered; the solver did not find it", bestWhat), 0
}

// eachShift calls f with every shift agent ai may work that starts on
// local date: each template his contract allows on its weekday, at every
// start of its window (cut to what window returns for the window's first
// and last start and the template's span, on the window's grid) that falls
// on date, inside the period and not before NotBefore, inside his
// availability and clear of his time off.
func (c *stretchContext) eachShift(ai int, date time.Time, window func(lo, hi, span int) (int, int), f func(tmpl int, start, end time.Time)) {
	p := c.p
	a := p.Agents[ai]
	loc := a.Location
	for ti, t := range p.Templates.Templates {
		if !t.AllowsContract(a.Contract.Name) || !hasDay(t.Days, date.Weekday()) {
			continue
		}
		first, _ := clockMinutes(string(t.Start.From))
		last, _ := clockMinutes(string(t.Start.To))
		step := max(t.Start.StepMin, 1)
		lo, hi := window(first, last, t.SpanMin)
		if lo > first {
			first += (lo - first + step - 1) / step * step
		}
		for m := first; m <= hi; m += step {
			st := time.Date(date.Year(), date.Month(), date.Day(), m/60, m%60, 0, 0, loc)
			en := st.Add(time.Duration(t.SpanMin) * time.Minute)
			if st.Hour() != m/60 || st.Minute() != m%60 || civilDay(st) != civilDay(date) ||
				st.Before(p.Start) || st.Before(p.NotBefore) || en.After(p.End()) || !a.AvailableFor(st, en) || a.OffDuring(st, en) {
				continue
			}
			f(ti, st, en)
		}
	}
}

// underDelta is how much the under-coverage of queue q (in agent-intervals)
// grows if a shift's cells old there became next, given each queue's
// shortfall rem ([i*Q+q]); both lists are sorted by interval.
func underDelta(rem []float64, Q, q int, old, next []cell) float64 {
	du := 0.0
	cellChanges(old, next, func(i int32, d float64) {
		r := rem[int(i)*Q+q]
		du += math.Max(0, r-d) - math.Max(0, r)
	})
	return du
}
