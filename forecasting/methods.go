package forecasting

import (
	"math"
	"time"
)

// dayModel forecasts one local day's slots for weekday wd from the history
// days[:upto].
type dayModel func(g *grid, upto int, wd time.Weekday) []float64

// Method is a named forecasting method.
type Method struct {
	Name        string
	Description string
	model       dayModel
}

// Methods lists the candidate methods, in the order reports show them. "auto"
// chooses among them per series (see Forecast).
var Methods = []Method{
	{"snaive", "same slot on the same weekday last week", snaive},
	{"mean4", "mean of the same slot over the last 4 same weekdays", slotMean(4)},
	{"median5", "median of the same slot over the last 5 same weekdays", slotMedian(5)},
	{"ewm", "exponentially weighted mean of the same slot over the last 8 same weekdays", slotEWM(8, 0.35)},
	{"profile", "median of the last 5 same-weekday totals, corrected by the last 5 open days' level, spread by an 8-week pooled intraday profile", profile(5, 8, 5)},
	{"profile_flat", "median of the last 5 same-weekday totals spread by an 8-week pooled intraday profile, without a level correction", profile(5, 8, 0)},
	{"dshw", "Taylor's double-seasonal Holt-Winters (daily and weekly indices, AR(1) error adjustment), smoothing parameters fitted by Nelder-Mead on one-step errors", dshw},
}

// MethodByName returns the method, or false.
func MethodByName(name string) (Method, bool) {
	for _, m := range Methods {
		if m.Name == name {
			return m, true
		}
	}
	return Method{}, false
}

func snaive(g *grid, upto int, wd time.Weekday) []float64 {
	out := make([]float64, g.slots)
	if ds := g.sameWeekday(wd, upto, 1); len(ds) == 1 {
		copy(out, ds[0].contacts)
	}
	return out
}

func slotMean(k int) dayModel {
	return func(g *grid, upto int, wd time.Weekday) []float64 {
		out := make([]float64, g.slots)
		ds := g.sameWeekday(wd, upto, k)
		for _, d := range ds {
			for i, v := range d.contacts {
				out[i] += v / float64(len(ds))
			}
		}
		return out
	}
}

func slotMedian(k int) dayModel {
	return func(g *grid, upto int, wd time.Weekday) []float64 {
		out := make([]float64, g.slots)
		ds := g.sameWeekday(wd, upto, k)
		vals := make([]float64, len(ds))
		for i := range out {
			for j, d := range ds {
				vals[j] = d.contacts[i]
			}
			out[i] = median(vals)
		}
		return out
	}
}

func slotEWM(k int, alpha float64) dayModel {
	return func(g *grid, upto int, wd time.Weekday) []float64 {
		out := make([]float64, g.slots)
		ds := g.sameWeekday(wd, upto, k)
		w, sum := 1.0, 0.0
		for _, d := range ds {
			for i, v := range d.contacts {
				out[i] += w * v
			}
			sum += w
			w *= 1 - alpha
		}
		for i := range out {
			if sum > 0 {
				out[i] /= sum
			}
		}
		return out
	}
}

// profile forecasts the day's total as the median of the last nTotal
// same-weekday totals (robust to one odd week), corrected, when nLevel > 0, by
// how the last nLevel open days ran against their own weekday means, and
// spreads it with the pooled intraday shape of the last nProfile same
// weekdays: pooling many weeks removes most of the interval-level noise that
// a per-slot mean keeps.
func profile(nTotal, nProfile, nLevel int) dayModel {
	return func(g *grid, upto int, wd time.Weekday) []float64 {
		out := make([]float64, g.slots)
		ds := g.sameWeekday(wd, upto, max(nTotal, nProfile))
		if len(ds) == 0 {
			return out
		}
		var totals []float64
		for i := 0; i < len(ds) && i < nTotal; i++ {
			totals = append(totals, ds[i].total)
		}
		total := median(totals)
		if nLevel > 0 {
			total *= recentLevel(g, upto, 4, nLevel)
		}
		pooled := 0.0
		for _, d := range ds[:min(nProfile, len(ds))] {
			for i, v := range d.contacts {
				out[i] += v
			}
			pooled += d.total
		}
		for i := range out {
			if pooled > 0 {
				out[i] *= total / pooled
			}
		}
		return out
	}
}

// recentLevel compares the last n open days' totals with what the mean of
// their own previous nTotal same weekdays said, damped and bounded, to follow
// level shifts (growth, campaigns) a weekly mean lags behind.
func recentLevel(g *grid, upto, nTotal, n int) float64 {
	actual, expected := 0.0, 0.0
	seen := 0
	for i := upto - 1; i >= 0 && seen < n; i-- {
		d := &g.days[i]
		if d.missing || !d.present || d.total == 0 {
			continue
		}
		prev := g.sameWeekday(d.weekday, i, nTotal)
		if len(prev) == 0 {
			continue
		}
		e := 0.0
		for _, p := range prev {
			e += p.total / float64(len(prev))
		}
		actual += d.total
		expected += e
		seen++
	}
	if expected == 0 || seen < n {
		return 1
	}
	r := actual / expected
	r = 1 + 0.5*(r-1) // half the observed deviation: level shifts are real, one busy week is not
	return math.Max(0.8, math.Min(1.25, r))
}

// ahtModel forecasts handle time per slot: contact-weighted mean over the last
// k same weekdays, falling back to the series' overall mean.
func ahtModel(g *grid, upto int, wd time.Weekday, k int, overall float64) []float64 {
	work, n := make([]float64, g.slots), make([]float64, g.slots)
	for _, d := range g.sameWeekday(wd, upto, k) {
		for i := range work {
			work[i] += d.ahtWork[i]
			n[i] += d.ahtN[i]
		}
	}
	out := make([]float64, g.slots)
	for i := range out {
		out[i] = overall
		if n[i] > 0 {
			out[i] = work[i] / n[i]
		}
	}
	return out
}
