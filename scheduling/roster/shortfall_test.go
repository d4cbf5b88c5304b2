package roster

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling"
	"github.com/peakwise/peakwise/scheduling/calendar"
)

// shortfallWeek needs one agent from 08:00 to 12:00 every day of a week and
// a second half hour, 12:00-12:30, on Monday: 28.5 agent-hours. Shifts are
// four hours without breaks, so seven of them cover all but that half hour
// and an eighth shift, paid four hours, is the only way to cover it. The
// stress terms are off (Cheapest): a four-hour shift without a break works
// the whole of its day's peak, which the stretch limit would price.
func shortfallWeek() Problem {
	utc := time.UTC
	start := time.Date(2026, 6, 1, 0, 0, 0, 0, utc) // a Monday
	all := []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	ts := scheduling.Templates{IntervalMin: 30, Templates: []scheduling.Template{{Name: "P4", SpanMin: 240, PaidMin: 240,
		Start: scheduling.StartWindow{From: "08:00", To: "12:00", StepMin: 30}, Days: all}}}
	need := needs(utc, start, 7, 8, 12, 1)
	need[24] = 1 // Monday 12:00-12:30
	c := calendar.Contract{MaxWeekHours: 40, MaxShiftsPerWeek: 5, MinRestHours: 11}
	var agents []Agent
	for _, id := range []string{"a1", "a2", "a3"} {
		agents = append(agents, Agent{ID: id, Location: utc, Skills: map[string]int{"voice": 3}, Contract: c})
	}
	return Problem{Start: start, Step: 30 * time.Minute, Location: utc, Queues: []string{"voice"},
		Required: [][]float64{need}, Agents: agents, Templates: ts, Cheapest: true}
}

func TestShortfallAllowanceLeavesWhatIsDearToCover(t *testing.T) {
	cases := []struct {
		name       string
		allowance  float64
		price      float64
		paid, left float64
	}{
		// 0.57 h allowed at 4 an hour: the half hour costs 2, the shift 4.
		{"within the allowance", 0.02, 0, 28, 0.5},
		// 0.285 h allowed: the rest of the half hour costs 100 an hour.
		{"beyond the allowance", 0.01, 0, 32, 0},
		{"none", -1, 0, 32, 0},
		// At 10 an hour the half hour costs 5, more than the shift.
		{"dearer than the shift", 0.02, 10, 32, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := shortfallWeek()
			p.ShortfallAllowance = tc.allowance
			p.Weights.Shortfall = tc.price
			r, err := Solve(context.Background(), p)
			require.NoError(t, err)
			rep, err := Measure(p, r.Assignments)
			require.NoError(t, err)
			assert.Empty(t, rep.Violations)
			assert.InDelta(t, tc.paid, rep.Total.PaidHours, 1e-9)
			assert.InDelta(t, tc.left, rep.Total.UnderHours, 1e-9)
			assert.InDelta(t, 28.5*max(tc.allowance, 0), rep.ShortfallAllowanceHours, 1e-9)
		})
	}
}

func TestShortfallAllowanceDefaultsAndBounds(t *testing.T) {
	p := shortfallWeek()
	rep, err := Measure(p, nil)
	require.NoError(t, err)
	assert.InDelta(t, 28.5*DefaultShortfallAllowance, rep.ShortfallAllowanceHours, 1e-9)

	for _, bad := range []func(*Problem){
		func(p *Problem) { p.ShortfallAllowance = 0.06 },
		func(p *Problem) { p.ShortfallAllowance = math.NaN() },
		func(p *Problem) { p.Weights.Shortfall = -1 },
		func(p *Problem) { p.Weights.Shortfall = 150 }, // above the default Under
		func(p *Problem) { p.Weights.Under, p.Weights.Shortfall = 5, 6 },
	} {
		p := shortfallWeek()
		bad(&p)
		var fe scheduling.FieldErrors
		require.True(t, errors.As(p.Validate(), &fe), "%+v", p.Weights)
		assert.Len(t, fe, 1)
	}
}

func TestShortfallAllowanceFromPercent(t *testing.T) {
	for _, tc := range []struct {
		pct, want float64
		ok        bool
	}{{0.4, 0.004, true}, {5, 0.05, true}, {0, -1, true}, {-0.1, 0, false}, {5.01, 0, false}, {math.NaN(), 0, false}, {math.Inf(1), 0, false}} {
		got, ok := ShortfallAllowanceFromPercent(tc.pct)
		assert.Equal(t, tc.ok, ok, "%g", tc.pct)
		assert.InDelta(t, tc.want, got, 1e-12, "%g", tc.pct)
	}
}
