package scheduling

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
)

// This file holds a small revised primal simplex for the covering LPs of
// shift generation. The module depends on gonum (forecasting fits with
// gonum/optimize), but gonum's optimize/convex/lp.Simplex does not fit these
// programs: it takes a dense A in equality standard form all at once, and
// re-solves its dense basis matrix from scratch every iteration. Ours are a
// few hundred rows with sparse 0/1/0.5 columns added a batch at a time by
// column generation, which suits an explicit basis inverse over the rows,
// updated in place, with sparse columns: an iteration costs O(rows^2),
// whatever the number of columns, and new columns keep the current basis.

// lpRowKind says which way a row's inequality points.
type lpRowKind int8

const (
	rowAtLeast lpRowKind = iota // sum a x >= rhs; shortfall allowed at a penalty
	rowAtMost                   // sum a x <= rhs
)

// lpRow is one constraint. Each row may be broken at a penalty per unit
// (an at-least row's shortfall, an at-most row's excess), so the program is
// always feasible and an unavoidable shortfall lands where penalty is lowest.
type lpRow struct {
	kind    lpRowKind
	rhs     float64 // >= 0
	penalty float64
}

// lpCol is one structural column: its cost and its sparse entries.
type lpCol struct {
	cost float64
	rows []int32
	vals []float64
}

// lpModel is min cost.x subject to the rows, x >= 0.
type lpModel struct {
	rows []lpRow
	cols []lpCol
}

// simplex is the solver state. Variables are numbered: structural columns
// 0..len(cols)-1, then per row r: logical 2r (surplus of an at-least row,
// slack of an at-most row, both free) and 2r+1 (shortfall of an at-least
// row, excess of an at-most row, both at the row's penalty).
type simplex struct {
	m      *lpModel
	nr     int
	basis  []int     // variable basic in each row
	inB    []int     // row of a basic variable or -1; indexed like variables
	binv   []float64 // nr x nr row-major
	xb     []float64
	y      []float64
	u      []float64
	pivots int
	// lastRefactor is the pivot count at the last refactorization.
	lastRefactor int
	aq           []float64 // scratch: the entering column
	nz           []int     // scratch: nonzero places of the pivot row
}

var errUnbounded = errors.New("the linear program is unbounded")

func (s *simplex) nvars() int { return len(s.m.cols) + 2*s.nr }

// newSimplex starts from the all-logical basis: shortfall variables in
// at-least rows and slacks in at-most rows (feasible, since every rhs >= 0).
// It returns an error for a negative or NaN right-hand side.
func newSimplex(m *lpModel) (*simplex, error) {
	s := &simplex{m: m, nr: len(m.rows)}
	for i, r := range m.rows {
		if r.rhs < 0 || math.IsNaN(r.rhs) {
			return nil, fmt.Errorf("lp row %d: right-hand side %g must be >= 0", i, r.rhs)
		}
	}
	s.reset()
	return s, nil
}

// reset goes back to the all-logical basis (after the rows' rhs changed).
func (s *simplex) reset() {
	n := s.nr
	s.basis = make([]int, n)
	s.inB = make([]int, s.nvars())
	for i := range s.inB {
		s.inB[i] = -1
	}
	s.binv = make([]float64, n*n)
	s.xb = make([]float64, n)
	s.y = make([]float64, n)
	s.u = make([]float64, n)
	for i, r := range s.m.rows {
		v := len(s.m.cols) + 2*i
		if r.kind == rowAtLeast {
			v++
		}
		s.basis[i] = v
		s.inB[v] = i
		s.binv[i*n+i] = 1
		s.xb[i] = r.rhs
	}
}

// grow makes room for columns appended to the model since the last solve;
// they start nonbasic.
func (s *simplex) grow() {
	old := len(s.inB) - 2*s.nr
	add := len(s.m.cols) - old
	if add <= 0 {
		return
	}
	// Logical variables are numbered after the structural ones: shift them.
	for i, v := range s.basis {
		if v >= old {
			s.basis[i] = v + add
		}
	}
	s.inB = make([]int, s.nvars())
	for i := range s.inB {
		s.inB[i] = -1
	}
	for i, v := range s.basis {
		s.inB[v] = i
	}
}

// column writes variable v's dense column into dst.
func (s *simplex) column(v int, dst []float64) {
	clear(dst)
	nc := len(s.m.cols)
	if v < nc {
		c := s.m.cols[v]
		for k, r := range c.rows {
			dst[r] = c.vals[k]
		}
		return
	}
	r := (v - nc) / 2
	dst[r] = s.sign(v)
}

// sign is a logical variable's coefficient in its row.
func (s *simplex) sign(v int) float64 {
	r, pen := (v-len(s.m.cols))/2, (v-len(s.m.cols))%2 == 1
	if (s.m.rows[r].kind == rowAtLeast) == pen {
		return 1 // shortfall, slack
	}
	return -1 // surplus, excess
}

func (s *simplex) cost(v int) float64 {
	nc := len(s.m.cols)
	if v < nc {
		return s.m.cols[v].cost
	}
	if (v-nc)%2 == 1 {
		return s.m.rows[(v-nc)/2].penalty
	}
	return 0
}

