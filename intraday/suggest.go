package intraday

import (
	"math"
	"sort"
	"time"
)

// Grid lays the day out in intervals: Need is the agents the re-forecast
// needs on the queues per interval, On the agents the published plan has on
// them (work time, breaks already out).
type Grid struct {
	Start time.Time
	Step  time.Duration
	Need  []float64
	On    []float64
}

// MovableBreak is a published break an intraday action may move: within
// [Earliest, Latest] for its start, on Step, inside its shift, without
// overlapping the agent's other breaks.
type MovableBreak struct {
	Agent      string
	Name       string
	Start      time.Time
	Length     time.Duration
	Earliest   time.Time
	Latest     time.Time
	Step       time.Duration // 0: 5 minutes
	ShiftStart time.Time
	ShiftEnd   time.Time
	Others     []Span // the agent's other breaks that day
}

// BreakMove is a suggestion: start the break at To instead of From. Worst is
// the least staffing margin (on minus need) over the intervals the move
// touches, before and after.
type BreakMove struct {
	Agent       string    `json:"agent"`
	Name        string    `json:"name"`
	From        time.Time `json:"from"`
	To          time.Time `json:"to"`
	WorstBefore float64   `json:"worst_before"`
	WorstAfter  float64   `json:"worst_after"`
}

// StaffingWindow is a stretch of intervals under- or overstaffed by at least
// one agent after the break moves: offer overtime (Agents > 0) or voluntary
// time off (Agents < 0).
type StaffingWindow struct {
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Agents int       `json:"agents"`
}

// SuggestOptions bound the suggestions.
type SuggestOptions struct {
	// Now and Notice: only breaks starting at Now+Notice or later move, and
	// only to starts at Now+Notice or later (an agent is told in time).
	Now    time.Time
	Notice time.Duration
	// MaxWorkStretch is the stress limit: a move may not leave a stretch of
	// work between breaks (or a shift's edges) over it, nor lengthen the
	// longest one of a shift already over it; 0: no limit.
	MaxWorkStretch time.Duration
	// MaxMoves bounds the suggestions (0: 50).
	MaxMoves int
}

// SuggestBreakMoves moves breaks out of understaffed intervals, worst first:
// each step takes the break sitting in the least-staffed interval and the
// start in its window that leaves the touched intervals best staffed, and
// keeps it only if that strictly improves their worst margin and keeps the
// agent's work stretches within the stress limit. It returns the moves in
// the order made and the staffing gaps left for overtime or VTO. g is not
// changed.
func SuggestBreakMoves(g Grid, breaks []MovableBreak, opt SuggestOptions) ([]BreakMove, []StaffingWindow) {
	if opt.MaxMoves <= 0 {
		opt.MaxMoves = 50
	}
	on := append([]float64(nil), g.On...)
	n := min(len(on), len(g.Need))
	gap := func(i int) float64 { return on[i] - g.Need[i] }
	// apply adds sign x the break's share of each interval it covers.
	apply := func(start time.Time, length time.Duration, sign float64) {
		for i := 0; i < n; i++ {
			a := g.Start.Add(time.Duration(i) * g.Step)
			ov := overlap(a, a.Add(g.Step), start, start.Add(length))
			if ov > 0 {
				on[i] += sign * float64(ov) / float64(g.Step)
			}
		}
	}
	touched := func(spans ...Span) []int {
		var out []int
		for i := 0; i < n; i++ {
			a := g.Start.Add(time.Duration(i) * g.Step)
			for _, s := range spans {
				if overlap(a, a.Add(g.Step), s.Start, s.End) > 0 {
					out = append(out, i)
					break
				}
			}
		}
		return out
	}
	worst := func(idx []int) float64 {
		w := math.Inf(1)
		for _, i := range idx {
			w = math.Min(w, gap(i))
		}
		return w
	}
	earliest := opt.Now.Add(opt.Notice)
	bs := append([]MovableBreak(nil), breaks...)
	moved := make([]bool, len(bs))
	var moves []BreakMove
	for len(moves) < opt.MaxMoves {
		// The unmoved, movable break in the worst-staffed place.
		best, bestWorst := -1, 0.0
		for k, b := range bs {
			if moved[k] || b.Start.Before(earliest) {
				continue
			}
			w := worst(touched(Span{b.Start, b.Start.Add(b.Length)}))
			if w < 0 && (best < 0 || w < bestWorst) {
				best, bestWorst = k, w
			}
		}
		if best < 0 {
			break
		}
		moved[best] = true // tried once, moved or not
		b := bs[best]
		step := b.Step
		if step <= 0 {
			step = 5 * time.Minute
		}
		old := Span{b.Start, b.Start.Add(b.Length)}
		apply(b.Start, b.Length, +1) // take the break out
		var pick time.Time
		pickWorst, found := math.Inf(-1), false
		for s := b.Earliest; !s.After(b.Latest); s = s.Add(step) {
			if s.Equal(b.Start) || s.Before(earliest) || !fits(b, s, opt.MaxWorkStretch) {
				continue
			}
			idx := touched(old, Span{s, s.Add(b.Length)})
			apply(s, b.Length, -1)
			w := worst(idx)
			apply(s, b.Length, +1)
			if !found || w > pickWorst+1e-9 || (math.Abs(w-pickWorst) <= 1e-9 && absDur(s.Sub(b.Start)) < absDur(pick.Sub(b.Start))) {
				pick, pickWorst, found = s, w, true
			}
		}
		apply(b.Start, b.Length, -1) // put it back
		before := worst(touched(old, Span{pick, pick.Add(b.Length)}))
		if !found || pickWorst <= before+1e-9 {
			continue
		}
		apply(b.Start, b.Length, +1)
		apply(pick, b.Length, -1)
		moves = append(moves, BreakMove{Agent: b.Agent, Name: b.Name, From: b.Start, To: pick, WorstBefore: before, WorstAfter: pickWorst})
		// The agent's other movable breaks now see this one where it went.
		for k := range bs {
			if k != best && bs[k].Agent == b.Agent {
				bs[k].Others = replaceSpan(bs[k].Others, old, Span{pick, pick.Add(b.Length)})
			}
		}
		bs[best].Start = pick
	}
	return moves, staffingWindows(g, on, n)
}

