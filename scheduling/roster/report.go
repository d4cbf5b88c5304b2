package roster

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/peakwise/peakwise/scheduling"
	"github.com/peakwise/peakwise/scheduling/calendar"
)

// AgentReport is one agent's share of the roster.
type AgentReport struct {
	Agent     string  `json:"agent"`
	PaidHours float64 `json:"paid_hours"`
	Shifts    int     `json:"shifts"`
	// PeakHours are the hours worked (breaks out) in peak intervals.
	PeakHours float64 `json:"peak_hours"`
	// WeekendHours are the hours worked (breaks out) on a Saturday or Sunday
	// of the agent's own clock; NightHours those worked between 22:00 and
	// 06:00 of his own clock (NightStartHour, NightEndHour).
	WeekendHours float64 `json:"weekend_hours"`
	NightHours   float64 `json:"night_hours"`
	// LongestPeakStretchMin is the longest run of peak intervals any of his
	// shifts works (more than half of each interval) without a break.
	LongestPeakStretchMin float64 `json:"longest_peak_stretch_min"`
	// EarlyShifts start before 09:00 and LateShifts end after 19:00 (or on a
	// later date), on the agent's clock.
	EarlyShifts int `json:"early_shifts"`
	LateShifts  int `json:"late_shifts"`
	// MinRestHours is the shortest rest between two of his shifts; nil with
	// fewer than two shifts.
	MinRestHours *float64 `json:"min_rest_hours"`
	// PreferenceSatisfaction is the share of his preference items met: each
	// shift, if he prefers early or late, and each wanted day off in the
	// period. 1 when he states none.
	PreferenceSatisfaction float64 `json:"preference_satisfaction"`
	// Weeks are his local weeks the period touches, with their minimums.
	Weeks []AgentWeek `json:"weeks"`
}

// QueueReport is one queue's (or, as Total, all queues') agent-hours.
type QueueReport struct {
	Queue string `json:"queue"`
	// PaidHours are the paid hours of the shifts assigned to the queue.
	PaidHours     float64 `json:"paid_agent_hours"`
	RequiredHours float64 `json:"required_agent_hours"`
	CoveredHours  float64 `json:"covered_agent_hours"`
	UnderHours    float64 `json:"under_agent_hours"`
	OverHours     float64 `json:"over_agent_hours"`
}

// Report is the cost, coverage, fairness and rule check of a roster,
// computed from the shifts alone (so it can be recomputed from schedule.csv).
type Report struct {
	Total  QueueReport   `json:"total"`
	Queues []QueueReport `json:"queues"`
	Agents []AgentReport `json:"agents"`
	Shifts int           `json:"shifts"`
	// ShortfallAllowanceHours is the agent-hours the roster could leave
	// uncovered at the allowance's lower price (Problem.ShortfallAllowance of
	// Total.RequiredHours): under-coverage up to it was left where covering
	// it would cost more paid time than it is worth; beyond it, where no
	// roster the search found could cover it.
	ShortfallAllowanceHours float64 `json:"shortfall_allowance_hours"`
	// PeakHoursMax, PeakHoursMean and PeakHoursGini describe how peak hours
	// spread over all agents (those without shifts count as zero).
	PeakHoursMax  float64 `json:"peak_hours_max"`
	PeakHoursMean float64 `json:"peak_hours_mean"`
	PeakHoursGini float64 `json:"peak_hours_gini"`
	// PeakShareGini, WeekendShareGini and NightShareGini are the Gini
	// coefficients, over the agents with paid hours, of peak, weekend and
	// night hours worked per paid hour: 0 when every agent carries the same
	// share of his time in peaks (on weekends, at night), whatever his
	// contract's size. Weekends and nights are on each agent's own clock.
	PeakShareGini    float64 `json:"peak_share_gini"`
	WeekendShareGini float64 `json:"weekend_share_gini"`
	NightShareGini   float64 `json:"night_share_gini"`
	// OverStretch lists the shifts that work through their queue's peak
	// longer than MaxPeakStretch without a break, each with the reason the
	// limit was not kept there (see StretchNote).
	OverStretch []StretchNote `json:"over_stretch"`
	// Shortfalls say, queue by queue, why requirement stays uncovered:
	// whether no agent may work then, all who may already do, the others
	// are at their weekly maximum, rules keep them off, or an agent could
	// take it within every rule at its price (ShortfallNote).
	Shortfalls []ShortfallNote `json:"shortfalls"`
	// Kindness, when set (SolveWithCheapest), sets the cheapest roster's
	// figures beside this one's and what the difference costs.
	Kindness *Kindness `json:"kindness,omitempty"`
	// Violations are the hard rules the shifts break, re-checked from the
	// shifts: calendar.Check (rule "shape": overlap, period), a start
	// before NotBefore (rule "period", as the plan validator names it),
	// calendar.CheckContract
	// with the agents' published shifts (Booked) counted,
	// calendar.CheckDoubleBooking against them, the weekly minimums of every
	// local week the period touches (PlanWeekMinimum), calendar.CheckTimeOff,
	// availability, skill at the queue's minimum level, and template (start,
	// shape, breaks and the contracts it is limited to). A solved roster has
	// none, except a weekly minimum that the agent's availability cannot
	// reach.
	Violations   []calendar.Violation `json:"violations"`
	SolveSeconds float64              `json:"solve_seconds"`
	Rounds       int                  `json:"rounds,omitempty"`
	Stopped      string               `json:"stopped,omitempty"`
}

