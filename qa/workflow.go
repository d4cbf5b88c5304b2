package qa

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// EvalState is where an evaluation is in its life cycle.
type EvalState string

const (
	EvalDraft        EvalState = "draft"        // the reviewer is scoring; only the reviewer sees it
	EvalSubmitted    EvalState = "submitted"    // scored, waiting to be released to the agent
	EvalReleased     EvalState = "released"     // the agent can see it, acknowledge it or dispute it
	EvalAcknowledged EvalState = "acknowledged" // the agent accepted it; final
	EvalDisputed     EvalState = "disputed"     // the agent contests criteria; waiting for a decision
	EvalResolved     EvalState = "resolved"     // a dispute was decided; the agent may acknowledge or dispute again
)

// Evaluation actions, the second argument of NextEvalState.
const (
	ActionSubmit      = "submit"
	ActionRelease     = "release"
	ActionAcknowledge = "acknowledge"
	ActionDispute     = "dispute"
	ActionResolve     = "resolve"
	ActionReopen      = "reopen"
)

// ErrUnknownAction is returned (wrapped) for an action or state a state machine does not know:
// bad input rather than a conflict.
var ErrUnknownAction = errors.New("unknown action or state")

// ErrInvalidTransition is returned (wrapped) when an action exists but is not allowed in the
// current state: a conflict with the record's state.
var ErrInvalidTransition = errors.New("transition not allowed")

// evalTransitions is the whole evaluation state machine:
//
//	draft        --submit-->      submitted
//	submitted    --release-->     released
//	submitted    --reopen-->      draft      (sent back to the reviewer before the agent saw it)
//	released     --reopen-->      draft      (withdrawn for correction; it has to be released again)
//	released     --acknowledge--> acknowledged
//	released     --dispute-->     disputed
//	disputed     --resolve-->     resolved   (whatever the decision: accept, partial or reject)
//	resolved     --acknowledge--> acknowledged
//	resolved     --dispute-->     disputed   (a further dispute; CanDispute limits how many and until when)
//
// Acknowledged is final: acknowledging means the agent accepts the evaluation.
var evalTransitions = map[EvalState]map[string]EvalState{
	EvalDraft:        {ActionSubmit: EvalSubmitted},
	EvalSubmitted:    {ActionRelease: EvalReleased, ActionReopen: EvalDraft},
	EvalReleased:     {ActionAcknowledge: EvalAcknowledged, ActionDispute: EvalDisputed, ActionReopen: EvalDraft},
	EvalAcknowledged: {},
	EvalDisputed:     {ActionResolve: EvalResolved},
	EvalResolved:     {ActionAcknowledge: EvalAcknowledged, ActionDispute: EvalDisputed},
}

var evalActions = map[string]bool{ActionSubmit: true, ActionRelease: true, ActionAcknowledge: true,
	ActionDispute: true, ActionResolve: true, ActionReopen: true}

// NextEvalState returns the state an evaluation in state from moves to on action; the
// transitions are listed on evalTransitions above. It returns an
// error wrapping ErrUnknownAction for an unknown state or action, and one wrapping
// ErrInvalidTransition, naming the state, the action and the actions allowed, when the
// action is not allowed in that state. Who may take an action (reviewer, agent, lead) is
// the caller's authorization policy, not decided here; so is the dispute window (CanDispute).
func NextEvalState(from EvalState, action string) (EvalState, error) {
	return next("an evaluation", evalTransitions, evalActions, from, action)
}

// EvalActions returns the actions allowed in state from, sorted; nil for an unknown state.
func EvalActions(from EvalState) []string {
	return actions(evalTransitions, from)
}

// CoachingState is where a coaching session is in its life cycle.
type CoachingState string

const (
	CoachingPlanned      CoachingState = "planned"      // scheduled, with a due date
	CoachingHeld         CoachingState = "held"         // took place; waiting for the agent's acknowledgement
	CoachingAcknowledged CoachingState = "acknowledged" // the agent confirmed it; final
	CoachingCancelled    CoachingState = "cancelled"    // will not take place; final
)

// Coaching actions, the second argument of NextCoachingState.
const (
	ActionHold   = "hold"
	ActionCancel = "cancel"
	// ActionAcknowledge ("acknowledge") is shared with evaluations.
)

// coachingTransitions is the whole coaching state machine:
//
//	planned --hold-->        held
//	planned --cancel-->      cancelled
//	held    --acknowledge--> acknowledged
//
// A held session cannot be cancelled (it happened); acknowledged and cancelled are final.
var coachingTransitions = map[CoachingState]map[string]CoachingState{
	CoachingPlanned:      {ActionHold: CoachingHeld, ActionCancel: CoachingCancelled},
	CoachingHeld:         {ActionAcknowledge: CoachingAcknowledged},
	CoachingAcknowledged: {},
	CoachingCancelled:    {},
}

var coachingActions = map[string]bool{ActionHold: true, ActionCancel: true, ActionAcknowledge: true}

