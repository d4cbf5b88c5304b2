package forecasting

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files")

func zone(t *testing.T, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

// morningPeakSeries is days of 30-minute history from start, every day open
// 07:00-21:00 local with a sharp 09:00 peak (100 contacts, 10 otherwise),
// plus noise() per interval.
func morningPeakSeries(loc *time.Location, start time.Time, days int, noise func() float64) Series {
	s := Series{Location: loc, Step: 30 * time.Minute}
	for d := 0; d < days; d++ {
		for _, t0 := range intervalsOf(dateOf(start.AddDate(0, 0, d)), loc, s.Step) {
			h := t0.In(loc).Hour()
			if h < 7 || h >= 21 {
				continue
			}
			v := 10.0
			if h == 9 {
				v = 100
			}
			s.Points = append(s.Points, Point{Start: t0, Contacts: v + noise(), AHT: math.NaN()})
		}
	}
	return s
}

func TestLocalPeakStaysLocalAcrossDST(t *testing.T) {
	cases := []struct {
		zone      string
		histStart time.Time // a Monday, 8 weeks before the change
		change    string    // local date of the DST change
		hours     float64   // length of that day
	}{
		{"America/New_York", time.Date(2026, 1, 12, 0, 0, 0, 0, time.UTC), "2026-03-08", 23},
		{"Australia/Sydney", time.Date(2026, 2, 9, 0, 0, 0, 0, time.UTC), "2026-04-05", 25},
		{"Europe/Lisbon", time.Date(2026, 8, 31, 0, 0, 0, 0, time.UTC), "2026-10-25", 25},
	}
	for _, c := range cases {
		t.Run(c.zone, func(t *testing.T) {
			loc := zone(t, c.zone)
			start := time.Date(c.histStart.Year(), c.histStart.Month(), c.histStart.Day(), 0, 0, 0, 0, loc)
			s := morningPeakSeries(loc, start, 7*7+4, func() float64 { return 0 })
			r, err := Forecast(s, Options{Horizon: 14 * 24 * time.Hour, Method: "mean4"})
			require.NoError(t, err)
			perDay := map[string]int{}
			for _, iv := range r.Intervals {
				l := iv.Start.In(loc)
				perDay[l.Format(time.DateOnly)]++
				switch {
				case l.Hour() == 9:
					assert.Equal(t, 100.0, iv.Forecast, "the peak stays at 09:00 local: %s", l)
				case l.Hour() < 7 || l.Hour() >= 21:
					assert.Equal(t, 0.0, iv.Forecast, "closed at %s", l)
				}
			}
			assert.Equal(t, int(c.hours*2), perDay[c.change], "the DST day has %g hours of intervals", c.hours)
		})
	}
}

// weekdays builds n weeks of open-weekday history (Mon-Fri 08:00-18:00 local)
// with value v(day, slot) and optional skipped dates.
func weekdays(loc *time.Location, monday time.Time, weeks int, v func(d time.Time) float64, skip map[string]bool) Series {
	s := Series{Location: loc, Step: time.Hour}
	for d := 0; d < 7*weeks; d++ {
		day := time.Date(monday.Year(), monday.Month(), monday.Day()+d, 0, 0, 0, 0, loc)
		if day.Weekday() == time.Saturday || day.Weekday() == time.Sunday || skip[day.Format(time.DateOnly)] {
			continue
		}
		for h := 8; h < 18; h++ {
			t := time.Date(day.Year(), day.Month(), day.Day(), h, 0, 0, 0, loc)
			s.Points = append(s.Points, Point{Start: t, Contacts: v(t), AHT: math.NaN()})
		}
	}
	return s
}

func TestMissingDaysDoNotDragTheForecastDown(t *testing.T) {
	loc := zone(t, "Europe/Berlin")
	monday := time.Date(2026, 5, 4, 0, 0, 0, 0, loc)
	flat := func(time.Time) float64 { return 20 }
	// The last Tuesday has no rows at all: a data gap (or holiday), not a closure.
	gap := map[string]bool{"2026-06-09": true}
	s := weekdays(loc, monday, 6, flat, gap)
	r, err := Forecast(s, Options{Horizon: 7 * 24 * time.Hour, Method: "mean4"})
	require.NoError(t, err)
	for _, iv := range r.Intervals {
		l := iv.Start.In(loc)
		if l.Weekday() == time.Tuesday && l.Hour() == 10 {
			assert.Equal(t, 20.0, iv.Forecast, "a missing Tuesday is skipped, not averaged in as zero")
		}
		if l.Weekday() == time.Saturday {
			assert.Equal(t, 0.0, iv.Forecast, "Saturdays are closed: no rows on any Saturday")
		}
	}
}

func TestSpecialDays(t *testing.T) {
	loc := zone(t, "UTC")
	s := weekdays(loc, time.Date(2026, 5, 4, 0, 0, 0, 0, loc), 5, func(time.Time) float64 { return 10 }, nil)
	r, err := Forecast(s, Options{Horizon: 7 * 24 * time.Hour, Method: "mean4",
		SpecialDays: []SpecialDay{{Date: "2026-06-09", Closed: true}, {Date: "2026-06-10", Factor: 1.4}}})
	require.NoError(t, err)
	for _, iv := range r.Intervals {
		switch iv.Start.Format(time.DateOnly) {
		case "2026-06-09":
			assert.Equal(t, 0.0, iv.Forecast)
		case "2026-06-10":
			if iv.Start.Hour() == 10 {
				assert.InDelta(t, 14.0, iv.Forecast, 1e-9)
			}
		}
	}
	_, err = Forecast(s, Options{Horizon: time.Hour, SpecialDays: []SpecialDay{{Date: "June 9"}}})
	assert.Error(t, err)
}

func TestPastSpecialDaysAreSkippedInTheHistory(t *testing.T) {
	loc := zone(t, "America/Chicago")
	monday := time.Date(2026, 5, 4, 0, 0, 0, 0, loc)
	// The last Tuesday of the history was a holiday at 30% of a normal day.
	holiday := func(d time.Time) float64 {
		if d.Format(time.DateOnly) == "2026-06-09" {
			return 6
		}
		return 20
	}
	s := weekdays(loc, monday, 6, holiday, nil)
	for _, method := range []string{"snaive", "mean4", "auto"} {
		marked, err := Forecast(s, Options{Horizon: 7 * 24 * time.Hour, Method: method, SpecialDays: []SpecialDay{{Date: "2026-06-09", Factor: 0.3}}})
		require.NoError(t, err)
		plain, err := Forecast(s, Options{Horizon: 7 * 24 * time.Hour, Method: method})
		require.NoError(t, err)
		for i, iv := range marked.Intervals {
			l := iv.Start.In(loc)
			if l.Weekday() == time.Tuesday && l.Hour() == 10 {
				assert.InDelta(t, 20, iv.Forecast, 1e-6, "%s: the marked holiday is skipped", method)
				assert.Less(t, plain.Intervals[i].Forecast, 19.9, "%s: unmarked, the holiday drags the next Tuesday down", method)
			}
		}
	}
}

func TestCSVErrorsCarryLineNumbers(t *testing.T) {
	in := "timestamp,contacts,channel,timezone\n" +
		"2026-03-02T09:00:00-05:00,12,voice,America/New_York\n" +
		"yesterday,12,voice,America/New_York\n" +
		"2026-03-02T09:30:00-05:00,-3,voice,America/New_York\n" +
		"2026-03-02T10:00:00-05:00,4,voice,Mars/Base\n"
	_, err := ReadHistoryCSV(strings.NewReader(in))
	var ie InputErrors
	require.True(t, errors.As(err, &ie), "%v", err)
	lines := map[int]string{}
	for _, e := range ie {
		lines[e.Line] = e.Field
	}
	assert.Equal(t, map[int]string{3: "timestamp", 4: "contacts", 5: "timezone"}, lines)

	_, err = ReadHistoryCSV(strings.NewReader("time,calls\n1,2\n"))
	assert.ErrorContains(t, err, "missing column")
	_, err = ReadHistoryCSV(strings.NewReader(""))
	assert.ErrorContains(t, err, "empty")
}

func TestIntervalDetectionAndRollUp(t *testing.T) {
	var b strings.Builder
	b.WriteString("timestamp,channel,timezone,contacts,aht_seconds\n")
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for i := 0; i < 12; i++ { // one hour of 5-minute data
		fmt.Fprintf(&b, "%s,chat,UTC,%d,%d\n", t0.Add(time.Duration(i)*5*time.Minute).Format(time.RFC3339), i+1, 100*(i%2+1))
	}
	recs, err := ReadHistoryCSV(strings.NewReader(b.String()))
	require.NoError(t, err)
	native, err := BuildSeries(recs, 0)
	require.NoError(t, err)
	assert.Equal(t, 5*time.Minute, native[0].Step)
	assert.Len(t, native[0].Points, 12)

	rolled, err := BuildSeries(recs, 30*time.Minute)
	require.NoError(t, err)
	require.Len(t, rolled[0].Points, 2)
	assert.Equal(t, 21.0, rolled[0].Points[0].Contacts, "1+2+...+6")
	// AHT weighted by contacts: odd rows (1,3,5 contacts) 100 s, even rows (2,4,6) 200 s.
	assert.InDelta(t, (9*100.0+12*200)/21, rolled[0].Points[0].AHT, 1e-9)

	_, err = BuildSeries(recs, 7*time.Minute)
	assert.ErrorContains(t, err, "cannot be rolled up")
	dup := append(recs[:2:2], recs[1])
	_, err = BuildSeries(dup, 0)
	assert.ErrorContains(t, err, "duplicates line")
}

func TestBacktestMetricsOnAHandCase(t *testing.T) {
	loc := zone(t, "UTC")
	monday := time.Date(2026, 5, 4, 0, 0, 0, 0, loc)
	// Constant 10 for three weeks, then 12: snaive is off by 2 on the first
	// day after the change and exact afterwards.
	v := func(t time.Time) float64 {
		if t.Before(monday.AddDate(0, 0, 21)) {
			return 10
		}
		return 12
	}
	s := weekdays(loc, monday, 5, v, nil)
	scores, err := Backtest(s, 1, 100, []Method{Methods[0]})
	require.NoError(t, err)
	sc := scores[0]
	// Origins: every open day from day 14 to the second-to-last day. Errors are
	// |12-10| = 2 per hour on the five weekdays of week 4 (the first week of 12s,
	// forecast from week 3's 10s): 5 days x 10 h x 2 = 100.
	var actual float64
	g := newGrid(s)
	for _, o := range g.origins(100, 1) {
		actual += g.days[o+1].total
	}
	assert.InDelta(t, 100/actual, sc.WAPE, 1e-12)
	assert.InDelta(t, sc.WAPE, sc.WAPEDay1, 1e-12, "a one-day horizon is all day 1")
}

func TestForecastGolden(t *testing.T) {
	loc := zone(t, "America/Chicago")
	s := synthetic(loc, time.Date(2026, 1, 5, 0, 0, 0, 0, loc), 8, 30*time.Minute, 42)
	// Four days: the closed weekend after the last Friday, then Monday and Tuesday.
	r, err := Forecast(s, Options{Horizon: 4 * 24 * time.Hour})
	require.NoError(t, err)
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "method=%s wape=%.6f\n", r.Method, r.WAPE)
	for _, iv := range r.Intervals {
		fmt.Fprintf(&buf, "%s %.4f %.4f %.4f %.2f\n", iv.Start.In(loc).Format(time.RFC3339), iv.Forecast, iv.Lower, iv.Upper, iv.AHT)
	}
	path := filepath.Join("testdata", "forecast_auto.golden")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./forecasting -run Golden -update to create it")
	assert.Equal(t, string(want), buf.String())
}

