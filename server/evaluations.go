package server

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// releasedStates are the states in which an agent sees an evaluation.
var releasedStates = []qa.EvalState{qa.EvalReleased, qa.EvalAcknowledged, qa.EvalDisputed, qa.EvalResolved}

// createEvaluationRequest assigns an interaction to a reviewer as a draft.
type createEvaluationRequest struct {
	InteractionID int64      `json:"interaction_id"`
	ScorecardID   int64      `json:"scorecard_id"`
	ReviewerID    int64      `json:"reviewer_id"` // 0: yourself
	DueAt         *time.Time `json:"due_at"`
}

// scoreRequest saves answers and comments. Once submitted, a change needs a
// reason, which the audit trail keeps.
type scoreRequest struct {
	Answers  []qa.Answer       `json:"answers"`
	Comments map[string]string `json:"comments"`
	Comment  string            `json:"comment"`
	Reason   string            `json:"reason"`
	Version  int               `json:"version"`
}

// evaluationView is an evaluation with what a reader needs beside it.
type evaluationView struct {
	qa.Evaluation
	Scorecard   qa.Scorecard `json:"scorecard"`
	Interaction qa.Contact   `json:"interaction"`
}

// disputeRequest is an agent's objection to criteria of a released evaluation.
type disputeRequest struct {
	Items   []qa.DisputeItem `json:"items"`
	Comment string           `json:"comment"`
}

// disputeDecisionRequest settles a dispute: accept takes every proposed
// value, partial the values in accepted, reject none.
type disputeDecisionRequest struct {
	Decision string          `json:"decision"`
	Accepted map[string]*int `json:"accepted"`
	Reason   string          `json:"reason"`
	Version  int             `json:"version"`
}

// assignmentRequest draws a week's sample of interactions for review.
type assignmentRequest struct {
	ScorecardID     int64           `json:"scorecard_id"`
	WeekStart       string          `json:"week_start"` // YYYY-MM-DD, local to timezone
	Timezone        string          `json:"timezone"`
	PerAgentPerWeek int             `json:"per_agent_per_week"`
	ReviewerIDs     []int64         `json:"reviewer_ids"`
	DueAfterDays    int             `json:"due_after_days"`
	Seed            int64           `json:"seed"`
	Filter          qa.SampleFilter `json:"filter"`
}