// NextCoachingState returns the state a coaching session in state from moves to on action
// (transitions on coachingTransitions above). Errors are as for NextEvalState: ErrUnknownAction
// for an unknown state or action, ErrInvalidTransition when the action is not allowed in from.
func NextCoachingState(from CoachingState, action string) (CoachingState, error) {
	return next("a coaching session", coachingTransitions, coachingActions, from, action)
}

// CoachingActions returns the actions allowed in state from, sorted; nil for an unknown state.
func CoachingActions(from CoachingState) []string {
	return actions(coachingTransitions, from)
}

// Overdue reports whether a coaching session is overdue at now: it is still planned and its
// due instant has passed (now strictly after due). A zero due means no due date and is never
// overdue; held, acknowledged and cancelled sessions are never overdue.
func Overdue(due time.Time, state CoachingState, now time.Time) bool {
	return state == CoachingPlanned && !due.IsZero() && now.After(due)
}

func next[S ~string](what string, table map[S]map[string]S, known map[string]bool, from S, action string) (S, error) {
	allowed, ok := table[from]
	if !ok {
		return from, fmt.Errorf("%w: cannot %s %s in state %q: not a state", ErrUnknownAction, action, what, from)
	}
	if !known[action] {
		return from, fmt.Errorf("%w: cannot %q %s in state %s: not an action", ErrUnknownAction, action, what, from)
	}
	to, ok := allowed[action]
	if !ok {
		list := "none, the state is final"
		if a := actions(table, from); len(a) > 0 {
			list = strings.Join(a, ", ")
		}
		return from, fmt.Errorf("%w: cannot %s %s in state %s (allowed: %s)", ErrInvalidTransition, action, what, from, list)
	}
	return to, nil
}

