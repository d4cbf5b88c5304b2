package calendar

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// ErrNoSlot means no part of the shift can hold the activity.
var ErrNoSlot = errors.New("no free slot in the shift")

// BookActivity places a paid off-queue activity (a coaching session, a
// meeting) of the given length inside the shift, at the start (a multiple of
// step after the shift's start, not before notBefore) whose intervals carry
// the least load, as load(t) reports for the step starting at t: the quietest
// time for the queues the agent serves. It never overlaps a break, and leaves
// the first and last step of the shift alone (handover). Ties go to the
// earliest start. It returns the shift with the activity added to its breaks
// (in time order) and the activity; ErrNoSlot when nothing fits.
func BookActivity(sh Shift, name string, length, step time.Duration, notBefore time.Time, load func(t time.Time) float64) (Shift, Break, error) {
	if length <= 0 || step <= 0 {
		return sh, Break{}, fmt.Errorf("activity length (%s) and step (%s) must be positive", length, step)
	}
	best, found := Break{}, false
	bestLoad := 0.0
	for start := sh.Start.Add(step); !start.Add(length).After(sh.End.Add(-step)); start = start.Add(step) {
		end := start.Add(length)
		if start.Before(notBefore) {
			continue
		}
		if slices.ContainsFunc(sh.Breaks, func(b Break) bool { return b.Start.Before(end) && start.Before(b.End) }) {
			continue
		}
		total := 0.0
		for t := start; t.Before(end); t = t.Add(step) {
			total += load(t)
		}
		if !found || total < bestLoad {
			best, bestLoad, found = Break{Name: name, Start: start, End: end, Paid: true}, total, true
		}
	}
	if !found {
		return sh, Break{}, ErrNoSlot
	}
	out := sh
	out.Breaks = append(slices.Clone(sh.Breaks), best)
	slices.SortFunc(out.Breaks, func(a, b Break) int { return a.Start.Compare(b.Start) })
	return out, best, nil
}
