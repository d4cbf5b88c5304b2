package intraday

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var day = time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)

func at(h, m int) time.Time {
	return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
}

func ev(id string, t time.Time, s State) Event { return Event{ID: id, Agent: "ann", State: s, At: t} }

// A worked example (docs/intraday.md): a 09:00-13:00 shift with a 15-minute
// break at 11:00. Ann logs in 3 minutes late (within a 5-minute grace),
// takes her break 10 minutes late and comes back on time (10 minutes out),
// and a 20-minute system outage at 12:00 is excused.
func TestAdherenceWorkedExample(t *testing.T) {
	plan := []Planned{{ActWork, at(9, 0), at(11, 0)}, {ActBreak, at(11, 0), at(11, 15)}, {ActWork, at(11, 15), at(13, 0)}}
	events := []Event{
		ev("1", at(9, 3), Available),
		ev("2", at(9, 30), OnContact),
		ev("3", at(10, 50), Available),
		ev("4", at(11, 10), Break),
		ev("5", at(11, 15), Available),
		ev("6", at(12, 0), Offline),
		ev("7", at(12, 20), Available),
		ev("8", at(13, 0), LoggedOut),
	}
	r := Adherence(plan, events, []Span{{at(12, 0), at(12, 20)}}, at(8, 0), at(14, 0), Options{Grace: 5 * time.Minute})
	assert.InDelta(t, 220*60, r.ScheduledSeconds, 1e-9, "240 scheduled minutes less 20 excused")
	assert.InDelta(t, 20*60, r.ExcusedSeconds, 1e-9)
	assert.InDelta(t, 10*60, r.OutSeconds, 1e-9, "the late break: 11:00-11:10 working while on break")
	assert.InDelta(t, 210*60, r.InSeconds, 1e-9, "the late log-in is within the grace")
	require.Len(t, r.Episodes, 1)
	assert.Equal(t, Episode{Start: at(11, 0), End: at(11, 10), Planned: ActBreak, Actual: Available}, r.Episodes[0])
	assert.InDelta(t, 210.0/220, r.Adherence(), 1e-9)
	// Productive: 09:03-11:10 and 11:15-12:00 and 12:20-13:00 = 127 + 45 + 40 minutes;
	// scheduled work 225 minutes less the 20 excused.
	assert.InDelta(t, 212*60, r.ProductiveSeconds, 1e-9)
	assert.InDelta(t, 205*60, r.WorkSeconds, 1e-9)
	assert.InDelta(t, 212.0/205, r.Conformance(), 1e-9)

	none := Adherence(nil, events, nil, at(8, 0), at(14, 0), Options{})
	assert.Equal(t, -1.0, none.Adherence(), "nothing scheduled: no adherence")
}

// bruteForce recomputes adherence second by second, sharing no code with
// Adherence: the independent check of the property test.
func bruteForce(plan []Planned, events []Event, excused []Span, from, to time.Time, grace time.Duration, m Mapping) (in, out, excusedS, productive, work float64) {
	stateAt := func(t time.Time) State {
		s := LoggedOut
		var last time.Time
		for _, e := range events { // the latest event at or before t; the later one in the list on a tie
			if !e.At.After(t) && !e.At.Before(last) {
				s, last = e.State, e.At
			}
		}
		return s
	}
	type mark int
	const (
		none mark = iota
		good
		bad
		exc
	)
	var marks []mark
	for t := from; t.Before(to); t = t.Add(time.Second) {
		s := stateAt(t)
		if s == Available || s == OnContact || s == AfterContactWork {
			productive++
		}
		var act Activity
		found := false
		for _, p := range plan {
			if !t.Before(p.Start) && t.Before(p.End) {
				act, found = p.Activity, true
			}
		}
		isExc := false
		for _, x := range excused {
			if !t.Before(x.Start) && t.Before(x.End) {
				isExc = true
			}
		}
		switch {
		case !found:
			marks = append(marks, none)
		case isExc:
			marks = append(marks, exc)
			excusedS++
		default:
			if act == ActWork {
				work++
			}
			ok := false
			for _, st := range m[act] {
				ok = ok || st == s
			}
			if ok {
				marks = append(marks, good)
			} else {
				marks = append(marks, bad)
			}
		}
	}
	for i := 0; i < len(marks); {
		switch marks[i] {
		case good:
			in++
			i++
		case bad:
			j := i
			for j < len(marks) && marks[j] == bad {
				j++
			}
			if time.Duration(j-i)*time.Second <= grace {
				in += float64(j - i)
			} else {
				out += float64(j - i)
			}
			i = j
		default:
			i++
		}
	}
	return
}

// TestAdherenceMatchesASecondBySecondRecount: random small days, events out
// of order, overlapping excuses; Adherence agrees with the brute force.
func TestAdherenceMatchesASecondBySecondRecount(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	acts := []Activity{ActWork, ActWork, ActBreak, ActLunch, ActMeeting}
	for trial := 0; trial < 150; trial++ {
		from := at(8, 0)
		to := from.Add(time.Duration(60+rng.IntN(120)) * time.Minute)
		var plan []Planned
		for t := from.Add(time.Duration(rng.IntN(1200)-600) * time.Second); t.Before(to); {
			d := time.Duration(60+rng.IntN(2400)) * time.Second
			if rng.IntN(4) > 0 {
				plan = append(plan, Planned{acts[rng.IntN(len(acts))], t, t.Add(d)})
			}
			t = t.Add(d)
		}
		var events []Event
		for i := 0; i < rng.IntN(25); i++ {
			events = append(events, ev("e", from.Add(time.Duration(rng.IntN(int(to.Sub(from).Seconds())+600)-300)*time.Second), States[rng.IntN(len(States))]))
		}
		var excused []Span
		for i := 0; i < rng.IntN(3); i++ {
			s := from.Add(time.Duration(rng.IntN(int(to.Sub(from).Seconds()))) * time.Second)
			excused = append(excused, Span{s, s.Add(time.Duration(rng.IntN(1800)) * time.Second)})
		}
		grace := time.Duration(rng.IntN(600)) * time.Second
		// The brute force breaks ties by list order among equal times, as
		// Adherence does after its stable sort; shuffle the list first.
		rng.Shuffle(len(events), func(i, j int) { events[i], events[j] = events[j], events[i] })
		sorted := append([]Event(nil), events...)
		sortStable(sorted)
		in, out, exc, prod, work := bruteForce(plan, sorted, excused, from, to, grace, DefaultMapping())
		r := Adherence(plan, events, excused, from, to, Options{Grace: grace})
		assert.InDelta(t, in, r.InSeconds, 1e-6, "trial %d in", trial)
		assert.InDelta(t, out, r.OutSeconds, 1e-6, "trial %d out", trial)
		assert.InDelta(t, exc, r.ExcusedSeconds, 1e-6, "trial %d excused", trial)
		assert.InDelta(t, prod, r.ProductiveSeconds, 1e-6, "trial %d productive", trial)
		assert.InDelta(t, work, r.WorkSeconds, 1e-6, "trial %d work", trial)
		assert.InDelta(t, in+out, r.ScheduledSeconds, 1e-6, "trial %d scheduled", trial)
	}
}

func sortStable(evs []Event) {
	for i := 1; i < len(evs); i++ {
		for j := i; j > 0 && evs[j].At.Before(evs[j-1].At); j-- {
			evs[j], evs[j-1] = evs[j-1], evs[j]
		}
	}
}
