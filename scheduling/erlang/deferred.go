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
	// the first interval; they are treated as arriving then.
	InitialBacklog float64
}

// DeferredInterval is the plan and its outcome for one interval.
type DeferredInterval struct {
	// Contacts is the number of items arriving in the interval.
	Contacts float64
	// Workload is the number of items the plan schedules for the interval.
	Workload float64
	// Agents work the items; Staff is Agents after shrinkage.
	Agents, Staff int
	// Handled is the number of items the agents handle (oldest first).
	Handled float64
	// Backlog is the number of items still waiting at the end of the interval.
	Backlog float64
	// OldestAge is, at the end of the interval, the time since the start of
	// the arrival interval of the oldest item still waiting (0 when none).
	OldestAge time.Duration
}

// SolveDeferred sizes deferred work. Each interval's arrivals (and the initial
// backlog) are spread evenly over the K = floor(target/interval) intervals
// starting with their arrival interval; an interval's required agents are the
// fewest whose capacity, agents × interval × occupancy / AHT items, covers the
// work spread onto it. Because by the end of interval j the cumulative
// capacity covers every item that arrived in interval j-K+1 or before, a FIFO
// backlog worked at that capacity handles every item within K intervals of the
// start of its arrival interval, i.e. within the target. The backlog is then
// replayed FIFO with the rounded-up agents to report what is handled, what is
// carried and how old it is. Work spread past the last interval stays in the
// final backlog (it is due after the horizon).
//
// It returns InputErrors for negative or non-finite volumes (with their
// 1-based position as Line) and bad parameters.
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
	perAgent := p.Interval.Seconds() * occ / p.AHT.Seconds() // items per agent per interval

	out := make([]DeferredInterval, n)
	// Spread with a running window sum: interval j carries 1/K of every
	// arrival in j-K+1..j (and of the initial backlog while j < K).
	window := 0.0
	for j := 0; j < n; j++ {
		window += volumes[j]
		if j >= k {
			window -= volumes[j-k]
		}
		w := window / float64(k)
		if j < k {
			w += p.InitialBacklog / float64(k)
		}
		if w < 1e-12 {
			w = 0 // the running sum leaves rounding dust after a burst
		}
		agents := int(math.Ceil(w/perAgent - 1e-9))
		out[j] = DeferredInterval{Contacts: volumes[j], Workload: w, Agents: agents, Staff: StaffFor(agents, p.Shrinkage)}
	}

	// FIFO replay of the backlog at the planned capacity.
	type lot struct {
		interval int
		items    float64
	}
	var backlog []lot
	if p.InitialBacklog > 0 {
		backlog = append(backlog, lot{0, p.InitialBacklog})
	}
	for j := 0; j < n; j++ {
		if volumes[j] > 0 {
			backlog = append(backlog, lot{j, volumes[j]})
		}
		capacity := float64(out[j].Agents) * perAgent
		handled := 0.0
		for len(backlog) > 0 && capacity > 1e-12 {
			take := math.Min(capacity, backlog[0].items)
			handled += take
			capacity -= take
			backlog[0].items -= take
			if backlog[0].items <= 1e-9 {
				backlog = backlog[1:]
			}
		}
		left := 0.0
		for _, l := range backlog {
			left += l.items
		}
		out[j].Handled = handled
		out[j].Backlog = left
		if len(backlog) > 0 {
			out[j].OldestAge = time.Duration(j+1-backlog[0].interval) * p.Interval
		}
	}
	return out, nil
}
