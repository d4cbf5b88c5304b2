package erlang

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSolveDeferredSteadyState(t *testing.T) {
	// 120 emails an hour, 6 minutes each, 24 h target, occupancy 1: 12
	// agents' work arrives every hour, so once the backlog has settled the
	// plan averages 12 agents an hour, handles the 120 an hour, and nothing
	// waits longer than the target.
	vol := make([]float64, 96)
	for i := range vol {
		vol[i] = 120
	}
	plan, err := SolveDeferred(vol, DeferredParams{Interval: time.Hour, AHT: 6 * time.Minute, ResponseTarget: 24 * time.Hour,
		MaxOccupancy: 1, Shrinkage: 0.2})
	require.NoError(t, err)
	agents, handled := 0, 0.0
	for j, iv := range plan {
		assert.LessOrEqual(t, iv.OldestAge, 24*time.Hour)
		assert.Equal(t, StaffFor(iv.Agents, 0.2), iv.Staff)
		if j >= 48 {
			agents += iv.Agents
			handled += iv.Handled
		}
	}
	assert.InDelta(t, 12, float64(agents)/48, 0.5, "agents per hour on the third and fourth day")
	assert.InDelta(t, 120, handled/48, 5, "emails handled per hour")
}

// TestSolveDeferredCarriesFractions: a trickle needing 0.4 of an agent each
// interval is staffed about two intervals in five, not every interval.
func TestSolveDeferredCarriesFractions(t *testing.T) {
	vol := make([]float64, 336)
	for i := range vol {
		vol[i] = 3 // 3 x 240 s = 720 s of a 1,800 s interval
	}
	plan, err := SolveDeferred(vol, DeferredParams{Interval: 30 * time.Minute, AHT: 4 * time.Minute, ResponseTarget: 24 * time.Hour, MaxOccupancy: 1})
	require.NoError(t, err)
	agents := 0
	for _, iv := range plan {
		agents += iv.Agents
		assert.LessOrEqual(t, iv.OldestAge, 24*time.Hour)
	}
	assert.InDelta(t, 0.4*336, float64(agents), 48, "agent-intervals over a week")
}

// TestSolveDeferredMeetsTheTarget checks the promise on random bursty volumes:
// no item waits in the backlog longer than the response target.
func TestSolveDeferredMeetsTheTarget(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 20; trial++ {
		vol := make([]float64, 200)
		for i := range vol {
			if rng.Float64() < 0.3 {
				vol[i] = rng.Float64() * 300
			}
		}
		target := time.Duration(4+rng.IntN(30)) * 30 * time.Minute
		var closed []bool
		if trial%2 == 1 { // every fourth interval closed: each window keeps an open one
			closed = make([]bool, len(vol))
			for i := range closed {
				closed[i] = i%4 == 3
			}
		}
		plan, err := SolveDeferred(vol, DeferredParams{Interval: 30 * time.Minute, AHT: 4 * time.Minute, ResponseTarget: target, InitialBacklog: 50, Closed: closed})
		require.NoError(t, err)
		total := 50.0
		handled := 0.0
		for j, iv := range plan {
			total += vol[j]
			handled += iv.Handled
			assert.LessOrEqual(t, iv.OldestAge, target, "trial %d interval %d", trial, j)
			if closed != nil && closed[j] {
				assert.Zero(t, iv.Agents, "trial %d: interval %d is closed", trial, j)
			}
			assert.InDelta(t, total-handled, iv.Backlog, 1e-6)
		}
	}
}

func TestSolveDeferredValidation(t *testing.T) {
	_, err := SolveDeferred([]float64{1, -2}, DeferredParams{Interval: time.Hour, AHT: time.Minute, ResponseTarget: 30 * time.Minute})
	var errs InputErrors
	require.True(t, errors.As(err, &errs), "%v", err)
	assert.Equal(t, "response-within", errs[0].Field)
	assert.Equal(t, 2, errs[1].Line)
}

// TestSolveDeferredClosedHoursAndAHTs: nights are closed, items carry their
// own AHT, and the target still holds; a window that is entirely closed is
// an error on that line.
func TestSolveDeferredClosedHoursAndAHTs(t *testing.T) {
	n := 96 // 4 days of hours
	vol := make([]float64, n)
	closed := make([]bool, n)
	ahts := make([]time.Duration, n)
	for i := range vol {
		h := i % 24
		closed[i] = h < 8 || h >= 18
		vol[i] = float64(10 + i%7)
		ahts[i] = time.Duration(3+i%5) * time.Minute
	}
	plan, err := SolveDeferred(vol, DeferredParams{Interval: time.Hour, AHT: 5 * time.Minute, ResponseTarget: 24 * time.Hour, Closed: closed, AHTs: ahts})
	require.NoError(t, err)
	for j, iv := range plan {
		if closed[j] {
			assert.Equal(t, 0, iv.Agents, "interval %d is closed", j)
			assert.Equal(t, 0.0, iv.Handled)
		}
		assert.LessOrEqual(t, iv.OldestAge, 24*time.Hour, "interval %d", j)
		assert.LessOrEqual(t, iv.Occupancy, DefaultMaxOccupancy+1e-9)
	}

	_, err = SolveDeferred([]float64{0, 5, 0}, DeferredParams{Interval: time.Hour, AHT: time.Minute, ResponseTarget: time.Hour, Closed: []bool{false, true, false}})
	var errs InputErrors
	require.ErrorAs(t, err, &errs)
	assert.Equal(t, 2, errs[0].Line)
}
