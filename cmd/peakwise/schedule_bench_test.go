package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/peakwise/peakwise/scheduling"
)

// BenchmarkScheduleErlangWeek runs the planner's path end to end on a week
// none of the scheduling tuning saw: a forecast with a morning peak, an
// afternoon peak and an evening bump (weekends at 0.6), sized by `peakwise
// staff` (Erlang C, 300 s AHT, 80% in 20 s, no shrinkage) and scheduled by
// `peakwise schedule --cyclic` with the double-peak week's templates and the
// default time limit. Paid hours and under-coverage are recomputed from
// schedule.csv, as a reviewer would, not read from the report.
// PEAKWISE_E2E_SCALE multiplies the contact volume (default 1);
// PEAKWISE_E2E_LIMIT sets --time-limit (default: the command's own);
// PEAKWISE_E2E_KEEP names a file to keep the requirements CSV in (for
// BenchmarkCBCGap's PEAKWISE_CBC_REQUIREMENTS).
func BenchmarkScheduleErlangWeek(b *testing.B) {
	scale := 1.0
	if v := os.Getenv("PEAKWISE_E2E_SCALE"); v != "" {
		var err error
		if scale, err = strconv.ParseFloat(v, 64); err != nil || scale <= 0 {
			b.Fatalf("PEAKWISE_E2E_SCALE=%q is not a positive number", v)
		}
	}
	dir := b.TempDir()
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	var fc strings.Builder
	fc.WriteString("timestamp,channel,timezone,forecast\n")
	for i := 0; i < 7*48; i++ {
		t := start.Add(time.Duration(i) * 30 * time.Minute)
		h := float64(t.Hour()) + float64(t.Minute())/60
		v := 8 + 140*math.Exp(-math.Pow((h-10.5)/1.8, 2)) + 110*math.Exp(-math.Pow((h-15.5)/2.0, 2)) + 30*math.Exp(-math.Pow((h-20)/2.5, 2))
		if t.Weekday() == time.Saturday || t.Weekday() == time.Sunday {
			v *= 0.6
		}
		fmt.Fprintf(&fc, "%s,voice,UTC,%.1f\n", t.Format(time.RFC3339), v*scale)
	}
	forecast, req := filepath.Join(dir, "forecast.csv"), filepath.Join(dir, "requirements.csv")
	if err := os.WriteFile(forecast, []byte(fc.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	if code, _, errOut := runCLI(b, nil, "", "staff", "--forecast", forecast, "--aht", "300s", "--sl", "0.80", "--answer-within", "20s",
		"--shrinkage", "0", "--out", req); code != 0 {
		b.Fatal(errOut)
	}
	required := readColumn(b, req, "required_staff")
	if keep := os.Getenv("PEAKWISE_E2E_KEEP"); keep != "" {
		raw, err := os.ReadFile(req)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(keep, raw, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	out, rep := filepath.Join(dir, "schedule.csv"), filepath.Join(dir, "report.json")
	args := []string{"schedule", "--requirements", req, "--shifts", "../../scheduling/testdata/templates_24x7.json", "--start", "2026-01-05",
		"--cyclic", "--out", out, "--report", rep}
	if v := os.Getenv("PEAKWISE_E2E_LIMIT"); v != "" {
		args = append(args, "--time-limit", v)
	}
	var paid, under, wall float64
	var report scheduling.Report
	for b.Loop() {
		began := time.Now()
		if code, _, errOut := runCLI(b, nil, "", args...); code != 0 {
			b.Fatal(errOut)
		}
		wall = time.Since(began).Seconds()
		paid, under = recountSchedule(b, out, start, required)
		raw, err := os.ReadFile(rep)
		if err != nil {
			b.Fatal(err)
		}
		if err := json.Unmarshal(raw, &report); err != nil {
			b.Fatal(err)
		}
	}
	cmp := report.StressComparison
	b.ReportMetric(paid, "paid-h")
	b.ReportMetric(under, "under-h")
	b.ReportMetric(cmp.Cheapest.PaidAgentHours, "cheapest-paid-h")
	b.ReportMetric(cmp.LowerBoundPaidHours, "lp-bound-h")
	b.ReportMetric(100*cmp.CheapestGapShare, "cheapest-gap-%")
	b.ReportMetric(cmp.Cheapest.Stress.LongestPeakStretchMin, "cheapest-stretch-min")
	b.ReportMetric(cmp.StressAware.Stress.LongestPeakStretchMin, "aware-stretch-min")
	b.ReportMetric(100*cmp.Cheapest.Stress.BreakMinutesInPeakShare, "cheapest-peak-break-%")
	b.ReportMetric(100*cmp.StressAware.Stress.BreakMinutesInPeakShare, "aware-peak-break-%")
	b.ReportMetric(wall, "wall-s")
	sum := 0.0
	for _, r := range required {
		sum += r / 2
	}
	b.Logf("required %.1f staff-h (peak %.0f); schedule.csv: %.1f paid h, %.2f h under; cheapest %.1f h, LP bound %.1f h (+%.2f%%); stretch %.0f -> %.0f min, break minutes in peaks %.1f -> %.1f%%; %.2f s",
		sum, maxOf(required), paid, under, cmp.Cheapest.PaidAgentHours, cmp.LowerBoundPaidHours, 100*cmp.CheapestGapShare,
		cmp.Cheapest.Stress.LongestPeakStretchMin, cmp.StressAware.Stress.LongestPeakStretchMin,
		100*cmp.Cheapest.Stress.BreakMinutesInPeakShare, 100*cmp.StressAware.Stress.BreakMinutesInPeakShare, wall)
}

func maxOf(xs []float64) float64 {
	m := 0.0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

// readCSV reads a whole CSV file, header first.
func readCSV(tb testing.TB, path string) [][]string {
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	return rows
}

// readColumn reads one numeric column of a CSV, in row order.
func readColumn(tb testing.TB, path, name string) []float64 {
	rows := readCSV(tb, path)
	col := -1
	for i, h := range rows[0] {
		if h == name {
			col = i
		}
	}
	if col < 0 {
		tb.Fatalf("%s has no %s column", path, name)
	}
	var out []float64
	for _, r := range rows[1:] {
		v, err := strconv.ParseFloat(r[col], 64)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// recountSchedule recomputes paid hours and under-coverage (staff-hours)
// from schedule.csv alone: every minute between a shift's start and end,
// less its breaks, covers the 30-minute interval it falls in, on a cyclic
// week from start.
func recountSchedule(tb testing.TB, path string, start time.Time, required []float64) (paid, under float64) {
	rows := readCSV(tb, path)
	week := len(required) * 30
	minutes := make([]float64, week) // staff on queue per minute of the week
	mark := func(from, to time.Time, v float64) {
		for m := int(from.Sub(start).Minutes()); m < int(to.Sub(start).Minutes()); m++ {
			minutes[((m%week)+week)%week] += v
		}
	}
	parse := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			tb.Fatal(err)
		}
		return t
	}
	for _, r := range rows[1:] {
		mark(parse(r[2]), parse(r[3]), 1)
		p, err := strconv.Atoi(r[4])
		if err != nil {
			tb.Fatal(err)
		}
		paid += float64(p) / 60
		if r[5] == "" {
			continue
		}
		for _, br := range strings.Split(r[5], ";") {
			se := strings.Split(br, "/")
			mark(parse(se[0]), parse(se[1]), -1)
		}
	}
	for i, req := range required {
		cov := 0.0
		for m := i * 30; m < (i+1)*30; m++ {
			cov += minutes[m] / 30
		}
		under += math.Max(0, req-cov) / 2
	}
	return paid, under
}
