package plancheck

import (
	"fmt"
	"sort"
	"time"
)

// own is one of an agent's shifts: a plan shift (plan >= 0, its index) or a
// published one (plan -1).
type own struct {
	s    Shift
	plan int
}

// agents checks what involves several shifts of one agent: overlaps, one
// shift a local date, rest, days in a row and the weekly limits, counting
// the agent's published shifts.
func (c *checker) agents() {
	by := map[string][]own{}
	for i, s := range c.in.Shifts {
		if c.agent[s.Agent] != nil {
			by[s.Agent] = append(by[s.Agent], own{s, i})
		}
	}
	for k := range c.in.Agents {
		a := &c.in.Agents[k]
		shifts := by[a.ID]
		if len(shifts) == 0 && a.MinWeekHours == 0 {
			continue
		}
		for _, p := range a.Published {
			shifts = append(shifts, own{p, -1})
		}
		sort.SliceStable(shifts, func(i, j int) bool { return shifts[i].s.Start.Before(shifts[j].s.Start) })
		c.pairs(*a, shifts)
		c.days(*a, shifts)
		c.weeks(*a, shifts)
	}
}

func (c *checker) name(o own) string {
	if o.plan >= 0 {
		return c.where(o.plan)
	}
	return fmt.Sprintf("published shift of %s from %s", o.s.Agent, o.s.Start.Format(stamp))
}

// pairs: no two shifts overlap; between the end of one and the start of the
// next (in start order) at least min_rest_hours.
func (c *checker) pairs(a Agent, shifts []own) {
	rest := time.Duration(a.MinRestHours * float64(time.Hour))
	for i, x := range shifts {
		for j := i + 1; j < len(shifts) && shifts[j].s.Start.Before(x.s.End); j++ {
			y := shifts[j]
			if x.plan >= 0 || y.plan >= 0 {
				c.add(RuleOverlap, a.ID, max(x.plan, y.plan), c.name(y), "overlaps %s", c.name(x))
			}
		}
		if i+1 < len(shifts) && rest > 0 {
			y := shifts[i+1]
			gap := y.s.Start.Sub(x.s.End)
			if gap >= 0 && gap < rest && (x.plan >= 0 || y.plan >= 0) {
				c.add(RuleMinRest, a.ID, max(x.plan, y.plan), c.name(y), "only %s rest after %s; the contract asks %g h", gap, c.name(x), a.MinRestHours)
			}
		}
	}
}

// localDate is the local date (midnight) of t on loc.
func localDate(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
}

// days: at most one shift starts on a local date; at most
// max_consecutive_days dates in a row with a shift start.
func (c *checker) days(a Agent, shifts []own) {
	loc := a.Location
	type day struct {
		n    int
		plan bool
		at   time.Time
	}
	ds := map[time.Time]*day{}
	var order []time.Time
	for _, o := range shifts {
		d := localDate(o.s.Start, loc)
		if ds[d] == nil {
			ds[d] = &day{at: d}
			order = append(order, d)
		}
		ds[d].n++
		if o.plan >= 0 {
			ds[d].plan = true
		}
		if ds[d].n == 2 && ds[d].plan {
			c.add(RuleOneADay, a.ID, o.plan, c.name(o), "a second shift starting on %s (agent's clock %s)", d.Format("Mon 2 Jan 2006"), loc)
		}
	}
	if a.MaxConsecutiveDays <= 0 {
		return
	}
	sort.Slice(order, func(i, j int) bool { return order[i].Before(order[j]) })
	for i := 0; i < len(order); {
		j, plan := i, ds[order[i]].plan
		for j+1 < len(order) && order[j+1].Equal(order[j].AddDate(0, 0, 1)) {
			j++
			plan = plan || ds[order[j]].plan
		}
		if n := j - i + 1; n > a.MaxConsecutiveDays && plan {
			c.add(RuleConsecutiveDays, a.ID, -1, fmt.Sprintf("%s, %s to %s (%s)", a.ID, order[i].Format("Mon 2 Jan"), order[j].Format("Mon 2 Jan 2006"), loc),
				"%d working dates in a row; the contract allows %d", n, a.MaxConsecutiveDays)
		}
		i = j + 1
	}
}

// monday is the local Monday 00:00 of the week holding t.
func monday(t time.Time, loc *time.Location) time.Time {
	d := localDate(t, loc)
	return time.Date(d.Year(), d.Month(), d.Day()-int((d.Weekday()+6)%7), 0, 0, 0, 0, loc)
}

