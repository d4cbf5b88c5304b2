// Package roster assigns named agents their shifts and breaks for a period:
// every agent's contract, availability, approved time off and skills are hard
// rules, preferences and a fair share of peak work are soft ones. It is pure:
// no clock, no storage.
package roster

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/peakwise/peakwise/scheduling/calendar"
)

// Preference is the kind of shift an agent would rather work.
type Preference string

const (
	// NoPreference has no wish about shift times.
	NoPreference Preference = ""
	// PreferEarly means the agent would rather not work late shifts.
	PreferEarly Preference = "early"
	// PreferLate means the agent would rather not work early shifts.
	PreferLate Preference = "late"
)

// Window is a time of one local weekday at which an agent can work: From and
// To are minutes after local midnight, 0 <= From < To <= 1440. A window past
// midnight is two windows, one on each day.
type Window struct {
	Day      time.Weekday
	From, To int
}

// Booked is an already published shift: its instants and paid minutes.
type Booked struct {
	Start, End  time.Time
	PaidMinutes int
}

// Interval is a span of instants [Start, End).
type Interval struct {
	Start, End time.Time
}

// Agent is one person to roster.
type Agent struct {
	// ID names the agent in the output: an email or an id, as the schedule
	// upload resolves it.
	ID string
	// Location is the agent's home time zone: shift starts, availability,
	// weeks and working days are on this clock.
	Location *time.Location
	// Skills maps a queue to the agent's proficiency in it, 1 (low) to 5. An
	// agent only ever counts toward queues he has a skill for.
	Skills map[string]int
	// Contract limits the agent's working time; zero limits are no limit
	// (MinRestHours 0 still forbids overlapping shifts). A template that
	// lists contracts (scheduling.Template.Contracts) is only given to
	// agents whose Contract.Name it names; an empty name gets only
	// unrestricted templates.
	Contract calendar.Contract
	// Availability lists when the agent can work; every minute of each of his
	// shifts lies in one of these windows. Empty means always.
	Availability []Window
	// TimeOff is approved time off; no shift overlaps it.
	TimeOff []Interval
	// Booked are the agent's shifts already published in other plans (in,
	// before or after the period): busy time, and counted toward the
	// weekly hours and shifts of the local week they start in, rest and
	// days in a row.
	Booked []Booked
	Prefer Preference
	// DaysOff are local weekdays the agent would rather not work.
	DaysOff []time.Weekday
}

// Defaults for empty optional columns of the agents CSV.
const (
	DefaultMaxWeekHours       = 40
	DefaultMaxShiftsPerWeek   = 5
	DefaultMinRestHours       = 11
	DefaultMaxConsecutiveDays = 6
)

// AgentsHeader is the header of the agents CSV, in order.
var AgentsHeader = []string{"agent", "timezone", "skills", "min_week_hours", "max_week_hours", "max_shifts_week",
	"min_rest_hours", "max_consecutive_days", "availability", "time_off", "prefer", "days_off"}

// AgentsOptional are the agents CSV's optional columns: "contract", the
// contract's name that templates may be limited to (Contract.Name).
var AgentsOptional = []string{"contract"}

// LineError is one bad cell of a CSV file.
type LineError struct {
	Line   int
	Column string
	Reason string
}

// LineErrors lists every bad cell found.
type LineErrors []LineError

func (le LineErrors) Error() string {
	parts := make([]string, 0, len(le))
	for i, e := range le {
		if i == 10 {
			parts = append(parts, fmt.Sprintf("... and %d more", len(le)-10))
			break
		}
		if e.Column == "" {
			parts = append(parts, fmt.Sprintf("line %d: %s", e.Line, e.Reason))
		} else {
			parts = append(parts, fmt.Sprintf("line %d, %s: %s", e.Line, e.Column, e.Reason))
		}
	}
	return strings.Join(parts, "\n")
}

var dayNames = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// Bounds of the agents CSV.
const (
	MaxAgents        = 20_000 // agents in one file
	MaxAgentRef      = 254    // characters of an agent's id or email
	maxTimeOffRanges = 100    // time-off ranges of one agent
	maxLineErrors    = 1_000  // reported before reading stops
)

