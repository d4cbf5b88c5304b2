package scheduling

import (
	"math"
	"time"

	"github.com/peakwise/peakwise/scheduling/calendar"
)

// IntervalReport is one interval's required and scheduled staff.
type IntervalReport struct {
	Start     time.Time `json:"start"`
	Required  float64   `json:"required"`
	Scheduled float64   `json:"scheduled"`
	Peak      bool      `json:"peak"`
}

// Stress measures how hard peaks are on agents.
type Stress struct {
	// LongestPeakStretchMin is the longest run of peak intervals any shift
	// works without a break; MeanPeakStretchMin averages each shift's longest.
	LongestPeakStretchMin float64 `json:"longest_peak_stretch_min"`
	MeanPeakStretchMin    float64 `json:"mean_peak_stretch_min"`
	// ShiftsOverPeakLimit counts shifts whose longest peak stretch exceeds the limit.
	ShiftsOverPeakLimit int `json:"shifts_over_peak_limit"`
	// BreakMinutesInPeakShare is the share of break minutes taken in peak intervals.
	BreakMinutesInPeakShare float64 `json:"break_minutes_in_peak_share"`
	// MaxShareOnBreak is the highest share of on-shift staff on break in one interval.
	MaxShareOnBreak float64 `json:"max_share_on_break"`
	// PeakCoverageRatio is scheduled / required over peak intervals.
	PeakCoverageRatio float64 `json:"peak_coverage_ratio"`
	// MaxPeakOccupancy is the highest projected occupancy (workload /
	// scheduled staff) over peak intervals; zero when the plan has no workload.
	MaxPeakOccupancy float64 `json:"max_peak_occupancy,omitempty"`
}

// Report is the cost and stress of a set of shifts against requirements,
// computed from the shifts alone, so it can be recomputed from schedule.csv.
type Report struct {
	PaidAgentHours     float64        `json:"paid_agent_hours"`
	RequiredAgentHours float64        `json:"required_agent_hours"`
	CoveredAgentHours  float64        `json:"covered_agent_hours"`
	UnderAgentHours    float64        `json:"under_agent_hours"`
	OverAgentHours     float64        `json:"over_agent_hours"`
	Shifts             int            `json:"shifts"`
	ShiftsByTemplate   map[string]int `json:"shifts_by_template"`
	SolveSeconds       float64        `json:"solve_seconds"`
	Stress             Stress         `json:"stress"`
	// StressComparison, when set, puts the cheapest plan beside the
	// stress-aware one (see CompareStress).
	StressComparison *StressComparison `json:"stress_comparison,omitempty"`
	// CapShortfall, when set, is the under-coverage that only templates at
	// their max_agents could have covered (Plans.CapShortfall).
	CapShortfall []CapShortfall   `json:"cap_shortfall,omitempty"`
	Intervals    []IntervalReport `json:"intervals"`
}

// PlanSummary is the cost and stress of one plan.
type PlanSummary struct {
	PaidAgentHours  float64 `json:"paid_agent_hours"`
	UnderAgentHours float64 `json:"under_agent_hours"`
	OverAgentHours  float64 `json:"over_agent_hours"`
	Shifts          int     `json:"shifts"`
	Stress          Stress  `json:"stress"`
}

// StressComparison sets the cheapest plan beside the stress-aware one.
type StressComparison struct {
	// StressBudget is the plan's knob: the most extra paid time stress
	// relief may take, as a share of the cheapest plan's.
	StressBudget float64     `json:"stress_budget"`
	Cheapest     PlanSummary `json:"cheapest"`
	StressAware  PlanSummary `json:"stress_aware"`
	// ExtraPaidShare is what stress relief costs: stress-aware paid time over
	// the cheapest's, minus one.
	ExtraPaidShare float64 `json:"extra_paid_share"`
	// LowerBoundPaidHours is the LP bound: no plan without shortfall pays
	// less. CheapestGapShare is how far above it the cheapest plan is.
	LowerBoundPaidHours float64 `json:"lower_bound_paid_hours"`
	CheapestGapShare    float64 `json:"cheapest_gap_share"`
}

// CompareStress measures both plans of a generation against p.
func CompareStress(p Plan, plans Plans) StressComparison {
	sum := func(shifts []calendar.Shift) PlanSummary {
		r := Measure(p, shifts)
		return PlanSummary{PaidAgentHours: r.PaidAgentHours, UnderAgentHours: r.UnderAgentHours, OverAgentHours: r.OverAgentHours, Shifts: r.Shifts, Stress: r.Stress}
	}
	c := StressComparison{StressBudget: p.StressBudget, Cheapest: sum(plans.Cheapest), StressAware: sum(plans.StressAware), LowerBoundPaidHours: plans.LowerBoundPaidHours}
	if c.Cheapest.PaidAgentHours > 0 {
		c.ExtraPaidShare = c.StressAware.PaidAgentHours/c.Cheapest.PaidAgentHours - 1
	}
	if c.LowerBoundPaidHours > 0 {
		c.CheapestGapShare = c.Cheapest.PaidAgentHours/c.LowerBoundPaidHours - 1
	}
	return c
}

