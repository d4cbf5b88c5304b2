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

// dshwWindowDays is the history the model sees before an origin: two weeks
// to initialise the indices and ten to smooth. It keeps every forecast a
// function of the last 12 weeks, inside what the nightly run reads.
const (
	dshwWindowDays = 84
	dshwInitDays   = 14
	// dshwRefitDays is how stale fitted parameters may get before they are
	// fitted again on the history up to the current origin.
	dshwRefitDays = 28
	// dshwMaxEvals bounds Nelder-Mead's function evaluations per fit: the
	// one-step SSE surface is flat near its minimum, and more evaluations
	// bought nothing in the backtests.
	dshwMaxEvals = 120
)

// dshwParams are the smoothing parameters, each in (0, 1): level, intraday
// index, intraweek index and the AR(1) coefficient of the one-step error.
type dshwParams struct {
	alpha, delta, omega, phi float64
}

// dshwStart is where the optimiser starts: a slow level and indices that
// move by a fifth of each surprise, with a moderately persistent error.
var dshwStart = dshwParams{alpha: 0.02, delta: 0.1, omega: 0.2, phi: 0.5}

// dshwMultiplicative selects y = level x daily x weekly instead of
// y = level + daily + weekly.
const dshwMultiplicative = false

// dshwState is the model after the last step of days[:upto].
type dshwState struct {
	params dshwParams
	level  float64
	daily  []float64 // per clock slot
	weekly []float64 // per weekday x clock slot
	err    float64   // the one-step error, decayed by phi over unobserved steps since
}

// dshwFit caches, per grid, the fitted parameters and the states at the
// origins asked for, so that auto's 30 backtest origins cost one fit.
type dshwFit struct {
	fitted  bool
	params  dshwParams
	fitUpto int // the parameters were fitted on days[:fitUpto]
	states  map[int]*dshwState
}

