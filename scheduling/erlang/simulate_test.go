package erlang

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func flat(n int, contacts float64, agents int) ([]float64, []int) {
	c := make([]float64, n)
	a := make([]int, n)
	for i := range c {
		c[i], a[i] = contacts, agents
	}
	return c, a
}

// TestSimulationMatchesErlangCInSteadyState runs a long stationary queue (10
// Erlangs on 12 agents, 100 one-hour intervals per run, 20 runs, the first 2
// hours discarded) and requires the analytic Erlang C values to fall inside
// the simulation's 95% confidence intervals.
func TestSimulationMatchesErlangCInSteadyState(t *testing.T) {
	contacts, agents := flat(100, 200, 12)
	cfg := SimConfig{Interval: time.Hour, Contacts: contacts, Agents: agents, AHT: 180 * time.Second,
		AnswerWithin: 20 * time.Second, WarmupIntervals: 2, Runs: 20, Seed: 7}
	res, err := Simulate(context.Background(), cfg)
	require.NoError(t, err)
	want, err := Evaluate(Load{Contacts: 200, Interval: time.Hour, AHT: 180 * time.Second}, 12, 20*time.Second)
	require.NoError(t, err)
	assert.True(t, res.ServiceLevel.Low <= want.ServiceLevel && want.ServiceLevel <= res.ServiceLevel.High,
		"Erlang C SL %.4f outside simulated CI %+v", want.ServiceLevel, res.ServiceLevel)
	assert.True(t, res.ASA.Low <= want.ASA && want.ASA <= res.ASA.High,
		"Erlang C ASA %.3f outside simulated CI %+v", want.ASA, res.ASA)
	assert.Less(t, res.ServiceLevel.High-res.ServiceLevel.Low, 0.03, "the interval is too wide to test anything")
	assert.Equal(t, 0.0, res.Abandon.Mean)
	assert.InDelta(t, 200*98, res.Offered, 200*98*0.02)
	assert.True(t, res.Occupancy.Low <= want.Occupancy && want.Occupancy <= res.Occupancy.High,
		"Erlang C occupancy %.4f outside simulated CI %+v", want.Occupancy, res.Occupancy)
}

// TestSimulationLognormalAndConcurrency: occupancy = offered load / servers
// holds for any handle-time distribution, so it checks that lognormal handle
// times have the requested mean; a concurrency of 2 on 6 agents is 12 servers.
func TestSimulationLognormalAndConcurrency(t *testing.T) {
	contacts, agents := flat(100, 200, 6)
	cfg := SimConfig{Interval: time.Hour, Contacts: contacts, Agents: agents, AHT: 180 * time.Second, Concurrency: 2,
		HandleTime: Lognormal, HandleTimeCV: 1.5, AnswerWithin: 20 * time.Second, WarmupIntervals: 2, Runs: 20, Seed: 13}
	res, err := Simulate(context.Background(), cfg)
	require.NoError(t, err)
	assert.True(t, res.Occupancy.Low <= 10.0/12 && 10.0/12 <= res.Occupancy.High, "occupancy CI %+v, want 0.8333", res.Occupancy)
	assert.InDelta(t, 10.0/12, res.Intervals[50].Occupancy, 0.05)
}

// TestSimulationMatchesErlangA does the same with exponential patience, which
// also checks the closed-form Erlang A service level and abandonment.
func TestSimulationMatchesErlangA(t *testing.T) {
	contacts, agents := flat(100, 240, 11)
	cfg := SimConfig{Interval: time.Hour, Contacts: contacts, Agents: agents, AHT: 180 * time.Second,
		Patience: 90 * time.Second, AnswerWithin: 20 * time.Second, WarmupIntervals: 2, Runs: 20, Seed: 11}
	res, err := Simulate(context.Background(), cfg)
	require.NoError(t, err)
	want, err := Evaluate(Load{Contacts: 240, Interval: time.Hour, AHT: 180 * time.Second, Patience: 90 * time.Second}, 11, 20*time.Second)
	require.NoError(t, err)
	for _, c := range []struct {
		name string
		got  Estimate
		want float64
	}{{"sl", res.ServiceLevel, want.ServiceLevel}, {"asa", res.ASA, want.ASA}, {"abandon", res.Abandon, want.ProbAbandon}, {"occupancy", res.Occupancy, want.Occupancy}} {
		assert.True(t, c.got.Low <= c.want && c.want <= c.got.High, "%s: analytic %.4f outside simulated CI %+v", c.name, c.want, c.got)
	}
}

