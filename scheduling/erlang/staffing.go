package erlang

import (
	"fmt"
	"math"
	"time"
)

// DefaultMaxOccupancy is the occupancy cap used when Targets.MaxOccupancy is 0.
const DefaultMaxOccupancy = 0.85

// maxAgents bounds the staffing search; a requirement above it means the input
// is absurd (or a target is unreachable), and Solve says so instead of looping.
const maxAgents = 10_000_000

// Load is the work offered to one queue in one interval.
type Load struct {
	// Contacts is the number of contacts offered in the interval (a forecast,
	// so it may be fractional). Must be >= 0.
	Contacts float64
	// Interval is the interval length. Must be > 0.
	Interval time.Duration
	// AHT is the average handle time of one contact (talk + hold + wrap-up).
	// For chat it is the duration of one chat while the agent handles
	// Concurrency chats at once. Must be > 0.
	AHT time.Duration
	// Patience is the mean of the contacts' exponential patience. When it is
	// > 0 the queue is Erlang A (M/M/c+M); 0 means infinitely patient
	// contacts (Erlang C).
	Patience time.Duration
	// Concurrency is how many contacts one agent handles at once (chat). 0
	// and 1 both mean one at a time (voice). Each agent is modelled as
	// Concurrency independent servers; see docs/staffing.md.
	Concurrency int
}

// Traffic returns the offered load in Erlangs: contacts × AHT / interval; NaN
// when the interval is not positive.
func (l Load) Traffic() float64 {
	if l.Interval <= 0 {
		return math.NaN()
	}
	return l.Contacts * l.AHT.Seconds() / l.Interval.Seconds()
}

func (l Load) concurrency() int {
	if l.Concurrency <= 1 {
		return 1
	}
	return l.Concurrency
}

// validate reports every bad field of the load.
func (l Load) validate() error {
	var errs InputErrors
	if !(l.Contacts >= 0) || math.IsInf(l.Contacts, 0) {
		errs = append(errs, paramError("contacts", "must be a finite number >= 0, got %v", l.Contacts))
	}
	if l.Interval <= 0 {
		errs = append(errs, paramError("interval", "must be > 0, got %v", l.Interval))
	}
	if l.AHT <= 0 {
		errs = append(errs, paramError("aht", "must be > 0, got %v", l.AHT))
	}
	if l.Patience < 0 {
		errs = append(errs, paramError("patience", "must be >= 0 (0 = infinitely patient), got %v", l.Patience))
	}
	if l.Concurrency < 0 {
		errs = append(errs, paramError("concurrency", "must be >= 1 (0 means 1), got %d", l.Concurrency))
	}
	return errs.orNil()
}

// Targets are the service goals a staffing level must meet. Zero values mean
// "no such target", except MaxOccupancy, where 0 means DefaultMaxOccupancy.
type Targets struct {
	// ServiceLevel is the share of offered contacts to answer within
	// AnswerWithin, in [0, 1); 0 means no service level target.
	ServiceLevel float64
	// AnswerWithin is the service level's threshold, >= 0.
	AnswerWithin time.Duration
	// ASA is the highest acceptable average speed of answer; 0 means none.
	ASA time.Duration
	// MaxOccupancy caps agent occupancy, in (0, 1]; 0 means 0.85.
	MaxOccupancy float64
	// Shrinkage is the share of paid time not available for contacts
	// (breaks, meetings, absence), in [0, 1).
	Shrinkage float64
}

func (t Targets) maxOccupancy() float64 {
	if t.MaxOccupancy == 0 {
		return DefaultMaxOccupancy
	}
	return t.MaxOccupancy
}

// Validate reports every bad field of the targets as InputErrors.
func (t Targets) Validate() error {
	var errs InputErrors
	if !(t.ServiceLevel >= 0 && t.ServiceLevel < 1) {
		errs = append(errs, paramError("sl", "must be in [0, 1) (a share such as 0.80; 1 can never be met by a queue), got %v", t.ServiceLevel))
	}
	if t.AnswerWithin < 0 {
		errs = append(errs, paramError("answer-within", "must be >= 0, got %v", t.AnswerWithin))
	}
	if t.ASA < 0 {
		errs = append(errs, paramError("asa", "must be > 0, or 0 for no target, got %v", t.ASA))
	}
	if !(t.MaxOccupancy >= 0 && t.MaxOccupancy <= 1) {
		errs = append(errs, paramError("max-occupancy", "must be in (0, 1], got %v", t.MaxOccupancy))
	}
	if !(t.Shrinkage >= 0 && t.Shrinkage < 1) {
		errs = append(errs, paramError("shrinkage", "must be in [0, 1), got %v", t.Shrinkage))
	}
	return errs.orNil()
}

