package intraday

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Two agents on a queue that needs both at 10:00-11:00 (the re-forecast's
// peak); Bob's break sits in the peak and moves after it; the evening is
// overstaffed by two (a VTO window) and the morning short by one.
func TestSuggestMovesABreakOutOfThePeak(t *testing.T) {
	g := Grid{Start: at(8, 0), Step: 30 * time.Minute}
	for i := 0; i < 16; i++ { // 08:00-16:00
		h := 8 + i/2
		need := 1.0
		switch {
		case h == 8:
			need = 3
		case h == 10:
			need = 2
		case h >= 14:
			need = 0
		}
		g.Need = append(g.Need, need)
		g.On = append(g.On, 2)
	}
	g.On[4] -= 0.5 // Bob's break 10:00-10:15 takes half an interval
	bob := MovableBreak{Agent: "bob", Name: "break", Start: at(10, 0), Length: 15 * time.Minute, Earliest: at(9, 30), Latest: at(11, 30), Step: 15 * time.Minute,
		ShiftStart: at(8, 0), ShiftEnd: at(16, 0), Others: []Span{{at(12, 0), at(12, 30)}}}
	moves, windows := SuggestBreakMoves(g, []MovableBreak{bob}, SuggestOptions{Now: at(9, 0), Notice: 15 * time.Minute, MaxWorkStretch: 4 * time.Hour})
	require.Len(t, moves, 1)
	assert.Equal(t, BreakMove{Agent: "bob", Name: "break", From: at(10, 0), To: at(9, 45), WorstBefore: -0.5, WorstAfter: 0}, moves[0],
		"09:30 and 09:45 both leave the peak covered; 09:45 is nearer")
	assert.Equal(t, []StaffingWindow{{at(8, 0), at(9, 0), 1}, {at(9, 0), at(9, 30), -1}, {at(11, 0), at(14, 0), -1}, {at(14, 0), at(16, 0), -2}}, windows,
		"one short at 08:00 (overtime); one spare at 09:00 and from 11:00, two from 14:00 (VTO)")

	// Lunch at 13:00 and a 2-hour limit: the shift's longest stretch is
	// 10:15-13:00 (2h45) today; 09:45 would make 10:00-13:00 (3h) and 11:00
	// would make 08:00-11:00 (3h), so no move is suggested.
	bob.Others = []Span{{at(13, 0), at(13, 30)}}
	moves, _ = SuggestBreakMoves(g, []MovableBreak{bob}, SuggestOptions{Now: at(9, 0), Notice: 15 * time.Minute, MaxWorkStretch: 2 * time.Hour})
	assert.Empty(t, moves, "never a stretch over the stress limit longer than the plan had")
	// Too late to tell Bob.
	moves, _ = SuggestBreakMoves(g, []MovableBreak{bob}, SuggestOptions{Now: at(9, 50), Notice: 15 * time.Minute})
	assert.Empty(t, moves)
}

// TestSuggestionsKeepEveryRule runs random days and checks each suggestion
// with code of its own: inside the window, after the notice, inside the
// shift, clear of the agent's other breaks, within the stress limit, and the
// worst staffing margin of the day never gets worse.
func TestSuggestionsKeepEveryRule(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 13))
	suggested := 0
	for trial := 0; trial < 200; trial++ {
		step := 30 * time.Minute
		g := Grid{Start: at(6, 0), Step: step}
		n := 32
		type agent struct {
			shift  Span
			breaks []Span
		}
		var agents []agent
		for a := 0; a < 3+rng.IntN(10); a++ {
			s := at(6+rng.IntN(6), 0)
			ag := agent{shift: Span{s, s.Add(8 * time.Hour)}}
			b1 := s.Add(time.Duration(90+rng.IntN(60)) * time.Minute).Truncate(15 * time.Minute)
			b2 := s.Add(time.Duration(240+rng.IntN(60)) * time.Minute).Truncate(15 * time.Minute)
			ag.breaks = []Span{{b1, b1.Add(15 * time.Minute)}, {b2, b2.Add(30 * time.Minute)}}
			agents = append(agents, ag)
		}
		onFor := func(brk func(a, k int) Span) []float64 {
			on := make([]float64, n)
			for i := range on {
				t0 := g.Start.Add(time.Duration(i) * step)
				for a, ag := range agents {
					work := overlap(t0, t0.Add(step), ag.shift.Start, ag.shift.End)
					for k := range ag.breaks {
						b := brk(a, k)
						work -= overlap(t0, t0.Add(step), b.Start, b.End)
					}
					on[i] += float64(work) / float64(step)
				}
			}
			return on
		}
		g.On = onFor(func(a, k int) Span { return agents[a].breaks[k] })
		for i := 0; i < n; i++ {
			g.Need = append(g.Need, math.Max(0, g.On[i]+float64(rng.IntN(5)-3)))
		}
		var mbs []MovableBreak
		for a, ag := range agents {
			for k, b := range ag.breaks {
				others := []Span{ag.breaks[1-k]}
				mbs = append(mbs, MovableBreak{Agent: fmt.Sprint(a), Name: fmt.Sprint(k), Start: b.Start, Length: b.End.Sub(b.Start),
					Earliest: b.Start.Add(-time.Hour), Latest: b.Start.Add(time.Hour), Step: 15 * time.Minute, ShiftStart: ag.shift.Start, ShiftEnd: ag.shift.End, Others: others})
			}
		}
		opt := SuggestOptions{Now: at(7, rng.IntN(60)), Notice: 15 * time.Minute, MaxWorkStretch: time.Duration(150+rng.IntN(120)) * time.Minute}
		moves, _ := SuggestBreakMoves(g, mbs, opt)
		suggested += len(moves)

		final := map[[2]int]Span{}
		for a, ag := range agents {
			for k, b := range ag.breaks {
				final[[2]int{a, k}] = b
			}
		}
		for _, m := range moves {
			var a, k int
			fmt.Sscan(m.Agent, &a)
			fmt.Sscan(m.Name, &k)
			orig := agents[a].breaks[k]
			assert.True(t, !m.To.Before(orig.Start.Add(-time.Hour)) && !m.To.After(orig.Start.Add(time.Hour)), "trial %d: inside the window", trial)
			assert.False(t, m.To.Before(opt.Now.Add(opt.Notice)), "trial %d: told in time", trial)
			assert.False(t, m.From.Before(opt.Now.Add(opt.Notice)), "trial %d: a break about to start stays", trial)
			final[[2]int{a, k}] = Span{m.To, m.To.Add(orig.End.Sub(orig.Start))}
		}
		moved := map[int]bool{}
		for _, m := range moves {
			var a int
			fmt.Sscan(m.Agent, &a)
			moved[a] = true
		}
		for a := range moved {
			ag := agents[a]
			b0, b1 := final[[2]int{a, 0}], final[[2]int{a, 1}]
			assert.False(t, b0.Start.Before(b1.End) && b1.Start.Before(b0.End), "trial %d agent %d: breaks overlap", trial, a)
			for _, b := range []Span{b0, b1} {
				assert.False(t, b.Start.Before(ag.shift.Start) || b.End.After(ag.shift.End), "trial %d: inside the shift", trial)
			}
			// The longest stretch of work, minute by minute.
			run, longest := 0, 0
			for m := ag.shift.Start; m.Before(ag.shift.End); m = m.Add(time.Minute) {
				inBreak := (!m.Before(b0.Start) && m.Before(b0.End)) || (!m.Before(b1.Start) && m.Before(b1.End))
				if inBreak {
					run = 0
					continue
				}
				run++
				longest = max(longest, run)
			}
			orig := 0
			run = 0
			for m := ag.shift.Start; m.Before(ag.shift.End); m = m.Add(time.Minute) {
				if (!m.Before(ag.breaks[0].Start) && m.Before(ag.breaks[0].End)) || (!m.Before(ag.breaks[1].Start) && m.Before(ag.breaks[1].End)) {
					run = 0
					continue
				}
				run++
				orig = max(orig, run)
			}
			assert.LessOrEqual(t, time.Duration(longest)*time.Minute, max(opt.MaxWorkStretch, time.Duration(orig)*time.Minute),
				"trial %d agent %d: no new stretch over the stress limit, none longer than before", trial, a)
		}
		after := onFor(func(a, k int) Span { return final[[2]int{a, k}] })
		worst := func(on []float64) float64 {
			w := math.Inf(1)
			for i := range on {
				w = math.Min(w, on[i]-g.Need[i])
			}
			return w
		}
		assert.GreaterOrEqual(t, worst(after)+1e-9, worst(g.On), "trial %d: the day's worst margin never gets worse", trial)
	}
	assert.Greater(t, suggested, 100, "the random days call for moves: the rules above were exercised")
}
