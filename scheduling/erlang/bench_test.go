package erlang

import (
	"context"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// dayShape returns n half-hour contact volumes with a double daily peak
// (mid-morning and mid-afternoon), peaking at peak contacts.
func dayShape(n int, peak float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		h := float64(i%48) / 2
		m := math.Exp(-(h-10.5)*(h-10.5)/4) + 0.8*math.Exp(-(h-15)*(h-15)/5)
		v[i] = math.Round(peak * m)
	}
	return v
}

var sinkReq Requirement

func benchSolve(b *testing.B, vols []float64, load Load, targets Targets) {
	b.ReportAllocs()
	for b.Loop() {
		for _, v := range vols {
			load.Contacts = v
			r, err := Solve(load, targets)
			if err != nil {
				b.Fatal(err)
			}
			sinkReq = r
		}
	}
}

// BenchmarkSolve10000Intervals: 10,000 half-hour intervals (a double-peak
// day, up to 500 contacts = 83 Erlangs), 80/20 and ASA 30 s, Erlang C.
// Target: under 10 ms per op.
func BenchmarkSolve10000Intervals(b *testing.B) {
	benchSolve(b, dayShape(10000, 500), Load{Interval: 30 * time.Minute, AHT: 300 * time.Second},
		Targets{ServiceLevel: 0.8, AnswerWithin: 20 * time.Second, ASA: 30 * time.Second, Shrinkage: 0.3})
}

// BenchmarkSolve10000HugeIntervals: 10,000 intervals of 5,000 contacts per
// half hour (833 Erlangs, ~850 agents each).
func BenchmarkSolve10000HugeIntervals(b *testing.B) {
	vols := make([]float64, 10000)
	for i := range vols {
		vols[i] = 5000
	}
	benchSolve(b, vols, Load{Interval: 30 * time.Minute, AHT: 300 * time.Second},
		Targets{ServiceLevel: 0.8, AnswerWithin: 20 * time.Second, Shrinkage: 0.3})
}

// BenchmarkSolveErlangA10000Intervals is the first case with 180 s patience.
func BenchmarkSolveErlangA10000Intervals(b *testing.B) {
	benchSolve(b, dayShape(10000, 500), Load{Interval: 30 * time.Minute, AHT: 300 * time.Second, Patience: 180 * time.Second},
		Targets{ServiceLevel: 0.8, AnswerWithin: 20 * time.Second, ASA: 30 * time.Second, Shrinkage: 0.3})
}

// BenchmarkSimulateDay replays one 48-interval day (double peak, up to 500
// contacts per half hour, staffed by Solve) 100 times.
func BenchmarkSimulateDay(b *testing.B) {
	vols := dayShape(48, 500)
	agents := make([]int, len(vols))
	for i, v := range vols {
		r, err := Solve(Load{Contacts: v, Interval: 30 * time.Minute, AHT: 300 * time.Second}, Targets{ServiceLevel: 0.8, AnswerWithin: 20 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		agents[i] = r.Agents
	}
	cfg := SimConfig{Interval: 30 * time.Minute, Contacts: vols, Agents: agents, AHT: 300 * time.Second,
		AnswerWithin: 20 * time.Second, Runs: 100, Seed: 1}
	var res SimResult
	for b.Loop() {
		var err error
		if res, err = Simulate(context.Background(), cfg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(res.ServiceLevel.Mean, "SL")
	b.ReportMetric(res.ServiceLevel.High-res.ServiceLevel.Low, "CI-width")
}

// sharedDataDir is where the real data lives: $PEAKWISE_DATA_DIR_SHARED, or
// /work/shared/data seen from this package (../../../shared/data).
func sharedDataDir() string {
	if d := os.Getenv("PEAKWISE_DATA_DIR_SHARED"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "shared", "data")
}

// BenchmarkSolveBankData staffs every 30-minute interval of the real bank
// call-center file (4,756 intervals, up to ~1,400 calls per half hour) at
// AHT 300 s, 80/20, with and without 180 s patience.
func BenchmarkSolveBankData(b *testing.B) {
	path := filepath.Join(sharedDataDir(), "us_bank_2003_30min.csv")
	f, err := os.Open(path)
	if err != nil {
		b.Skipf("real data not available (%v); set PEAKWISE_DATA_DIR_SHARED", err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	var vols []float64
	for _, r := range recs[1:] {
		v, err := strconv.ParseFloat(r[3], 64)
		if err != nil {
			b.Fatal(err)
		}
		vols = append(vols, v)
	}
	targets := Targets{ServiceLevel: 0.8, AnswerWithin: 20 * time.Second, Shrinkage: 0.3}
	b.Run("erlangC", func(b *testing.B) {
		benchSolve(b, vols, Load{Interval: 30 * time.Minute, AHT: 300 * time.Second}, targets)
	})
	b.Run("erlangA", func(b *testing.B) {
		benchSolve(b, vols, Load{Interval: 30 * time.Minute, AHT: 300 * time.Second, Patience: 180 * time.Second}, targets)
	})
}
