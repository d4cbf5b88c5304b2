package forecasting

import (
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// sharedData finds the team's real data folder (../shared/data beside the
// repository), or "" when this clone does not have it.
func sharedData(tb testing.TB) string {
	for _, dir := range []string{os.Getenv("PEAKWISE_SHARED_DATA"), "../../shared/data", "../../../shared/data"} {
		if dir == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "us_bank_2003_30min.csv")); err == nil {
			return dir
		}
	}
	tb.Skip("real data not found: set PEAKWISE_SHARED_DATA to the folder with us_bank_2003_30min.csv")
	return ""
}

func loadBank(tb testing.TB) Series {
	f, err := os.Open(filepath.Join(sharedData(tb), "us_bank_2003_30min.csv"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	recs, err := ReadHistoryCSV(f)
	if err != nil {
		tb.Fatal(err)
	}
	ss, err := BuildSeries(recs, 0)
	if err != nil {
		tb.Fatal(err)
	}
	return ss[0]
}

// truncate keeps the points that start before end.
func truncate(s Series, end time.Time) Series {
	out := s
	out.Points = nil
	for _, p := range s.Points {
		if p.Start.Before(end) {
			out.Points = append(out.Points, p)
		}
	}
	return out
}

type tally struct{ err, act, err1, act1, in, n float64 }

func (t tally) wape() float64  { return t.err / t.act }
func (t tally) wape1() float64 { return t.err1 / t.act1 }

// BenchmarkBankAccuracy reproduces the reference protocol on the bank call
// center: nightly origins on every open weekday from 1 July to 17 October
// 2003, a 7-day horizon, WAPE over the intervals that have actuals. Each
// origin sees only the history up to its night. Run with -benchtime 1x.
func BenchmarkBankAccuracy(b *testing.B) {
	s := loadBank(b)
	actual := map[int64]float64{}
	for _, p := range s.Points {
		actual[p.Start.Unix()] = p.Contacts
	}
	ny := s.Location
	from, to := time.Date(2003, 7, 1, 0, 0, 0, 0, ny), time.Date(2003, 10, 18, 0, 0, 0, 0, ny)
	if os.Getenv("PEAKWISE_TUNING_ORIGINS") == "1" { // the months methods were chosen on
		from, to = time.Date(2003, 4, 14, 0, 0, 0, 0, ny), time.Date(2003, 7, 1, 0, 0, 0, 0, ny)
	}
	var origins []time.Time
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		next := d.AddDate(0, 0, 1)
		if _, open := actual[time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, ny).Unix()]; open {
			origins = append(origins, next) // forecast from the end of day d
		}
	}
	names := []string{"auto"}
	for _, m := range Methods {
		names = append(names, m.Name)
	}
	for i := 0; i < b.N; i++ {
		results := map[string]*tally{}
		for _, name := range names {
			results[name] = &tally{}
		}
		for _, o := range origins {
			hist := truncate(s, o)
			day1 := o.AddDate(0, 0, 1)
			for _, name := range names {
				r, err := Forecast(hist, Options{Horizon: 7 * 24 * time.Hour, Method: name})
				if err != nil {
					b.Fatal(err)
				}
				t := results[name]
				for _, iv := range r.Intervals {
					a, ok := actual[iv.Start.Unix()]
					if !ok || !iv.Start.Before(o.AddDate(0, 0, 7)) {
						continue
					}
					e := math.Abs(a - iv.Forecast)
					t.n++
					if a >= iv.Lower && a <= iv.Upper {
						t.in++ // inside the 10-90% band
					}
					t.err += e
					t.act += a
					if iv.Start.Before(day1) {
						t.err1 += e
						t.act1 += a
					}
				}
			}
		}
		if i == 0 {
			b.Logf("%d nightly origins, %s to %s, 7-day horizon", len(origins), from.Format(time.DateOnly), to.AddDate(0, 0, -1).Format(time.DateOnly))
			for _, name := range names {
				b.Logf("%-8s WAPE week %.4f   day 1 %.4f", name, results[name].wape(), results[name].wape1())
			}
		}
		b.ReportMetric(results["auto"].wape(), "auto-wape")
		b.ReportMetric(results["auto"].wape1(), "auto-wape-day1")
		b.ReportMetric(results["mean4"].wape(), "mean4-wape")
		b.ReportMetric(results["auto"].in/results["auto"].n, "auto-band-coverage")
		b.ReportMetric(float64(len(origins)), "origins")
	}
}
