// Package plancheck re-checks a shift plan against every rule it was given:
// the templates' shapes and caps, the agents' skills, availability, time off
// and contracts on their own clocks, across the plan's boundaries. It shares
// no code with the solvers (it imports nothing from scheduling/), so a plan
// that passes here was checked by code that did not make it. Each rule's
// definition is in docs/scheduling.md, "Plan rules and the validator". It is
// pure.
package plancheck

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// BreakRule is one break of a template: its length, whether it is paid, and
// the window (minutes after the shift's start) on a step grid in which it
// must start.
type BreakRule struct {
	Name             string
	LengthMin        int
	Paid             bool
	EarliestStartMin int
	LatestStartMin   int
	StepMin          int
}

// Template is a kind of shift as the plan's rules see it.
type Template struct {
	Name    string
	SpanMin int // start to end, in elapsed minutes
	PaidMin int
	// StartFromMin..StartToMin every StartStepMin are the allowed local
	// clock times of a start, in minutes after local midnight.
	StartFromMin, StartToMin, StartStepMin int
	// Days are the local weekdays a shift may start on.
	Days []time.Weekday
	// MaxAgents, when set, is the most shifts of this template the plan may
	// hold.
	MaxAgents *int
	Breaks    []BreakRule
	// Contracts, when not empty, are the only contracts whose agents may
	// work the template.
	Contracts []string
}

// Break is one break of a shift. Name is checked only when not empty and
// Paid only when PaidUnknown is false (schedule.csv carries neither).
type Break struct {
	Name        string
	Start, End  time.Time
	Paid        bool
	PaidUnknown bool
}

// Shift is one shift of the plan (or one already published).
type Shift struct {
	// Agent is the agent's ID; empty in headcount plans.
	Agent       string
	Template    string
	Start, End  time.Time
	PaidMinutes int
	Breaks      []Break
	// Queue is where the agent works during the shift; empty when the plan
	// does not say.
	Queue string
	// Ref names the shift in breaches (e.g. "line 12"); the index in the
	// plan is used when empty.
	Ref string
}

// Window is a time of one local weekday at which an agent can work: From
// and To are minutes after local midnight, 0 <= From < To <= 1440.
type Window struct {
	Day      time.Weekday
	From, To int
}

// Span is [Start, End).
type Span struct{ Start, End time.Time }

// Agent is one agent with the rules his shifts must keep. A zero maximum
// (hours, shifts, consecutive days) is no limit.
type Agent struct {
	ID       string
	Location *time.Location // the agent's clock: starts, days, weeks, availability
	Contract string         // the contract's name, for templates limited to contracts
	// Skills maps a queue (or skill) to the agent's level, 1-5.
	Skills             map[string]int
	MinWeekHours       float64
	MaxWeekHours       float64
	MaxShiftsPerWeek   int
	MinRestHours       float64
	MaxConsecutiveDays int
	// Availability lists when the agent can work; empty means always.
	Availability []Window
	// TimeOff is approved time off.
	TimeOff []Span
	// Published are the agent's shifts in already published plans (before,
	// after or beside the period): they count toward his weeks, rest and
	// days in a row, and plan shifts may not overlap them.
	Published []Shift
}

// Queue is a place an agent can be assigned to.
type Queue struct {
	Name string
	// MinLevel is the least skill level in the queue an agent must have
	// (0: any level).
	MinLevel int
}

// Input is everything a plan is checked against.
type Input struct {
	// Location is the plan's clock: the templates' start times in headcount
	// plans (shifts without agents).
	Location *time.Location
	// Start and End bound the period [Start, End).
	Start, End time.Time
	// WholeShifts requires every shift to lie inside the period (rostering);
	// otherwise a shift needs only to overlap it (headcount plans reach in
	// from the evening before and past the end).
	WholeShifts bool
	// NotBefore, if not zero, is the earliest a shift may start (a plan
	// made now starts nothing in the past).
	NotBefore time.Time
	// Templates are the plan's templates; nil when they are not known (a
	// plan made by hand): the template rules are then not checked.
	Templates []Template
	// Agents are required for shifts with an agent; nil in headcount plans.
	Agents []Agent
	// Queues, when given, are the only queues a shift may be assigned to,
	// and every shift with an agent must name one.
	Queues []Queue
	Shifts []Shift
}

