package scheduling

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
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

// breakCombos lists every placement of a template's breaks (offsets from the
// shift start) in which no two breaks overlap.
func breakCombos(t Template) [][]int {
	combos := [][]int{{}}
	for bi, b := range t.Breaks {
		var next [][]int
		for _, c := range combos {
			for s := b.EarliestStart; s <= b.LatestStart; s += b.StepMin {
				if bi > 0 && s < c[bi-1]+t.Breaks[bi-1].LengthMin {
					continue
				}
				next = append(next, append(append([]int(nil), c...), s))
			}
		}
		combos = next
	}
	return combos
}

// BenchmarkCBCGap writes the set-covering integer program of the 24/7
// double-peak week (every template x start x break placement is a column),
// lets a MIP solver solve it, and reports the generator's paid hours against
// the solver's best plan and its proven lower bound, with the solver's own
// gap. Neither solver is a Peakwise dependency; the benchmark skips without
// the one chosen.
//
//   - PEAKWISE_MIP: cbc (default; apt-get install coinor-cbc) or highs
//     (HiGHS compiled to WebAssembly: npm install highs@1.15.3 in the
//     directory PEAKWISE_HIGHS_DIR names; run with Node.js by
//     testdata/highs_solve.cjs).
//   - PEAKWISE_CBC_SECONDS (default 300): the solver's time limit;
//     PEAKWISE_CBC_THREADS (default 1): CBC's threads.
//   - PEAKWISE_CBC_SCALE (default 1) multiplies the instance's workload (a
//     larger center); PEAKWISE_CBC_PLANTED=seed solves a planted 90-pair week
//     with a known optimum (plantedDoublePeak) instead.
//   - PEAKWISE_CBC_REQUIREMENTS=R.csv solves the week of a requirements CSV
//     (RFC 3339 timestamps, 30-minute rows, required_staff or required), as
//     a cyclic week on UTC's clock, instead: BenchmarkScheduleErlangWeek's
//     with PEAKWISE_E2E_KEEP=R.csv.
//   - PEAKWISE_CBC_MODEL: implicit (default) or explicit break placements.
//   - PEAKWISE_CBC_LOG names a file for the solver's log.
//   - PEAKWISE_MIP_BUDGET=H adds the row "paid hours <= H" and asks only
//     whether such a plan exists: a proof that none does proves every plan
//     pays at least H plus one pay unit (the gcd of the templates' paid
//     time), a lower bound the LP relaxation cannot give on this week.
func BenchmarkCBCGap(b *testing.B) {
	solver := envOr("PEAKWISE_MIP", "cbc")
	var command func(lp string) *exec.Cmd
	switch solver {
	case "cbc":
		cbc, err := exec.LookPath("cbc")
		if err != nil {
			b.Skip("cbc not installed (apt-get install coinor-cbc); this comparison needs it")
		}
		command = func(lp string) *exec.Cmd {
			return exec.Command(cbc, lp, "threads", envOr("PEAKWISE_CBC_THREADS", "1"), "sec", envOr("PEAKWISE_CBC_SECONDS", "300"), "solve", "quit")
		}
	case "highs":
		node, err := exec.LookPath("node")
		dir := os.Getenv("PEAKWISE_HIGHS_DIR")
		if err != nil || dir == "" {
			b.Skip("PEAKWISE_MIP=highs needs node and PEAKWISE_HIGHS_DIR, a directory where npm install highs@1.15.3 ran")
		}
		runner, err := filepath.Abs("testdata/highs_solve.cjs")
		if err != nil {
			b.Fatal(err)
		}
		command = func(lp string) *exec.Cmd {
			cmd := exec.Command(node, runner, lp, envOr("PEAKWISE_CBC_SECONDS", "300"))
			cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(dir, "node_modules"))
			return cmd
		}
	default:
		b.Fatalf("PEAKWISE_MIP %q: want cbc or highs", solver)
	}
	ny, _ := time.LoadLocation("America/New_York")
	scale, err := strconv.ParseFloat(envOr("PEAKWISE_CBC_SCALE", "1"), 64)
	if err != nil || scale <= 0 {
		b.Fatalf("PEAKWISE_CBC_SCALE %q: want a positive number", os.Getenv("PEAKWISE_CBC_SCALE"))
	}
	p := doublePeakScaled(ny, time.Date(2026, 1, 5, 0, 0, 0, 0, ny), scale)
	p.Cyclic = true
	if seed := os.Getenv("PEAKWISE_CBC_PLANTED"); seed != "" { // a planted week with a known optimum instead
		n, err := strconv.ParseUint(seed, 10, 64)
		if err != nil {
			b.Fatalf("PEAKWISE_CBC_PLANTED %q: want a seed", seed)
		}
		var optimum float64
		p, optimum = plantedDoublePeak(b, 90, n)
		b.Logf("planted week, seed %d: proven optimum %.1f paid hours", n, optimum)
	}
	if path := os.Getenv("PEAKWISE_CBC_REQUIREMENTS"); path != "" {
		p = readRequirements(b, path)
	}
	budget := 0.0
	if v := os.Getenv("PEAKWISE_MIP_BUDGET"); v != "" {
		if budget, err = strconv.ParseFloat(v, 64); err != nil || budget <= 0 {
			b.Fatalf("PEAKWISE_MIP_BUDGET %q: want paid hours > 0", v)
		}
	}
	ts := loadTemplates(b)
	g := newGenerator(p, ts)
	dir := b.TempDir()
	lp := filepath.Join(dir, "cover.lp")
	f, err := os.Create(lp)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	var cols int
	switch model := envOr("PEAKWISE_CBC_MODEL", "implicit"); model {
	case "implicit":
		cols = writeImplicitIP(w, g, 60*budget)
	case "explicit":
		cols = writeExplicitIP(w, g, 60*budget)
	default:
		b.Fatalf("PEAKWISE_CBC_MODEL %q: want implicit or explicit", model)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		began := time.Now()
		out, err := command(lp).CombinedOutput()
		mipSeconds := time.Since(began).Seconds()
		if err != nil {
			b.Fatalf("%s: %v\n%s", solver, err, out)
		}
		if logPath := os.Getenv("PEAKWISE_CBC_LOG"); logPath != "" {
			if err := os.WriteFile(logPath, out, 0o644); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(mipSeconds, solver+"-s")
		if budget > 0 {
			unit := float64(ts.payUnit()) / 60
			if !regexp.MustCompile(`Result - Problem proven infeasible`).Match(out) {
				b.Logf("%s did not prove in %.0f s that no plan pays %.0f h or less (its log: PEAKWISE_CBC_LOG)", solver, mipSeconds, budget)
				continue
			}
			b.ReportMetric(budget+unit, "proven-bound-h")
			b.Logf("%d variables; %s proved in %.0f s that no plan without shortfall pays %.0f h or less: every plan pays at least %.0f h (pay unit %.0f h)",
				cols, solver, mipSeconds, budget, budget+unit, unit)
			continue
		}
		m := regexp.MustCompile(`Objective value:\s+([0-9.eE+-]+)`).FindSubmatch(out)
		if m == nil {
			b.Fatalf("no objective in %s output:\n%s", solver, out)
		}
		best, _ := strconv.ParseFloat(string(m[1]), 64)
		optimal := regexp.MustCompile(`Result - Optimal solution found`).Match(out)
		bound := best
		if lb := regexp.MustCompile(`Lower bound:\s+([0-9.eE+-]+)`).FindSubmatch(out); lb != nil {
			bound, _ = strconv.ParseFloat(string(lb[1]), 64)
		}
		began = time.Now()
		plans, err := GeneratePlans(context.Background(), p, ts)
		if err != nil {
			b.Fatal(err)
		}
		oursSeconds := time.Since(began).Seconds()
		ours := Measure(p, plans.Cheapest).PaidAgentHours
		b.ReportMetric(best/60, "mip-paid-h")
		b.ReportMetric(bound/60, "mip-bound-h")
		b.ReportMetric(100*(best/bound-1), "mip-gap-%")
		b.ReportMetric(ours, "peakwise-paid-h")
		b.ReportMetric(100*(ours/(best/60)-1), "vs-mip-best-%")
		b.ReportMetric(100*(ours/(bound/60)-1), "vs-mip-bound-%")
		b.ReportMetric(oursSeconds, "peakwise-s")
		b.Logf("%d variables; %s %s %.1f paid hours in %.1f s, lower bound %.1f (gap %.2f%%); Peakwise %.1f in %.1f s (%+.2f%% vs its plan, %+.2f%% vs its bound; LP bound %.1f)",
			cols, solver, map[bool]string{true: "proved optimal:", false: "best found (not proved):"}[optimal], best/60, mipSeconds, bound/60, 100*(best/bound-1),
			ours, oursSeconds, 100*(ours/(best/60)-1), 100*(ours/(bound/60)-1), plans.LowerBoundPaidHours)
	}
}

