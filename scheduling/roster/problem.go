package roster

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/peakwise/peakwise/scheduling"
	"github.com/peakwise/peakwise/scheduling/calendar"
)

// Weights price the terms of the objective the solver minimises; each is per
// agent-hour unless said otherwise. The defaults order the terms: under-
// coverage first, then paid hours, then over-coverage, then the soft terms.
type Weights struct {
	Under float64 // per hour of requirement left uncovered (default 100)
	// Shortfall is per hour left uncovered within Problem.ShortfallAllowance
	// (default 4): such an hour is left where covering it would take more
	// than that many paid hours, a shift that pays 8 hours to cover 1.5.
	Shortfall float64
	Paid      float64 // per paid hour (default 1)
	Over      float64 // per hour of cover above the requirement (default 0.1)
	// Preference is per unmet preference: a late shift for an agent who
	// prefers early ones (or the reverse), or a shift on a wanted day off
	// (default 0.05).
	Preference float64
	// Fairness multiplies the sum over agents of peakHours^2 / paidHours,
	// which is smallest when every agent works the same share of his paid
	// time in peaks (default 0.08).
	Fairness float64
	// WeekendFairness and NightFairness do the same for weekend and night
	// hours (Saturday and Sunday, 22:00-06:00, on the agent's own clock), so
	// weekend and night work is shared in proportion to contracts (default
	// 0.02 each).
	WeekendFairness float64
	NightFairness   float64
	// PeakStretch is per hour a shift works through peak intervals without a
	// break beyond MaxPeakStretch (default 0.05).
	PeakStretch float64
	// StretchLimit is per shift that works through peak intervals longer
	// than MaxPeakStretch without a break (default 200): the price of two
	// uncovered agent-hours, so the limit holds like a hard rule and gives
	// way only where keeping it would leave more than that uncovered (a
	// break in an exactly covered peak costs a quarter of an agent-hour,
	// which the limit now outweighs; docs/adr/0008-peak-stretch-limit-above-small-shortfalls.md).
	StretchLimit float64
}

// DefaultShortfallAllowance is Problem.ShortfallAllowance's default, 0.4% of
// the required agent-hours, and MaxShortfallAllowance its largest value.
const (
	DefaultShortfallAllowance = 0.004
	MaxShortfallAllowance     = 0.05
)

// ShortfallAllowanceFromPercent turns the percent a planner gives (the API's
// shortfall_allowance_pct, the command's --shortfall-allowance) into
// Problem.ShortfallAllowance: 0 is none (negative), anything else a share of
// the required agent-hours. ok is false outside 0 to 100 *
// MaxShortfallAllowance, NaN included.
func ShortfallAllowanceFromPercent(pct float64) (allowance float64, ok bool) {
	switch {
	case !(pct >= 0 && pct <= 100*MaxShortfallAllowance):
		return 0, false
	case pct == 0:
		return -1, true
	}
	return pct / 100, true
}

// DefaultWeights returns the weights used for zero fields of Problem.Weights.
func DefaultWeights() Weights {
	return Weights{Under: 100, Shortfall: 4, Paid: 1, Over: 0.1, Preference: 0.05, Fairness: 0.08, WeekendFairness: 0.02, NightFairness: 0.02, PeakStretch: 0.05, StretchLimit: 200}
}