func TestIntervalsBracketTheForecast(t *testing.T) {
	loc := zone(t, "UTC")
	s := synthetic(loc, time.Date(2026, 1, 5, 0, 0, 0, 0, loc), 10, 30*time.Minute, 3)
	r, err := Forecast(s, Options{Horizon: 7 * 24 * time.Hour})
	require.NoError(t, err)
	require.NotEmpty(t, r.Scores)
	for _, iv := range r.Intervals {
		assert.LessOrEqual(t, iv.Lower, iv.Forecast)
		assert.GreaterOrEqual(t, iv.Upper, iv.Forecast)
		assert.GreaterOrEqual(t, iv.Lower, 0.0)
	}
	assert.Equal(t, s.Points[len(s.Points)-1].Start.Add(30*time.Minute), r.Intervals[0].Start, "the forecast starts right after the history")
	assert.Len(t, r.Intervals, 7*48)
}

func TestScoreForecastByDay(t *testing.T) {
	loc := zone(t, "America/New_York")
	t0 := time.Date(2026, 3, 7, 23, 0, 0, 0, loc) // Saturday 23:00; Sunday is the 23-hour day
	fc := []Interval{
		{Start: t0, Forecast: 10, Lower: 8, Upper: 12},
		{Start: t0.Add(time.Hour), Forecast: 20, Lower: 15, Upper: 25},
		{Start: t0.Add(2 * time.Hour), Forecast: 5, Lower: 4, Upper: 6},
		{Start: t0.Add(3 * time.Hour), Forecast: 7, Lower: 5, Upper: 9}, // no actual: not scored
	}
	acts := []Actual{{t0, 12}, {t0.Add(time.Hour), 30}, {t0.Add(2 * time.Hour), 5}}
	sc := ScoreForecast(loc, fc, acts)
	require.Len(t, sc.Intervals, 3)
	require.Len(t, sc.Days, 2)
	assert.Equal(t, "2026-03-07", sc.Days[0].Date)
	assert.InDelta(t, 2.0/12, sc.Days[0].WAPE, 1e-12)
	assert.Equal(t, "2026-03-08", sc.Days[1].Date, "midnight and 01:00 local; 02:00 does not exist, 03:00 follows")
	assert.InDelta(t, 10.0/35, sc.Days[1].WAPE, 1e-12)
	assert.InDelta(t, 12.0/47, sc.WAPE, 1e-12)
	assert.InDelta(t, (35.0-47)/47, sc.Bias, 1e-12)
	assert.InDelta(t, 2.0/3, sc.Coverage, 1e-12, "30 fell outside 15-25")
}

