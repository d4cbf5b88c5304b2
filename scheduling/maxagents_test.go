package scheduling

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dayTimeWeek is the week: 4 staff 08:00-20:00 UTC every day of
// 30-minute intervals, none otherwise.
func dayTimeWeek() Plan {
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	p := Plan{Location: time.UTC, Start: start, Step: 30 * time.Minute}
	for at := start; at.Before(start.AddDate(0, 0, 7)); at = at.Add(30 * time.Minute) {
		v := 0.0
		if h := at.Hour(); h >= 8 && h < 20 {
			v = 4
		}
		p.Required = append(p.Required, v)
	}
	return p
}

func ft8pt4(ptCap *int) Templates {
	all := []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	return Templates{IntervalMin: 30, Templates: []Template{
		{Name: "FT8", SpanMin: 480, PaidMin: 480, Start: StartWindow{"06:00", "14:00", 30}, Days: all},
		{Name: "PT4", SpanMin: 240, PaidMin: 240, Start: StartWindow{"06:00", "18:00", 30}, Days: all, MaxAgents: ptCap},
	}}
}

func countTemplate(plans Plans, name string) (cheap, aware int) {
	for _, s := range plans.Cheapest {
		if s.Template == name {
			cheap++
		}
	}
	for _, s := range plans.StressAware {
		if s.Template == name {
			aware++
		}
	}
	return
}

// TestMaxAgentsIsAHardCap is the finding: a PT4 template with
// max_agents 0 (or 3) must never appear more often than that, with or
// without a deadline.
func TestMaxAgentsIsAHardCap(t *testing.T) {
	for _, capN := range []int{0, 3} {
		for _, limit := range []time.Duration{0, 3 * time.Second} {
			c := capN
			ctx := context.Background()
			if limit > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, limit)
				defer cancel()
			}
			plans, err := GeneratePlans(ctx, dayTimeWeek(), ft8pt4(&c))
			require.NoError(t, err)
			cheap, aware := countTemplate(plans, "PT4")
			assert.LessOrEqual(t, cheap, capN, "cheapest plan, cap %d, limit %s", capN, limit)
			assert.LessOrEqual(t, aware, capN, "stress-aware plan, cap %d, limit %s", capN, limit)
			assert.Zero(t, Measure(dayTimeWeek(), plans.StressAware).UnderAgentHours)
		}
	}
}

// TestCapShortfallIsReported: when FT8 cannot reach 20:00 and PT4 is capped
// at zero, the evening is short and the plans say the cap is why.
func TestCapShortfallIsReported(t *testing.T) {
	zero := 0
	ts := ft8pt4(&zero)
	ts.Templates[0].Start.To = "10:00" // FT8 ends by 18:00
	plans, err := GeneratePlans(context.Background(), dayTimeWeek(), ts)
	require.NoError(t, err)
	cheap, aware := countTemplate(plans, "PT4")
	assert.Zero(t, cheap)
	assert.Zero(t, aware)
	require.Len(t, plans.CapShortfall, 1)
	cs := plans.CapShortfall[0]
	assert.Equal(t, []string{"PT4"}, cs.Templates)
	assert.Equal(t, 7*4, cs.Intervals, "18:00-20:00 on seven days")
	assert.InDelta(t, 7*2*4, cs.UnderAgentHours, 1e-9)
	assert.InDelta(t, cs.UnderAgentHours, Measure(dayTimeWeek(), plans.StressAware).UnderAgentHours, 1e-9)

	// With room under the cap there is no cap shortfall.
	four := 40
	ts.Templates[1].MaxAgents = &four
	plans, err = GeneratePlans(context.Background(), dayTimeWeek(), ts)
	require.NoError(t, err)
	assert.Empty(t, plans.CapShortfall)
	assert.Zero(t, Measure(dayTimeWeek(), plans.StressAware).UnderAgentHours)
}
