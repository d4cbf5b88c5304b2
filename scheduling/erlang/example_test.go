package erlang_test

import (
	"context"
	"fmt"
	"time"

	"github.com/peakwise/peakwise/scheduling/erlang"
)

// The published Erlang C example: 100 calls in 30 minutes, 3-minute AHT, 80%
// answered within 20 seconds, 30% shrinkage.
func ExampleSolve() {
	req, err := erlang.Solve(
		erlang.Load{Contacts: 100, Interval: 30 * time.Minute, AHT: 180 * time.Second},
		erlang.Targets{ServiceLevel: 0.80, AnswerWithin: 20 * time.Second, Shrinkage: 0.30},
	)
	if err != nil {
		panic(err)
	}
	fmt.Printf("agents %d, staff %d, SL %.4f, ASA %.2f s, occupancy %.4f\n", req.Agents, req.Staff, req.ServiceLevel, req.ASA, req.Occupancy)
	// Output: agents 14, staff 20, SL 0.8884, ASA 7.84 s, occupancy 0.7143
}

// The same queue with callers who hang up after 2 minutes on average.
func ExampleEvaluate() {
	m, err := erlang.Evaluate(erlang.Load{Contacts: 100, Interval: 30 * time.Minute, AHT: 180 * time.Second, Patience: 2 * time.Minute}, 12, 20*time.Second)
	if err != nil {
		panic(err)
	}
	fmt.Printf("SL %.4f, ASA %.2f s, abandon %.4f, occupancy %.4f\n", m.ServiceLevel, m.ASA, m.ProbAbandon, m.Occupancy)
	// Output: SL 0.8256, ASA 6.33 s, abandon 0.0616, occupancy 0.7820
}

// Replaying a morning with Poisson arrivals, 200 times.
func ExampleSimulate() {
	res, err := erlang.Simulate(context.Background(), erlang.SimConfig{
		Interval: 30 * time.Minute, Contacts: []float64{60, 100, 140, 100}, Agents: []int{8, 14, 18, 14},
		AHT: 180 * time.Second, AnswerWithin: 20 * time.Second, Runs: 200, Seed: 42,
	})
	if err != nil {
		panic(err)
	}
	fmt.Printf("SL %.2f (95%% CI %.2f-%.2f)\n", res.ServiceLevel.Mean, res.ServiceLevel.Low, res.ServiceLevel.High)
}
