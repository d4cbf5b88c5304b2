package forecasting

import (
	"errors"
	"math"
	"sort"
	"time"
)

// Score is a method's accuracy over rolling origins.
type Score struct {
	Method string `json:"method"`
	// WAPE is sum |actual - forecast| / sum actual over observed (open)
	// intervals of the whole horizon; WAPEDay1 over the first day only.
	WAPE     float64 `json:"wape"`
	WAPEDay1 float64 `json:"wape_day1"`
	// MASE scales the mean absolute error by that of last week's same slot
	// inside the history before the first origin.
	MASE    float64 `json:"mase"`
	Origins int     `json:"origins"`
}

// ErrTooShort means the history cannot support the request.
var ErrTooShort = errors.New("the history is too short")

// minHistoryDays is the least history before an origin: two weeks, so every
// weekday has been seen twice.
const minHistoryDays = 14

// backtestRun accumulates errors of one method.
type backtestRun struct {
	absErr, actual, absErr1, actual1 float64
	n                                int       // intervals scored
	wantZ                            bool      // collect z: only the forecast's own method needs it
	z                                []float64 // (actual - forecast) / sqrt(forecast + 1), for prediction intervals
}

// origins returns the last n nightly origins (day indices whose end is the
// forecast origin) leaving horizon days of actuals after each.
func (g *grid) origins(n, horizon int) []int {
	var out []int
	for o := len(g.days) - 1 - horizon; o >= minHistoryDays && len(out) < n; o-- {
		if !g.days[o].missing {
			out = append(out, o)
		}
	}
	sort.Ints(out)
	return out
}

// run forecasts days o+1..o+horizon from days[:o+1] and scores them against
// the observed intervals of days that are not missing.
func (g *grid) run(m Method, o, horizon int, r *backtestRun) {
	for h := 1; h <= horizon && o+h < len(g.days); h++ {
		d := &g.days[o+h]
		if d.missing {
			continue
		}
		f := g.day(m, o+1, d.weekday)
		for i, obs := range d.observed {
			if !obs {
				continue
			}
			e := math.Abs(d.contacts[i] - f[i])
			r.absErr += e
			r.actual += d.contacts[i]
			if h == 1 {
				r.absErr1 += e
				r.actual1 += d.contacts[i]
			}
			r.n++
			if r.wantZ {
				r.z = append(r.z, (d.contacts[i]-f[i])/math.Sqrt(f[i]+1))
			}
		}
	}
}

// day is m's forecast for weekday wd from days[:upto], computed once per
// grid: auto scores the mean of its best candidates on the same origins it
// scored them on, and reuses their forecasts.
func (g *grid) day(m Method, upto int, wd time.Weekday) []float64 {
	k := dayKey{m.Name, upto, wd}
	if f, ok := g.forecasts[k]; ok {
		return f
	}
	if g.forecasts == nil {
		g.forecasts = map[dayKey][]float64{}
	}
	f := m.model(g, upto, wd)
	g.forecasts[k] = f
	return f
}

// naiveWindow is how much history before an origin scales its errors in
// MASE: four weeks, so a level that changed a month ago (new history
// imported over old, a queue that grew) is measured at the new level.
const naiveWindow = 28

// naiveScale is the in-sample mean absolute error of last week's same slot
// over the naiveWindow days before upto, the MASE denominator of the
// forecasts made from days[:upto].
func (g *grid) naiveScale(upto int) float64 {
	sum, n := 0.0, 0
	for i := max(7, upto-naiveWindow); i < upto; i++ {
		d, p := &g.days[i], &g.days[i-7]
		if d.missing || p.missing {
			continue
		}
		for k, obs := range d.observed {
			if obs {
				sum += math.Abs(d.contacts[k] - p.contacts[k])
				n++
			}
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return sum / float64(n)
}

// score backtests m on the origins; the run's z is filled when wantZ. MASE
// scales each origin's errors by the naive error of the history that origin
// forecasts from (naiveScale), so history at another level long before
// does not inflate it.
func (g *grid) score(m Method, origins []int, horizon int, wantZ bool) (Score, backtestRun) {
	r := backtestRun{wantZ: wantZ}
	scale := 0.0
	for _, o := range origins {
		before := r.n
		g.run(m, o, horizon, &r)
		if n := r.n - before; n > 0 {
			scale += float64(n) * g.naiveScale(o+1)
		}
	}
	s := Score{Method: m.Name, Origins: len(origins), WAPE: ratio(r.absErr, r.actual), WAPEDay1: ratio(r.absErr1, r.actual1)}
	if r.n > 0 {
		s.MASE = ratio(r.absErr, scale)
	}
	return s, r
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}

// Backtest scores methods on the series over the last n nightly origins with
// the given horizon in days. Returns ErrTooShort when no origin fits.
func Backtest(s Series, horizonDays, n int, methods []Method) ([]Score, error) {
	g := newGrid(s)
	origins := g.origins(n, horizonDays)
	if len(origins) == 0 {
		return nil, ErrTooShort
	}
	out := make([]Score, len(methods))
	for i, m := range methods {
		out[i], _ = g.score(m, origins, horizonDays, false)
	}
	return out, nil
}
