package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/peakwise/peakwise/scheduling"
	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/scheduling/plancheck"
	"github.com/peakwise/peakwise/scheduling/planinput"
	"github.com/peakwise/peakwise/scheduling/roster"
)

// rosterArgs are the schedule command's flags in rostering mode.
type rosterArgs struct {
	reqPath, shiftsPath, agentsPath, startDate, zoneName, out, reportPath string
	minLevel, publishedPath                                               string
	weeks                                                                 int
	shortfallPct                                                          float64 // --shortfall-allowance, percent
	cyclic, proRata                                                       bool
	limit                                                                 time.Duration
}

// parseMinLevels reads --min-level: queue=level pairs separated by commas.
func parseMinLevels(s string) (map[string]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	out := map[string]int{}
	for _, part := range strings.Split(s, ",") {
		q, l, ok := strings.Cut(strings.TrimSpace(part), "=")
		lvl, err := strconv.Atoi(strings.TrimSpace(l))
		if !ok || strings.TrimSpace(q) == "" || err != nil || lvl < 1 || lvl > 5 {
			return nil, usageErrorf("--min-level: %q is not queue=level with a level of 1 to 5 (e.g. voice_en=3)", part)
		}
		if _, dup := out[strings.TrimSpace(q)]; dup {
			return nil, usageErrorf("--min-level: queue %q is listed twice", q)
		}
		out[strings.TrimSpace(q)] = lvl
	}
	return out, nil
}

// readPublished reads a schedule CSV (see calendar.ReadShiftsCSV) and adds
// each row of a rostered agent to his Booked shifts; rows of other agents are
// not his concern and are skipped. A bad cell is an error naming its line.
func readPublished(path string, agents []roster.Agent) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := calendar.ReadShiftsCSV(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	index := map[string]int{}
	for i, a := range agents {
		index[a.ID] = i
	}
	for _, r := range rows {
		if ai, ok := index[r.Agent]; ok {
			agents[ai].Booked = append(agents[ai].Booked, roster.Booked{Start: r.Shift.Start.UTC(), End: r.Shift.End.UTC(), PaidMinutes: r.Shift.PaidMinutes})
		}
	}
	return nil
}

