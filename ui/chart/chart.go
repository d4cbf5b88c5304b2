// Package chart draws time-series charts as self-contained, accessible SVG on
// the server: lines (solid, dashed or dotted, with optional point markers),
// step lines, bars filled with patterns, a shaded band between two series and
// shaded time spans. Every series is told apart by its dash or pattern and
// named in a text legend, so no chart depends on colour alone. The x axis is
// time, ticked on a zone's local clock and labelled with the zone; the y axis
// carries a unit label. It is pure: no clock, no I/O.
package chart

import (
	"errors"
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"
)

// Point is one value at one instant. A NaN Y leaves a gap in a line.
type Point struct {
	X time.Time
	Y float64
}

// Style is how a line is drawn.
type Style int

const (
	// Solid draws an unbroken line.
	Solid Style = iota
	// Dashed draws long dashes.
	Dashed
	// Dotted draws dots.
	Dotted
)

// Series is one line. Step draws each value as a flat run from its X to the
// next point's X (the last run lasts Chart.Step), as interval data is.
type Series struct {
	Name    string
	Points  []Point
	Style   Style
	Step    bool
	Markers bool // a square marker on every point, for sparse data such as actuals
}

// Band is the area between Lower and Upper, which must have the same instants.
type Band struct {
	Name         string
	Lower, Upper []Point
}

// Bars is one bar per point, each Chart.Step wide, filled with a hatch pattern.
type Bars struct {
	Name   string
	Points []Point
}

// Span is a shaded stretch of time, such as the future or peak intervals.
type Span struct {
	From, To time.Time
}

// Shade is a named set of spans shaded alike (one legend entry).
type Shade struct {
	Name  string
	Spans []Span
}

// Chart is everything one SVG shows.
type Chart struct {
	// ID prefixes every id in the SVG, so several charts can share a page.
	ID string
	// Title and Desc are read by screen readers (<title>, <desc>); Desc should
	// say in words what the chart shows.
	Title, Desc string
	// Width and Height are the SVG's coordinate size; it scales to its box.
	Width, Height int
	// Location is the zone whose clock the x axis is ticked in.
	Location *time.Location
	// YLabel names the y axis with its unit, e.g. "Contacts per 30 min".
	YLabel string
	// XLabel names the x axis; empty gives "Local time (<Location>)". A chart
	// of dates (weeks on each agent's own clock) says so here.
	XLabel string
	// Step is the length of one interval, for Step series and Bars.
	Step time.Duration
	// From and To fix the x range; zero means fit the data.
	From, To time.Time
	// Now, if set and in range, is marked with a labelled vertical line.
	Now     time.Time
	Series  []Series
	Bands   []Band
	Bars    []Bars
	Shades  []Shade
	YMinMax *[2]float64 // fixed y range; nil means 0 to a round number above the data
}

// Margins around the plot area, in SVG units.
const (
	marginLeft   = 64
	marginRight  = 16
	marginBottom = 48
	legendRow    = 20
)

// palette colours series by order; dashes and patterns carry the meaning.
var palette = []string{"#1f5fbf", "#b35900", "#1e7a3b", "#7a3b9c", "#a4262c", "#35606e"}

// Frame maps data onto the plot area of a chart.
type Frame struct {
	Left, Top, Right, Bottom float64 // the plot area, in SVG units
	From, To                 time.Time
	YMin, YMax               float64
}

// X returns the horizontal position of t.
func (f Frame) X(t time.Time) float64 {
	span := f.To.Sub(f.From)
	if span <= 0 {
		return f.Left
	}
	return f.Left + (f.Right-f.Left)*float64(t.Sub(f.From))/float64(span)
}

// Y returns the vertical position of v (SVG y grows downwards).
func (f Frame) Y(v float64) float64 {
	if f.YMax == f.YMin {
		return f.Bottom
	}
	return f.Bottom - (f.Bottom-f.Top)*(v-f.YMin)/(f.YMax-f.YMin)
}

