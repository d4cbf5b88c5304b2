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

// SolveDeferred sizes deferred work. Each interval's arrivals (and the initial
// backlog) are spread evenly over the open intervals among the K =
// floor(target/interval) intervals starting with their arrival interval;
// an interval's required agents are the fewest whose capacity, agents ×
// interval × occupancy of work time, covers the work spread onto it. Because
// by the end of interval j the cumulative capacity covers the work of every
// item whose window ended by j, a FIFO backlog worked at that capacity
// handles every item within K intervals of the start of its arrival interval,
// i.e. within the target. The backlog is then replayed FIFO with the rounded-up
// agents to report what is handled, what is carried and how old it is.
// Intervals past the last one count as open, and the work spread onto them
// stays in the final backlog (it is due after the horizon).
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

	// Spread each arrival's work (seconds) over the open intervals of its
	// window; windows reaching past the horizon count those intervals as open.
	work := make([]float64, n)
	spread := func(i int, w float64) error {
		if w == 0 {
			return nil
		}
		open := 0
		for j := i; j < i+k; j++ {
			if !closed(j) {
				open++
			}
		}
		if open == 0 {
			return &InputError{Line: i + 1, Field: "contacts", Reason: fmt.Sprintf("every interval within the response target (%v) is closed, so nobody can handle these items in time", p.ResponseTarget)}
		}
		for j := i; j < i+k && j < n; j++ {
			if !closed(j) {
				work[j] += w / float64(open)
			}
		}
		return nil
	}
	if err := spread(0, p.InitialBacklog*p.AHT.Seconds()); err != nil {
		errs = append(errs, err.(*InputError))
	}
	for i, v := range volumes {
		if err := spread(i, v*aht(i)); err != nil {
			errs = append(errs, err.(*InputError))
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}

	out := make([]DeferredInterval, n)
	for j := range out {
		agents := int(math.Ceil(work[j]/(length*occ) - 1e-9))
		if work[j] < 1e-9 {
			agents = 0 // rounding dust from the spread
		}
		out[j] = DeferredInterval{Contacts: volumes[j], Workload: work[j] / aht(j), Agents: agents, Staff: StaffFor(agents, p.Shrinkage)}
	}

	// FIFO replay of the backlog at the planned capacity, in work seconds.
	type lot struct {
		interval  int
		work, aht float64
	}
	var backlog []lot
	if p.InitialBacklog > 0 {
		backlog = append(backlog, lot{0, p.InitialBacklog * p.AHT.Seconds(), p.AHT.Seconds()})
	}
	for j := 0; j < n; j++ {
		if volumes[j] > 0 {
			backlog = append(backlog, lot{j, volumes[j] * aht(j), aht(j)})
		}
		capacity := float64(out[j].Agents) * length * occ
		handled, busy := 0.0, 0.0
		for len(backlog) > 0 && capacity > 1e-9 {
			take := math.Min(capacity, backlog[0].work)
			handled += take / backlog[0].aht
			busy += take
			capacity -= take
			backlog[0].work -= take
			if backlog[0].work <= 1e-6 {
				backlog = backlog[1:]
			}
		}
		left := 0.0
		for _, l := range backlog {
			left += l.work / l.aht
		}
		out[j].Handled = handled
		out[j].Backlog = left
		if out[j].Agents > 0 {
			out[j].Occupancy = busy / (float64(out[j].Agents) * length)
		}
		if len(backlog) > 0 {
			out[j].OldestAge = time.Duration(j+1-backlog[0].interval) * p.Interval
		}
	}
	return out, nil
}
