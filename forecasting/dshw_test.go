package forecasting

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// doubleSeasonalMean is a known double-seasonal volume: a level, an intraday
// curve shared by every weekday and a weekday effect that also changes the
// shape (Monday mornings run hot, Fridays fade early). Open Monday-Friday
// 07:00-21:00 local; 0 when closed.
func doubleSeasonalMean(l time.Time) float64 {
	wd, h := l.Weekday(), float64(l.Hour())+float64(l.Minute())/60
	if wd == time.Saturday || wd == time.Sunday || h < 7 || h >= 21 {
		return 0
	}
	v := 60 + 30*math.Sin((h-7)/14*math.Pi) + 8*float64(3-int(wd))
	if wd == time.Monday && h < 12 {
		v += 20
	}
	if wd == time.Friday && h >= 17 {
		v -= 15
	}
	return v
}

// doubleSeasonal builds weeks of 30-minute history of doubleSeasonalMean
// plus Gaussian noise of standard deviation sd from a fixed seed, leaving out
// the skipped dates.
func doubleSeasonal(loc *time.Location, monday time.Time, weeks int, sd float64, seed uint64, skip map[string]bool) Series {
	rng := rand.New(rand.NewPCG(seed, 2))
	s := Series{Location: loc, Step: 30 * time.Minute}
	for d := 0; d < 7*weeks; d++ {
		day := time.Date(monday.Year(), monday.Month(), monday.Day()+d, 0, 0, 0, 0, loc)
		if skip[day.Format(time.DateOnly)] {
			continue
		}
		for _, t0 := range intervalsOf(dateOf(day), loc, s.Step) {
			if m := doubleSeasonalMean(t0.In(loc)); m > 0 {
				s.Points = append(s.Points, Point{Start: t0, Contacts: math.Max(0, m+sd*rng.NormFloat64()), AHT: math.NaN()})
			}
		}
	}
	return s
}

func TestDSHWRecoversADoubleSeasonalSeries(t *testing.T) {
	loc := zone(t, "Europe/Paris")
	s := doubleSeasonal(loc, time.Date(2026, 1, 5, 0, 0, 0, 0, loc), 12, 3, 11, nil)
	r, err := Forecast(s, Options{Horizon: 7 * 24 * time.Hour, Method: "dshw"})
	require.NoError(t, err)
	assert.Equal(t, "dshw", r.Method)
	require.Len(t, r.Intervals, 7*48)
	var absErr, total float64
	for _, iv := range r.Intervals {
		m := doubleSeasonalMean(iv.Start.In(loc))
		if m == 0 {
			assert.Equal(t, 0.0, iv.Forecast, "closed at %s", iv.Start.In(loc))
			continue
		}
		absErr += math.Abs(iv.Forecast - m)
		total += m
	}
	// The noise alone is about 3/60 = 5% of an interval; the forecast must
	// find the mean much closer than that, Monday-morning and Friday-evening
	// shapes included.
	assert.Less(t, absErr/total, 0.02, "WAPE of the forecast against the true mean")
}

func TestDSHWFitImprovesOnTheStartValues(t *testing.T) {
	loc := zone(t, "UTC")
	// A level that steps up by a quarter halfway: the start values cannot
	// know how fast to follow it, the fit must find better ones.
	monday := time.Date(2026, 1, 5, 0, 0, 0, 0, loc)
	s := doubleSeasonal(loc, monday, 12, 3, 5, nil)
	for i := range s.Points {
		if !s.Points[i].Start.Before(monday.AddDate(0, 0, 42)) {
			s.Points[i].Contacts *= 1.25
		}
	}
	g := newGrid(s)
	p, sseStart, sseFit := g.dshwFitParams(len(g.days))
	for name, v := range map[string]float64{"alpha": p.alpha, "delta": p.delta, "omega": p.omega, "phi": p.phi} {
		assert.Greater(t, v, 0.0, name)
		assert.Less(t, v, 1.0, name)
	}
	assert.NotEqual(t, dshwStart, p, "the optimiser moved the parameters")
	assert.Less(t, sseFit, 0.97*sseStart, "the fitted one-step SSE is lower than at the start values")
	var check float64
	g.dshwRun(p, len(g.days), &check)
	assert.InDelta(t, sseFit, check, 1e-6*sseFit, "the reported SSE is the fitted parameters' own")
}

