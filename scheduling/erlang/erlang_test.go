package erlang

import (
	"errors"
	"math"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bigErlangC computes Erlang B and C from their textbook definitions with
// 256-bit floats: B = (a^n/n!) / sum_{k<=n} a^k/k!, C = n·B/(n - a(1-B)).
// It shares no code with the package, so it checks the recursion independently.
func bigErlangC(a float64, n int) (b, c float64) {
	const prec = 256
	ab := new(big.Float).SetPrec(prec).SetFloat64(a)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	sum := new(big.Float).SetPrec(prec).SetInt64(1)
	for k := 1; k <= n; k++ {
		term.Mul(term, ab)
		term.Quo(term, new(big.Float).SetPrec(prec).SetInt64(int64(k)))
		sum.Add(sum, term)
	}
	bb := new(big.Float).SetPrec(prec).Quo(term, sum)
	b, _ = bb.Float64()
	nf := new(big.Float).SetPrec(prec).SetInt64(int64(n))
	one := new(big.Float).SetPrec(prec).SetInt64(1)
	den := new(big.Float).SetPrec(prec).Sub(one, bb)
	den.Mul(den, ab)
	den.Sub(nf, den)
	num := new(big.Float).SetPrec(prec).Mul(nf, bb)
	c, _ = num.Quo(num, den).Float64()
	return b, c
}

func TestErlangBAndCMatchHighPrecision(t *testing.T) {
	cases := []struct {
		a float64
		n int
	}{
		{0.5, 1}, {2, 3}, {3.7, 7}, {3.7, 8}, {3.7, 9}, {3.7, 16}, {0.01, 40}, {10, 11}, {10, 14}, {48, 55}, {100, 110},
		{833.3333333333334, 850}, {833.3333333333334, 900}, {2500, 2560},
	}
	for _, tc := range cases {
		b, c := bigErlangC(tc.a, tc.n)
		assert.InDelta(t, 0, (ErlangB(tc.a, tc.n)-b)/b, 1e-11, "B(%v,%d)", tc.a, tc.n)
		assert.InDelta(t, 0, (ErlangC(tc.a, tc.n)-c)/c, 1e-11, "C(%v,%d)", tc.a, tc.n)
	}
}

func TestErlangEdgeCases(t *testing.T) {
	assert.Equal(t, 1.0, ErlangB(5, 0))
	assert.Equal(t, 0.0, ErlangB(0, 3))
	assert.True(t, math.IsNaN(ErlangB(-1, 3)))
	assert.True(t, math.IsNaN(ErlangB(1, -1)))
	assert.Equal(t, 1.0, ErlangC(10, 10), "n <= a is unstable: everyone waits")
	assert.Equal(t, 0.0, ErlangC(0, 2))
}

// TestPublishedErlangC reproduces the example published with two independent
// Erlang C libraries: pyworkforce 0.1.0 (PyPI README: 100 transactions per 30
// minutes, AHT 3 min, 20 s target, 80% SL, max occupancy 0.85, shrinkage 0.3 ->
// raw_positions 14, positions 20, service_level 0.8883500191794669, occupancy
// 0.7142857142857143, waiting_probability 0.1741319335950498) and the CRAN
// package ErlangC 0.1.0 (same case: agents 14, service_level 0.88835, ASA
// 7.83593701177724 s, and wait probability 0.6821182 at 11 agents).
func TestPublishedErlangC(t *testing.T) {
	load := Load{Contacts: 100, Interval: 30 * time.Minute, AHT: 180 * time.Second}
	targets := Targets{ServiceLevel: 0.8, AnswerWithin: 20 * time.Second, MaxOccupancy: 0.85, Shrinkage: 0.3}
	req, err := Solve(load, targets)
	require.NoError(t, err)
	assert.Equal(t, 14, req.Agents)
	assert.Equal(t, 20, req.Staff)
	assert.InDelta(t, 10.0, req.Traffic, 1e-12)
	assert.InDelta(t, 0.8883500191794669, req.ServiceLevel, 1e-12)
	assert.InDelta(t, 0.7142857142857143, req.Occupancy, 1e-12)
	assert.InDelta(t, 0.1741319335950498, req.ProbWait, 1e-12)
	assert.InDelta(t, 7.83593701177724, req.ASA, 1e-9)

	m, err := Evaluate(load, 11, 20*time.Second)
	require.NoError(t, err)
	assert.InDelta(t, 0.6821182, m.ProbWait, 5e-8)

	// 13 agents must miss the target, or 14 would not be the smallest.
	m13, err := Evaluate(load, 13, 20*time.Second)
	require.NoError(t, err)
	assert.Less(t, m13.ServiceLevel, 0.8)
}

func TestSolveIsMinimalAndMeetsEveryTarget(t *testing.T) {
	cases := []struct {
		name    string
		load    Load
		targets Targets
	}{
		{"sl only", Load{Contacts: 250, Interval: 30 * time.Minute, AHT: 240 * time.Second}, Targets{ServiceLevel: 0.9, AnswerWithin: 15 * time.Second}},
		{"asa only", Load{Contacts: 250, Interval: 30 * time.Minute, AHT: 240 * time.Second}, Targets{ASA: 10 * time.Second}},
		{"sl and asa", Load{Contacts: 60, Interval: 15 * time.Minute, AHT: 300 * time.Second}, Targets{ServiceLevel: 0.8, AnswerWithin: 20 * time.Second, ASA: 5 * time.Second}},
		{"occupancy binds", Load{Contacts: 5000, Interval: 30 * time.Minute, AHT: 300 * time.Second}, Targets{ServiceLevel: 0.5, AnswerWithin: 60 * time.Second, MaxOccupancy: 0.8}},
		{"huge load", Load{Contacts: 20000, Interval: 30 * time.Minute, AHT: 300 * time.Second}, Targets{ServiceLevel: 0.8, AnswerWithin: 20 * time.Second, MaxOccupancy: 1}},
		{"tiny load", Load{Contacts: 0.01, Interval: 30 * time.Minute, AHT: 300 * time.Second}, Targets{ServiceLevel: 0.8, AnswerWithin: 20 * time.Second}},
		{"chat x3", Load{Contacts: 300, Interval: 30 * time.Minute, AHT: 600 * time.Second, Concurrency: 3}, Targets{ServiceLevel: 0.8, AnswerWithin: 60 * time.Second}},
		{"erlang A", Load{Contacts: 400, Interval: 30 * time.Minute, AHT: 300 * time.Second, Patience: 120 * time.Second}, Targets{ServiceLevel: 0.8, AnswerWithin: 20 * time.Second, ASA: 15 * time.Second}},
		{"erlang A chat", Load{Contacts: 300, Interval: 30 * time.Minute, AHT: 600 * time.Second, Patience: 300 * time.Second, Concurrency: 2}, Targets{ServiceLevel: 0.9, AnswerWithin: 30 * time.Second}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := Solve(tc.load, tc.targets)
			require.NoError(t, err)
			require.Greater(t, req.Agents, 0)
			occCap := tc.targets.maxOccupancy()
			assert.True(t, meets(req.Metrics, tc.targets, occCap), "%+v", req)
			below, err := Evaluate(tc.load, req.Agents-1, tc.targets.AnswerWithin)
			require.NoError(t, err)
			assert.False(t, meets(below, tc.targets, occCap), "one agent fewer also meets the targets: %+v", below)
			// Solve walks the recursion one server at a time, ErlangB four
			// at a time: they agree to rounding, not to the last bit.
			again, err := Evaluate(tc.load, req.Agents, tc.targets.AnswerWithin)
			require.NoError(t, err)
			assert.Equal(t, req.Agents, again.Agents)
			assert.InDelta(t, req.ServiceLevel, again.ServiceLevel, 1e-12)
			assert.InDelta(t, req.ProbWait, again.ProbWait, 1e-12)
			assert.InDelta(t, req.Occupancy, again.Occupancy, 1e-12)
			assert.InDelta(t, 0, (req.ASA-again.ASA)/math.Max(req.ASA, 1), 1e-10)
		})
	}
}

