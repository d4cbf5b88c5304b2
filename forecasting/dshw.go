package forecasting

import (
	"math"
	"time"

	"gonum.org/v1/gonum/optimize"
)

// This file holds Taylor's double-seasonal Holt-Winters (J. W. Taylor, 2003,
// "Short-term electricity demand forecasting using double seasonal
// exponential smoothing", JORS 54:799-805): a level, an intraday index per
// clock slot (period: the slots of a local day) and an intraweek index per
// weekday and slot (period: seven local days), with Taylor's AR(1)
// adjustment of the one-step error. Seasonality is on the local clock like
// every other method: each local date is one day of slots, so a DST day is a
// day like any other (its skipped hour has no rows, its repeated hour is
// summed into its slot by the grid).
//
// Steps without an observation leave the state alone: the slots of a closed
// night, closed weekend days and missing days (gaps, holidays). The model
// therefore learns only from open intervals and is not dragged down by a gap,
// and a slot that was closed on the last same weekdays is forecast as closed.

const (
	// dshwWindowDays is the history the model sees before an origin: two
	// weeks to initialise the indices, ten to smooth. It keeps every
	// forecast a function of the last 12 weeks, which with auto's backtest
	// origins stays inside the 20 weeks the nightly run reads.
	dshwWindowDays = 84
	dshwInitDays   = 14
	// dshwRefitDays is how stale fitted parameters may get before they are
	// fitted again on the history up to the current origin. Auto's 30
	// backtest origins span 30 days, so a Forecast fits twice: at the first
	// origin, and 28 days later for the last origins and the forecast itself
	// (fitting once, 37 days before the forecast, backtested clearly worse).
	dshwRefitDays = 28
	// dshwMaxEvals bounds Nelder-Mead's function evaluations per fit. On the
	// bank data 40 reach within about 1% of the converged SSE (which takes
	// 80-140), and backtested a little better than 60 or 80 on the tuning
	// months: the one-step optimum is not the multi-day one.
	dshwMaxEvals = 40
)

// dshwParams are the smoothing parameters, each in (0, 1): level, intraday
// index, intraweek index and the AR(1) coefficient of the one-step error.
type dshwParams struct {
	alpha, delta, omega, phi float64
}

// dshwStart is where the optimiser starts, near what it found on the bank
// data's tuning months: a level that forgets in about a day of open
// intervals, a slow intraday index, an intraweek index that moves by a fifth
// of each surprise and an error that persists for a few intervals.
var dshwStart = dshwParams{alpha: 0.02, delta: 0.05, omega: 0.2, phi: 0.7}

// dshwState is the additive model after the last step of days[:upto]:
// y = level + daily[slot] + weekly[weekday, slot] + phi x last error. The
// multiplicative form (level x daily x weekly) backtested worse on the tuning
// months (docs/benchmarks/forecasting.md).
type dshwState struct {
	params dshwParams
	level  float64
	daily  []float64 // per clock slot
	weekly []float64 // per weekday x clock slot
	err    float64   // the last one-step error, times phi per step since
}

// dshwFit caches, per grid, the parameters fitted at each origin it had to
// fit at and the states at the origins asked for, so that auto's 30 backtest
// origins and the forecast after them cost two fits.
type dshwFit struct {
	fits    map[int]dshwParams    // by upto: fitted on days[:upto]
	states  map[int]*dshwState    // by upto
	inits   map[[2]int]*dshwState // by the initialisation days [from, to): they do not depend on the parameters
	scratch *dshwState
}

func (g *grid) dshwCache() *dshwFit {
	if g.dshw == nil {
		g.dshw = &dshwFit{fits: map[int]dshwParams{}, states: map[int]*dshwState{}, inits: map[[2]int]*dshwState{}}
	}
	return g.dshw
}