func TestDSHWLocalPeakStaysLocalAcrossDST(t *testing.T) {
	cases := []struct {
		zone    string
		change  string  // local date of the DST change
		hours   float64 // length of that day
		weeks   int     // weeks of history before the Monday of the change's week
		inHist  bool    // the change is inside the history, not the forecast
		horizon time.Duration
	}{
		{"America/New_York", "2026-03-08", 23, 8, false, 14 * 24 * time.Hour},
		{"America/New_York", "2026-03-08", 23, 11, true, 7 * 24 * time.Hour},
		{"Australia/Sydney", "2026-04-05", 25, 8, false, 14 * 24 * time.Hour},
		{"Europe/Lisbon", "2026-10-25", 25, 11, true, 7 * 24 * time.Hour},
	}
	for _, c := range cases {
		t.Run(c.zone+" "+c.change, func(t *testing.T) {
			loc := zone(t, c.zone)
			change, err := time.ParseInLocation(time.DateOnly, c.change, loc)
			require.NoError(t, err)
			start := change.AddDate(0, 0, -7*c.weeks)
			days := 7 * c.weeks
			if c.inHist {
				days += 14
			}
			// A little noise, so the fit has something to do.
			rng := rand.New(rand.NewPCG(3, 4))
			s := morningPeakSeries(loc, start, days, rng.NormFloat64)
			r, err := Forecast(s, Options{Horizon: c.horizon, Method: "dshw"})
			require.NoError(t, err)
			perDay := map[string]int{}
			for _, iv := range r.Intervals {
				l := iv.Start.In(loc)
				perDay[l.Format(time.DateOnly)]++
				switch {
				case l.Hour() == 9:
					assert.InDelta(t, 100, iv.Forecast, 4, "the peak stays at 09:00 local: %s", l)
				case l.Hour() < 7 || l.Hour() >= 21:
					assert.Equal(t, 0.0, iv.Forecast, "closed at %s", l)
				default:
					assert.InDelta(t, 10, iv.Forecast, 4, "off-peak at %s", l)
				}
			}
			if !c.inHist {
				assert.Equal(t, int(c.hours*2), perDay[c.change], "the DST day has %g hours of intervals", c.hours)
			}
		})
	}
}

func TestDSHWSkipsAMissingDay(t *testing.T) {
	loc := zone(t, "Europe/Berlin")
	monday := time.Date(2026, 5, 4, 0, 0, 0, 0, loc)
	// The last Tuesday has no rows: a gap, not a closure.
	s := weekdays(loc, monday, 10, func(time.Time) float64 { return 20 }, map[string]bool{"2026-07-07": true})
	r, err := Forecast(s, Options{Horizon: 7 * 24 * time.Hour, Method: "dshw"})
	require.NoError(t, err)
	tuesdays := 0
	for _, iv := range r.Intervals {
		l := iv.Start.In(loc)
		switch {
		case l.Weekday() == time.Saturday || l.Weekday() == time.Sunday:
			assert.Equal(t, 0.0, iv.Forecast, "weekends are closed: %s", l)
		case l.Hour() >= 8 && l.Hour() < 18:
			assert.InDelta(t, 20, iv.Forecast, 1e-6, "a missing day is skipped, not learnt as zeros: %s", l)
			if l.Weekday() == time.Tuesday {
				tuesdays++
			}
		}
	}
	assert.Equal(t, 10, tuesdays, "the Tuesday after the gap is forecast")
}

func TestDSHWNeverSeesPastItsOrigin(t *testing.T) {
	loc := zone(t, "UTC")
	monday := time.Date(2026, 1, 5, 0, 0, 0, 0, loc)
	s := doubleSeasonal(loc, monday, 12, 3, 9, nil)
	future := s
	future.Points = append([]Point(nil), s.Points...)
	cut := monday.AddDate(0, 0, 7*9)
	for i := range future.Points {
		if !future.Points[i].Start.Before(cut) {
			future.Points[i].Contacts *= 3
		}
	}
	plain, changed := newGrid(s), newGrid(future)
	upto := 7 * 9
	// Asking for a later origin first fits on the changed weeks; the earlier
	// origin must then be refitted, not served those parameters.
	dshw(changed, len(changed.days)-1, time.Monday)
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		assert.Equal(t, dshw(plain, upto, wd), dshw(changed, upto, wd), "weekday %s", wd)
	}
}
