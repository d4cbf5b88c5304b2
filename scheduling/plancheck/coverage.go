package plancheck

import (
	"sort"
	"time"
)

// Requirement is the staff one queue needs through [Start, End). Queue is
// empty in headcount plans, whose shifts name no queue.
type Requirement struct {
	Queue      string
	Start, End time.Time
	Staff      float64
}

// QueueCover is one queue's requirement and the cover the shifts assigned
// to it give, in agent-hours. Under and Over are summed per requirement
// interval: what the cover falls short of the staff needed, and what it
// exceeds it by.
type QueueCover struct {
	Queue         string  `json:"queue"`
	RequiredHours float64 `json:"required_agent_hours"`
	CoveredHours  float64 `json:"covered_agent_hours"`
	UnderHours    float64 `json:"under_agent_hours"`
	OverHours     float64 `json:"over_agent_hours"`
}

// Coverage recounts each queue's cover from the shifts: a shift counts only
// on the queue it names, for the time it is worked ([Start, End) less its
// breaks), and in each requirement interval by the share of the interval
// it works. Shifts on queues no requirement names add nothing. The queues
// come back in name order, then a total under the name "*" when there is
// more than one.
func Coverage(shifts []Shift, reqs []Requirement) []QueueCover {
	byQueue := map[string][]Requirement{}
	for _, r := range reqs {
		byQueue[r.Queue] = append(byQueue[r.Queue], r)
	}
	worked := map[string][]Span{} // per queue: the spans shifts are worked
	for _, s := range shifts {
		if _, ok := byQueue[s.Queue]; !ok {
			continue
		}
		worked[s.Queue] = append(worked[s.Queue], workedSpans(s)...)
	}
	var names []string
	for q := range byQueue {
		names = append(names, q)
	}
	sort.Strings(names)
	var out []QueueCover
	total := QueueCover{Queue: "*"}
	for _, q := range names {
		c := QueueCover{Queue: q}
		rs := byQueue[q]
		sort.Slice(rs, func(i, j int) bool { return rs[i].Start.Before(rs[j].Start) })
		spans := worked[q]
		sort.Slice(spans, func(i, j int) bool { return spans[i].Start.Before(spans[j].Start) })
		// Only spans that start at most the longest span before an
		// interval can reach into it: each interval looks from there.
		var longest time.Duration
		for _, sp := range spans {
			longest = max(longest, sp.End.Sub(sp.Start))
		}
		for _, r := range rs {
			length := r.End.Sub(r.Start)
			if length <= 0 {
				continue
			}
			from := r.Start.Add(-longest)
			lo := sort.Search(len(spans), func(i int) bool { return !spans[i].Start.Before(from) })
			var minutes time.Duration
			for _, sp := range spans[lo:] {
				if !sp.Start.Before(r.End) {
					break // the spans are sorted by start
				}
				minutes += overlap(sp, Span{r.Start, r.End})
			}
			hours := length.Hours()
			cover := float64(minutes) / float64(length)
			c.RequiredHours += r.Staff * hours
			c.CoveredHours += cover * hours
			if cover < r.Staff {
				c.UnderHours += (r.Staff - cover) * hours
			} else {
				c.OverHours += (cover - r.Staff) * hours
			}
		}
		out = append(out, c)
		total.RequiredHours += c.RequiredHours
		total.CoveredHours += c.CoveredHours
		total.UnderHours += c.UnderHours
		total.OverHours += c.OverHours
	}
	if len(out) > 1 {
		out = append(out, total)
	}
	return out
}

// workedSpans is the shift's [Start, End) less its breaks.
func workedSpans(s Shift) []Span {
	breaks := append([]Break(nil), s.Breaks...)
	sort.Slice(breaks, func(i, j int) bool { return breaks[i].Start.Before(breaks[j].Start) })
	var out []Span
	at := s.Start
	for _, b := range breaks {
		if b.Start.After(at) {
			out = append(out, Span{at, minTime(b.Start, s.End)})
		}
		if b.End.After(at) {
			at = b.End
		}
	}
	if s.End.After(at) {
		out = append(out, Span{at, s.End})
	}
	return out
}

func overlap(a, b Span) time.Duration {
	lo, hi := a.Start, a.End
	if b.Start.After(lo) {
		lo = b.Start
	}
	if b.End.Before(hi) {
		hi = b.End
	}
	if hi.After(lo) {
		return hi.Sub(lo)
	}
	return 0
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