func TestSolveZeroContacts(t *testing.T) {
	req, err := Solve(Load{Interval: 30 * time.Minute, AHT: time.Minute}, Targets{ServiceLevel: 0.8, AnswerWithin: 20 * time.Second})
	require.NoError(t, err)
	assert.Equal(t, Requirement{Metrics: Metrics{ServiceLevel: 1}}, req)
}

func TestErlangARequiresNoMoreThanErlangC(t *testing.T) {
	targets := Targets{ServiceLevel: 0.8, AnswerWithin: 20 * time.Second}
	for _, contacts := range []float64{5, 50, 500, 5000} {
		c, err := Solve(Load{Contacts: contacts, Interval: 30 * time.Minute, AHT: 300 * time.Second}, targets)
		require.NoError(t, err)
		a, err := Solve(Load{Contacts: contacts, Interval: 30 * time.Minute, AHT: 300 * time.Second, Patience: 60 * time.Second}, targets)
		require.NoError(t, err)
		assert.LessOrEqual(t, a.Agents, c.Agents, "contacts %v", contacts)
	}
}

func TestStaffFor(t *testing.T) {
	assert.Equal(t, 10, StaffFor(7, 0.3))
	assert.Equal(t, 20, StaffFor(14, 0.3))
	assert.Equal(t, 5, StaffFor(5, 0))
	assert.Equal(t, 0, StaffFor(0, 0.3))
	assert.Equal(t, 11, StaffFor(10, 0.05))
	assert.Equal(t, 7, OnQueue(10, 0.3))
	assert.Equal(t, 0, OnQueue(0, 0.3))
	for n := 0; n < 500; n++ {
		for _, s := range []float64{0, 0.05, 0.1, 0.25, 0.3, 0.35, 0.5} {
			assert.GreaterOrEqual(t, OnQueue(StaffFor(n, s), s), n, "n=%d s=%v", n, s)
			if n > 0 {
				assert.Less(t, OnQueue(StaffFor(n, s)-1, s), n, "StaffFor(%d, %v) is not the smallest", n, s)
			}
		}
	}
}