// Problem is one rostering run.
type Problem struct {
	// Start is the first instant of the period and of the requirements; the
	// period is len(Required[q]) intervals of Step. Every shift lies inside it.
	Start time.Time
	Step  time.Duration
	// Location is the plan's zone: the clock of a queue with no zone of its own.
	Location *time.Location
	// Queues names the queues; Required[q][i] is the staff queue q needs in
	// interval i.
	Queues   []string
	Required [][]float64
	// QueueLocations are the queues' own clocks (nil, or a nil entry: Location):
	// each queue's peaks are the busiest intervals of each of its own local
	// days, so a shift's peak time, stretch and fair share are judged by the
	// peaks of the queue it is assigned to.
	QueueLocations []*time.Location
	// MinLevel is the least proficiency (1-5) a queue asks for; an agent
	// whose level for the queue is lower neither counts toward its cover
	// nor is assigned to it. A queue it does not name asks for level 1.
	MinLevel map[string]int
	Agents   []Agent
	// Templates are the shifts agents may work; their start windows are read
	// on each agent's own clock.
	Templates scheduling.Templates
	// Weights of the objective; zero fields take DefaultWeights.
	Weights Weights
	// ShortfallAllowance is the share of the required agent-hours the roster
	// may leave uncovered at Weights.Shortfall an hour; every hour short
	// beyond it costs Weights.Under. Zero takes DefaultShortfallAllowance;
	// negative: none, every hour short costs Weights.Under. At most
	// MaxShortfallAllowance. The report gives the allowance in hours
	// (docs/adr/0011-shortfall-allowance.md).
	ShortfallAllowance float64
	// PeakShare is the share of each queue's busiest intervals on each of its
	// local days that count as peak (default 0.25).
	PeakShare float64
	// MaxPeakStretch is the longest a shift may work through its queue's
	// peak intervals without a break (default 2 h): a limit the solver keeps
	// wherever some start, template or break placement of the shift allows
	// it without leaving requirement uncovered (Weights.StretchLimit), and
	// the report names every shift over it with the reason.
	MaxPeakStretch time.Duration
	// NotBefore, if not zero, is the earliest a shift may start: the
	// server sets it to now, so a period whole on every clock, which begins
	// on an eastern agent's Monday before the plan's, gets no shift in the
	// past. (Requirements before it are the caller's to clear.)
	NotBefore time.Time
	// Cheapest turns the stress and fairness terms off (Fairness,
	// WeekendFairness, NightFairness, PeakStretch, StretchLimit): the cheapest roster, which the report sets
	// beside the kind one (SolveWithCheapest, Report.Kindness).
	Cheapest bool
	// Seed makes the local search's random order repeatable.
	Seed uint64
	// MaxRounds caps the local-search rounds (default 20); the search also
	// stops at ctx's deadline and when a round improves nothing.
	MaxRounds int
	// SearchEpochs is how many cooling runs of simulated annealing follow
	// the local-search rounds when ctx has no deadline (default 1; negative:
	// none), so the roster depends only on the problem and Seed. With a
	// deadline one longer cooling run (10,000 moves per shift, cut to 85%
	// of the time the rounds leave if that comes first) and more rounds
	// polish its best roster (unless SearchEpochs is negative).
	SearchEpochs int
	// Progress, if not nil, is called with the work done so far out of a total.
	Progress func(done, total int)
}

// End is the instant the period ends.
func (p Problem) End() time.Time {
	if len(p.Required) == 0 {
		return p.Start
	}
	return p.Start.Add(time.Duration(len(p.Required[0])) * p.Step)
}

