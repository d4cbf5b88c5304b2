package calendar_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling/calendar"
)

func TestBookActivityTakesTheQuietestFreeSlot(t *testing.T) {
	day := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	sh := calendar.Shift{Start: at(8, 0), End: at(16, 30), Breaks: []calendar.Break{{Name: "lunch", Start: at(12, 0), End: at(12, 30)}}}
	// Load: busy mornings, quiet 12:00-13:30 (but lunch is at 12:00), quietest 13:00-13:30.
	load := func(t time.Time) float64 {
		switch {
		case t.Hour() < 12:
			return 50
		case t.Equal(at(12, 0)), t.Equal(at(12, 30)):
			return 5
		case t.Equal(at(13, 0)):
			return 1
		case t.Equal(at(13, 30)):
			return 8
		}
		return 30
	}
	cases := []struct {
		name      string
		length    time.Duration
		notBefore time.Time
		want      time.Time
	}{
		{"30 minutes: the quietest interval, not over lunch", 30 * time.Minute, time.Time{}, at(13, 0)},
		{"an hour: the quietest pair that avoids lunch", time.Hour, time.Time{}, at(12, 30)},
		{"not before a given time", 30 * time.Minute, at(14, 0), at(14, 0)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, b, err := calendar.BookActivity(sh, "coaching", tc.length, 30*time.Minute, tc.notBefore, load)
			require.NoError(t, err)
			assert.Equal(t, tc.want, b.Start)
			assert.Equal(t, tc.want.Add(tc.length), b.End)
			assert.True(t, b.Paid)
			require.Len(t, out.Breaks, 2)
			assert.True(t, out.Breaks[0].Start.Before(out.Breaks[1].Start), "breaks stay in time order")
			assert.Len(t, sh.Breaks, 1, "the input shift is not changed")
		})
	}
	_, _, err := calendar.BookActivity(sh, "coaching", 8*time.Hour, 30*time.Minute, time.Time{}, load)
	assert.True(t, errors.Is(err, calendar.ErrNoSlot))
	_, _, err = calendar.BookActivity(sh, "coaching", 0, 30*time.Minute, time.Time{}, load)
	assert.Error(t, err)
}
