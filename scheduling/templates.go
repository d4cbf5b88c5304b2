// Package scheduling turns staffing requirements into shifts: shift templates,
// headcount shift generation, coverage, and the stress report. It is pure.
package scheduling

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// Clock is a local clock time, "HH:MM".
type Clock string

func (c Clock) minutes() (int, bool) {
	t, err := time.Parse("15:04", string(c))
	if err != nil || len(c) != 5 {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// StartWindow is when a template's shifts may start, on the local clock.
type StartWindow struct {
	From    Clock `json:"from"`
	To      Clock `json:"to"`
	StepMin int   `json:"step_min"`
}

// BreakRule places one break: its length and the window (minutes after the
// shift's start) in which it may begin.
type BreakRule struct {
	Name          string `json:"name"`
	LengthMin     int    `json:"length_min"`
	Paid          bool   `json:"paid"`
	EarliestStart int    `json:"earliest_start_min"`
	LatestStart   int    `json:"latest_start_min"`
	StepMin       int    `json:"step_min"`
}

// option is the index of a break start (minutes after the shift's start)
// among the rule's allowed starts.
func (b BreakRule) option(off int) int { return (off - b.EarliestStart) / b.StepMin }

// Template is a kind of shift.
type Template struct {
	Name      string      `json:"name"`
	SpanMin   int         `json:"span_min"` // start to end
	PaidMin   int         `json:"paid_min"`
	Start     StartWindow `json:"start"`
	Days      []string    `json:"days"`
	MaxAgents *int        `json:"max_agents"` // cap on shifts of this template in the plan
	Breaks    []BreakRule `json:"breaks"`
	// Contracts, if not empty, limits the template to agents whose contract
	// has one of these names (e.g. ["FT"]); rostering honours it, headcount
	// generation (no agents) ignores it.
	Contracts []string `json:"contracts,omitempty"`
}

// AllowsContract reports whether an agent on the named contract may work the
// template: always when the template names no contracts.
func (t Template) AllowsContract(name string) bool {
	if len(t.Contracts) == 0 {
		return true
	}
	for _, c := range t.Contracts {
		if c == name {
			return true
		}
	}
	return false
}

// Templates is the JSON document of shift templates.
type Templates struct {
	IntervalMin int        `json:"interval_min"`
	Templates   []Template `json:"templates"`
}

// FieldError names a bad field.
type FieldError struct{ Field, Reason string }

// FieldErrors lists every problem found.
type FieldErrors []FieldError

func (fe FieldErrors) Error() string {
	parts := make([]string, len(fe))
	for i, e := range fe {
		parts[i] = e.Field + ": " + e.Reason
	}
	return strings.Join(parts, "; ")
}

var weekdays = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// ReadTemplates decodes and validates a templates document.
func ReadTemplates(r io.Reader) (Templates, error) {
	var t Templates
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return t, FieldErrors{{"(document)", "not valid templates JSON: " + err.Error()}}
	}
	return t, t.Validate()
}

// Validate lists every problem: times, days, spans, paid minutes that do not
// add up (span minus unpaid breaks), breaks outside the shift, break windows
// that could overlap.
func (ts Templates) Validate() error {
	var errs FieldErrors
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{field, fmt.Sprintf(format, args...)})
	}
	switch ts.IntervalMin {
	case 15, 30, 60:
	default:
		add("interval_min", "must be 15, 30 or 60")
	}
	if len(ts.Templates) == 0 {
		add("templates", "give at least one template")
	}
	names := map[string]bool{}
	for i, t := range ts.Templates {
		f := fmt.Sprintf("templates[%d]", i)
		if t.Name != "" {
			f = fmt.Sprintf("templates[%d] (%s)", i, t.Name)
		}
		if strings.TrimSpace(t.Name) == "" {
			add(f+".name", "is required")
		} else if names[t.Name] {
			add(f+".name", "duplicate template name")
		}
		names[t.Name] = true
		if t.SpanMin <= 0 || t.SpanMin > 16*60 {
			add(f+".span_min", "must be between 1 and 960 minutes")
		}
		from, ok1 := t.Start.From.minutes()
		to, ok2 := t.Start.To.minutes()
		if !ok1 {
			add(f+".start.from", "must be a clock time like 06:00")
		}
		if !ok2 {
			add(f+".start.to", "must be a clock time like 10:00")
		}
		if ok1 && ok2 && to < from {
			add(f+".start.to", "is before start.from")
		}
		if t.Start.StepMin <= 0 || (ts.IntervalMin > 0 && t.Start.StepMin%ts.IntervalMin != 0 && ts.IntervalMin%t.Start.StepMin != 0) {
			add(f+".start.step_min", "must be positive and fit the %d-minute intervals", ts.IntervalMin)
		}
		if len(t.Days) == 0 {
			add(f+".days", "give at least one day (mon..sun)")
		}
		for k, d := range t.Days {
			if _, ok := weekdays[d]; !ok {
				add(fmt.Sprintf("%s.days[%d]", f, k), "unknown day %q (use mon, tue, wed, thu, fri, sat, sun)", d)
			}
		}
		seenContract := map[string]bool{}
		for k, c := range t.Contracts {
			switch {
			case strings.TrimSpace(c) == "" || c != strings.TrimSpace(c) || len(c) > 32:
				add(fmt.Sprintf("%s.contracts[%d]", f, k), "must be a contract name of 1 to 32 characters without surrounding spaces, got %q", c)
			case seenContract[c]:
				add(fmt.Sprintf("%s.contracts[%d]", f, k), "contract %q is listed twice", c)
			}
			seenContract[c] = true
		}
		if t.MaxAgents != nil && *t.MaxAgents < 0 {
			add(f+".max_agents", "must not be negative")
		}
		unpaid := 0
		type win struct{ lo, hi int }
		var wins []win
		for k, b := range t.Breaks {
			bf := fmt.Sprintf("%s.breaks[%d]", f, k)
			if b.LengthMin <= 0 {
				add(bf+".length_min", "must be positive")
			}
			if b.StepMin <= 0 {
				add(bf+".step_min", "must be positive")
			}
			if b.EarliestStart < 0 || b.LatestStart < b.EarliestStart {
				add(bf+".latest_start_min", "the window must satisfy 0 <= earliest_start_min <= latest_start_min")
			}
			if b.LatestStart+b.LengthMin > t.SpanMin {
				add(bf+".latest_start_min", "a break starting at %d min for %d min ends after the %d-minute shift", b.LatestStart, b.LengthMin, t.SpanMin)
			}
			for _, w := range wins {
				if b.EarliestStart < w.hi && w.lo < b.LatestStart+b.LengthMin {
					add(bf, "its window overlaps an earlier break's window, so the breaks could overlap; order them apart")
				}
			}
			wins = append(wins, win{b.EarliestStart, b.LatestStart + b.LengthMin})
			if !b.Paid {
				unpaid += b.LengthMin
			}
		}
		if t.PaidMin != t.SpanMin-unpaid {
			add(f+".paid_min", "is %d but the span (%d) minus unpaid breaks (%d) is %d", t.PaidMin, t.SpanMin, unpaid, t.SpanMin-unpaid)
		}
	}
	if errs != nil {
		return errs
	}
	return nil
}
