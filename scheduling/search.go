package scheduling

import (
	"context"
	"math"
)

// Local search over a plan's break placements: a shift whose breaks move can
// fill a hole another shift's removal opens, so shifts the rounding left
// spare are found and dropped.

// breakGain is the shortfall a break placement removes (negative: adds)
// compared with taking the break nowhere... it is the change of total
// shortfall when the break at cells from moves to cells to.
func (g *generator) moveDelta(from, to []cell) float64 {
	d := 0.0
	for _, x := range from { // giving the break back here adds cover
		short := math.Max(0, g.p.Required[x.i]-g.cov[x.i])
		d -= math.Min(short, x.v)
	}
	for _, x := range from {
		g.cov[x.i] += x.v
	}
	for _, x := range to { // taking it here removes cover
		short := math.Max(0, g.p.Required[x.i]-g.cov[x.i])
		after := math.Max(0, g.p.Required[x.i]-(g.cov[x.i]-x.v))
		d += after - short
	}
	for _, x := range from {
		g.cov[x.i] -= x.v
	}
	return d
}

// repairBreaks moves breaks, one at a time, to wherever they lower the
// shortfall most, while any move helps. allowed, when not nil, vetoes
// placements (stress rules): it gets the shift's index and its proposed
// break offsets while the shift still has its current ones. It returns the
// shortfall left.
func (s *coverSolver) repairBreaks(ctx context.Context, allowed func(k int, offs []int) bool) float64 {
	g := s.g
	for pass := 0; pass < 20 && ctx.Err() == nil; pass++ {
		if g.shortfall() < 1e-9 {
			return 0
		}
		improved := false
		for k := range g.chosen {
			pl := &g.chosen[k]
			ci := s.candIndex(pl.c)
			t := g.ts.Templates[pl.c.tmpl]
			for bi, b := range t.Breaks {
				cur := b.option(pl.breaks[bi])
				from := s.geo[ci].taken[bi][cur]
				best, bestD := cur, -1e-9
				for o := range s.geo[ci].opts[bi] {
					if o == cur {
						continue
					}
					d := g.moveDelta(from, s.geo[ci].taken[bi][o])
					if d >= bestD {
						continue
					}
					if allowed != nil {
						trial := append([]int(nil), pl.breaks...)
						trial[bi] = s.geo[ci].opts[bi][o]
						if !allowed(k, trial) {
							continue
						}
					}
					best, bestD = o, d
				}
				if best != cur {
					for _, x := range from {
						g.cov[x.i] += x.v
					}
					for _, x := range s.geo[ci].taken[bi][best] {
						g.cov[x.i] -= x.v
					}
					pl.breaks[bi] = s.geo[ci].opts[bi][best]
					improved = true
				}
			}
		}
		if !improved {
			break
		}
	}
	return g.shortfall()
}

// dropSpare tries to take out each shift, longest paid first, and cover the
// hole by moving other shifts' breaks; a removal is kept when no shortfall is
// left.
func (s *coverSolver) dropSpare(ctx context.Context, allowed func(k int, offs []int) bool) {
	g := s.g
	for changed := true; changed && ctx.Err() == nil; {
		changed = false
		for k := 0; k < len(g.chosen) && ctx.Err() == nil; k++ {
			savedCov := append([]float64(nil), g.cov...)
			saved := make([]placed, len(g.chosen))
			for i, pl := range g.chosen {
				saved[i] = placed{c: pl.c, breaks: append([]int(nil), pl.breaks...)}
			}
			out := g.chosen[k]
			g.apply(out, -1)
			g.chosen = append(g.chosen[:k:k], g.chosen[k+1:]...)
			if s.repairBreaks(ctx, allowed) < 1e-9 {
				g.used[out.c.tmpl]--
				changed = true
				k--
				continue
			}
			g.chosen, g.cov = saved, savedCov
		}
	}
}

// candIndex finds a placed shift's candidate.
func (s *coverSolver) candIndex(c candidate) int {
	if s.byStart == nil {
		s.byStart = map[candKey]int{}
		for ci, cc := range s.g.cands {
			s.byStart[candKey{cc.tmpl, cc.start.UnixNano()}] = ci
		}
	}
	return s.byStart[candKey{c.tmpl, c.start.UnixNano()}]
}

type candKey struct {
	tmpl  int
	start int64
}
