package erlang

import "math"

// ErlangB returns the blocking probability of an M/M/n/n loss system offered a
// traffic of a Erlangs, by the recursion B(0)=1, B(k)=a·B(k-1)/(k+a·B(k-1)),
// evaluated on its reciprocal I(k) = 1/B(k) = 1 + (k/a)·I(k-1), which is the
// same recursion without a division per step (all terms are positive, so it
// is forward-stable). No factorial or power is formed, so it is exact to
// rounding for thousands of servers. When I passes 1e300 (far more servers
// than traffic) B is below 1e-300 and is returned as 0. It returns NaN when a
// is negative or not finite or n is negative.
func ErlangB(a float64, n int) float64 {
	if !(a >= 0) || math.IsInf(a, 0) || n < 0 {
		return math.NaN()
	}
	if a == 0 {
		if n == 0 {
			return 1
		}
		return 0
	}
	inv := 1 / a
	r := 1.0
	k := 1
	// Eight steps at a time: I(k+7) = α + β·I(k-1), where α and β are built
	// from the step factors c_i = i/a off the dependent chain, so the loop is
	// bound by one multiply-add per eight servers instead of per server. All
	// terms are positive, so the regrouping keeps the recursion's stability.
	for ; k+7 <= n; k += 8 {
		kf := float64(k)
		p := (kf + 7) * inv
		alpha := 1 + p
		p *= (kf + 6) * inv
		alpha += p
		p *= (kf + 5) * inv
		alpha += p
		p *= (kf + 4) * inv
		alpha += p
		p *= (kf + 3) * inv
		alpha += p
		p *= (kf + 2) * inv
		alpha += p
		p *= (kf + 1) * inv
		alpha += p
		r = alpha + p*kf*inv*r
		if r > 1e300 {
			return 0
		}
	}
	for ; k <= n; k++ {
		if r = nextInvB(inv, r, k); r > 1e300 {
			return 0
		}
	}
	return 1 / r
}

// nextInvB advances the reciprocal recursion I(k) = 1 + k·(1/a)·I(k-1); inv
// is 1/a, so a step is two multiplies and an add (no division, which would
// dominate the cost). Solve and ErlangB share it so that they agree to the
// last bit.
func nextInvB(inv, rPrev float64, k int) float64 {
	return 1 + float64(k)*inv*rPrev
}

// ErlangC returns the probability that an arriving contact waits in an M/M/n
// queue offered a Erlangs: C = n·B/(n − a·(1 − B)). When n <= a the queue is
// unstable, every contact waits, and ErlangC returns 1. It returns NaN for a
// negative or non-finite a or a negative n.
func ErlangC(a float64, n int) float64 {
	return erlangCFromB(a, n, ErlangB(a, n))
}

func erlangCFromB(a float64, n int, b float64) float64 {
	if math.IsNaN(b) {
		return b
	}
	if a == 0 {
		return 0
	}
	if float64(n) <= a {
		return 1
	}
	nf := float64(n)
	return nf * b / (nf - a*(1-b))
}

// cMetrics fills the Erlang C measures for n servers from the probability of
// waiting c. aht and within are in seconds.
func cMetrics(a float64, n int, c, aht, within float64) (sl, asa, occ float64) {
	if a == 0 {
		return 1, 0, 0
	}
	nf := float64(n)
	if nf <= a {
		// Unstable: the queue grows without bound, nobody is answered within
		// any finite target in the long run, and agents are always busy.
		return 0, math.Inf(1), 1
	}
	sl = 1 - c*math.Exp(-(nf-a)*within/aht)
	asa = c * aht / (nf - a)
	return sl, asa, a / nf
}
