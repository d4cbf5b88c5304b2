package calendar

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Bounds of a schedule file: what a plausible plan can hold. A cell outside
// them is refused with its line, so nothing implausible is ever stored.
const (
	MaxPlanShifts     = 100_000          // shifts in one plan or file (2,000 agents x 7 weeks x 7 days)
	MaxShiftLength    = 24 * time.Hour   // one shift, end minus start
	MaxBreaksPerShift = 12               // breaks inside one shift
	MaxNameLength     = 100              // template and queue names, in characters
	MaxAgentRefLength = 254              // an agent's email, id or external id
	earliestShiftYear = 2000             // shifts start in [2000, 2100)
	latestShiftYear   = 2100             //
	csvMaxFileBytes   = 64 * 1024 * 1024 // the whole file
)

// ShiftRow is one line of a schedule file: the shift and, as written, the
// agent (an email, id or external id; empty in headcount plans) and queue it
// names. Shift.AgentID and QueueID are not set: resolving names is the
// caller's business.
type ShiftRow struct {
	Line  int
	Agent string
	Queue string
	Shift Shift
}

// FileError is a schedule file refused as a whole: the header, the CSV
// syntax, or each bad cell by line. Nothing of the file should be used.
type FileError struct {
	Message  string
	Problems []Problem // one per bad cell, in line order
	// Rows are the lines read, bad ones included, so that a caller can add
	// its own problems (an unknown agent) to the file's in one answer.
	Rows []ShiftRow
}

func (e *FileError) Error() string {
	if len(e.Problems) == 0 {
		return e.Message
	}
	var b strings.Builder
	b.WriteString(e.Message)
	for i, p := range e.Problems {
		if i == 10 {
			fmt.Fprintf(&b, "\n  ... and %d more", len(e.Problems)-10)
			break
		}
		fmt.Fprintf(&b, "\n  %s, %s: %s", p.Where(), p.Field, p.Reason)
	}
	return b.String()
}