// Metrics is what a number of agents achieves on a load.
type Metrics struct {
	// Agents is the number of agents on the queue (not counting shrinkage).
	Agents int
	// Traffic is the offered load in Erlangs.
	Traffic float64
	// ProbWait is the probability that a contact is not answered at once.
	ProbWait float64
	// ServiceLevel is answered-within-target / offered; abandoned contacts
	// count as not answered within the target (docs/staffing.md).
	ServiceLevel float64
	// ASA is the mean wait of answered contacts, in seconds (contacts
	// answered at once count with 0). +Inf when no contact is ever answered
	// or an Erlang C queue is unstable (agents <= traffic).
	ASA float64
	// Occupancy is the share of agents' (chat: chat slots') time spent
	// handling contacts: carried load / servers. 1 for an unstable queue.
	Occupancy float64
	// ProbAbandon is the probability that a contact abandons (Erlang A; 0
	// for Erlang C).
	ProbAbandon float64
}

// Requirement is the result of a staffing solve.
type Requirement struct {
	Metrics
	// Staff is the scheduled headcount needed for Agents on the queue:
	// ceil(Agents / (1 - shrinkage)).
	Staff int
}

// Evaluate returns the metrics that agents achieve on load, with the service
// level measured against answerWithin. With no agents and some load the
// occupancy is NaN: nobody is there to be busy. It returns InputErrors for a bad load,
// a negative agent count or a negative answerWithin.
func Evaluate(load Load, agents int, answerWithin time.Duration) (Metrics, error) {
	err := load.validate()
	var errs InputErrors
	if err != nil {
		errs = err.(InputErrors)
	}
	if agents < 0 {
		errs = append(errs, paramError("agents", "must be >= 0, got %d", agents))
	}
	if answerWithin < 0 {
		errs = append(errs, paramError("answer-within", "must be >= 0, got %v", answerWithin))
	}
	if len(errs) > 0 {
		return Metrics{}, errs
	}
	servers := agents * load.concurrency()
	a := load.Traffic()
	return metricsFor(load, a, agents, ErlangB(a, servers), answerWithin.Seconds())
}

// metricsFor computes the metrics of agents given b = ErlangB(a, servers).
// Only Erlang A can fail (see erlangA).
func metricsFor(load Load, a float64, agents int, b, within float64) (Metrics, error) {
	m := Metrics{Agents: agents, Traffic: a}
	if a == 0 {
		m.ServiceLevel = 1
		return m, nil
	}
	servers := agents * load.concurrency()
	aht := load.AHT.Seconds()
	if load.Patience > 0 {
		lambda := load.Contacts / load.Interval.Seconds()
		r, err := erlangA(lambda, 1/aht, 1/load.Patience.Seconds(), servers, within, b)
		if err != nil {
			return Metrics{}, err
		}
		m.ProbWait, m.ServiceLevel, m.ASA, m.Occupancy, m.ProbAbandon = r.probWait, r.sl, r.asa, r.occupancy, r.probAbandon
		if agents == 0 {
			m.Occupancy = math.NaN()
		}
		return m, nil
	}
	m.ProbWait = erlangCFromB(a, servers, b)
	m.ServiceLevel, m.ASA, m.Occupancy = cMetrics(a, servers, m.ProbWait, aht, within)
	if agents == 0 {
		m.Occupancy = math.NaN() // nobody there to be busy (not 100%)
	}
	return m, nil
}

// slackSL and slackASA absorb floating-point noise at the boundary, so a
// target met exactly in exact arithmetic (e.g. occupancy 0.85 = 0.85) is met.
const (
	slackSL  = 1e-12
	slackASA = 1e-9
)

func meets(m Metrics, t Targets, occCap float64) bool {
	if t.ServiceLevel > 0 && m.ServiceLevel < t.ServiceLevel-slackSL {
		return false
	}
	if t.ASA > 0 && !(m.ASA <= t.ASA.Seconds()+slackASA) {
		return false
	}
	return m.Occupancy <= occCap+slackSL
}

// Solve returns the smallest number of agents whose metrics meet every given
// target (service level, ASA) with occupancy at most the cap, the staff that
// number needs after shrinkage, and the metrics it achieves. Zero contacts need
// zero agents. It returns InputErrors for a bad load or bad targets, and an
// error when no staffing up to ten million agents meets the targets.
//
// Erlang C starts at the first stable staffing above the traffic (and at
// traffic/cap) and walks up the Erlang B recursion one server at a time, so a
// solve costs O(agents) arithmetic. Erlang A starts from the Erlang C answer,
// gallops down or up to bracket the smallest feasible staffing (never below
// the proven bound that a service level s needs s·traffic servers) and then
// bisects, relying on every measure improving with more agents.
func Solve(load Load, t Targets) (Requirement, error) {
	var errs InputErrors
	if err := load.validate(); err != nil {
		errs = append(errs, err.(InputErrors)...)
	}
	if err := t.Validate(); err != nil {
		errs = append(errs, err.(InputErrors)...)
	}
	if len(errs) > 0 {
		return Requirement{}, errs
	}
	a := load.Traffic()
	if a == 0 {
		return Requirement{Metrics: Metrics{ServiceLevel: 1}}, nil
	}
	var m Metrics
	var err error
	if load.Patience > 0 {
		m, err = solveA(load, t, a)
	} else {
		m, err = solveC(load, t, a)
	}
	if err != nil {
		return Requirement{}, err
	}
	return Requirement{Metrics: m, Staff: StaffFor(m.Agents, t.Shrinkage)}, nil
}

