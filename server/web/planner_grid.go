package web

import (
	"fmt"
	"html"
	"html/template"
	"sort"
	"strconv"
	"time"

	"github.com/peakwise/peakwise/scheduling/calendar"
)

// gridRow is one agent (or one line of unassigned headcount shifts).
type gridRow struct {
	Name  string
	Hours float64       // paid hours in the window
	Track template.HTML // the row's shifts, drawn by trackWriter
}

// gridTick labels the time axis.
type gridTick struct {
	Style template.CSS
	Label string
}

// gridView is a schedule drawn as agents x time over [From, To) on Zone's clock.
type gridView struct {
	Zone     string
	From, To time.Time
	Rows     []gridRow // this page's
	Ticks    []gridTick
	Peaks    []template.CSS // shaded peak intervals
	Shifts   int            // shifts of the kept rows touching the window
	// RowCount is how many rows the window has (after gridPaging.Keep);
	// Rows are First to Last of them (from 1), on page Page of Pages.
	RowCount, First, Last int
	Page, Pages           int
	// BreakCSS defines the break classes the rows use, for the page's head.
	BreakCSS template.CSS
}

// gridPaging chooses the rows drawn: those of agents kept by Keep (nil: all
// agents and the unassigned rows), PerPage at a time (0: all), page Page
// (from 1; out of range is the nearest page).
type gridPaging struct {
	Keep    func(agentID int64) bool
	Page    int
	PerPage int
}

// gridSpan is a stretch of time to shade.
type gridSpan struct{ From, To time.Time }

// buildGrid lays out shifts touching [from, to) on loc's clock: one row per
// agent, named by names (sorted by name), and headcount shifts (no agent)
// packed onto as few "unassigned" rows as do not overlap; paging picks the
// rows drawn. editHref, when not nil, links each shift to its edit page.
// queues names the queues shifts are assigned to (a shift on a queue not in
// it is shown by the queue's id).
func buildGrid(shifts []calendar.Shift, names, queues map[int64]string, loc *time.Location, from, to time.Time, peaks []gridSpan, editHref func(calendar.Shift) string, paging gridPaging) gridView {
	g := gridView{Zone: loc.String(), From: from, To: to}
	pl := gridPlacer{from: from, to: to, span: float64(to.Sub(from)), prec: 2}
	if to.Sub(from) > 35*24*time.Hour {
		pl.prec = 3 // a hundredth of a percent of a long period is more than 5 minutes
	}
	pos := func(a, b time.Time) template.CSS { return template.CSS(pl.style(nil, a, b)) }
	type rowShifts struct {
		row     gridRow
		agentID int64
		shifts  []calendar.Shift
	}
	byAgent := map[int64]*rowShifts{}
	var open []*rowShifts
	var openEnds []time.Time
	visible := make([]calendar.Shift, 0, len(shifts))
	for _, sh := range shifts {
		if !sh.End.After(from) || !sh.Start.Before(to) {
			continue
		}
		if paging.Keep != nil && (sh.AgentID == 0 || !paging.Keep(sh.AgentID)) {
			continue
		}
		visible = append(visible, sh)
	}
	sort.SliceStable(visible, func(i, j int) bool { return visible[i].Start.Before(visible[j].Start) })
	g.Shifts = len(visible)
	for _, sh := range visible {
		var r *rowShifts
		if sh.AgentID != 0 {
			r = byAgent[sh.AgentID]
			if r == nil {
				name := names[sh.AgentID]
				if name == "" {
					name = fmt.Sprintf("Agent %d", sh.AgentID)
				}
				r = &rowShifts{row: gridRow{Name: name}, agentID: sh.AgentID}
				byAgent[sh.AgentID] = r
			}
		} else {
			for i, end := range openEnds {
				// An hour apart at least, so two shifts on a line never read as one.
				if !sh.Start.Before(end.Add(time.Hour)) {
					r = open[i]
					openEnds[i] = sh.End
					break
				}
			}
			if r == nil {
				r = &rowShifts{row: gridRow{Name: fmt.Sprintf("Unassigned %d", len(open)+1)}}
				open = append(open, r)
				openEnds = append(openEnds, sh.End)
			}
		}
		r.shifts = append(r.shifts, sh)
		r.row.Hours += float64(sh.PaidMinutes) / 60
	}
	rows := make([]*rowShifts, 0, len(byAgent)+len(open))
	for _, r := range byAgent {
		rows = append(rows, r)
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].row.Name != rows[j].row.Name {
			return rows[i].row.Name < rows[j].row.Name
		}
		return rows[i].agentID < rows[j].agentID // pages split the same way every time
	})
	rows = append(rows, open...)
	// Only the page's rows are drawn.
	g.RowCount, g.Page, g.Pages = len(rows), 1, 1
	lo, hi := 0, len(rows)
	if paging.PerPage > 0 && len(rows) > 0 {
		g.Pages = (len(rows) + paging.PerPage - 1) / paging.PerPage
		g.Page = min(max(paging.Page, 1), g.Pages)
		lo = (g.Page - 1) * paging.PerPage
		hi = min(lo+paging.PerPage, len(rows))
	}
	g.First, g.Last = lo+1, hi
	tw := trackWriter{pl: pl, loc: loc, queues: queues, multiDay: to.Sub(from) > 26*time.Hour, editHref: editHref, styles: &breakStyles{}}
	for _, r := range rows[lo:hi] {
		r.row.Track = tw.track(r.shifts)
		g.Rows = append(g.Rows, r.row)
	}
	g.BreakCSS = tw.styles.css()
	// Ticks: every 2 hours for a day; for longer windows each day's label is
	// centred over its day, so narrow days of a long period do not overlap.
	if tw.multiDay {
		l := from.In(loc)
		for d := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc); d.Before(to); d = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc) {
			if !d.Before(from) {
				label := d.Format("Mon 2")
				if long := to.Sub(from) > 8*24*time.Hour; long && d.Weekday() == time.Tuesday {
					continue // Monday's longer label takes Tuesday's room
				} else if long && d.Weekday() != time.Monday {
					label = d.Format("2")
				}
				next := time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc)
				mid := d.Add(next.Sub(d) / 2)
				g.Ticks = append(g.Ticks, gridTick{Style: pos(mid, mid), Label: label})
			}
		}
	} else {
		for h := from; h.Before(to); h = h.Add(time.Hour) {
			if l := h.In(loc); l.Minute() == 0 && l.Hour()%2 == 0 {
				g.Ticks = append(g.Ticks, gridTick{Style: pos(h, h), Label: l.Format("15:04")})
			}
		}
	}
	for _, p := range peaks {
		if p.To.After(from) && p.From.Before(to) {
			g.Peaks = append(g.Peaks, pos(p.From, p.To))
		}
	}
	return g
}