// ReadShiftsCSV reads a schedule file as `peakwise schedule` writes it: a
// header naming the columns (agent, start, end and paid_minutes are needed;
// template, breaks and queue may be left out), then one shift per line.
// Times are RFC 3339; breaks are START/END pairs separated by ';'. Every bad
// cell is reported by line and column and then no row is returned.
func ReadShiftsCSV(r io.Reader) ([]ShiftRow, error) {
	cr := csv.NewReader(&capped{r: r, left: csvMaxFileBytes})
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, fileReadError(err, 1)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, need := range []string{"agent", "start", "end", "paid_minutes"} {
		if _, ok := col[need]; !ok {
			return nil, &FileError{Message: fmt.Sprintf("line 1: the header lacks the %q column (want agent,template,start,end,paid_minutes,breaks and optionally queue)", need)}
		}
	}
	var out []ShiftRow
	var problems []Problem
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fileReadError(err, 0)
		}
		line, _ := cr.FieldPos(0) // a quoted cell may span lines: the record's first
		if len(out) == MaxPlanShifts {
			return nil, &FileError{Message: fmt.Sprintf("line %d: a schedule file holds at most %d shifts", line, MaxPlanShifts)}
		}
		cell := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		bad := func(field, format string, args ...any) {
			problems = append(problems, Problem{Index: len(out), Line: line, Field: field, Reason: fmt.Sprintf(format, args...)})
		}
		row := ShiftRow{Line: line, Agent: cell("agent"), Queue: cell("queue"), Shift: Shift{Template: cell("template")}}
		checkText(bad, "agent", row.Agent, MaxAgentRefLength)
		checkText(bad, "queue", row.Queue, MaxNameLength)
		checkText(bad, "template", row.Shift.Template, MaxNameLength)
		sh := &row.Shift
		var okStart, okEnd bool
		sh.Start, okStart = parseShiftTime(bad, "start", cell("start"))
		sh.End, okEnd = parseShiftTime(bad, "end", cell("end"))
		if okStart && okEnd {
			if !sh.End.After(sh.Start) || sh.End.Sub(sh.Start) > MaxShiftLength {
				bad("end", "must be after the start and at most %d hours later", int(MaxShiftLength/time.Hour))
				okEnd = false
			}
		}
		paid, err := strconv.Atoi(cell("paid_minutes"))
		switch {
		case err != nil:
			bad("paid_minutes", "%q is not a whole number of minutes", clip(cell("paid_minutes")))
		case paid < 0 || (okStart && okEnd && time.Duration(paid)*time.Minute > sh.End.Sub(sh.Start)) || paid > int(MaxShiftLength/time.Minute):
			bad("paid_minutes", "%d must be from 0 to the shift's length in minutes", paid)
		default:
			sh.PaidMinutes = paid
		}
		if b := cell("breaks"); b != "" {
			pairs := strings.Split(b, ";")
			if len(pairs) > MaxBreaksPerShift {
				bad("breaks", "%d breaks; a shift has at most %d", len(pairs), MaxBreaksPerShift)
				pairs = nil
			}
			for _, pair := range pairs {
				a, z, ok := strings.Cut(strings.TrimSpace(pair), "/")
				bs, err1 := time.Parse(time.RFC3339, strings.TrimSpace(a))
				be, err2 := time.Parse(time.RFC3339, strings.TrimSpace(z))
				if !ok || err1 != nil || err2 != nil {
					bad("breaks", "%q is not a START/END pair of RFC 3339 times", clip(pair))
					break
				}
				if okStart && okEnd && (!be.After(bs) || bs.Before(sh.Start) || be.After(sh.End)) {
					bad("breaks", "the break %s/%s is empty or outside the shift", bs.Format(time.RFC3339), be.Format(time.RFC3339))
					break
				}
				sh.Breaks = append(sh.Breaks, Break{Name: "break", Start: bs, End: be})
			}
		}
		out = append(out, row)
	}
	if len(problems) > 0 {
		return nil, &FileError{Message: fmt.Sprintf("%d problem(s) in the file", len(problems)), Problems: problems, Rows: out}
	}
	return out, nil
}

func parseShiftTime(bad func(field, format string, args ...any), field, v string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		bad(field, "%q is not an RFC 3339 time, e.g. 2026-01-05T08:00:00-05:00", clip(v))
		return t, false
	}
	if y := t.UTC().Year(); y < earliestShiftYear || y >= latestShiftYear {
		bad(field, "%s is outside the years %d to %d", v, earliestShiftYear, latestShiftYear-1)
		return t, false
	}
	return t, true
}

func checkText(bad func(field, format string, args ...any), field, v string, max int) {
	switch {
	case !utf8.ValidString(v):
		bad(field, "is not UTF-8 text")
	case utf8.RuneCountInString(v) > max:
		bad(field, "has %d characters; at most %d", utf8.RuneCountInString(v), max)
	case strings.ContainsFunc(v, func(r rune) bool { return r < ' ' || r == 0x7f }):
		bad(field, "holds a control character")
	}
}

// clip shortens a cell quoted back in a message.
func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	for i := 40; i > 0; i-- {
		if utf8.RuneStart(s[i]) {
			return s[:i] + "..."
		}
	}
	return "..."
}

func fileReadError(err error, line int) error {
	var pe *csv.ParseError
	switch {
	case errors.As(err, &pe):
		return &FileError{Message: fmt.Sprintf("line %d: %v", pe.Line, pe.Err)}
	case errors.Is(err, io.EOF):
		return &FileError{Message: "the file is empty; the first line must be the header"}
	case errors.Is(err, errTooBig):
		return &FileError{Message: err.Error()}
	case line > 0:
		return &FileError{Message: fmt.Sprintf("line %d: %v", line, err)}
	}
	return err
}

var errTooBig = fmt.Errorf("the file is larger than %d MiB", csvMaxFileBytes>>20)

// capped reads at most left bytes from r, then fails with errTooBig.
type capped struct {
	r    io.Reader
	left int64
}

func (c *capped) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, errTooBig
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}