// fits reports whether the break may start at s: inside its shift, clear of
// the agent's other breaks, and leaving no work stretch over the limit (or,
// when the shift already has one, no longer than the longest it had).
func fits(b MovableBreak, s time.Time, limit time.Duration) bool {
	e := s.Add(b.Length)
	if s.Before(b.ShiftStart) || e.After(b.ShiftEnd) {
		return false
	}
	spans := []Span{{s, e}}
	for _, o := range b.Others {
		if overlap(s, e, o.Start, o.End) > 0 {
			return false
		}
		spans = append(spans, o)
	}
	if limit <= 0 {
		return true
	}
	was := longestStretch(b.ShiftStart, b.ShiftEnd, append([]Span{{b.Start, b.Start.Add(b.Length)}}, b.Others...))
	return longestStretch(b.ShiftStart, b.ShiftEnd, spans) <= max(limit, was)
}

// longestStretch is the longest time in [start, end) not covered by breaks.
func longestStretch(start, end time.Time, breaks []Span) time.Duration {
	bs := append([]Span(nil), breaks...)
	sort.Slice(bs, func(i, j int) bool { return bs[i].Start.Before(bs[j].Start) })
	longest, at := time.Duration(0), start
	for _, b := range bs {
		if b.Start.After(at) {
			longest = max(longest, b.Start.Sub(at))
		}
		if b.End.After(at) {
			at = b.End
		}
	}
	if end.After(at) {
		longest = max(longest, end.Sub(at))
	}
	return longest
}

func replaceSpan(spans []Span, old, now Span) []Span {
	out := make([]Span, 0, len(spans))
	for _, s := range spans {
		if s == old {
			s = now
		}
		out = append(out, s)
	}
	return out
}

// staffingWindows groups consecutive intervals short (or spare) by the same
// whole number of agents into windows.
func staffingWindows(g Grid, on []float64, n int) []StaffingWindow {
	var out []StaffingWindow
	// agents is the overtime (> 0) or VTO (< 0) an interval calls for.
	agents := func(i int) int {
		d := on[i] - g.Need[i]
		return -int(math.Trunc(d + math.Copysign(1e-9, d)))
	}
	for i := 0; i < n; {
		a := agents(i)
		j := i
		for j < n && agents(j) == a {
			j++
		}
		if a != 0 {
			out = append(out, StaffingWindow{Start: g.Start.Add(time.Duration(i) * g.Step), End: g.Start.Add(time.Duration(j) * g.Step), Agents: a})
		}
		i = j
	}
	return out
}

func overlap(a0, a1, b0, b1 time.Time) time.Duration {
	s, e := maxT(a0, b0), a1
	if b1.Before(e) {
		e = b1
	}
	if e.After(s) {
		return e.Sub(s)
	}
	return 0
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
