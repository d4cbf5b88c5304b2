package server

import (
	"fmt"
	"html/template"
	"sort"
	"strings"
	"time"

	"github.com/peakwise/peakwise/scheduling/calendar"
)

// gridBlock is a shift or break placed on a grid row, in percent of the window.
type gridBlock struct {
	Style  template.CSS // left and width
	Label  string       // what a screen reader hears: times on the grid's clock
	Short  string       // what fits on the block
	Href   string       // edit link for drafts; empty otherwise
	Breaks []gridBlock  // positioned within the window, like the shift
	Notice bool         // changed at short notice
}

// gridRow is one agent (or one line of unassigned headcount shifts).
type gridRow struct {
	Name   string
	Hours  float64 // paid hours in the window
	Blocks []gridBlock
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
	Rows     []gridRow
	Ticks    []gridTick
	Peaks    []template.CSS // shaded peak intervals
	Shifts   int            // shifts touching the window
}

// gridSpan is a stretch of time to shade.
type gridSpan struct{ From, To time.Time }

// buildGrid lays out shifts touching [from, to) on loc's clock: one row per
// agent, named by names (sorted by name), and headcount shifts (no agent)
// packed onto as few "unassigned" rows as do not overlap. editHref, when not
// nil, links each block to its edit page.
func buildGrid(shifts []calendar.Shift, names map[int64]string, loc *time.Location, from, to time.Time, peaks []gridSpan, editHref func(calendar.Shift) string) gridView {
	g := gridView{Zone: loc.String(), From: from, To: to}
	span := float64(to.Sub(from))
	pos := func(a, b time.Time) template.CSS {
		if a.Before(from) {
			a = from
		}
		if b.After(to) {
			b = to
		}
		left := 100 * float64(a.Sub(from)) / span
		width := 100 * float64(b.Sub(a)) / span
		return template.CSS(fmt.Sprintf("left:%.3f%%;width:%.3f%%", left, width))
	}
	clock := func(t time.Time) string { return t.In(loc).Format("15:04") }
	multiDay := to.Sub(from) > 26*time.Hour
	byAgent := map[int64]*gridRow{}
	var open []*gridRow
	var openEnds []time.Time
	visible := make([]calendar.Shift, 0, len(shifts))
	for _, sh := range shifts {
		if sh.End.After(from) && sh.Start.Before(to) {
			visible = append(visible, sh)
		}
	}
	sort.SliceStable(visible, func(i, j int) bool { return visible[i].Start.Before(visible[j].Start) })
	g.Shifts = len(visible)
	for _, sh := range visible {
		var row *gridRow
		if sh.AgentID != 0 {
			row = byAgent[sh.AgentID]
			if row == nil {
				name := names[sh.AgentID]
				if name == "" {
					name = fmt.Sprintf("Agent %d", sh.AgentID)
				}
				row = &gridRow{Name: name}
				byAgent[sh.AgentID] = row
			}
		} else {
			for i, end := range openEnds {
				// An hour apart at least, so two shifts on a line never read as one.
				if !sh.Start.Before(end.Add(time.Hour)) {
					row = open[i]
					openEnds[i] = sh.End
					break
				}
			}
			if row == nil {
				row = &gridRow{Name: fmt.Sprintf("Unassigned %d", len(open)+1)}
				open = append(open, row)
				openEnds = append(openEnds, sh.End)
			}
		}
		label := clock(sh.Start) + "–" + clock(sh.End)
		if multiDay {
			label = sh.Start.In(loc).Format("Mon 2 Jan ") + label
		}
		var bl []string
		b := gridBlock{Style: pos(sh.Start, sh.End), Short: clock(sh.Start) + "–" + clock(sh.End), Notice: sh.ShortNotice}
		for _, br := range sh.Breaks {
			b.Breaks = append(b.Breaks, gridBlock{Style: pos(br.Start, br.End), Label: br.Name + " " + clock(br.Start) + "–" + clock(br.End)})
			bl = append(bl, br.Name+" "+clock(br.Start)+"–"+clock(br.End))
		}
		if sh.Template != "" {
			label += " (" + sh.Template + ")"
		}
		if len(bl) > 0 {
			label += ", " + strings.Join(bl, ", ")
		}
		b.Label = label
		if editHref != nil {
			b.Href = editHref(sh)
		}
		row.Blocks = append(row.Blocks, b)
		row.Hours += float64(sh.PaidMinutes) / 60
	}
	for _, r := range byAgent {
		g.Rows = append(g.Rows, *r)
	}
	sort.Slice(g.Rows, func(i, j int) bool { return g.Rows[i].Name < g.Rows[j].Name })
	for _, r := range open {
		g.Rows = append(g.Rows, *r)
	}
	// Ticks: every 2 hours for a day, every day for longer windows.
	if multiDay {
		l := from.In(loc)
		for d := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc); d.Before(to); d = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc) {
			if !d.Before(from) {
				label := d.Format("Mon 2")
				if to.Sub(from) > 8*24*time.Hour && d.Weekday() != time.Monday {
					label = d.Format("2")
				}
				g.Ticks = append(g.Ticks, gridTick{Style: pos(d, d), Label: label})
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
