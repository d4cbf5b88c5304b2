package server

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// coachingRequest plans a coaching session, possibly from an evaluation (and
// some of its criteria) or as the follow-up of an earlier session.
type coachingRequest struct {
	AgentID      int64         `json:"agent_id"`
	EvaluationID *int64        `json:"evaluation_id"`
	Criteria     []string      `json:"criteria"`
	FollowUpOf   *int64        `json:"follow_up_of"`
	Topic        string        `json:"topic"`
	Goals        string        `json:"goals"`
	DueAt        time.Time     `json:"due_at"`
	Notes        []noteRequest `json:"notes"`
}

// noteRequest adds a note; shared notes reach the agent, others stay with coaches.
type noteRequest struct {
	Body   string `json:"body"`
	Shared bool   `json:"shared"`
}

// coachingView is a session as the caller may see it, with the overdue flag.
type coachingView struct {
	qa.CoachingSession
	Overdue bool     `json:"overdue"`
	Actions []string `json:"actions"`
}

func (s *Server) coachingRoutes(g *echo.Group) {
	tag := "qa"
	s.api.add(g, http.MethodPost, "/qa/coaching", s.handleCreateCoaching, doc{Summary: "Plan a coaching session for an agent (from an evaluation and criteria, or as a follow-up)", Tag: tag, Request: coachingRequest{}, Response: coachingView{}, Status: http.StatusCreated, Resource: auth.Coaching, Action: auth.Create})
	s.api.add(g, http.MethodGet, "/qa/coaching", s.handleListCoaching, doc{Summary: "Coaching sessions you may see (?agent_id=, ?state=, ?overdue=true for the supervisor's overdue list)", Tag: tag, Response: List[coachingView]{}, Resource: auth.Coaching, Action: auth.Read})
	s.api.add(g, http.MethodGet, "/qa/coaching/:id", s.handleGetCoaching, doc{Summary: "A session with its notes (agents see shared notes only)", Tag: tag, Response: coachingView{}, Resource: auth.Coaching, Action: auth.Read})
	s.api.add(g, http.MethodPost, "/qa/coaching/:id/notes", s.handleAddCoachingNote, doc{Summary: "Add a note, private to coaches or shared with the agent", Tag: tag, Request: noteRequest{}, Response: coachingView{}, Status: http.StatusCreated, Resource: auth.Coaching, Action: auth.Update})
	for _, action := range []string{qa.ActionHold, qa.ActionCancel} {
		s.api.add(g, http.MethodPost, "/qa/coaching/:id/"+action, s.handleCoachingTransition(action), doc{Summary: "Mark the session " + map[string]string{qa.ActionHold: "held", qa.ActionCancel: "cancelled"}[action], Tag: tag, Request: transitionRequest{}, Response: coachingView{}, Resource: auth.Coaching, Action: auth.Update})
	}
	s.api.add(g, http.MethodPost, "/qa/coaching/:id/acknowledge", s.handleCoachingTransition(qa.ActionAcknowledge), doc{Summary: "The agent acknowledges a held session", Tag: tag, Request: transitionRequest{}, Response: coachingView{}, Resource: auth.Coaching, Action: auth.Accept})
}

// viewCoaching hides private notes from agents and adds what the caller may do.
func (s *Server) viewCoaching(p auth.Principal, c qa.CoachingSession) coachingView {
	if p.User.Role == org.RoleAgent {
		shared := []qa.CoachingNote{}
		for _, n := range c.Notes {
			if n.Shared {
				shared = append(shared, n)
			}
		}
		c.Notes = shared
	}
	v := coachingView{CoachingSession: c, Overdue: qa.Overdue(c.DueAt, c.State, s.now()), Actions: []string{}}
	for _, a := range qa.CoachingActions(c.State) {
		want := auth.Update
		if a == qa.ActionAcknowledge {
			want = auth.Accept
		}
		if p.AllowObject(auth.Coaching, want, auth.Owner{AgentID: &c.AgentID, TeamID: c.TeamID}) == nil {
			v.Actions = append(v.Actions, a)
		}
	}
	return v
}

func (s *Server) handleCreateCoaching(c echo.Context) error {
	// Refuse before reading the body: a role that may not act learns nothing more.
	if err := principal(c).Allow(auth.Coaching, auth.Create); err != nil {
		return err
	}
	var req coachingRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p := principal(c)
	out, err := s.PlanCoaching(c.Request().Context(), p, req)
	if err != nil {
		return err
	}
	setETag(c, out.Version)
	return c.JSON(http.StatusCreated, s.viewCoaching(p, out))
}