// StaffFor returns ceil(agents / (1 - shrinkage)), the headcount to schedule so
// that agents are on the queue after shrinkage. The tiny tolerance keeps
// 7/(1-0.3) = 10.000000000000002 at 10.
func StaffFor(agents int, shrinkage float64) int {
	if agents <= 0 {
		return 0
	}
	return int(math.Ceil(float64(agents)/(1-shrinkage) - 1e-9))
}

// OnQueue returns how many of staff scheduled people are on the queue after
// shrinkage: floor(staff × (1 - shrinkage)), the inverse of StaffFor
// (OnQueue(StaffFor(n, s), s) >= n). The scheduler uses it to project the
// service level of a plan with Evaluate.
func OnQueue(staff int, shrinkage float64) int {
	if staff <= 0 {
		return 0
	}
	return int(math.Floor(float64(staff)*(1-shrinkage) + 1e-9))
}

func solveC(load Load, t Targets, a float64) (Metrics, error) {
	k := load.concurrency()
	occCap := t.maxOccupancy()
	within := t.AnswerWithin.Seconds()
	// Stability needs servers > a; the cap needs servers >= a/cap.
	minServers := math.Max(math.Floor(a)+1, math.Ceil(a/occCap-1e-12))
	n := int(math.Ceil(minServers / float64(k)))
	if n < 1 {
		n = 1
	}
	servers := n * k
	// Walk 1/B (see ErlangB) so each step is a multiply-add, not a division.
	r := 1 / ErlangB(a, servers)
	inv := 1 / a
	for ; n <= maxAgents; n++ {
		b := 1 / r
		if r > 1e300 {
			b = 0
		}
		m, _ := metricsFor(load, a, n, b, within) // Erlang C cannot fail
		if meets(m, t, occCap) {
			return m, nil
		}
		for i := 0; i < k; i++ {
			servers++
			r = nextInvB(inv, r, servers)
		}
	}
	return Metrics{}, fmt.Errorf("erlang: no staffing up to %d agents meets the targets for %.4g Erlangs", maxAgents, a)
}

func solveA(load Load, t Targets, a float64) (Metrics, error) {
	k := load.concurrency()
	occCap := t.maxOccupancy()
	within := t.AnswerWithin.Seconds()
	seen := map[int]Metrics{}
	feasible := func(n int) bool {
		m, ok := seen[n]
		if !ok {
			var err error
			if m, err = metricsFor(load, a, n, ErlangB(a, n*k), within); err != nil {
				// Only a deeply overloaded queue is too heavy to sum, and
				// it meets no target: a service level or ASA target needs
				// answered contacts, the occupancy cap idle time.
				return false
			}
			seen[n] = m
		}
		return meets(m, t, occCap)
	}
	// Everything below lo is infeasible: answered contacts cannot exceed the
	// servers' capacity, so a service level s needs s·a servers, and some
	// traffic needs at least one agent.
	lo := max(int(math.Floor(t.ServiceLevel*a/float64(k))), 1)
	bad := lo - 1
	// Abandonment usually lowers the requirement a little below Erlang C's,
	// so Erlang C's answer (cheap) is a good first guess.
	guess := lo
	patient := load
	patient.Patience = 0
	if mc, err := solveC(patient, t, a); err == nil && mc.Agents > lo {
		guess = mc.Agents
	}
	good := -1
	if feasible(guess) {
		good = guess
		for step := 1; ; step *= 2 {
			c := good - step
			if c <= bad {
				break
			}
			if !feasible(c) {
				bad = c
				break
			}
			good = c
		}
	} else {
		bad = guess
		for step := 1; good < 0; step *= 2 {
			c := bad + step
			if c > maxAgents {
				return Metrics{}, fmt.Errorf("erlang: no staffing up to %d agents meets the targets for %.4g Erlangs", maxAgents, a)
			}
			if feasible(c) {
				good = c
			} else {
				bad = c
			}
		}
	}
	for good-bad > 1 {
		mid := bad + (good-bad)/2
		if feasible(mid) {
			good = mid
		} else {
			bad = mid
		}
	}
	return seen[good], nil
}
