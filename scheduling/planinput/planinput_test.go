package planinput

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling"
	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/scheduling/plancheck"
	"github.com/peakwise/peakwise/scheduling/roster"
)

func TestTemplatesCarryEveryField(t *testing.T) {
	three := 3
	ts := scheduling.Templates{IntervalMin: 30, Templates: []scheduling.Template{{Name: "FT8", SpanMin: 510, PaidMin: 480,
		Start: scheduling.StartWindow{From: "06:30", To: "10:00", StepMin: 30}, Days: []string{"mon", "sun"}, MaxAgents: &three,
		Breaks: []scheduling.BreakRule{{Name: "lunch", LengthMin: 30, EarliestStart: 210, LatestStart: 300, StepMin: 30}}}}}
	got := Templates(ts)
	require.Len(t, got, 1)
	assert.Equal(t, plancheck.Template{Name: "FT8", SpanMin: 510, PaidMin: 480, StartFromMin: 390, StartToMin: 600, StartStepMin: 30,
		Days: []time.Weekday{time.Monday, time.Sunday}, MaxAgents: &three,
		Breaks: []plancheck.BreakRule{{Name: "lunch", LengthMin: 30, EarliestStartMin: 210, LatestStartMin: 300, StepMin: 30}}}, got[0])
	*ts.Templates[0].MaxAgents = 4
	assert.Equal(t, 3, *got[0].MaxAgents, "the cap is copied, not shared")
}

// TestRosterIsCheckedOnTheAgentsClock: a roster of one Seoul agent on a
// plan on UTC converts with the agent's zone, availability, time off and
// contract, so the validator finds exactly the shift outside his
// availability.
func TestRosterIsCheckedOnTheAgentsClock(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	start := time.Date(2026, 6, 1, 0, 0, 0, 0, seoul)
	ts := scheduling.Templates{IntervalMin: 30, Templates: []scheduling.Template{{Name: "D", SpanMin: 480, PaidMin: 480,
		Start: scheduling.StartWindow{From: "08:00", To: "12:00", StepMin: 60}, Days: []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}}}}
	a := roster.Agent{ID: "kim", Location: seoul, Skills: map[string]int{"voice": 3},
		Contract:     calendar.Contract{MaxWeekHours: 40, MaxShiftsPerWeek: 5, MinRestHours: 11, MaxConsecutiveDays: 6},
		Availability: []roster.Window{{Day: time.Monday, From: 8 * 60, To: 16 * 60}, {Day: time.Tuesday, From: 8 * 60, To: 16 * 60}},
		TimeOff:      []roster.Interval{{Start: start.AddDate(0, 0, 3), End: start.AddDate(0, 0, 4)}}}
	p := roster.Problem{Start: start, Step: 30 * time.Minute, Location: time.UTC, Queues: []string{"voice"},
		Required: [][]float64{make([]float64, 7*48)}, Agents: []roster.Agent{a}, Templates: ts}
	shift := func(day, hour int) roster.Assignment {
		s := time.Date(2026, 6, day, hour, 0, 0, 0, seoul)
		return roster.Assignment{Agent: "kim", Queue: "voice", Shift: calendar.Shift{Template: "D", Start: s, End: s.Add(8 * time.Hour), PaidMinutes: 480}}
	}
	in := Roster(p, []roster.Assignment{shift(1, 8), shift(2, 9)})
	assert.True(t, in.End.Equal(start.AddDate(0, 0, 7)))
	bs := plancheck.Check(in)
	require.Len(t, bs, 1, "%v", bs)
	assert.Equal(t, plancheck.RuleAvailability, bs[0].Rule)
	assert.Contains(t, bs[0].Why, "Tue 2 Jun 2026 16:00 KST")

	bs = plancheck.Check(Roster(p, []roster.Assignment{shift(4, 8)}))
	require.Len(t, bs, 2, "%v", bs)
	assert.ElementsMatch(t, []string{plancheck.RuleAvailability, plancheck.RuleTimeOff}, []string{bs[0].Rule, bs[1].Rule})
}
