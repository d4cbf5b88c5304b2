package forecasting

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// synthetic builds weeks of history at step with a weekly and daily shape,
// open 07:00-21:00 on weekdays, Poisson-like noise from a fixed seed.
func synthetic(loc *time.Location, start time.Time, weeks int, step time.Duration, seed uint64) Series {
	rng := rand.New(rand.NewPCG(seed, 1))
	s := Series{Key: Key{Channel: "voice", Timezone: loc.String()}, Location: loc, Step: step}
	end := start.AddDate(0, 0, 7*weeks)
	for t := start; t.Before(end); t = t.Add(step) {
		l := t.In(loc)
		if l.Weekday() == time.Saturday || l.Weekday() == time.Sunday || l.Hour() < 7 || l.Hour() >= 21 {
			continue
		}
		h := float64(l.Hour()) + float64(l.Minute())/60
		mean := 100 * step.Hours() * 2 * (1 + 0.6*math.Sin((h-7)/14*math.Pi)) * (1.2 - 0.05*float64(l.Weekday()))
		s.Points = append(s.Points, Point{Start: t, Contacts: math.Max(0, math.Round(mean+math.Sqrt(mean)*rng.NormFloat64())), AHT: 280 + 40*rng.Float64()})
	}
	return s
}

// BenchmarkAutoSixteenWeeks is the speed target: one series with 16 weeks of
// 30-minute history, fitted (auto backtests every method) and forecast 7 days.
func BenchmarkAutoSixteenWeeks(b *testing.B) {
	ny, _ := time.LoadLocation("America/New_York")
	s := synthetic(ny, time.Date(2026, 1, 5, 0, 0, 0, 0, ny), 16, 30*time.Minute, 7)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Forecast(s, Options{Horizon: 7 * 24 * time.Hour}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAutoTwoYearsFifteenMinutes is one queue of the nightly run target
// (1,000 queues x 2 years of 15-minute history).
func BenchmarkAutoTwoYearsFifteenMinutes(b *testing.B) {
	ny, _ := time.LoadLocation("America/New_York")
	s := synthetic(ny, time.Date(2024, 1, 1, 0, 0, 0, 0, ny), 104, 15*time.Minute, 7)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Forecast(s, Options{Horizon: 14 * 24 * time.Hour}); err != nil {
			b.Fatal(err)
		}
	}
}
