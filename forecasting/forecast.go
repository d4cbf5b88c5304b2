package forecasting

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// SpecialDay changes the forecast of one local date: closed, or scaled. A
// special day that falls inside the history is skipped there like a gap, so a
// past holiday neither drags down the days forecast from it nor counts as an
// error in the backtests that choose the method.
type SpecialDay struct {
	Date   string // YYYY-MM-DD on the series' local clock
	Closed bool
	Factor float64
}

// defaultSelectionOrigins is how many nightly origins auto scores on: 30
// chose more reliably than 5-20 in the April-June tuning months of the bank
// data (docs/forecasting.md).
const defaultSelectionOrigins = 30

// autoCombine is how many of the best-scoring candidates auto averages. On
// the bank data's tuning months the mean of the best 3 beat the single best
// (which was noisier the more candidates there were) and the mean of 2, 4 or
// more (docs/benchmarks/forecasting.md).
const autoCombine = 3

// Options controls Forecast.
type Options struct {
	Horizon     time.Duration
	Method      string // a name from Methods, or "auto" (default)
	SpecialDays []SpecialDay
	// SelectionOrigins is how many nightly origins auto scores candidates on
	// (default 30), each over a 7-day horizon.
	SelectionOrigins int
}

// Interval is one forecast interval.
type Interval struct {
	Start    time.Time
	Forecast float64
	Lower    float64 // 10% quantile
	Upper    float64 // 90% quantile
	AHT      float64 // seconds; NaN when the history has no handle times
}

// Result is a forecast with how it was chosen.
type Result struct {
	Method    string
	Intervals []Interval
	// Scores are the candidates' backtest scores on this series (auto), or
	// the chosen method's alone; empty when the history was too short to score.
	Scores []Score
	// WAPE and MASE of Method in its backtest, for auto those of the mean of
	// the best three on the same origins (NaN when not scored).
	WAPE, MASE float64
}

// Forecast forecasts the intervals from the first one after the history's
// last point through opt.Horizon. With method auto it backtests every
// candidate on the series' own recent history and averages the forecasts of
// the best three (Result.Method names them, best first, joined by "+").
// Returns an error for an empty series, an unknown method or a bad special
// day.
func Forecast(s Series, opt Options) (Result, error) {
	if len(s.Points) == 0 {
		return Result{}, fmt.Errorf("%w: no history", ErrTooShort)
	}
	if opt.Horizon <= 0 {
		return Result{}, fmt.Errorf("the horizon must be positive")
	}
	special, err := specialDays(opt.SpecialDays)
	if err != nil {
		return Result{}, err
	}
	g := newGrid(s)
	g.skipSpecial(special)
	name := opt.Method
	if name == "" {
		name = "auto"
	}
	n := opt.SelectionOrigins
	if n == 0 {
		n = defaultSelectionOrigins
	}
	const selectionHorizon = 7
	origins := g.origins(n, selectionHorizon)
	res := Result{WAPE: math.NaN(), MASE: math.NaN()}
	var chosen Method
	var z []float64
	if name == "auto" {
		chosen, _ = MethodByName("mean4")
		for _, m := range Methods {
			if len(origins) == 0 {
				break
			}
			sc, _ := g.score(m, origins, selectionHorizon, false)
			res.Scores = append(res.Scores, sc)
		}
		if best := bestMethods(res.Scores, autoCombine); len(best) > 0 {
			chosen = combination(best)
			sc, run := g.score(chosen, origins, selectionHorizon, true)
			z = run.z
			res.WAPE, res.MASE = sc.WAPE, sc.MASE
		}
	} else {
		m, ok := MethodByName(name)
		if !ok {
			return Result{}, fmt.Errorf("unknown method %q", name)
		}
		chosen = m
		if len(origins) > 0 {
			sc, run := g.score(m, origins, selectionHorizon, true)
			res.Scores, z = []Score{sc}, run.z
			res.WAPE, res.MASE = sc.WAPE, sc.MASE
		}
	}
	res.Method = chosen.Name
	q := quantiles(z, 0.10, 0.90)
	lo, hi := q[0], q[1]
	if len(z) < 50 {
		lo, hi = -1.2816, 1.2816 // Poisson-like spread until there are enough errors to measure
	}

	overallAHT := math.NaN()
	work, cnt := 0.0, 0.0
	for _, d := range g.days {
		for i := range d.ahtWork {
			work += d.ahtWork[i]
			cnt += d.ahtN[i]
		}
	}
	if cnt > 0 {
		overallAHT = work / cnt
	}

	last := s.Points[len(s.Points)-1].Start
	start, end := last.Add(s.Step), last.Add(s.Step).Add(opt.Horizon)
	upto := len(g.days)
	volume := map[time.Weekday][]float64{}
	aht := map[time.Weekday][]float64{}
	for t := start; t.Before(end); t = t.Add(s.Step) {
		l := t.In(s.Location)
		wd := l.Weekday()
		f, ok := volume[wd]
		if !ok {
			f = chosen.model(g, upto, wd)
			volume[wd] = f
			if !math.IsNaN(overallAHT) {
				aht[wd] = ahtModel(g, upto, wd, 4, overallAHT)
			}
		}
		k := g.slotOf(t)
		v := f[k]
		if sd, ok := special[l.Format(time.DateOnly)]; ok {
			if sd.Closed {
				v = 0
			} else {
				v *= sd.Factor
			}
		}
		iv := Interval{Start: t, Forecast: v, AHT: math.NaN()}
		if v > 0 {
			sd := math.Sqrt(v + 1)
			iv.Lower, iv.Upper = math.Max(0, v+lo*sd), math.Max(v, v+hi*sd)
		}
		if a, ok := aht[wd]; ok {
			iv.AHT = a[k]
		}
		res.Intervals = append(res.Intervals, iv)
	}
	return res, nil
}