func logistic(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
func logit(p float64) float64    { return math.Log(p / (1 - p)) }

func (p dshwParams) vector() []float64 {
	return []float64{logit(p.alpha), logit(p.delta), logit(p.omega), logit(p.phi)}
}

func paramsOf(x []float64) dshwParams {
	return dshwParams{alpha: logistic(x[0]), delta: logistic(x[1]), omega: logistic(x[2]), phi: logistic(x[3])}
}

// dshw is the day model: it forecasts the first day on or after days[upto]
// with weekday wd from the state after days[:upto].
func dshw(g *grid, upto int, wd time.Weekday) []float64 {
	out := make([]float64, g.slots)
	if upto <= 0 || len(g.days) == 0 {
		return out
	}
	st := g.dshwState(upto)
	first := (int(g.days[0].weekday) + upto) % 7 // weekday of days[upto]: dates are consecutive
	ahead := (int(wd) - first + 7) % 7
	open := make([]bool, g.slots)
	for _, d := range g.sameWeekday(wd, upto, 4) {
		for k, v := range d.contacts {
			open[k] = open[k] || v > 0
		}
	}
	adj := st.err * math.Pow(st.params.phi, float64(ahead*g.slots+1))
	for k := range out {
		if open[k] {
			out[k] = math.Max(0, st.forecast(wd, k, g.slots)+adj)
		}
		adj *= st.params.phi
	}
	return out
}

func (st *dshwState) forecast(wd time.Weekday, k, slots int) float64 {
	if dshwMultiplicative {
		return st.level * st.daily[k] * st.weekly[int(wd)*slots+k]
	}
	return st.level + st.daily[k] + st.weekly[int(wd)*slots+k]
}

// dshwState returns the state after days[:upto], fitting the parameters
// first when none were fitted on history up to upto, or when they are stale.
// Parameters are only ever fitted on days before upto: no look-ahead.
func (g *grid) dshwState(upto int) *dshwState {
	c := g.dshw
	if c == nil {
		c = &dshwFit{states: map[int]*dshwState{}}
		g.dshw = c
	}
	if !c.fitted || c.fitUpto > upto || upto-c.fitUpto >= dshwRefitDays {
		c.params, _, _ = g.dshwFitParams(upto)
		c.fitted, c.fitUpto = true, upto
	}
	if st, ok := c.states[upto]; ok && st.params == c.params {
		return st
	}
	st := g.dshwRun(c.params, upto, nil)
	c.states[upto] = st
	return st
}

// dshwFitParams minimises the one-step squared error over days[:upto] (after
// the initialisation weeks) with Nelder-Mead on logits, so every parameter
// stays in (0, 1). It returns the parameters and the SSE at the start and at
// the optimum; the start values are kept if the optimiser found nothing
// better.
func (g *grid) dshwFitParams(upto int) (p dshwParams, sseStart, sseFit float64) {
	sse := func(p dshwParams) float64 {
		var s float64
		g.dshwRun(p, upto, &s)
		return s
	}
	sseStart = sse(dshwStart)
	problem := optimize.Problem{Func: func(x []float64) float64 { return sse(paramsOf(x)) }}
	settings := &optimize.Settings{
		FuncEvaluations: dshwMaxEvals,
		Converger:       &optimize.FunctionConverge{Relative: 1e-4, Iterations: 15},
	}
	res, err := optimize.Minimize(problem, dshwStart.vector(), settings, &optimize.NelderMead{SimplexSize: 1})
	if err != nil || res == nil || math.IsNaN(res.F) || res.F >= sseStart {
		return dshwStart, sseStart, sseStart
	}
	return paramsOf(res.X), sseStart, res.F
}

// dshwRun initialises the model on the first weeks of the window before
// upto and runs it to the end of days[:upto]. With sse non-nil it adds the
// squared one-step errors after the initialisation weeks.
func (g *grid) dshwRun(p dshwParams, upto int, sse *float64) *dshwState {
	S := g.slots
	from := max(0, upto-dshwWindowDays)
	st := &dshwState{params: p, daily: make([]float64, S), weekly: make([]float64, 7*S)}
	g.dshwInit(st, from, min(upto, from+dshwInitDays))
	l, e := st.level, 0.0
	daily, weekly := st.daily, st.weekly
	for i := from; i < upto; i++ {
		d := &g.days[i]
		scored := sse != nil && i >= from+dshwInitDays
		w := weekly[int(d.weekday)*S : int(d.weekday+1)*S]
		for k := 0; k < S; k++ {
			if d.missing || !d.observed[k] {
				e *= p.phi
				continue
			}
			y := d.contacts[k]
			if dshwMultiplicative {
				dk, wk := daily[k], w[k]
				base := l * dk * wk
				if scored {
					f := base + p.phi*e
					*sse += (y - f) * (y - f)
				}
				e = y - base
				if dk*wk > 1e-3 {
					l = p.alpha*y/(dk*wk) + (1-p.alpha)*l
				}
				if l > 1e-9 {
					if wk > 1e-3 {
						daily[k] = p.delta*y/(l*wk) + (1-p.delta)*dk
					}
					if dk > 1e-3 {
						w[k] = p.omega*y/(l*dk) + (1-p.omega)*wk
					}
				}
				continue
			}
			dk, wk := daily[k], w[k]
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

// dshwInit sets the level to the mean open interval of days[from:to], the
// intraday index to each slot's mean deviation from it and the intraweek
// index to each weekday-slot's remaining deviation (ratios when
// multiplicative). Slots never observed keep a neutral index.
func (g *grid) dshwInit(st *dshwState, from, to int) {
	S := g.slots
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
				sum += d.contacts[k]
				n++
				dSum[k] += d.contacts[k]
				dN[k]++
				wSum[int(d.weekday)*S+k] += d.contacts[k]
				wN[int(d.weekday)*S+k]++
			}
		}
	}
	if n > 0 {
		st.level = sum / n
	}
	neutral := 0.0
	if dshwMultiplicative {
		neutral = 1
	}
	for k := range st.daily {
		st.daily[k] = neutral
		if dN[k] > 0 {
			if dshwMultiplicative {
				if st.level > 0 {
					st.daily[k] = dSum[k] / dN[k] / st.level
				}
			} else {
				st.daily[k] = dSum[k]/dN[k] - st.level
			}
		}
	}
	for j := range st.weekly {
		st.weekly[j] = neutral
		k := j % S
		if wN[j] > 0 {
			m := wSum[j] / wN[j]
			if dshwMultiplicative {
				if den := st.level * st.daily[k]; den > 0 {
					st.weekly[j] = m / den
				}
			} else {
				st.weekly[j] = m - st.level - st.daily[k]
			}
		}
	}
}
