package intraday

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func simAgents(n int) []SimAgent {
	var out []SimAgent
	for i := 0; i < n; i++ {
		s := at(7+i%5, 0)
		out = append(out, SimAgent{Ref: fmt.Sprintf("agent%02d", i), Queue: "Voice US", Channel: "voice", Plan: []Planned{
			{ActWork, s, s.Add(2 * time.Hour)}, {ActBreak, s.Add(2 * time.Hour), s.Add(2*time.Hour + 15*time.Minute)},
			{ActWork, s.Add(2*time.Hour + 15*time.Minute), s.Add(4 * time.Hour)}, {ActLunch, s.Add(4 * time.Hour), s.Add(4*time.Hour + 30*time.Minute)},
			{ActWork, s.Add(4*time.Hour + 30*time.Minute), s.Add(8*time.Hour + 30*time.Minute)},
		}})
	}
	return out
}

// A simulated day is a stream the ingest takes: valid events, unique ids, in
// time order, the same for the same seed.
func TestSimulateDayIsAValidStream(t *testing.T) {
	agents := simAgents(30)
	evs := SimulateDay(agents, SimOptions{Seed: 1, Sick: 0.1, LateLogin: 0.3, MissedBreak: 0.2, LongCall: 0.3})
	require.NotEmpty(t, evs)
	ids := map[string]bool{}
	end := at(23, 0)
	for i, e := range evs {
		assert.NoError(t, e.Validate(end), "event %d", i)
		assert.False(t, ids[e.ID], "event id %s repeats", e.ID)
		ids[e.ID] = true
		if i > 0 {
			assert.False(t, e.At.Before(evs[i-1].At), "events are in time order")
		}
	}
	again := SimulateDay(agents, SimOptions{Seed: 1, Sick: 0.1, LateLogin: 0.3, MissedBreak: 0.2, LongCall: 0.3})
	assert.Equal(t, evs, again, "a seed gives the same day")
}

// The strays show in adherence: a day without them adheres well within the
// grace; sick calls, late log-ins and missed breaks lower it.
func TestSimulatedStraysShowInAdherence(t *testing.T) {
	agents := simAgents(40)
	measure := func(opt SimOptions) float64 {
		byAgent := map[string][]Event{}
		for _, e := range SimulateDay(agents, opt) {
			byAgent[e.Agent] = append(byAgent[e.Agent], e)
		}
		var sum Result
		for _, a := range agents {
			sum = sum.Add(Adherence(a.Plan, byAgent[a.Ref], nil, at(0, 0), at(23, 59), Options{Grace: 5 * time.Minute}))
		}
		return sum.Adherence()
	}
	calm := measure(SimOptions{Seed: 2})
	rough := measure(SimOptions{Seed: 2, Sick: 0.1, LateLogin: 0.5, MissedBreak: 0.5, LongCall: 0.5})
	assert.Greater(t, calm, 0.95, "no strays: only calls running into breaks, mostly within the grace")
	assert.Less(t, rough, calm-0.03, "strays lower adherence")
	// Nobody came in: logged out adheres only to the breaks and lunches
	// (45 of 510 scheduled minutes), as the default mapping allows.
	assert.InDelta(t, 45.0/510, measure(SimOptions{Seed: 2, Sick: 1}), 1e-9, "nobody came in")
}

func TestSimulateVolumeDrifts(t *testing.T) {
	forecast := make([]float64, 2000)
	for i := range forecast {
		forecast[i] = float64(5 + i%80)
	}
	got := SimulateVolume(forecast, 1.2, 7)
	var f, a float64
	for i := range forecast {
		f += forecast[i]
		a += float64(got[i])
		assert.GreaterOrEqual(t, got[i], 0)
	}
	assert.InDelta(t, 1.2, a/f, 0.01)
}
