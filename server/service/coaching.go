package service

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/store"
)

// CoachingPlan plans a coaching session, possibly from an evaluation (and
// some of its criteria) or as the follow-up of an earlier session.
type CoachingPlan struct {
	AgentID      int64
	EvaluationID *int64
	Criteria     []string
	FollowUpOf   *int64
	Topic        string
	Goals        string
	DueAt        time.Time
	Notes        []CoachingNote
}

// CoachingNote is a coach's note; shared notes reach the agent, others stay
// with coaches.
type CoachingNote struct {
	Body   string
	Shared bool
}

// PlanCoaching plans a session for an agent the coach reaches, checking its
// links to an evaluation, criteria and an earlier session.
func (s *Service) PlanCoaching(ctx context.Context, p auth.Principal, req CoachingPlan) (qa.CoachingSession, error) {
	if err := p.Allow(auth.Coaching, auth.Create); err != nil {
		return qa.CoachingSession{}, err
	}
	bad := fault.Fields{}
	if strings.TrimSpace(req.Topic) == "" {
		bad.Add("topic", "is required")
	}
	if req.DueAt.IsZero() {
		bad.Add("due_at", "is required (RFC 3339)")
	}
	for i, n := range req.Notes {
		if strings.TrimSpace(n.Body) == "" {
			bad.Add("notes["+strconv.Itoa(i)+"].body", "is empty")
		}
	}
	if len(bad) > 0 {
		return qa.CoachingSession{}, &fault.Error{Code: fault.Invalid, Message: "the coaching session is not valid", Fields: bad}
	}
	a, err := s.store.FindAgentByID(ctx, req.AgentID)
	if err != nil {
		return qa.CoachingSession{}, fault.NotFoundField(err, "agent_id")
	}
	if err := p.AllowObject(auth.Coaching, auth.Create, auth.Owner{AgentID: &a.ID, TeamID: a.TeamID}); err != nil {
		return qa.CoachingSession{}, fault.NotFoundField(err, "agent_id")
	}
	if p.User.AgentID != nil && *p.User.AgentID == a.ID {
		return qa.CoachingSession{}, &fault.Error{Code: fault.Unprocessable, Message: "you cannot coach yourself", Fields: map[string]string{"agent_id": "is you"}}
	}
	if err := s.checkCoachingLinks(ctx, p, req); err != nil {
		return qa.CoachingSession{}, err
	}
	session := qa.CoachingSession{AgentID: a.ID, TeamID: a.TeamID, CoachID: p.User.ID, EvaluationID: req.EvaluationID, Criteria: req.Criteria,
		FollowUpOf: req.FollowUpOf, Topic: strings.TrimSpace(req.Topic), Goals: strings.TrimSpace(req.Goals), State: qa.CoachingPlanned, DueAt: req.DueAt.UTC()}
	for _, n := range req.Notes {
		session.Notes = append(session.Notes, qa.CoachingNote{AuthorID: p.User.ID, Body: strings.TrimSpace(n.Body), Shared: n.Shared})
	}
	var out qa.CoachingSession
	err = s.store.Tx(ctx, func(tx *store.Store) error {
		var err error
		if out, err = tx.CreateCoaching(ctx, session); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, store.AuditEvent{ActorID: &p.User.ID, Entity: "coaching", EntityID: out.ID, Action: "plan", After: store.Snapshot(out)})
	})
	return out, err
}

// checkCoachingLinks requires a linked evaluation to be the same agent's and
// its criteria to be on its scorecard, and a follow-up to be of the same agent.
func (s *Service) checkCoachingLinks(ctx context.Context, p auth.Principal, req CoachingPlan) error {
	if req.EvaluationID != nil {
		e, err := s.store.FindEvaluationByID(ctx, *req.EvaluationID)
		if err != nil || e.AgentID != req.AgentID || e.CalibrationID != nil {
			return &fault.Error{Code: fault.Unprocessable, Message: "the linked evaluation does not fit", Fields: map[string]string{"evaluation_id": "is not an evaluation of this agent"}}
		}
		sc, err := s.store.FindScorecardByID(ctx, e.ScorecardID)
		if err != nil {
			return err
		}
		keys := map[string]bool{}
		for _, sec := range sc.Sections {
			for _, cr := range sec.Criteria {
				keys[cr.Key] = true
			}
		}
		for i, k := range req.Criteria {
			if !keys[k] {
				return &fault.Error{Code: fault.Unprocessable, Message: "unknown criterion", Fields: map[string]string{"criteria[" + strconv.Itoa(i) + "]": "is not a criterion of the evaluation's scorecard"}}
			}
		}
	} else if len(req.Criteria) > 0 {
		return &fault.Error{Code: fault.Invalid, Message: "criteria come from an evaluation", Fields: map[string]string{"criteria": "give evaluation_id too"}}
	}
	if req.FollowUpOf != nil {
		prev, err := s.store.FindCoachingByID(ctx, *req.FollowUpOf)
		if err != nil || prev.AgentID != req.AgentID {
			return &fault.Error{Code: fault.Unprocessable, Message: "the earlier session does not fit", Fields: map[string]string{"follow_up_of": "is not a session of this agent"}}
		}
	}
	return nil
}

