package erlang

import (
	"fmt"
	"math"
	"time"
)

// DeferredParams describes deferred work (email, social, back office): items
// that wait in a backlog and must be handled within a response target rather
// than answered in seconds.
type DeferredParams struct {
	// Interval is the length of each interval; > 0.
	Interval time.Duration
	// AHT is the handle time of one item; > 0.
	AHT time.Duration
	// ResponseTarget is the longest an item may wait, e.g. 24h. It must be at
	// least one interval: shorter targets are a queue, use Solve.
	ResponseTarget time.Duration
	// MaxOccupancy is the share of an agent's time that goes to items, in
	// (0, 1]; 0 means DefaultMaxOccupancy.
	MaxOccupancy float64
	// Shrinkage, in [0, 1), turns agents into staff.
	Shrinkage float64
	// InitialBacklog is the number of items already waiting at the start of
	// the first interval; they are treated as arriving then, with AHT.
	InitialBacklog float64
	// AHTs, when not nil, gives each interval's own handle time for the items
	// arriving in it (0 entries use AHT).
	AHTs []time.Duration
	// Closed, when not nil, marks intervals in which nobody works the backlog
	// (e.g. nights): they get no work and no agents, and the items' response
	// target still runs through them.
	Closed []bool
}

// DeferredInterval is the plan and its outcome for one interval.
type DeferredInterval struct {
	// Contacts is the number of items arriving in the interval.
	Contacts float64
	// Workload is the work the plan schedules for the interval, in items of
	// their own AHT.
	Workload float64
	// Agents work the items; Staff is Agents after shrinkage.
	Agents, Staff int
	// Handled is the number of items the agents handle (oldest first).
	Handled float64
	// Occupancy is the share of the agents' time spent on items (0 with no
	// agents).
	Occupancy float64
	// Backlog is the number of items still waiting at the end of the interval.
	Backlog float64
	// OldestAge is, at the end of the interval, the time since the start of
	// the arrival interval of the oldest item still waiting (0 when none).
	OldestAge time.Duration
}