// allotment is each shift's worked agent-hours on the queue it is assigned
// to and each queue's final shortfall.
type allotment struct {
	shiftQueue [][]float64 // [shift][queue] agent-hours worked there
	rem        []float64   // [i*Q+q] requirement less the assigned cover
	cells      [][]cell
}

// allot counts each shift's worked time (breaks out) toward the one queue
// queueOf names, if the agent serves it (agents' skills already cut to the
// queues' minimum levels); a shift on any other queue, or none, covers
// nothing.
func allot(p *Problem, shifts []calendar.Shift, agentOf []int, queueOf []string) allotment {
	n, Q := len(p.Required[0]), len(p.Queues)
	qi := map[string]int{}
	for q, name := range p.Queues {
		qi[name] = q
	}
	al := allotment{shiftQueue: make([][]float64, len(shifts)), rem: make([]float64, n*Q), cells: make([][]cell, len(shifts))}
	for q := range p.Queues {
		for i := 0; i < n; i++ {
			al.rem[i*Q+q] = p.Required[q][i]
		}
	}
	for k, sh := range shifts {
		var bs []Interval
		for _, b := range sh.Breaks {
			bs = append(bs, Interval{b.Start, b.End})
		}
		var cs []cell
		for _, c := range coverCells(p.Start, p.Step, sh.Start, sh.End, bs, nil) {
			if c.i >= 0 && int(c.i) < n {
				cs = append(cs, c)
			}
		}
		al.cells[k] = cs
		al.shiftQueue[k] = make([]float64, Q)
		q, ok := qi[queueOf[k]]
		if _, skilled := p.Agents[agentOf[k]].Skills[queueOf[k]]; !ok || !skilled {
			continue
		}
		for _, c := range cs {
			al.rem[int(c.i)*Q+q] -= c.v
			al.shiftQueue[k][q] += c.v * p.Step.Hours()
		}
	}
	return al
}

// Measure reports on a roster of p's agents, from the assignments alone:
// coverage (each shift's worked time counts toward the one queue it is
// assigned to, and only if the agent serves that queue at its minimum
// level), per-agent figures, fairness, every hard rule re-checked, and why
// each shift over the stretch limit is and why hours stay short.
// Returns Validate's errors, or an error naming an assignment whose agent is
// not in p.
func Measure(p Problem, as []Assignment) (Report, error) {
	return measure(p, as, true)
}

