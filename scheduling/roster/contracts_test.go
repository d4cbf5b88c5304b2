package roster

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling/calendar"
)

func TestPlanWeekMinimumIsProRataOnTheAgentsClock(t *testing.T) {
	ny, berlin, seoul := mustZone(t, "America/New_York"), mustZone(t, "Europe/Berlin"), mustZone(t, "Asia/Seoul")
	// A week planned on New York's clock: Monday 23 March 00:00 EDT is 05:00
	// in Berlin and 13:00 in Seoul; Berlin goes forward on Sunday 29 March,
	// so the plan ends at 06:00 on Berlin's Monday 30 March.
	start := time.Date(2026, 3, 23, 0, 0, 0, 0, ny)
	end := start.AddDate(0, 0, 7)
	ft := calendar.Contract{MinWeekHours: 40, MaxWeekHours: 40}
	at := func(loc *time.Location, d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, loc) }
	cases := []struct {
		name   string
		loc    *time.Location
		monday time.Time
		off    []Interval
		booked []Booked
		want   float64
	}{
		{"New York: the week lines up", ny, at(ny, 23, 0), nil, nil, 40},
		{"Berlin: Monday is cut, six dates remain (one of 23 hours)", berlin, at(berlin, 23, 0), nil, nil, 40 * 6.0 / 7},
		{"Berlin: the next week has no whole date in the plan", berlin, at(berlin, 30, 0), nil, nil, 0},
		{"Seoul: Monday from 13:00 does not count", seoul, at(seoul, 23, 0), nil, nil, 40 * 6.0 / 7},
		{"Seoul: a day off inside the period takes a contract day off the share", seoul, at(seoul, 23, 0), []Interval{{at(seoul, 25, 0), at(seoul, 26, 0)}}, nil, 40*6.0/7 - 8},
		{"Seoul: a day off on the cut Monday lowers only the whole week", seoul, at(seoul, 23, 0), []Interval{{at(seoul, 23, 0), at(seoul, 24, 0)}}, nil, 32},
		{"Seoul: a published Monday shift counts toward the whole week", seoul, at(seoul, 23, 0), nil,
			[]Booked{{Start: at(seoul, 23, 6), End: at(seoul, 23, 12), PaidMinutes: 480}}, 32},
		{"Seoul: a small published shift leaves the share", seoul, at(seoul, 23, 0), nil,
			[]Booked{{Start: at(seoul, 23, 6), End: at(seoul, 23, 8), PaidMinutes: 120}}, 40 * 6.0 / 7},
		{"a published shift of another week does not count", seoul, at(seoul, 23, 0), nil,
			[]Booked{{Start: at(seoul, 22, 6), End: at(seoul, 22, 14), PaidMinutes: 480}}, 40 * 6.0 / 7},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := Agent{Location: c.loc, Contract: ft, TimeOff: c.off, Booked: c.booked}
			assert.InDelta(t, c.want, PlanWeekMinimum(a, c.monday, start, end), 1e-9)
		})
	}
}

// followTheSunFixture is the case in small: full-time agents in
// Berlin and Seoul on a week planned on New York's clock, with an FT8 for
// full-time contracts and a PT4 for part-time ones.
func followTheSunFixture(t *testing.T) Problem {
	ny, berlin, seoul := mustZone(t, "America/New_York"), mustZone(t, "Europe/Berlin"), mustZone(t, "Asia/Seoul")
	start := time.Date(2026, 3, 23, 0, 0, 0, 0, ny)
	p := Problem{Start: start, Step: 30 * time.Minute, Location: ny, Templates: followSunTemplates(), Queues: []string{"global"}}
	p.Required = [][]float64{make([]float64, 7*48)}
	for i := range p.Required[0] {
		p.Required[0][i] = 1 // around the clock: more than they can cover
	}
	ftc := calendar.Contract{Name: "FT", MinWeekHours: 40, MaxWeekHours: 40, MaxShiftsPerWeek: 5, MinRestHours: 11, MaxConsecutiveDays: 6}
	ptc := calendar.Contract{Name: "PT", MinWeekHours: 16, MaxWeekHours: 20, MaxShiftsPerWeek: 5, MinRestHours: 11, MaxConsecutiveDays: 6}
	for k, loc := range []*time.Location{ny, berlin, seoul, berlin, seoul} {
		p.Agents = append(p.Agents, Agent{ID: "ft" + string(rune('a'+k)), Location: loc, Skills: map[string]int{"global": 3}, Contract: ftc})
	}
	p.Agents = append(p.Agents, Agent{ID: "pt", Location: berlin, Skills: map[string]int{"global": 3}, Contract: ptc})
	return p
}

