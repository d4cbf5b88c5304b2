package roster

import (
	"context"
	"sync"
)

// PlanFigures are the figures the kind and the cheapest roster are compared on.
type PlanFigures struct {
	PaidHours  float64 `json:"paid_agent_hours"`
	UnderHours float64 `json:"under_agent_hours"`
	// LongestPeakStretchMin is the longest run of peak work without a break
	// of any shift; ShiftsOverStretch and AgentsOverStretch count the shifts
	// over MaxPeakStretch and the agents with one.
	LongestPeakStretchMin float64 `json:"longest_peak_stretch_min"`
	ShiftsOverStretch     int     `json:"shifts_over_stretch"`
	AgentsOverStretch     int     `json:"agents_over_stretch"`
	PeakShareGini         float64 `json:"peak_share_gini"`
	WeekendShareGini      float64 `json:"weekend_share_gini"`
	NightShareGini        float64 `json:"night_share_gini"`
}

// Kindness sets the cheapest roster (solved with the stress and fairness
// terms off, Problem.Cheapest) beside the kind one (every term on).
// Cost is Kind less Cheapest, figure by figure: what the kindness costs
// (positive paid hours) and what it buys (negative stretches and Ginis).
// The two come from separate heuristic searches, so the kind roster may
// also come out cheaper.
type Kindness struct {
	Kind     PlanFigures `json:"kind"`
	Cheapest PlanFigures `json:"cheapest"`
	Cost     PlanFigures `json:"cost"`
}

// Figures reads a report's figures for the comparison.
func Figures(r Report) PlanFigures {
	f := PlanFigures{PaidHours: r.Total.PaidHours, UnderHours: r.Total.UnderHours, ShiftsOverStretch: len(r.OverStretch),
		PeakShareGini: r.PeakShareGini, WeekendShareGini: r.WeekendShareGini, NightShareGini: r.NightShareGini}
	for _, a := range r.Agents {
		f.LongestPeakStretchMin = max(f.LongestPeakStretchMin, a.LongestPeakStretchMin)
	}
	over := map[string]bool{}
	for _, n := range r.OverStretch {
		over[n.Agent] = true
	}
	f.AgentsOverStretch = len(over)
	return f
}

// MeasureFigures measures a roster (Measure) for the comparison only: its
// figures, without the reasons for the shifts over the stretch limit.
// Returns Measure's errors.
func MeasureFigures(p Problem, as []Assignment) (PlanFigures, error) {
	r, err := measure(p, as, false)
	if err != nil {
		return PlanFigures{}, err
	}
	return Figures(r), nil
}

// CompareKindness returns the comparison of the kind roster's report with
// the cheapest roster's figures (MeasureFigures).
func CompareKindness(kind Report, cheapest PlanFigures) *Kindness {
	k, c := Figures(kind), cheapest
	return &Kindness{Kind: k, Cheapest: c, Cost: PlanFigures{
		PaidHours: k.PaidHours - c.PaidHours, UnderHours: k.UnderHours - c.UnderHours,
		LongestPeakStretchMin: k.LongestPeakStretchMin - c.LongestPeakStretchMin,
		ShiftsOverStretch:     k.ShiftsOverStretch - c.ShiftsOverStretch, AgentsOverStretch: k.AgentsOverStretch - c.AgentsOverStretch,
		PeakShareGini: k.PeakShareGini - c.PeakShareGini, WeekendShareGini: k.WeekendShareGini - c.WeekendShareGini,
		NightShareGini: k.NightShareGini - c.NightShareGini,
	}}
}

// SolveWithCheapest solves p (the kind roster) and, at the same time and
// within the same ctx deadline, p with Cheapest set (Progress is reported
// for the kind solve only). Errors are Solve's, the kind solve's first.
func SolveWithCheapest(ctx context.Context, p Problem) (kind, cheapest Roster, err error) {
	cp := p
	cp.Cheapest = true
	cp.Progress = nil
	var cerr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		cheapest, cerr = Solve(ctx, cp)
	}()
	kind, err = Solve(ctx, p)
	wg.Wait()
	if err != nil {
		return Roster{}, Roster{}, err
	}
	if cerr != nil {
		return Roster{}, Roster{}, cerr
	}
	return kind, cheapest, nil
}