func (s *Server) evaluationRoutes(g *echo.Group) {
	tag := "qa"
	s.api.add(g, http.MethodGet, "/qa/evaluations", s.handleListEvaluations, doc{Summary: "Evaluations you may see (?state=, ?agent_id=, ?reviewer=me); agents see only their released ones", Tag: tag, Response: List[qa.Evaluation]{}, Resource: auth.Evaluations, Action: auth.Read})
	s.api.add(g, http.MethodPost, "/qa/evaluations", s.handleCreateEvaluation, doc{Summary: "Assign an interaction to a reviewer as a draft evaluation", Tag: tag, Request: createEvaluationRequest{}, Response: qa.Evaluation{}, Status: http.StatusCreated, Resource: auth.Evaluations, Action: auth.Create})
	s.api.add(g, http.MethodPost, "/qa/assignments", s.handleAssign, doc{Summary: "Draw a week's random sample per agent and assign it across reviewers as drafts (reproducible with a seed)", Tag: tag, Request: assignmentRequest{}, Response: List[qa.Evaluation]{}, Status: http.StatusCreated, Resource: auth.Evaluations, Action: auth.Create})
	s.api.add(g, http.MethodGet, "/qa/evaluations/:id", s.handleGetEvaluation, doc{Summary: "An evaluation with its scorecard version and interaction", Tag: tag, Response: evaluationView{}, Resource: auth.Evaluations, Action: auth.Read})
	s.api.add(g, http.MethodPut, "/qa/evaluations/:id", s.handleScoreEvaluation, doc{Summary: "Save answers and comments (a submitted score needs a reason and is audited; a released one changes only through a dispute)", Tag: tag, Request: scoreRequest{}, Response: qa.Evaluation{}, Resource: auth.Evaluations, Action: auth.Update})
	for _, action := range []string{"submit", "release"} {
		s.api.add(g, http.MethodPost, "/qa/evaluations/:id/"+action, s.handleEvaluationTransition(action), doc{Summary: strings.ToUpper(action[:1]) + action[1:] + " the evaluation", Tag: tag, Request: transitionRequest{}, Response: qa.Evaluation{}, Resource: auth.Evaluations, Action: auth.Update})
	}
	s.api.add(g, http.MethodPost, "/qa/evaluations/:id/acknowledge", s.handleEvaluationTransition("acknowledge"), doc{Summary: "The agent acknowledges a released evaluation", Tag: tag, Request: transitionRequest{}, Response: qa.Evaluation{}, Resource: auth.Evaluations, Action: auth.Accept})
	s.api.add(g, http.MethodGet, "/qa/evaluations/:id/history", s.handleEvaluationHistory, doc{Summary: "Every change of the evaluation: who, when, before, after, why", Tag: tag, Response: []store.AuditEvent{}, Resource: auth.Evaluations, Action: auth.Read})
	s.api.add(g, http.MethodPost, "/qa/evaluations/:id/disputes", s.handleCreateDispute, doc{Summary: "Dispute criteria of your released evaluation (within the window, a limited number of times)", Tag: tag, Request: disputeRequest{}, Response: qa.Dispute{}, Status: http.StatusCreated, Resource: auth.Disputes, Action: auth.Create})
	s.api.add(g, http.MethodGet, "/qa/disputes", s.handleListDisputes, doc{Summary: "Disputes you may see (?state=open for the inbox)", Tag: tag, Response: List[qa.Dispute]{}, Resource: auth.Disputes, Action: auth.Read})
	s.api.add(g, http.MethodGet, "/qa/disputes/:id", s.handleGetDispute, doc{Summary: "One dispute", Tag: tag, Response: qa.Dispute{}, Resource: auth.Disputes, Action: auth.Read})
	s.api.add(g, http.MethodPost, "/qa/disputes/:id/decision", s.handleDecideDispute, doc{Summary: "Accept, partly accept or reject a dispute with a reason; the score changes accordingly and is audited", Tag: tag, Request: disputeDecisionRequest{}, Response: qa.Dispute{}, Resource: auth.Disputes, Action: auth.Update})
}

// evalOwner is whose an evaluation is, for object checks.
func evalOwner(e qa.Evaluation) auth.Owner {
	return auth.Owner{AgentID: &e.AgentID, TeamID: e.TeamID}
}

// loadEvaluation finds an evaluation p may take action on. An agent reaches
// only their own, and only once released; calibration entries are reached
// through their session.
func (s *Server) loadEvaluation(ctx context.Context, st *store.Store, p auth.Principal, id int64, action auth.Action) (qa.Evaluation, error) {
	if err := p.Allow(auth.Evaluations, action); err != nil {
		return qa.Evaluation{}, err
	}
	e, err := st.FindEvaluationByID(ctx, id)
	if err != nil {
		return e, err
	}
	if err := p.AllowObject(auth.Evaluations, auth.Read, evalOwner(e)); err != nil {
		return e, err
	}
	if p.User.Role == org.RoleAgent && !slices.Contains(releasedStates, e.State) {
		return e, fault.Errorf(fault.NotFound, "evaluation not found")
	}
	// Calibration entries are blind: each rater reaches only their own here;
	// the session shows the others once its rules allow.
	if e.CalibrationID != nil && e.ReviewerID != p.User.ID && p.User.Role != org.RoleAdmin {
		return e, fault.Errorf(fault.NotFound, "evaluation not found")
	}
	return e, p.AllowObject(auth.Evaluations, action, evalOwner(e))
}

