package roster_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling"
	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/scheduling/plancheck"
	"github.com/peakwise/peakwise/scheduling/planinput"
	"github.com/peakwise/peakwise/scheduling/roster"
)

// randomRoster is a small random rostering problem on one zone: the plan's
// and every agent's (agents in other zones are the roster solver's open
// work, see the validator's docs). One or two local weeks from a Monday,
// some across a DST change; one or two queues; two to six agents with
// random contracts, skills, availability and a day of time off; one to
// three templates with breaks, with caps (max_agents) when caps is set.
func randomRoster(rng *rand.Rand, caps bool) (roster.Problem, string) {
	zones := []string{"UTC", "Europe/Berlin", "America/New_York", "Asia/Seoul", "Australia/Sydney"}
	loc, _ := time.LoadLocation(zones[rng.IntN(len(zones))])
	// Mondays: before the US and EU spring changes, before the EU autumn
	// change, Sydney's April change, and a plain June week.
	mondays := []time.Time{time.Date(2026, 3, 2, 0, 0, 0, 0, loc), time.Date(2026, 3, 23, 0, 0, 0, 0, loc),
		time.Date(2026, 10, 19, 0, 0, 0, 0, loc), time.Date(2026, 3, 30, 0, 0, 0, 0, loc), time.Date(2026, 6, 1, 0, 0, 0, 0, loc)}
	start := mondays[rng.IntN(len(mondays))]
	weeks := 1 + rng.IntN(2)
	end := start.AddDate(0, 0, 7*weeks)
	p := roster.Problem{Start: start, Step: 30 * time.Minute, Location: loc, Seed: rng.Uint64(), MaxRounds: 1 + rng.IntN(3)}
	p.Queues = []string{"voice", "chat"}[:1+rng.IntN(2)]
	for range p.Queues {
		open, close := 7+rng.IntN(3), 16+rng.IntN(5)
		v := float64(1 + rng.IntN(2))
		var req []float64
		for at := start; at.Before(end); at = at.Add(p.Step) {
			x := 0.0
			if h := at.In(loc).Hour(); h >= open && h < close {
				x = v
			}
			req = append(req, x)
		}
		p.Required = append(p.Required, req)
	}
	all := []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	for k := 0; k < 1+rng.IntN(3); k++ {
		span := []int{240, 360, 480, 510}[rng.IntN(4)]
		from := 6 + rng.IntN(4)
		t := scheduling.Template{Name: fmt.Sprintf("T%d", k), SpanMin: span, PaidMin: span,
			Start: scheduling.StartWindow{From: scheduling.Clock(fmt.Sprintf("%02d:00", from)), To: scheduling.Clock(fmt.Sprintf("%02d:30", from+rng.IntN(5))), StepMin: 30},
			Days:  all}
		if span >= 360 {
			t.Breaks = []scheduling.BreakRule{{Name: "lunch", LengthMin: 30, EarliestStart: 150, LatestStart: 270, StepMin: 30}}
			t.PaidMin = span - 30
		}
		if c := 2 + rng.IntN(6); caps && rng.IntN(2) == 0 {
			t.MaxAgents = &c
		}
		p.Templates.Templates = append(p.Templates.Templates, t)
	}
	p.Templates.IntervalMin = 30
	for k := 0; k < 2+rng.IntN(5); k++ {
		a := roster.Agent{ID: fmt.Sprintf("a%d", k), Location: loc, Skills: map[string]int{}}
		for _, q := range p.Queues {
			if rng.IntN(3) > 0 || len(a.Skills) == 0 {
				a.Skills[q] = 1 + rng.IntN(5)
			}
		}
		maxH := float64(16 + 8*rng.IntN(4))
		a.Contract = calendar.Contract{MaxWeekHours: maxH, MaxShiftsPerWeek: 2 + rng.IntN(4), MinRestHours: float64(8 + rng.IntN(5)),
			MaxConsecutiveDays: 3 + rng.IntN(4)}
		if rng.IntN(2) == 0 {
			a.Contract.MinWeekHours = float64(rng.IntN(int(maxH)/2 + 1))
		}
		if rng.IntN(3) == 0 {
			for d := time.Sunday; d <= time.Saturday; d++ {
				if rng.IntN(5) > 0 {
					a.Availability = append(a.Availability, roster.Window{Day: d, From: 60 * (5 + rng.IntN(4)), To: 60 * (15 + rng.IntN(9))})
				}
			}
		}
		if rng.IntN(3) == 0 {
			d := start.AddDate(0, 0, rng.IntN(7*weeks))
			a.TimeOff = []roster.Interval{{Start: d, End: d.AddDate(0, 0, 1)}}
		}
		p.Agents = append(p.Agents, a)
	}
	return p, fmt.Sprintf("%s from %s, %d weeks, %d agents, %d templates", loc, start.Format(time.DateOnly), weeks, len(p.Agents), len(p.Templates.Templates))
}

// TestRostersKeepEveryRule runs random small rostering problems through
// the solver and has the independent validator check each roster: every
// breach is a solver bug, except a weekly minimum the solver reports
// itself (the one rule it may be unable to meet).
func TestRostersKeepEveryRule(t *testing.T) {
	for _, bad := range rosterBreaches(t, false) {
		t.Error(bad)
	}
}

// TestRostersKeepTemplateCaps is TestRostersKeepEveryRule with templates
// capped by max_agents: a roster never puts more agents on a template at
// once than its cap allows.
func TestRostersKeepTemplateCaps(t *testing.T) {
	for _, bad := range rosterBreaches(t, true) {
		t.Error(bad)
	}
}

// rosterBreaches solves the random instances and lists the validator's
// breaches that the solver's own report does not excuse.
func rosterBreaches(t *testing.T, caps bool) []string {
	instances := 150
	if testing.Short() {
		instances = 30
	}
	// PEAKWISE_PROPERTY_INSTANCES runs more (or fewer) seeds, e.g. a long
	// bug hunt; the default keeps the test to a few seconds.
	if n, err := strconv.Atoi(os.Getenv("PEAKWISE_PROPERTY_INSTANCES")); err == nil && n > 0 {
		instances = n
	}
	var out []string
	for seed := 1; seed <= instances; seed++ {
		rng := rand.New(rand.NewPCG(uint64(seed), 17))
		p, what := randomRoster(rng, caps)
		if err := p.Validate(); err != nil {
			continue
		}
		r, err := roster.Solve(context.Background(), p)
		require.NoError(t, err, "seed %d: %s", seed, what)
		rep, err := roster.Measure(p, r.Assignments)
		require.NoError(t, err)
		reported := map[string]bool{}
		for _, v := range rep.Violations {
			if v.Rule == "min_week_hours" {
				reported[p.Agents[v.AgentID-1].ID] = true
			}
		}
		for _, b := range plancheck.Check(planinput.Roster(p, r.Assignments)) {
			if b.Rule == plancheck.RuleMinWeekHours && reported[b.Agent] {
				continue
			}
			out = append(out, fmt.Sprintf("seed %d (%s, caps %t): %s", seed, what, caps, b))
		}
	}
	return out
}
