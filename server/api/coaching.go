package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
)

// coachingView is a session as the caller may see it, with the overdue flag.
type coachingView struct {
	qa.CoachingSession
	Overdue bool     `json:"overdue"`
	Actions []string `json:"actions"`
}

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

// plan is the use case's input.
func (r coachingRequest) plan() service.CoachingPlan {
	out := service.CoachingPlan{AgentID: r.AgentID, EvaluationID: r.EvaluationID, Criteria: r.Criteria, FollowUpOf: r.FollowUpOf,
		Topic: r.Topic, Goals: r.Goals, DueAt: r.DueAt}
	for _, n := range r.Notes {
		out.Notes = append(out.Notes, service.CoachingNote(n))
	}
	return out
}

func (s *API) viewCoaching(p auth.Principal, c qa.CoachingSession) coachingView {
	return coachingView(s.svc.ViewCoaching(p, c))
}

func (s *API) handleCreateCoaching(c echo.Context) error {
	// Refuse before reading the body: a role that may not act learns nothing more.
	if err := httpx.Principal(c).Allow(auth.Coaching, auth.Create); err != nil {
		return err
	}
	var req coachingRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p := httpx.Principal(c)
	out, err := s.svc.PlanCoaching(c.Request().Context(), p, req.plan())
	if err != nil {
		return err
	}
	setETag(c, out.Version)
	return c.JSON(http.StatusCreated, s.viewCoaching(p, out))
}

func (s *API) handleListCoaching(c echo.Context) error {
	p := httpx.Principal(c)
	ctx := c.Request().Context()
	f := store.CoachingFilter{Page: pageOf(c), States: statesParam[qa.CoachingState](c)}
	var err error
	if f.AgentIDs, err = s.listScopedAgents(c, auth.Coaching); err != nil {
		return err
	}
	if c.QueryParam("overdue") == "true" {
		f.States, f.DueBefore = []qa.CoachingState{qa.CoachingPlanned}, s.now()
	}
	out, total, err := s.svc.FindCoaching(ctx, f)
	if err != nil {
		return err
	}
	views := make([]coachingView, len(out))
	for i, cs := range out {
		views[i] = s.viewCoaching(p, cs)
	}
	return c.JSON(http.StatusOK, listOf(views, total, f.Page))
}

func (s *API) handleGetCoaching(c echo.Context) error {
	p := httpx.Principal(c)
	id, err := httpx.IDParam(c)
	if err != nil {
		return err
	}
	cs, err := s.svc.GetCoaching(c.Request().Context(), p, id, auth.Read)
	if err != nil {
		return err
	}
	setETag(c, cs.Version)
	return c.JSON(http.StatusOK, s.viewCoaching(p, cs))
}

func (s *API) handleAddCoachingNote(c echo.Context) error {
	var req noteRequest
	id, err := editRequest(c, auth.Coaching, auth.Update, &req, nil)
	if err != nil {
		return err
	}
	p := httpx.Principal(c)
	out, err := s.svc.AddCoachingNote(c.Request().Context(), p, id, service.CoachingNote(req))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, s.viewCoaching(p, out))
}

func (s *API) handleCoachingTransition(action string) echo.HandlerFunc {
	want := auth.Update
	if action == qa.ActionAcknowledge {
		want = auth.Accept
	}
	return func(c echo.Context) error {
		id, version, err := readTransition(c, auth.Coaching, want)
		if err != nil {
			return err
		}
		p := httpx.Principal(c)
		out, err := s.svc.MoveCoaching(c.Request().Context(), p, id, action, version)
		if err != nil {
			return err
		}
		setETag(c, out.Version)
		return c.JSON(http.StatusOK, s.viewCoaching(p, out))
	}
}