// rosterProblem reads the command's files into a checked roster problem:
// the templates, each queue's requirements (on its own clock when the file's
// timezone column names one), the agents, their published shifts and the
// minimum levels.
func rosterProblem(a rosterArgs) (roster.Problem, error) {
	switch {
	case a.reqPath == "", a.shiftsPath == "", a.startDate == "", a.out == "":
		return roster.Problem{}, usageErrorf("--requirements, --shifts, --start and --out are required")
	case a.weeks < 1 || a.weeks > 6:
		return roster.Problem{}, usageErrorf("--weeks must be 1 to 6")
	case a.cyclic:
		return roster.Problem{}, usageErrorf("--cyclic plans a repeating headcount week; rostering named agents needs dated weeks (leave out --cyclic)")
	}
	allowance, ok := roster.ShortfallAllowanceFromPercent(a.shortfallPct)
	if !ok {
		return roster.Problem{}, usageErrorf("--shortfall-allowance must be a percent from 0 to %g", 100*roster.MaxShortfallAllowance)
	}
	f, err := os.Open(a.shiftsPath)
	if err != nil {
		return roster.Problem{}, err
	}
	ts, err := scheduling.ReadTemplates(f)
	f.Close()
	if err != nil {
		return roster.Problem{}, fmt.Errorf("%s: %w", a.shiftsPath, err)
	}
	step := time.Duration(ts.IntervalMin) * time.Minute
	req, err := readRequirementRows(a.reqPath, true)
	if err != nil {
		return roster.Problem{}, err
	}
	rows, zones := req.byQueue, req.queueZone
	loc, err := req.location(a.zoneName)
	if err != nil {
		return roster.Problem{}, err
	}
	d, err := time.ParseInLocation(time.DateOnly, a.startDate, loc)
	if err != nil {
		return roster.Problem{}, usageErrorf("--start must be a date like 2026-01-05")
	}
	af, err := os.Open(a.agentsPath)
	if err != nil {
		return roster.Problem{}, err
	}
	agents, err := roster.ReadAgents(af)
	af.Close()
	if err != nil {
		return roster.Problem{}, fmt.Errorf("%s:\n%w", a.agentsPath, err)
	}
	p := roster.Problem{Start: d, Step: step, Location: loc, Templates: ts, Agents: agents, ShortfallAllowance: allowance}
	for q := range rows {
		p.Queues = append(p.Queues, q)
	}
	sort.Strings(p.Queues)
	for _, q := range p.Queues {
		var qloc *time.Location // the plan's clock unless the file names the queue's own
		if z, ok := zones[q]; ok {
			qloc, _ = time.LoadLocation(z) // read and checked with the file
		}
		p.QueueLocations = append(p.QueueLocations, qloc)
	}
	start, end := d, d.AddDate(0, 0, 7*a.weeks)
	if !a.proRata {
		// Every agent's and queue's weeks whole on their own clocks.
		clocks := []*time.Location{loc}
		clocks = append(clocks, p.QueueLocations...)
		for _, ag := range agents {
			clocks = append(clocks, ag.Location)
		}
		start, end = roster.WholeWeeks(d, a.weeks, step, clocks)
		p.Start = start
	}
	used := 0
	for _, q := range p.Queues {
		req, n, offGrid := onGrid(rows[q], start, end, step)
		if !offGrid.IsZero() {
			return roster.Problem{}, fmt.Errorf("%s: the requirement of queue %s at %s is not on the templates' %d-minute grid", a.reqPath, q, offGrid.In(loc).Format(time.RFC3339), ts.IntervalMin)
		}
		p.Required = append(p.Required, req)
		used += n
	}
	if used == 0 {
		return roster.Problem{}, fmt.Errorf("%s: no requirement falls in the plan (%s to %s)", a.reqPath, start.In(loc).Format(time.DateTime), end.In(loc).Format(time.DateTime))
	}
	if !a.proRata {
		p.OwnWeeks(d, a.weeks)
	}
	if p.MinLevel, err = parseMinLevels(a.minLevel); err != nil {
		return roster.Problem{}, err
	}
	if a.publishedPath != "" {
		if err := readPublished(a.publishedPath, p.Agents); err != nil {
			return roster.Problem{}, err
		}
	}
	if err := p.Validate(); err != nil {
		return roster.Problem{}, fmt.Errorf("%s and %s do not fit together: %w", a.agentsPath, a.reqPath, err)
	}
	return p, nil
}

