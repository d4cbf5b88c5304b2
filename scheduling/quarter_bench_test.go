package scheduling

import (
	"math"
	"testing"
	"time"
)

// doublePeakQuarter is doublePeak on 15-minute intervals: a week of 672
// intervals, the same curve sampled every quarter hour.
func doublePeakQuarter(loc *time.Location, start time.Time) Plan {
	p := Plan{Location: loc, Start: start, Step: 15 * time.Minute}
	for at := start; at.Before(start.AddDate(0, 0, 7)); at = at.Add(15 * time.Minute) {
		l := at.In(loc)
		h := float64(l.Hour()) + float64(l.Minute())/60
		v := 3 + 14*math.Exp(-math.Pow(h-10, 2)/4) + 11*math.Exp(-math.Pow(h-15, 2)/5)
		if l.Weekday() == time.Saturday || l.Weekday() == time.Sunday {
			v *= 0.6
		}
		p.Required = append(p.Required, math.Ceil(v))
	}
	return p
}

// quarterTemplates are the double-peak week's templates on a 15-minute grid:
// starts every 15 minutes, the same spans and breaks.
func quarterTemplates(tb testing.TB) Templates {
	ts := loadTemplates(tb)
	ts.IntervalMin = 15
	for k := range ts.Templates {
		ts.Templates[k].Start.StepMin = 15
		if ts.Templates[k].Start.To == "23:30" {
			ts.Templates[k].Start.To = "23:45"
		}
	}
	if err := ts.Validate(); err != nil {
		tb.Fatal(err)
	}
	return ts
}

// BenchmarkGenerate24x7Quarter measures the 672-interval (15-minute) double-
// peak week, cyclic, with the FT8 and PT4 templates starting every quarter
// hour. PEAKWISE_QUARTER_LIMIT gives each call a deadline (the issue's
// target: 10 s).
func BenchmarkGenerate24x7Quarter(b *testing.B) {
	ny, _ := time.LoadLocation("America/New_York")
	p := doublePeakQuarter(ny, time.Date(2026, 1, 5, 0, 0, 0, 0, ny))
	p.Cyclic = true
	p.StressBudget = 0.02
	ts := quarterTemplates(b)
	limit := envLimit(b, "PEAKWISE_QUARTER_LIMIT")
	var c StressComparison
	worst := 0.0
	for i := 0; i < b.N; i++ {
		ctx, cancel := withLimit(limit)
		began := time.Now()
		plans, err := GeneratePlans(ctx, p, ts)
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		c = CompareStress(p, plans)
		worst = max(worst, c.Cheapest.PaidAgentHours)
		b.Logf("call %d of %d: cheapest %.2f h (under %.2f), LP bound %.2f h, stress-aware %.2f h, in %.1f s", i+1, b.N,
			c.Cheapest.PaidAgentHours, c.Cheapest.UnderAgentHours, c.LowerBoundPaidHours, c.StressAware.PaidAgentHours, time.Since(began).Seconds())
	}
	b.ReportMetric(worst, "worst-paid-h")
	b.ReportMetric(c.Cheapest.PaidAgentHours, "paid-h")
	b.ReportMetric(c.LowerBoundPaidHours, "lp-bound-h")
	b.ReportMetric(c.Cheapest.UnderAgentHours, "under-h")
	b.ReportMetric(c.StressAware.PaidAgentHours, "aware-paid-h")
	b.ReportMetric(c.StressAware.Stress.LongestPeakStretchMin, "aware-peak-stretch-min")
}
