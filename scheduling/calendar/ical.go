package calendar

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Feed is what an agent's iCalendar feed shows.
type Feed struct {
	Name     string // calendar name, e.g. "Peakwise shifts: Ana Silva"
	Domain   string // UID domain, e.g. "peakwise.example.com"
	Shifts   []Shift
	Revision int       // the published revision; becomes each event's SEQUENCE
	Stamp    time.Time // when the revision was published (DTSTAMP)
}

// WriteICS writes the feed as an RFC 5545 calendar: one event per shift and
// one per break, with UIDs stable across revisions so calendar apps update
// events in place. Times are written in UTC, so no VTIMEZONE is needed and a
// DST change never moves an event.
func WriteICS(w io.Writer, f Feed) error {
	cw := &contentWriter{w: w}
	cw.line("BEGIN:VCALENDAR")
	cw.line("VERSION:2.0")
	cw.line("PRODID:-//Peakwise//Schedules//EN")
	cw.line("CALSCALE:GREGORIAN")
	cw.line("METHOD:PUBLISH")
	cw.line("X-WR-CALNAME:" + escapeText(f.Name))
	cw.line("X-PUBLISHED-TTL:PT1H")
	stamp := utc(f.Stamp)
	for _, s := range f.Shifts {
		cw.event(s.UID+"@"+f.Domain, stamp, f.Revision, s.Start, s.End, shiftSummary(s), shiftDescription(s))
		for i, b := range s.Breaks {
			cw.event(fmt.Sprintf("%s-b%d@%s", s.UID, i, f.Domain), stamp, f.Revision, b.Start, b.End, breakSummary(b), "")
		}
	}
	cw.line("END:VCALENDAR")
	return cw.err
}

func shiftSummary(s Shift) string {
	return "Shift (" + s.Template + ")"
}

func shiftDescription(s Shift) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d paid minutes", s.PaidMinutes)
	for _, br := range s.Breaks {
		kind := "unpaid"
		if br.Paid {
			kind = "paid"
		}
		fmt.Fprintf(&b, "\n%s break %s-%s UTC (%s)", br.Name, br.Start.UTC().Format("15:04"), br.End.UTC().Format("15:04"), kind)
	}
	if s.Note != "" {
		b.WriteString("\n" + s.Note)
	}
	return b.String()
}

func breakSummary(b Break) string {
	name := b.Name
	if name == "" {
		name = "break"
	}
	return "Break: " + name
}

type contentWriter struct {
	w   io.Writer
	err error
}

func (c *contentWriter) event(uid, stamp string, seq int, start, end time.Time, summary, desc string) {
	c.line("BEGIN:VEVENT")
	c.line("UID:" + uid)
	c.line("DTSTAMP:" + stamp)
	c.line(fmt.Sprintf("SEQUENCE:%d", seq))
	c.line("DTSTART:" + utc(start))
	c.line("DTEND:" + utc(end))
	c.line("SUMMARY:" + escapeText(summary))
	if desc != "" {
		c.line("DESCRIPTION:" + escapeText(desc))
	}
	c.line("TRANSP:OPAQUE")
	c.line("END:VEVENT")
}

// line writes one content line, folded at 75 octets as RFC 5545 3.1 requires.
func (c *contentWriter) line(s string) {
	if c.err != nil {
		return
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		size := len(string(r))
		if n+size > 75 {
			b.WriteString("\r\n ")
			n = 1
		}
		b.WriteRune(r)
		n += size
	}
	b.WriteString("\r\n")
	_, c.err = io.WriteString(c.w, b.String())
}

func utc(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// escapeText escapes a TEXT value (RFC 5545 3.3.11).
func escapeText(s string) string {
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`)
	return r.Replace(s)
}