// readRequirements reads a requirements CSV (timestamp and required_staff or
// required columns, 30-minute rows) as a cyclic week on UTC's clock.
func readRequirements(b *testing.B, path string) Plan {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 2 {
		b.Fatalf("%s: want a header and rows (%v)", path, err)
	}
	at, req := slices.Index(rows[0], "timestamp"), slices.Index(rows[0], "required_staff")
	if req < 0 {
		req = slices.Index(rows[0], "required")
	}
	if at < 0 || req < 0 {
		b.Fatalf("%s: want timestamp and required_staff (or required) columns, have %v", path, rows[0])
	}
	p := Plan{Location: time.UTC, Step: 30 * time.Minute, Cyclic: true}
	for k, r := range rows[1:] {
		t, err := time.Parse(time.RFC3339, r[at])
		if err != nil {
			b.Fatalf("%s row %d: %v", path, k+2, err)
		}
		if k == 0 {
			p.Start = t.UTC()
		} else if want := p.Start.Add(time.Duration(k) * p.Step); !t.Equal(want) {
			b.Fatalf("%s row %d: %s, want %s (30-minute rows in order)", path, k+2, r[at], want.Format(time.RFC3339))
		}
		v, err := strconv.ParseFloat(r[req], 64)
		if err != nil {
			b.Fatalf("%s row %d: %v", path, k+2, err)
		}
		p.Required = append(p.Required, v)
	}
	return p
}

