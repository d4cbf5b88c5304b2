package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/peakwise/peakwise/scheduling/plancheck"
	"github.com/peakwise/peakwise/scheduling/planinput"
	"github.com/peakwise/peakwise/scheduling/roster"
)

const scheduleCheckSynopsis = `--schedule schedule.csv --shifts S.json --start 2026-01-05 --timezone ZONE
       [--weeks 1] [--agents A.csv] [--published P.csv] [--min-level q=3,...]
       [--report breaches.json]

Re-checks a schedule.csv (headcount or roster) rule by rule with the plan
validator (plancheck), which shares no code with the solvers: template caps,
start windows, spans, breaks; with --agents also skills, availability, time off,
overlaps, rest, days in a row and weekly hours and shifts on each agent's own
clock. --published is a schedule.csv of the agents' shifts in already
published plans (before, after or beside the period): they count toward weeks,
rest and days in a row. --min-level gives queues' minimum skill levels (every
shift must then name a queue an agent has a skill for). --start, --weeks and --timezone give the period (and,
in headcount plans, the templates' clock). Every breach is printed; the
command exits 1 when there is any.`

// runScheduleCheck is `peakwise schedule check`.
func runScheduleCheck(_ context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "schedule check", scheduleCheckSynopsis)
	schedulePath := fs.String("schedule", "", "schedule CSV to check")
	shiftsPath := fs.String("shifts", "", "shift templates JSON")
	startDate := fs.String("start", "", "first local date of the plan, YYYY-MM-DD")
	weeks := fs.Int("weeks", 1, "plan length in weeks (1-6)")
	zoneName := fs.String("timezone", "", "IANA time zone of the plan")
	agentsPath := fs.String("agents", "", "agents CSV (rostered plans)")
	publishedPath := fs.String("published", "", "schedule CSV of the agents' already published shifts")
	minLevel := fs.String("min-level", "", "queues' minimum skill levels, queue=level comma-separated (with --agents)")
	reportPath := fs.String("report", "", "JSON file to write the breaches to")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case *schedulePath == "", *shiftsPath == "", *startDate == "", *zoneName == "":
		return usageErrorf("--schedule, --shifts, --start and --timezone are required")
	case *weeks < 1 || *weeks > 6:
		return usageErrorf("--weeks must be 1 to 6")
	case (*publishedPath != "" || *minLevel != "") && *agentsPath == "":
		return usageErrorf("--published and --min-level need --agents")
	}
	levels, err := parseMinLevels(*minLevel)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(*zoneName)
	if err != nil {
		return usageErrorf("unknown time zone %q", *zoneName)
	}
	start, err := time.ParseInLocation(time.DateOnly, *startDate, loc)
	if err != nil {
		return usageErrorf("--start must be a date like 2026-01-05")
	}
	ts, err := readTemplatesFile(*shiftsPath)
	if err != nil {
		return err
	}
	shifts, err := readScheduleCSV(*schedulePath)
	if err != nil {
		return err
	}
	in := plancheck.Input{Location: loc, Start: start, End: start.AddDate(0, 0, 7**weeks), Templates: planinput.Templates(ts), Shifts: shifts}
	if *agentsPath != "" {
		af, err := os.Open(*agentsPath)
		if err != nil {
			return err
		}
		agents, err := roster.ReadAgents(af)
		af.Close()
		if err != nil {
			return fmt.Errorf("%s:\n%w", *agentsPath, err)
		}
		in.WholeShifts = true
		in.Agents = []plancheck.Agent{}
		idx := map[string]int{}
		for _, a := range agents {
			idx[a.ID] = len(in.Agents)
			in.Agents = append(in.Agents, planinput.Agent(a))
		}
		if levels != nil {
			// The queues are every queue an agent has a skill for; each shift
			// must name one, at its minimum level.
			seen := map[string]bool{}
			for _, a := range agents {
				for q := range a.Skills {
					seen[q] = true
				}
			}
			for q := range levels {
				if !seen[q] {
					return usageErrorf("--min-level names queue %q, which no agent has a skill for", q)
				}
			}
			for q := range seen {
				in.Queues = append(in.Queues, plancheck.Queue{Name: q, MinLevel: levels[q]})
			}
		}
		if *publishedPath != "" {
			pub, err := readScheduleCSV(*publishedPath)
			if err != nil {
				return err
			}
			for _, s := range pub {
				if k, ok := idx[s.Agent]; ok {
					in.Agents[k].Published = append(in.Agents[k].Published, s)
				}
			}
		}
	}
	breaches := plancheck.Check(in)
	for _, b := range breaches {
		fmt.Fprintln(env.Stdout, b.String())
	}
	if *reportPath != "" {
		b, err := json.MarshalIndent(struct {
			Shifts   int                `json:"shifts"`
			Breaches []plancheck.Breach `json:"breaches"`
		}{len(shifts), nonNil(breaches)}, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*reportPath, b, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.Stderr, "%d shifts checked, %d breaches\n", len(shifts), len(breaches))
	if len(breaches) > 0 {
		return fmt.Errorf("the plan breaks %d rule(s)", len(breaches))
	}
	return nil
}

