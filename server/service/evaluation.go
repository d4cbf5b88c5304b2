package service

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// Score is a reviewer's answers and comments for ScoreEvaluation. Version is
// the one the reviewer read; a stale version is a Conflict.
type Score struct {
	Answers  []qa.Answer
	Comments map[string]string
	Comment  string
	Reason   string
	Version  int
}

// ReleasedStates are the states in which an agent sees an evaluation.
var ReleasedStates = []qa.EvalState{qa.EvalReleased, qa.EvalAcknowledged, qa.EvalDisputed, qa.EvalResolved}

// EvalOwner is whose an evaluation is, for object checks.
func EvalOwner(e qa.Evaluation) auth.Owner {
	return auth.Owner{AgentID: &e.AgentID, TeamID: e.TeamID}
}

// LoadEvaluation finds an evaluation p may take action on. An agent reaches
// only their own, and only once released; calibration entries are reached
// through their session.
func (s *Service) LoadEvaluation(ctx context.Context, st *store.Store, p auth.Principal, id int64, action auth.Action) (qa.Evaluation, error) {
	if err := p.Allow(auth.Evaluations, action); err != nil {
		return qa.Evaluation{}, err
	}
	e, err := st.FindEvaluationByID(ctx, id)
	if err != nil {
		return e, err
	}
	if err := p.AllowObject(auth.Evaluations, auth.Read, EvalOwner(e)); err != nil {
		return e, err
	}
	if p.User.Role == org.RoleAgent && !slices.Contains(ReleasedStates, e.State) {
		return e, fault.Errorf(fault.NotFound, "evaluation not found")
	}
	// Calibration entries are blind: each rater reaches only their own here;
	// the session shows the others once its rules allow.
	if e.CalibrationID != nil && e.ReviewerID != p.User.ID && p.User.Role != org.RoleAdmin {
		return e, fault.Errorf(fault.NotFound, "evaluation not found")
	}
	return e, p.AllowObject(auth.Evaluations, action, EvalOwner(e))
}

// NewDraft checks that reviewer may evaluate the interaction on the scorecard
// and returns the draft. A reviewer never evaluates their own interaction.
func (s *Service) NewDraft(ctx context.Context, ct qa.Contact, sc qa.Scorecard, reviewer org.User, due *time.Time, calibration *int64) (qa.Evaluation, error) {
	if sc.Archived || !sc.Latest {
		return qa.Evaluation{}, &fault.Error{Code: fault.Unprocessable, Message: "that scorecard takes no new evaluations",
			Fields: map[string]string{"scorecard_id": "is archived or superseded by a newer version"}}
	}
	if reviewer.Role != org.RoleQAReviewer && reviewer.Role != org.RoleAdmin {
		return qa.Evaluation{}, &fault.Error{Code: fault.Unprocessable, Message: "only QA reviewers and admins evaluate",
			Fields: map[string]string{"reviewer_id": "is not a QA reviewer"}}
	}
	if reviewer.AgentID != nil && *reviewer.AgentID == ct.AgentID {
		return qa.Evaluation{}, &fault.Error{Code: fault.Unprocessable, Message: "reviewers never evaluate themselves",
			Fields: map[string]string{"reviewer_id": "is the agent of this interaction"}}
	}
	return qa.Evaluation{InteractionID: ct.ID, ScorecardID: sc.ID, AgentID: ct.AgentID, TeamID: ct.TeamID, ReviewerID: reviewer.ID,
		CalibrationID: calibration, State: qa.EvalDraft, DueAt: due, Answers: []qa.Answer{}, Comments: map[string]string{}}, nil
}

// MayScore reports whether p is the evaluation's reviewer or an admin.
func MayScore(p auth.Principal, e qa.Evaluation) error {
	if p.User.ID != e.ReviewerID && p.User.Role != org.RoleAdmin {
		return fault.Errorf(fault.Forbidden, "only the assigned reviewer (or an admin) scores this evaluation")
	}
	return nil
}

// rescore computes the result of the answers, or nil while they are incomplete.
func rescore(sc qa.Scorecard, answers []qa.Answer) *qa.Result {
	res, err := qa.Score(sc, answers)
	if err != nil {
		return nil
	}
	return &res
}

// AnswerFault turns answer problems into one Unprocessable error.
func AnswerFault(err error) error {
	return qaFault(err, fault.Unprocessable, "the answers do not fit the scorecard")
}