func TestAutoAveragesTheBestThree(t *testing.T) {
	loc := zone(t, "America/New_York")
	s := synthetic(loc, time.Date(2026, 1, 5, 0, 0, 0, 0, loc), 12, 30*time.Minute, 21)
	opt := Options{Horizon: 7 * 24 * time.Hour}
	r, err := Forecast(s, opt)
	require.NoError(t, err)
	require.Len(t, r.Scores, len(Methods))
	names := strings.Split(r.Method, "+")
	require.Len(t, names, 3, "auto names the methods it averages: %s", r.Method)
	wape := map[string]float64{}
	for _, sc := range r.Scores {
		wape[sc.Method] = sc.WAPE
	}
	for _, sc := range r.Scores {
		if !strings.Contains("+"+r.Method+"+", "+"+sc.Method+"+") {
			assert.GreaterOrEqual(t, sc.WAPE, wape[names[2]], "%s scored better than the third of %s", sc.Method, r.Method)
		}
	}
	assert.LessOrEqual(t, wape[names[0]], wape[names[1]], "best first")
	assert.LessOrEqual(t, wape[names[1]], wape[names[2]], "best first")
	mean := make([]float64, len(r.Intervals))
	for _, name := range names {
		opt.Method = name
		one, err := Forecast(s, opt)
		require.NoError(t, err)
		require.Len(t, one.Intervals, len(mean))
		for i, iv := range one.Intervals {
			mean[i] += iv.Forecast / 3
		}
	}
	for i, iv := range r.Intervals {
		assert.InDelta(t, mean[i], iv.Forecast, 1e-9, "%s", iv.Start)
	}
	assert.False(t, math.IsNaN(r.WAPE), "the combination has its own backtest score")
}