// measure is Measure; without reasons the OverStretch notes say no why and
// Shortfalls is empty (the reasons are most of the time of a roster with
// many over the limit or short).
func measure(p Problem, as []Assignment, reasons bool) (Report, error) {
	if err := p.Validate(); err != nil {
		return Report{}, err
	}
	p.defaults()
	p.Agents = p.eligible()
	index := map[string]int{}
	for i, a := range p.Agents {
		index[a.ID] = i
	}
	shifts := make([]calendar.Shift, len(as))
	agentOf := make([]int, len(as))
	queueOf := make([]string, len(as))
	for k, a := range as {
		queueOf[k] = a.Queue
		ai, ok := index[a.Agent]
		if !ok {
			return Report{}, fmt.Errorf("assignment %d: agent %q is not in the problem", k, a.Agent)
		}
		shifts[k] = a.Shift
		shifts[k].AgentID = int64(ai + 1)
		if shifts[k].UID == "" {
			shifts[k].UID = fmt.Sprintf("a%d-%s", ai+1, a.Shift.Start.UTC().Format("20060102T1504Z"))
		}
		agentOf[k] = ai
	}
	n, Q := len(p.Required[0]), len(p.Queues)
	h := p.Step.Hours()
	al := allot(&p, shifts, agentOf, queueOf)
	r := Report{Shifts: len(as), Queues: make([]QueueReport, Q), Total: QueueReport{Queue: "(all)"}}
	for q, name := range p.Queues {
		qr := &r.Queues[q]
		qr.Queue = name
		for i := 0; i < n; i++ {
			req, rem := p.Required[q][i], al.rem[i*Q+q]
			qr.RequiredHours += req * h
			qr.UnderHours += math.Max(0, rem) * h
			qr.OverHours += math.Max(0, -rem) * h
			qr.CoveredHours += (req - math.Max(0, rem)) * h
		}
	}
	peakQ := queuePeaks(&p)
	limit := p.MaxPeakStretch
	if limit == 0 {
		limit = 2 * time.Hour
	}
	r.OverStretch = []StretchNote{}
	var overAt [][2]int // shift and queue of each OverStretch note
	r.Agents = make([]AgentReport, len(p.Agents))
	for ai, a := range p.Agents {
		r.Agents[ai] = AgentReport{Agent: a.ID}
	}
	byAgent := make([][]int, len(p.Agents))
	for k, sh := range shifts {
		ai := agentOf[k]
		byAgent[ai] = append(byAgent[ai], k)
		ar := &r.Agents[ai]
		ar.PaidHours += float64(sh.PaidMinutes) / 60
		ar.Shifts++
		// A shift's peaks are those of the queue it works (the most of).
		q := 0
		for x, v := range al.shiftQueue[k] {
			if v > al.shiftQueue[k][q] {
				q = x
			}
		}
		pm, longest := peakStats(al.cells[k], peakQ[q], p.Step)
		ar.PeakHours += pm / 60
		ar.LongestPeakStretchMin = math.Max(ar.LongestPeakStretchMin, longest)
		if longest > limit.Minutes() {
			r.OverStretch = append(r.OverStretch, StretchNote{Agent: p.Agents[ai].ID, Start: sh.Start, Minutes: longest,
				Queue: p.Queues[q], Template: sh.Template})
			overAt = append(overAt, [2]int{k, q})
		}
		we, ni := weekendNight(p.Agents[ai].Location, sh)
		ar.WeekendHours += we
		ar.NightHours += ni
		early, late := earlyLate(p.Agents[ai].Location, sh)
		if early {
			ar.EarlyShifts++
		}
		if late {
			ar.LateShifts++
		}
		paid := float64(sh.PaidMinutes) / 60
		worked := 0.0
		for _, v := range al.shiftQueue[k] {
			worked += v
		}
		for q, v := range al.shiftQueue[k] {
			if worked > 0 {
				r.Queues[q].PaidHours += paid * v / worked
			}
		}
		if worked == 0 {
			r.Total.PaidHours += paid // nothing allotted: counted in the total only
		}
	}
	used := map[string]int{}
	for _, sh := range shifts {
		used[sh.Template]++
	}
	sc := stretchContext{p: &p, al: &al, shifts: shifts, agentOf: agentOf, byAgent: byAgent, used: used, limitMin: limit.Minutes()}
	for x, at := range overAt {
		if !reasons {
			break
		}
		r.OverStretch[x].Reason, r.OverStretch[x].KeepUnderHours = sc.stretchReason(at[0], at[1], peakQ[at[1]])
	}
	r.Shortfalls = []ShortfallNote{}
	if reasons {
		r.Shortfalls = sc.shortfallReasons()
	}
	for _, qr := range r.Queues {
		r.Total.PaidHours += qr.PaidHours
		r.Total.RequiredHours += qr.RequiredHours
		r.Total.CoveredHours += qr.CoveredHours
		r.Total.UnderHours += qr.UnderHours
		r.Total.OverHours += qr.OverHours
	}
	r.ShortfallAllowanceHours = p.ShortfallAllowance * r.Total.RequiredHours
	peaks := make([]float64, len(p.Agents))
	for ai, a := range p.Agents {
		ar := &r.Agents[ai]
		own := byAgent[ai]
		sort.Slice(own, func(x, y int) bool { return shifts[own[x]].Start.Before(shifts[own[y]].Start) })
		for k := 1; k < len(own); k++ {
			rest := shifts[own[k]].Start.Sub(shifts[own[k-1]].End).Hours()
			if ar.MinRestHours == nil || rest < *ar.MinRestHours {
				ar.MinRestHours = &rest
			}
		}
		ar.PreferenceSatisfaction = preferenceSatisfaction(p, a, shifts, own)
		mine := make([]calendar.Shift, len(own))
		for x, k := range own {
			mine[x] = shifts[k]
		}
		ar.Weeks = agentWeeks(a, mine, p.Start, p.End())
		peaks[ai] = ar.PeakHours
	}
	r.PeakHoursMax, r.PeakHoursMean, r.PeakHoursGini = spread(peaks)
	var peakShare, weekendShare, nightShare []float64
	for _, ar := range r.Agents {
		if ar.PaidHours > 0 {
			peakShare = append(peakShare, ar.PeakHours/ar.PaidHours)
			weekendShare = append(weekendShare, ar.WeekendHours/ar.PaidHours)
			nightShare = append(nightShare, ar.NightHours/ar.PaidHours)
		}
	}
	_, _, r.PeakShareGini = spread(peakShare)
	_, _, r.WeekendShareGini = spread(weekendShare)
	_, _, r.NightShareGini = spread(nightShare)
	r.Violations = checkRules(p, as, shifts, agentOf)
	return r, nil
}

