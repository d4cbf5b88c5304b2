package forecasting

import (
	"math"
	"sort"
	"time"
)

// Actual is an observed interval, for scoring a forecast after the fact.
type Actual struct {
	Start    time.Time
	Contacts float64
}

// IntervalScore compares one forecast interval with what happened.
type IntervalScore struct {
	Start    time.Time `json:"start"`
	Forecast float64   `json:"forecast"`
	Actual   float64   `json:"actual"`
	InBand   bool      `json:"in_band"` // the actual fell between the 10% and 90% bounds
}

// DayScore sums one local day.
type DayScore struct {
	Date     string  `json:"date"`
	Forecast float64 `json:"forecast"`
	Actual   float64 `json:"actual"`
	WAPE     float64 `json:"wape"` // NaN when nothing happened that day
	Bias     float64 `json:"bias"` // (forecast - actual) / actual
}

// Scorecard is a stored forecast measured against the actuals that arrived.
type Scorecard struct {
	Intervals []IntervalScore `json:"intervals"`
	Days      []DayScore      `json:"days"`
	WAPE      float64         `json:"wape"`
	Bias      float64         `json:"bias"`
	Coverage  float64         `json:"band_coverage"` // share of intervals whose actual fell in the band
}

// ScoreForecast compares forecast intervals with actuals, over the intervals
// that have an actual; days are the local dates on loc.
func ScoreForecast(loc *time.Location, forecast []Interval, actuals []Actual) Scorecard {
	act := make(map[int64]float64, len(actuals))
	for _, a := range actuals {
		act[a.Start.Unix()] = a.Contacts
	}
	var sc Scorecard
	days := map[string]*DayScore{}
	var absErr, sumF, sumA float64
	inBand := 0
	for _, iv := range forecast {
		a, ok := act[iv.Start.Unix()]
		if !ok {
			continue
		}
		in := a >= iv.Lower-1e-9 && a <= iv.Upper+1e-9
		sc.Intervals = append(sc.Intervals, IntervalScore{Start: iv.Start, Forecast: iv.Forecast, Actual: a, InBand: in})
		if in {
			inBand++
		}
		d := iv.Start.In(loc).Format(time.DateOnly)
		ds := days[d]
		if ds == nil {
			ds = &DayScore{Date: d}
			days[d] = ds
		}
		ds.Forecast += iv.Forecast
		ds.Actual += a
		ds.WAPE += math.Abs(iv.Forecast - a) // the day's absolute error until divided below
		absErr += math.Abs(iv.Forecast - a)
		sumF += iv.Forecast
		sumA += a
	}
	for _, ds := range days {
		ds.WAPE = ratio(ds.WAPE, ds.Actual)
		ds.Bias = ratio(ds.Forecast-ds.Actual, ds.Actual)
		sc.Days = append(sc.Days, *ds)
	}
	sort.Slice(sc.Days, func(i, j int) bool { return sc.Days[i].Date < sc.Days[j].Date })
	sc.WAPE, sc.Bias = ratio(absErr, sumA), ratio(sumF-sumA, sumA)
	sc.Coverage = ratio(float64(inBand), float64(len(sc.Intervals)))
	return sc
}