// gridPlacer turns instants into percentages of the window [from, to).
type gridPlacer struct {
	from, to time.Time
	span     float64
	prec     int // decimals of a percentage
}

// clamp cuts [a, b) to the window.
func (p gridPlacer) clamp(a, b time.Time) (time.Time, time.Time) {
	if a.Before(p.from) {
		a = p.from
	}
	if b.After(p.to) {
		b = p.to
	}
	return a, b
}

// style appends "left:L%;width:W%" for [a, b) cut to the window.
func (p gridPlacer) style(buf []byte, a, b time.Time) []byte {
	a, b = p.clamp(a, b)
	buf = append(buf, "left:"...)
	buf = strconv.AppendFloat(buf, 100*float64(a.Sub(p.from))/p.span, 'f', p.prec, 64)
	buf = append(buf, "%;width:"...)
	buf = strconv.AppendFloat(buf, 100*float64(b.Sub(a))/p.span, 'f', p.prec, 64)
	return append(buf, '%')
}

// trackWriter draws a row's shifts as one element each, so a 4-week grid of
// 500 agents stays a page a browser lays out quickly: the shift is a
// positioned block whose breaks are hatched gaps painted by a CSS gradient
// (--brk, see peakwise.css; set by a class per distinct pattern, see
// breakStyles). Its text says its times and queue; its title and
// aria-label (the tooltip and the accessible name) say the day on
// multi-day windows, the times, queue, template, breaks and short notice.
// The markup is written here rather than by html/template because this is
// the page's bulk (10,000 shifts); every text is escaped with
// html.EscapeString and the styles hold only numbers.
type trackWriter struct {
	pl       gridPlacer
	loc      *time.Location
	queues   map[int64]string
	multiDay bool
	editHref func(calendar.Shift) string
	styles   *breakStyles
}

func (w trackWriter) track(shifts []calendar.Shift) template.HTML {
	buf := make([]byte, 0, 256*len(shifts))
	for _, sh := range shifts {
		buf = w.shift(buf, sh)
	}
	return template.HTML(buf)
}

func (w trackWriter) shift(buf []byte, sh calendar.Shift) []byte {
	href := ""
	if w.editHref != nil {
		href = w.editHref(sh)
	}
	if href != "" {
		buf = append(buf, `<a class="shift`...)
	} else {
		buf = append(buf, `<span role="img" class="shift`...)
	}
	if sh.ShortNotice {
		buf = append(buf, " notice"...)
	}
	if g := w.gradient(sh); g != "" {
		buf = append(buf, ' ')
		buf = append(buf, w.styles.class(g)...)
	}
	buf = append(buf, `" style="`...)
	buf = w.pl.style(buf, sh.Start, sh.End)
	buf = append(buf, '"')
	if href != "" {
		buf = append(buf, ` href="`...)
		buf = append(buf, html.EscapeString(href)...)
		buf = append(buf, '"')
	}
	label := html.EscapeString(w.label(sh))
	buf = append(buf, ` title="`...)
	buf = append(buf, label...)
	buf = append(buf, `" aria-label="`...)
	buf = append(buf, label...)
	buf = append(buf, `"><span class="shift-time">`...)
	buf = w.clock(buf, sh.Start)
	buf = append(buf, "–"...)
	buf = w.clock(buf, sh.End)
	buf = append(buf, `</span>`...)
	if q := w.queue(sh); q != "" {
		buf = append(buf, ` <span class="shift-queue">`...)
		buf = append(buf, html.EscapeString(q)...)
		buf = append(buf, `</span>`...)
	}
	if href != "" {
		return append(buf, `</a>`...)
	}
	return append(buf, `</span>`...)
}

