package forecasting

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// BenchmarkBankAgainstR puts R's forecast::stlf (STL + ETS, the reference the
// data's README quotes) beside auto and mean4 on exactly the origins and
// actuals of BenchmarkBankAccuracy. R sees what fpp3 gives it: the open days'
// 29 half-hour slots (07:00-21:00) back to back, closed days left out, daily
// and weekly (5 open days) seasonality; its step k is scored against the k-th
// open slot after the origin. Needs Rscript with the forecast package
// (apt-get install r-cran-forecast; not a Peakwise dependency); skips without
// it. Run with -benchtime 1x; PEAKWISE_TUNING_ORIGINS=1 for the tuning months.
func BenchmarkBankAgainstR(b *testing.B) {
	rscript, err := exec.LookPath("Rscript")
	if err != nil {
		b.Skip("Rscript not installed (apt-get install r-cran-forecast); this comparison needs it")
	}
	s := loadBank(b)
	ny := s.Location
	const slots = 29
	// The open days, in order, and each one's slots.
	var days []time.Time
	values := map[time.Time]*[slots]float64{}
	for _, p := range s.Points {
		l := p.Start.In(ny)
		day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, ny)
		k := (l.Hour()*60 + l.Minute() - 7*60) / 30
		if k < 0 || k >= slots {
			b.Fatalf("interval %s outside 07:00-21:00", l)
		}
		if values[day] == nil {
			values[day] = &[slots]float64{}
			days = append(days, day)
		}
		values[day][k] = p.Contacts
	}
	from, to := time.Date(2003, 7, 1, 0, 0, 0, 0, ny), time.Date(2003, 10, 18, 0, 0, 0, 0, ny)
	if os.Getenv("PEAKWISE_TUNING_ORIGINS") == "1" {
		from, to = time.Date(2003, 4, 14, 0, 0, 0, 0, ny), time.Date(2003, 7, 1, 0, 0, 0, 0, ny)
	}
	// An origin after every open day in [from, to), as BenchmarkBankAccuracy.
	var origins []int // open days before the origin
	for i, d := range days {
		if !d.Before(from) && d.Before(to) {
			origins = append(origins, i+1)
		}
	}
	dir := b.TempDir()
	write := func(name string, lines func(w *bufio.Writer)) string {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		w := bufio.NewWriter(f)
		lines(w)
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
		f.Close()
		return path
	}
	valuesPath := write("values.txt", func(w *bufio.Writer) {
		for _, d := range days {
			for _, v := range values[d] {
				fmt.Fprintln(w, v)
			}
		}
	})
	originsPath := write("origins.txt", func(w *bufio.Writer) {
		for _, n := range origins {
			fmt.Fprintln(w, n)
		}
	})
	const horizonDays = 5 // a 7-day horizon holds at most 5 open weekdays
	outPath := filepath.Join(dir, "r.csv")
	for i := 0; i < b.N; i++ {
		began := time.Now()
		out, err := exec.Command(rscript, filepath.Join("testdata", "stlf_origins.R"), valuesPath, originsPath,
			strconv.Itoa(slots), strconv.Itoa(horizonDays*slots), outPath).CombinedOutput()
		if err != nil {
			b.Fatalf("Rscript: %v\n%s", err, out)
		}
		rSeconds := time.Since(began).Seconds()
		rf := readRForecasts(b, outPath)

		results := map[string]*tally{"stlf (R)": {}, "auto": {}, "mean4": {}}
		for oi, n := range origins {
			origin := days[n-1].AddDate(0, 0, 1)
			end, day1 := origin.AddDate(0, 0, 7), origin.AddDate(0, 0, 1)
			score := func(t *tally, at time.Time, a, f float64) {
				e := math.Abs(a - f)
				t.err += e
				t.act += a
				if at.Before(day1) {
					t.err1 += e
					t.act1 += a
				}
			}
			// R: step k is the k-th open slot after the origin.
			for k, di := 0, n; di < len(days) && days[di].Before(end) && k < horizonDays; k, di = k+1, di+1 {
				for slot := 0; slot < slots; slot++ {
					at := days[di].Add(7*time.Hour + time.Duration(slot)*30*time.Minute)
					score(results["stlf (R)"], at, values[days[di]][slot], rf[oi+1][k*slots+slot])
				}
			}
			hist := truncate(s, origin)
			for _, name := range []string{"auto", "mean4"} {
				r, err := Forecast(hist, Options{Horizon: 7 * 24 * time.Hour, Method: name})
				if err != nil {
					b.Fatal(err)
				}
				for _, iv := range r.Intervals {
					l := iv.Start.In(ny)
					day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, ny)
					slot := (l.Hour()*60 + l.Minute() - 7*60) / 30
					if v := values[day]; v != nil && slot >= 0 && slot < slots && iv.Start.Before(end) {
						score(results[name], iv.Start, v[slot], iv.Forecast)
					}
				}
			}
		}
		if i == 0 {
			b.Logf("%d nightly origins, %s to %s, 7-day horizon; R took %.1f s for all origins", len(origins), from.Format(time.DateOnly), to.AddDate(0, 0, -1).Format(time.DateOnly), rSeconds)
			for _, name := range []string{"auto", "mean4", "stlf (R)"} {
				b.Logf("%-9s WAPE week %.4f   day 1 %.4f", name, results[name].wape(), results[name].wape1())
			}
		}
		b.ReportMetric(results["stlf (R)"].wape(), "stlf-wape")
		b.ReportMetric(results["stlf (R)"].wape1(), "stlf-wape-day1")
		b.ReportMetric(results["auto"].wape(), "auto-wape")
		b.ReportMetric(results["auto"].wape1(), "auto-wape-day1")
	}
}

// readRForecasts reads the R script's origin,step,forecast rows.
func readRForecasts(b *testing.B, path string) map[int][]float64 {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		b.Fatal(err)
	}
	out := map[int][]float64{}
	for _, r := range rows[1:] {
		o, err1 := strconv.Atoi(r[0])
		v, err2 := strconv.ParseFloat(r[2], 64)
		if err1 != nil || err2 != nil {
			b.Fatalf("bad R output row %v", r)
		}
		out[o] = append(out[o], v)
	}
	return out
}