// writeExplicitIP writes the set-covering program with one integer column
// per template x start x break placement, and returns the column count.
func writeExplicitIP(w *bufio.Writer, g *generator, budget float64) int {
	rows := make([][]string, g.n)
	var obj []string
	cols := 0
	for _, c := range g.cands {
		t := g.ts.Templates[c.tmpl]
		for _, br := range breakCombos(t) {
			name := fmt.Sprintf("x%d", cols)
			cols++
			obj = append(obj, fmt.Sprintf("%d %s", t.PaidMin, name))
			for _, cell := range g.netCover(c, br) {
				if cell.v > 0 {
					rows[cell.i] = append(rows[cell.i], fmt.Sprintf("%g %s", cell.v, name))
				}
			}
		}
	}
	writeProgram(w, g, obj, rows, nil, cols, budget)
	return cols
}

// writeImplicitIP writes the same program with breaks implicit (after
// Bechtold and Jacobs, 1990): an integer count x per template x start, and
// per break and allowed start an integer count y of that candidate's shifts
// taking the break there, with the y of each break summing to x. Break
// windows never overlap (Templates.Validate), so every choice of one start
// per break is a valid placement and any y splits into whole shifts: the
// program has the same integer optimum and LP bound as the explicit one, with
// a few thousand variables instead of tens of thousands. Returns the
// variable count.
func writeImplicitIP(w *bufio.Writer, g *generator, budget float64) int {
	s := newCoverSolver(g, stressRules{})
	rows := make([][]string, g.n)
	var obj, links []string
	vars := 0
	for ci, c := range g.cands {
		t := g.ts.Templates[c.tmpl]
		x := fmt.Sprintf("x%d", vars)
		vars++
		obj = append(obj, fmt.Sprintf("%d %s", t.PaidMin, x))
		for _, cell := range s.geo[ci].span {
			rows[cell.i] = append(rows[cell.i], fmt.Sprintf("%g %s", cell.v, x))
		}
		for bi := range t.Breaks {
			link := []string{"- " + x}
			for k := range s.geo[ci].opts[bi] {
				y := fmt.Sprintf("x%d", vars)
				vars++
				link = append(link, y)
				for _, cell := range s.geo[ci].taken[bi][k] {
					rows[cell.i] = append(rows[cell.i], fmt.Sprintf("- %g %s", cell.v, y))
				}
			}
			links = append(links, strings.Join(link, " + "))
		}
	}
	writeProgram(w, g, obj, rows, links, vars, budget)
	return vars
}

// writeProgram writes an LP-format integer program: minimise obj subject to
// each required interval's row >= its requirement and each link = 0 (and obj
// <= budget, paid minutes, when budget > 0), with variables x0..x(vars-1)
// integer.
func writeProgram(w *bufio.Writer, g *generator, obj []string, rows [][]string, links []string, vars int, budget float64) {
	fmt.Fprintln(w, "Minimize")
	writeSum(w, " obj:", obj)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Subject To")
	if budget > 0 {
		writeSum(w, " budget:", obj)
		fmt.Fprintf(w, " <= %g\n", budget)
	}
	for i, r := range rows {
		if g.p.Required[i] == 0 {
			continue
		}
		writeSum(w, fmt.Sprintf(" c%d:", i), r)
		fmt.Fprintf(w, " >= %g\n", g.p.Required[i])
	}
	for k, l := range links {
		fmt.Fprintf(w, " l%d: %s = 0\n", k, strings.ReplaceAll(l, "+ -", "-"))
	}
	fmt.Fprintln(w, "General")
	for j := 0; j < vars; j++ {
		fmt.Fprintf(w, " x%d\n", j)
	}
	fmt.Fprintln(w, "End")
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func writeSum(w *bufio.Writer, label string, terms []string) {
	fmt.Fprint(w, label)
	for k, t := range terms {
		if k > 0 && !strings.HasPrefix(t, "- ") {
			fmt.Fprint(w, " +")
		}
		fmt.Fprint(w, " ", t)
		if k%8 == 7 {
			fmt.Fprintln(w)
		}
	}
}