// Rule names, stable for reports and tests.
const (
	RuleTemplate        = "template"          // the shift names no known template
	RuleMaxAgents       = "max_agents"        // more shifts of a template than its cap
	RuleStartWindow     = "start_window"      // start off the template's local times or days
	RuleSpan            = "span"              // end - start is not the template's span
	RulePaid            = "paid_minutes"      // paid minutes differ from the template's
	RuleBreaks          = "breaks"            // break count, names, lengths, paid flags, windows or order
	RulePeriod          = "period"            // the shift is (partly) outside the period
	RuleAgent           = "agent"             // unknown agent, or an agent missing in a named plan
	RuleContract        = "template_contract" // template not for the agent's contract
	RuleQueue           = "queue"             // no queue, or an unknown one
	RuleSkill           = "skill"             // queue the agent has no skill (at the minimum level) for
	RuleOverlap         = "overlap"           // two shifts of one agent overlap
	RuleOneADay         = "one_shift_a_day"   // two shifts start on one local date of the agent
	RuleAvailability    = "availability"      // a minute of the shift outside the agent's windows
	RuleTimeOff         = "time_off"          // the shift overlaps approved time off
	RuleMaxWeekHours    = "max_week_hours"    // paid hours of an agent week over the maximum
	RuleMinWeekHours    = "min_week_hours"    // paid hours of an agent week under its (pro rata) minimum
	RuleMaxShiftsWeek   = "max_shifts_week"   // shifts of an agent week over the maximum
	RuleMinRest         = "min_rest"          // too little rest between two shifts
	RuleConsecutiveDays = "max_consecutive_days"
)

// Breach is one broken rule: which rule, where (agent, shift, week) and why.
type Breach struct {
	Rule  string `json:"rule"`
	Agent string `json:"agent,omitempty"`
	// Shift is the index of the plan shift concerned, -1 when the breach
	// concerns a week, a template or a run of days.
	Shift int `json:"shift"`
	// Where names the shift, week or template in words.
	Where string `json:"where"`
	// Why says what the rule asks and what the plan has.
	Why string `json:"why"`
}

func (b Breach) String() string {
	return fmt.Sprintf("%s: %s: %s", b.Rule, b.Where, b.Why)
}

// Check lists every breach of the plan in in.Shifts, by agent (template
// caps first), then plan shift. An empty result means the plan
// keeps every rule. Shifts already published are context: a breach is only
// listed when at least one plan shift takes part in it.
func Check(in Input) []Breach {
	c := checker{in: in, tmpl: map[string]*Template{}, agent: map[string]*Agent{}, queue: map[string]*Queue{}}
	for i := range in.Templates {
		c.tmpl[in.Templates[i].Name] = &in.Templates[i]
	}
	for i := range in.Agents {
		c.agent[in.Agents[i].ID] = &in.Agents[i]
	}
	for i := range in.Queues {
		c.queue[in.Queues[i].Name] = &in.Queues[i]
	}
	c.caps()
	for i := range in.Shifts {
		c.shift(i)
	}
	c.agents()
	sortBreaches(c.out)
	return c.out
}

type checker struct {
	in    Input
	tmpl  map[string]*Template
	agent map[string]*Agent
	queue map[string]*Queue
	out   []Breach
}

func (c *checker) add(rule, agent string, shift int, where, format string, args ...any) {
	c.out = append(c.out, Breach{Rule: rule, Agent: agent, Shift: shift, Where: where, Why: fmt.Sprintf(format, args...)})
}

// clock is the zone a shift is read on: its agent's, else the plan's.
func (c *checker) clock(s Shift) *time.Location {
	if a := c.agent[s.Agent]; a != nil && a.Location != nil {
		return a.Location
	}
	if c.in.Location != nil {
		return c.in.Location
	}
	return time.UTC
}

const stamp = "Mon 2 Jan 2006 15:04 MST"

// where names plan shift i in words.
func (c *checker) where(i int) string {
	s := c.in.Shifts[i]
	ref := s.Ref
	if ref == "" {
		ref = fmt.Sprintf("shift %d", i+1)
	}
	who := ""
	if s.Agent != "" {
		who = " of " + s.Agent
	}
	return fmt.Sprintf("%s%s (%s from %s)", ref, who, s.Template, s.Start.In(c.clock(s)).Format(stamp))
}

// caps: a template's max_agents bounds its shifts in the whole plan.
func (c *checker) caps() {
	n := map[string]int{}
	for _, s := range c.in.Shifts {
		n[s.Template]++
	}
	for _, t := range c.in.Templates {
		if t.MaxAgents != nil && n[t.Name] > *t.MaxAgents {
			c.add(RuleMaxAgents, "", -1, "template "+t.Name, "the plan has %d shifts of it; max_agents is %d", n[t.Name], *t.MaxAgents)
		}
	}
}

