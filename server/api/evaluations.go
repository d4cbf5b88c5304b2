package api

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
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
	out, total, err := s.svc.FindEvaluations(ctx, f)
	return sendList(c, f.Page, out, total, err)
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
	out, err := s.svc.AssignEvaluation(c.Request().Context(), p, service.EvaluationAssignment(req))
	return sendTagged(c, http.StatusCreated, out.Version, out, err)
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
	out, err := s.svc.AssignSample(c.Request().Context(), p, service.SampleAssignment(req))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, listOf(out, len(out), store.Page{Limit: max(len(out), 1)}))
}

func (s *API) handleGetEvaluation(c echo.Context) error {
	p := httpx.Principal(c)
	id, err := httpx.IDParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	e, err := s.svc.GetEvaluation(ctx, p, id, auth.Read)
	if err != nil {
		return err
	}
	view, err := s.evaluationView(ctx, e)
	return sendTagged(c, http.StatusOK, e.Version, view, err)
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
	return sendTagged(c, http.StatusOK, out.Version, out, err)
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
	if _, err := s.svc.GetEvaluation(ctx, p, id, auth.Read); err != nil {
		return err
	}
	evs, err := s.svc.FindAudit(ctx, "evaluation", id)
	return sendAll(c, evs, err)
}
