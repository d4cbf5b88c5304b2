package chart

import (
	"flag"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

// day is 48 half-hour points on 2026-01-05 in loc, valued by f.
func day(loc *time.Location, f func(i int) float64) []Point {
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, loc)
	out := make([]Point, 48)
	for i := range out {
		out[i] = Point{X: start.Add(time.Duration(i) * 30 * time.Minute), Y: f(i)}
	}
	return out
}

func TestFramePlacesPoints(t *testing.T) {
	loc := zone(t, "America/Chicago")
	midnight := time.Date(2026, 1, 5, 0, 0, 0, 0, loc)
	c := Chart{ID: "t", Width: 1064, Height: 300, Location: loc, YLabel: "Contacts",
		Series: []Series{{Name: "a", Markers: true, Points: []Point{{midnight, 0}, {midnight.Add(12 * time.Hour), 50}, {midnight.Add(24 * time.Hour), 100}}}}}
	f, err := c.Layout()
	require.NoError(t, err)
	tests := []struct {
		name   string
		at     time.Time
		v      float64
		wx, wy float64
	}{
		{"start at the left edge, zero on the axis", midnight, 0, 64, 252},
		{"noon in the middle, half the range half-way up", midnight.Add(12 * time.Hour), 50, 556, (252 + f.Top) / 2},
		{"end at the right edge, the top value at the top", midnight.Add(24 * time.Hour), 100, 1048, f.Top},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.InDelta(t, tt.wx, f.X(tt.at), 1e-9)
			assert.InDelta(t, tt.wy, f.Y(tt.v), 1e-9)
		})
	}
	assert.Equal(t, 100.0, f.YMax, "the y range ends on the data's round maximum")
	svg, err := c.Render()
	require.NoError(t, err)
	// The noon marker is a 4x4 square centred on (556, mid).
	assert.Contains(t, string(svg), `<rect x="554" y="`+num(f.Y(50)-2)+`" width="4" height="4"/>`)
	assert.Contains(t, string(svg), `d="M64,252L556,`+num(f.Y(50))+`L1048,`+num(f.Top)+`"`)
}

func TestStepSeriesHoldValuesForTheInterval(t *testing.T) {
	loc := time.UTC
	start := time.Date(2026, 1, 5, 8, 0, 0, 0, loc)
	c := Chart{ID: "s", Width: 264, Height: 200, Location: loc, Step: time.Hour, YMinMax: &[2]float64{0, 10},
		Series: []Series{{Name: "required", Step: true, Points: []Point{{start, 2}, {start.Add(time.Hour), 4}, {start.Add(3 * time.Hour), 6}}}}}
	f, err := c.Layout()
	require.NoError(t, err)
	// 4 hours across 184 units: 46 per hour. The 10:00 interval is missing, so the line breaks.
	want := "M64," + num(f.Y(2)) + "H110V" + num(f.Y(4)) + "H156M202," + num(f.Y(6)) + "H248"
	assert.Equal(t, want, path(f, c.Series[0], c.Step))
}

func TestLinesBreakAtMissingValues(t *testing.T) {
	loc := time.UTC
	pts := day(loc, func(i int) float64 {
		if i == 10 || i == 11 {
			return math.NaN()
		}
		return float64(i)
	})
	c := Chart{ID: "g", Width: 600, Height: 200, Location: loc, Series: []Series{{Name: "x", Points: pts}}}
	f, err := c.Layout()
	require.NoError(t, err)
	assert.Equal(t, 2, strings.Count(path(f, c.Series[0], 0), "M"), "one gap, two runs")
}

