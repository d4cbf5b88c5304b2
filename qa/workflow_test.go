package qa

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNextEvalState(t *testing.T) {
	cases := []struct {
		from    EvalState
		action  string
		want    EvalState
		wantErr error
	}{
		{EvalDraft, ActionSubmit, EvalSubmitted, nil},
		{EvalSubmitted, ActionRelease, EvalReleased, nil},
		{EvalSubmitted, ActionReopen, EvalDraft, nil},
		{EvalReleased, ActionReopen, EvalDraft, nil},
		{EvalReleased, ActionAcknowledge, EvalAcknowledged, nil},
		{EvalReleased, ActionDispute, EvalDisputed, nil},
		{EvalDisputed, ActionResolve, EvalResolved, nil},
		{EvalResolved, ActionAcknowledge, EvalAcknowledged, nil},
		{EvalResolved, ActionDispute, EvalDisputed, nil},

		{EvalDraft, ActionRelease, EvalDraft, ErrInvalidTransition},
		{EvalDraft, ActionDispute, EvalDraft, ErrInvalidTransition},
		{EvalSubmitted, ActionAcknowledge, EvalSubmitted, ErrInvalidTransition},
		{EvalAcknowledged, ActionDispute, EvalAcknowledged, ErrInvalidTransition},
		{EvalAcknowledged, ActionReopen, EvalAcknowledged, ErrInvalidTransition},
		{EvalDisputed, ActionAcknowledge, EvalDisputed, ErrInvalidTransition},
		{EvalDisputed, ActionReopen, EvalDisputed, ErrInvalidTransition},
		{EvalResolved, ActionResolve, EvalResolved, ErrInvalidTransition},
		{EvalDraft, "approve", EvalDraft, ErrUnknownAction},
		{"archived", ActionSubmit, "archived", ErrUnknownAction},
		{EvalDraft, ActionHold, EvalDraft, ErrUnknownAction}, // a coaching action
	}
	for _, c := range cases {
		t.Run(string(c.from)+" "+c.action, func(t *testing.T) {
			got, err := NextEvalState(c.from, c.action)
			assert.Equal(t, c.want, got)
			if c.wantErr == nil {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, c.wantErr)
			assert.Contains(t, err.Error(), string(c.from), "the error names the state")
			assert.Contains(t, err.Error(), c.action, "the error names the action")
		})
	}
}

func TestTransitionErrorListsAllowedActions(t *testing.T) {
	_, err := NextEvalState(EvalReleased, ActionSubmit)
	assert.EqualError(t, err, "transition not allowed: cannot submit an evaluation in state released (allowed: acknowledge, dispute, reopen)")
	_, err = NextEvalState(EvalAcknowledged, ActionDispute)
	assert.ErrorContains(t, err, "none, the state is final")
	assert.Equal(t, []string{"acknowledge", "dispute", "reopen"}, EvalActions(EvalReleased))
	assert.Empty(t, EvalActions(EvalAcknowledged))
	assert.Nil(t, EvalActions("bogus"))
	assert.Equal(t, []string{"cancel", "hold"}, CoachingActions(CoachingPlanned))
}

func TestNextCoachingState(t *testing.T) {
	cases := []struct {
		from    CoachingState
		action  string
		want    CoachingState
		wantErr error
	}{
		{CoachingPlanned, ActionHold, CoachingHeld, nil},
		{CoachingPlanned, ActionCancel, CoachingCancelled, nil},
		{CoachingHeld, ActionAcknowledge, CoachingAcknowledged, nil},
		{CoachingPlanned, ActionAcknowledge, CoachingPlanned, ErrInvalidTransition},
		{CoachingHeld, ActionCancel, CoachingHeld, ErrInvalidTransition},
		{CoachingCancelled, ActionHold, CoachingCancelled, ErrInvalidTransition},
		{CoachingAcknowledged, ActionCancel, CoachingAcknowledged, ErrInvalidTransition},
		{CoachingPlanned, ActionSubmit, CoachingPlanned, ErrUnknownAction},
		{"done", ActionHold, "done", ErrUnknownAction},
	}
	for _, c := range cases {
		t.Run(string(c.from)+" "+c.action, func(t *testing.T) {
			got, err := NextCoachingState(c.from, c.action)
			assert.Equal(t, c.want, got)
			if c.wantErr == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, c.wantErr)
			}
		})
	}
}