// Layout validates c and returns where its data will land. Returns an error
// naming the problem when c has no size, no zone, no data, bands whose sides
// disagree, or Step series or bars without a Step.
func (c Chart) Layout() (Frame, error) {
	var errs []error
	if c.Width < 200 || c.Height < 120 {
		errs = append(errs, fmt.Errorf("chart %q: size %dx%d is too small (at least 200x120)", c.ID, c.Width, c.Height))
	}
	if c.Location == nil {
		errs = append(errs, fmt.Errorf("chart %q: no time zone for the x axis", c.ID))
	}
	if c.ID == "" {
		errs = append(errs, errors.New("chart: an ID is required so ids in the page stay unique"))
	}
	for _, b := range c.Bands {
		if len(b.Lower) != len(b.Upper) {
			errs = append(errs, fmt.Errorf("chart %q: band %q has %d lower and %d upper points", c.ID, b.Name, len(b.Lower), len(b.Upper)))
			continue
		}
		for i := range b.Lower {
			if !b.Lower[i].X.Equal(b.Upper[i].X) {
				errs = append(errs, fmt.Errorf("chart %q: band %q point %d: lower at %s, upper at %s", c.ID, b.Name, i, b.Lower[i].X.Format(time.RFC3339), b.Upper[i].X.Format(time.RFC3339)))
				break
			}
		}
	}
	needStep := len(c.Bars) > 0
	for _, s := range c.Series {
		needStep = needStep || s.Step
	}
	if needStep && c.Step <= 0 {
		errs = append(errs, fmt.Errorf("chart %q: step series and bars need a positive Step", c.ID))
	}
	if len(errs) > 0 {
		return Frame{}, errors.Join(errs...)
	}
	from, to, ymax, ok := c.extent()
	if !ok {
		return Frame{}, fmt.Errorf("chart %q: no data to draw", c.ID)
	}
	if !c.From.IsZero() {
		from = c.From
	}
	if !c.To.IsZero() {
		to = c.To
	}
	if !to.After(from) {
		return Frame{}, fmt.Errorf("chart %q: the time range %s to %s is empty", c.ID, from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	f := Frame{Left: marginLeft, Right: float64(c.Width - marginRight), Top: float64(legendRows(c)*legendRow + 12),
		Bottom: float64(c.Height - marginBottom), From: from, To: to, YMin: 0, YMax: niceCeil(ymax)}
	if c.YMinMax != nil {
		f.YMin, f.YMax = c.YMinMax[0], c.YMinMax[1]
		if !(f.YMax > f.YMin) {
			return Frame{}, fmt.Errorf("chart %q: y range %v to %v is empty", c.ID, f.YMin, f.YMax)
		}
	}
	if f.Bottom-f.Top < 40 {
		return Frame{}, fmt.Errorf("chart %q: %d legend rows leave no room to plot in a %d-high chart", c.ID, legendRows(c), c.Height)
	}
	return f, nil
}

// extent is the data's time range and largest value.
func (c Chart) extent() (from, to time.Time, ymax float64, ok bool) {
	see := func(p Point, end time.Time) {
		if !ok || p.X.Before(from) {
			from = p.X
		}
		if !ok || end.After(to) {
			to = end
		}
		ok = true
		if !math.IsNaN(p.Y) && !math.IsInf(p.Y, 0) && p.Y > ymax {
			ymax = p.Y
		}
	}
	for _, s := range c.Series {
		for _, p := range s.Points {
			end := p.X
			if s.Step {
				end = p.X.Add(c.Step)
			}
			see(p, end)
		}
	}
	for _, b := range c.Bands {
		for i := range b.Lower {
			see(b.Lower[i], b.Lower[i].X)
			see(b.Upper[i], b.Upper[i].X)
		}
	}
	for _, b := range c.Bars {
		for _, p := range b.Points {
			see(p, p.X.Add(c.Step))
		}
	}
	return from, to, ymax, ok
}

// niceCeil rounds v up to 1, 2, 2.5 or 5 times a power of ten (at least 1).
func niceCeil(v float64) float64 {
	if v <= 1 {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if v <= m*mag+1e-9 {
			return m * mag
		}
	}
	return 10 * mag
}

// yTicks splits [min, max] into about five round steps.
func yTicks(min, max float64) []float64 {
	raw := (max - min) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if raw <= m*mag+1e-9 {
			step = m * mag
			break
		}
	}
	var out []float64
	for v := math.Ceil(min/step) * step; v <= max+step*1e-9; v += step {
		out = append(out, v)
	}
	return out
}

// tickSteps are the candidate x tick spacings; day steps follow the local
// calendar, so ticks stay on midnight across DST changes.
var tickSteps = []struct {
	hours, days int
}{{1, 0}, {2, 0}, {3, 0}, {6, 0}, {12, 0}, {0, 1}, {0, 2}, {0, 7}}

// xTicks returns local-clock ticks in [from, to], at most about maxTicks.
func xTicks(from, to time.Time, loc *time.Location, maxTicks int) (ticks []time.Time, daily bool) {
	span := to.Sub(from)
	for _, st := range tickSteps {
		n := span.Hours() / float64(st.hours+24*st.days)
		if n > float64(maxTicks) && st.days != 7 {
			continue
		}
		l := from.In(loc)
		if st.days > 0 {
			d := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
			if st.days == 7 { // weeks start on Monday
				d = d.AddDate(0, 0, -int((d.Weekday()+6)%7))
			}
			for ; !d.After(to); d = time.Date(d.Year(), d.Month(), d.Day()+st.days, 0, 0, 0, 0, loc) {
				if !d.Before(from) {
					ticks = append(ticks, d)
				}
			}
			return ticks, true
		}
		// Hour ticks on the local clock's multiples of the step; walking
		// instants an hour at a time keeps DST days right.
		h := time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), 0, 0, 0, loc)
		for ; !h.After(to); h = h.Add(time.Hour) {
			if !h.Before(from) && h.In(loc).Hour()%st.hours == 0 && h.In(loc).Minute() == 0 {
				ticks = append(ticks, h)
			}
		}
		return ticks, false
	}
	return nil, true
}