func actions[S ~string](table map[S]map[string]S, from S) []string {
	allowed, ok := table[from]
	if !ok {
		return nil
	}
	out := make([]string, 0, len(allowed))
	for a := range allowed {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// DisputeItem is one criterion an agent contests. Proposed is the value the agent asks for;
// nil proposes N/A (only valid where the criterion allows N/A).
type DisputeItem struct {
	Criterion string `json:"criterion"`
	Proposed  *int   `json:"proposed"`
	Comment   string `json:"comment"`
}

// DisputePolicy limits disputes. Zero fields take the defaults (DefaultDisputeWindow,
// DefaultMaxDisputes); negative fields are invalid.
type DisputePolicy struct {
	// Window is how long after release an evaluation can be disputed.
	Window time.Duration `json:"window"`
	// MaxPerEvaluation is how many disputes one evaluation may have in all.
	MaxPerEvaluation int `json:"max_per_evaluation"`
}

// Dispute policy defaults.
const (
	DefaultDisputeWindow = 14 * 24 * time.Hour
	DefaultMaxDisputes   = 2
)

// WithDefaults returns p with zero fields replaced by the defaults.
func (p DisputePolicy) WithDefaults() DisputePolicy {
	if p.Window == 0 {
		p.Window = DefaultDisputeWindow
	}
	if p.MaxPerEvaluation == 0 {
		p.MaxPerEvaluation = DefaultMaxDisputes
	}
	return p
}

// Dispute errors, wrapped with the details by CanDispute.
var (
	ErrDisputeWindowClosed = errors.New("the dispute window is closed")
	ErrDisputeLimit        = errors.New("the dispute limit is reached")
)

// CanDispute says whether an evaluation released at releasedAt may be disputed at now, given
// that it has had previous disputes already. The window is inclusive: a dispute exactly at
// releasedAt + Window is allowed. It returns nil when allowed; an error wrapping
// ErrDisputeWindowClosed (now after the window) or ErrDisputeLimit (previous >= the maximum);
// and a plain error for bad input: a negative policy field, a zero releasedAt (never
// released), now before releasedAt, or a negative previous. It does not check the
// evaluation's state; NextEvalState does.
func CanDispute(p DisputePolicy, releasedAt, now time.Time, previous int) error {
	if p.Window < 0 || p.MaxPerEvaluation < 0 {
		return fmt.Errorf("dispute policy: window (%s) and max per evaluation (%d) cannot be negative", p.Window, p.MaxPerEvaluation)
	}
	p = p.WithDefaults()
	switch {
	case releasedAt.IsZero():
		return errors.New("cannot dispute: the evaluation has not been released")
	case now.Before(releasedAt):
		return fmt.Errorf("cannot dispute: now (%s) is before the release (%s)", now.Format(time.RFC3339), releasedAt.Format(time.RFC3339))
	case previous < 0:
		return fmt.Errorf("cannot dispute: previous dispute count is negative (%d)", previous)
	case previous >= p.MaxPerEvaluation:
		return fmt.Errorf("%w: %d of %d disputes used", ErrDisputeLimit, previous, p.MaxPerEvaluation)
	}
	if deadline := releasedAt.Add(p.Window); now.After(deadline) {
		return fmt.Errorf("%w: it closed at %s (%s after release)", ErrDisputeWindowClosed, deadline.Format(time.RFC3339), p.Window)
	}
	return nil
}

// Dispute decisions, the decision argument of ApplyDecision.
const (
	DecisionAccept  = "accept"
	DecisionPartial = "partial"
	DecisionReject  = "reject"
)

// ValidateDispute checks a dispute against its scorecard: at least one item, each on a
// criterion of the scorecard, no criterion twice, and each proposed value on the criterion's
// scale (nil only where N/A is allowed). It returns FieldErrors naming items[i].
func ValidateDispute(sc Scorecard, items []DisputeItem) error {
	crit := criteriaByKey(sc)
	var errs FieldErrors
	if len(items) == 0 {
		errs = append(errs, FieldError{"items", "a dispute needs at least one criterion"})
	}
	seen := map[string]bool{}
	for i, it := range items {
		field := fmt.Sprintf("items[%d]", i)
		c, ok := crit[it.Criterion]
		switch {
		case !ok:
			errs = append(errs, FieldError{field + ".criterion", fmt.Sprintf("no criterion %q on this scorecard", it.Criterion)})
			continue
		case seen[it.Criterion]:
			errs = append(errs, FieldError{field + ".criterion", fmt.Sprintf("criterion %q is disputed twice", it.Criterion)})
		}
		seen[it.Criterion] = true
		if reason := checkValue(c, it.Proposed); reason != "" {
			errs = append(errs, FieldError{field + ".proposed", reason})
		}
	}
	if errs != nil {
		return errs
	}
	return nil
}

// ApplyDecision returns the answers of an evaluation after a dispute decision, leaving the
// inputs untouched:
//
//	accept:  every disputed criterion takes its proposed value; accepted must be empty.
//	partial: only the criteria in accepted change, to the values given there (nil = N/A);
//	         each must be a disputed criterion, and accepted must not be empty.
//	reject:  the answers are returned unchanged; accepted must be empty.
//
// It returns FieldErrors for an unknown decision, invalid items (see ValidateDispute), an
// accepted value off the criterion's scale or an N/A that is not allowed ("accepted.<key>"),
// and for answers that do not score on sc after the change (see Score), so the result can
// be scored directly.
func ApplyDecision(sc Scorecard, answers []Answer, items []DisputeItem, decision string, accepted map[string]*int) ([]Answer, error) {
	var errs FieldErrors
	if err := ValidateDispute(sc, items); err != nil {
		errs = append(errs, err.(FieldErrors)...)
	}
	change := map[string]*int{}
	switch decision {
	case DecisionAccept:
		for _, it := range items {
			change[it.Criterion] = it.Proposed
		}
	case DecisionReject:
	case DecisionPartial:
		if len(accepted) == 0 {
			errs = append(errs, FieldError{"accepted", "a partial decision accepts at least one criterion (otherwise reject)"})
		}
		disputed := map[string]bool{}
		for _, it := range items {
			disputed[it.Criterion] = true
		}
		crit := criteriaByKey(sc)
		for _, k := range sortedKeys(accepted) {
			val := accepted[k]
			c, ok := crit[k]
			switch {
			case !ok:
				errs = append(errs, FieldError{"accepted." + k, "no such criterion on this scorecard"})
			case !disputed[k]:
				errs = append(errs, FieldError{"accepted." + k, "was not disputed"})
			default:
				if reason := checkValue(c, val); reason != "" {
					errs = append(errs, FieldError{"accepted." + k, reason})
				}
				change[k] = val
			}
		}
	default:
		errs = append(errs, FieldError{"decision", fmt.Sprintf("must be accept, partial or reject, got %q", decision)})
	}
	if decision != DecisionPartial && len(accepted) > 0 {
		errs = append(errs, FieldError{"accepted", fmt.Sprintf("only a partial decision lists accepted criteria, got %d with %q", len(accepted), decision)})
	}
	if errs != nil {
		return nil, errs
	}
	out := make([]Answer, len(answers))
	for i, a := range answers {
		val := a.Value
		if nv, ok := change[a.Criterion]; ok {
			val = nv
			delete(change, a.Criterion)
		}
		out[i] = Answer{Criterion: a.Criterion, Value: copyInt(val)}
	}
	for _, k := range sortedKeys(change) { // disputed criteria the sheet did not answer
		out = append(out, Answer{Criterion: k, Value: copyInt(change[k])})
	}
	if _, err := Compile(sc).Score(out); err != nil {
		return nil, err
	}
	return out, nil
}

func criteriaByKey(sc Scorecard) map[string]Criterion {
	m := map[string]Criterion{}
	for _, s := range sc.Sections {
		for _, c := range s.Criteria {
			m[c.Key] = c
		}
	}
	return m
}

// checkValue returns why v is not a valid answer to c, or "".
func checkValue(c Criterion, v *int) string {
	if v == nil {
		if !c.AllowNA {
			return fmt.Sprintf("criterion %q cannot be N/A", c.Key)
		}
		return ""
	}
	lo, hi, ok := c.Scale.Bounds()
	if !ok {
		return fmt.Sprintf("criterion %q has an unknown scale %q", c.Key, c.Scale)
	}
	if *v < lo || *v > hi {
		return fmt.Sprintf("must be between %d and %d (%s), got %d", lo, hi, c.Scale, *v)
	}
	return ""
}

func copyInt(p *int) *int {
	if p == nil {
		return nil
	}
	x := *p
	return &x
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