// ReadAgents reads the agents CSV (header AgentsHeader, columns in any order,
// documented in docs/scheduling.md). It returns LineErrors naming the line,
// column and reason of every bad cell, and reads nothing if any is bad.
func ReadAgents(r io.Reader) ([]Agent, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, LineErrors{{Line: 1, Reason: "the file is empty; the first line must be the header " + strings.Join(AgentsHeader, ",")}}
	}
	if err != nil {
		return nil, LineErrors{{Line: 1, Reason: err.Error()}}
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	var errs LineErrors
	for _, need := range AgentsHeader {
		if _, ok := col[need]; !ok {
			errs = append(errs, LineError{Line: 1, Reason: fmt.Sprintf("the header lacks the %q column (want %s)", need, strings.Join(AgentsHeader, ","))})
		}
	}
	if errs != nil {
		return nil, errs
	}
	var out []Agent
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, err
			}
			errs = append(errs, LineError{Line: pe.Line, Reason: pe.Err.Error()})
			if len(errs) > maxLineErrors {
				return nil, errs
			}
			continue
		}
		line, _ := cr.FieldPos(0) // a quoted cell may span lines: the record's first
		if len(out) == MaxAgents {
			return nil, append(errs, LineError{Line: line, Reason: fmt.Sprintf("a file holds at most %d agents", MaxAgents)})
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		bad := func(column, format string, args ...any) {
			errs = append(errs, LineError{Line: line, Column: column, Reason: fmt.Sprintf(format, args...)})
		}
		a := Agent{ID: get("agent")}
		name := get("contract")
		if len(name) > 32 {
			bad("contract", "%q is longer than 32 characters", name)
		}
		if a.ID == "" {
			bad("agent", "is required")
		} else if n := utf8.RuneCountInString(a.ID); n > MaxAgentRef || !utf8.ValidString(a.ID) || strings.ContainsFunc(a.ID, unicode.IsControl) {
			bad("agent", "must be UTF-8 text of at most %d characters without control characters", MaxAgentRef)
		} else if prev, ok := seen[a.ID]; ok {
			bad("agent", "%q is already on line %d", a.ID, prev)
		}
		seen[a.ID] = line
		if z := get("timezone"); z == "" {
			bad("timezone", "is required (an IANA zone like Europe/Berlin)")
		} else if a.Location, err = time.LoadLocation(z); err != nil || strings.EqualFold(z, "local") {
			bad("timezone", "%q is not an IANA time zone", z)
		}
		var reason string
		if a.Skills, reason = parseSkills(get("skills")); reason != "" {
			bad("skills", "%s", reason)
		}
		num := func(column string, def float64, integer bool, max float64) float64 {
			s := get(column)
			if s == "" {
				return def
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || v < 0 || (integer && v != math.Trunc(v)) || v > max {
				kind := "a number of hours"
				if integer {
					kind = "a whole number"
				}
				bad(column, "%q is not %s between 0 and %g", s, kind, max)
				return def
			}
			return v
		}
		a.Contract = calendar.Contract{
			Name:               name,
			MinWeekHours:       num("min_week_hours", 0, false, 168),
			MaxWeekHours:       num("max_week_hours", DefaultMaxWeekHours, false, 168),
			MaxShiftsPerWeek:   int(num("max_shifts_week", DefaultMaxShiftsPerWeek, true, 14)),
			MinRestHours:       num("min_rest_hours", DefaultMinRestHours, false, 48),
			MaxConsecutiveDays: int(num("max_consecutive_days", DefaultMaxConsecutiveDays, true, 31)),
		}
		if c := a.Contract; c.MaxWeekHours > 0 && c.MinWeekHours > c.MaxWeekHours {
			bad("min_week_hours", "%g is above max_week_hours %g", c.MinWeekHours, c.MaxWeekHours)
		}
		if a.Availability, reason = parseAvailability(get("availability")); reason != "" {
			bad("availability", "%s", reason)
		}
		if a.TimeOff, reason = parseTimeOff(get("time_off")); reason != "" {
			bad("time_off", "%s", reason)
		}
		switch p := Preference(strings.ToLower(get("prefer"))); p {
		case NoPreference, PreferEarly, PreferLate:
			a.Prefer = p
		default:
			bad("prefer", "%q is not early, late or empty", get("prefer"))
		}
		if s := get("days_off"); s != "" {
			for _, d := range strings.Split(s, ";") {
				wd, ok := dayNames[strings.ToLower(strings.TrimSpace(d))]
				if !ok {
					bad("days_off", "%q is not a day (mon, tue, wed, thu, fri, sat, sun)", d)
					continue
				}
				a.DaysOff = append(a.DaysOff, wd)
			}
		}
		out = append(out, a)
	}
	if errs != nil {
		return nil, errs
	}
	if len(out) == 0 {
		return nil, LineErrors{{Line: 2, Reason: "no agents: the file has only a header"}}
	}
	return out, nil
}

// parseSkills reads "voice:5;chat:3"; a skill without a level is level 3.
func parseSkills(s string) (map[string]int, string) {
	if s == "" {
		return nil, "is required: queue:level pairs like voice:5;chat:3"
	}
	out := map[string]int{}
	for _, part := range strings.Split(s, ";") {
		name, lvl, hasLvl := strings.Cut(strings.TrimSpace(part), ":")
		name = strings.TrimSpace(name)
		if name == "" {
			return nil, fmt.Sprintf("%q has no queue name (want queue:level like voice:5)", part)
		}
		level := 3
		if hasLvl {
			v, err := strconv.Atoi(strings.TrimSpace(lvl))
			if err != nil || v < 1 || v > 5 {
				return nil, fmt.Sprintf("%q: the level must be a whole number 1 to 5", part)
			}
			level = v
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Sprintf("queue %q is listed twice", name)
		}
		out[name] = level
	}
	return out, ""
}