func legendRows(c Chart) int {
	items := legendItems(c)
	if len(items) == 0 {
		return 0
	}
	rows, x := 1, float64(marginLeft)
	for _, it := range items {
		w := legendWidth(it.name)
		if x+w > float64(c.Width-marginRight) && x > marginLeft {
			rows++
			x = marginLeft
		}
		x += w
	}
	return rows
}

type legendItem struct {
	name string
	kind string // line, band, bars, shade, now
	idx  int
}

func legendItems(c Chart) []legendItem {
	var out []legendItem
	for i, s := range c.Shades {
		out = append(out, legendItem{s.Name, "shade", i})
	}
	for i, b := range c.Bands {
		out = append(out, legendItem{b.Name, "band", i})
	}
	for i, b := range c.Bars {
		out = append(out, legendItem{b.Name, "bars", i})
	}
	for i, s := range c.Series {
		out = append(out, legendItem{s.Name, "line", i})
	}
	return out
}

// legendWidth estimates an entry's width: a 28-unit sample, the text at about
// 6.6 units a character, and a gap.
func legendWidth(name string) float64 { return 28 + 6.6*float64(len([]rune(name))) + 18 }

func num(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

func esc(s string) string { return html.EscapeString(s) }

func dash(s Style) string {
	switch s {
	case Dashed:
		return ` stroke-dasharray="8 5"`
	case Dotted:
		return ` stroke-dasharray="2 4" stroke-linecap="round"`
	}
	return ""
}

// Render draws c as an inline SVG element. It returns Layout's errors.
func (c Chart) Render() (template.HTML, error) {
	f, err := c.Layout()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	id := esc(c.ID)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="%s" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-title %s-desc" font-family="system-ui, sans-serif" font-size="12">`,
		id, c.Width, c.Height, id, id)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, esc(c.Title), id, esc(c.Desc))
	b.WriteString("<defs>")
	for i := range c.Bars {
		col := palette[(i+len(c.Series))%len(palette)]
		// Each bar series gets its own hatch angle, so bars differ without colour.
		fmt.Fprintf(&b, `<pattern id="%s-bars%d" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(%d)"><rect width="6" height="6" fill="%s" fill-opacity="0.18"/><line x1="0" y1="0" x2="0" y2="6" stroke="%s" stroke-width="2"/></pattern>`,
			id, i, 45+90*(i%2), col, col)
	}
	for i := range c.Bands {
		fmt.Fprintf(&b, `<pattern id="%s-band%d" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)"><rect width="8" height="8" fill="#1f5fbf" fill-opacity="0.14"/><line x1="0" y1="0" x2="0" y2="8" stroke="#1f5fbf" stroke-opacity="0.35" stroke-width="1"/></pattern>`, id, i)
	}
	b.WriteString("</defs>")

	// Shaded spans sit behind everything.
	for i, s := range c.Shades {
		fmt.Fprintf(&b, `<g class="shade" data-name="%s">`, esc(s.Name))
		for _, sp := range mergeSpans(s.Spans) {
			x0, x1 := clamp(f.X(sp.From), f.Left, f.Right), clamp(f.X(sp.To), f.Left, f.Right)
			if x1 > x0 {
				fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`, num(x0), num(f.Top), num(x1-x0), num(f.Bottom-f.Top), shadeFill(i))
			}
		}
		b.WriteString("</g>")
	}

	// Axes and grid.
	b.WriteString(`<g class="axis y" stroke="#d7dbe3">`)
	for _, v := range yTicks(f.YMin, f.YMax) {
		y := f.Y(v)
		fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%s" y2="%s"/>`, num(f.Left), num(f.Right), num(y), num(y))
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end" dominant-baseline="middle" fill="#5b6475" stroke="none">%s</text>`, num(f.Left-6), num(y), num(v))
	}
	b.WriteString("</g>")
	fmt.Fprintf(&b, `<text class="axis-label" x="14" y="%s" transform="rotate(-90 14 %s)" text-anchor="middle" fill="#1d2330">%s</text>`,
		num((f.Top+f.Bottom)/2), num((f.Top+f.Bottom)/2), esc(c.YLabel))
	maxTicks := int((f.Right - f.Left) / 70)
	ticks, daily := xTicks(f.From, f.To, c.Location, max(2, maxTicks))
	b.WriteString(`<g class="axis x" stroke="#d7dbe3">`)
	lastRight := math.Inf(-1)
	for _, t := range ticks {
		x := f.X(t)
		l := t.In(c.Location)
		label := l.Format("15:04")
		if daily {
			label = l.Format("Mon 2 Jan")
		} else if l.Hour() == 0 {
			label = l.Format("Mon 2 Jan")
		}
		anchor := "middle"
		if x > f.Right-30 { // keep the last label inside the picture
			anchor = "end"
		}
		fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%s" y2="%s"/>`, num(x), num(x), num(f.Top), num(f.Bottom+4))
		w := 6.6 * float64(len(label))
		left := x - w/2
		if anchor == "end" {
			left = x - w
		}
		if left < lastRight+6 {
			continue // the label would overlap the previous one; the grid line stays
		}
		lastRight = left + w
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="%s" fill="#5b6475" stroke="none">%s</text>`, num(x), num(f.Bottom+17), anchor, esc(label))
	}
	b.WriteString("</g>")
	fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="#1d2330"/>`, num(f.Left), num(f.Right), num(f.Bottom), num(f.Bottom))
	xLabel := c.XLabel
	if xLabel == "" {
		xLabel = "Local time (" + c.Location.String() + ")"
	}
	fmt.Fprintf(&b, `<text class="axis-label" x="%s" y="%d" text-anchor="middle" fill="#1d2330">%s</text>`,
		num((f.Left+f.Right)/2), c.Height-8, esc(xLabel))

	for i, bd := range c.Bands {
		var pts []string
		for _, p := range bd.Lower {
			if !math.IsNaN(p.Y) {
				pts = append(pts, num(f.X(p.X))+","+num(f.Y(p.Y)))
			}
		}
		for k := len(bd.Upper) - 1; k >= 0; k-- {
			if p := bd.Upper[k]; !math.IsNaN(p.Y) {
				pts = append(pts, num(f.X(p.X))+","+num(f.Y(p.Y)))
			}
		}
		fmt.Fprintf(&b, `<polygon class="band" data-name="%s" points="%s" fill="url(#%s-band%d)" stroke="none"/>`, esc(bd.Name), strings.Join(pts, " "), id, i)
	}
	for i, bs := range c.Bars {
		fmt.Fprintf(&b, `<g class="bars" data-name="%s" fill="url(#%s-bars%d)" stroke="%s" stroke-width="0.5">`, esc(bs.Name), id, i, palette[(i+len(c.Series))%len(palette)])
		for _, p := range bs.Points {
			if math.IsNaN(p.Y) || p.Y <= f.YMin {
				continue
			}
			x0, x1 := f.X(p.X), f.X(p.X.Add(c.Step))
			fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s"/>`, num(x0), num(f.Y(p.Y)), num(max(0.5, x1-x0)), num(f.Bottom-f.Y(p.Y)))
		}
		b.WriteString("</g>")
	}
	for i, s := range c.Series {
		col := palette[i%len(palette)]
		fmt.Fprintf(&b, `<path class="series" data-name="%s" d="%s" fill="none" stroke="%s" stroke-width="2"%s/>`, esc(s.Name), path(f, s, c.Step), col, dash(s.Style))
		if s.Markers {
			fmt.Fprintf(&b, `<g class="markers" fill="%s">`, col)
			for _, p := range s.Points {
				if !math.IsNaN(p.Y) {
					fmt.Fprintf(&b, `<rect x="%s" y="%s" width="4" height="4"/>`, num(f.X(p.X)-2), num(f.Y(p.Y)-2))
				}
			}
			b.WriteString("</g>")
		}
	}
	if !c.Now.IsZero() && !c.Now.Before(f.From) && !c.Now.After(f.To) {
		x := f.X(c.Now)
		fmt.Fprintf(&b, `<line class="now" x1="%s" x2="%s" y1="%s" y2="%s" stroke="#1d2330" stroke-width="1.5" stroke-dasharray="3 3"/>`, num(x), num(x), num(f.Top), num(f.Bottom))
		fmt.Fprintf(&b, `<text x="%s" y="%s" fill="#1d2330">now</text>`, num(x+3), num(f.Top+10))
	}
	writeLegend(&b, c)
	b.WriteString("</svg>")
	return template.HTML(b.String()), nil
}

