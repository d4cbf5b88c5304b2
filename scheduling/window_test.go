package scheduling

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRefineWindowsReachesThePlantedOptimum: from the greedy plan of a small
// planted week (above its proven optimum), one window over the whole week
// must find the optimum by branch and bound, with no shortfall, and turn its
// counts into shifts whose cover Measure recomputes; the default windows
// then leave the optimum alone.
func TestRefineWindowsReachesThePlantedOptimum(t *testing.T) {
	p, optimum := plantedDoublePeak(t, 6, 1)
	ts := loadTemplates(t)
	g := greedyPlan(context.Background(), p, ts)
	require.InDelta(t, 0, g.shortfall(), 1e-9)
	before := g.paid() / 60
	require.Greater(t, before, optimum+1e-9, "the greedy plan should leave the window step something to find")

	s := newCoverSolver(g, stressRules{})
	s.refineWindows(context.Background(), g.n, g.n, 400, 3)
	r := Measure(p, g.shifts())
	assert.InDelta(t, 0, r.UnderAgentHours, 1e-9, "no shortfall")
	assert.InDelta(t, optimum, r.PaidAgentHours, 1e-9, "greedy %.1f h, optimum %.1f h", before, optimum)
	for _, pl := range g.chosen {
		assert.Len(t, pl.breaks, len(ts.Templates[pl.c.tmpl].Breaks), "every shift gets all its breaks")
	}

	s.refineWindows(context.Background(), windowWidth, windowStride, windowNodes, windowSweeps)
	assert.InDelta(t, optimum, g.paid()/60, 1e-9, "nothing to improve on the optimum")
	assert.InDelta(t, 0, g.shortfall(), 1e-9)
}

// TestRefineWindowsStopsWhenCancelled: with its context done the step
// changes nothing.
func TestRefineWindowsStopsWhenCancelled(t *testing.T) {
	p, _ := plantedDoublePeak(t, 6, 1)
	g := greedyPlan(context.Background(), p, loadTemplates(t))
	before := g.shifts()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	newCoverSolver(g, stressRules{}).refineWindows(ctx, g.n, g.n, 400, 3)
	assert.Equal(t, before, g.shifts())
}

// TestRefineWindowsKeepsTemplateCapsOnAPlainPeriod: on a period that does
// not wrap, with the 8-hour template capped, the window step (windows of its
// own size) never exceeds the cap, opens no shortfall and never pays more.
func TestRefineWindowsKeepsTemplateCapsOnAPlainPeriod(t *testing.T) {
	p, _ := plantedDoublePeak(t, 12, 3)
	p.Cyclic = false
	ts := loadTemplates(t)
	capFT8 := 12 // binding: without it the step ends with 14
	ts.Templates[0].MaxAgents = &capFT8
	g := greedyPlan(context.Background(), p, ts)
	require.InDelta(t, 0, g.shortfall(), 1e-9, "the greedy plan covers the week")
	require.LessOrEqual(t, g.used[0], capFT8)
	before := g.paid()
	newCoverSolver(g, stressRules{}).refineWindows(context.Background(), windowWidth, windowStride, windowNodes, windowSweeps)
	r := Measure(p, g.shifts())
	assert.InDelta(t, 0, r.UnderAgentHours, 1e-9)
	assert.LessOrEqual(t, r.ShiftsByTemplate["FT8"], capFT8, "the cap holds")
	assert.LessOrEqual(t, r.PaidAgentHours, before/60+1e-9)
	t.Logf("greedy %.0f h, after windows %.0f h, FT8 %d of %d", before/60, r.PaidAgentHours, r.ShiftsByTemplate["FT8"], capFT8)
}