// PlanCoaching plans a session for an agent the coach reaches, checking its
// links to an evaluation, criteria and an earlier session.
func (s *Server) PlanCoaching(ctx context.Context, p auth.Principal, req coachingRequest) (qa.CoachingSession, error) {
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
			bad.Add("notes["+itoa64(int64(i))+"].body", "is empty")
		}
	}
	if len(bad) > 0 {
		return qa.CoachingSession{}, &fault.Error{Code: fault.Invalid, Message: "the coaching session is not valid", Fields: bad}
	}
	a, err := s.store.FindAgentByID(ctx, req.AgentID)
	if err != nil {
		return qa.CoachingSession{}, fieldNotFound(err, "agent_id")
	}
	if err := p.AllowObject(auth.Coaching, auth.Create, auth.Owner{AgentID: &a.ID, TeamID: a.TeamID}); err != nil {
		return qa.CoachingSession{}, fieldNotFound(err, "agent_id")
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
func (s *Server) checkCoachingLinks(ctx context.Context, p auth.Principal, req coachingRequest) error {
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
				return &fault.Error{Code: fault.Unprocessable, Message: "unknown criterion", Fields: map[string]string{"criteria[" + itoa64(int64(i)) + "]": "is not a criterion of the evaluation's scorecard"}}
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

func (s *Server) handleListCoaching(c echo.Context) error {
	p := principal(c)
	ctx := c.Request().Context()
	f := store.CoachingFilter{Page: pageOf(c), States: statesParam[qa.CoachingState](c)}
	var err error
	if f.AgentIDs, err = s.listScopedAgents(c, auth.Coaching); err != nil {
		return err
	}
	if c.QueryParam("overdue") == "true" {
		f.States, f.DueBefore = []qa.CoachingState{qa.CoachingPlanned}, s.now()
	}
	out, total, err := s.store.FindCoaching(ctx, f)
	if err != nil {
		return err
	}
	views := make([]coachingView, len(out))
	for i, cs := range out {
		views[i] = s.viewCoaching(p, cs)
	}
	return c.JSON(http.StatusOK, listOf(views, total, f.Page))
}

// loadCoaching finds a session p may take action on.
func (s *Server) loadCoaching(ctx context.Context, st *store.Store, p auth.Principal, id int64, action auth.Action) (qa.CoachingSession, error) {
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

func (s *Server) handleGetCoaching(c echo.Context) error {
	p := principal(c)
	id, err := idParam(c)
	if err != nil {
		return err
	}
	cs, err := s.loadCoaching(c.Request().Context(), s.store, p, id, auth.Read)
	if err != nil {
		return err
	}
	setETag(c, cs.Version)
	return c.JSON(http.StatusOK, s.viewCoaching(p, cs))
}

func (s *Server) handleAddCoachingNote(c echo.Context) error {
	var req noteRequest
	id, err := editRequest(c, auth.Coaching, auth.Update, &req, nil)
	if err != nil {
		return err
	}
	p := principal(c)
	out, err := s.AddCoachingNote(c.Request().Context(), p, id, req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, s.viewCoaching(p, out))
}

// AddCoachingNote adds a coach's note to the session and returns the session.
func (s *Server) AddCoachingNote(ctx context.Context, p auth.Principal, id int64, req noteRequest) (qa.CoachingSession, error) {
	if strings.TrimSpace(req.Body) == "" {
		return qa.CoachingSession{}, &fault.Error{Code: fault.Invalid, Message: "the note is empty", Fields: map[string]string{"body": "is required"}}
	}
	var out qa.CoachingSession
	err := s.store.Tx(ctx, func(tx *store.Store) error {
		cs, err := s.loadCoaching(ctx, tx, p, id, auth.Update)
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

func (s *Server) handleCoachingTransition(action string) echo.HandlerFunc {
	want := auth.Update
	if action == qa.ActionAcknowledge {
		want = auth.Accept
	}
	return func(c echo.Context) error {
		id, version, err := readTransition(c, auth.Coaching, want)
		if err != nil {
			return err
		}
		p := principal(c)
		out, err := s.MoveCoaching(c.Request().Context(), p, id, action, version)
		if err != nil {
			return err
		}
		setETag(c, out.Version)
		return c.JSON(http.StatusOK, s.viewCoaching(p, out))
	}
}

// MoveCoaching takes a life-cycle action (hold, cancel, acknowledge) on the
// session at version, audited.
func (s *Server) MoveCoaching(ctx context.Context, p auth.Principal, id int64, action string, version int) (qa.CoachingSession, error) {
	want := auth.Update
	if action == qa.ActionAcknowledge {
		want = auth.Accept
	}
	var out qa.CoachingSession
	err := s.store.Tx(ctx, func(tx *store.Store) error {
		cs, err := s.loadCoaching(ctx, tx, p, id, want)
		if err != nil {
			return err
		}
		if err := readVersion("coaching session", version, cs.Version); err != nil {
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
