package calendar

import "time"

// Coverage returns, for n intervals of length step from start, how many
// agents the shifts put on duty: each shift counts for the share of the
// interval it spans, less the share its breaks take (a 15-minute break in a
// 30-minute interval leaves half an agent).
func Coverage(shifts []Shift, start time.Time, step time.Duration, n int) []float64 {
	out := make([]float64, n)
	end := start.Add(time.Duration(n) * step)
	add := func(from, to time.Time, sign float64) {
		if from.Before(start) {
			from = start
		}
		if to.After(end) {
			to = end
		}
		for t := from; t.Before(to); {
			i := int(t.Sub(start) / step)
			next := start.Add(time.Duration(i+1) * step)
			if next.After(to) {
				next = to
			}
			out[i] += sign * float64(next.Sub(t)) / float64(step)
			t = next
		}
	}
	for _, s := range shifts {
		add(s.Start, s.End, 1)
		for _, b := range s.Breaks {
			add(b.Start, b.End, -1)
		}
	}
	return out
}
