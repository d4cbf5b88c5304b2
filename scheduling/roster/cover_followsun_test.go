package roster

import (
	"context"
	"testing"
	"time"

	"github.com/peakwise/peakwise/scheduling/plancheck"
)

// TestFollowSunCoverIsWhatTheValidatorRecounts solves a small follow-the-
// sun week (three zones, queues on their own clocks, a DST change) and
// recounts each queue's cover from the assigned shifts with
// plancheck.Coverage: the report's figures must be the recount's.
func TestFollowSunCoverIsWhatTheValidatorRecounts(t *testing.T) {
	p := followSunProblem(t, 30, 0.9, 3)
	p.MaxRounds = 3
	r, err := Solve(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Measure(p, r.Assignments)
	if err != nil {
		t.Fatal(err)
	}
	var reqs []plancheck.Requirement
	for q, row := range p.Required {
		for i, staff := range row {
			at := p.Start.Add(time.Duration(i) * p.Step)
			reqs = append(reqs, plancheck.Requirement{Queue: p.Queues[q], Start: at, End: at.Add(p.Step), Staff: staff})
		}
	}
	recount := map[string]plancheck.QueueCover{}
	for _, c := range plancheck.Coverage(plancheckInput(p, r.Assignments).Shifts, reqs) {
		recount[c.Queue] = c
	}
	near := func(a, b float64) bool { return a-b < 1e-6 && b-a < 1e-6 }
	for _, q := range append(rep.Queues, rep.Total) {
		name := q.Queue
		if len(rep.Queues) > 1 && q == rep.Total {
			name = "*"
		}
		c := recount[name]
		if !near(c.RequiredHours, q.RequiredHours) || !near(c.UnderHours, q.UnderHours) || !near(c.OverHours, q.OverHours) {
			t.Errorf("queue %q: report required %.3f under %.3f over %.3f, recount %.3f %.3f %.3f", q.Queue,
				q.RequiredHours, q.UnderHours, q.OverHours, c.RequiredHours, c.UnderHours, c.OverHours)
		}
	}
}