// weeks: per agent week (Monday 00:00 to Monday 00:00 on the agent's
// clock; a shift counts in the week it starts), at most max_week_hours paid
// hours and max_shifts_week shifts, counting published shifts; and at least
// the week's minimum from this plan (see WeekMinimum).
func (c *checker) weeks(a Agent, shifts []own) {
	loc := a.Location
	type week struct {
		minutes, planMinutes, pubMinutes int
		n                                int
		plan                             bool
	}
	ws := map[time.Time]*week{}
	get := func(m time.Time) *week {
		if ws[m] == nil {
			ws[m] = &week{}
		}
		return ws[m]
	}
	if a.MinWeekHours > 0 {
		for m := monday(c.in.Start, loc); m.Before(c.in.End); m = m.AddDate(0, 0, 7) {
			get(m)
		}
	}
	for _, o := range shifts {
		w := get(monday(o.s.Start, loc))
		w.minutes += o.s.PaidMinutes
		w.n++
		if o.plan >= 0 {
			w.plan = true
			w.planMinutes += o.s.PaidMinutes
		} else {
			w.pubMinutes += o.s.PaidMinutes
		}
	}
	keys := make([]time.Time, 0, len(ws))
	for m := range ws {
		keys = append(keys, m)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].Before(keys[j]) })
	for _, m := range keys {
		w := ws[m]
		where := fmt.Sprintf("%s, week of %s (%s)", a.ID, m.Format("Mon 2 Jan 2006"), loc)
		if w.plan && a.MaxWeekHours > 0 && float64(w.minutes) > a.MaxWeekHours*60+1e-9 {
			c.add(RuleMaxWeekHours, a.ID, -1, where, "%.2f paid hours (%.2f of them published before); the contract allows %g", float64(w.minutes)/60, float64(w.pubMinutes)/60, a.MaxWeekHours)
		}
		if w.plan && a.MaxShiftsPerWeek > 0 && w.n > a.MaxShiftsPerWeek {
			c.add(RuleMaxShiftsWeek, a.ID, -1, where, "%d shifts; the contract allows %d", w.n, a.MaxShiftsPerWeek)
		}
		if a.MinWeekHours <= 0 || !m.Before(c.in.End) || !m.AddDate(0, 0, 7).After(c.in.Start) {
			continue
		}
		need, d, credit := WeekMinimum(a, m, c.in.Start, c.in.End, float64(w.pubMinutes)/60)
		if got := float64(w.planMinutes) / 60; got < need-1e-6 {
			c.add(RuleMinWeekHours, a.ID, -1, where, "the plan gives %.2f paid hours; the week needs %.2f from it (%g h a week, %d of its dates wholly in the period, %.2f h credited for time off, %.2f h already published)",
				got, need, a.MinWeekHours, d, credit, float64(w.pubMinutes)/60)
		}
	}
}

// WeekMinimum is the paid hours the plan must give agent a in his local
// week starting at monday, for the period [start, end) and the hours
// already published in that week:
//
//	min(min_week_hours x d / 7 - credit in the period, min_week_hours - credit - published)
//
// where d counts the week's local dates wholly inside the period, and credit
// is what approved time off counts toward the week: on each of its seven
// local dates, the hours time off covers there, at most one contract day
// (min_week_hours over max_shifts_per_week, five when unset, seven at most);
// "in the period" sums it over the d dates only. It returns the hours (never
// below zero), d and the week's credit.
func WeekMinimum(a Agent, monday, start, end time.Time, published float64) (need float64, d int, credit float64) {
	shifts := 5
	if a.MaxShiftsPerWeek > 0 {
		shifts = min(a.MaxShiftsPerWeek, 7)
	}
	day := a.MinWeekHours / float64(shifts)
	inPeriod := 0.0
	for k := 0; k < 7; k++ {
		from := time.Date(monday.Year(), monday.Month(), monday.Day()+k, 0, 0, 0, 0, a.Location)
		to := time.Date(monday.Year(), monday.Month(), monday.Day()+k+1, 0, 0, 0, 0, a.Location)
		c := min(day, offHours(a.TimeOff, from, to))
		credit += c
		if !from.Before(start) && !to.After(end) {
			d++
			inPeriod += c
		}
	}
	share := a.MinWeekHours*float64(d)/7 - inPeriod
	whole := a.MinWeekHours - credit - published
	return max(0, min(share, whole)), d, credit
}

// offHours is how much of [from, to) some span of off covers, a moment
// covered twice counted once.
func offHours(off []Span, from, to time.Time) float64 {
	var cuts []Span
	for _, t := range off {
		if t.Start.Before(to) && from.Before(t.End) {
			c := t
			if c.Start.Before(from) {
				c.Start = from
			}
			if c.End.After(to) {
				c.End = to
			}
			cuts = append(cuts, c)
		}
	}
	sort.Slice(cuts, func(i, j int) bool { return cuts[i].Start.Before(cuts[j].Start) })
	total := time.Duration(0)
	var upTo time.Time
	for _, c := range cuts {
		if c.End.After(upTo) {
			if c.Start.Before(upTo) {
				c.Start = upTo
			}
			total += c.End.Sub(c.Start)
			upTo = c.End
		}
	}
	return total.Hours()
}