// TestMASEIsMeasuredAtTheCurrentLevel: history imported over a queue's old
// history at 30 times its level. The backtest's errors are at the new level,
// and so is the naive error MASE divides them by (the four weeks before each
// origin), so MASE stays near 1 instead of growing with the jump (it read
// 62.5 in the browser walk of issue 21 when scaled by the old level).
func TestMASEIsMeasuredAtTheCurrentLevel(t *testing.T) {
	loc := zone(t, "America/Chicago")
	start := time.Date(2026, 8, 31, 0, 0, 0, 0, loc)
	for _, jump := range []float64{1, 30} {
		s := Series{Location: loc, Step: time.Hour}
		for d := 0; d < 84; d++ {
			day := start.AddDate(0, 0, d)
			if day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
				continue
			}
			level := 10.0
			if d >= 56 {
				level *= jump
			}
			for h := 8; h < 18; h++ {
				noise := 1 + 0.1*math.Sin(float64(d*24+h)) // deterministic wobble
				s.Points = append(s.Points, Point{Start: time.Date(day.Year(), day.Month(), day.Day(), h, 0, 0, 0, loc), Contacts: level * noise, AHT: math.NaN()})
			}
		}
		r, err := Forecast(s, Options{Horizon: 7 * 24 * time.Hour, Method: "mean4"})
		require.NoError(t, err)
		assert.Less(t, r.MASE, 5.0, "jump x%g: MASE %.2f", jump, r.MASE)
	}
}
