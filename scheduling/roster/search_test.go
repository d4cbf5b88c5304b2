package roster

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling/plancheck"
)

// TestSearchRepeatsForASeedWithoutDeadline solves a small follow-the-sun
// week twice with two annealing runs and no deadline: the rosters must be
// the same, keep every rule (Measure and the independent validator), and be
// no worse than the local-search rounds' roster alone.
func TestSearchRepeatsForASeedWithoutDeadline(t *testing.T) {
	p := followSunProblem(t, 36, 0.9, 3)
	p.SearchEpochs = 2
	a, err := Solve(context.Background(), p)
	require.NoError(t, err)
	b, err := Solve(context.Background(), p)
	require.NoError(t, err)
	assert.Equal(t, a.Assignments, b.Assignments, "the same Seed without a deadline gives the same roster")

	rep, err := Measure(p, a.Assignments)
	require.NoError(t, err)
	assert.Empty(t, rep.Violations)
	assert.Empty(t, plancheck.Check(plancheckInput(p, a.Assignments)))

	p.SearchEpochs = -1
	rounds, err := Solve(context.Background(), p)
	require.NoError(t, err)
	base, err := Measure(p, rounds.Assignments)
	require.NoError(t, err)
	assert.LessOrEqual(t, weighted(rep), weighted(base)+1e-6, "search %+v, rounds only %+v", rep.Total, base.Total)
}

// TestSearchUsesTheDeadlineAndKeepsEveryRule gives the 120-agent
// follow-the-sun week a short deadline: the annealing search must stop
// within it, report it, and return a roster that keeps every rule. (How
// good it is depends on how far the deadline let it get, which a loaded or
// -race machine decides; the benchmark measures that.)
func TestSearchUsesTheDeadlineAndKeepsEveryRule(t *testing.T) {
	if testing.Short() {
		t.Skip("a 4-second solve; -short skips it")
	}
	p := followSunProblem(t, 120, 0.9, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	began := time.Now()
	r, err := Solve(ctx, p)
	require.NoError(t, err)
	assert.Less(t, time.Since(began), 4*time.Second+1500*time.Millisecond, "Solve ends near its deadline")
	assert.Equal(t, "deadline", r.Stopped)
	rep, err := Measure(p, r.Assignments)
	require.NoError(t, err)
	assert.Empty(t, rep.Violations)
	assert.Empty(t, plancheck.Check(plancheckInput(p, r.Assignments)))
}

// weighted is the objective's main terms at the default weights, from a
// report: under-coverage, paid hours and over-coverage.
func weighted(r Report) float64 {
	w := DefaultWeights()
	return w.Under*r.Total.UnderHours + w.Paid*r.Total.PaidHours + w.Over*r.Total.OverHours
}

// TestSearchRepeatsWithARoomyDeadline solves a small follow-the-sun week
// twice with a deadline its search's moves fit well inside: the annealing
// stops at its move bound, not at the clock, so the rosters are the same.
func TestSearchRepeatsWithARoomyDeadline(t *testing.T) {
	if testing.Short() {
		t.Skip("two solves of a few seconds; -short skips them")
	}
	p := followSunProblem(t, 24, 0.9, 5)
	var got [][]Assignment
	for k := 0; k < 2; k++ {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		r, err := Solve(ctx, p)
		cancel()
		require.NoError(t, err)
		assert.Equal(t, "converged", r.Stopped, "the moves fit well inside the deadline")
		got = append(got, r.Assignments)
	}
	assert.Equal(t, got[0], got[1])
}
