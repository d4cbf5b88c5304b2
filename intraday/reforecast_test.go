package intraday

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestReforecastScalesTheRestByTheShrunkLevel(t *testing.T) {
	night := []float64{10, 20, 30, 40, 50}
	// 36 arrived where 30 were forecast: level 1.2, weight 30/(30+30) = 0.5.
	got, factor := Reforecast(night, []float64{12, 24}, ReforecastOptions{Prior: 30})
	assert.InDelta(t, 1.1, factor, 1e-12)
	assert.InDeltaSlice(t, []float64{12, 24, 33, 44, 55}, got, 1e-9)
	// With a day share of 0.2: weight 30 / (30 + 0 + 0.2 x 150) = 0.5 again.
	_, factor = Reforecast(night, []float64{12, 24}, ReforecastOptions{DayShare: 0.2})
	assert.InDelta(t, 1.1, factor, 1e-12)

	_, f := Reforecast(night, []float64{12, 24}, ReforecastOptions{})
	assert.InDelta(t, 1.2, f, 1e-12, "no prior: the observed level")
	_, f = Reforecast(night, nil, DefaultReforecast)
	assert.Equal(t, 1.0, f, "nothing observed yet")
	_, f = Reforecast([]float64{0, 0, 5}, []float64{3, 1}, DefaultReforecast)
	assert.Equal(t, 1.0, f, "nothing was forecast so far: no level to measure")
	all, _ := Reforecast(night, []float64{1, 2, 3, 4, 5, 6}, DefaultReforecast)
	assert.Equal(t, []float64{1, 2, 3, 4, 5}, all, "a finished day is its actuals")
	_, f = Reforecast(night, []float64{12, 24}, ReforecastOptions{Prior: -1, DayShare: math.NaN()})
	assert.InDelta(t, 1.2, f, 1e-12, "bad options count as 0")
}