func logistic(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
func logit(p float64) float64    { return math.Log(p / (1 - p)) }

// vector and dshwParamsOf map the parameters to and from the logits the
// optimiser moves freely, which keeps every parameter inside (0, 1).
func (p dshwParams) vector() []float64 {
	return []float64{logit(p.alpha), logit(p.delta), logit(p.omega), logit(p.phi)}
}

func dshwParamsOf(x []float64) dshwParams {
	return dshwParams{alpha: logistic(x[0]), delta: logistic(x[1]), omega: logistic(x[2]), phi: logistic(x[3])}
}

// dshw is the day model: it forecasts the first day on or after days[upto]
// that has weekday wd, from the state after days[:upto]. Slots with no
// contacts on any of the last 4 same weekdays are closed (0), as in mean4.
func dshw(g *grid, upto int, wd time.Weekday) []float64 {
	out := make([]float64, g.slots)
	if upto <= 0 || len(g.days) == 0 {
		return out
	}
	st := g.dshwState(upto)
	first := (int(g.days[0].weekday) + upto) % 7 // weekday of days[upto]: the days are consecutive dates
	ahead := (int(wd) - first + 7) % 7
	open := make([]bool, g.slots)
	for _, d := range g.sameWeekday(wd, upto, 4) {
		for k, v := range d.contacts {
			open[k] = open[k] || v > 0
		}
	}
	w := st.weekly[int(wd)*g.slots:]
	adj := st.err * math.Pow(st.params.phi, float64(ahead*g.slots+1))
	for k := range out {
		if open[k] {
			out[k] = math.Max(0, st.level+st.daily[k]+w[k]+adj)
		}
		adj *= st.params.phi
	}
	return out
}

// dshwState returns the state after days[:upto]. Its parameters are the
// latest ones fitted on days[:u] with u <= upto, unless they are dshwRefitDays
// stale or there are none: then they are fitted on days[:upto]. A backtest
// origin therefore never sees its future, whatever order origins come in.
func (g *grid) dshwState(upto int) *dshwState {
	c := g.dshwCache()
	if st, ok := c.states[upto]; ok {
		return st
	}
	at := -1
	for u := range c.fits {
		if u <= upto && u > at {
			at = u
		}
	}
	if at < 0 || upto-at >= dshwRefitDays {
		at = upto
		c.fits[at], _, _ = g.dshwFitParams(upto)
	}
	st := g.dshwRun(c.fits[at], upto, nil)
	c.states[upto] = st
	return st
}

// dshwFitParams minimises the sum of squared one-step errors over
// days[:upto] (after the initialisation weeks) with Nelder-Mead on the
// parameters' logits. It returns the parameters and the SSE at the start
// values and at the parameters; the start values are kept when the
// optimiser fails or finds nothing better.
func (g *grid) dshwFitParams(upto int) (p dshwParams, sseStart, sseFit float64) {
	sse := func(p dshwParams) float64 {
		var s float64
		g.dshwRun(p, upto, &s)
		return s
	}
	sseStart = sse(dshwStart)
	problem := optimize.Problem{Func: func(x []float64) float64 { return sse(dshwParamsOf(x)) }}
	settings := &optimize.Settings{
		FuncEvaluations: dshwMaxEvals,
		Converger:       &optimize.FunctionConverge{Relative: 1e-4, Iterations: 15},
	}
	res, err := optimize.Minimize(problem, dshwStart.vector(), settings, &optimize.NelderMead{SimplexSize: 1})
	if err != nil || res == nil || math.IsNaN(res.F) || res.F >= sseStart {
		return dshwStart, sseStart, sseStart
	}
	return dshwParamsOf(res.X), sseStart, res.F
}

// dshwRun initialises the model on the first weeks of the window before
// upto and runs it through days[:upto]. With sse non-nil it adds the squared
// one-step errors after the initialisation weeks, and the state returned is
// overwritten by the next such run.
func (g *grid) dshwRun(p dshwParams, upto int, sse *float64) *dshwState {
	S := g.slots
	from := max(0, upto-dshwWindowDays)
	init := g.dshwInit(from, min(upto, from+dshwInitDays))
	st := &dshwState{}
	if sse != nil {
		// A fit's evaluations only want the SSE: they share one state.
		c := g.dshwCache()
		if c.scratch == nil {
			c.scratch = &dshwState{daily: make([]float64, S), weekly: make([]float64, 7*S)}
		}
		st = c.scratch
		copy(st.daily, init.daily)
		copy(st.weekly, init.weekly)
	} else {
		st.daily, st.weekly = append([]float64(nil), init.daily...), append([]float64(nil), init.weekly...)
	}
	st.params, st.level = p, init.level
	l, e, daily := st.level, 0.0, st.daily
	for i := from; i < upto; i++ {
		d := &g.days[i]
		scored := sse != nil && i >= from+dshwInitDays
		w := st.weekly[int(d.weekday)*S : int(d.weekday+1)*S]
		for k := 0; k < S; k++ {
			if d.missing || !d.observed[k] {
				e *= p.phi
				continue
			}
			y, dk, wk := d.contacts[k], daily[k], w[k]
			base := l + dk + wk
			if scored {
				f := base + p.phi*e
				*sse += (y - f) * (y - f)
			}
			e = y - base
			l = p.alpha*(y-dk-wk) + (1-p.alpha)*l
			daily[k] = p.delta*(y-l-wk) + (1-p.delta)*dk
			w[k] = p.omega*(y-l-dk) + (1-p.omega)*wk
		}
	}
	st.level, st.err = l, e
	return st
}

// dshwInit sets the level to the mean observed interval of days[from:to],
// the intraday index to each slot's mean deviation from it and the
// intraweek index to each weekday and slot's remaining deviation. Slots
// never observed keep a zero index.
func (g *grid) dshwInit(from, to int) *dshwState {
	c := g.dshwCache()
	if st, ok := c.inits[[2]int{from, to}]; ok {
		return st
	}
	S := g.slots
	st := &dshwState{daily: make([]float64, S), weekly: make([]float64, 7*S)}
	c.inits[[2]int{from, to}] = st
	var sum, n float64
	dSum, dN := make([]float64, S), make([]float64, S)
	wSum, wN := make([]float64, 7*S), make([]float64, 7*S)
	for i := from; i < to; i++ {
		d := &g.days[i]
		if d.missing {
			continue
		}
		for k, obs := range d.observed {
			if obs {
				j := int(d.weekday)*S + k
				sum += d.contacts[k]
				n++
				dSum[k] += d.contacts[k]
				dN[k]++
				wSum[j] += d.contacts[k]
				wN[j]++
			}
		}
	}
	if n > 0 {
		st.level = sum / n
	}
	for k := range st.daily {
		if dN[k] > 0 {
			st.daily[k] = dSum[k]/dN[k] - st.level
		}
	}
	for j := range st.weekly {
		if wN[j] > 0 {
			st.weekly[j] = wSum[j]/wN[j] - st.level - st.daily[j%S]
		}
	}
	return st
}