// NightStartHour and NightEndHour bound night work on the agent's clock:
// from 22:00 to 06:00 the next morning.
const (
	NightStartHour = 22
	NightEndHour   = 6
)

// weekendNight returns the hours of sh worked (breaks out) on a Saturday or
// Sunday and at night, on the clock of loc. Worked time is walked in pieces
// that end at every local hour boundary, so a DST day's 23 or 25 hours and a
// shift over midnight count as the wall clock shows them.
func weekendNight(loc *time.Location, sh calendar.Shift) (weekend, night float64) {
	at := sh.Start
	for at.Before(sh.End) {
		l := at.In(loc)
		next := at.Add(time.Hour - time.Duration(l.Minute())*time.Minute - time.Duration(l.Second())*time.Second - time.Duration(l.Nanosecond()))
		if next.After(sh.End) {
			next = sh.End
		}
		worked := next.Sub(at)
		for _, b := range sh.Breaks {
			lo, hi := b.Start, b.End
			if lo.Before(at) {
				lo = at
			}
			if hi.After(next) {
				hi = next
			}
			if hi.After(lo) {
				worked -= hi.Sub(lo)
			}
		}
		hours := worked.Hours()
		if wd := l.Weekday(); wd == time.Saturday || wd == time.Sunday {
			weekend += hours
		}
		if h := l.Hour(); h >= NightStartHour || h < NightEndHour {
			night += hours
		}
		at = next
	}
	return weekend, night
}

func earlyLate(loc *time.Location, sh calendar.Shift) (early, late bool) {
	s, e := sh.Start.In(loc), sh.End.In(loc)
	early = s.Hour() < 9
	late = civilDay(e) > civilDay(s) || e.Hour()*60+e.Minute() > 19*60
	return early, late
}

func preferenceSatisfaction(p Problem, a Agent, shifts []calendar.Shift, own []int) float64 {
	items, met := 0, 0
	worked := map[int]bool{}
	for _, k := range own {
		sh := shifts[k]
		worked[civilDay(sh.Start.In(a.Location))] = true
		early, late := earlyLate(a.Location, sh)
		switch a.Prefer {
		case PreferEarly:
			items++
			if !late {
				met++
			}
		case PreferLate:
			items++
			if !early {
				met++
			}
		}
	}
	if len(a.DaysOff) > 0 {
		off := map[time.Weekday]bool{}
		for _, d := range a.DaysOff {
			off[d] = true
		}
		l := p.Start.In(a.Location)
		for day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, a.Location); day.Before(p.End()); day = day.AddDate(0, 0, 1) {
			if off[day.Weekday()] {
				items++
				if !worked[civilDay(day)] {
					met++
				}
			}
		}
	}
	if items == 0 {
		return 1
	}
	return float64(met) / float64(items)
}