// ScoreEvaluation saves the reviewer's answers and comments. A draft may be
// incomplete; a submitted evaluation needs complete answers and a reason, and
// the change is audited; released ones change only through a dispute.
func (s *Service) ScoreEvaluation(ctx context.Context, p auth.Principal, id int64, req Score) (qa.Evaluation, error) {
	var out qa.Evaluation
	err := s.store.Tx(ctx, func(tx *store.Store) error {
		e, err := s.LoadEvaluation(ctx, tx, p, id, auth.Update)
		if err != nil {
			return err
		}
		if err := MayScore(p, e); err != nil {
			return err
		}
		switch e.State {
		case qa.EvalDraft:
		case qa.EvalSubmitted:
			if strings.TrimSpace(req.Reason) == "" {
				return &fault.Error{Code: fault.Invalid, Message: "changing a submitted score needs a reason", Fields: map[string]string{"reason": "is required once the evaluation is submitted"}}
			}
		default:
			return fault.Errorf(fault.Conflict, "the evaluation is %s: its score changes only through a dispute", e.State)
		}
		sc, err := tx.FindScorecardByID(ctx, e.ScorecardID)
		if err != nil {
			return err
		}
		before := e
		if err := CheckVersion("evaluation", req.Version, e.Version); err != nil {
			return err
		}
		e.Answers, e.Comments, e.Comment = req.Answers, req.Comments, req.Comment
		if e.Answers == nil {
			e.Answers = []qa.Answer{}
		}
		if e.Comments == nil {
			e.Comments = map[string]string{}
		}
		if err := checkAnswers(sc, e.Answers, e.State == qa.EvalDraft); err != nil {
			return err
		}
		e.Result = rescore(sc, e.Answers)
		if out, err = tx.SaveEvaluation(ctx, e); err != nil {
			return err
		}
		if e.State == qa.EvalDraft {
			return nil // drafts are the reviewer's scratch pad; their score has not counted yet
		}
		return tx.AppendAudit(ctx, store.AuditEvent{ActorID: &p.User.ID, Entity: "evaluation", EntityID: e.ID, Action: "rescore",
			Before: store.Snapshot(scoreSnapshot(before)), After: store.Snapshot(scoreSnapshot(out)), Reason: strings.TrimSpace(req.Reason)})
	})
	return out, err
}

// checkAnswers rejects answers that do not fit the scorecard. A draft may
// leave criteria unanswered; anything else must be complete.
func checkAnswers(sc qa.Scorecard, answers []qa.Answer, partial bool) error {
	_, err := qa.Score(sc, answers)
	if err == nil {
		return nil
	}
	var fe qa.FieldErrors
	if !errors.As(err, &fe) {
		return err
	}
	if partial {
		fe = slices.DeleteFunc(fe, func(e qa.FieldError) bool {
			return strings.Contains(e.Reason, "missing") || strings.Contains(e.Reason, "not answered")
		})
		if len(fe) == 0 {
			return nil
		}
	}
	return AnswerFault(fe)
}

// scoreSnapshot is what the audit trail keeps of a score.
type scoreSnap struct {
	State   qa.EvalState `json:"state"`
	Answers []qa.Answer  `json:"answers"`
	Total   *float64     `json:"total"`
	Outcome qa.Outcome   `json:"outcome"`
	// Comment and Comments let the history say a comment changed.
	Comment  string            `json:"comment"`
	Comments map[string]string `json:"comments"`
}

func scoreSnapshot(e qa.Evaluation) scoreSnap {
	sn := scoreSnap{State: e.State, Answers: e.Answers, Comment: e.Comment, Comments: e.Comments}
	if e.Result != nil {
		sn.Total, sn.Outcome = e.Result.Total, e.Result.Outcome
	}
	return sn
}

// MoveEvaluation takes a life-cycle action (submit, release, acknowledge) on
// the evaluation at version, audited. Submitting needs complete answers and
// sets the score time once; calibration entries are never released.
func (s *Service) MoveEvaluation(ctx context.Context, p auth.Principal, id int64, action string, version int) (qa.Evaluation, error) {
	authAction := auth.Update
	if action == qa.ActionAcknowledge {
		authAction = auth.Accept
	}
	var out qa.Evaluation
	err := s.store.Tx(ctx, func(tx *store.Store) error {
		e, err := s.LoadEvaluation(ctx, tx, p, id, authAction)
		if err != nil {
			return err
		}
		if action == qa.ActionSubmit {
			if err := MayScore(p, e); err != nil {
				return err
			}
		}
		if e.CalibrationID != nil && action != qa.ActionSubmit {
			return fault.Errorf(fault.Conflict, "calibration evaluations are never released to agents")
		}
		if err := CheckVersion("evaluation", version, e.Version); err != nil {
			return err
		}
		next, err := qa.NextEvalState(e.State, action)
		if err != nil {
			return fault.Wrap(fault.Conflict, err, err.Error())
		}
		before := e
		now := s.now().UTC()
		switch action {
		case qa.ActionSubmit:
			sc, err := tx.FindScorecardByID(ctx, e.ScorecardID)
			if err != nil {
				return err
			}
			if err := checkAnswers(sc, e.Answers, false); err != nil {
				return err
			}
			e.Result = rescore(sc, e.Answers)
			if e.ScoredAt == nil {
				e.ScoredAt = &now
			}
		case qa.ActionRelease:
			e.ReleasedAt = &now
		case qa.ActionAcknowledge:
			e.AckAt = &now
		}
		e.State = next
		if out, err = tx.SaveEvaluation(ctx, e); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, store.AuditEvent{ActorID: &p.User.ID, Entity: "evaluation", EntityID: e.ID, Action: action,
			Before: store.Snapshot(scoreSnapshot(before)), After: store.Snapshot(scoreSnapshot(out))})
	})
	return out, err
}

// FindEvaluations reads through the store; the caller has checked the principal may.
func (s *Service) FindEvaluations(ctx context.Context, f store.EvaluationFilter) ([]qa.Evaluation, int, error) {
	return s.store.FindEvaluations(ctx, f)
}

// GetEvaluation is LoadEvaluation outside a transaction.
func (s *Service) GetEvaluation(ctx context.Context, p auth.Principal, id int64, action auth.Action) (qa.Evaluation, error) {
	return s.LoadEvaluation(ctx, s.store, p, id, action)
}
