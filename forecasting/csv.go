package forecasting

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
)

// InputError is one problem with an input file, located by line and column.
type InputError struct {
	Line   int
	Field  string
	Reason string
}

func (e *InputError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d, %s: %s", e.Line, e.Field, e.Reason)
}

// InputErrors lists every problem found; a file with any is used not at all.
type InputErrors []*InputError

func (es InputErrors) Error() string {
	const show = 10
	var b strings.Builder
	fmt.Fprintf(&b, "%d problem(s) in the history file", len(es))
	for i, e := range es {
		if i == show {
			fmt.Fprintf(&b, "\n  ... and %d more", len(es)-show)
			break
		}
		b.WriteString("\n  " + e.Error())
	}
	return b.String()
}

// Record is one row of history, as read from a file or an API.
type Record struct {
	Line     int // 1-based file line, 0 when not from a file
	Start    time.Time
	Channel  string
	Timezone string
	Queue    string
	Contacts float64
	AHT      float64 // NaN when absent
}

// Intervals are the interval lengths a history may come in.
var Intervals = []time.Duration{5 * time.Minute, 6 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute, 60 * time.Minute}

// ReadHistoryCSV reads `timestamp,channel,timezone,contacts` with optional
// `aht_seconds` and `queue` columns, in any order. Every bad line is reported
// (InputErrors); no records are returned with them.
func ReadHistoryCSV(r io.Reader) ([]Record, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, InputErrors{{Line: 1, Reason: "the file is empty; the first line must be the header timestamp,channel,timezone,contacts"}}
	}
	if err != nil {
		return nil, InputErrors{{Line: 1, Reason: err.Error()}}
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	var errs InputErrors
	for _, need := range []string{"timestamp", "channel", "timezone", "contacts"} {
		if _, ok := col[need]; !ok {
			errs = append(errs, &InputError{Line: 1, Field: need, Reason: "missing column (the header needs timestamp,channel,timezone,contacts)"})
		}
	}
	if errs != nil {
		return nil, errs
	}
	ahtCol, hasAHT := col["aht_seconds"]
	queueCol, hasQueue := col["queue"]
	zones := map[string]*time.Location{}
	var out []Record
	line := 1
	for {
		row, err := cr.Read()
		line++
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				errs = append(errs, &InputError{Line: pe.Line, Reason: pe.Err.Error()})
				continue
			}
			return nil, err
		}
		get := func(i int) string {
			if i < len(row) {
				return strings.TrimSpace(row[i])
			}
			return ""
		}
		rec := Record{Line: line, Channel: get(col["channel"]), Timezone: get(col["timezone"]), AHT: math.NaN()}
		bad := func(field, format string, args ...any) {
			errs = append(errs, &InputError{Line: line, Field: field, Reason: fmt.Sprintf(format, args...)})
		}
		ok := true
		if rec.Start, err = time.Parse(time.RFC3339, get(col["timestamp"])); err != nil {
			bad("timestamp", "%q is not an RFC 3339 time with offset, like 2026-03-02T09:00:00-05:00", get(col["timestamp"]))
			ok = false
		}
		if rec.Channel == "" {
			bad("channel", "is empty")
			ok = false
		}
		loc, seen := zones[rec.Timezone]
		if !seen {
			loc, err = time.LoadLocation(rec.Timezone)
			if rec.Timezone == "" || rec.Timezone == "Local" || err != nil {
				loc = nil
			}
			zones[rec.Timezone] = loc
		}
		if loc == nil {
			bad("timezone", "unknown time zone %q (use an IANA name such as America/New_York)", rec.Timezone)
			ok = false
		}
		c, err := strconv.ParseFloat(get(col["contacts"]), 64)
		if err != nil {
			bad("contacts", "%q is not a number of contacts", get(col["contacts"]))
			ok = false
		} else if p := ContactsProblem(c); p != "" {
			bad("contacts", "%s", p)
			ok = false
		}
		rec.Contacts = c
		if hasAHT && get(ahtCol) != "" {
			a, err := strconv.ParseFloat(get(ahtCol), 64)
			if err != nil {
				bad("aht_seconds", "%q is not a handle time in seconds", get(ahtCol))
				ok = false
			} else if p := AHTProblem(a); p != "" {
				bad("aht_seconds", "%s", p)
				ok = false
			}
			rec.AHT = a
		}
		if hasQueue {
			rec.Queue = get(queueCol)
		}
		if ok {
			out = append(out, rec)
		}
	}
	if errs != nil {
		return nil, errs
	}
	if len(out) == 0 {
		return nil, InputErrors{{Line: 2, Reason: "the file has a header but no rows"}}
	}
	return out, nil
}