// LoadCoaching finds a session p may take action on.
func (s *Service) LoadCoaching(ctx context.Context, st *store.Store, p auth.Principal, id int64, action auth.Action) (qa.CoachingSession, error) {
	if err := p.Allow(auth.Coaching, action); err != nil {
		return qa.CoachingSession{}, err
	}
	cs, err := st.FindCoachingByID(ctx, id)
	if err != nil {
		return cs, err
	}
	owner := auth.Owner{AgentID: &cs.AgentID, TeamID: cs.TeamID}
	if err := p.AllowObject(auth.Coaching, auth.Read, owner); err != nil {
		return cs, err
	}
	return cs, p.AllowObject(auth.Coaching, action, owner)
}

// AddCoachingNote adds a coach's note to the session and returns the session.
func (s *Service) AddCoachingNote(ctx context.Context, p auth.Principal, id int64, req CoachingNote) (qa.CoachingSession, error) {
	if strings.TrimSpace(req.Body) == "" {
		return qa.CoachingSession{}, &fault.Error{Code: fault.Invalid, Message: "the note is empty", Fields: map[string]string{"body": "is required"}}
	}
	var out qa.CoachingSession
	err := s.store.Tx(ctx, func(tx *store.Store) error {
		cs, err := s.LoadCoaching(ctx, tx, p, id, auth.Update)
		if err != nil {
			return err
		}
		n, err := tx.AddCoachingNote(ctx, qa.CoachingNote{SessionID: cs.ID, AuthorID: p.User.ID, Body: strings.TrimSpace(req.Body), Shared: req.Shared})
		if err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, store.AuditEvent{ActorID: &p.User.ID, Entity: "coaching", EntityID: cs.ID, Action: "note", After: store.Snapshot(n)}); err != nil {
			return err
		}
		out, err = tx.FindCoachingByID(ctx, cs.ID)
		return err
	})
	return out, err
}

// MoveCoaching takes a life-cycle action (hold, cancel, acknowledge) on the
// session at version, audited.
func (s *Service) MoveCoaching(ctx context.Context, p auth.Principal, id int64, action string, version int) (qa.CoachingSession, error) {
	want := auth.Update
	if action == qa.ActionAcknowledge {
		want = auth.Accept
	}
	var out qa.CoachingSession
	err := s.store.Tx(ctx, func(tx *store.Store) error {
		cs, err := s.LoadCoaching(ctx, tx, p, id, want)
		if err != nil {
			return err
		}
		if err := CheckVersion("coaching session", version, cs.Version); err != nil {
			return err
		}
		next, err := qa.NextCoachingState(cs.State, action)
		if err != nil {
			return fault.Wrap(fault.Conflict, err, err.Error())
		}
		before := cs
		now := s.now()
		switch action {
		case qa.ActionHold:
			cs.HeldAt = &now
		case qa.ActionAcknowledge:
			cs.AckAt = &now
		}
		cs.State = next
		if out, err = tx.SaveCoachingState(ctx, cs); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, store.AuditEvent{ActorID: &p.User.ID, Entity: "coaching", EntityID: cs.ID, Action: action,
			Before: string(before.State), After: string(out.State)})
	})
	return out, err
}

// FindCoaching reads through the store; the caller has checked the principal may.
func (s *Service) FindCoaching(ctx context.Context, f store.CoachingFilter) ([]qa.CoachingSession, int, error) {
	return s.store.FindCoaching(ctx, f)
}

// FindCoachingByID reads through the store; the caller has checked the principal may.
func (s *Service) FindCoachingByID(ctx context.Context, id int64) (qa.CoachingSession, error) {
	return s.store.FindCoachingByID(ctx, id)
}

// GetCoaching is LoadCoaching outside a transaction.
func (s *Service) GetCoaching(ctx context.Context, p auth.Principal, id int64, action auth.Action) (qa.CoachingSession, error) {
	return s.LoadCoaching(ctx, s.store, p, id, action)
}
