package intraday

import (
	"sort"
	"time"
)

// Activity is what the published schedule says an agent should be doing.
type Activity string

// The scheduled activities.
const (
	ActWork     Activity = "work" // on the queues: taking or wrapping up contacts
	ActBreak    Activity = "break"
	ActLunch    Activity = "lunch"
	ActMeeting  Activity = "meeting"
	ActTraining Activity = "training"
	ActCoaching Activity = "coaching"
)

// Planned is one scheduled activity of one agent.
type Planned struct {
	Activity Activity
	Start    time.Time
	End      time.Time
}

// Span is a stretch of time, e.g. an excused exception.
type Span struct {
	Start, End time.Time
}

// Mapping says which states keep an agent in adherence with each activity.
// An admin edits it; DefaultMapping is what a new center starts with.
type Mapping map[Activity][]State

// DefaultMapping: work is available, on a contact or after-contact work; a
// break or lunch is that state or logged out (many agents log out for lunch);
// meetings, training and coaching are their own states.
func DefaultMapping() Mapping {
	return Mapping{
		ActWork:     {Available, OnContact, AfterContactWork},
		ActBreak:    {Break, LoggedOut, Offline},
		ActLunch:    {Lunch, Break, LoggedOut, Offline},
		ActMeeting:  {Meeting},
		ActTraining: {Training},
		ActCoaching: {Coaching},
	}
}

func (m Mapping) adheres(a Activity, s State) bool {
	for _, ok := range m[a] {
		if ok == s {
			return true
		}
	}
	return false
}

// Options control Adherence.
type Options struct {
	// Mapping of states to activities; nil means DefaultMapping.
	Mapping Mapping
	// Grace: a stretch out of adherence no longer than this counts as in
	// adherence (logging in a minute late, a call that runs into the break).
	Grace time.Duration
	// Before is the agent's state before their first event (LoggedOut if empty).
	Before State
}

// Episode is a stretch out of adherence longer than the grace.
type Episode struct {
	Start, End time.Time
	Planned    Activity // at the episode's start
	Actual     State    // at the episode's start
}

// Result is an agent's adherence over a window.
type Result struct {
	// Seconds of scheduled time (planned activities inside the window, less
	// excused time), of it in and out of adherence, and excused.
	ScheduledSeconds float64 `json:"scheduled_seconds"`
	InSeconds        float64 `json:"in_adherence_seconds"`
	OutSeconds       float64 `json:"out_of_adherence_seconds"`
	ExcusedSeconds   float64 `json:"excused_seconds"`
	// WorkSeconds is the scheduled work time (not excused), ProductiveSeconds
	// the time in productive states anywhere in the window.
	WorkSeconds       float64 `json:"scheduled_work_seconds"`
	ProductiveSeconds float64 `json:"productive_seconds"`
	Episodes          []Episode
}

// Adherence is InSeconds / ScheduledSeconds, or -1 when nothing was scheduled.
func (r Result) Adherence() float64 {
	if r.ScheduledSeconds <= 0 {
		return -1
	}
	return r.InSeconds / r.ScheduledSeconds
}

// Conformance is ProductiveSeconds / WorkSeconds (it exceeds 1 when the agent
// worked more than scheduled), or -1 when no work was scheduled.
func (r Result) Conformance() float64 {
	if r.WorkSeconds <= 0 {
		return -1
	}
	return r.ProductiveSeconds / r.WorkSeconds
}

// Add sums results, for a team or a day of several windows.
func (r Result) Add(o Result) Result {
	r.ScheduledSeconds += o.ScheduledSeconds
	r.InSeconds += o.InSeconds
	r.OutSeconds += o.OutSeconds
	r.ExcusedSeconds += o.ExcusedSeconds
	r.WorkSeconds += o.WorkSeconds
	r.ProductiveSeconds += o.ProductiveSeconds
	r.Episodes = append(r.Episodes, o.Episodes...)
	return r
}

// Adherence measures one agent over [from, to), the definitions of
// docs/intraday.md:
//
//   - the agent's state at t is that of their last event at or before t
//     (opt.Before before the first); events are taken in time order and
//     equal times in the order given;
//   - scheduled time is the time inside [from, to) covered by plan, less the
//     time covered by excused spans, which counts neither in nor out;
//   - an instant of scheduled time is in adherence when the state at that
//     instant is one the mapping allows for the planned activity;
//   - a maximal stretch of scheduled time out of adherence (excused time and
//     unscheduled time end a stretch) no longer than opt.Grace counts as in
//     adherence; longer ones are Episodes and count out;
//   - conformance counts productive time anywhere in [from, to) against the
//     scheduled work time.
//
// plan must not overlap itself; excused spans may overlap.
func Adherence(plan []Planned, events []Event, excused []Span, from, to time.Time, opt Options) Result {
	if opt.Mapping == nil {
		opt.Mapping = DefaultMapping()
	}
	before := opt.Before
	if before == "" {
		before = LoggedOut
	}
	evs := append([]Event(nil), events...)
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].At.Before(evs[j].At) })

	// Cut the window at every change of plan, state or excuse.
	cuts := []time.Time{from, to}
	in := func(t time.Time) bool { return t.After(from) && t.Before(to) }
	for _, p := range plan {
		for _, t := range []time.Time{p.Start, p.End} {
			if in(t) {
				cuts = append(cuts, t)
			}
		}
	}
	for _, e := range evs {
		if in(e.At) {
			cuts = append(cuts, e.At)
		}
	}
	for _, x := range excused {
		for _, t := range []time.Time{x.Start, x.End} {
			if in(t) {
				cuts = append(cuts, t)
			}
		}
	}
	sort.Slice(cuts, func(i, j int) bool { return cuts[i].Before(cuts[j]) })

	var res Result
	var open *Episode // the current stretch out of adherence
	openSeconds := 0.0
	closeStretch := func() {
		if open == nil {
			return
		}
		if time.Duration(openSeconds*float64(time.Second)) <= opt.Grace {
			res.InSeconds += openSeconds
		} else {
			res.OutSeconds += openSeconds
			res.Episodes = append(res.Episodes, *open)
		}
		open, openSeconds = nil, 0
	}
	k := 0 // events at or before the segment's start
	state := before
	for i := 0; i+1 < len(cuts); i++ {
		a, b := cuts[i], cuts[i+1]
		if !b.After(a) {
			continue
		}
		for k < len(evs) && !evs[k].At.After(a) {
			state = evs[k].State
			k++
		}
		d := b.Sub(a).Seconds()
		if state.Productive() {
			res.ProductiveSeconds += d
		}
		act, planned := activityAt(plan, a)
		if !planned {
			closeStretch()
			continue
		}
		if covered(excused, a) {
			res.ExcusedSeconds += d
			closeStretch()
			continue
		}
		res.ScheduledSeconds += d
		if act == ActWork {
			res.WorkSeconds += d
		}
		if opt.Mapping.adheres(act, state) {
			closeStretch()
			res.InSeconds += d
			continue
		}
		if open == nil {
			open = &Episode{Start: a, Planned: act, Actual: state}
		}
		open.End = b
		openSeconds += d
	}
	closeStretch()
	return res
}

func activityAt(plan []Planned, t time.Time) (Activity, bool) {
	for _, p := range plan {
		if !t.Before(p.Start) && t.Before(p.End) {
			return p.Activity, true
		}
	}
	return "", false
}

func covered(spans []Span, t time.Time) bool {
	for _, s := range spans {
		if !t.Before(s.Start) && t.Before(s.End) {
			return true
		}
	}
	return false
}
