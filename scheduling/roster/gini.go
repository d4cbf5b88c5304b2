package roster

// giniTracker keeps the Gini coefficient of a set of values, one per slot,
// as single slots change: the sum of the absolute differences of all pairs
// (S), the values' sum and count, so that the Gini, S / (n * sum), is read
// in constant time and a slot's change costs one pass over the others. A
// slot can be empty (not counted), as an agent without paid hours is left
// out of Report.PeakShareGini.
type giniTracker struct {
	x     []float64
	in    []bool
	pairs float64 // sum over pairs of |x_i - x_j|, of slots in
	sum   float64
	n     int
}

func newGiniTracker(slots int) *giniTracker {
	return &giniTracker{x: make([]float64, slots), in: make([]bool, slots)}
}

// set puts value v in slot k (in: counted), or empties it (!in).
func (g *giniTracker) set(k int, v float64, in bool) {
	if g.in[k] == in && (!in || g.x[k] == v) {
		return
	}
	if g.in[k] {
		g.pairs -= g.distances(k, g.x[k])
		g.sum -= g.x[k]
		g.n--
		g.in[k] = false
	}
	if in {
		g.pairs += g.distances(k, v)
		g.sum += v
		g.n++
		g.in[k], g.x[k] = true, v
	}
}

// distances is the sum of |v - x_j| over the slots j in, other than k.
func (g *giniTracker) distances(k int, v float64) float64 {
	d := 0.0
	for j, x := range g.x {
		if j != k && g.in[j] {
			if x > v {
				d += x - v
			} else {
				d += v - x
			}
		}
	}
	return d
}

// gini is the Gini coefficient of the slots in (0 with none, or all zero).
func (g *giniTracker) gini() float64 {
	if g.n == 0 || g.sum <= 0 {
		return 0
	}
	return g.pairs / (float64(g.n) * g.sum)
}
