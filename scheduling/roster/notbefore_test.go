package roster

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling/plancheck"
)

// TestNotBeforeKeepsShiftsOutOfThePast solves random multi-zone weeks with
// NotBefore a day and a half into the period: no shift starts before it,
// the report finds no breach, and a shift before it is reported. Without
// it the same weeks have shifts in that day and a half.
func TestNotBeforeKeepsShiftsOutOfThePast(t *testing.T) {
	without := 0
	for seed := uint64(1); seed <= 6; seed++ {
		p := randomMultiZone(t, seed)
		p.SearchEpochs = -1
		free, err := Solve(context.Background(), p)
		require.NoError(t, err)
		cut := p.Start.Add(36 * time.Hour)
		for _, a := range free.Assignments {
			if a.Shift.Start.Before(cut) {
				without++
				break
			}
		}
		p.NotBefore = cut
		r, err := Solve(context.Background(), p)
		require.NoError(t, err)
		require.NotEmpty(t, r.Assignments, "seed %d", seed)
		for _, a := range r.Assignments {
			assert.False(t, a.Shift.Start.Before(p.NotBefore), "seed %d: %s starts %v, before %v", seed, a.Agent, a.Shift.Start, p.NotBefore)
		}
		rep, err := Measure(p, r.Assignments)
		require.NoError(t, err)
		for _, v := range rep.Violations {
			assert.NotEqual(t, "period", v.Rule, "seed %d: %s", seed, v.Message)
		}
		for _, b := range plancheck.Check(plancheckInput(p, r.Assignments)) {
			assert.NotEqual(t, plancheck.RulePeriod, b.Rule, "seed %d: %s", seed, b.String())
		}
		early := append([]Assignment(nil), r.Assignments...)
		p.NotBefore = early[0].Shift.Start.Add(p.Step)
		rep, err = Measure(p, early)
		require.NoError(t, err)
		found := false
		for _, v := range rep.Violations {
			found = found || v.Rule == "period" && strings.Contains(v.Message, "before the earliest start the plan allows")
		}
		assert.True(t, found, "seed %d: a shift before NotBefore is reported", seed)
		found = false
		for _, b := range plancheck.Check(plancheckInput(p, early)) {
			found = found || b.Rule == plancheck.RulePeriod
		}
		assert.True(t, found, "seed %d: the validator finds it too", seed)
	}
	assert.Positive(t, without, "no week had a shift in its first day and a half without NotBefore")
}
