package calendar

import (
	"fmt"
	"sort"
	"time"
)

// Problem is one thing wrong with a shift, located by its index (and line, when
// the shifts came from a file).
type Problem struct {
	Index  int    `json:"index"`
	Line   int    `json:"line,omitempty"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Where names the shift for a person: the file line if known, else the index.
func (p Problem) Where() string {
	if p.Line > 0 {
		return fmt.Sprintf("line %d", p.Line)
	}
	return fmt.Sprintf("shifts[%d]", p.Index)
}

// Check lists the problems of a set of shifts in the period [start, end):
// shifts outside the period or ending before they start, breaks outside their
// shift or overlapping each other, shifts longer than MaxShiftLength or with
// more than MaxBreaksPerShift breaks, paid minutes above the span, and one
// agent's shifts overlapping. lines, if not nil, gives each shift's file line.
func Check(start, end time.Time, shifts []Shift, lines []int) []Problem {
	var out []Problem
	add := func(i int, field, format string, args ...any) {
		p := Problem{Index: i, Field: field, Reason: fmt.Sprintf(format, args...)}
		if lines != nil {
			p.Line = lines[i]
		}
		out = append(out, p)
	}
	byAgent := map[int64][]int{}
	for i, s := range shifts {
		if !s.End.After(s.Start) {
			add(i, "end", "ends at %s, not after its start %s", s.End.UTC().Format(time.RFC3339), s.Start.UTC().Format(time.RFC3339))
			continue
		}
		if s.End.Sub(s.Start) > MaxShiftLength {
			add(i, "end", "the shift lasts %s; a shift lasts at most %d hours", fmtDur(s.End.Sub(s.Start)), int(MaxShiftLength/time.Hour))
		}
		if len(s.Breaks) > MaxBreaksPerShift {
			add(i, "breaks", "%d breaks; a shift has at most %d", len(s.Breaks), MaxBreaksPerShift)
		}
		if s.Start.Before(start) || s.End.After(end) {
			add(i, "start", "lies outside the schedule's period %s to %s", start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339))
		}
		span := int(s.End.Sub(s.Start) / time.Minute)
		if s.PaidMinutes < 0 || s.PaidMinutes > span {
			add(i, "paid_minutes", "must be between 0 and the shift's %d minutes, got %d", span, s.PaidMinutes)
		}
		bs := append([]Break(nil), s.Breaks...)
		sort.Slice(bs, func(a, b int) bool { return bs[a].Start.Before(bs[b].Start) })
		for k, b := range bs {
			if !b.End.After(b.Start) || b.Start.Before(s.Start) || b.End.After(s.End) {
				add(i, "breaks", "break %q (%s-%s) is empty or outside the shift", b.Name, b.Start.UTC().Format("15:04"), b.End.UTC().Format("15:04"))
			} else if k > 0 && b.Start.Before(bs[k-1].End) {
				add(i, "breaks", "breaks %q and %q overlap", bs[k-1].Name, b.Name)
			}
		}
		if s.AgentID != 0 {
			byAgent[s.AgentID] = append(byAgent[s.AgentID], i)
		}
	}
	for _, idx := range byAgent {
		sort.Slice(idx, func(a, b int) bool { return shifts[idx[a]].Start.Before(shifts[idx[b]].Start) })
		for k := 1; k < len(idx); k++ {
			prev, cur := shifts[idx[k-1]], shifts[idx[k]]
			if cur.Start.Before(prev.End) {
				add(idx[k], "start", "overlaps another shift of the same agent (%s-%s)", prev.Start.UTC().Format(time.RFC3339), prev.End.UTC().Format(time.RFC3339))
			}
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Index < out[b].Index })
	return out
}
