package intraday

import (
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/peakwise/peakwise/forecasting"
)

// bankSeries reads the bank call center's history from ../shared/data (or
// PEAKWISE_SHARED_DATA), skipping when this clone does not have it.
func bankSeries(b *testing.B) forecasting.Series {
	dir := os.Getenv("PEAKWISE_SHARED_DATA")
	if dir == "" {
		dir = "../../shared/data"
	}
	f, err := os.Open(filepath.Join(dir, "us_bank_2003_30min.csv"))
	if err != nil {
		b.Skip("real data not found: set PEAKWISE_SHARED_DATA to the folder with us_bank_2003_30min.csv")
	}
	defer f.Close()
	recs, err := forecasting.ReadHistoryCSV(f)
	if err != nil {
		b.Fatal(err)
	}
	ss, err := forecasting.BuildSeries(recs, 0)
	if err != nil {
		b.Fatal(err)
	}
	return ss[0]
}

// BenchmarkBankIntraday is the intraday backtest of docs/intraday.md: on every
// open weekday, the night's forecast (method auto, from the history up to
// that night) is either kept for the rest of the day or re-forecast with
// Reforecast from the actuals up to 10:00, 12:00, 14:00 and 16:00; WAPE is
// taken over the remaining intervals of the day. Priors are compared on the
// tuning months (14 April - 30 June 2003, PEAKWISE_TUNING_ORIGINS=1) and the
// default is reported on 1 July - 17 October. Run with -benchtime 1x.
func BenchmarkBankIntraday(b *testing.B) {
	s := bankSeries(b)
	ny := s.Location
	from, to := time.Date(2003, 7, 1, 0, 0, 0, 0, ny), time.Date(2003, 10, 18, 0, 0, 0, 0, ny)
	if os.Getenv("PEAKWISE_TUNING_ORIGINS") == "1" {
		from, to = time.Date(2003, 4, 14, 0, 0, 0, 0, ny), time.Date(2003, 7, 1, 0, 0, 0, 0, ny)
	}
	actual := map[int64]float64{}
	for _, p := range s.Points {
		actual[p.Start.Unix()] = p.Contacts
	}
	grid := []ReforecastOptions{{Prior: 100}, {Prior: 100, DayShare: 0.25}, {Prior: 100, DayShare: 0.5}, {Prior: 100, DayShare: 1},
		{Prior: 100, DayShare: 2}, {Prior: 100, DayShare: 4}, {Prior: 1000}, {Prior: 3000}}
	cuts := []int{10, 12, 14, 16}
	type tally struct{ keep, act float64 }
	var keep tally
	re := make([]float64, len(grid))
	perCut := map[int][2]float64{} // cut hour -> keep error, re-forecast error (default prior)
	days := 0
	for n := 0; n < b.N; n++ {
		for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
			noon := time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, ny)
			if _, open := actual[noon.Unix()]; !open {
				continue
			}
			hist := s
			hist.Points = nil
			for _, p := range s.Points {
				if p.Start.Before(d) {
					hist.Points = append(hist.Points, p)
				}
			}
			fc, err := forecasting.Forecast(hist, forecasting.Options{Horizon: 48 * time.Hour})
			if err != nil {
				b.Fatal(err)
			}
			// The day's open intervals, 07:00-21:00, night forecast and actuals.
			var night, act []float64
			var starts []time.Time
			for _, iv := range fc.Intervals {
				l := iv.Start.In(ny)
				if l.Year() != d.Year() || l.YearDay() != d.YearDay() || l.Hour() < 7 {
					continue
				}
				a, ok := actual[iv.Start.Unix()]
				if !ok {
					continue
				}
				night, act, starts = append(night, iv.Forecast), append(act, a), append(starts, l)
			}
			days++
			for _, cut := range cuts {
				k := 0
				for k < len(starts) && starts[k].Hour() < cut {
					k++
				}
				var e tally
				for i := k; i < len(night); i++ {
					e.keep += math.Abs(night[i] - act[i])
					e.act += act[i]
				}
				keep.keep += e.keep
				keep.act += e.act
				pc := perCut[cut]
				pc[0] += e.keep
				for j, opt := range grid {
					got, _ := Reforecast(night, act[:k], opt)
					for i := k; i < len(night); i++ {
						re[j] += math.Abs(got[i] - act[i])
						if opt == DefaultReforecast {
							pc[1] += math.Abs(got[i] - act[i])
						}
					}
				}
				perCut[cut] = pc
				perCut[-cut] = [2]float64{perCut[-cut][0] + e.act}
			}
		}
	}
	b.StopTimer()
	for j, opt := range grid {
		b.Logf("prior %5.0f, day share %.2f: WAPE of the rest of the day %.4f (keeping the night's forecast: %.4f)", opt.Prior, opt.DayShare, re[j]/keep.act, keep.keep/keep.act)
	}
	for _, cut := range cuts {
		act := perCut[-cut][0]
		b.Logf("from %02d:00: keep %.4f, re-forecast %.4f", cut, perCut[cut][0]/act, perCut[cut][1]/act)
	}
	for j, opt := range grid {
		if opt == DefaultReforecast {
			b.ReportMetric(re[j]/keep.act, "wape_reforecast")
		}
	}
	b.ReportMetric(keep.keep/keep.act, "wape_keep")
	b.ReportMetric(float64(days)/float64(b.N), "days")
}

// BenchmarkReforecast1000Queues re-forecasts a day of 96 intervals for 1,000
// queues at noon (the target: under 5 s).
func BenchmarkReforecast1000Queues(b *testing.B) {
	night := make([]float64, 96)
	actual := make([]float64, 48)
	for i := range night {
		night[i] = 20 + 10*math.Sin(float64(i)/96*2*math.Pi)
	}
	for i := range actual {
		actual[i] = night[i] * 1.15
	}
	b.ReportAllocs()
	for n := 0; n < b.N; n++ {
		for q := 0; q < 1000; q++ {
			Reforecast(night, actual, DefaultReforecast)
		}
	}
}