func (s *Server) handleListEvaluations(c echo.Context) error {
	p := principal(c)
	ctx := c.Request().Context()
	f := store.EvaluationFilter{Page: pageOf(c), States: statesParam[qa.EvalState](c)}
	var err error
	if f.AgentIDs, err = s.listScopedAgents(c, auth.Evaluations); err != nil {
		return err
	}
	if p.User.Role == org.RoleAgent {
		if len(f.States) == 0 {
			f.States = releasedStates
		} else {
			f.States = slices.DeleteFunc(f.States, func(st qa.EvalState) bool { return !slices.Contains(releasedStates, st) })
			if len(f.States) == 0 {
				f.AgentIDs = []int64{}
			}
		}
	}
	if c.QueryParam("reviewer") == "me" {
		f.ReviewerID = p.User.ID
	}
	out, total, err := s.store.FindEvaluations(ctx, f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(out, total, f.Page))
}

// newDraft checks that reviewer may evaluate the interaction on the scorecard
// and returns the draft. A reviewer never evaluates their own interaction.
func (s *Server) newDraft(ctx context.Context, ct qa.Contact, sc qa.Scorecard, reviewer org.User, due *time.Time, calibration *int64) (qa.Evaluation, error) {
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

func (s *Server) handleCreateEvaluation(c echo.Context) error {
	p := principal(c)
	if err := p.Allow(auth.Evaluations, auth.Create); err != nil {
		return err
	}
	var req createEvaluationRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	ct, err := s.store.FindContactByID(ctx, req.InteractionID)
	if err != nil {
		return fieldNotFound(err, "interaction_id")
	}
	sc, err := s.store.FindScorecardByID(ctx, req.ScorecardID)
	if err != nil {
		return fieldNotFound(err, "scorecard_id")
	}
	reviewer := p.User
	if req.ReviewerID != 0 && req.ReviewerID != p.User.ID {
		if reviewer, err = s.store.FindUserByID(ctx, req.ReviewerID); err != nil {
			return fieldNotFound(err, "reviewer_id")
		}
	}
	draft, err := s.newDraft(ctx, ct, sc, reviewer, req.DueAt, nil)
	if err != nil {
		return err
	}
	var out []qa.Evaluation
	err = s.store.Tx(ctx, func(tx *store.Store) error {
		if out, err = tx.CreateEvaluations(ctx, []qa.Evaluation{draft}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, store.AuditEvent{ActorID: &p.User.ID, Entity: "evaluation", EntityID: out[0].ID, Action: "assign", After: store.Snapshot(out[0])})
	})
	if err != nil {
		return err
	}
	setETag(c, out[0].Version)
	return c.JSON(http.StatusCreated, out[0])
}

// fieldNotFound names the request field whose record is missing.
func fieldNotFound(err error, field string) error {
	var fe *fault.Error
	if errors.As(err, &fe) && fe.Code == fault.NotFound {
		return &fault.Error{Code: fault.Unprocessable, Message: fe.Message, Fields: map[string]string{field: "names no record you can use"}}
	}
	return err
}

func (s *Server) handleAssign(c echo.Context) error {
	p := principal(c)
	if err := p.Allow(auth.Evaluations, auth.Create); err != nil {
		return err
	}
	var req assignmentRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	bad := fault.Fields{}
	loc, err := time.LoadLocation(req.Timezone)
	if err != nil || req.Timezone == "" {
		bad.Add("timezone", "must be an IANA time zone such as Europe/Berlin")
		loc = time.UTC
	}
	day, err := time.ParseInLocation(time.DateOnly, req.WeekStart, loc)
	if err != nil {
		bad.Add("week_start", "must be a date, YYYY-MM-DD")
	}
	if req.PerAgentPerWeek < 1 || req.PerAgentPerWeek > 100 {
		bad.Add("per_agent_per_week", "must be 1 to 100")
	}
	if len(req.ReviewerIDs) == 0 {
		bad.Add("reviewer_ids", "name at least one reviewer")
	}
	if req.DueAfterDays < 0 || req.DueAfterDays > 60 {
		bad.Add("due_after_days", "must be 0 to 60")
	}
	if len(bad) > 0 {
		return &fault.Error{Code: fault.Invalid, Message: "the assignment plan is not valid", Fields: bad}
	}
	ctx := c.Request().Context()
	sc, err := s.store.FindScorecardByID(ctx, req.ScorecardID)
	if err != nil {
		return fieldNotFound(err, "scorecard_id")
	}
	reviewers := map[string]org.User{}
	plan := qa.SamplePlan{PerAgentPerWeek: req.PerAgentPerWeek, Seed: req.Seed, DueAfter: time.Duration(req.DueAfterDays) * 24 * time.Hour, Filter: req.Filter}
	for _, id := range req.ReviewerIDs {
		u, err := s.store.FindUserByID(ctx, id)
		if err != nil {
			return fieldNotFound(err, "reviewer_ids")
		}
		if u.Role != org.RoleQAReviewer && u.Role != org.RoleAdmin {
			return &fault.Error{Code: fault.Unprocessable, Message: "only QA reviewers and admins evaluate", Fields: map[string]string{"reviewer_ids": u.Email + " is not a QA reviewer"}}
		}
		key := reviewerKey(u)
		reviewers[key] = u
		plan.Reviewers = append(plan.Reviewers, key)
	}
	weekEnd := day.AddDate(0, 0, 7)
	contacts, _, err := s.store.FindContacts(ctx, store.ContactFilter{From: day, To: weekEnd, All: true})
	if err != nil {
		return err
	}
	byExt := map[string]qa.Contact{}
	var pool []qa.Interaction
	for _, ct := range contacts {
		taken, _, err := s.store.FindEvaluations(ctx, store.EvaluationFilter{InteractionID: ct.ID, Page: store.Page{Limit: 1}})
		if err != nil {
			return err
		}
		if len(taken) > 0 {
			continue // already evaluated or assigned
		}
		byExt[ct.ExternalID] = ct
		pool = append(pool, contactInteraction(ct, s.queueName(ctx, ct.QueueID)))
	}
	assigned, err := qa.Sample(plan, pool, day, loc)
	if err != nil {
		return &fault.Error{Code: fault.Unprocessable, Message: err.Error()}
	}
	drafts := make([]qa.Evaluation, 0, len(assigned))
	for _, a := range assigned {
		due := a.Due
		d, err := s.newDraft(ctx, byExt[a.ExternalID], sc, reviewers[a.Reviewer], &due, nil)
		if err != nil {
			return err
		}
		drafts = append(drafts, d)
	}
	var out []qa.Evaluation
	err = s.store.Tx(ctx, func(tx *store.Store) error {
		if out, err = tx.CreateEvaluations(ctx, drafts); err != nil {
			return err
		}
		events := make([]store.AuditEvent, len(out))
		for i, e := range out {
			events[i] = store.AuditEvent{ActorID: &p.User.ID, Entity: "evaluation", EntityID: e.ID, Action: "assign", After: store.Snapshot(e), Reason: "assignment plan"}
		}
		return tx.AppendAudit(ctx, events...)
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, listOf(out, len(out), store.Page{Limit: max(len(out), 1)}))
}

// reviewerKey names a reviewer in a sample plan so that Sample can tell a
// reviewer's own interactions (their agent id) from others'.
func reviewerKey(u org.User) string {
	if u.AgentID != nil {
		return itoa64(*u.AgentID)
	}
	return "user-" + itoa64(u.ID)
}

// contactInteraction is the metrics' view of a stored interaction; agents are
// named by id.
func contactInteraction(ct qa.Contact, queue string) qa.Interaction {
	return qa.Interaction{ExternalID: ct.ExternalID, Channel: ct.Channel, Queue: queue, Agent: itoa64(ct.AgentID), Customer: ct.Customer,
		StartedAt: ct.StartedAt, HandleSeconds: ct.HandleSeconds, ResolutionSeconds: ct.ResolutionSeconds, Resolved: ct.Resolved,
		CSAT: ct.CSAT, NPS: ct.NPS, CES: ct.CES}
}

// queueName returns the name of a queue, or "" when there is none.
func (s *Server) queueName(ctx context.Context, id *int64) string {
	if id == nil {
		return ""
	}
	q, err := s.store.FindQueueByID(ctx, *id)
	if err != nil {
		return ""
	}
	return q.Name
}

func (s *Server) handleGetEvaluation(c echo.Context) error {
	p := principal(c)
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	e, err := s.loadEvaluation(ctx, s.store, p, id, auth.Read)
	if err != nil {
		return err
	}
	view, err := s.evaluationView(ctx, e)
	if err != nil {
		return err
	}
	setETag(c, e.Version)
	return c.JSON(http.StatusOK, view)
}

func (s *Server) evaluationView(ctx context.Context, e qa.Evaluation) (evaluationView, error) {
	sc, err := s.store.FindScorecardByID(ctx, e.ScorecardID)
	if err != nil {
		return evaluationView{}, err
	}
	ct, err := s.store.FindContactByID(ctx, e.InteractionID)
	return evaluationView{Evaluation: e, Scorecard: sc, Interaction: ct}, err
}

// mayScore reports whether p is the evaluation's reviewer or an admin.
func mayScore(p auth.Principal, e qa.Evaluation) error {
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

// answerFault turns answer problems into one Unprocessable error.
func answerFault(err error) error {
	return qaFault(err, fault.Unprocessable, "the answers do not fit the scorecard")
}

func (s *Server) handleScoreEvaluation(c echo.Context) error {
	var req scoreRequest
	id, err := editRequest(c, auth.Evaluations, auth.Update, &req, &req.Version)
	if err != nil {
		return err
	}
	out, err := s.ScoreEvaluation(c.Request().Context(), principal(c), id, req)
	if err != nil {
		return err
	}
	setETag(c, out.Version)
	return c.JSON(http.StatusOK, out)
}

// ScoreEvaluation saves the reviewer's answers and comments. A draft may be
// incomplete; a submitted evaluation needs complete answers and a reason, and
// the change is audited; released ones change only through a dispute.
func (s *Server) ScoreEvaluation(ctx context.Context, p auth.Principal, id int64, req scoreRequest) (qa.Evaluation, error) {
	var out qa.Evaluation
	err := s.store.Tx(ctx, func(tx *store.Store) error {
		e, err := s.loadEvaluation(ctx, tx, p, id, auth.Update)
		if err != nil {
			return err
		}
		if err := mayScore(p, e); err != nil {
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
		if err := readVersion("evaluation", req.Version, e.Version); err != nil {
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
	return answerFault(fe)
}

// scoreSnapshot is what the audit trail keeps of a score.
type scoreSnap struct {
	State   qa.EvalState `json:"state"`
	Answers []qa.Answer  `json:"answers"`
	Total   *float64     `json:"total"`
	Outcome qa.Outcome   `json:"outcome"`
}

func scoreSnapshot(e qa.Evaluation) scoreSnap {
	sn := scoreSnap{State: e.State, Answers: e.Answers}
	if e.Result != nil {
		sn.Total, sn.Outcome = e.Result.Total, e.Result.Outcome
	}
	return sn
}

func (s *Server) handleEvaluationTransition(action string) echo.HandlerFunc {
	want := auth.Update
	if action == qa.ActionAcknowledge {
		want = auth.Accept
	}
	return func(c echo.Context) error {
		id, version, err := readTransition(c, auth.Evaluations, want)
		if err != nil {
			return err
		}
		out, err := s.MoveEvaluation(c.Request().Context(), principal(c), id, action, version)
		if err != nil {
			return err
		}
		setETag(c, out.Version)
		return c.JSON(http.StatusOK, out)
	}
}

// MoveEvaluation takes a life-cycle action (submit, release, acknowledge) on
// the evaluation at version, audited. Submitting needs complete answers and
// sets the score time once; calibration entries are never released.
func (s *Server) MoveEvaluation(ctx context.Context, p auth.Principal, id int64, action string, version int) (qa.Evaluation, error) {
	authAction := auth.Update
	if action == qa.ActionAcknowledge {
		authAction = auth.Accept
	}
	var out qa.Evaluation
	err := s.store.Tx(ctx, func(tx *store.Store) error {
		e, err := s.loadEvaluation(ctx, tx, p, id, authAction)
		if err != nil {
			return err
		}
		if action == qa.ActionSubmit {
			if err := mayScore(p, e); err != nil {
				return err
			}
		}
		if e.CalibrationID != nil && action != qa.ActionSubmit {
			return fault.Errorf(fault.Conflict, "calibration evaluations are never released to agents")
		}
		if err := readVersion("evaluation", version, e.Version); err != nil {
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

func (s *Server) handleEvaluationHistory(c echo.Context) error {
	p := principal(c)
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.loadEvaluation(ctx, s.store, p, id, auth.Read); err != nil {
		return err
	}
	evs, err := s.store.FindAudit(ctx, "evaluation", id)
	if err != nil {
		return err
	}
	if evs == nil {
		evs = []store.AuditEvent{}
	}
	return c.JSON(http.StatusOK, evs)
}

// --- disputes

func (s *Server) disputePolicy() qa.DisputePolicy {
	return qa.DisputePolicy{Window: 14 * 24 * time.Hour, MaxPerEvaluation: 2}
}

func (s *Server) handleCreateDispute(c echo.Context) error {
	var req disputeRequest
	id, err := editRequest(c, auth.Disputes, auth.Create, &req, nil)
	if err != nil {
		return err
	}
	out, err := s.OpenDispute(c.Request().Context(), principal(c), id, req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, out)
}

// OpenDispute records the agent's dispute of criteria of their released
// evaluation, within the window and the limit, and marks it disputed.
func (s *Server) OpenDispute(ctx context.Context, p auth.Principal, id int64, req disputeRequest) (qa.Dispute, error) {
	if err := p.Allow(auth.Disputes, auth.Create); err != nil {
		return qa.Dispute{}, err
	}
	var out qa.Dispute
	err := s.store.Tx(ctx, func(tx *store.Store) error {
		e, err := s.loadEvaluation(ctx, tx, p, id, auth.Read)
		if err != nil {
			return err
		}
		if err := p.AllowObject(auth.Disputes, auth.Create, evalOwner(e)); err != nil {
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
		if err := qa.CanDispute(s.disputePolicy(), *e.ReleasedAt, s.now(), previous); err != nil {
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
			bad.Add("items["+itoa64(int64(i))+"].comment", "say why you dispute it")
		}
	}
	if len(bad) > 0 {
		return &fault.Error{Code: fault.Invalid, Message: "the dispute is not valid", Fields: bad}
	}
	return nil
}

func (s *Server) handleListDisputes(c echo.Context) error {
	ctx := c.Request().Context()
	f := store.DisputeFilter{State: qa.DisputeState(c.QueryParam("state")), Page: pageOf(c)}
	var err error
	if f.AgentIDs, err = s.listScopedAgents(c, auth.Disputes); err != nil {
		return err
	}
	out, total, err := s.store.FindDisputes(ctx, f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(out, total, f.Page))
}

func (s *Server) loadDispute(ctx context.Context, st *store.Store, p auth.Principal, id int64, action auth.Action) (qa.Dispute, qa.Evaluation, error) {
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
	if err := p.AllowObject(auth.Disputes, auth.Read, evalOwner(e)); err != nil {
		return d, e, err
	}
	return d, e, p.AllowObject(auth.Disputes, action, evalOwner(e))
}

func (s *Server) handleGetDispute(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	d, _, err := s.loadDispute(c.Request().Context(), s.store, principal(c), id, auth.Read)
	if err != nil {
		return err
	}
	setETag(c, d.Version)
	return c.JSON(http.StatusOK, d)
}

func (s *Server) handleDecideDispute(c echo.Context) error {
	var req disputeDecisionRequest
	id, err := editRequest(c, auth.Disputes, auth.Update, &req, &req.Version)
	if err != nil {
		return err
	}
	out, err := s.DecideDispute(c.Request().Context(), principal(c), id, req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// DecideDispute accepts, partly accepts or rejects an open dispute with a
// reason; the evaluation is rescored from the decided answers and both
// changes are audited in one transaction.
func (s *Server) DecideDispute(ctx context.Context, p auth.Principal, id int64, req disputeDecisionRequest) (qa.Dispute, error) {
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
		d, e, err := s.loadDispute(ctx, tx, p, id, auth.Update)
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
			return answerFault(err)
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
