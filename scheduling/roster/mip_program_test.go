package roster

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// lpProgram is an LP-format program as rosterProgram writes it, read back:
// the objective's terms and every row.
type lpProgram struct {
	obj  []lpTerm
	rows []lpRowText
	vars map[string]bool
}

type lpRowText struct {
	name  string
	terms []lpTerm
	sense string
	rhs   float64
}

// parseProgram reads rosterProgram's output (objective, rows; bounds and
// the binaries only name variables).
func parseProgram(t *testing.T, prog []byte) lpProgram {
	t.Helper()
	text := string(prog)
	objAt, rowsAt, boundsAt := strings.Index(text, "obj:"), strings.Index(text, "Subject To"), strings.Index(text, "Bounds")
	require.True(t, objAt >= 0 && rowsAt > objAt && boundsAt > rowsAt, "the program's sections")
	out := lpProgram{vars: map[string]bool{}}
	terms := func(tokens []string) []lpTerm {
		var ts []lpTerm
		for k := 0; k+1 < len(tokens); k += 2 {
			c, err := strconv.ParseFloat(tokens[k], 64)
			require.NoError(t, err, "coefficient %q", tokens[k])
			ts = append(ts, lpTerm{c, tokens[k+1]})
			out.vars[tokens[k+1]] = true
		}
		return ts
	}
	out.obj = terms(strings.Fields(text[objAt+len("obj:") : rowsAt]))
	tokens := strings.Fields(text[rowsAt+len("Subject To") : boundsAt])
	for k := 0; k < len(tokens); {
		require.True(t, strings.HasSuffix(tokens[k], ":"), "a row name at %q", tokens[k])
		r := lpRowText{name: strings.TrimSuffix(tokens[k], ":")}
		e := k + 1
		for tokens[e] != "<=" && tokens[e] != ">=" && tokens[e] != "=" {
			e++
		}
		r.terms, r.sense = terms(tokens[k+1:e]), tokens[e]
		var err error
		r.rhs, err = strconv.ParseFloat(tokens[e+1], 64)
		require.NoError(t, err)
		out.rows = append(out.rows, r)
		k = e + 2
	}
	return out
}

// TestSolverRostersArePointsOfTheMIP checks BenchmarkRosterFollowSunMIP's
// program against rosters the solver found on small follow-the-sun weeks:
// each roster, written as the program's variables (one x per shift on its
// agent, pattern and queue, the pattern-queue counts, each break's
// placement, and the least shortfall each cover row allows), keeps every
// row, and its objective there (paid hours plus 100 per agent-hour short) is
// at most the roster's own. So the program leaves no roster of the solver
// out, and its optimum bounds them.
func TestSolverRostersArePointsOfTheMIP(t *testing.T) {
	checked := 0
	for seed := uint64(1); seed <= 3; seed++ {
		p := followSunProblem(t, 18, 0.9, seed)
		p.MaxRounds = 4
		p.SearchEpochs = 1
		r, err := Solve(context.Background(), p)
		require.NoError(t, err)
		rep, err := Measure(p, r.Assignments)
		require.NoError(t, err)
		if len(rep.Violations) > 0 {
			t.Logf("seed %d: the roster breaks %d rules it could not keep (%s); the program asks them all", seed, len(rep.Violations), rep.Violations[0].Message)
			continue
		}
		ps := p
		ps.defaults()
		ps.Agents = ps.eligible()
		s := newSolver(&ps)
		prog, _ := rosterProgram(s, -1, false)
		lp := parseProgram(t, prog)

		index := map[string]int{}
		for ai, a := range ps.Agents {
			index[a.ID] = ai
		}
		queue := map[string]int{}
		for q, name := range ps.Queues {
			queue[name] = q
		}
		val := map[string]float64{}
		for _, x := range r.Assignments {
			ai, q := index[x.Agent], queue[x.Queue]
			z := s.agents[ai].z
			pi := -1
			for k, pt := range s.zones[z].pats {
				if pt.start.Equal(x.Shift.Start) && ps.Templates.Templates[pt.tmpl].Name == x.Shift.Template {
					pi = k
				}
			}
			require.GreaterOrEqual(t, pi, 0, "seed %d: %s's shift at %s is one of his zone's patterns", seed, x.Agent, x.Shift.Start)
			name := fmt.Sprintf("x%d_%d_%d", ai, pi, q)
			require.True(t, lp.vars[name], "seed %d: the program has %s's shift at %s on %s", seed, x.Agent, x.Shift.Start, x.Queue)
			val[name]++
			val[fmt.Sprintf("X%d_%d_%d", z, pi, q)]++
			tm := ps.Templates.Templates[s.zones[z].pats[pi].tmpl]
			for bi, br := range tm.Breaks {
				off := int(x.Shift.Breaks[bi].Start.Sub(x.Shift.Start) / time.Minute)
				val[fmt.Sprintf("w%d_%d_%d_%d_%d", z, pi, q, bi, (off-br.EarliestStart)/br.StepMin)]++
			}
		}
		// Each cover row's shortfall variable takes the least it may.
		for _, row := range lp.rows {
			var u string
			rest := 0.0
			for _, tm := range row.terms {
				if strings.HasPrefix(tm.name, "u") {
					u = tm.name
				} else {
					rest += tm.coef * val[tm.name]
				}
			}
			if u != "" {
				val[u] = math.Max(0, row.rhs-rest)
			}
		}
		for _, row := range lp.rows {
			lhs := 0.0
			var used []string // the row's terms the roster sets
			for _, tm := range row.terms {
				lhs += tm.coef * val[tm.name]
				if val[tm.name] != 0 {
					used = append(used, fmt.Sprintf("%+g %s = %g", tm.coef, tm.name, val[tm.name]))
				}
			}
			switch row.sense {
			case "<=":
				require.LessOrEqual(t, lhs, row.rhs+1e-6, "seed %d: row %s: %v", seed, row.name, used)
			case ">=":
				require.GreaterOrEqual(t, lhs, row.rhs-1e-6, "seed %d: row %s: %v", seed, row.name, used)
			default:
				require.InDelta(t, row.rhs, lhs, 1e-6, "seed %d: row %s: %v", seed, row.name, used)
			}
		}
		obj := 0.0
		for _, tm := range lp.obj {
			obj += tm.coef * val[tm.name]
		}
		own := rep.Total.PaidHours + ps.Weights.Under*rep.Total.UnderHours
		require.LessOrEqual(t, obj, own+1e-6, "seed %d: the program's objective at the roster is at most its own", seed)
		checked++
		t.Logf("seed %d: %d shifts, %d rows kept; objective %.2f there, %.2f the roster's own", seed, len(r.Assignments), len(lp.rows), obj, own)
	}
	require.Positive(t, checked, "no roster kept every rule, so none was checked")
}