// readScheduleCSV reads schedule.csv (agent, template, start, end,
// paid_minutes, breaks and an optional queue column, by name). Breaks are
// START/END pairs separated by ';'. Every bad cell is reported (at most
// ten lines), and nothing is returned then.
func readScheduleCSV(path string) ([]plancheck.Shift, error) {
	var col map[string]int
	header := func(c map[string]int) error {
		col = c
		for _, need := range []string{"agent", "template", "start", "end", "paid_minutes", "breaks"} {
			if _, ok := c[need]; !ok {
				return errors.New("the header needs agent, template, start, end, paid_minutes and breaks (and may have queue)")
			}
		}
		return nil
	}
	var out []plancheck.Shift
	row := func(line int, get func(int) string) string {
		cell := func(name string) string {
			if i, ok := col[name]; ok {
				return get(i)
			}
			return ""
		}
		var bad []string
		s := plancheck.Shift{Agent: cell("agent"), Template: cell("template"), Queue: cell("queue"), Ref: fmt.Sprintf("%s line %d", path, line)}
		var e1, e2, e3 error
		s.Start, e1 = time.Parse(time.RFC3339, cell("start"))
		s.End, e2 = time.Parse(time.RFC3339, cell("end"))
		s.PaidMinutes, e3 = strconv.Atoi(cell("paid_minutes"))
		if e1 != nil {
			bad = append(bad, fmt.Sprintf("start: %q is not an RFC 3339 time", cell("start")))
		}
		if e2 != nil {
			bad = append(bad, fmt.Sprintf("end: %q is not an RFC 3339 time", cell("end")))
		}
		if e3 != nil || s.PaidMinutes < 0 || s.PaidMinutes > 24*60 {
			bad = append(bad, fmt.Sprintf("paid_minutes: %q is not a number of minutes from 0 to 1440", cell("paid_minutes")))
		}
		if bs := cell("breaks"); bs != "" {
			for _, pair := range strings.Split(bs, ";") {
				a, b, ok := strings.Cut(pair, "/")
				bs, err1 := time.Parse(time.RFC3339, strings.TrimSpace(a))
				be, err2 := time.Parse(time.RFC3339, strings.TrimSpace(b))
				if !ok || err1 != nil || err2 != nil {
					bad = append(bad, fmt.Sprintf("breaks: %q is not START/END in RFC 3339", pair))
					continue
				}
				s.Breaks = append(s.Breaks, plancheck.Break{Start: bs, End: be, PaidUnknown: true})
			}
		}
		out = append(out, s)
		return strings.Join(bad, "; ")
	}
	if err := walkCSV(path, header, row); err != nil {
		return nil, err
	}
	return out, nil
}