// parseAvailability reads "mon-fri 07:00-19:00;sat 09:00-13:00". Days are a
// day, a range (fri-mon wraps) or a comma list; a window whose end is not
// after its start runs past midnight into the next day; 24:00 is midnight at
// the end of the day.
func parseAvailability(s string) ([]Window, string) {
	if s == "" {
		return nil, ""
	}
	var out []Window
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		days, clocks, ok := strings.Cut(part, " ")
		if !ok {
			return nil, fmt.Sprintf("%q: want DAYS HH:MM-HH:MM, e.g. mon-fri 07:00-19:00", part)
		}
		var wds []time.Weekday
		for _, d := range strings.Split(days, ",") {
			d = strings.ToLower(strings.TrimSpace(d))
			a, b, isRange := strings.Cut(d, "-")
			from, ok1 := dayNames[a]
			to, ok2 := dayNames[b]
			if !ok1 || (isRange && !ok2) {
				return nil, fmt.Sprintf("%q: %q is not a day or day range (mon..sun, e.g. mon-fri)", part, d)
			}
			if !isRange {
				to = from
			}
			for wd := from; ; wd = (wd + 1) % 7 {
				wds = append(wds, wd)
				if wd == to {
					break
				}
			}
		}
		a, b, ok := strings.Cut(strings.TrimSpace(clocks), "-")
		from, okA := clockMinutes(a)
		to, okB := clockMinutes(b)
		if !ok || !okA || !okB || from == 1440 {
			return nil, fmt.Sprintf("%q: the times must be HH:MM-HH:MM, e.g. 07:00-19:00 (24:00 allowed as an end)", part)
		}
		for _, wd := range wds {
			if to > from {
				out = append(out, Window{wd, from, to})
				continue
			}
			out = append(out, Window{wd, from, 1440})
			if to > 0 {
				out = append(out, Window{(wd + 1) % 7, 0, to})
			}
		}
	}
	return out, ""
}

func clockMinutes(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "24:00" {
		return 1440, true
	}
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// parseTimeOff reads ';'-separated START/END pairs of RFC 3339 instants.
func parseTimeOff(s string) ([]Interval, string) {
	if s == "" {
		return nil, ""
	}
	var out []Interval
	for _, part := range strings.Split(s, ";") {
		a, b, ok := strings.Cut(strings.TrimSpace(part), "/")
		from, err1 := time.Parse(time.RFC3339, strings.TrimSpace(a))
		to, err2 := time.Parse(time.RFC3339, strings.TrimSpace(b))
		if !ok || err1 != nil || err2 != nil {
			return nil, fmt.Sprintf("%q is not a START/END pair of RFC 3339 times (e.g. 2026-01-07T00:00:00+01:00/2026-01-08T00:00:00+01:00)", part)
		}
		if !to.After(from) {
			return nil, fmt.Sprintf("%q ends before it starts", part)
		}
		if from.UTC().Year() < 2000 || to.UTC().Year() >= 2100 {
			return nil, fmt.Sprintf("%q lies outside the years 2000 to 2099", part)
		}
		if len(out) == maxTimeOffRanges {
			return nil, fmt.Sprintf("at most %d time-off ranges per agent", maxTimeOffRanges)
		}
		out = append(out, Interval{from.UTC(), to.UTC()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out, ""
}

// available reports whether the local wall-clock span [from, to) minutes of
// weekday wd lies in one of the windows (adjacent windows join).
func available(ws []Window, wd time.Weekday, from, to int) bool {
	if len(ws) == 0 {
		return true
	}
	// Extend from the start through touching windows of the day.
	reach := from
	for changed := true; changed && reach < to; {
		changed = false
		for _, w := range ws {
			if w.Day == wd && w.From <= reach && w.To > reach {
				reach = w.To
				changed = true
			}
		}
	}
	return reach >= to
}

// AvailableFor reports whether the agent can work [start, end): every minute
// of it, on the agent's wall clock, lies in his availability.
func (a Agent) AvailableFor(start, end time.Time) bool {
	for _, seg := range wallSegments(a.Location, start, end) {
		if !available(a.Availability, seg.day, seg.from, seg.to) {
			return false
		}
	}
	return true
}

type segment struct {
	day      time.Weekday
	from, to int
}

// wallSegments splits [start, end) into spans of local wall-clock minutes, one
// per local date it touches.
func wallSegments(loc *time.Location, start, end time.Time) []segment {
	var out []segment
	s := start.In(loc)
	e := end.In(loc)
	for {
		from := s.Hour()*60 + s.Minute()
		if s.Year() == e.Year() && s.YearDay() == e.YearDay() {
			if to := e.Hour()*60 + e.Minute(); to > from {
				out = append(out, segment{s.Weekday(), from, to})
			}
			return out
		}
		out = append(out, segment{s.Weekday(), from, 1440})
		s = time.Date(s.Year(), s.Month(), s.Day()+1, 0, 0, 0, 0, loc)
		if !s.Before(e) {
			return out
		}
	}
}

// OffDuring reports whether approved time off overlaps [start, end).
func (a Agent) OffDuring(start, end time.Time) bool {
	for _, t := range a.TimeOff {
		if t.Start.Before(end) && start.Before(t.End) {
			return true
		}
	}
	return false
}