// spread returns the maximum, mean and Gini coefficient of xs.
func spread(xs []float64) (mx, mean, gini float64) {
	if len(xs) == 0 {
		return 0, 0, 0
	}
	v := append([]float64(nil), xs...)
	sort.Float64s(v)
	sum, weighted := 0.0, 0.0
	for i, x := range v {
		sum += x
		weighted += float64(2*(i+1)-len(v)-1) * x
	}
	mx, mean = v[len(v)-1], sum/float64(len(v))
	if sum > 0 {
		gini = weighted / (float64(len(v)) * sum)
	}
	return mx, mean, gini
}

// checkRules re-checks every hard rule from the shifts.
func checkRules(p Problem, as []Assignment, shifts []calendar.Shift, agentOf []int) []calendar.Violation {
	var out []calendar.Violation
	start, end := p.Start, p.End()
	for _, pr := range calendar.Check(start, end, shifts, nil) {
		sh := shifts[pr.Index]
		out = append(out, calendar.Violation{AgentID: sh.AgentID, Rule: "shape", UID: sh.UID, Message: pr.Field + ": " + pr.Reason})
	}
	tmpl := map[string]scheduling.Template{}
	used := map[string]int{}
	for _, t := range p.Templates.Templates {
		tmpl[t.Name] = t
	}
	for _, sh := range shifts {
		used[sh.Template]++
	}
	for _, t := range p.Templates.Templates {
		if t.MaxAgents != nil && used[t.Name] > *t.MaxAgents {
			out = append(out, calendar.Violation{Rule: "max_agents", Message: fmt.Sprintf("%d shifts of %s; its max_agents is %d", used[t.Name], t.Name, *t.MaxAgents)})
		}
	}
	byAgent := make([][]calendar.Shift, len(p.Agents))
	for k, sh := range shifts {
		ai := agentOf[k]
		a := p.Agents[ai]
		byAgent[ai] = append(byAgent[ai], sh)
		if sh.Start.Before(p.NotBefore) {
			out = append(out, calendar.Violation{AgentID: sh.AgentID, Rule: "period", UID: sh.UID,
				Message: fmt.Sprintf("starts %s, before the earliest start the plan allows (%s)", sh.Start.Format(time.RFC3339), p.NotBefore.Format(time.RFC3339))})
		}
		if !a.AvailableFor(sh.Start, sh.End) {
			out = append(out, calendar.Violation{AgentID: sh.AgentID, Rule: "availability", UID: sh.UID,
				Message: fmt.Sprintf("%s is not available %s to %s", a.ID, sh.Start.In(a.Location).Format("Mon 2 Jan 15:04"), sh.End.In(a.Location).Format("Mon 2 Jan 15:04 MST"))})
		}
		if _, ok := a.Skills[as[k].Queue]; !ok {
			out = append(out, calendar.Violation{AgentID: sh.AgentID, Rule: "skill", UID: sh.UID,
				Message: fmt.Sprintf("%s has no skill for queue %q at its minimum level %d", a.ID, as[k].Queue, max(1, p.MinLevel[as[k].Queue]))})
		}
		if msg := templateProblem(tmpl, a.Location, sh); msg != "" {
			out = append(out, calendar.Violation{AgentID: sh.AgentID, Rule: "template", UID: sh.UID, Message: msg})
		} else if t := tmpl[sh.Template]; !t.AllowsContract(a.Contract.Name) {
			out = append(out, calendar.Violation{AgentID: sh.AgentID, Rule: "template", UID: sh.UID,
				Message: fmt.Sprintf("%s is only for contracts %v; %s's contract is %q", t.Name, t.Contracts, a.ID, a.Contract.Name)})
		}
	}
	for ai, a := range p.Agents {
		id := int64(ai + 1)
		c := a.Contract
		c.MinWeekHours = 0
		// Published shifts of other plans count toward the weeks, rest and
		// days in a row; a breach among them alone is not this plan's.
		withBooked := append([]calendar.Shift(nil), byAgent[ai]...)
		for bi, b := range a.Booked {
			withBooked = append(withBooked, calendar.Shift{AgentID: id, UID: fmt.Sprintf("%s%d", bookedUID, bi), Start: b.Start, End: b.End, PaidMinutes: b.PaidMinutes})
		}
		out = append(out, calendar.CheckDoubleBooking(byAgent[ai], withBooked[len(byAgent[ai]):])...)
		for _, v := range calendar.CheckContract(id, c, a.Location, withBooked, start, end) {
			if ownBreach(v, a.Location, byAgent[ai], c.MaxConsecutiveDays) {
				out = append(out, v)
			}
		}
		for _, m := range weekStarts(a.Location, start, end) {
			next := m.AddDate(0, 0, 7)
			need := PlanWeekMinimum(a, m, start, end)
			paid := 0
			for _, sh := range byAgent[ai] {
				if !sh.Start.Before(m) && sh.Start.Before(next) {
					paid += sh.PaidMinutes
				}
			}
			if float64(paid)/60 < need-1e-9 {
				why := ""
				if len(a.Skills) == 0 {
					why = "; he serves no queue at its minimum level"
				}
				bookedShifts, bookedMin := 0, 0
				for _, bk := range a.Booked {
					if !bk.Start.Before(m) && bk.Start.Before(next) {
						bookedShifts++
						bookedMin += bk.PaidMinutes
					}
				}
				if bookedShifts > 0 {
					why += fmt.Sprintf("; %d published shift(s), %.2f h, already in the week", bookedShifts, float64(bookedMin)/60)
				}
				if reach, dates := AvailableReach(p, a, m); len(a.Skills) > 0 && reach < need-1e-9 {
					why += fmt.Sprintf("; out of his availability's reach: a shift fits his windows on %d date(s) of the week in the plan, at most %.2f h under his contract", dates, reach)
				}
				out = append(out, calendar.Violation{AgentID: id, Rule: "min_week_hours", Week: m.Format(time.DateOnly),
					Message: fmt.Sprintf("%s: %.2f paid hours in the plan in the week of %s on his clock (needs %.2f: min_week_hours %g pro rata for the week's dates in the plan, less time off credited at up to %.2f h a date and published shifts)%s",
						a.ID, float64(paid)/60, m.Format(time.DateOnly), need, a.Contract.MinWeekHours, ContractDayHours(a.Contract), why)})
			}
		}
		var offs []calendar.TimeOff
		for _, t := range a.TimeOff {
			offs = append(offs, calendar.TimeOff{AgentID: id, Start: t.Start, End: t.End, Status: calendar.TimeOffApproved})
		}
		out = append(out, calendar.CheckTimeOff(byAgent[ai], offs)...)
	}
	return out
}

