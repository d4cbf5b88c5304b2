package scheduling

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/peakwise/peakwise/scheduling/calendar"
)

func TestMeasureCountsBreaksInAndOutOfPeaks(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 1, 5, h, m, 0, 0, time.UTC) }
	// Half-hours from 08:00; the peak is what needs 3 or more: 09:00 to 10:30.
	p := Plan{Location: time.UTC, Start: at(8, 0), Step: 30 * time.Minute, Required: []float64{1, 2, 4, 4, 3, 2, 1, 1}}
	shifts := []calendar.Shift{
		{AgentID: 1, Template: "T", Start: at(8, 0), End: at(12, 0), PaidMinutes: 210, Breaks: []calendar.Break{{Name: "b", Start: at(9, 0), End: at(9, 30)}}},
		{AgentID: 2, Template: "T", Start: at(8, 0), End: at(12, 0), PaidMinutes: 225, Breaks: []calendar.Break{{Name: "b", Start: at(11, 0), End: at(11, 15)}}},
	}
	r := Measure(p, shifts)
	peaks := 0
	for _, iv := range r.Intervals {
		if iv.Peak {
			peaks++
		}
	}
	assert.Equal(t, 3, peaks)
	assert.InDelta(t, 30.0/45, r.Stress.BreakMinutesInPeakShare, 1e-9, "30 of 45 break minutes fall in the peak")
	assert.InDelta(t, 0.5, r.Stress.MaxShareOnBreak, 1e-9, "at 09:00 one of the two on shift is on break")
	assert.InDelta(t, 90, r.Stress.LongestPeakStretchMin, 1e-9)
	assert.InDelta(t, 75, r.Stress.MeanPeakStretchMin, 1e-9)
	assert.InDelta(t, 1.5, r.Intervals[6].Scheduled, 1e-9, "a quarter-hour break takes half an interval")
	assert.InDelta(t, 7.25, r.PaidAgentHours, 1e-9)
	assert.Equal(t, 2, r.ShiftsByTemplate["T"])
}