// shift checks one plan shift on its own: its template, period, agent,
// queue, availability and time off.
func (c *checker) shift(i int) {
	s := c.in.Shifts[i]
	w := c.where(i)
	loc := c.clock(s)
	if !s.End.After(s.Start) {
		c.add(RuleSpan, s.Agent, i, w, "ends at %s, not after its start", s.End.In(loc).Format(stamp))
		return
	}
	if c.in.WholeShifts {
		if s.Start.Before(c.in.Start) || s.End.After(c.in.End) {
			c.add(RulePeriod, s.Agent, i, w, "runs to %s, outside the period %s to %s", s.End.In(loc).Format(stamp), c.in.Start.In(loc).Format(stamp), c.in.End.In(loc).Format(stamp))
		}
	} else if !s.Start.Before(c.in.End) || !s.End.After(c.in.Start) {
		c.add(RulePeriod, s.Agent, i, w, "does not overlap the period %s to %s", c.in.Start.In(loc).Format(stamp), c.in.End.In(loc).Format(stamp))
	}
	if s.Start.Before(c.in.NotBefore) {
		c.add(RulePeriod, s.Agent, i, w, "starts before %s, the earliest start the plan allows", c.in.NotBefore.In(loc).Format(stamp))
	}
	t := c.tmpl[s.Template]
	if t == nil {
		if c.in.Templates != nil {
			c.add(RuleTemplate, s.Agent, i, w, "no template is named %q", s.Template)
		}
	} else {
		c.shape(i, s, *t, loc, w)
	}
	if s.Agent == "" {
		if c.in.Agents != nil {
			c.add(RuleAgent, "", i, w, "the shift has no agent")
		}
		return
	}
	a := c.agent[s.Agent]
	if a == nil {
		c.add(RuleAgent, s.Agent, i, w, "no agent is named %q", s.Agent)
		return
	}
	if t != nil && len(t.Contracts) > 0 && !contains(t.Contracts, a.Contract) {
		c.add(RuleContract, a.ID, i, w, "template %s is for contracts %s; the agent's contract is %q", t.Name, strings.Join(t.Contracts, ", "), a.Contract)
	}
	c.skill(i, s, *a, w)
	c.available(i, s, *a, w)
	for _, off := range a.TimeOff {
		if s.Start.Before(off.End) && off.Start.Before(s.End) {
			c.add(RuleTimeOff, a.ID, i, w, "overlaps approved time off %s to %s", off.Start.In(loc).Format(stamp), off.End.In(loc).Format(stamp))
		}
	}
}

// shape checks a shift against its template: local start time and day,
// span, paid minutes, and every break.
func (c *checker) shape(i int, s Shift, t Template, loc *time.Location, w string) {
	l := s.Start.In(loc)
	m := l.Hour()*60 + l.Minute()
	switch {
	case l.Second() != 0 || l.Nanosecond() != 0 || m < t.StartFromMin || m > t.StartToMin || t.StartStepMin <= 0 || (m-t.StartFromMin)%t.StartStepMin != 0:
		c.add(RuleStartWindow, s.Agent, i, w, "starts at %s local (%s); template %s starts %s to %s every %d min", l.Format("15:04:05"), loc, t.Name, hhmm(t.StartFromMin), hhmm(t.StartToMin), t.StartStepMin)
	case !containsDay(t.Days, l.Weekday()):
		c.add(RuleStartWindow, s.Agent, i, w, "starts on a %s (%s); template %s starts only on %s", l.Weekday(), loc, t.Name, dayList(t.Days))
	}
	if got := s.End.Sub(s.Start); got != time.Duration(t.SpanMin)*time.Minute {
		c.add(RuleSpan, s.Agent, i, w, "lasts %s; template %s spans %d min", got, t.Name, t.SpanMin)
	}
	// A template's paid minutes are its span less its unpaid breaks (the
	// templates are validated so), so with the span and breaks checked
	// against it, the paid minutes only need to be the template's.
	if s.PaidMinutes != t.PaidMin {
		c.add(RulePaid, s.Agent, i, w, "pays %d min; template %s pays %d", s.PaidMinutes, t.Name, t.PaidMin)
	}
	if len(s.Breaks) != len(t.Breaks) {
		c.add(RuleBreaks, s.Agent, i, w, "has %d breaks; template %s has %d", len(s.Breaks), t.Name, len(t.Breaks))
		return
	}
	for k, b := range s.Breaks {
		r := t.Breaks[k]
		bw := fmt.Sprintf("break %d (%s)", k+1, r.Name)
		off := b.Start.Sub(s.Start)
		switch {
		case b.Name != "" && r.Name != "" && b.Name != r.Name:
			c.add(RuleBreaks, s.Agent, i, w, "%s is named %q; the template's break %d is %q", bw, b.Name, k+1, r.Name)
		case b.End.Sub(b.Start) != time.Duration(r.LengthMin)*time.Minute:
			c.add(RuleBreaks, s.Agent, i, w, "%s lasts %s; the template says %d min", bw, b.End.Sub(b.Start), r.LengthMin)
		case !b.PaidUnknown && b.Paid != r.Paid:
			c.add(RuleBreaks, s.Agent, i, w, "%s is paid=%t; the template says paid=%t", bw, b.Paid, r.Paid)
		case off%time.Minute != 0 || off < time.Duration(r.EarliestStartMin)*time.Minute || off > time.Duration(r.LatestStartMin)*time.Minute ||
			r.StepMin <= 0 || (int(off/time.Minute)-r.EarliestStartMin)%r.StepMin != 0:
			c.add(RuleBreaks, s.Agent, i, w, "%s starts %s after the shift's start; its window is %d to %d min every %d", bw, off, r.EarliestStartMin, r.LatestStartMin, r.StepMin)
		}
		if b.Start.Before(s.Start) || b.End.After(s.End) {
			c.add(RuleBreaks, s.Agent, i, w, "%s (%s to %s) is not inside the shift", bw, b.Start.In(loc).Format("15:04"), b.End.In(loc).Format("15:04"))
		}
		if k > 0 && b.Start.Before(s.Breaks[k-1].End) {
			c.add(RuleBreaks, s.Agent, i, w, "%s starts before break %d ends (breaks in order, not overlapping)", bw, k)
		}
	}
}

