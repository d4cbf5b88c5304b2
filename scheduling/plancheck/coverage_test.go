package plancheck

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCoverageCountsEachShiftOnlyWhereAssignedAndOffBreak(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 3, 23, h, m, 0, 0, time.UTC) }
	shifts := []Shift{
		{Agent: "a", Start: at(9, 0), End: at(10, 0), Queue: "voice", Breaks: []Break{{Start: at(9, 30), End: at(9, 45)}}},
		{Agent: "b", Start: at(9, 15), End: at(10, 0), Queue: "chat"},
		{Agent: "c", Start: at(9, 0), End: at(10, 0), Queue: "email"}, // no requirement: adds nothing
	}
	reqs := []Requirement{
		{Queue: "voice", Start: at(9, 30), End: at(10, 0), Staff: 2},
		{Queue: "voice", Start: at(9, 0), End: at(9, 30), Staff: 2},
		{Queue: "chat", Start: at(9, 0), End: at(9, 30), Staff: 1},
	}
	got := Coverage(shifts, reqs)
	require.Len(t, got, 3)
	near := func(want, got float64, what string) { assert.InDelta(t, want, got, 1e-9, what) }
	chat, voice, total := got[0], got[1], got[2]
	assert.Equal(t, []string{"chat", "voice", "*"}, []string{chat.Queue, voice.Queue, total.Queue})
	// voice: 09:00-09:30 worked whole (cover 1 of 2), 09:30-10:00 half (a break of 15 minutes).
	near(2, voice.RequiredHours, "voice required")
	near(0.75, voice.CoveredHours, "voice covered")
	near(0.5+0.75, voice.UnderHours, "voice under")
	near(0, voice.OverHours, "voice over")
	// chat: b starts at 09:15, so half the interval; the hour after needs nobody.
	near(0.25, chat.UnderHours, "chat under")
	near(0.25, chat.CoveredHours, "chat covered")
	near(1.5, total.UnderHours, "total under")
	near(2.5, total.RequiredHours, "total required")
}

func TestCoverageOfAHeadcountPlanCountsOver(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 3, 23, h, 0, 0, 0, time.UTC) }
	shifts := []Shift{{Start: at(8), End: at(12)}, {Start: at(8), End: at(10)}}
	got := Coverage(shifts, []Requirement{{Start: at(8), End: at(9), Staff: 1}, {Start: at(11), End: at(12), Staff: 2}})
	require.Len(t, got, 1, "one queue, no total")
	assert.InDelta(t, 1, got[0].OverHours, 1e-9)
	assert.InDelta(t, 1, got[0].UnderHours, 1e-9)
	assert.InDelta(t, 3, got[0].CoveredHours, 1e-9)
}

// TestCoverageMatchesAMinuteByMinuteCount: random shifts of 1-24 hours
// with breaks on two queues, against random requirement intervals of 15
// minutes to 2 hours, recounted minute by minute.
func TestCoverageMatchesAMinuteByMinuteCount(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	day := time.Date(2026, 3, 23, 0, 0, 0, 0, time.UTC)
	queues := []string{"chat", "voice"}
	for round := 0; round < 50; round++ {
		var shifts []Shift
		for k := 0; k < 1+rng.IntN(30); k++ {
			st := day.Add(time.Duration(rng.IntN(3*24*60)) * time.Minute)
			s := Shift{Agent: "a", Queue: queues[rng.IntN(2)], Start: st, End: st.Add(time.Duration(60+rng.IntN(23*60)) * time.Minute)}
			if rng.IntN(2) == 0 {
				b := s.Start.Add(time.Duration(rng.IntN(int(s.End.Sub(s.Start).Minutes())-15)) * time.Minute)
				s.Breaks = []Break{{Start: b, End: b.Add(15 * time.Minute)}}
			}
			shifts = append(shifts, s)
		}
		var reqs []Requirement
		for at := day; at.Before(day.AddDate(0, 0, 4)); {
			length := time.Duration(15*(1+rng.IntN(8))) * time.Minute
			reqs = append(reqs, Requirement{Queue: queues[rng.IntN(2)], Start: at, End: at.Add(length), Staff: float64(rng.IntN(4))})
			at = at.Add(length)
		}
		got := map[string]QueueCover{}
		for _, c := range Coverage(shifts, reqs) {
			got[c.Queue] = c
		}
		for _, q := range queues {
			var want QueueCover
			for _, r := range reqs {
				if r.Queue != q {
					continue
				}
				n := 0 // agent-minutes worked on q in r
				for m := r.Start; m.Before(r.End); m = m.Add(time.Minute) {
					for _, s := range shifts {
						if s.Queue != q || m.Before(s.Start) || !m.Before(s.End) {
							continue
						}
						onBreak := false
						for _, b := range s.Breaks {
							if !m.Before(b.Start) && m.Before(b.End) {
								onBreak = true
							}
						}
						if !onBreak {
							n++
						}
					}
				}
				hours := r.End.Sub(r.Start).Hours()
				cover := float64(n) / r.End.Sub(r.Start).Minutes()
				want.RequiredHours += r.Staff * hours
				want.CoveredHours += cover * hours
				want.UnderHours += max(0, r.Staff-cover) * hours
				want.OverHours += max(0, cover-r.Staff) * hours
			}
			c := got[q]
			assert.InDelta(t, want.RequiredHours, c.RequiredHours, 1e-6, "round %d %s required", round, q)
			assert.InDelta(t, want.CoveredHours, c.CoveredHours, 1e-6, "round %d %s covered", round, q)
			assert.InDelta(t, want.UnderHours, c.UnderHours, 1e-6, "round %d %s under", round, q)
			assert.InDelta(t, want.OverHours, c.OverHours, 1e-6, "round %d %s over", round, q)
		}
	}
}
