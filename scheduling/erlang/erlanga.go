package erlang

import (
	"errors"
	"math"
	"sync"
)

// weightPool recycles the per-call queue-weight buffers of erlangA.
var weightPool = sync.Pool{New: func() any { s := make([]float64, 0, 256); return &s }}

// aResult is the steady state of an M/M/c+M queue (Erlang A).
type aResult struct {
	probWait    float64 // P(an arrival finds every server busy)
	probAbandon float64 // P(an arrival abandons before service)
	sl          float64 // P(answered within the target), over all arrivals
	asa         float64 // mean wait of answered arrivals, seconds
	occupancy   float64 // carried load / servers
}

// tailFactor is how far below the largest state weight the queue-length
// distribution is truncated: e^-40 ≈ 4e-18, far below the 4th digit of any
// reported measure.
var tailFactor = math.Exp(-40)

// maxStates bounds the queue states erlangA sums (8 bytes each).
const maxStates = 5_000_000

// errTooManyStates reports an Erlang A case too heavy to sum exactly.
var errTooManyStates = errors.New("erlang: the Erlang A queue would hold millions of waiting contacts (overloaded, with a very long patience); use a shorter patience, more agents, or Erlang C")

// erlangA computes the Erlang A measures exactly from the birth-death chain of
// the number of contacts in the system: birth rate lambda, death rate
// min(k,c)·mu + max(k-c,0)·gamma. b must be ErlangB(lambda/mu, c); it gives the
// mass of the states below c relative to state c in closed form (sum_{k<=c}
// a^k/k! / (a^c/c!) = 1/B), so no factorial is formed. The queue states are
// weighted by running products, rescaled to stay in range, and truncated once
// the remaining tail is provably below e^-40 of the largest weight.
//
// For an arrival that finds j contacts waiting ahead of it, its virtual wait V
// is a sum of exponentials with rates a+iγ (a = c·mu, i = j..0), whose density
// has the closed form prod(rates)/(γ^j j!)·e^{-av}(1-e^{-γv})^j. Integrating it
// against the arrival's own patience e^{-γv} gives
//
//	P(served)                 = a/(a+(j+1)γ)
//	P(served within t)        = a/(a+(j+1)γ) · P(NegBin(a/γ+1, e^{-γt}) > j)
//	E[V; served]              = a/(a+(j+1)γ) · Σ_{i=0..j} 1/(a+(i+1)γ)
//
// which is what the loop below sums (docs/staffing.md has the derivation).
// within is in seconds; gamma must be > 0. It returns errTooManyStates when
// the queue would need more than maxStates states to be summed exactly (an
// overloaded queue with a mean patience of days), rather than a truncated,
// wrong answer.
func erlangA(lambda, mu, gamma float64, c int, within, b float64) (aResult, error) {
	a := lambda / mu
	if a == 0 {
		return aResult{sl: 1}, nil
	}
	if c > 0 && b < 1e-300 {
		// So many servers that waiting is below floating-point resolution.
		return aResult{sl: 1, occupancy: a / float64(c)}, nil
	}
	if peak := (lambda - float64(c)*mu) / gamma; peak > maxStates/2 {
		return aResult{}, errTooManyStates
	}
	cmu := float64(c) * mu
	// Linear weights of the states c+j, j >= 0, relative to state c. In an
	// overload with long patience they rise by hundreds of orders of
	// magnitude before falling, so whenever one passes 1e200 everything so
	// far (and the mass below c) is scaled down by 1e-200; the entries that
	// underflow are negligible next to the maximum.
	const big, small = 1e200, 1e-200
	buf := weightPool.Get().(*[]float64)
	defer weightPool.Put(buf)
	w := append((*buf)[:0], 1)
	defer func() { *buf = w[:0] }()
	lowMass := 1/b - 1 // states 0..c-1 relative to state c
	wMax := 1.0
	for j := 1; ; j++ {
		r := lambda / (cmu + float64(j)*gamma)
		next := w[j-1] * r
		if next > big {
			for i := range w {
				w[i] *= small
			}
			lowMass *= small
			wMax *= small
			next *= small
		}
		w = append(w, next)
		if next > wMax {
			wMax = next
		}
		// Once the ratio is below 1 the weights decrease geometrically at
		// least as fast as r, so the tail is bounded by w·r/(1-r).
		if r < 1 && next*r/(1-r) < wMax*tailFactor {
			break
		}
		if j > maxStates {
			return aResult{}, errTooManyStates
		}
	}
	z := lowMass
	for _, v := range w {
		z += v
	}
	pLow := lowMass / z

	var res aResult
	res.probWait = 1 - pLow
	// Negative binomial NB(p, x) with p = a/γ+1, x = e^{-γt}: pmf_0 = x^p,
	// pmf_{k+1} = pmf_k·(p+k)/(k+1)·(1-x), kept in logs to survive large p·γt.
	p := cmu/gamma + 1
	logY := math.Log(-math.Expm1(-gamma * within)) // log(1-x); -Inf when t=0
	logPmf := -(cmu + gamma) * within
	// In linear form the recurrence is one multiply per state; it is used
	// unless pmf_0 underflows, when the log form keeps the far terms exact.
	linear := logPmf > -700
	pmf := math.Exp(logPmf)
	y := -math.Expm1(-gamma * within)
	cdf := 0.0
	h := 0.0
	var slQueue, waitServed float64
	for j, v := range w {
		q := v / z
		rate := cmu + float64(j+1)*gamma
		served := cmu / rate
		h += 1 / rate
		res.probAbandon += q * (1 - served)
		waitServed += q * served * h
		if linear {
			cdf += pmf
			pmf *= (p + float64(j)) / float64(j+1) * y
		} else {
			cdf += math.Exp(logPmf)
			logPmf += math.Log((p+float64(j))/float64(j+1)) + logY
		}
		tail := 1 - cdf
		if tail < 0 {
			tail = 0
		}
		slQueue += q * served * tail
	}
	res.sl = pLow + slQueue
	answered := 1 - res.probAbandon
	if answered > 0 && c > 0 {
		res.asa = waitServed / answered
		res.occupancy = a * answered / float64(c)
	} else {
		res.asa = math.Inf(1)
	}
	if res.occupancy > 1 {
		res.occupancy = 1 // rounding only: carried load cannot exceed c
	}
	return res, nil
}