// reducedCost of variable v under the duals s.y.
func (s *simplex) reducedCost(v int) float64 {
	nc := len(s.m.cols)
	if v < nc {
		c := s.m.cols[v]
		d := c.cost
		for k, r := range c.rows {
			d -= s.y[r] * c.vals[k]
		}
		return d
	}
	r := (v - nc) / 2
	return s.cost(v) - s.sign(v)*s.y[r]
}

// duals computes y = c_B B^-1.
func (s *simplex) duals() {
	n := s.nr
	clear(s.y)
	for i, v := range s.basis {
		cb := s.cost(v)
		if cb == 0 {
			continue
		}
		row := s.binv[i*n : (i+1)*n]
		for k, b := range row {
			s.y[k] += cb * b
		}
	}
}

// refactor rebuilds B^-1 from the basis by Gauss-Jordan elimination with
// partial pivoting and recomputes the basic values, to shed rounding drift.
func (s *simplex) refactor() error {
	n := s.nr
	a := make([]float64, n*n) // B, column i = basis[i]
	col := make([]float64, n)
	for i, v := range s.basis {
		s.column(v, col)
		for r := 0; r < n; r++ {
			a[r*n+i] = col[r]
		}
	}
	inv := make([]float64, n*n)
	for i := 0; i < n; i++ {
		inv[i*n+i] = 1
	}
	for c := 0; c < n; c++ {
		p, best := -1, 1e-11
		for r := c; r < n; r++ {
			if v := math.Abs(a[r*n+c]); v > best {
				p, best = r, v
			}
		}
		if p < 0 {
			return errors.New("the simplex basis became singular")
		}
		if p != c {
			for k := 0; k < n; k++ {
				a[p*n+k], a[c*n+k] = a[c*n+k], a[p*n+k]
				inv[p*n+k], inv[c*n+k] = inv[c*n+k], inv[p*n+k]
			}
		}
		d := a[c*n+c]
		for k := 0; k < n; k++ {
			a[c*n+k] /= d
			inv[c*n+k] /= d
		}
		for r := 0; r < n; r++ {
			if r == c {
				continue
			}
			f := a[r*n+c]
			if f == 0 {
				continue
			}
			ar, ac := a[r*n:(r+1)*n], a[c*n:(c+1)*n]
			ir, ic := inv[r*n:(r+1)*n], inv[c*n:(c+1)*n]
			for k := 0; k < n; k++ {
				ar[k] -= f * ac[k]
				ir[k] -= f * ic[k]
			}
		}
	}
	// Rows of inv are indexed like the rows of B's columns, i.e. basis slots.
	s.binv = inv
	for i := range s.xb {
		v := 0.0
		row := s.binv[i*n : (i+1)*n]
		for r, b := range row {
			v += b * s.m.rows[r].rhs
		}
		s.xb[i] = math.Max(v, 0)
	}
	return nil
}

// solve runs primal simplex iterations from the current basis to an optimum.
// It returns ctx's error if ctx ends first.
func (s *simplex) solve(ctx context.Context) error {
	s.grow()
	n := s.nr
	const tol = 1e-9
	stall, lastObj := 0, math.Inf(1)
	for it := 0; ; it++ {
		if it%64 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if it == 0 || s.pivots-s.lastRefactor >= 1500 {
			if s.pivots-s.lastRefactor >= 1500 {
				if err := s.refactor(); err != nil {
					return err
				}
				s.lastRefactor = s.pivots
			}
			s.duals()
		}
		// Dantzig pricing; Bland's rule after a long run without progress, so
		// degenerate pivots cannot cycle.
		bland := stall > 50
		q, best := -1, -tol
		for v := 0; v < s.nvars(); v++ {
			if s.inB[v] >= 0 {
				continue
			}
			d := s.reducedCost(v)
			if d < best {
				q, best = v, d
				if bland {
					break
				}
			}
		}
		if q < 0 {
			return nil
		}
		// u = B^-1 a_q
		s.column(q, s.u) // reuse u as scratch for a_q
		aq := append(s.aq[:0], s.u...)
		s.aq = aq
		clear(s.u)
		for r, a := range aq {
			if a == 0 {
				continue
			}
			for i := 0; i < n; i++ {
				s.u[i] += s.binv[i*n+r] * a
			}
		}
		p, theta := -1, math.Inf(1)
		for i, ui := range s.u {
			if ui > 1e-9 {
				t := s.xb[i] / ui
				if t < theta-1e-12 || (t < theta+1e-12 && (p < 0 || (bland && s.basis[i] < s.basis[p]) || (!bland && ui > s.u[p]))) {
					p, theta = i, t
				}
			}
		}
		if p < 0 {
			return errUnbounded
		}
		for i := range s.xb {
			s.xb[i] -= theta * s.u[i]
			if s.xb[i] < 0 {
				s.xb[i] = 0
			}
		}
		s.xb[p] = theta
		up := s.u[p]
		rp := s.binv[p*n : (p+1)*n]
		nz := s.nz[:0] // row p of B^-1 is sparse on covering programs
		for k := range rp {
			rp[k] /= up
			if rp[k] != 0 {
				nz = append(nz, k)
			}
		}
		s.nz = nz
		for i := 0; i < n; i++ {
			if i == p || s.u[i] == 0 {
				continue
			}
			f := s.u[i]
			ri := s.binv[i*n : (i+1)*n]
			for _, k := range nz {
				ri[k] -= f * rp[k]
			}
		}
		// The entering column's reduced cost must become zero: y moves along
		// the new row p of B^-1.
		for k, b := range rp {
			s.y[k] += best * b
		}
		s.inB[s.basis[p]] = -1
		s.basis[p] = q
		s.inB[q] = p
		s.pivots++
		obj := s.objective()
		if obj < lastObj-1e-9 {
			stall, lastObj = 0, obj
		} else {
			stall++
		}
	}
}

