package api

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
)

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

func (s *API) handleListEvaluations(c echo.Context) error {
	p := httpx.Principal(c)
	ctx := c.Request().Context()
	f := store.EvaluationFilter{Page: pageOf(c), States: statesParam[qa.EvalState](c)}
	var err error
	if f.AgentIDs, err = s.listScopedAgents(c, auth.Evaluations); err != nil {
		return err
	}
	if p.User.Role == org.RoleAgent {
		if len(f.States) == 0 {
			f.States = service.ReleasedStates
		} else {
			f.States = slices.DeleteFunc(f.States, func(st qa.EvalState) bool { return !slices.Contains(service.ReleasedStates, st) })
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

func (s *API) handleCreateEvaluation(c echo.Context) error {
	p := httpx.Principal(c)
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
		return fault.NotFoundField(err, "interaction_id")
	}
	sc, err := s.store.FindScorecardByID(ctx, req.ScorecardID)
	if err != nil {
		return fault.NotFoundField(err, "scorecard_id")
	}
	reviewer := p.User
	if req.ReviewerID != 0 && req.ReviewerID != p.User.ID {
		if reviewer, err = s.store.FindUserByID(ctx, req.ReviewerID); err != nil {
			return fault.NotFoundField(err, "reviewer_id")
		}
	}
	draft, err := s.svc.NewDraft(ctx, ct, sc, reviewer, req.DueAt, nil)
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

func (s *API) handleAssign(c echo.Context) error {
	p := httpx.Principal(c)
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
		return fault.NotFoundField(err, "scorecard_id")
	}
	reviewers := map[string]org.User{}
	plan := qa.SamplePlan{PerAgentPerWeek: req.PerAgentPerWeek, Seed: req.Seed, DueAfter: time.Duration(req.DueAfterDays) * 24 * time.Hour, Filter: req.Filter}
	for _, id := range req.ReviewerIDs {
		u, err := s.store.FindUserByID(ctx, id)
		if err != nil {
			return fault.NotFoundField(err, "reviewer_ids")
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
		pool = append(pool, service.ContactInteraction(ct, s.queueName(ctx, ct.QueueID)))
	}
	assigned, err := qa.Sample(plan, pool, day, loc)
	if err != nil {
		return &fault.Error{Code: fault.Unprocessable, Message: err.Error()}
	}
	drafts := make([]qa.Evaluation, 0, len(assigned))
	for _, a := range assigned {
		due := a.Due
		d, err := s.svc.NewDraft(ctx, byExt[a.ExternalID], sc, reviewers[a.Reviewer], &due, nil)
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

// queueName returns the name of a queue, or "" when there is none.
func (s *API) queueName(ctx context.Context, id *int64) string {
	if id == nil {
		return ""
	}
	q, err := s.store.FindQueueByID(ctx, *id)
	if err != nil {
		return ""
	}
	return q.Name
}

func (s *API) handleGetEvaluation(c echo.Context) error {
	p := httpx.Principal(c)
	id, err := httpx.IDParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	e, err := s.svc.LoadEvaluation(ctx, s.store, p, id, auth.Read)
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

func (s *API) evaluationView(ctx context.Context, e qa.Evaluation) (evaluationView, error) {
	v, err := s.svc.ViewEvaluation(ctx, e)
	return evaluationView(v), err
}

func (s *API) handleScoreEvaluation(c echo.Context) error {
	var req scoreRequest
	id, err := editRequest(c, auth.Evaluations, auth.Update, &req, &req.Version)
	if err != nil {
		return err
	}
	out, err := s.svc.ScoreEvaluation(c.Request().Context(), httpx.Principal(c), id, service.Score(req))
	if err != nil {
		return err
	}
	setETag(c, out.Version)
	return c.JSON(http.StatusOK, out)
}

func (s *API) handleEvaluationTransition(action string) echo.HandlerFunc {
	want := auth.Update
	if action == qa.ActionAcknowledge {
		want = auth.Accept
	}
	return func(c echo.Context) error {
		id, version, err := readTransition(c, auth.Evaluations, want)
		if err != nil {
			return err
		}
		out, err := s.svc.MoveEvaluation(c.Request().Context(), httpx.Principal(c), id, action, version)
		if err != nil {
			return err
		}
		setETag(c, out.Version)
		return c.JSON(http.StatusOK, out)
	}
}

func (s *API) handleEvaluationHistory(c echo.Context) error {
	p := httpx.Principal(c)
	id, err := httpx.IDParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.svc.LoadEvaluation(ctx, s.store, p, id, auth.Read); err != nil {
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
