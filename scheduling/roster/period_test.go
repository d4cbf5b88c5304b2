package roster

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestWholeWeeksHoldsEveryClocksWeekOnThePlansGrid: the period holds every
// zone's week whole, starts and ends on whole steps from the plan's
// midnight, and is no wider than one step more at each end.
func TestWholeWeeksHoldsEveryClocksWeekOnThePlansGrid(t *testing.T) {
	ny, seoul, kathmandu := mustZone(t, "America/New_York"), mustZone(t, "Asia/Seoul"), mustZone(t, "Asia/Kathmandu")
	day := time.Date(2026, 3, 23, 0, 0, 0, 0, ny)
	for _, c := range []struct {
		name  string
		step  time.Duration
		zones []*time.Location
	}{
		{"on the grid", 30 * time.Minute, []*time.Location{ny, seoul}},
		{"+5:45 on a 30-minute grid", 30 * time.Minute, []*time.Location{ny, kathmandu}},
		{"+5:45 on an hourly grid", time.Hour, []*time.Location{kathmandu, ny}},
		{"+5:45 on a 15-minute grid", 15 * time.Minute, []*time.Location{ny, kathmandu}},
	} {
		t.Run(c.name, func(t *testing.T) {
			start, end := WholeWeeks(day, 2, c.step, c.zones)
			raw0, raw1 := WholeWeeks(day, 2, 0, c.zones)
			assert.Zero(t, start.Sub(day)%c.step, "start on the grid")
			assert.Zero(t, end.Sub(day)%c.step, "end on the grid")
			assert.False(t, start.After(raw0))
			assert.False(t, end.Before(raw1))
			assert.Less(t, raw0.Sub(start), c.step)
			assert.Less(t, end.Sub(raw1), c.step)
			for _, loc := range c.zones {
				from := time.Date(2026, 3, 23, 0, 0, 0, 0, loc)
				assert.False(t, from.Before(start), "%s's week starts inside", loc)
				assert.False(t, from.AddDate(0, 0, 14).After(end), "%s's weeks end inside", loc)
			}
		})
	}
	// Kathmandu's Monday is 18:15 UTC on Sunday; the plan's half hours put
	// the period's start at 18:00.
	start, _ := WholeWeeks(day, 1, 30*time.Minute, []*time.Location{ny, kathmandu})
	assert.Equal(t, time.Date(2026, 3, 22, 18, 0, 0, 0, time.UTC), start.UTC())
}