func TestXTicksFollowTheLocalClock(t *testing.T) {
	lisbon := zone(t, "Europe/Lisbon")
	// 29 March 2026: Lisbon springs forward at 01:00 to 02:00, a 23-hour day.
	dstDay := time.Date(2026, 3, 29, 0, 0, 0, 0, lisbon)
	tests := []struct {
		name      string
		from, to  time.Time
		maxTicks  int
		wantCount int
		wantDaily bool
		wantFirst string
		wantLast  string
	}{
		{"hourly over the short day: 24 instants from 00:00 to 24:00 minus the skipped hour", dstDay, dstDay.AddDate(0, 0, 1), 30, 24, false, "00:00", "00:00"},
		{"six-hourly over the short day", dstDay, dstDay.AddDate(0, 0, 1), 6, 5, false, "00:00", "00:00"},
		{"daily over two weeks stays on local midnight across the change", dstDay.AddDate(0, 0, -7), dstDay.AddDate(0, 0, 7), 20, 15, true, "00:00", "00:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ticks, daily := xTicks(tt.from, tt.to, lisbon, tt.maxTicks)
			require.NotEmpty(t, ticks)
			assert.Len(t, ticks, tt.wantCount)
			assert.Equal(t, tt.wantDaily, daily)
			assert.Equal(t, tt.wantFirst, ticks[0].In(lisbon).Format("15:04"))
			assert.Equal(t, tt.wantLast, ticks[len(ticks)-1].In(lisbon).Format("15:04"))
			for _, tk := range ticks {
				assert.Zero(t, tk.In(lisbon).Minute(), "ticks fall on whole local hours")
			}
		})
	}
}

func TestYAxisIsRound(t *testing.T) {
	tests := []struct {
		max  float64
		want float64
	}{{0, 1}, {0.4, 1}, {7, 10}, {13, 20}, {21, 25}, {47, 50}, {51, 100}, {180, 200}, {1234, 2000}}
	for _, tt := range tests {
		assert.Equal(t, tt.want, niceCeil(tt.max), "max %v", tt.max)
	}
	assert.Equal(t, []float64{0, 5, 10, 15, 20, 25}, yTicks(0, 25))
	assert.Equal(t, []float64{0, 20, 40, 60, 80, 100}, yTicks(0, 100))
}