// BuildSeries groups records by (channel, timezone, queue), detects each
// group's interval (or uses step when it is not zero), rolls finer data up to
// step on the local clock (contacts summed, AHT weighted by contacts), and
// rejects duplicates and misaligned rows with their lines.
func BuildSeries(records []Record, step time.Duration) ([]Series, error) {
	groups := map[Key][]Record{}
	var keys []Key
	for _, r := range records {
		k := Key{Channel: r.Channel, Timezone: r.Timezone, Queue: r.Queue}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], r)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.Channel != b.Channel {
			return a.Channel < b.Channel
		}
		if a.Timezone != b.Timezone {
			return a.Timezone < b.Timezone
		}
		return a.Queue < b.Queue
	})
	var errs InputErrors
	var out []Series
	for _, k := range keys {
		rs := groups[k]
		sort.SliceStable(rs, func(i, j int) bool { return rs[i].Start.Before(rs[j].Start) })
		loc, _ := time.LoadLocation(k.Timezone)
		detected, derr := detectStep(rs)
		if derr != nil {
			errs = append(errs, derr)
			continue
		}
		target := step
		if target == 0 {
			target = detected
		}
		if target < detected || target%detected != 0 || (24*time.Hour)%target != 0 {
			errs = append(errs, &InputError{Line: rs[0].Line, Reason: fmt.Sprintf("%s/%s data comes in %s intervals, which cannot be rolled up to %s", k.Channel, k.Timezone, detected, target)})
			continue
		}
		s := Series{Key: k, Location: loc, Step: target}
		seen := map[int64]int{}
		for _, r := range rs {
			l := r.Start.In(loc)
			mod := time.Duration(l.Hour())*time.Hour + time.Duration(l.Minute())*time.Minute
			if l.Second() != 0 || mod%detected != 0 {
				errs = append(errs, &InputError{Line: r.Line, Field: "timestamp", Reason: fmt.Sprintf("%s does not start a %s interval", r.Start.Format(time.RFC3339), detected)})
				continue
			}
			if prev, dup := seen[r.Start.Unix()]; dup {
				errs = append(errs, &InputError{Line: r.Line, Field: "timestamp", Reason: fmt.Sprintf("duplicates line %d", prev)})
				continue
			}
			seen[r.Start.Unix()] = r.Line
			slot := r.Start.Add(-(mod % target))
			n := len(s.Points)
			if n > 0 && s.Points[n-1].Start.Equal(slot) {
				p := &s.Points[n-1]
				p.AHT = mergeAHT(p.AHT, p.Contacts, r.AHT, r.Contacts)
				p.Contacts += r.Contacts
				continue
			}
			s.Points = append(s.Points, Point{Start: slot, Contacts: r.Contacts, AHT: r.AHT})
		}
		out = append(out, s)
	}
	if errs != nil {
		return nil, errs
	}
	return out, nil
}

func mergeAHT(a, na, b, nb float64) float64 {
	switch {
	case math.IsNaN(a):
		return b
	case math.IsNaN(b):
		return a
	case na+nb == 0:
		return (a + b) / 2
	}
	return (a*na + b*nb) / (na + nb)
}

// detectStep finds the interval length: the most common gap between
// consecutive rows, which must be one of Intervals.
func detectStep(rs []Record) (time.Duration, *InputError) {
	counts := map[time.Duration]int{}
	for i := 1; i < len(rs); i++ {
		if d := rs[i].Start.Sub(rs[i-1].Start); d > 0 && d <= time.Hour {
			counts[d]++
		}
	}
	best, n := time.Duration(0), 0
	for d, c := range counts {
		if c > n || (c == n && d < best) {
			best, n = d, c
		}
	}
	if n == 0 {
		if len(rs) == 1 {
			return 30 * time.Minute, nil
		}
		return 0, &InputError{Line: rs[0].Line, Reason: "cannot tell the interval length: no two rows are an hour or less apart"}
	}
	for _, ok := range Intervals {
		if best == ok {
			return best, nil
		}
	}
	return 0, &InputError{Line: rs[0].Line, Reason: fmt.Sprintf("rows are %s apart; intervals must be 5, 6, 10, 15, 30 or 60 minutes", best)}
}
