package roster

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestGiniTrackerMatchesTheReportsGini changes random slots of a tracker,
// emptying some, and compares its Gini after each change with the one the
// report computes from scratch (spread).
func TestGiniTrackerMatchesTheReportsGini(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	for _, slots := range []int{1, 2, 7, 60} {
		g := newGiniTracker(slots)
		assert.Zero(t, g.gini(), "no slots in")
		for step := 0; step < 2000; step++ {
			k := rng.IntN(slots)
			g.set(k, rng.Float64(), rng.IntN(5) > 0)
			var xs []float64
			for j := range slots {
				if g.in[j] {
					xs = append(xs, g.x[j])
				}
			}
			_, _, want := spread(xs)
			if !assert.InDelta(t, want, g.gini(), 1e-9, "%d slots, step %d", slots, step) {
				return
			}
		}
	}
}