// SolveDeferred sizes deferred work. The backlog (the initial one and each
// interval's arrivals) is worked oldest first, and an item arriving in
// interval i must be handled by the end of interval i+K-1, K =
// floor(target/interval). Each interval's agents are chosen in one pass:
//
//   - pace: every waiting item's remaining work, spread evenly over the open
//     intervals left before its deadline, gives the agents this interval
//     would need to keep an even pace; the fractions are carried from one
//     interval to the next instead of each being rounded up, so a trickle of
//     0.4 agents' work is one agent two intervals in five, not one always;
//   - due: never fewer than it takes to finish the items whose deadline
//     comes before the next open interval, so no item misses its target;
//   - never more than the work waiting.
//
// The same pass records what is handled, what is carried and how old the
// oldest waiting item is, so OldestAge is a check of the promise, not an
// assumption. Intervals past the last one count as open.
//
// It returns InputErrors for negative or non-finite volumes (with their
// 1-based position as Line), for an arrival whose whole response window is
// closed, and for bad parameters.
func SolveDeferred(volumes []float64, p DeferredParams) ([]DeferredInterval, error) {
	var errs InputErrors
	if p.Interval <= 0 {
		errs = append(errs, paramError("interval", "must be > 0, got %v", p.Interval))
	}
	if p.AHT <= 0 {
		errs = append(errs, paramError("aht", "must be > 0, got %v", p.AHT))
	}
	if p.Interval > 0 && p.ResponseTarget < p.Interval {
		errs = append(errs, paramError("response-within", "must be at least one interval (%v), got %v; shorter targets are a queue (Erlang C/A)", p.Interval, p.ResponseTarget))
	}
	if !(p.MaxOccupancy >= 0 && p.MaxOccupancy <= 1) {
		errs = append(errs, paramError("max-occupancy", "must be in (0, 1], got %v", p.MaxOccupancy))
	}
	if !(p.Shrinkage >= 0 && p.Shrinkage < 1) {
		errs = append(errs, paramError("shrinkage", "must be in [0, 1), got %v", p.Shrinkage))
	}
	if !(p.InitialBacklog >= 0) || math.IsInf(p.InitialBacklog, 0) {
		errs = append(errs, paramError("backlog", "must be a finite number >= 0, got %v", p.InitialBacklog))
	}
	if p.AHTs != nil && len(p.AHTs) != len(volumes) {
		errs = append(errs, paramError("aht", "per-interval AHTs must have one value per interval, got %d for %d", len(p.AHTs), len(volumes)))
	}
	if p.Closed != nil && len(p.Closed) != len(volumes) {
		errs = append(errs, paramError("closed", "must have one value per interval, got %d for %d", len(p.Closed), len(volumes)))
	}
	for i, v := range volumes {
		if !(v >= 0) || math.IsInf(v, 0) {
			errs = append(errs, &InputError{Line: i + 1, Field: "contacts", Reason: fmt.Sprintf("must be a finite number >= 0, got %v", v)})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	occ := p.MaxOccupancy
	if occ == 0 {
		occ = DefaultMaxOccupancy
	}
	n := len(volumes)
	k := int(p.ResponseTarget / p.Interval)
	length := p.Interval.Seconds()
	aht := func(i int) float64 {
		if p.AHTs != nil && p.AHTs[i] > 0 {
			return p.AHTs[i].Seconds()
		}
		return p.AHT.Seconds()
	}
	closed := func(j int) bool { return p.Closed != nil && j < n && p.Closed[j] }

	// open[j] counts the open intervals before j; intervals past the
	// horizon count as open.
	open := make([]int, n+1)
	for j := 0; j < n; j++ {
		open[j+1] = open[j]
		if !closed(j) {
			open[j+1]++
		}
	}
	openIn := func(from, to int) int { // open intervals in [from, to]
		if to < from {
			return 0
		}
		c := 0
		if to >= n {
			c = to - max(from, n) + 1
			to = n - 1
		}
		if from <= to {
			c += open[to+1] - open[from]
		}
		return c
	}
	// nextOpen[j] is the first open interval after j (n when none is left).
	nextOpen := make([]int, n)
	next := n
	for j := n - 1; j >= 0; j-- {
		nextOpen[j] = next
		if !closed(j) {
			next = j
		}
	}
	type lot struct {
		interval  int
		work, aht float64
	}
	var backlog []lot
	addLot := func(i int, w, a float64) {
		if w <= 0 {
			return
		}
		if openIn(i, i+k-1) == 0 {
			errs = append(errs, &InputError{Line: i + 1, Field: "contacts", Reason: fmt.Sprintf("every interval within the response target (%v) is closed, so nobody can handle these items in time", p.ResponseTarget)})
			return
		}
		backlog = append(backlog, lot{i, w, a})
	}

	capacity := length * occ // work seconds one agent handles in an interval
	out := make([]DeferredInterval, n)
	carry := 0.0
	for j := 0; j < n; j++ {
		if j == 0 && p.InitialBacklog > 0 {
			addLot(0, p.InitialBacklog*p.AHT.Seconds(), p.AHT.Seconds())
		}
		if volumes[j] > 0 {
			addLot(j, volumes[j]*aht(j), aht(j))
		}
		out[j].Contacts = volumes[j]
		agents := 0
		if !closed(j) && len(backlog) > 0 {
			pace, due, waiting := 0.0, 0.0, 0.0
			for _, l := range backlog {
				deadline := l.interval + k - 1
				pace += l.work / float64(max(1, openIn(j, deadline)))
				waiting += l.work
				if nextOpen[j] > deadline {
					due += l.work
				}
			}
			carry += pace / capacity
			agents = int(math.Floor(carry + 1e-9))
			agents = max(agents, int(math.Ceil(due/capacity-1e-9)))
			agents = min(agents, int(math.Ceil(waiting/capacity-1e-9)))
			carry = math.Max(0, carry-float64(agents))
			if float64(agents)*capacity >= waiting-1e-6 {
				carry = 0 // the backlog is cleared: nothing left to keep pace with
			}
		}
		cap := float64(agents) * capacity
		handled, busy := 0.0, 0.0
		for len(backlog) > 0 && cap > 1e-9 {
			take := math.Min(cap, backlog[0].work)
			handled += take / backlog[0].aht
			busy += take
			cap -= take
			backlog[0].work -= take
			if backlog[0].work <= 1e-6 {
				backlog = backlog[1:]
			}
		}
		left := 0.0
		for _, l := range backlog {
			left += l.work / l.aht
		}
		out[j].Agents, out[j].Staff = agents, StaffFor(agents, p.Shrinkage)
		out[j].Workload = busy / aht(j)
		out[j].Handled, out[j].Backlog = handled, left
		if agents > 0 {
			out[j].Occupancy = busy / (float64(agents) * length)
		}
		if len(backlog) > 0 {
			out[j].OldestAge = time.Duration(j+1-backlog[0].interval) * p.Interval
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}
