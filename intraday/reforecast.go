package intraday

import "math"

// ReforecastOptions weigh the night's forecast against the day so far.
type ReforecastOptions struct {
	// Prior, in contacts, guards small queues against noise: with few
	// contacts so far the observed level gets little say.
	Prior float64
	// DayShare, a share of the night's forecast for the whole day, guards
	// against a morning that runs over and an afternoon that does not: the
	// level gets half the say once the forecast so far reaches this share
	// (plus Prior).
	DayShare float64
}

// DefaultReforecast are the weights chosen on the bank data's tuning months
// (docs/intraday.md, BenchmarkBankIntraday).
var DefaultReforecast = ReforecastOptions{Prior: 100, DayShare: 0.5}

// Reforecast re-forecasts the rest of a queue's day from what has arrived.
// night is the night's forecast for every interval of the day; actual holds
// the contacts of the first len(actual) intervals, which have happened.
//
// The rest of the day keeps the night's intraday profile, scaled by the day's
// observed level shrunk toward the night's forecast:
//
//	F      = sum(night[:len(actual)]), the forecast so far
//	level  = sum(actual) / F
//	weight = F / (F + Prior + DayShare × sum(night))
//	factor = 1 + weight × (level − 1)
//
// so a quiet or early morning moves the forecast little and a long day that
// has run 20% over moves the evening nearly 20%. The result holds the actuals
// for the intervals that happened and night × factor for the rest; factor is
// returned too. With no forecast volume so far the factor is 1; negative or
// non-finite options count as 0.
func Reforecast(night, actual []float64, opt ReforecastOptions) ([]float64, float64) {
	clean := func(v float64) float64 {
		if !(v >= 0) || math.IsInf(v, 0) {
			return 0
		}
		return v
	}
	k := min(len(actual), len(night))
	var sumF, sumA, day float64
	for i, v := range night {
		day += v
		if i < k {
			sumF += v
			sumA += actual[i]
		}
	}
	factor := 1.0
	if sumF > 0 && sumA >= 0 && !math.IsInf(sumA, 0) {
		weight := sumF / (sumF + clean(opt.Prior) + clean(opt.DayShare)*day)
		factor = 1 + weight*(sumA/sumF-1)
	}
	out := make([]float64, len(night))
	copy(out, actual[:k])
	for i := k; i < len(night); i++ {
		out[i] = night[i] * factor
	}
	return out, factor
}
