package web

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestTrendLinesBreakAtWeeksWithoutData: a week without a value, or weeks
// missing between two, leave a gap in the line instead of a line across.
func TestTrendLinesBreakAtWeeksWithoutData(t *testing.T) {
	w := func(d int) time.Time { return time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 7*d) }
	v := func(f float64) *float64 { return &f }
	pts := weekPoint(nil, w(0), v(80))
	pts = weekPoint(pts, w(1), nil)   // a week with no evaluations
	pts = weekPoint(pts, w(2), v(70)) // next to it
	pts = weekPoint(pts, w(5), v(90)) // three weeks later
	ys := make([]bool, len(pts))
	for i, p := range pts {
		ys[i] = math.IsNaN(p.Y)
	}
	assert.Equal(t, []bool{false, true, false, true, false}, ys)
	assert.Equal(t, w(3), pts[3].X, "the gap sits in the first missing week")
	assert.Equal(t, 3, countValues(pts))
}
