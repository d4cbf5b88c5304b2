package plancheck

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCoverageCountsEachShiftOnlyWhereAssignedAndOffBreak(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 3, 23, h, m, 0, 0, time.UTC) }
	shifts := []Shift{
		{Agent: "a", Start: at(9, 0), End: at(10, 0), Queue: "voice", Breaks: []Break{{Start: at(9, 30), End: at(9, 45)}}},
		{Agent: "b", Start: at(9, 15), End: at(10, 0), Queue: "chat"},
		{Agent: "c", Start: at(9, 0), End: at(10, 0), Queue: "email"}, // no requirement: adds nothing
	}
	reqs := []Requirement{
		{Queue: "voice", Start: at(9, 30), End: at(10, 0), Staff: 2},
		{Queue: "voice", Start: at(9, 0), End: at(9, 30), Staff: 2},
		{Queue: "chat", Start: at(9, 0), End: at(9, 30), Staff: 1},
	}
	got := Coverage(shifts, reqs)
	require.Len(t, got, 3)
	near := func(want, got float64, what string) { assert.InDelta(t, want, got, 1e-9, what) }
	chat, voice, total := got[0], got[1], got[2]
	assert.Equal(t, []string{"chat", "voice", "*"}, []string{chat.Queue, voice.Queue, total.Queue})
	// voice: 09:00-09:30 worked whole (cover 1 of 2), 09:30-10:00 half (a break of 15 minutes).
	near(2, voice.RequiredHours, "voice required")
	near(0.75, voice.CoveredHours, "voice covered")
	near(0.5+0.75, voice.UnderHours, "voice under")
	near(0, voice.OverHours, "voice over")
	// chat: b starts at 09:15, so half the interval; the hour after needs nobody.
	near(0.25, chat.UnderHours, "chat under")
	near(0.25, chat.CoveredHours, "chat covered")
	near(1.5, total.UnderHours, "total under")
	near(2.5, total.RequiredHours, "total required")
}

func TestCoverageOfAHeadcountPlanCountsOver(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 3, 23, h, 0, 0, 0, time.UTC) }
	shifts := []Shift{{Start: at(8), End: at(12)}, {Start: at(8), End: at(10)}}
	got := Coverage(shifts, []Requirement{{Start: at(8), End: at(9), Staff: 1}, {Start: at(11), End: at(12), Staff: 2}})
	require.Len(t, got, 1, "one queue, no total")
	assert.InDelta(t, 1, got[0].OverHours, 1e-9)
	assert.InDelta(t, 1, got[0].UnderHours, 1e-9)
	assert.InDelta(t, 3, got[0].CoveredHours, 1e-9)
}