func TestSimulationIsReproducibleAndSeeded(t *testing.T) {
	contacts := []float64{50, 120, 200, 80}
	agents := []int{5, 9, 12, 4}
	cfg := SimConfig{Interval: 30 * time.Minute, Contacts: contacts, Agents: agents, AHT: 240 * time.Second,
		HandleTime: Lognormal, HandleTimeCV: 0.8, Patience: 120 * time.Second, AnswerWithin: 20 * time.Second, Runs: 8, Seed: 1}
	a, err := Simulate(context.Background(), cfg)
	require.NoError(t, err)
	b, err := Simulate(context.Background(), cfg)
	require.NoError(t, err)
	assert.Equal(t, a, b)
	cfg.Seed = 2
	c, err := Simulate(context.Background(), cfg)
	require.NoError(t, err)
	assert.NotEqual(t, a.ServiceLevel, c.ServiceLevel)
	require.Len(t, a.Intervals, 4)
	// Interval 3 is understaffed (200 contacts x 240 s = 26.7 Erlangs on 12).
	assert.Less(t, a.Intervals[2].ServiceLevel, a.Intervals[1].ServiceLevel)
}

func TestSimulationWithoutAgents(t *testing.T) {
	cfg := SimConfig{Interval: time.Hour, Contacts: []float64{100, 0}, Agents: []int{0, 0}, AHT: time.Minute,
		AnswerWithin: 20 * time.Second, Runs: 4, Seed: 3}
	res, err := Simulate(context.Background(), cfg)
	require.NoError(t, err)
	assert.Equal(t, 0.0, res.ServiceLevel.Mean)
	assert.InDelta(t, res.Offered, res.Unserved, 1e-9, "nobody is answered")
	assert.True(t, math.IsNaN(res.ASA.Mean))

	cfg.Patience = time.Minute
	res, err = Simulate(context.Background(), cfg)
	require.NoError(t, err)
	assert.Equal(t, 1.0, res.Abandon.Mean)
	assert.Equal(t, 0.0, res.Unserved)
}

// TestSimulationAgentsLeaveAfterTheirContact staffs one interval only: every
// contact of the first interval is answered, by agents who then go home, and
// the contacts of the second interval find nobody.
func TestSimulationAgentsLeaveAfterTheirContact(t *testing.T) {
	cfg := SimConfig{Interval: time.Hour, Contacts: []float64{20, 20}, Agents: []int{30, 0}, AHT: 10 * time.Minute,
		AnswerWithin: 20 * time.Second, Runs: 4, Seed: 5}
	res, err := Simulate(context.Background(), cfg)
	require.NoError(t, err)
	assert.Equal(t, 1.0, res.Intervals[0].ServiceLevel)
	assert.Equal(t, 0.0, res.Intervals[1].ServiceLevel)
	assert.InDelta(t, res.Intervals[1].Offered, res.Unserved, 1e-9)
}

func TestSimulationValidation(t *testing.T) {
	_, err := Simulate(context.Background(), SimConfig{Contacts: []float64{1, -1}, Agents: []int{1}, Runs: 1})
	var errs InputErrors
	require.True(t, errors.As(err, &errs), "%v", err)
	fields := map[string]bool{}
	for _, e := range errs {
		fields[e.Field] = true
	}
	for _, f := range []string{"interval", "agents", "contacts", "aht", "runs"} {
		assert.True(t, fields[f], "no error for %s: %v", f, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Simulate(ctx, SimConfig{Interval: time.Hour, Contacts: []float64{1}, Agents: []int{1}, AHT: time.Minute, Runs: 2})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestTQuantile(t *testing.T) {
	assert.InDelta(t, 2.042, tQuantile975(30), 1e-9)
	assert.InDelta(t, 2.0211, tQuantile975(40), 2e-4)
	assert.InDelta(t, 1.9840, tQuantile975(100), 2e-4)
}
