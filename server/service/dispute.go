package service

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/store"
)

// DisputeInput is an agent's objection to criteria of a released evaluation.
type DisputeInput struct {
	Items   []qa.DisputeItem
	Comment string
}

// DisputeDecision settles a dispute: accept takes every proposed value,
// partial the values in Accepted, reject none. Version is the one read.
type DisputeDecision struct {
	Decision string
	Accepted map[string]*int
	Reason   string
	Version  int
}

// DisputePolicy is how long after release, and how often, an agent may
// dispute an evaluation.
func (s *Service) DisputePolicy() qa.DisputePolicy {
	return qa.DisputePolicy{Window: 14 * 24 * time.Hour, MaxPerEvaluation: 2}
}

// OpenDispute records the agent's dispute of criteria of their released
// evaluation, within the window and the limit, and marks it disputed.
func (s *Service) OpenDispute(ctx context.Context, p auth.Principal, id int64, req DisputeInput) (qa.Dispute, error) {
	if err := p.Allow(auth.Disputes, auth.Create); err != nil {
		return qa.Dispute{}, err
	}
	var out qa.Dispute
	err := s.store.Tx(ctx, func(tx *store.Store) error {
		e, err := s.LoadEvaluation(ctx, tx, p, id, auth.Read)
		if err != nil {
			return err
		}
		if err := p.AllowObject(auth.Disputes, auth.Create, EvalOwner(e)); err != nil {
			return err
		}
		sc, err := tx.FindScorecardByID(ctx, e.ScorecardID)
		if err != nil {
			return err
		}
		if err := checkDisputeItems(sc, req.Items); err != nil {
			return err
		}
		_, previous, err := tx.FindDisputes(ctx, store.DisputeFilter{EvaluationID: e.ID, Page: store.Page{Limit: 1}})
		if err != nil {
			return err
		}
		if e.ReleasedAt == nil {
			return fault.Errorf(fault.Conflict, "the evaluation has not been released")
		}
		if err := qa.CanDispute(s.DisputePolicy(), *e.ReleasedAt, s.now(), previous); err != nil {
			return fault.Wrap(fault.Conflict, err, err.Error())
		}
		next, err := qa.NextEvalState(e.State, qa.ActionDispute)
		if err != nil {
			return fault.Wrap(fault.Conflict, err, err.Error())
		}
		before := e
		e.State = next
		if _, err := tx.SaveEvaluation(ctx, e); err != nil {
			return err
		}
		if out, err = tx.CreateDispute(ctx, qa.Dispute{EvaluationID: e.ID, AgentID: e.AgentID, Items: req.Items, Comment: strings.TrimSpace(req.Comment), CreatedByID: p.User.ID}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx,
			store.AuditEvent{ActorID: &p.User.ID, Entity: "evaluation", EntityID: e.ID, Action: "dispute", Before: store.Snapshot(scoreSnapshot(before)), After: store.Snapshot(out), Reason: out.Comment},
			store.AuditEvent{ActorID: &p.User.ID, Entity: "dispute", EntityID: out.ID, Action: "open", After: store.Snapshot(out)})
	})
	return out, err
}

// checkDisputeItems checks the items against the scorecard (qa.ValidateDispute)
// and requires a comment on each: the reviewer needs the agent's reason.
func checkDisputeItems(sc qa.Scorecard, items []qa.DisputeItem) error {
	bad := fault.Fields{}
	var fe qa.FieldErrors
	if err := qa.ValidateDispute(sc, items); errors.As(err, &fe) {
		for _, e := range fe {
			bad.Add(e.Field, "%s", e.Reason)
		}
	} else if err != nil {
		return err
	}
	for i, it := range items {
		if strings.TrimSpace(it.Comment) == "" {
			bad.Add("items["+strconv.Itoa(i)+"].comment", "say why you dispute it")
		}
	}
	if len(bad) > 0 {
		return &fault.Error{Code: fault.Invalid, Message: "the dispute is not valid", Fields: bad}
	}
	return nil
}