// bookedUID prefixes the UIDs given to published shifts of other plans
// while checking a roster's contracts.
const bookedUID = "booked-"

// ownBreach reports whether a contract breach found among a roster's
// shifts and the agent's published ones involves a roster shift: a shift
// breach names a roster shift, a weekly one falls in a week with a roster
// shift, a run of days in a row contains a roster date.
func ownBreach(v calendar.Violation, loc *time.Location, own []calendar.Shift, maxDays int) bool {
	if v.UID != "" {
		return !strings.HasPrefix(v.UID, bookedUID)
	}
	for _, sh := range own {
		l := sh.Start.In(loc)
		date := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
		if v.Rule == "max_consecutive_days" {
			last, err := time.ParseInLocation(time.DateOnly, v.Week, loc)
			if err == nil && !date.After(last) && date.After(last.AddDate(0, 0, -maxDays-1)) {
				return true
			}
			continue
		}
		monday := date.AddDate(0, 0, -int((l.Weekday()+6)%7))
		if monday.Format(time.DateOnly) == v.Week {
			return true
		}
	}
	return false
}

// AvailableReach bounds from above the paid hours agent a can work in the
// local week from monday, and counts the dates it uses: for each local date
// of the week on which one of his templates fits wholly inside the period,
// his availability, outside time off and published shifts, the longest such
// paid time; the best of those dates, at most the shifts his contract
// leaves in the week, capped by his weekly maximum less published hours.
// Rest and days in a row are ignored, so the bound is generous: a weekly
// minimum above it is out of his availability's reach.
func AvailableReach(p Problem, a Agent, monday time.Time) (hours float64, dates int) {
	var best []int
	published, publishedShifts := 0, 0
	for _, b := range a.Booked {
		if !b.Start.Before(monday) && b.Start.Before(monday.AddDate(0, 0, 7)) {
			published += b.PaidMinutes
			publishedShifts++
		}
	}
	for d := 0; d < 7; d++ {
		day := monday.AddDate(0, 0, d)
		most := 0
		for _, t := range p.Templates.Templates {
			if !t.AllowsContract(a.Contract.Name) || !hasDay(t.Days, day.Weekday()) {
				continue
			}
			from, _ := clockMinutes(string(t.Start.From))
			to, _ := clockMinutes(string(t.Start.To))
			for m := from; m <= to; m += t.Start.StepMin {
				st := time.Date(day.Year(), day.Month(), day.Day(), m/60, m%60, 0, 0, a.Location)
				en := st.Add(time.Duration(t.SpanMin) * time.Minute)
				busy := false
				for _, b := range a.Booked {
					busy = busy || (b.Start.Before(en) && st.Before(b.End))
				}
				if !st.Before(p.Start) && !en.After(p.End()) && a.AvailableFor(st, en) && !a.OffDuring(st, en) && !busy {
					most = max(most, t.PaidMin)
				}
			}
		}
		if most > 0 {
			best = append(best, most)
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(best)))
	k := len(best)
	if c := a.Contract.MaxShiftsPerWeek; c > 0 {
		k = min(k, c-publishedShifts)
	}
	sum := 0
	for _, v := range best[:max(0, k)] {
		sum += v
	}
	if a.Contract.MaxWeekHours > 0 {
		sum = min(sum, int(a.Contract.MaxWeekHours*60)-published)
	}
	return float64(max(0, sum)) / 60, len(best)
}

