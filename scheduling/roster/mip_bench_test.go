package roster

import (
	"fmt"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkRosterFollowSunMIP writes the follow-the-sun week as an integer
// program whose columns are every shift an agent may work (agent x template
// x start on his clock x queue) and lets a MIP solver find the least paid
// hours of any roster whose under-coverage stays within a cap, or the least
// of the solver's own objective. A bound from it would say how far the
// solver is from the best any roster can do, which the headcount bound and
// the contract minimums cannot: they leave out whole shifts in their start
// windows, availability and skills. docs/benchmarks/rostering.md has what
// HiGHS and CBC make of it.
//
// The program keeps the solver's hard rules: one shift a local day, rest
// (also from published shifts), weekly hours, shifts and minimums as the
// solver reads them (minimums out of reach lowered as it lowers them), days
// in a row, availability, time off, skills at their minimum level and the
// templates' contracts. Each shift covers only its queue. Breaks are placed
// per pattern and queue, each in its own window (the windows of one
// template do not overlap, so the cover is linear in each break); their
// placements may be split, which only lowers the bound. The stretch limit,
// fairness and preferences are left out: the bound holds for the cheapest
// roster and so for the kind one. TestSolverRostersArePointsOfTheMIP checks
// that the solver's rosters are points of the program.
//
// The MIP solvers are benchmark tooling, not Peakwise dependencies; the
// benchmark skips without the one chosen.
//
//   - PEAKWISE_MIP: highs (default: the npm package "highs", HiGHS compiled
//     to WebAssembly, run with Node.js by ../testdata/highs_solve.cjs, in
//     the directory PEAKWISE_HIGHS_DIR names, where npm install
//     highs@1.15.3 ran) or cbc (apt-get install coinor-cbc;
//     PEAKWISE_CBC_THREADS threads, default 1).
//   - PEAKWISE_FOLLOWSUN_SEED, PEAKWISE_FOLLOWSUN_LOAD: the week, as in
//     BenchmarkRosterFollowSun (load 0.8 by default here).
//   - PEAKWISE_MIP_AGENTS (default 120): a smaller center of the same
//     shape.
//   - PEAKWISE_MIP_UNDER: a cap on under-coverage, as a share of the
//     required agent-hours; the program then minimises paid hours alone.
//     Without it, the program minimises what the solver's cheapest roster
//     does, paid hours plus Weights.Under (100) per agent-hour short
//     (over-coverage, at 0.1, left out), and the benchmark reports both
//     objectives.
//   - PEAKWISE_MIP_RELAX=1 solves the LP relaxation only.
//   - PEAKWISE_MIP_SECONDS (default 600): the MIP solver's time limit.
//   - PEAKWISE_MIP_KEEP names a file to keep the program in.
func BenchmarkRosterFollowSunMIP(b *testing.B) {
	var command func(lp string, seconds float64) *exec.Cmd
	switch solver := os.Getenv("PEAKWISE_MIP"); solver {
	case "highs", "":
		node, err := exec.LookPath("node")
		dir := os.Getenv("PEAKWISE_HIGHS_DIR")
		if err != nil || dir == "" {
			b.Skip("needs node and PEAKWISE_HIGHS_DIR, a directory where npm install highs@1.15.3 ran (or PEAKWISE_MIP=cbc)")
		}
		runner, err := filepath.Abs("../testdata/highs_solve.cjs")
		if err != nil {
			b.Fatal(err)
		}
		command = func(lp string, seconds float64) *exec.Cmd {
			cmd := exec.Command(node, runner, lp, strconv.FormatFloat(seconds, 'f', -1, 64))
			cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(dir, "node_modules"))
			return cmd
		}
	case "cbc":
		cbc, err := exec.LookPath("cbc")
		if err != nil {
			b.Skip("cbc not installed (apt-get install coinor-cbc)")
		}
		command = func(lp string, seconds float64) *exec.Cmd {
			return exec.Command(cbc, lp, "threads", strconv.Itoa(int(envFloat(b, "PEAKWISE_CBC_THREADS", 1))), "sec", strconv.FormatFloat(seconds, 'f', -1, 64), "solve", "quit")
		}
	default:
		b.Fatalf("PEAKWISE_MIP %q: want highs or cbc", solver)
	}
	seed := uint64(envFloat(b, "PEAKWISE_FOLLOWSUN_SEED", 1))
	load := envFloat(b, "PEAKWISE_FOLLOWSUN_LOAD", 0.8)
	capShare := envFloat(b, "PEAKWISE_MIP_UNDER", -1)
	seconds := envFloat(b, "PEAKWISE_MIP_SECONDS", 600)
	relax := os.Getenv("PEAKWISE_MIP_RELAX") == "1"
	agents := int(envFloat(b, "PEAKWISE_MIP_AGENTS", 120))
	p := followSunPeriod(b, agents, load, seed, true)
	minimum := contractMinimum(p)
	// The solver's cheapest roster of the same week, for comparison.
	cheap := p
	cheap.Cheapest = true
	rep, _ := solveTimed(b, cheap, 30*time.Second)
	b.Logf("the solver's cheapest roster: %.1f paid hours, %.2f%% under, %d breaches", rep.Total.PaidHours, 100*rep.Total.UnderHours/rep.Total.RequiredHours, len(rep.Violations))
	b.ReportMetric(rep.Total.PaidHours, "solver-paid-h")
	b.ReportMetric(rep.Total.PaidHours+p.Weights.Under*rep.Total.UnderHours, "solver-objective")
	b.ReportMetric(100*rep.Total.UnderHours/rep.Total.RequiredHours, "solver-under-%req")
	p.defaults()
	p.Agents = p.eligible()
	s := newSolver(&p)
	prog, stats := rosterProgram(s, capShare, relax)
	b.Logf("%d agents, seed %d, load %.2f: %s", agents, seed, load, stats)

	path := os.Getenv("PEAKWISE_MIP_KEEP")
	if path == "" {
		path = filepath.Join(b.TempDir(), "roster.lp")
	}
	if err := os.WriteFile(path, prog, 0o644); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	out, err := command(path, seconds).CombinedOutput()
	b.StopTimer()
	if err != nil {
		b.Fatalf("the MIP solver: %v\n%s", err, out)
	}
	value := func(label string) float64 {
		m := regexp.MustCompile(label + `:?\s+(-?[0-9.e+-]+)`).FindSubmatch(out)
		if m == nil {
			return math.NaN()
		}
		v, _ := strconv.ParseFloat(string(m[1]), 64)
		return v
	}
	if regexp.MustCompile(`Problem proven infeasible`).Find(out) != nil {
		b.Fatalf("no roster keeps under-coverage within %.2f%%:\n%s", 100*capShare, tail(out, 40))
	}
	best, bound := value("Objective value"), value("Lower bound")
	if relax {
		bound = best
	}
	b.Logf("the MIP solver:\n%s", tail(out, 30))
	b.ReportMetric(minimum, "contract-min-h")
	if capShare < 0 {
		b.ReportMetric(bound, "objective-bound")
		if !relax {
			b.ReportMetric(best, "objective-best")
		}
		return
	}
	b.ReportMetric(bound, "paid-bound-h")
	b.ReportMetric(100*(bound/minimum-1), "bound-over-contract-min-%")
	if !relax {
		b.ReportMetric(best, "paid-best-h")
		b.ReportMetric(100*(best/minimum-1), "best-over-contract-min-%")
	}
}

