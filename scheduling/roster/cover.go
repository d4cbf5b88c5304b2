package roster

import (
	"sort"
	"strings"
	"time"
)

// cell is the cover one shift adds to one interval: the share of the
// interval it is worked, breaks taken out.
type cell struct {
	i int32
	v float64
}

// group is a distinct skill set: agents with the same set are interchangeable,
// so the solver pools them per zone and group.
type group struct {
	key    string
	queues []int
}

// groupsOf returns the distinct skill sets of the agents, in a stable order
// (fewest skills first, then by name), and each agent's group.
func groupsOf(queues []string, agents []Agent) ([]group, []int) {
	qi := map[string]int{}
	for i, q := range queues {
		qi[q] = i
	}
	keyOf := func(a Agent) (string, []int) {
		var names []string
		for q := range a.Skills {
			names = append(names, q)
		}
		sort.Strings(names)
		idx := make([]int, len(names))
		for k, n := range names {
			idx[k] = qi[n]
		}
		return strings.Join(names, ";"), idx
	}
	seen := map[string][]int{}
	for _, a := range agents {
		k, idx := keyOf(a)
		seen[k] = idx
	}
	var gs []group
	for k, idx := range seen {
		gs = append(gs, group{k, idx})
	}
	sort.Slice(gs, func(a, b int) bool {
		if len(gs[a].queues) != len(gs[b].queues) {
			return len(gs[a].queues) < len(gs[b].queues)
		}
		return gs[a].key < gs[b].key
	})
	pos := map[string]int{}
	for i, g := range gs {
		pos[g.key] = i
	}
	of := make([]int, len(agents))
	for i, a := range agents {
		k, _ := keyOf(a)
		of[i] = pos[k]
	}
	return gs, of
}

// coverCells computes the net cover of a shift over the period's intervals:
// [start, end) less its breaks, each interval counting the share worked.
// Offsets are from the period's start; the shift lies inside the period.
func coverCells(periodStart time.Time, step time.Duration, start, end time.Time, breaks []Interval, buf []float64) []cell {
	so, eo := start.Sub(periodStart), end.Sub(periodStart)
	first, last := int(so/step), int((eo-1)/step)
	if cap(buf) < last-first+1 {
		buf = make([]float64, last-first+1)
	}
	buf = buf[:last-first+1]
	clear(buf)
	add := func(a, b time.Duration, sign float64) {
		for t := a; t < b; {
			k := int(t / step)
			next := time.Duration(k+1) * step
			if next > b {
				next = b
			}
			if k >= first && k <= last {
				buf[k-first] += sign * float64(next-t) / float64(step)
			}
			t = next
		}
	}
	add(so, eo, 1)
	for _, b := range breaks {
		add(b.Start.Sub(periodStart), b.End.Sub(periodStart), -1)
	}
	out := make([]cell, 0, len(buf))
	for k, v := range buf {
		if v > 1e-9 {
			out = append(out, cell{int32(first + k), v})
		}
	}
	return out
}

// peakStats returns a shift's peak minutes worked and its longest run of
// consecutive peak intervals in which it works more than half the interval.
func peakStats(cells []cell, peak []bool, step time.Duration) (peakMin, longestMin float64) {
	stepMin := step.Minutes()
	run, prev := 0, int32(-2)
	best := 0
	for _, c := range cells {
		if !peak[c.i] {
			run = 0
			prev = c.i
			continue
		}
		peakMin += c.v * stepMin
		if c.v > 0.5 {
			if c.i == prev+1 {
				run++
			} else {
				run = 1
			}
			best = max(best, run)
		} else {
			run = 0
		}
		prev = c.i
	}
	return peakMin, float64(best) * stepMin
}

// cellChanges walks two cell lists of one shift, each sorted by interval
// (its cover before and after a change), and calls f with every interval
// whose cover changes and by how much.
func cellChanges(old, next []cell, f func(i int32, d float64)) {
	a, b := 0, 0
	for a < len(old) || b < len(next) {
		var i int32
		d := 0.0
		switch {
		case b == len(next) || (a < len(old) && old[a].i < next[b].i):
			i, d = old[a].i, -old[a].v
			a++
		case a == len(old) || next[b].i < old[a].i:
			i, d = next[b].i, next[b].v
			b++
		default:
			i, d = old[a].i, next[b].v-old[a].v
			a++
			b++
		}
		if d > 1e-12 || d < -1e-12 {
			f(i, d)
		}
	}
}
