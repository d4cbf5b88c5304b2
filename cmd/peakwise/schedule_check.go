package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/scheduling/plancheck"
	"github.com/peakwise/peakwise/scheduling/planinput"
	"github.com/peakwise/peakwise/scheduling/roster"
)

const scheduleCheckSynopsis = `--schedule schedule.csv --shifts S.json --start 2026-01-05 --timezone ZONE
       [--weeks 1] [--agents A.csv] [--published P.csv] [--min-level q=3,...]
       [--requirements R.csv] [--report breaches.json]

Re-checks a schedule.csv (headcount or roster) rule by rule with the plan
validator (plancheck), which shares no code with the solvers: template caps,
start windows, spans, breaks; with --agents also skills, availability, time off,
overlaps, rest, days in a row and weekly hours and shifts on each agent's own
clock. --published is a schedule.csv of the agents' shifts in already
published plans (before, after or beside the period): they count toward weeks,
rest and days in a row. --min-level gives queues' minimum skill levels (every
shift must then name a queue an agent has a skill for). --start, --weeks and --timezone give the period (and,
in headcount plans, the templates' clock). A rostered plan's period holds, as
the schedule command plans it, the weeks from --start's date whole on every
clock: the plan's, each agent's and (with --requirements) each queue's; each
queue is recounted only over its own weeks. --pro-rata checks the weeks on the
plan's clock alone, as planned with the schedule command's --pro-rata. Every breach is printed; the
command exits 1 when there is any. --requirements recounts the cover from the
shifts against a requirements CSV (as the schedule command reads it): in a
rostered plan per queue, each shift only on the queue its row names, breaks
taken out; it prints each queue's required, under and over agent-hours.`

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
	reqPath := fs.String("requirements", "", "requirements CSV to recount the cover against")
	proRata := fs.Bool("pro-rata", false, "rostered plans: the period is --start's weeks on the plan's clock (as planned with --pro-rata)")
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
	var req requirementsFile // read once: for the queues' clocks and the recount
	if *reqPath != "" {
		if req, err = readRequirementRows(*reqPath, *agentsPath != ""); err != nil {
			return err
		}
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
		if !*proRata {
			clocks := []*time.Location{loc}
			for _, a := range agents {
				clocks = append(clocks, a.Location)
			}
			for _, z := range req.queueZone {
				if ql, err := time.LoadLocation(z); err == nil {
					clocks = append(clocks, ql)
				}
			}
			in.Start, in.End = weeksOnEveryClock(start, *weeks, time.Duration(ts.IntervalMin)*time.Minute, clocks)
		}
		in.WholeShifts = true
		in.Agents = []plancheck.Agent{}
		idx := map[string]int{}
		for _, a := range agents {
			idx[a.ID] = len(in.Agents)
			in.Agents = append(in.Agents, planinput.Agent(a))
		}
		if levels != nil {
			// The queues are every queue an agent has a skill for or the
			// requirements name; each shift must name one, at its minimum
			// level.
			seen := map[string]bool{}
			for _, a := range agents {
				for q := range a.Skills {
					seen[q] = true
				}
			}
			for q := range req.byQueue {
				seen[q] = true
			}
			for q := range levels {
				if !seen[q] {
					return usageErrorf("--min-level names queue %q, which no agent has a skill for and no requirement names", q)
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
	var coverage []plancheck.QueueCover
	if *reqPath != "" {
		var own *ownWeeks
		if *agentsPath != "" && !*proRata {
			own = &ownWeeks{day: start, weeks: *weeks}
		}
		if coverage, err = recountCover(req, in, *agentsPath != "", ts.IntervalMin, own); err != nil {
			return err
		}
		for _, c := range coverage {
			share := 0.0
			if c.RequiredHours > 0 {
				share = 100 * c.UnderHours / c.RequiredHours
			}
			fmt.Fprintf(env.Stdout, "cover %s: required %.2f agent-hours, covered %.2f, under %.2f (%.2f%%), over %.2f\n",
				c.Queue, c.RequiredHours, c.CoveredHours, c.UnderHours, share, c.OverHours)
		}
	}
	if *reportPath != "" {
		b, err := json.MarshalIndent(struct {
			Shifts   int                    `json:"shifts"`
			Breaches []plancheck.Breach     `json:"breaches"`
			Coverage []plancheck.QueueCover `json:"coverage,omitempty"`
		}{len(shifts), nonNil(breaches), coverage}, "", "  ")
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

// readScheduleCSV reads schedule.csv (see calendar.ReadShiftsCSV; the
// queue column is kept as written) for plancheck. Every bad cell is
// reported (at most ten lines), and nothing is returned then.
func readScheduleCSV(path string) ([]plancheck.Shift, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := calendar.ReadShiftsCSV(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make([]plancheck.Shift, 0, len(rows))
	for _, r := range rows {
		s := plancheck.Shift{Agent: r.Agent, Template: r.Shift.Template, Queue: r.Queue, Ref: fmt.Sprintf("%s line %d", path, r.Line),
			Start: r.Shift.Start, End: r.Shift.End, PaidMinutes: r.Shift.PaidMinutes}
		for _, b := range r.Shift.Breaks {
			s.Breaks = append(s.Breaks, plancheck.Break{Start: b.Start, End: b.End, PaidUnknown: true})
		}
		out = append(out, s)
	}
	return out, nil
}

// recountCover recounts the plan's cover against the requirements CSV's
// rows with plancheck.Coverage: per queue in a rostered plan, in all in a
// headcount plan (whose shifts are counted on every queue's sum). Only
// requirement rows inside the period count.
func recountCover(rows requirementsFile, in plancheck.Input, rostered bool, intervalMin int, own *ownWeeks) ([]plancheck.QueueCover, error) {
	step := time.Duration(intervalMin) * time.Minute
	var reqs []plancheck.Requirement
	for q, byInstant := range rows.byQueue {
		from, to := in.Start, in.End
		if own != nil {
			qloc := in.Location
			if z, ok := rows.queueZone[q]; ok {
				if l, err := time.LoadLocation(z); err == nil {
					qloc = l
				}
			}
			from, to = weeksOnEveryClock(own.day, own.weeks, 0, []*time.Location{qloc})
		}
		for unix, staff := range byInstant {
			at := time.Unix(unix, 0).UTC()
			if at.Before(in.Start) || !at.Before(in.End) {
				continue
			}
			if at.Before(from) || !at.Before(to) {
				staff = 0 // a neighbouring plan's: cover there is over cover
			}
			reqs = append(reqs, plancheck.Requirement{Queue: q, Start: at, End: at.Add(step), Staff: staff})
		}
	}
	shifts := in.Shifts
	if !rostered {
		shifts = make([]plancheck.Shift, len(in.Shifts))
		for i, s := range in.Shifts {
			s.Queue = "" // a headcount plan covers the summed requirement
			shifts[i] = s
		}
	}
	return plancheck.Coverage(shifts, reqs), nil
}

// ownWeeks are the weeks from day's date that a queue's requirement is
// recounted over, on the queue's own clock.
type ownWeeks struct {
	day   time.Time
	weeks int
}

// weeksOnEveryClock is the checked period of a rostered plan: from the
// earliest to the latest of, on each clock, 00:00 of day's date and the end
// of the weeks that follow, widened to whole steps of grid counted from
// day (a clock off the grid, such as Kathmandu's on half hours, opens the
// period at the step before its midnight). Worked out here, apart from the
// solver's own.
func weeksOnEveryClock(day time.Time, weeks int, grid time.Duration, clocks []*time.Location) (from, to time.Time) {
	for _, loc := range clocks {
		if loc == nil {
			continue
		}
		s := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
		e := time.Date(day.Year(), day.Month(), day.Day()+7*weeks, 0, 0, 0, 0, loc)
		if from.IsZero() || s.Before(from) {
			from = s
		}
		if to.IsZero() || e.After(to) {
			to = e
		}
	}
	if grid > 0 && !from.IsZero() {
		from = from.Add(-((from.Sub(day)%grid + grid) % grid)) // back to the step at or before
		to = to.Add((grid - to.Sub(day)%grid) % grid)          // on to the step at or after
	}
	return from, to
}
