package erlang

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestErlangATendsToErlangC checks the limit theta -> infinity: with a mean
// patience of ~30 years nobody abandons and every measure equals Erlang C.
func TestErlangATendsToErlangC(t *testing.T) {
	for _, tc := range []struct {
		contacts float64
		agents   int
	}{{100, 11}, {100, 14}, {360, 55}, {5000, 850}} {
		c := Load{Contacts: tc.contacts, Interval: 30 * time.Minute, AHT: 180 * time.Second}
		if tc.contacts > 1000 {
			c.AHT = 300 * time.Second
		}
		a := c
		a.Patience = 1e9 * time.Second
		mc, err := Evaluate(c, tc.agents, 20*time.Second)
		require.NoError(t, err)
		ma, err := Evaluate(a, tc.agents, 20*time.Second)
		require.NoError(t, err)
		assert.InDelta(t, mc.ProbWait, ma.ProbWait, 1e-5, "%+v", tc)
		assert.InDelta(t, mc.ServiceLevel, ma.ServiceLevel, 1e-5, "%+v", tc)
		assert.InDelta(t, mc.ASA, ma.ASA, 1e-3*math.Max(1, mc.ASA), "%+v", tc)
		assert.InDelta(t, mc.Occupancy, ma.Occupancy, 1e-5, "%+v", tc)
		assert.Less(t, ma.ProbAbandon, 1e-5)
	}
}

// bruteErlangA recomputes Erlang A with nothing shared with erlangA: the
// birth-death chain is solved by plain products truncated at a fixed depth,
// and the service level and ASA come from integrating, with RK4 in small steps,
// the forward equations of "how many contacts are ahead of a tagged waiting
// arrival", killed at rate gamma by its own patience.
func bruteErlangA(lambda, mu, gamma float64, c int, within float64) (pWait, pAb, sl, asa float64) {
	const depth = 250
	pi := make([]float64, c+depth)
	pi[0] = 1
	for k := 1; k < len(pi); k++ {
		death := float64(min(k, c))*mu + float64(max(k-c, 0))*gamma
		pi[k] = pi[k-1] * lambda / death
	}
	z := 0.0
	for _, v := range pi {
		z += v
	}
	for k := range pi {
		pi[k] /= z
	}
	lq := 0.0
	for k := c; k < len(pi); k++ {
		pWait += pi[k]
		lq += float64(k-c) * pi[k]
	}
	pAb = gamma * lq / lambda // Little's law on the abandonment flow
	// p[i]: probability mass of tagged arrivals with i contacts ahead.
	p := append([]float64(nil), pi[c:]...)
	cmu := float64(c) * mu
	deriv := func(p []float64) []float64 {
		d := make([]float64, len(p))
		for i := range p {
			d[i] = -(cmu + float64(i)*gamma + gamma) * p[i]
			if i+1 < len(p) {
				d[i] += (cmu + float64(i+1)*gamma) * p[i+1]
			}
		}
		return d
	}
	axpy := func(x []float64, a float64, y []float64) []float64 {
		out := make([]float64, len(x))
		for i := range x {
			out[i] = x[i] + a*y[i]
		}
		return out
	}
	const h = 0.05
	served, servedWithin, waitServed := 0.0, 0.0, 0.0
	for s := 0.0; s < 20000; s += h {
		if s < within && s+h > within+1e-12 {
			servedWithin = served
		}
		k1 := deriv(p)
		k2 := deriv(axpy(p, h/2, k1))
		k3 := deriv(axpy(p, h/2, k2))
		k4 := deriv(axpy(p, h, k3))
		f := func(q []float64) float64 { return cmu * q[0] }
		rate := (f(p) + 2*f(axpy(p, h/2, k1)) + 2*f(axpy(p, h/2, k2)) + f(axpy(p, h, k3))) / 6
		served += rate * h
		waitServed += (s + h/2) * rate * h
		for i := range p {
			p[i] += h / 6 * (k1[i] + 2*k2[i] + 2*k3[i] + k4[i])
		}
		if math.Abs(s+h-within) < 1e-9 {
			servedWithin = served
		}
		if s > within {
			left := 0.0
			for _, v := range p {
				left += v
			}
			if left < 1e-13 {
				break
			}
		}
	}
	sl = (1 - pWait) + servedWithin
	asa = waitServed / (1 - pAb)
	return pWait, pAb, sl, asa
}

func TestErlangAMatchesBruteForce(t *testing.T) {
	cases := []struct {
		name                    string
		contacts, aht, patience float64
		agents                  int
	}{
		{"light", 40, 180, 120, 6},
		{"balanced", 100, 180, 180, 10},
		{"overloaded", 200, 240, 60, 20},
		{"understaffed", 100, 300, 300, 8},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lambda := tc.contacts / 1800
			pw, pab, sl, asa := bruteErlangA(lambda, 1/tc.aht, 1/tc.patience, tc.agents, 20)
			m, err := Evaluate(Load{Contacts: tc.contacts, Interval: 30 * time.Minute,
				AHT: time.Duration(tc.aht * float64(time.Second)), Patience: time.Duration(tc.patience * float64(time.Second))},
				tc.agents, 20*time.Second)
			require.NoError(t, err)
			assert.InDelta(t, pw, m.ProbWait, 1e-9)
			assert.InDelta(t, pab, m.ProbAbandon, 1e-9)
			assert.InDelta(t, sl, m.ServiceLevel, 1e-6)
			assert.InDelta(t, asa, m.ASA, 1e-4)
			assert.InDelta(t, lambda*tc.aht*(1-pab)/float64(tc.agents), m.Occupancy, 1e-9)
		})
	}
}