// runRoster is `peakwise schedule --agents`: it rosters the named agents of
// the agents CSV against per-queue requirements and writes schedule.csv (one
// row per shift, agent filled, times on the agent's clock, plus the queue the
// shift is assigned to) and the report.
func runRoster(ctx context.Context, env *Env, a rosterArgs) error {
	p, err := rosterProblem(a)
	if err != nil {
		return err
	}
	sctx, cancel := withinLimit(ctx, a.limit)
	defer cancel()
	began := time.Now()
	// The cheapest roster (stress and fairness terms off) is solved beside
	// the kind one, within the same limit, for the report's comparison.
	r, cheap, err := roster.SolveWithCheapest(sctx, p)
	if err != nil {
		return err
	}
	secs := time.Since(began).Seconds()
	report, err := roster.Measure(p, r.Assignments)
	if err != nil {
		return err
	}
	cheapReport, err := roster.MeasureFigures(p, cheap.Assignments)
	if err != nil {
		return err
	}
	report.Kindness = roster.CompareKindness(report, cheapReport)
	report.SolveSeconds, report.Rounds, report.Stopped = secs, r.Rounds, r.Stopped
	breaches := plancheck.Check(planinput.Roster(p, r.Assignments))
	if err := writeRoster(a.out, p, r.Assignments); err != nil {
		return err
	}
	if a.reportPath != "" {
		b, err := json.MarshalIndent(checkedReport[roster.Report]{report, nonNil(breaches)}, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(a.reportPath, b, 0o644); err != nil {
			return err
		}
	}
	t := report.Total
	fmt.Fprintf(env.Stderr, "%d agents, %d shifts, %.1f paid hours for %.1f required; under-coverage %.1f h (allowance %.1f h), over %.1f h; peak-hours Gini %.2f; Gini per paid hour: peak %.2f, weekend %.2f, night %.2f; %d rule violations; %.2f s (%d rounds, %s)\n",
		len(p.Agents), report.Shifts, t.PaidHours, t.RequiredHours, t.UnderHours, report.ShortfallAllowanceHours, t.OverHours, report.PeakHoursGini,
		report.PeakShareGini, report.WeekendShareGini, report.NightShareGini, len(report.Violations), secs, r.Rounds, r.Stopped)
	k := report.Kindness
	fmt.Fprintf(env.Stderr, "peak stretch: longest %.0f min, %d shifts of %d agents over the limit (see the report's over_stretch); the cheapest roster: %.1f paid hours, under-coverage %.1f h, longest stretch %.0f min, %d agents over, Gini per paid hour peak %.2f; the kindness costs %+.1f paid hours and %+.1f h of under-coverage\n",
		k.Kind.LongestPeakStretchMin, k.Kind.ShiftsOverStretch, k.Kind.AgentsOverStretch, k.Cheapest.PaidHours, k.Cheapest.UnderHours,
		k.Cheapest.LongestPeakStretchMin, k.Cheapest.AgentsOverStretch, k.Cheapest.PeakShareGini, k.Cost.PaidHours, k.Cost.UnderHours)
	if s := roster.SumShortfalls(report.Shortfalls); s.UnderHours > 0 {
		fmt.Fprintf(env.Stderr, "why %.1f h stay short: %.1f h no agent who serves the queue may work then; %.1f h all who may are working; %.1f h the others are at their weekly maximum; %.1f h rest, one shift a day, days in a row or a template cap; %.1f h an agent could take within every rule; %.1f h an agent could move a shift that covers nothing needed (see the report's shortfalls)\n",
			s.UnderHours, s.NoAgentHours, s.AllWorkingHours, s.AtMaximumHours, s.RulesHours, s.PricedHours, s.SpareHours)
	}
	if len(report.Violations) > 0 {
		var msgs []string
		for k, v := range report.Violations {
			if k == 10 {
				msgs = append(msgs, fmt.Sprintf("... and %d more (see the report)", len(report.Violations)-10))
				break
			}
			who := "(plan)" // a template's cap concerns no one agent
			if v.AgentID > 0 {
				who = p.Agents[v.AgentID-1].ID
			}
			msgs = append(msgs, fmt.Sprintf("%s: %s: %s", who, v.Rule, v.Message))
		}
		return fmt.Errorf("the roster breaks %d rule(s) the agents' contracts or availability cannot avoid:\n  %s", len(report.Violations), strings.Join(msgs, "\n  "))
	}
	return breachError(breaches)
}

// writeRoster writes the headcount schedule format with the agent filled in,
// times on the agent's own clock, and a trailing queue column.
func writeRoster(path string, p roster.Problem, as []roster.Assignment) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zone := map[string]*time.Location{}
	for _, a := range p.Agents {
		zone[a.ID] = a.Location
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"agent", "template", "start", "end", "paid_minutes", "breaks", "queue"})
	for _, a := range as {
		loc := zone[a.Agent]
		s := a.Shift
		var bs []string
		for _, b := range s.Breaks {
			bs = append(bs, b.Start.In(loc).Format(time.RFC3339)+"/"+b.End.In(loc).Format(time.RFC3339))
		}
		_ = w.Write([]string{a.Agent, s.Template, s.Start.In(loc).Format(time.RFC3339), s.End.In(loc).Format(time.RFC3339), strconv.Itoa(s.PaidMinutes), strings.Join(bs, ";"), a.Queue})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