// templateProblem says how a shift fails to be its template started at an
// allowed local clock time on an allowed local weekday, or "".
func templateProblem(ts map[string]scheduling.Template, loc *time.Location, sh calendar.Shift) string {
	t, ok := ts[sh.Template]
	if !ok {
		return fmt.Sprintf("unknown template %q", sh.Template)
	}
	l := sh.Start.In(loc)
	m := l.Hour()*60 + l.Minute()
	from, _ := clockMinutes(string(t.Start.From))
	to, _ := clockMinutes(string(t.Start.To))
	switch {
	case !hasDay(t.Days, l.Weekday()):
		return fmt.Sprintf("%s does not run on %s", t.Name, l.Weekday())
	case m < from || m > to || (m-from)%t.Start.StepMin != 0 || l.Second() != 0:
		return fmt.Sprintf("starts at %s local, not a %s start (%s-%s every %d min)", l.Format("15:04"), t.Name, t.Start.From, t.Start.To, t.Start.StepMin)
	case sh.End.Sub(sh.Start) != time.Duration(t.SpanMin)*time.Minute:
		return fmt.Sprintf("lasts %s, %s lasts %d min", sh.End.Sub(sh.Start), t.Name, t.SpanMin)
	case sh.PaidMinutes != t.PaidMin:
		return fmt.Sprintf("pays %d min, %s pays %d", sh.PaidMinutes, t.Name, t.PaidMin)
	case len(sh.Breaks) != len(t.Breaks):
		return fmt.Sprintf("has %d breaks, %s has %d", len(sh.Breaks), t.Name, len(t.Breaks))
	}
	for k, b := range t.Breaks {
		off := int(sh.Breaks[k].Start.Sub(sh.Start) / time.Minute)
		if off < b.EarliestStart || off > b.LatestStart || (off-b.EarliestStart)%b.StepMin != 0 ||
			sh.Breaks[k].End.Sub(sh.Breaks[k].Start) != time.Duration(b.LengthMin)*time.Minute {
			return fmt.Sprintf("break %d (%s) at +%d min for %s is outside its window", k+1, b.Name, off, sh.Breaks[k].End.Sub(sh.Breaks[k].Start))
		}
	}
	return ""
}