func TestFullTimeAgentsGetTheirHoursInWeeksThePlanCuts(t *testing.T) {
	p := followTheSunFixture(t)
	r, err := Solve(context.Background(), p)
	require.NoError(t, err)
	rep, err := Measure(p, r.Assignments)
	require.NoError(t, err)
	assert.Empty(t, rep.Violations)
	for _, ar := range rep.Agents {
		a := p.Agents[0]
		for _, x := range p.Agents {
			if x.ID == ar.Agent {
				a = x
			}
		}
		want := 0.0
		for _, m := range weekStarts(a.Location, p.Start, p.End()) {
			want += PlanWeekMinimum(a, m, p.Start, p.End())
		}
		assert.GreaterOrEqual(t, ar.PaidHours, want-1e-9, "%s in %s", a.ID, a.Location)
	}
	for _, as := range r.Assignments {
		if strings.HasPrefix(as.Agent, "ft") {
			assert.Equal(t, "FT8", as.Shift.Template, "a full-time agent only works the full-time template")
		} else {
			assert.NotEqual(t, "FT8", as.Shift.Template)
		}
	}
}

func TestMeasureFlagsTemplatesOutsideTheirContracts(t *testing.T) {
	p := followTheSunFixture(t)
	berlin := mustZone(t, "Europe/Berlin")
	s := time.Date(2026, 3, 24, 9, 0, 0, 0, berlin)
	pt4 := calendar.Shift{Template: "PT4", Start: s, End: s.Add(4 * time.Hour), PaidMinutes: 240,
		Breaks: []calendar.Break{{Name: "break", Start: s.Add(90 * time.Minute), End: s.Add(105 * time.Minute), Paid: true}}}
	rep, err := Measure(p, []Assignment{{Agent: "ftb", Queue: "global", Shift: pt4}})
	require.NoError(t, err)
	found := false
	for _, v := range rep.Violations {
		if v.Rule == "template" && strings.Contains(v.Message, "only for contracts [PT]") {
			found = true
		}
	}
	assert.True(t, found, "%+v", rep.Violations)
}