func envFloat(tb testing.TB, name string, def float64) float64 {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 {
		tb.Fatalf("%s %q: want a number >= 0", name, v)
	}
	return f
}

func tail(out []byte, lines int) string {
	all := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

// lpWriter writes an LP-format program a row at a time.
type lpWriter struct {
	rows int
	sb   strings.Builder
}

type lpTerm struct {
	coef float64
	name string
}

func (w *lpWriter) row(terms []lpTerm, sense string, rhs float64) {
	fmt.Fprintf(&w.sb, " r%d:", w.rows)
	w.rows++
	writeTerms(&w.sb, terms)
	fmt.Fprintf(&w.sb, " %s %g\n", sense, rhs)
}

// writeTerms writes a linear expression, eight terms a line.
func writeTerms(sb *strings.Builder, terms []lpTerm) {
	for k, t := range terms {
		if k > 0 && k%8 == 0 {
			sb.WriteString("\n  ")
		}
		fmt.Fprintf(sb, " %+g %s", t.coef, t.name)
	}
}

// rosterProgram builds BenchmarkRosterFollowSunMIP's program from a fresh
// solver's patterns, agents and requirements: minimise paid hours with
// under-coverage at most capShare of the required agent-hours or, with
// capShare < 0, paid hours plus Weights.Under per agent-hour short.
func rosterProgram(s *solver, capShare float64, relax bool) ([]byte, string) {
	type key struct{ z, pat, q int }
	users := map[key][]string{}
	var obj []lpTerm
	var binaries []string
	w := &lpWriter{}
	for ai := range s.agents {
		st := &s.agents[ai]
		if st.blocked {
			continue
		}
		c := s.p.Agents[ai].Contract
		rest := time.Duration(c.MinRestHours * float64(time.Hour))
		pats := s.zones[st.z].pats
		var mine []int
	pattern:
		for pi := range pats {
			pt := &pats[pi]
			if st.bookedDay[pt.day] || !s.staticOK(ai, pt) {
				continue
			}
			if m := s.p.Templates.Templates[pt.tmpl].MaxAgents; m != nil && *m == 0 {
				continue
			}
			for _, bk := range st.booked {
				if bk.Start.Before(pt.end.Add(rest)) && pt.start.Before(bk.End.Add(rest)) {
					continue pattern
				}
			}
			mine = append(mine, pi)
		}
		queues := s.groups[st.g].queues
		names := map[int][]string{} // pattern -> its x variables, one per queue
		for _, pi := range mine {
			for _, q := range queues {
				n := fmt.Sprintf("x%d_%d_%d", ai, pi, q)
				names[pi] = append(names[pi], n)
				obj = append(obj, lpTerm{float64(pats[pi].paid) / 60, n})
				binaries = append(binaries, n)
				users[key{st.z, pi, q}] = append(users[key{st.z, pi, q}], n)
			}
		}
		all := func(pis []int, coef func(pi int) float64) []lpTerm {
			var ts []lpTerm
			for _, pi := range pis {
				for _, n := range names[pi] {
					ts = append(ts, lpTerm{coef(pi), n})
				}
			}
			return ts
		}
		one := func(int) float64 { return 1 }
		byDay, byWeek := map[int][]int{}, map[int][]int{}
		for _, pi := range mine {
			byDay[pats[pi].day] = append(byDay[pats[pi].day], pi)
			byWeek[pats[pi].week] = append(byWeek[pats[pi].week], pi)
		}
		for _, d := range slices.Sorted(maps.Keys(byDay)) {
			w.row(all(byDay[d], one), "<=", 1)
		}
		// Rest: shifts whose [start, end+rest) overlap conflict; the
		// cliques of that interval graph sit at the shifts' starts.
		seen := map[string]bool{}
		for _, pi := range mine {
			t := pats[pi].start
			var set []int
			days := map[int]bool{}
			for _, pj := range mine {
				if !pats[pj].start.After(t) && t.Before(pats[pj].end.Add(rest)) {
					set = append(set, pj)
					days[pats[pj].day] = true
				}
			}
			k := fmt.Sprint(set)
			if len(days) < 2 || seen[k] {
				continue
			}
			seen[k] = true
			w.row(all(set, one), "<=", 1)
		}
		for wk := range st.weekMin {
			if _, ok := byWeek[wk]; !ok {
				byWeek[wk] = nil
			}
		}
		for _, wk := range slices.Sorted(maps.Keys(byWeek)) {
			paid := all(byWeek[wk], func(pi int) float64 { return float64(pats[pi].paid) })
			if lo := st.weekMin[wk] - st.weekPaid[wk]; lo > 0 {
				w.row(paid, ">=", float64(lo))
			}
			if len(paid) == 0 {
				continue
			}
			if c.MaxWeekHours > 0 {
				w.row(paid, "<=", c.MaxWeekHours*60-float64(st.weekPaid[wk]))
			}
			if c.MaxShiftsPerWeek > 0 {
				w.row(all(byWeek[wk], one), "<=", float64(c.MaxShiftsPerWeek-st.weekShifts[wk]))
			}
		}
		if k := c.MaxConsecutiveDays; k > 0 && len(mine) > 0 {
			days := slices.Sorted(maps.Keys(byDay))
			for d0 := days[0] - k; d0 <= days[len(days)-1]; d0++ {
				booked, free := 0, 0
				var pis []int
				for d := d0; d <= d0+k; d++ {
					switch {
					case st.bookedDay[d]:
						booked++
					case len(byDay[d]) > 0:
						free++
						pis = append(pis, byDay[d]...)
					}
				}
				if free > 0 && booked+free > k {
					w.row(all(pis, one), "<=", float64(k-booked))
				}
			}
		}
	}
	agentRows := w.rows

	// Cover: each shift counts on its queue only, less its breaks.
	Q := s.Q
	cover := map[int][]lpTerm{} // i*Q+q -> terms
	keys := make([]key, 0, len(users))
	for k := range users {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b key) int {
		return slices.Compare([]int{a.z, a.pat, a.q}, []int{b.z, b.pat, b.q})
	})
	var aggregates, breakVars int
	for _, k := range keys {
		pt := &s.zones[k.z].pats[k.pat]
		span := coverCells(s.p.Start, s.p.Step, pt.start, pt.end, nil, nil)
		needed := func(cs []cell) []cell {
			var out []cell
			for _, c := range cs {
				if s.req[int(c.i)*Q+k.q] > 0 {
					out = append(out, c)
				}
			}
			return out
		}
		if len(needed(span)) == 0 {
			continue
		}
		x := fmt.Sprintf("X%d_%d_%d", k.z, k.pat, k.q)
		aggregates++
		link := []lpTerm{{1, x}}
		for _, n := range users[k] {
			link = append(link, lpTerm{-1, n})
		}
		w.row(link, "=", 0)
		for _, c := range needed(span) {
			cover[int(c.i)*Q+k.q] = append(cover[int(c.i)*Q+k.q], lpTerm{c.v, x})
		}
		for bi, br := range s.p.Templates.Templates[pt.tmpl].Breaks {
			var prints [][]cell
			free := false
			for off := br.EarliestStart; off <= br.LatestStart; off += br.StepMin {
				bs := pt.start.Add(time.Duration(off) * time.Minute)
				fp := needed(coverCells(s.p.Start, s.p.Step, bs, bs.Add(time.Duration(br.LengthMin)*time.Minute), nil, nil))
				free = free || len(fp) == 0
				prints = append(prints, fp)
			}
			if free {
				continue // a placement that takes no needed cover is always best
			}
			link := []lpTerm{{-1, x}}
			for pk, fp := range prints {
				n := fmt.Sprintf("w%d_%d_%d_%d_%d", k.z, k.pat, k.q, bi, pk)
				breakVars++
				link = append(link, lpTerm{1, n})
				for _, c := range fp {
					cover[int(c.i)*Q+k.q] = append(cover[int(c.i)*Q+k.q], lpTerm{-c.v, n})
				}
			}
			w.row(link, "=", 0)
		}
	}
	var bounds []string
	var capRow []lpTerm
	required := 0.0
	for iq, r := range s.req {
		if r <= 0 {
			continue
		}
		required += r * s.stepH
		u := fmt.Sprintf("u%d_%d", iq/Q, iq%Q)
		bounds = append(bounds, fmt.Sprintf(" 0 <= %s <= %g", u, r))
		capRow = append(capRow, lpTerm{s.stepH, u})
		w.row(append(cover[iq], lpTerm{1, u}), ">=", r)
	}
	if capShare >= 0 {
		w.row(capRow, "<=", capShare*required)
	} else {
		for _, t := range capRow {
			obj = append(obj, lpTerm{s.p.Weights.Under * t.coef, t.name})
		}
	}

	shiftCols := len(binaries)
	var out strings.Builder
	out.WriteString("Minimize\n obj:")
	writeTerms(&out, obj)
	out.WriteString("\nSubject To\n")
	out.WriteString(w.sb.String())
	out.WriteString("Bounds\n")
	for _, b := range bounds {
		out.WriteString(b + "\n")
	}
	if !relax {
		out.WriteString("Binary\n")
	} else {
		for _, n := range binaries {
			fmt.Fprintf(&out, " 0 <= %s <= 1\n", n)
		}
		binaries = nil
	}
	for k, n := range binaries {
		out.WriteString(" " + n)
		if k%10 == 9 {
			out.WriteString("\n")
		}
	}
	out.WriteString("\nEnd\n")
	stats := fmt.Sprintf("%d shift columns, %d pattern-queue aggregates, %d break placements, %d cover rows, %d agent rows, %d rows in all, %.0f required agent-hours",
		shiftCols, aggregates, breakVars, len(bounds), agentRows, w.rows, required)
	if capShare >= 0 {
		stats += fmt.Sprintf(", under-coverage at most %.1f h", capShare*required)
	}
	return []byte(out.String()), stats
}