// skill: a shift with an agent works in one queue the agent has a skill for,
// at the queue's minimum level at least.
func (c *checker) skill(i int, s Shift, a Agent, w string) {
	if s.Queue == "" {
		if len(c.in.Queues) > 0 {
			c.add(RuleQueue, a.ID, i, w, "the shift is assigned to no queue")
		}
		return
	}
	var q *Queue
	if len(c.in.Queues) > 0 {
		if q = c.queue[s.Queue]; q == nil {
			c.add(RuleQueue, a.ID, i, w, "no queue is named %q", s.Queue)
			return
		}
	}
	level, ok := a.Skills[s.Queue]
	switch {
	case !ok:
		c.add(RuleSkill, a.ID, i, w, "assigned to %s, for which the agent has no skill", s.Queue)
	case q != nil && level < q.MinLevel:
		c.add(RuleSkill, a.ID, i, w, "assigned to %s at level %d; the queue asks for level %d", s.Queue, level, q.MinLevel)
	}
}

// available: every minute of the shift, on the agent's wall clock, lies in
// one of his windows (windows that touch join, also across midnight).
func (c *checker) available(i int, s Shift, a Agent, w string) {
	if len(a.Availability) == 0 {
		return
	}
	loc := a.Location
	for at := s.Start; at.Before(s.End); {
		l := at.In(loc)
		m := l.Hour()*60 + l.Minute()
		end := -1
		for _, win := range a.Availability {
			if win.Day == l.Weekday() && win.From <= m && m < win.To {
				end = max(end, win.To)
			}
		}
		if end < 0 {
			c.add(RuleAvailability, a.ID, i, w, "works at %s, outside the agent's availability", l.Format(stamp))
			return
		}
		next := time.Date(l.Year(), l.Month(), l.Day(), end/60, end%60, 0, 0, loc)
		if !next.After(at) { // a window ending in a DST gap
			next = at.Add(time.Minute)
		}
		at = next
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func containsDay(ds []time.Weekday, d time.Weekday) bool {
	for _, x := range ds {
		if x == d {
			return true
		}
	}
	return false
}

func dayList(ds []time.Weekday) string {
	var s []string
	for _, d := range ds {
		s = append(s, d.String()[:3])
	}
	return strings.Join(s, ", ")
}

func hhmm(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// sortBreaches orders breaches by agent, then plan shift (stable, so rules
// keep the order they were found in).
func sortBreaches(bs []Breach) {
	sort.SliceStable(bs, func(i, j int) bool {
		if bs[i].Agent != bs[j].Agent {
			return bs[i].Agent < bs[j].Agent
		}
		return bs[i].Shift < bs[j].Shift
	})
}
