package scheduling_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/peakwise/peakwise/scheduling"
	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/scheduling/plancheck"
	"github.com/peakwise/peakwise/scheduling/planinput"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var propertyZones = []string{"UTC", "Europe/Berlin", "America/New_York", "Asia/Seoul", "Australia/Sydney"}

// randomInstance is a small random headcount problem: one to three days
// (sometimes across a DST change, sometimes one cyclic week at 60-minute
// intervals; 15-, 30- or 60-minute intervals), sometimes staffed round the
// clock with a night template crossing midnight, one to three templates
// with random spans, start windows, days, breaks (one, or a paid break and
// an unpaid lunch) and caps (none, loose, tight or zero).
func randomInstance(rng *rand.Rand) (scheduling.Plan, scheduling.Templates, string) {
	loc, _ := time.LoadLocation(propertyZones[rng.IntN(len(propertyZones))])
	step := []int{15, 30, 30, 60}[rng.IntN(4)]
	// Around the spring and autumn changes of both hemispheres.
	days := []time.Time{time.Date(2026, 3, 7, 0, 0, 0, 0, loc), time.Date(2026, 3, 28, 0, 0, 0, 0, loc),
		time.Date(2026, 10, 24, 0, 0, 0, 0, loc), time.Date(2026, 11, 1, 0, 0, 0, 0, loc), time.Date(2026, 4, 4, 0, 0, 0, 0, loc)}
	start := days[rng.IntN(len(days))]
	cyclic := rng.IntN(6) == 0
	ndays := 1 + rng.IntN(3)
	if cyclic {
		ndays, step = 7, 60
	}
	end := start.AddDate(0, 0, ndays)
	p := scheduling.Plan{Location: loc, Start: start, Step: time.Duration(step) * time.Minute, Cyclic: cyclic,
		StressBudget: []float64{0, 0.02, 0.1}[rng.IntN(3)], MaxPeakStretch: time.Duration(1+rng.IntN(3)) * time.Hour}
	open, close := 6+rng.IntN(4), 16+rng.IntN(8)
	night := rng.IntN(4) == 0 // staff round the clock, night templates
	base := float64(1 + rng.IntN(4))
	for at := start; at.Before(end); at = at.Add(p.Step) {
		h := at.In(loc).Hour()
		v := 0.0
		if h >= open && h < close {
			v = base + float64(rng.IntN(3))
		} else if night {
			v = 1
		}
		p.Required = append(p.Required, v)
	}
	ts := scheduling.Templates{IntervalMin: step}
	all := []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	n := 1 + rng.IntN(3)
	capKind := rng.IntN(4) // 0 none, 1 loose, 2 tight, 3 zero on one template
	for k := 0; k < n; k++ {
		span := 30 * (8 + rng.IntN(10))
		if step == 60 {
			span = 60 * (4 + rng.IntN(6))
		}
		from := open - rng.IntN(3)
		if night && k == 0 {
			from = 18 + rng.IntN(5) // into the night, across midnight (and a DST change)
		}
		to := from + rng.IntN(8)
		t := scheduling.Template{Name: fmt.Sprintf("T%d", k), SpanMin: span, PaidMin: span,
			Start: scheduling.StartWindow{From: scheduling.Clock(fmt.Sprintf("%02d:00", from)), To: scheduling.Clock(fmt.Sprintf("%02d:00", min(to, 23))), StepMin: step},
			Days:  all}
		if rng.IntN(4) == 0 {
			t.Days = all[:5]
		}
		switch {
		case span >= 360 && step <= 30 && rng.IntN(3) == 0:
			// A paid 15-minute break in the first half, an unpaid
			// 30-minute lunch in the second.
			half := span / 2 / 30 * 30
			t.Breaks = []scheduling.BreakRule{{Name: "break", LengthMin: 15, Paid: true, EarliestStart: 60, LatestStart: half - 30, StepMin: 15},
				{Name: "lunch", LengthMin: 30, EarliestStart: half, LatestStart: span - 90, StepMin: 30}}
			t.PaidMin = span - 30
		case span >= 360 && rng.IntN(2) == 0:
			// An unpaid break of one interval in the middle third.
			lo := span / 3 / step * step
			hi := 2 * span / 3 / step * step
			t.Breaks = []scheduling.BreakRule{{Name: "lunch", LengthMin: step, EarliestStart: lo, LatestStart: hi, StepMin: step}}
			t.PaidMin = span - step
		}
		switch {
		case capKind == 1:
			c := 50
			t.MaxAgents = &c
		case capKind == 2:
			c := 1 + rng.IntN(4)
			t.MaxAgents = &c
		case capKind == 3 && k == n-1:
			c := 0
			t.MaxAgents = &c
		}
		ts.Templates = append(ts.Templates, t)
	}
	return p, ts, fmt.Sprintf("%s from %s, %d days, %d-min, cyclic %t, caps %d", loc, start.Format(time.DateOnly), ndays, step, cyclic, capKind)
}

// TestHeadcountPlansKeepEveryRule runs random small instances through the
// generator, with and without a deadline, and has the independent
// validator check both plans: any breach is a generator bug.
func TestHeadcountPlansKeepEveryRule(t *testing.T) {
	instances := 200
	if testing.Short() {
		instances = 40
	}
	// PEAKWISE_PROPERTY_INSTANCES runs more (or fewer) seeds, e.g. a long
	// bug hunt; the default keeps the test to a few seconds.
	if n, err := strconv.Atoi(os.Getenv("PEAKWISE_PROPERTY_INSTANCES")); err == nil && n > 0 {
		instances = n
	}
	skipped := 0
	defer func() {
		assert.Less(t, skipped, instances/10, "most random instances are valid")
	}()
	for seed := 1; seed <= instances; seed++ {
		rng := rand.New(rand.NewPCG(uint64(seed), 16))
		p, ts, what := randomInstance(rng)
		if err := ts.Validate(); err != nil {
			skipped++
			continue // a random template that does not fit is not a case
		}
		ctx := context.Background()
		var cancel context.CancelFunc = func() {}
		// Three in four under a deadline (its fallbacks and the extra
		// searches), short enough that some stop inside the LP; the rest
		// without (every step runs to its end).
		if seed%4 != 0 {
			ctx, cancel = context.WithTimeout(ctx, time.Duration(2+rng.IntN(30))*time.Millisecond)
		}
		plans, err := scheduling.GeneratePlans(ctx, p, ts)
		cancel()
		require.NoError(t, err, "seed %d: %s", seed, what)
		for name, shifts := range map[string][][]calendar.Shift{"cheapest": {plans.Cheapest}, "stress-aware": {plans.StressAware}} {
			bs := plancheck.Check(planinput.Headcount(p, ts, shifts[0]))
			require.Empty(t, bs, "seed %d (%s), %s plan: %v", seed, what, name, bs)
		}
	}
}