func TestValidation(t *testing.T) {
	_, err := Solve(Load{Contacts: -1, Interval: 0, AHT: -time.Second, Patience: -1}, Targets{ServiceLevel: 1.2, MaxOccupancy: 2, Shrinkage: 1})
	var errs InputErrors
	require.True(t, errors.As(err, &errs), "%v", err)
	fields := map[string]bool{}
	for _, e := range errs {
		fields[e.Field] = true
	}
	for _, f := range []string{"contacts", "interval", "aht", "patience", "sl", "max-occupancy", "shrinkage"} {
		assert.True(t, fields[f], "no error for %s in %v", f, err)
	}
	_, err = Evaluate(Load{Contacts: 1, Interval: time.Hour, AHT: time.Minute}, -1, 0)
	require.ErrorAs(t, err, &errs)
	assert.Equal(t, "agents", errs[0].Field)
}

// TestPublishedErlangCGem: the README of the Ruby gem erlang_c_calculator
// 0.1.1 (after Koole's "Call Center Mathematics") shows 0.01 calls/s, 300 s
// handle time, 20 s acceptable wait -> traffic 3.0, 6 agents. The README does
// not state the service level target; 6 is the answer for 80% (5 agents give
// 0.7933, 6 give 0.9188), so this is a weaker check than the one above.
func TestPublishedErlangCGem(t *testing.T) {
	load := Load{Contacts: 36, Interval: time.Hour, AHT: 300 * time.Second}
	req, err := Solve(load, Targets{ServiceLevel: 0.8, AnswerWithin: 20 * time.Second, MaxOccupancy: 1})
	require.NoError(t, err)
	assert.InDelta(t, 3.0, req.Traffic, 1e-12)
	assert.Equal(t, 6, req.Agents)
	m5, err := Evaluate(load, 5, 20*time.Second)
	require.NoError(t, err)
	assert.InDelta(t, 0.7933, m5.ServiceLevel, 5e-5)
	assert.InDelta(t, 0.9188, req.ServiceLevel, 5e-5)
}

// TestPublishedErlangCWebPage: the classic step-by-step Erlang-C web page
// example, 360 calls per half hour (0.2 calls/s), 4-minute calls, 55 agents,
// 15 s target, whose published results (reproduced in a Maxima worked example
// that states they agree with the page) are E_c = 0.2387, expected wait
// 8.184 s and P(wait <= 15 s) = 0.8459.
func TestPublishedErlangCWebPage(t *testing.T) {
	m, err := Evaluate(Load{Contacts: 360, Interval: 30 * time.Minute, AHT: 4 * time.Minute}, 55, 15*time.Second)
	require.NoError(t, err)
	assert.InDelta(t, 48.0, m.Traffic, 1e-12)
	assert.InDelta(t, 0.2387, m.ProbWait, 5e-5)
	assert.InDelta(t, 8.184, m.ASA, 5e-4)
	assert.InDelta(t, 0.8459, m.ServiceLevel, 5e-5)
	assert.InDelta(t, 48.0/55, m.Occupancy, 1e-12)
}
