package intraday

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"
)

// SimAgent is one agent of a simulated day: their reference, their planned
// activities, and the queue and channel they take contacts on.
type SimAgent struct {
	Ref     string
	Plan    []Planned
	Queue   string
	Channel string
	// AHT is the mean handle time of their contacts (0: 5 minutes).
	AHT time.Duration
}

// SimOptions shape how far a simulated day strays from the plan. The
// probabilities are per agent and day (Sick, LateLogin) or per break
// (MissedBreak, LongCall).
type SimOptions struct {
	Seed        uint64
	Sick        float64 // the agent does not come in
	LateLogin   float64 // the agent logs in 3-20 minutes late
	MissedBreak float64 // the agent works through a break
	LongCall    float64 // a call runs 3-15 minutes into a break or past the shift's end
}

// DefaultSim is a believable day: one agent in 25 off sick, one in 6 late,
// one break in 12 missed, one in 5 started late by a long call.
var DefaultSim = SimOptions{Sick: 0.04, LateLogin: 0.15, MissedBreak: 0.08, LongCall: 0.2}

// SimulateDay turns the agents' plans into the state events a contact center
// platform would send over the day, with the strays of opt, in time order.
// Event ids are unique per seed, agent and day. Within work the agent moves
// between available, on a contact and after-contact work; breaks and lunch are
// taken in their states (or missed); meetings, training and coaching are
// attended; the agent logs out at the end of each shift.
func SimulateDay(agents []SimAgent, opt SimOptions) []Event {
	rng := rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x5eed))
	var out []Event
	for _, a := range agents {
		if len(a.Plan) == 0 {
			continue
		}
		plan := append([]Planned(nil), a.Plan...)
		sort.Slice(plan, func(i, j int) bool { return plan[i].Start.Before(plan[j].Start) })
		n := 0
		emit := func(t time.Time, s State) {
			n++
			e := Event{ID: fmt.Sprintf("sim-%d-%s-%s-%d", opt.Seed, a.Ref, plan[0].Start.UTC().Format("20060102"), n), Agent: a.Ref, State: s,
				At: t.UTC().Truncate(time.Second)}
			if s == OnContact || s == AfterContactWork {
				e.Queue, e.Channel = a.Queue, a.Channel
			}
			out = append(out, e)
		}
		if rng.Float64() < opt.Sick {
			continue // a sick call: no log-in all day
		}
		aht := a.AHT
		if aht <= 0 {
			aht = 5 * time.Minute
		}
		late := jitter(rng, -4*time.Minute, time.Minute)
		if rng.Float64() < opt.LateLogin {
			late = jitter(rng, 3*time.Minute, 20*time.Minute)
		}
		t := plan[0].Start.Add(late)
		emit(t, Available)
		for i, p := range plan {
			end := p.End
			last := i == len(plan)-1 || !plan[i+1].Start.Equal(p.End)
			switch p.Activity {
			case ActWork:
				t = work(rng, t, end, aht, emit)
			default:
				state := map[Activity]State{ActBreak: Break, ActLunch: Lunch, ActMeeting: Meeting, ActTraining: Training, ActCoaching: Coaching}[p.Activity]
				if (p.Activity == ActBreak || p.Activity == ActLunch) && rng.Float64() < opt.MissedBreak {
					t = work(rng, t, end, aht, emit)
					break
				}
				start := maxT(t, p.Start.Add(jitter(rng, -time.Minute, 2*time.Minute)))
				if rng.Float64() < opt.LongCall {
					emit(maxT(t, p.Start.Add(-2*time.Minute)), OnContact)
					start = p.Start.Add(jitter(rng, 3*time.Minute, 15*time.Minute))
				}
				if start.Before(end) {
					emit(start, state)
					t = end.Add(jitter(rng, -time.Minute, 3*time.Minute))
					if !last {
						emit(t, Available)
					}
				}
			}
			if last {
				if rng.Float64() < opt.LongCall {
					emit(maxT(t, end.Add(-3*time.Minute)), OnContact)
					end = end.Add(jitter(rng, 3*time.Minute, 15*time.Minute))
				}
				emit(maxT(t, end.Add(jitter(rng, 0, 5*time.Minute))), LoggedOut)
				if i+1 < len(plan) {
					t = plan[i+1].Start.Add(late)
					emit(t, Available)
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// work fills [t, end) with contacts: a wait while available, the contact,
// its after-contact work; it returns when the agent is next free.
func work(rng *rand.Rand, t, end time.Time, aht time.Duration, emit func(time.Time, State)) time.Time {
	for {
		wait := time.Duration(rng.ExpFloat64() * float64(aht) / 3)
		if !t.Add(wait).Before(end) {
			return t
		}
		t = t.Add(wait)
		emit(t, OnContact)
		t = t.Add(time.Duration(rng.ExpFloat64() * float64(aht) * 0.85))
		emit(t, AfterContactWork)
		t = t.Add(time.Duration(rng.ExpFloat64() * float64(aht) * 0.15))
		emit(t, Available)
		if !t.Before(end) {
			return t
		}
	}
}

func jitter(rng *rand.Rand, lo, hi time.Duration) time.Duration {
	return lo + time.Duration(rng.Float64()*float64(hi-lo))
}

func maxT(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// SimulateVolume draws a day's offered contacts per interval around the
// forecast scaled by drift (1.2: the day runs 20% over), Poisson-distributed.
func SimulateVolume(forecast []float64, drift float64, seed uint64) []int {
	rng := rand.New(rand.NewPCG(seed, seed^0xfeed))
	out := make([]int, len(forecast))
	for i, f := range forecast {
		mean := math.Max(0, f*drift)
		if mean > 50 {
			out[i] = max(0, int(math.Round(mean+math.Sqrt(mean)*rng.NormFloat64())))
			continue
		}
		l, k, p := math.Exp(-mean), 0, 1.0
		for {
			p *= rng.Float64()
			if p <= l {
				break
			}
			k++
		}
		out[i] = k
	}
	return out
}