// LoadDispute finds a dispute and its evaluation in st and checks p may take
// action on them. Returns NotFound when p may not see the evaluation.
func (s *Service) LoadDispute(ctx context.Context, st *store.Store, p auth.Principal, id int64, action auth.Action) (qa.Dispute, qa.Evaluation, error) {
	if err := p.Allow(auth.Disputes, action); err != nil {
		return qa.Dispute{}, qa.Evaluation{}, err
	}
	d, err := st.FindDisputeByID(ctx, id)
	if err != nil {
		return d, qa.Evaluation{}, err
	}
	e, err := st.FindEvaluationByID(ctx, d.EvaluationID)
	if err != nil {
		return d, e, err
	}
	if err := p.AllowObject(auth.Disputes, auth.Read, EvalOwner(e)); err != nil {
		return d, e, err
	}
	return d, e, p.AllowObject(auth.Disputes, action, EvalOwner(e))
}

// DecideDispute accepts, partly accepts or rejects an open dispute with a
// reason; the evaluation is rescored from the decided answers and both
// changes are audited in one transaction.
func (s *Service) DecideDispute(ctx context.Context, p auth.Principal, id int64, req DisputeDecision) (qa.Dispute, error) {
	bad := fault.Fields{}
	if req.Decision != qa.DecisionAccept && req.Decision != qa.DecisionPartial && req.Decision != qa.DecisionReject {
		bad.Add("decision", "must be accept, partial or reject")
	}
	if strings.TrimSpace(req.Reason) == "" {
		bad.Add("reason", "is required: the agent reads it")
	}
	if len(bad) > 0 {
		return qa.Dispute{}, &fault.Error{Code: fault.Invalid, Message: "the decision is not valid", Fields: bad}
	}
	var out qa.Dispute
	err := s.store.Tx(ctx, func(tx *store.Store) error {
		d, e, err := s.LoadDispute(ctx, tx, p, id, auth.Update)
		if err != nil {
			return err
		}
		if d.State != qa.DisputeOpen {
			return fault.Errorf(fault.Conflict, "the dispute was already decided (%s)", d.Decision)
		}
		if d.Version != req.Version {
			return staleDispute(req.Version)
		}
		if p.User.AgentID != nil && *p.User.AgentID == e.AgentID {
			return fault.Errorf(fault.Forbidden, "you cannot decide a dispute about your own evaluation")
		}
		sc, err := tx.FindScorecardByID(ctx, e.ScorecardID)
		if err != nil {
			return err
		}
		answers, err := qa.ApplyDecision(sc, e.Answers, d.Items, req.Decision, req.Accepted)
		if err != nil {
			return AnswerFault(err)
		}
		next, err := qa.NextEvalState(e.State, qa.ActionResolve)
		if err != nil {
			return fault.Wrap(fault.Conflict, err, err.Error())
		}
		before := e
		e.Answers, e.State = answers, next
		e.Result = rescore(sc, answers)
		if _, err := tx.SaveEvaluation(ctx, e); err != nil {
			return err
		}
		now := s.now().UTC()
		d.State, d.Decision, d.Reason, d.DecidedByID, d.DecidedAt = qa.DisputeDecided, req.Decision, strings.TrimSpace(req.Reason), &p.User.ID, &now
		if out, err = tx.SaveDisputeDecision(ctx, d); err != nil {
			return err
		}
		return tx.AppendAudit(ctx,
			store.AuditEvent{ActorID: &p.User.ID, Entity: "evaluation", EntityID: e.ID, Action: "dispute-" + req.Decision,
				Before: store.Snapshot(scoreSnapshot(before)), After: store.Snapshot(scoreSnapshot(e)), Reason: d.Reason},
			store.AuditEvent{ActorID: &p.User.ID, Entity: "dispute", EntityID: d.ID, Action: req.Decision, After: store.Snapshot(out), Reason: d.Reason})
	})
	return out, err
}

func staleDispute(version int) error {
	return fault.Errorf(fault.Conflict, "dispute was changed by someone else (version %d is stale); reload and retry", version)
}

// FindDisputes reads through the store; the caller has checked the principal may.
func (s *Service) FindDisputes(ctx context.Context, f store.DisputeFilter) ([]qa.Dispute, int, error) {
	return s.store.FindDisputes(ctx, f)
}

// GetDispute is LoadDispute outside a transaction.
func (s *Service) GetDispute(ctx context.Context, p auth.Principal, id int64, action auth.Action) (qa.Dispute, qa.Evaluation, error) {
	return s.LoadDispute(ctx, s.store, p, id, action)
}