func TestErlangAEdgeCases(t *testing.T) {
	load := Load{Contacts: 100, Interval: 30 * time.Minute, AHT: 180 * time.Second, Patience: 60 * time.Second}
	m, err := Evaluate(load, 0, 20*time.Second)
	require.NoError(t, err)
	assert.Equal(t, 0.0, m.ServiceLevel)
	assert.InDelta(t, 1.0, m.ProbAbandon, 1e-12)
	assert.True(t, math.IsInf(m.ASA, 1))

	m, err = Evaluate(load, 3000, 20*time.Second)
	require.NoError(t, err)
	assert.Equal(t, 1.0, m.ServiceLevel)
	assert.Equal(t, 0.0, m.ProbAbandon)

	// With t = 0 the service level is exactly the share answered at once.
	m, err = Evaluate(load, 10, 0)
	require.NoError(t, err)
	assert.InDelta(t, 1-m.ProbWait, m.ServiceLevel, 1e-15)

	// A huge, overloaded queue stays finite and sane.
	big := Load{Contacts: 20000, Interval: 30 * time.Minute, AHT: 300 * time.Second, Patience: 600 * time.Second}
	m, err = Evaluate(big, 2000, 20*time.Second)
	require.NoError(t, err)
	// 3,333 Erlangs on 2,000 agents: at least 40% must abandon (carried load
	// cannot exceed the agents), and with servers nearly always busy, barely more.
	assert.GreaterOrEqual(t, m.ProbAbandon, 0.4-1e-12)
	assert.Less(t, m.ProbAbandon, 0.41)
	assert.False(t, math.IsNaN(m.ServiceLevel) || math.IsNaN(m.ASA))
	assert.InDelta(t, 1.0, m.Occupancy, 1e-3)
}

func TestErlangARefusesHopelessSums(t *testing.T) {
	// 10x overloaded with a mean patience of ~3 years: millions of waiting
	// contacts; an error beats a silently truncated answer.
	load := Load{Contacts: 1000, Interval: 30 * time.Minute, AHT: 300 * time.Second, Patience: 1e8 * time.Second}
	_, err := Evaluate(load, 10, 20*time.Second)
	assert.ErrorIs(t, err, errTooManyStates)
	// Solve skips such staffing levels as infeasible and still finds the answer.
	req, err := Solve(load, Targets{ServiceLevel: 0.8, AnswerWithin: 20 * time.Second})
	require.NoError(t, err)
	c, err := Solve(Load{Contacts: 1000, Interval: 30 * time.Minute, AHT: 300 * time.Second}, Targets{ServiceLevel: 0.8, AnswerWithin: 20 * time.Second})
	require.NoError(t, err)
	assert.Equal(t, c.Agents, req.Agents, "with such patience Erlang A is Erlang C")
}

// TestErlangAIsSaneAndMonotone sweeps loads, patience and thresholds: every
// measure is a finite probability (or a finite ASA once someone is answered),
// and more agents never make the service level, ASA or abandonment worse.
func TestErlangAIsSaneAndMonotone(t *testing.T) {
	for _, contacts := range []float64{1, 30, 300, 3000} {
		for _, patience := range []time.Duration{5 * time.Second, 60 * time.Second, 600 * time.Second, 6 * time.Hour} {
			for _, within := range []time.Duration{0, 20 * time.Second, 10 * time.Minute} {
				load := Load{Contacts: contacts, Interval: 30 * time.Minute, AHT: 240 * time.Second, Patience: patience}
				a := load.Traffic()
				prev := Metrics{ServiceLevel: -1, ASA: math.Inf(1), ProbAbandon: 2}
				for n := 1; n <= int(2*a)+5; n += max(1, int(a/20)) {
					m, err := Evaluate(load, n, within)
					require.NoError(t, err)
					for _, p := range []float64{m.ProbWait, m.ServiceLevel, m.ProbAbandon, m.Occupancy} {
						require.False(t, math.IsNaN(p) || p < -1e-12 || p > 1+1e-12, "%+v n=%d: %+v", load, n, m)
					}
					require.False(t, math.IsNaN(m.ASA) || math.IsInf(m.ASA, 0), "%+v n=%d: %+v", load, n, m)
					assert.GreaterOrEqual(t, m.ServiceLevel, prev.ServiceLevel-1e-9, "%+v n=%d within %v", load, n, within)
					assert.LessOrEqual(t, m.ASA, prev.ASA+1e-9, "%+v n=%d", load, n)
					assert.LessOrEqual(t, m.ProbAbandon, prev.ProbAbandon+1e-9, "%+v n=%d", load, n)
					prev = m
				}
			}
		}
	}
}

// With nobody on the queue the occupancy is not 100%: there is no one to be
// busy. Service level is 0 and the wait unbounded, on Erlang C and A alike.
func TestEvaluateWithNoAgents(t *testing.T) {
	for _, patience := range []time.Duration{0, 3 * time.Minute} {
		m, err := Evaluate(Load{Contacts: 30, Interval: 30 * time.Minute, AHT: 5 * time.Minute, Patience: patience}, 0, 20*time.Second)
		require.NoError(t, err)
		assert.True(t, math.IsNaN(m.Occupancy), "patience %v: occupancy %v", patience, m.Occupancy)
		assert.Equal(t, 0.0, m.ServiceLevel)
	}
}