func TestOverdue(t *testing.T) {
	due := time.Date(2025, 3, 10, 17, 0, 0, 0, time.UTC)
	cases := []struct {
		name  string
		due   time.Time
		state CoachingState
		now   time.Time
		want  bool
	}{
		{"planned, past due", due, CoachingPlanned, due.Add(time.Second), true},
		{"planned, exactly due", due, CoachingPlanned, due, false},
		{"planned, before due", due, CoachingPlanned, due.Add(-time.Hour), false},
		{"held is not overdue", due, CoachingHeld, due.Add(48 * time.Hour), false},
		{"cancelled is not overdue", due, CoachingCancelled, due.Add(48 * time.Hour), false},
		{"acknowledged is not overdue", due, CoachingAcknowledged, due.Add(48 * time.Hour), false},
		{"no due date", time.Time{}, CoachingPlanned, due, false},
		{"other zone, same instant", due, CoachingPlanned, due.In(time.FixedZone("X", 3*3600)).Add(time.Minute), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, Overdue(c.due, c.state, c.now))
		})
	}
}

func TestCanDispute(t *testing.T) {
	rel := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	cases := []struct {
		name     string
		p        DisputePolicy
		released time.Time
		now      time.Time
		previous int
		wantErr  error  // sentinel, or nil
		contains string // for plain errors; "" means allowed
	}{
		{"defaults, first dispute", DisputePolicy{}, rel, rel.Add(day), 0, nil, ""},
		{"defaults, last instant of 14 days", DisputePolicy{}, rel, rel.Add(14 * day), 1, nil, ""},
		{"defaults, after 14 days", DisputePolicy{}, rel, rel.Add(14*day + time.Second), 0, ErrDisputeWindowClosed, ""},
		{"defaults, third dispute", DisputePolicy{}, rel, rel.Add(day), 2, ErrDisputeLimit, ""},
		{"custom window", DisputePolicy{Window: 3 * day}, rel, rel.Add(4 * day), 0, ErrDisputeWindowClosed, ""},
		{"custom limit", DisputePolicy{MaxPerEvaluation: 1}, rel, rel.Add(day), 1, ErrDisputeLimit, ""},
		{"custom limit allows more", DisputePolicy{MaxPerEvaluation: 5}, rel, rel.Add(day), 4, nil, ""},
		{"never released", DisputePolicy{}, time.Time{}, rel, 0, nil, "not been released"},
		{"now before release", DisputePolicy{}, rel, rel.Add(-time.Minute), 0, nil, "before the release"},
		{"negative previous", DisputePolicy{}, rel, rel, -1, nil, "negative"},
		{"negative window", DisputePolicy{Window: -day}, rel, rel, 0, nil, "cannot be negative"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CanDispute(c.p, c.released, c.now, c.previous)
			switch {
			case c.wantErr != nil:
				assert.ErrorIs(t, err, c.wantErr)
			case c.contains != "":
				require.Error(t, err)
				assert.Contains(t, err.Error(), c.contains)
				assert.False(t, errors.Is(err, ErrDisputeLimit) || errors.Is(err, ErrDisputeWindowClosed))
			default:
				assert.NoError(t, err)
			}
		})
	}
}