func (s *simplex) objective() float64 {
	o := 0.0
	for i, v := range s.basis {
		o += s.cost(v) * s.xb[i]
	}
	return o
}

// value of structural column j in the current basic solution.
func (s *simplex) value(j int) float64 {
	if r := s.inB[j]; r >= 0 {
		return s.xb[r]
	}
	return 0
}

// shortfall of row r in the current basic solution.
func (s *simplex) shortfall(r int) float64 {
	v := len(s.m.cols) + 2*r + 1
	if i := s.inB[v]; i >= 0 {
		return s.xb[i]
	}
	return 0
}

// check recomputes the basic solution and duals from scratch and returns the
// worst primal infeasibility, the most negative reduced cost and the drift of
// the basic values: all three near zero at a true optimum.
func (s *simplex) check() (infeas, minRC, drift float64) {
	old := append([]float64(nil), s.xb...)
	if err := s.refactor(); err != nil {
		return math.Inf(1), math.Inf(-1), math.Inf(1)
	}
	for i := range old {
		drift = math.Max(drift, math.Abs(old[i]-s.xb[i]))
	}
	s.duals()
	for v := 0; v < s.nvars(); v++ {
		if s.inB[v] < 0 {
			minRC = math.Min(minRC, s.reducedCost(v))
		}
	}
	// Primal: rows satisfied by the structural + logical values.
	act := make([]float64, s.nr)
	col := make([]float64, s.nr)
	for i, v := range s.basis {
		s.column(v, col)
		for r, a := range col {
			act[r] += a * s.xb[i]
		}
	}
	for r, row := range s.m.rows {
		infeas = math.Max(infeas, math.Abs(act[r]-row.rhs))
	}
	return infeas, minRC, drift
}

// cloneOn copies the solver state onto m, a copy of its model.
func (s *simplex) cloneOn(m *lpModel) *simplex {
	c := *s
	c.m = m
	c.basis = slices.Clone(s.basis)
	c.inB = slices.Clone(s.inB)
	c.binv = slices.Clone(s.binv)
	c.xb = slices.Clone(s.xb)
	c.y = slices.Clone(s.y)
	c.u = slices.Clone(s.u)
	c.aq, c.nz = nil, nil // scratch is never shared
	return &c
}

// addRow extends the basis with the model's last row, which must have just
// been appended (with its entries added to the columns) after a solve: that
// row's shortfall (at-least) or slack (at-most) becomes basic. The basic
// solution stays feasible when the current point leaves the new row short
// (at-least) or within it (at-most).
func (s *simplex) addRow() {
	s.grow()
	n := s.nr
	r := s.m.rows[n]
	// Entries of the new row in the basic columns.
	arow := make([]float64, n)
	act := 0.0
	for i, v := range s.basis {
		if v < len(s.m.cols) {
			c := s.m.cols[v]
			for k, rr := range c.rows {
				if int(rr) == n {
					arow[i] = c.vals[k]
				}
			}
		}
		act += arow[i] * s.xb[i]
	}
	// The new basic variable is the row's logical that is >= 0 at the
	// current point; B' = [B 0; a sigma], so B'^-1 = [B^-1 0; -a B^-1/sigma 1/sigma].
	v := len(s.m.cols) + 2*n
	val := r.rhs - act // what a +1 logical would be
	if (r.kind == rowAtLeast) == (val > 0) {
		v++ // shortfall of an at-least row, excess of an at-most row
	}
	sigma := s.sign(v)
	val /= sigma
	nn := n + 1
	binv := make([]float64, nn*nn)
	for i := 0; i < n; i++ {
		copy(binv[i*nn:i*nn+n], s.binv[i*n:(i+1)*n])
	}
	last := binv[n*nn : n*nn+nn]
	for i, a := range arow {
		if a == 0 {
			continue
		}
		for k := 0; k < n; k++ {
			last[k] -= a * s.binv[i*n+k] / sigma
		}
	}
	last[n] = 1 / sigma
	s.binv = binv
	s.nr = nn
	s.basis = append(s.basis, v)
	s.xb = append(s.xb, val)
	s.inB = append(s.inB, -1, -1)
	s.inB[v] = n
	s.y = make([]float64, nn)
	s.u = make([]float64, nn)
}