func TestLayoutRefusesBadCharts(t *testing.T) {
	loc := time.UTC
	pts := day(loc, func(i int) float64 { return 1 })
	good := Chart{ID: "c", Width: 600, Height: 200, Location: loc, Series: []Series{{Name: "x", Points: pts}}}
	tests := []struct {
		name   string
		change func(c *Chart)
		want   string
	}{
		{"too small", func(c *Chart) { c.Width = 100 }, "too small"},
		{"no zone", func(c *Chart) { c.Location = nil }, "no time zone"},
		{"no id", func(c *Chart) { c.ID = "" }, "an ID is required"},
		{"no data", func(c *Chart) { c.Series = nil }, "no data to draw"},
		{"step without a step", func(c *Chart) { c.Series[0].Step = true }, "need a positive Step"},
		{"lopsided band", func(c *Chart) { c.Bands = []Band{{Name: "b", Lower: pts, Upper: pts[:3]}} }, `band "b" has 48 lower and 3 upper points`},
		{"empty fixed range", func(c *Chart) { c.YMinMax = &[2]float64{5, 5} }, "y range 5 to 5 is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good
			c.Series = append([]Series(nil), good.Series...)
			tt.change(&c)
			_, err := c.Render()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	_, err := good.Render()
	assert.NoError(t, err)
}

func TestRenderIsAccessible(t *testing.T) {
	loc := zone(t, "Asia/Manila")
	c := Chart{ID: "acc", Title: "Voice APAC forecast", Desc: "Contacts per half hour", Width: 600, Height: 240, Location: loc, YLabel: "Contacts per 30 min",
		Series: []Series{{Name: "History", Points: day(loc, func(i int) float64 { return float64(i) })}, {Name: "Forecast", Style: Dashed, Points: day(loc, func(i int) float64 { return 2 })}}}
	svg, err := c.Render()
	require.NoError(t, err)
	s := string(svg)
	assert.Contains(t, s, `role="img" aria-labelledby="acc-title acc-desc"`)
	assert.Contains(t, s, `<title id="acc-title">Voice APAC forecast</title>`)
	assert.Contains(t, s, `<desc id="acc-desc">Contacts per half hour</desc>`)
	assert.Contains(t, s, ">Contacts per 30 min</text>", "the y axis names its unit")
	assert.Contains(t, s, ">Local time (Asia/Manila)</text>", "the x axis names its zone")
	assert.Contains(t, s, `>History</text>`)
	assert.Contains(t, s, `stroke-dasharray="8 5"`, "the forecast is told apart by its dashes")
	// Escaping: names cannot inject markup.
	c.Series[0].Name = `<script>x</script>`
	svg, err = c.Render()
	require.NoError(t, err)
	assert.NotContains(t, string(svg), "<script>")
}

func TestRenderGolden(t *testing.T) {
	chicago := zone(t, "America/Chicago")
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, chicago)
	curve := func(i int) float64 {
		h := float64(i) / 2
		if h < 7 || h >= 21 {
			return 0
		}
		return math.Round(40 + 30*math.Sin((h-7)/14*math.Pi))
	}
	hist := day(chicago, curve)
	var fc, lo, hi, act []Point
	for i := 0; i < 48; i++ {
		at := start.AddDate(0, 0, 1).Add(time.Duration(i) * 30 * time.Minute)
		v := curve(i) * 1.05
		fc = append(fc, Point{at, v})
		lo = append(lo, Point{at, v * 0.8})
		hi = append(hi, Point{at, v * 1.2})
		if i < 24 {
			act = append(act, Point{at, curve(i) * 1.1})
		}
	}
	var peaks []Span
	for i := 0; i < 48; i++ {
		if curve(i) >= 65 {
			peaks = append(peaks, Span{start.Add(time.Duration(i) * 30 * time.Minute), start.Add(time.Duration(i+1) * 30 * time.Minute)})
		}
	}
	var sched []Point
	for i, p := range hist {
		sched = append(sched, Point{p.X, math.Ceil(p.Y / 10)})
		_ = i
	}
	req := day(chicago, func(i int) float64 { return math.Ceil(curve(i) / 9) })
	tests := []struct {
		name  string
		chart Chart
	}{
		{"line", Chart{ID: "line", Title: "Voice US: history and forecast", Desc: "Contacts per 30 minutes, 5 and 6 January 2026",
			Width: 720, Height: 280, Location: chicago, YLabel: "Contacts per 30 min", Now: start.AddDate(0, 0, 1).Add(12 * time.Hour),
			Shades: []Shade{{Name: "Forecast period", Spans: []Span{{start.AddDate(0, 0, 1), start.AddDate(0, 0, 2)}}}},
			Bands:  []Band{{Name: "10–90% band", Lower: lo, Upper: hi}},
			Series: []Series{{Name: "History", Points: hist}, {Name: "Forecast", Style: Dashed, Points: fc}, {Name: "Actual", Style: Dotted, Markers: true, Points: act}}}},
		{"bars", Chart{ID: "bars", Title: "Required vs scheduled", Desc: "Staff per 30 minutes on 5 January 2026", Width: 720, Height: 260,
			Location: chicago, YLabel: "Agents", Step: 30 * time.Minute,
			Shades: []Shade{{Name: "Peak", Spans: peaks}},
			Bars:   []Bars{{Name: "Scheduled", Points: sched}},
			Series: []Series{{Name: "Required", Step: true, Style: Dashed, Points: req}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svg, err := tt.chart.Render()
			require.NoError(t, err)
			golden := filepath.Join("testdata", tt.name+".svg")
			if *update {
				require.NoError(t, os.MkdirAll("testdata", 0o755))
				require.NoError(t, os.WriteFile(golden, []byte(svg), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test ./ui/chart -update to create the golden files")
			assert.Equal(t, string(want), string(svg))
			// Every id is prefixed, so two charts on a page never clash.
			for _, m := range regexp.MustCompile(` id="([^"]+)"`).FindAllStringSubmatch(string(svg), -1) {
				assert.True(t, strings.HasPrefix(m[1], tt.chart.ID), m[1])
			}
		})
	}
}

func TestTouchingSpansShadeAsOneBlock(t *testing.T) {
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	h := time.Hour
	got := mergeSpans([]Span{{at, at.Add(h)}, {at.Add(h), at.Add(2 * h)}, {at.Add(3 * h), at.Add(4 * h)}})
	assert.Equal(t, []Span{{at, at.Add(2 * h)}, {at.Add(3 * h), at.Add(4 * h)}}, got)
}
