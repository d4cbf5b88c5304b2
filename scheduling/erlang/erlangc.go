package erlang

import "math"

// ErlangB returns the blocking probability of an M/M/n/n loss system offered a
// traffic of a Erlangs, by the recursion B(0)=1, B(k)=a·B(k-1)/(k+a·B(k-1)).
// The recursion never forms a factorial or a power, so it is exact to rounding
// for thousands of servers. It returns NaN when a is negative or not finite or
// n is negative.
func ErlangB(a float64, n int) float64 {
	if !(a >= 0) || math.IsInf(a, 0) || n < 0 {
		return math.NaN()
	}
	b := 1.0
	for k := 1; k <= n; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return b
}

// nextB advances the Erlang B recursion from n-1 to n servers.
func nextB(a, bPrev float64, n int) float64 {
	return a * bPrev / (float64(n) + a*bPrev)
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