func TestQueueMinimumLevelDecidesWhoCounts(t *testing.T) {
	utc := time.UTC
	start := time.Date(2026, 6, 1, 0, 0, 0, 0, utc)
	p := Problem{Start: start, Step: 30 * time.Minute, Location: utc, Queues: []string{"de", "en"}, MinLevel: map[string]int{"de": 4},
		Required:  [][]float64{needs(utc, start, 7, 8, 16, 1), needs(utc, start, 7, 8, 16, 1)},
		Templates: dayTemplates("08:00")}
	c := calendar.Contract{MaxWeekHours: 40, MaxShiftsPerWeek: 5, MinRestHours: 11, MaxConsecutiveDays: 6}
	p.Agents = []Agent{
		{ID: "learner", Location: utc, Skills: map[string]int{"de": 1, "en": 5}, Contract: c},
		{ID: "native", Location: utc, Skills: map[string]int{"de": 5}, Contract: c},
	}
	r, err := Solve(context.Background(), p)
	require.NoError(t, err)
	rep, err := Measure(p, r.Assignments)
	require.NoError(t, err)
	assert.Empty(t, rep.Violations)
	for _, as := range r.Assignments {
		if as.Agent == "learner" {
			assert.Equal(t, "en", as.Queue, "a level-1 speaker is never assigned to a queue that asks for level 4")
		}
	}
	// The learner's shift on de does not count toward its cover and is a breach.
	s := time.Date(2026, 6, 2, 8, 0, 0, 0, utc)
	sh := calendar.Shift{Template: "A", Start: s, End: s.Add(8 * time.Hour), PaidMinutes: 450,
		Breaks: []calendar.Break{{Name: "lunch", Start: s.Add(4 * time.Hour), End: s.Add(270 * time.Minute)}}}
	rep, err = Measure(p, []Assignment{{Agent: "learner", Queue: "de", Shift: sh}})
	require.NoError(t, err)
	assert.InDelta(t, 0, rep.Queues[0].CoveredHours, 1e-9, "de is not covered by a level-1 speaker")
	assert.InDelta(t, 0, rep.Queues[1].CoveredHours, 1e-9, "a shift covers only the queue it is assigned to")
	rules := map[string]bool{}
	for _, v := range rep.Violations {
		rules[v.Rule] = true
	}
	assert.True(t, rules["skill"], "%+v", rep.Violations)

	// An agent who serves no queue at its level gets no shifts, and the report says why.
	p.Agents[0].Skills = map[string]int{"de": 2}
	p.Agents[0].Contract.MinWeekHours = 20
	r, err = Solve(context.Background(), p)
	require.NoError(t, err)
	rep, err = Measure(p, r.Assignments)
	require.NoError(t, err)
	for _, as := range r.Assignments {
		assert.NotEqual(t, "learner", as.Agent)
	}
	require.NotEmpty(t, rep.Violations)
	assert.Contains(t, rep.Violations[0].Message, "serves no queue at its minimum level")

	bad := p
	bad.MinLevel = map[string]int{"fr": 3, "de": 7}
	err = bad.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"fr" names no queue`)
	assert.Contains(t, err.Error(), "must be 1 to 5, got 7")
}

func TestPublishedShiftsCountTowardTheWeekAndRest(t *testing.T) {
	utc := time.UTC
	start := time.Date(2026, 6, 3, 0, 0, 0, 0, utc) // a Wednesday: the week is cut
	p := Problem{Start: start, Step: 30 * time.Minute, Location: utc, Queues: []string{"q"},
		Required: [][]float64{needs(utc, start, 5, 0, 24, 2)}, Templates: dayTemplates("08:00", "22:00")}
	booked := []Booked{
		{Start: time.Date(2026, 6, 1, 8, 0, 0, 0, utc), End: time.Date(2026, 6, 1, 16, 0, 0, 0, utc), PaidMinutes: 450},
		{Start: time.Date(2026, 6, 2, 22, 0, 0, 0, utc), End: time.Date(2026, 6, 3, 6, 0, 0, 0, utc), PaidMinutes: 450},
	}
	p.Agents = []Agent{{ID: "a", Location: utc, Skills: map[string]int{"q": 3}, Booked: booked,
		Contract: calendar.Contract{MaxWeekHours: 30, MaxShiftsPerWeek: 4, MinRestHours: 11, MaxConsecutiveDays: 3}}}
	r, err := Solve(context.Background(), p)
	require.NoError(t, err)
	rep, err := Measure(p, r.Assignments)
	require.NoError(t, err)
	assert.Empty(t, rep.Violations)
	week := 0
	for _, as := range r.Assignments {
		s := as.Shift.Start
		assert.GreaterOrEqual(t, s.Sub(booked[1].End), 11*time.Hour, "rest after the published night shift")
		if s.Before(time.Date(2026, 6, 8, 0, 0, 0, 0, utc)) {
			week++
		}
	}
	assert.LessOrEqual(t, week, 2, "two published shifts and at most 30 h leave two shifts of 7.5 h this week")
	assert.Positive(t, week, "the requirement is there to take them")

	// A shift that breaks rest against a published one is flagged.
	s := time.Date(2026, 6, 3, 8, 0, 0, 0, utc)
	sh := calendar.Shift{Template: "A", Start: s, End: s.Add(8 * time.Hour), PaidMinutes: 450,
		Breaks: []calendar.Break{{Name: "lunch", Start: s.Add(4 * time.Hour), End: s.Add(270 * time.Minute)}}}
	rep, err = Measure(p, []Assignment{{Agent: "a", Queue: "q", Shift: sh}})
	require.NoError(t, err)
	rules := map[string]bool{}
	for _, v := range rep.Violations {
		rules[v.Rule] = true
	}
	assert.True(t, rules["min_rest"], "%+v", rep.Violations)
}

func TestAnUnreachableMinimumStillGetsTheMostThatFits(t *testing.T) {
	utc := time.UTC
	start := time.Date(2026, 6, 1, 0, 0, 0, 0, utc)
	p := Problem{Start: start, Step: 30 * time.Minute, Location: utc, Queues: []string{"q"},
		Required: [][]float64{needs(utc, start, 7, 0, 24, 3)}, Templates: dayTemplates("08:00")}
	// Five shifts a week, one already published: four of 7.5 h fit, not 34 h.
	p.Agents = []Agent{{ID: "a", Location: utc, Skills: map[string]int{"q": 3},
		Booked:   []Booked{{Start: start.AddDate(0, 0, 6).Add(18 * time.Hour), End: start.AddDate(0, 0, 6).Add(20 * time.Hour), PaidMinutes: 120}},
		Contract: calendar.Contract{MinWeekHours: 34, MaxWeekHours: 40, MaxShiftsPerWeek: 5, MinRestHours: 11, MaxConsecutiveDays: 7}}}
	p.Agents[0].Availability, _ = parseAvailability("mon-sat 00:00-24:00;sun 17:00-24:00")
	r, err := Solve(context.Background(), p)
	require.NoError(t, err)
	assert.Len(t, r.Assignments, 4, "as many shifts as the contract leaves")
	rep, err := Measure(p, r.Assignments)
	require.NoError(t, err)
	require.Len(t, rep.Violations, 1)
	assert.Equal(t, "min_week_hours", rep.Violations[0].Rule)
	assert.Contains(t, rep.Violations[0].Message, "1 published shift(s), 2.00 h, already in the week")
}

func TestRosterKeepsTemplateCaps(t *testing.T) {
	utc := time.UTC
	start := time.Date(2026, 6, 1, 0, 0, 0, 0, utc)
	p := Problem{Start: start, Step: 30 * time.Minute, Location: utc, Queues: []string{"q"},
		Required: [][]float64{needs(utc, start, 7, 8, 16, 3)}, Templates: dayTemplates("08:00", "10:00")}
	two := 2
	p.Templates.Templates[0].MaxAgents = &two
	c := calendar.Contract{MaxWeekHours: 40, MaxShiftsPerWeek: 5, MinRestHours: 11, MaxConsecutiveDays: 6}
	for _, id := range []string{"a", "b", "c", "d"} {
		p.Agents = append(p.Agents, Agent{ID: id, Location: utc, Skills: map[string]int{"q": 3}, Contract: c})
	}
	r, err := Solve(context.Background(), p)
	require.NoError(t, err)
	used := map[string]int{}
	for _, as := range r.Assignments {
		used[as.Shift.Template]++
	}
	assert.Equal(t, 2, used["A"], "the cap binds: the requirement would take many more 08:00 shifts")
	assert.Positive(t, used["B"])
	rep, err := Measure(p, r.Assignments)
	require.NoError(t, err)
	assert.Empty(t, rep.Violations)

	one := 1
	p.Templates.Templates[0].MaxAgents = &one
	rep, err = Measure(p, r.Assignments)
	require.NoError(t, err)
	require.NotEmpty(t, rep.Violations)
	assert.Equal(t, "max_agents", rep.Violations[0].Rule)
}

func TestMostPaidIsTheLargestSumUnderTheLimit(t *testing.T) {
	cases := []struct {
		paid        []int
		k, limit    int
		want        int
		explanation string
	}{
		{[]int{480}, 5, 2400, 2400, "five 8-hour shifts make 40 h"},
		{[]int{480}, 4, 2400, 1920, "four shifts left make 32 h"},
		{[]int{240, 360}, 5, 1560, 1560, "26 h from 4 h and 6 h shifts: 6+6+6+4+4"},
		{[]int{240, 360}, 5, 1500, 1440, "25 h cannot be made; 24 h can"},
		{[]int{480}, 5, 0, 0, "no room under the maximum"},
		{[]int{480}, 0, 2400, 0, "no shifts left"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, mostPaid(c.paid, c.k, c.limit), c.explanation)
	}
}
