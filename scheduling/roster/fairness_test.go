package roster

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling"
	"github.com/peakwise/peakwise/scheduling/calendar"
)

// TestWeekendAndNightHoursAreOnTheAgentsClock: the same instant is a Saturday
// night in Seoul and a Friday morning in New York; a DST night has its own
// length; breaks are not worked.
func TestWeekendAndNightHoursAreOnTheAgentsClock(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	ny, _ := time.LoadLocation("America/New_York")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	// Friday 27 March 2026 09:00-17:00 in New York is Friday 22:00 to
	// Saturday 06:00 in Seoul.
	start := time.Date(2026, 3, 27, 9, 0, 0, 0, ny)
	sh := calendar.Shift{Start: start, End: start.Add(8 * time.Hour), PaidMinutes: 450,
		Breaks: []calendar.Break{{Name: "lunch", Start: start.Add(4 * time.Hour), End: start.Add(4*time.Hour + 30*time.Minute)}}}
	we, ni := weekendNight(ny, sh)
	assert.InDelta(t, 0, we, 1e-9, "a Friday day shift in New York")
	assert.InDelta(t, 0, ni, 1e-9)
	we, ni = weekendNight(seoul, sh)
	assert.InDelta(t, 6-0.5, we, 1e-9, "Saturday 00:00-06:00 in Seoul, the lunch at 02:00 out")
	assert.InDelta(t, 8-0.5, ni, 1e-9, "22:00-06:00 in Seoul is all night")
	// Berlin springs forward on Sunday 29 March at 02:00: a 22:00-06:00
	// shift that night lasts 7 hours, all of them night and weekend.
	n := time.Date(2026, 3, 28, 22, 0, 0, 0, berlin)
	sh = calendar.Shift{Start: n, End: time.Date(2026, 3, 29, 6, 0, 0, 0, berlin), PaidMinutes: 420}
	we, ni = weekendNight(berlin, sh)
	assert.InDelta(t, 7, we, 1e-9)
	assert.InDelta(t, 7, ni, 1e-9)
	// The same hours on the plan's New York clock: Saturday 17:00-24:00 EDT,
	// two hours of night.
	we, ni = weekendNight(ny, sh)
	assert.InDelta(t, 7, we, 1e-9)
	assert.InDelta(t, 2, ni, 1e-9)
}

// TestShareGiniIsPerPaidHour: two agents with the same share of their time
// at night are equal however long their contracts; an agent who works only
// nights beside one who works none is as unequal as two can be.
func TestShareGiniIsPerPaidHour(t *testing.T) {
	_, _, g := spread([]float64{0.5, 0.5})
	assert.InDelta(t, 0, g, 1e-9)
	_, _, g = spread([]float64{0, 1})
	assert.InDelta(t, 0.5, g, 1e-9, "the Gini of two with all on one")
}

// TestWeekendWorkIsShared: two agents alike, one 8-hour shift needed every
// day of a week; whoever works which day is the same cost, so the weekend
// term decides: each works one weekend day. With the term off (the cheapest
// roster) nothing asks for that; the property is the term's.
func TestWeekendWorkIsShared(t *testing.T) {
	start := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) // a Monday
	p := Problem{Start: start, Step: time.Hour, Location: time.UTC, Queues: []string{"q"}, Seed: 3,
		Templates: scheduling.Templates{IntervalMin: 60, Templates: []scheduling.Template{{Name: "D", SpanMin: 480, PaidMin: 480,
			Start: scheduling.StartWindow{From: "09:00", To: "09:00", StepMin: 60}, Days: []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}}}}}
	req := make([]float64, 7*24)
	for d := 0; d < 7; d++ {
		for h := 9; h < 17; h++ {
			req[d*24+h] = 1
		}
	}
	p.Required = [][]float64{req}
	for _, id := range []string{"a", "b"} {
		p.Agents = append(p.Agents, Agent{ID: id, Location: time.UTC, Skills: map[string]int{"q": 3},
			Contract: calendar.Contract{MaxWeekHours: 40, MaxShiftsPerWeek: 4, MinRestHours: 11, MaxConsecutiveDays: 7}})
	}
	r, err := Solve(context.Background(), p)
	require.NoError(t, err)
	rep, err := Measure(p, r.Assignments)
	require.NoError(t, err)
	require.Empty(t, rep.Violations)
	require.InDelta(t, 0, rep.Total.UnderHours, 1e-9, "seven shifts for two agents of four")
	for _, a := range rep.Agents {
		assert.InDelta(t, 8, a.WeekendHours, 1e-9, "%s works one weekend day", a.Agent)
	}
}