func TestApplyDecision(t *testing.T) {
	sc := supportCall()
	// Example 1 of docs/qa-scoring.md but verification 2 and disclosure "no" (auto-fail).
	base := []Answer{{"greeting", v(1)}, {"verification", v(2)}, {"answer", v(5)}, {"process", v(3)}, {"data", v(1)}, {"disclosure", v(0)}}
	items := []DisputeItem{
		{Criterion: "verification", Proposed: v(4), Comment: "I verified name and date of birth"},
		{Criterion: "disclosure", Proposed: nil, Comment: "outbound callback, no disclosure needed"},
	}
	cases := []struct {
		name     string
		items    []DisputeItem
		decision string
		accepted map[string]*int
		want     map[string]*int // changed criteria; others as in base
		errField string          // a FieldErrors field expected, "" for success
	}{
		{"accept takes every proposal", items, DecisionAccept, nil, map[string]*int{"verification": v(4), "disclosure": nil}, ""},
		{"reject keeps the answers", items, DecisionReject, nil, nil, ""},
		{"partial with the proposed value", items, DecisionPartial, map[string]*int{"disclosure": nil}, map[string]*int{"disclosure": nil}, ""},
		{"partial with another value", items, DecisionPartial, map[string]*int{"verification": v(3)}, map[string]*int{"verification": v(3)}, ""},
		{"partial off the scale", items, DecisionPartial, map[string]*int{"verification": v(6)}, nil, "accepted.verification"},
		{"partial on an undisputed criterion", items, DecisionPartial, map[string]*int{"answer": v(1)}, nil, "accepted.answer"},
		{"partial on an unknown criterion", items, DecisionPartial, map[string]*int{"tone": v(1)}, nil, "accepted.tone"},
		{"partial N/A where not allowed", []DisputeItem{{Criterion: "verification", Proposed: v(3)}}, DecisionPartial, map[string]*int{"verification": nil}, nil, "accepted.verification"},
		{"partial accepting nothing", items, DecisionPartial, map[string]*int{}, nil, "accepted"},
		{"accept with an accepted list", items, DecisionAccept, map[string]*int{"verification": v(4)}, nil, "accepted"},
		{"unknown decision", items, "approve", nil, nil, "decision"},
		{"no items", nil, DecisionReject, nil, nil, "items"},
		{"proposal off the scale", []DisputeItem{{Criterion: "answer", Proposed: v(0)}}, DecisionAccept, nil, nil, "items[0].proposed"},
		{"proposal of N/A not allowed", []DisputeItem{{Criterion: "data", Proposed: nil}}, DecisionAccept, nil, nil, "items[0].proposed"},
		{"criterion disputed twice", []DisputeItem{{Criterion: "answer", Proposed: v(4)}, {Criterion: "answer", Proposed: v(5)}}, DecisionAccept, nil, nil, "items[1].criterion"},
		{"unknown criterion", []DisputeItem{{Criterion: "tone", Proposed: v(4)}}, DecisionAccept, nil, nil, "items[0].criterion"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := cloneAnswers(base)
			got, err := ApplyDecision(sc, base, c.items, c.decision, c.accepted)
			assert.Equal(t, before, base, "the input answers are not modified")
			if c.errField != "" {
				var fe FieldErrors
				require.True(t, errors.As(err, &fe), "want FieldErrors, got %v", err)
				assert.Contains(t, fieldsOf(fe), c.errField, "%v", fe)
				assert.Nil(t, got)
				return
			}
			require.NoError(t, err)
			want := cloneAnswers(base)
			for i, a := range want {
				if nv, ok := c.want[a.Criterion]; ok {
					want[i].Value = nv
				}
			}
			assert.Equal(t, want, got)
			for i := range got { // no aliasing of the caller's values
				if got[i].Value != nil && base[i].Value != nil {
					assert.NotSame(t, base[i].Value, got[i].Value)
				}
			}
		})
	}
}

func TestApplyDecisionScores(t *testing.T) {
	sc := supportCall()
	base := []Answer{{"greeting", v(1)}, {"verification", v(4)}, {"answer", v(5)}, {"process", v(3)}, {"data", v(1)}, {"disclosure", v(0)}}
	items := []DisputeItem{{Criterion: "disclosure", Proposed: v(1)}}
	before, err := Score(sc, base)
	require.NoError(t, err)
	assert.Equal(t, 77.5, *before.Total, "example 4 of docs/qa-scoring.md")
	assert.Equal(t, Fail, before.Outcome)

	after, err := ApplyDecision(sc, base, items, DecisionAccept, nil)
	require.NoError(t, err)
	r, err := Score(sc, after)
	require.NoError(t, err)
	assert.Equal(t, 92.5, *r.Total, "example 1 once the auto-fail is overturned")
	assert.Equal(t, Pass, r.Outcome)
}

func TestApplyDecisionAddsAnUnansweredDisputedCriterion(t *testing.T) {
	sc := supportCall()
	incomplete := []Answer{{"greeting", v(1)}, {"verification", v(4)}, {"answer", v(5)}, {"process", v(3)}, {"data", v(1)}}
	got, err := ApplyDecision(sc, incomplete, []DisputeItem{{Criterion: "disclosure", Proposed: v(1)}}, DecisionAccept, nil)
	require.NoError(t, err)
	assert.Equal(t, Answer{"disclosure", v(1)}, got[5])

	_, err = ApplyDecision(sc, incomplete, []DisputeItem{{Criterion: "greeting", Proposed: v(0)}}, DecisionAccept, nil)
	var fe FieldErrors
	require.True(t, errors.As(err, &fe), "the sheet still misses disclosure: %v", err)
	assert.Contains(t, fieldsOf(fe), "answers.disclosure")
}

func cloneAnswers(in []Answer) []Answer {
	out := make([]Answer, len(in))
	for i, a := range in {
		out[i] = Answer{a.Criterion, copyInt(a.Value)}
	}
	return out
}

func fieldsOf(fe FieldErrors) []string {
	out := make([]string, len(fe))
	for i, e := range fe {
		out[i] = e.Field
	}
	return out
}
