package roster_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling/plancheck"
	"github.com/peakwise/peakwise/scheduling/planinput"
	"github.com/peakwise/peakwise/scheduling/roster"
)

// TestRosterCoverIsWhatTheValidatorRecounts solves random small rosters and
// recounts each queue's cover from the assigned shifts with
// plancheck.Coverage, which shares no code with the solver: the report's
// required, under and over agent-hours per queue must be the recount's.
func TestRosterCoverIsWhatTheValidatorRecounts(t *testing.T) {
	instances := 60
	if testing.Short() {
		instances = 15
	}
	for seed := 1; seed <= instances; seed++ {
		rng := rand.New(rand.NewPCG(uint64(seed), 29))
		p, what := randomRoster(rng, false)
		if p.Validate() != nil {
			continue
		}
		r, err := roster.Solve(context.Background(), p)
		require.NoError(t, err, "seed %d: %s", seed, what)
		rep, err := roster.Measure(p, r.Assignments)
		require.NoError(t, err)
		var reqs []plancheck.Requirement
		for q, row := range p.Required {
			for i, staff := range row {
				at := p.Start.Add(time.Duration(i) * p.Step)
				reqs = append(reqs, plancheck.Requirement{Queue: p.Queues[q], Start: at, End: at.Add(p.Step), Staff: staff})
			}
		}
		recount := map[string]plancheck.QueueCover{}
		for _, c := range plancheck.Coverage(planinput.Roster(p, r.Assignments).Shifts, reqs) {
			recount[c.Queue] = c
		}
		for _, q := range rep.Queues {
			c, ok := recount[q.Queue]
			require.True(t, ok, "seed %d: queue %s not recounted", seed, q.Queue)
			assert.InDelta(t, c.RequiredHours, q.RequiredHours, 1e-6, "seed %d (%s): %s required", seed, what, q.Queue)
			assert.InDelta(t, c.UnderHours, q.UnderHours, 1e-6, "seed %d (%s): %s under", seed, what, q.Queue)
			assert.InDelta(t, c.OverHours, q.OverHours, 1e-6, "seed %d (%s): %s over", seed, what, q.Queue)
		}
	}
}