// queue names the shift's queue: its name, else "queue <id>"; empty when the
// shift is on no queue in particular.
func (w trackWriter) queue(sh calendar.Shift) string {
	if sh.QueueID == 0 {
		return ""
	}
	if n := w.queues[sh.QueueID]; n != "" {
		return n
	}
	return "queue " + strconv.FormatInt(sh.QueueID, 10)
}

// gradient is the shift's colour with a transparent gap per break, through
// which the hatching shows; empty when no break is in the window.
func (w trackWriter) gradient(sh calendar.Shift) string {
	vs, ve := w.pl.clamp(sh.Start, sh.End)
	width := float64(ve.Sub(vs))
	if width <= 0 || len(sh.Breaks) == 0 {
		return ""
	}
	var buf []byte
	brs := append([]calendar.Break(nil), sh.Breaks...)
	sort.Slice(brs, func(i, j int) bool { return brs[i].Start.Before(brs[j].Start) })
	drawn := false
	for _, b := range brs {
		bs, be := b.Start, b.End
		if bs.Before(vs) {
			bs = vs
		}
		if be.After(ve) {
			be = ve
		}
		if !be.After(bs) {
			continue
		}
		if !drawn {
			buf = append(buf, "linear-gradient(90deg,var(--c) "...)
			drawn = true
		} else {
			buf = append(buf, ",var(--c) 0 "...)
		}
		buf = strconv.AppendFloat(buf, 100*float64(bs.Sub(vs))/width, 'f', 1, 64)
		buf = append(buf, "%,#0000 0 "...)
		buf = strconv.AppendFloat(buf, 100*float64(be.Sub(vs))/width, 'f', 1, 64)
		buf = append(buf, '%')
	}
	if !drawn {
		return ""
	}
	return string(append(buf, ",var(--c) 0)"...))
}

// breakStyles names each distinct break pattern of a page once, as a CSS
// class setting --brk, so that 2,000 shifts do not each carry (and make the
// browser parse) the same gradient in their style.
type breakStyles struct {
	byGradient map[string]int
	gradients  []string
}

// class returns the class for gradient g: brk0, brk1, ...
func (b *breakStyles) class(g string) string {
	k, ok := b.byGradient[g]
	if !ok {
		if b.byGradient == nil {
			b.byGradient = map[string]int{}
		}
		k = len(b.gradients)
		b.byGradient[g] = k
		b.gradients = append(b.gradients, g)
	}
	return "brk" + strconv.Itoa(k)
}

// css is the rules for every class handed out; gradients hold only numbers
// and fixed words.
func (b *breakStyles) css() template.CSS {
	var buf []byte
	for k, g := range b.gradients {
		buf = append(buf, ".brk"...)
		buf = strconv.AppendInt(buf, int64(k), 10)
		buf = append(buf, "{--brk:"...)
		buf = append(buf, g...)
		buf = append(buf, "}\n"...)
	}
	return template.CSS(buf)
}

// label is what the shift's title says: its times on the grid's clock (with
// the day on multi-day windows), queue, template, breaks and short notice.
func (w trackWriter) label(sh calendar.Shift) string {
	b := make([]byte, 0, 96)
	if w.multiDay {
		l := sh.Start.In(w.loc)
		b = append(b, l.Weekday().String()[:3]...)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(l.Day()), 10)
		b = append(b, ' ')
		b = append(b, l.Month().String()[:3]...)
		b = append(b, ' ')
	}
	b = w.clock(b, sh.Start)
	b = append(b, "–"...)
	b = w.clock(b, sh.End)
	if q := w.queue(sh); q != "" {
		// The block's visible text ("07:00–15:30 Voice US") stays whole in
		// its accessible name, so speech input can name it.
		b = append(b, ' ')
		b = append(b, q...)
	}
	if sh.Template != "" {
		b = append(b, " ("...)
		b = append(b, sh.Template...)
		b = append(b, ')')
	}
	for _, br := range sh.Breaks {
		b = append(b, ", "...)
		b = append(b, br.Name...)
		b = append(b, ' ')
		b = w.clock(b, br.Start)
		b = append(b, "–"...)
		b = w.clock(b, br.End)
	}
	if sh.ShortNotice {
		b = append(b, ", changed at short notice"...)
	}
	return string(b)
}

// clock appends t as 15:04 on the grid's clock.
func (w trackWriter) clock(b []byte, t time.Time) []byte {
	h, m, _ := t.In(w.loc).Clock()
	return append(b, byte('0'+h/10), byte('0'+h%10), ':', byte('0'+m/10), byte('0'+m%10))
}
