// Package forecasting forecasts contact volume (and handle time) per queue from
// its history. It is pure: no database, no clock. Seasonality lives on the
// queue's local clock, so a 09:00 peak stays at 09:00 across DST changes, and
// a DST day has 23 or 25 hours of intervals.
package forecasting

import (
	"math"
	"sort"
	"time"
)

// Point is one observed interval: its start instant, contacts and, when
// known, the average handle time in seconds (NaN when unknown).
type Point struct {
	Start    time.Time
	Contacts float64
	AHT      float64
}

// Series is the history of one queue at one interval length.
type Series struct {
	Key      Key
	Location *time.Location
	Step     time.Duration
	Points   []Point // sorted by Start, no duplicates
}

// Key names a series: a channel served in a time zone, optionally one queue.
type Key struct {
	Channel  string
	Timezone string
	Queue    string
}

// date is a local calendar date.
type date struct {
	y int
	m time.Month
	d int
}

func dateOf(t time.Time) date { y, m, d := t.Date(); return date{y, m, d} }

func (d date) midnight(loc *time.Location) time.Time {
	return time.Date(d.y, d.m, d.d, 0, 0, 0, 0, loc)
}

func (d date) next(loc *time.Location) date {
	return dateOf(time.Date(d.y, d.m, d.d+1, 0, 0, 0, 0, loc))
}

func (d date) weekday(loc *time.Location) time.Weekday { return d.midnight(loc).Weekday() }

// day is one local date of history.
type day struct {
	date     date
	weekday  time.Weekday
	present  bool      // the history has at least one row on this date
	missing  bool      // absent although its weekday is normally open: a gap, not a closure
	contacts []float64 // per slot of the local clock
	observed []bool    // a row exists for the slot
	ahtWork  []float64 // contacts x AHT, for contact-weighted AHT
	ahtN     []float64 // contacts with a known AHT
	total    float64
}

// grid is a series laid out by local date and clock slot.
type grid struct {
	loc   *time.Location
	step  time.Duration
	slots int // slots per day on the local clock (1440 minutes / step)
	days  []day
	// Caches for one Forecast or Backtest: day forecasts by method, origin
	// and weekday, and the fitted double-seasonal Holt-Winters.
	forecasts map[dayKey][]float64
	dshw      *dshwFit
}

type dayKey struct {
	method string
	upto   int
	wd     time.Weekday
}

func (g *grid) slotOf(t time.Time) int {
	l := t.In(g.loc)
	return (l.Hour()*60 + l.Minute()) / int(g.step/time.Minute)
}

// newGrid lays the points out by local date. Days without any row count as
// missing (a data gap or a holiday, to be skipped) when their weekday is
// normally open, and as closed (zeros) otherwise.
func newGrid(s Series) *grid {
	g := &grid{loc: s.Location, step: s.Step, slots: int(24 * time.Hour / s.Step)}
	if len(s.Points) == 0 {
		return g
	}
	first, last := dateOf(s.Points[0].Start.In(g.loc)), dateOf(s.Points[len(s.Points)-1].Start.In(g.loc))
	index := map[date]int{}
	for d := first; ; d = d.next(g.loc) {
		index[d] = len(g.days)
		g.days = append(g.days, g.newDay(d))
		if d == last {
			break
		}
	}
	for _, p := range s.Points {
		l := p.Start.In(g.loc)
		dy := &g.days[index[dateOf(l)]]
		k := g.slotOf(p.Start)
		dy.present = true
		dy.observed[k] = true
		dy.contacts[k] += p.Contacts
		dy.total += p.Contacts
		if !math.IsNaN(p.AHT) && p.AHT > 0 && p.Contacts > 0 {
			dy.ahtWork[k] += p.AHT * p.Contacts
			dy.ahtN[k] += p.Contacts
		}
	}
	var seen, open [7]int
	for _, d := range g.days {
		seen[d.weekday]++
		if d.present && d.total > 0 {
			open[d.weekday]++
		}
	}
	for i := range g.days {
		d := &g.days[i]
		if !d.present && 2*open[d.weekday] > seen[d.weekday] {
			d.missing = true
		}
	}
	return g
}

func (g *grid) newDay(d date) day {
	return day{date: d, weekday: d.weekday(g.loc), contacts: make([]float64, g.slots), observed: make([]bool, g.slots),
		ahtWork: make([]float64, g.slots), ahtN: make([]float64, g.slots)}
}

// sameWeekday returns up to n usable days (not missing) with weekday wd, most
// recent first, among days[:upto].
func (g *grid) sameWeekday(wd time.Weekday, upto, n int) []*day {
	var out []*day
	for i := upto - 1; i >= 0 && len(out) < n; i-- {
		if g.days[i].weekday == wd && !g.days[i].missing {
			out = append(out, &g.days[i])
		}
	}
	return out
}

// intervalsOf lists the instants of a local date's intervals: walking by
// instants makes a DST day 23 or 25 hours long.
func intervalsOf(d date, loc *time.Location, step time.Duration) []time.Time {
	start, end := d.midnight(loc), d.next(loc).midnight(loc)
	var out []time.Time
	for t := start; t.Before(end); t = t.Add(step) {
		out = append(out, t)
	}
	return out
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