func shadeFill(i int) string {
	return []string{"#eef0f4", "#fff1d6", "#e6f2e9"}[i%3]
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

// path draws a series, breaking it at NaN values.
func path(f Frame, s Series, step time.Duration) string {
	var b strings.Builder
	pen := false
	for i, p := range s.Points {
		if math.IsNaN(p.Y) || math.IsInf(p.Y, 0) {
			pen = false
			continue
		}
		x, y := f.X(p.X), f.Y(p.Y)
		if pen {
			if s.Step {
				fmt.Fprintf(&b, "V%s", num(y))
			} else {
				fmt.Fprintf(&b, "L%s,%s", num(x), num(y))
			}
		} else {
			fmt.Fprintf(&b, "M%s,%s", num(x), num(y))
			pen = true
		}
		if s.Step {
			end := p.X.Add(step)
			if i+1 < len(s.Points) && s.Points[i+1].X.Before(end) {
				end = s.Points[i+1].X
			}
			fmt.Fprintf(&b, "H%s", num(f.X(end)))
			if i+1 < len(s.Points) && s.Points[i+1].X.After(end) {
				pen = false // a hole in the intervals: do not bridge it
			}
		}
	}
	return b.String()
}

func writeLegend(b *strings.Builder, c Chart) {
	items := legendItems(c)
	if len(items) == 0 {
		return
	}
	b.WriteString(`<g class="legend">`)
	x, y := float64(marginLeft), 14.0
	for _, it := range items {
		w := legendWidth(it.name)
		if x+w > float64(c.Width-marginRight) && x > marginLeft {
			x, y = marginLeft, y+legendRow
		}
		switch it.kind {
		case "line":
			s := c.Series[it.idx]
			fmt.Fprintf(b, `<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="%s" stroke-width="2"%s/>`, num(x), num(x+24), num(y-4), num(y-4), palette[it.idx%len(palette)], dash(s.Style))
			if s.Markers {
				fmt.Fprintf(b, `<rect x="%s" y="%s" width="4" height="4" fill="%s"/>`, num(x+10), num(y-6), palette[it.idx%len(palette)])
			}
		case "band":
			fmt.Fprintf(b, `<rect x="%s" y="%s" width="24" height="10" fill="url(#%s-band%d)" stroke="#1f5fbf" stroke-opacity="0.4"/>`, num(x), num(y-9), esc(c.ID), it.idx)
		case "bars":
			fmt.Fprintf(b, `<rect x="%s" y="%s" width="24" height="10" fill="url(#%s-bars%d)" stroke="%s" stroke-width="0.5"/>`, num(x), num(y-9), esc(c.ID), it.idx, palette[(it.idx+len(c.Series))%len(palette)])
		case "shade":
			fmt.Fprintf(b, `<rect x="%s" y="%s" width="24" height="10" fill="%s" stroke="#9aa3b2"/>`, num(x), num(y-9), shadeFill(it.idx))
		}
		fmt.Fprintf(b, `<text x="%s" y="%s" fill="#1d2330">%s</text>`, num(x+28), num(y), esc(it.name))
		x += w
	}
	b.WriteString("</g>")
}

// mergeSpans joins spans that touch, so a run of peak intervals is one block.
func mergeSpans(spans []Span) []Span {
	var out []Span
	for _, sp := range spans {
		if n := len(out); n > 0 && !sp.From.After(out[n-1].To) && !sp.From.Before(out[n-1].From) {
			if sp.To.After(out[n-1].To) {
				out[n-1].To = sp.To
			}
			continue
		}
		out = append(out, sp)
	}
	return out
}