func (p *Problem) defaults() {
	d := DefaultWeights()
	w := &p.Weights
	for _, f := range []struct {
		v   *float64
		def float64
	}{{&w.Under, d.Under}, {&w.Shortfall, d.Shortfall}, {&w.Paid, d.Paid}, {&w.Over, d.Over},
		{&w.Preference, d.Preference}, {&w.Fairness, d.Fairness}, {&w.WeekendFairness, d.WeekendFairness},
		{&w.NightFairness, d.NightFairness}, {&w.PeakStretch, d.PeakStretch},
		{&w.StretchLimit, d.StretchLimit}} {
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	if p.Cheapest {
		w.Fairness, w.WeekendFairness, w.NightFairness, w.PeakStretch, w.StretchLimit = 0, 0, 0, 0, 0
	}
	switch {
	case p.ShortfallAllowance == 0:
		p.ShortfallAllowance = DefaultShortfallAllowance
	case p.ShortfallAllowance < 0:
		p.ShortfallAllowance = 0
	}
	if p.PeakShare == 0 {
		p.PeakShare = 0.25
	}
	if p.MaxPeakStretch == 0 {
		p.MaxPeakStretch = 2 * time.Hour
	}
	if p.MaxRounds == 0 {
		p.MaxRounds = 20
	}
}

// Validate lists every problem with the input as scheduling.FieldErrors:
// the templates, the step, the requirements' shape and values, and each
// agent's zone, skills (each must name a queue), contract and windows.
func (p Problem) Validate() error {
	var errs scheduling.FieldErrors
	add := func(field, format string, args ...any) {
		errs = append(errs, scheduling.FieldError{Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	if err := p.Templates.Validate(); err != nil {
		if fe, ok := err.(scheduling.FieldErrors); ok {
			for _, e := range fe {
				add("templates."+e.Field, "%s", e.Reason)
			}
		} else {
			add("templates", "%v", err)
		}
	}
	if p.Step != 15*time.Minute && p.Step != 30*time.Minute && p.Step != time.Hour {
		add("step", "must be 15, 30 or 60 minutes, got %s", p.Step)
	} else if p.Step != time.Duration(p.Templates.IntervalMin)*time.Minute {
		add("step", "the requirements come in %s intervals but the templates say %d minutes", p.Step, p.Templates.IntervalMin)
	}
	if p.Location == nil {
		add("location", "is required (the plan's time zone)")
	}
	if len(p.Queues) == 0 {
		add("queues", "give at least one queue")
	}
	if len(p.Required) != len(p.Queues) {
		add("required", "has %d queues' requirements for %d queues", len(p.Required), len(p.Queues))
	}
	queue := map[string]bool{}
	for qi, q := range p.Queues {
		if q == "" {
			add(fmt.Sprintf("queues[%d]", qi), "is empty")
		}
		if queue[q] {
			add(fmt.Sprintf("queues[%d]", qi), "duplicate queue %q", q)
		}
		queue[q] = true
		if qi < len(p.Required) {
			if len(p.Required[qi]) == 0 || len(p.Required[qi]) != len(p.Required[0]) {
				add(fmt.Sprintf("required[%s]", q), "has %d intervals; every queue needs the same number, at least one", len(p.Required[qi]))
			}
			for i, v := range p.Required[qi] {
				if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
					add(fmt.Sprintf("required[%s][%d]", q, i), "must be a finite number >= 0, got %g", v)
					break
				}
			}
		}
	}
	if a := p.ShortfallAllowance; math.IsNaN(a) || a > MaxShortfallAllowance {
		add("shortfall_allowance", "must be at most %g (a share of the required agent-hours), got %g", MaxShortfallAllowance, a)
	}
	under := p.Weights.Under
	if under == 0 {
		under = DefaultWeights().Under
	}
	if w := p.Weights; w.Shortfall < 0 || math.IsNaN(w.Shortfall) || w.Shortfall > under {
		add("weights.shortfall", "must be 0 (the default) to weights.under, got %g", w.Shortfall)
	}
	for q, lvl := range p.MinLevel {
		if !queue[q] {
			add("min_level", "%q names no queue of the requirements (queues: %v)", q, p.Queues)
		}
		if lvl < 1 || lvl > 5 {
			add("min_level", "the minimum level of %q must be 1 to 5, got %d", q, lvl)
		}
	}
	if len(p.Agents) == 0 {
		add("agents", "give at least one agent")
	}
	ids := map[string]bool{}
	for ai, a := range p.Agents {
		f := fmt.Sprintf("agents[%d] (%s)", ai, a.ID)
		if a.ID == "" {
			add(f+".id", "is required")
		} else if ids[a.ID] {
			add(f+".id", "duplicate agent")
		}
		ids[a.ID] = true
		if a.Location == nil {
			add(f+".timezone", "is required")
		}
		if len(a.Skills) == 0 {
			add(f+".skills", "give at least one queue the agent can serve")
		}
		for q, lvl := range a.Skills {
			if !queue[q] {
				add(f+".skills", "%q names no queue of the requirements (queues: %v)", q, p.Queues)
			}
			if lvl < 1 || lvl > 5 {
				add(f+".skills", "the level of %q must be 1 to 5, got %d", q, lvl)
			}
		}
		c := a.Contract
		if c.MinWeekHours < 0 || c.MaxWeekHours < 0 || c.MaxShiftsPerWeek < 0 || c.MinRestHours < 0 || c.MaxConsecutiveDays < 0 {
			add(f+".contract", "limits must not be negative")
		}
		if c.MaxWeekHours > 0 && c.MinWeekHours > c.MaxWeekHours {
			add(f+".contract", "min_week_hours %g is above max_week_hours %g", c.MinWeekHours, c.MaxWeekHours)
		}
		for wi, w := range a.Availability {
			if w.From < 0 || w.To > 1440 || w.To <= w.From {
				add(fmt.Sprintf("%s.availability[%d]", f, wi), "must satisfy 0 <= from < to <= 1440 minutes")
			}
		}
		for ti, t := range a.TimeOff {
			if !t.End.After(t.Start) {
				add(fmt.Sprintf("%s.time_off[%d]", f, ti), "ends before it starts")
			}
		}
		for bi, b := range a.Booked {
			if !b.End.After(b.Start) || b.PaidMinutes < 0 || time.Duration(b.PaidMinutes)*time.Minute > b.End.Sub(b.Start) {
				add(fmt.Sprintf("%s.booked[%d]", f, bi), "must end after it starts and pay 0 to its length in minutes")
			}
		}
		switch a.Prefer {
		case NoPreference, PreferEarly, PreferLate:
		default:
			add(f+".prefer", "%q is not early, late or empty", a.Prefer)
		}
	}
	if errs != nil {
		return errs
	}
	return nil
}

// Assignment is one agent's shift.
type Assignment struct {
	// Agent is the agent's ID.
	Agent string `json:"agent"`
	// Queue is where the agent works the shift: one queue he serves at its
	// minimum level. The shift's worked time covers this queue only.
	Queue string `json:"queue"`
	// Shift holds the instants; its AgentID is the agent's index in
	// Problem.Agents plus one.
	Shift calendar.Shift `json:"shift"`
}

// Roster is the solver's answer: every agent's shifts, ordered by agent and start.
type Roster struct {
	Assignments []Assignment `json:"assignments"`
	// Rounds is how many local-search rounds ran; Stopped says why they
	// ended ("converged", "rounds"), or "deadline" when the deadline ended
	// them or the annealing search after them.
	Rounds  int    `json:"rounds"`
	Stopped string `json:"stopped"`
}

// Serves reports whether agent a counts toward queue q: he has a skill for
// it at the queue's minimum level (MinLevel) or above.
func (p Problem) Serves(a Agent, q string) bool {
	lvl, ok := a.Skills[q]
	return ok && lvl >= max(1, p.MinLevel[q])
}

// eligible returns the agents with only the skills they may serve
// (Serves); the solver and the report count cover with these.
func (p Problem) eligible() []Agent {
	out := make([]Agent, len(p.Agents))
	for ai, a := range p.Agents {
		out[ai] = a
		out[ai].Skills = map[string]int{}
		for q, lvl := range a.Skills {
			if p.Serves(a, q) {
				out[ai].Skills[q] = lvl
			}
		}
	}
	return out
}

// weekStarts lists the local Mondays (00:00 on loc) of every week that
// overlaps [start, end).
func weekStarts(loc *time.Location, start, end time.Time) []time.Time {
	l := start.In(loc)
	var out []time.Time
	for m := time.Date(l.Year(), l.Month(), l.Day()-int((l.Weekday()+6)%7), 0, 0, 0, 0, loc); m.Before(end); m = m.AddDate(0, 0, 7) {
		out = append(out, m)
	}
	return out
}

// PlanWeekMinimum is the least paid hours a plan over [start, end) must give
// agent a in his local week starting at monday (00:00 on his clock, so a
// DST week has 167 or 169 hours): MinWeekHours x d / 7 less the time off
// credited on those d dates (TimeOffCredit), where d counts the week's
// local dates that lie wholly inside the period, but never more than the
// week's whole minimum (WeekMinimum) less the paid hours of his already
// published shifts (Booked) that start in the week. A week wholly inside the
// period without published shifts therefore needs WeekMinimum; a week the
// period cuts needs its share.
func PlanWeekMinimum(a Agent, monday, start, end time.Time) float64 {
	if a.Contract.MinWeekHours == 0 {
		return 0
	}
	d := 0
	day := ContractDayHours(a.Contract)
	credit := 0.0
	for k := 0; k < 7; k++ {
		from, to := monday.AddDate(0, 0, k), monday.AddDate(0, 0, k+1)
		if !from.Before(start) && !to.After(end) {
			d++
			credit += math.Min(day, coveredHours(a.TimeOff, from, to))
		}
	}
	share := a.Contract.MinWeekHours*float64(d)/7 - credit
	next := monday.AddDate(0, 0, 7)
	booked := 0.0
	for _, b := range a.Booked {
		if !b.Start.Before(monday) && b.Start.Before(next) {
			booked += float64(b.PaidMinutes) / 60
		}
	}
	return math.Max(0, math.Min(share, WeekMinimum(a, monday)-booked))
}

// WeekMinimum is the minimum paid hours an agent's contract asks for in the
// local week starting at monday: MinWeekHours less the hours approved time
// off credits (TimeOffCredit), never below zero. A day off is paid as a
// contract day, so a 40-hour, five-shift week with one day off owes 32 h:
// four whole 8-hour shifts, not five.
func WeekMinimum(a Agent, monday time.Time) float64 {
	if a.Contract.MinWeekHours == 0 {
		return 0
	}
	return math.Max(0, a.Contract.MinWeekHours-TimeOffCredit(a, monday))
}

// ContractDayHours is what one day of approved time off counts toward the
// weekly minimum: MinWeekHours over the contract's shifts a week (five
// when it sets none, seven at most).
func ContractDayHours(c calendar.Contract) float64 {
	n := 5
	if c.MaxShiftsPerWeek > 0 {
		n = min(c.MaxShiftsPerWeek, 7)
	}
	return c.MinWeekHours / float64(n)
}

// TimeOffCredit is the hours approved time off counts toward agent a's
// minimum in the local week starting at monday: for each of the week's
// seven local dates, the hours time off covers on it, at most a contract
// day (ContractDayHours). A whole day off credits a contract day; an
// afternoon off credits its hours.
func TimeOffCredit(a Agent, monday time.Time) float64 {
	day := ContractDayHours(a.Contract)
	credit := 0.0
	for d := 0; d < 7; d++ {
		from, to := monday.AddDate(0, 0, d), monday.AddDate(0, 0, d+1)
		credit += math.Min(day, coveredHours(a.TimeOff, from, to))
	}
	return credit
}

// coveredHours is how long the union of spans covers [from, to).
func coveredHours(spans []Interval, from, to time.Time) float64 {
	var in []Interval
	for _, s := range spans {
		if s.Start.Before(to) && from.Before(s.End) {
			if s.Start.Before(from) {
				s.Start = from
			}
			if s.End.After(to) {
				s.End = to
			}
			in = append(in, s)
		}
	}
	sort.Slice(in, func(i, j int) bool { return in[i].Start.Before(in[j].Start) })
	var total time.Duration
	var reach time.Time
	for _, s := range in {
		if s.Start.Before(reach) {
			s.Start = reach
		}
		if s.End.After(s.Start) {
			total += s.End.Sub(s.Start)
			reach = s.End
		}
	}
	return total.Hours()
}

// queuePeaks marks each queue's peak intervals on its own clock.
func queuePeaks(p *Problem) [][]bool {
	out := make([][]bool, len(p.Queues))
	for q := range p.Queues {
		loc := p.Location
		if q < len(p.QueueLocations) && p.QueueLocations[q] != nil {
			loc = p.QueueLocations[q]
		}
		out[q] = scheduling.Peaks(loc, p.Start, p.Step, p.Required[q], p.PeakShare)
	}
	return out
}

// unionPeaks marks the intervals that are peak for any of queues.
func unionPeaks(peaks [][]bool, queues []int, n int) []bool {
	out := make([]bool, n)
	for _, q := range queues {
		for i, v := range peaks[q] {
			out[i] = out[i] || v
		}
	}
	return out
}