// bestMethods returns up to n methods with the lowest backtest WAPE, best
// first, skipping scores that are not finite.
func bestMethods(scores []Score, n int) []Method {
	ranked := make([]Score, 0, len(scores))
	for _, sc := range scores {
		if !math.IsNaN(sc.WAPE) && !math.IsInf(sc.WAPE, 0) {
			ranked = append(ranked, sc)
		}
	}
	sort.SliceStable(ranked, func(i, j int) bool { return ranked[i].WAPE < ranked[j].WAPE })
	var out []Method
	for _, sc := range ranked[:min(n, len(ranked))] {
		m, _ := MethodByName(sc.Method)
		out = append(out, m)
	}
	return out
}

// combination is the method whose forecast is the mean of the given methods'
// forecasts; a single method is itself.
func combination(ms []Method) Method {
	if len(ms) == 1 {
		return ms[0]
	}
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.Name
	}
	return Method{Name: strings.Join(names, "+"), Description: "mean of " + strings.Join(names, ", "),
		model: func(g *grid, upto int, wd time.Weekday) []float64 {
			out := make([]float64, g.slots)
			for _, m := range ms {
				for k, v := range g.day(m, upto, wd) {
					out[k] += v / float64(len(ms))
				}
			}
			return out
		}}
}

// skipSpecial marks the history's special days as missing.
func (g *grid) skipSpecial(special map[string]SpecialDay) {
	for i := range g.days {
		d := g.days[i].date
		if _, ok := special[fmt.Sprintf("%04d-%02d-%02d", d.y, d.m, d.d)]; ok {
			g.days[i].missing = true
		}
	}
}

func specialDays(days []SpecialDay) (map[string]SpecialDay, error) {
	out := map[string]SpecialDay{}
	for _, d := range days {
		if _, err := time.Parse(time.DateOnly, d.Date); err != nil {
			return nil, fmt.Errorf("special day %q: not a date", d.Date)
		}
		if !d.Closed && (d.Factor <= 0 || math.IsNaN(d.Factor)) {
			return nil, fmt.Errorf("special day %s: factor must be positive", d.Date)
		}
		out[d.Date] = d
	}
	return out, nil
}

// quantiles returns the qs quantiles of xs (NaN when xs is empty), sorting
// a copy once.
func quantiles(xs []float64, qs ...float64) []float64 {
	out := make([]float64, len(qs))
	if len(xs) == 0 {
		for i := range out {
			out[i] = math.NaN()
		}
		return out
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	for j, q := range qs {
		pos := q * float64(len(s)-1)
		i := int(pos)
		if i+1 >= len(s) {
			out[j] = s[len(s)-1]
			continue
		}
		out[j] = s[i] + (pos-float64(i))*(s[i+1]-s[i])
	}
	return out
}

// ParseHorizon reads a horizon such as 7d, 2w or 36h (at most 26 weeks).
func ParseHorizon(v string) (time.Duration, error) {
	bad := fmt.Errorf("%q is not a horizon: use days (14d), weeks (2w) or hours (36h), up to 26 weeks", v)
	if len(v) < 2 {
		return 0, bad
	}
	n, err := strconv.Atoi(v[:len(v)-1])
	if err != nil || n <= 0 {
		return 0, bad
	}
	unit := map[byte]time.Duration{'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[v[len(v)-1]]
	if unit == 0 || time.Duration(n)*unit > 26*7*24*time.Hour {
		return 0, bad
	}
	return time.Duration(n) * unit, nil
}