// Measure builds the report of shifts against a plan's requirements.
func Measure(p Plan, shifts []calendar.Shift) Report {
	n := len(p.Required)
	cov := coverage(p, shifts)
	share := p.PeakShare
	if share == 0 {
		share = 0.25
	}
	limit := p.MaxPeakStretch
	if limit == 0 {
		limit = 2 * time.Hour
	}
	peak := Peaks(p.Location, p.Start, p.Step, p.Required, share)
	h := p.Step.Hours()
	r := Report{Shifts: len(shifts), ShiftsByTemplate: map[string]int{}, Intervals: make([]IntervalReport, n)}
	var peakReq, peakCov float64
	for i, req := range p.Required {
		r.RequiredAgentHours += req * h
		r.CoveredAgentHours += math.Min(req, cov[i]) * h
		r.UnderAgentHours += math.Max(0, req-cov[i]) * h
		r.OverAgentHours += math.Max(0, cov[i]-req) * h
		r.Intervals[i] = IntervalReport{Start: p.Start.Add(time.Duration(i) * p.Step), Required: req, Scheduled: cov[i], Peak: peak[i]}
		if peak[i] {
			peakReq += req
			peakCov += cov[i]
		}
	}
	if peakReq > 0 {
		r.Stress.PeakCoverageRatio = peakCov / peakReq
	}
	if p.Workload != nil && len(p.Workload) == n {
		for i, w := range p.Workload {
			if peak[i] && w > 0 {
				occ := 1.0 // no staff: the queue is saturated
				if cov[i] > 0 {
					occ = math.Min(1, w/cov[i])
				}
				r.Stress.MaxPeakOccupancy = math.Max(r.Stress.MaxPeakOccupancy, occ)
			}
		}
	}
	var breaks []calendar.Shift
	for _, s := range shifts {
		r.PaidAgentHours += float64(s.PaidMinutes) / 60
		r.ShiftsByTemplate[s.Template]++
		stretch := peakStretch(p, peak, s)
		r.Stress.MeanPeakStretchMin += stretch.Minutes()
		r.Stress.LongestPeakStretchMin = math.Max(r.Stress.LongestPeakStretchMin, stretch.Minutes())
		if stretch > limit {
			r.Stress.ShiftsOverPeakLimit++
		}
		for _, b := range s.Breaks {
			breaks = append(breaks, calendar.Shift{Start: b.Start, End: b.End})
		}
	}
	// Every break at once: one pass over the intervals, not one per break.
	var breakMin, breakPeakMin float64
	onBreak := coverage(p, breaks)
	for i, v := range onBreak {
		breakMin += v * p.Step.Minutes()
		if peak[i] {
			breakPeakMin += v * p.Step.Minutes()
		}
	}
	if len(shifts) > 0 {
		r.Stress.MeanPeakStretchMin /= float64(len(shifts))
	}
	if breakMin > 0 {
		r.Stress.BreakMinutesInPeakShare = breakPeakMin / breakMin
	}
	for i := range onBreak {
		if onDuty := cov[i] + onBreak[i]; onDuty > 0 {
			r.Stress.MaxShareOnBreak = math.Max(r.Stress.MaxShareOnBreak, onBreak[i]/onDuty)
		}
	}
	return r
}

// coverage is calendar.Coverage, wrapped around the week in cyclic plans.
func coverage(p Plan, shifts []calendar.Shift) []float64 {
	n := len(p.Required)
	if !p.Cyclic {
		return calendar.Coverage(shifts, p.Start, p.Step, n)
	}
	// Count the period three times over (a week before, the week, a week after)
	// and fold, so shifts crossing either end wrap around.
	period := time.Duration(n) * p.Step
	wide := calendar.Coverage(shifts, p.Start.Add(-period), p.Step, 3*n)
	out := make([]float64, n)
	for i, v := range wide {
		out[i%n] += v
	}
	return out
}

func peakStretch(p Plan, peak []bool, s calendar.Shift) time.Duration {
	longest, run := time.Duration(0), time.Duration(0)
	for at := s.Start; at.Before(s.End); at = at.Add(p.Step) {
		k := int(math.Floor(float64(at.Sub(p.Start)) / float64(p.Step)))
		if p.Cyclic {
			k = ((k % len(peak)) + len(peak)) % len(peak)
		}
		inPeak := k >= 0 && k < len(peak) && peak[k]
		brk := false
		for _, b := range s.Breaks {
			if !at.Before(b.Start) && at.Before(b.End) {
				brk = true
			}
		}
		if inPeak && !brk {
			run += p.Step
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}
