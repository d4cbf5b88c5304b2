package server

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// qaWebRoutes registers the quality pages: the reviewer's queue and forms,
// calibration, coaching, trends and scorecards, and the agent's and
// supervisor's views. They call the same services as the API.
func (s *Server) qaWebRoutes(g *echo.Group) {
	g.GET("/qa", s.webQA)
	g.GET("/qa/evaluations/:id", s.webEvaluation)
	g.POST("/qa/evaluations/:id", s.webSaveEvaluation)
	g.POST("/qa/evaluations/:id/preview", s.webPreviewScore)
	g.POST("/qa/evaluations/:id/dispute", s.webDispute)
	g.POST("/qa/disputes/:id/decide", s.webDecideDispute)
	g.GET("/qa/coaching/new", s.webNewCoaching)
	g.POST("/qa/coaching", s.webCreateCoaching)
	g.GET("/qa/coaching/:id", s.webCoaching)
	g.POST("/qa/coaching/:id", s.webCoachingAction)
	g.GET("/qa/calibrations/:id", s.webCalibration)
	g.GET("/qa/trends", s.webTrends)
	g.GET("/qa/scorecards", s.webScorecards)
	g.GET("/qa/scorecards/:id/edit", s.webEditScorecard)
	g.POST("/qa/scorecards/:id/edit", s.webSaveScorecard)
	g.GET("/me/quality", s.webMyQuality)
	g.GET("/team/quality", s.webTeamQuality)
}

// names maps user and agent ids to display names for a page.
type names struct {
	Users  map[int64]string
	Agents map[int64]string
}

func (s *Server) loadNames(ctx context.Context) (names, error) {
	n := names{Users: map[int64]string{}, Agents: map[int64]string{}}
	agents, err := s.svc.AllAgents(ctx)
	if err != nil {
		return n, err
	}
	for _, a := range agents {
		n.Agents[a.ID] = a.Name
	}
	users, _, err := s.store.FindUsers(ctx, store.UserFilter{Page: store.Page{Limit: 500}})
	for _, u := range users {
		n.Users[u.ID] = u.Name
	}
	return n, err
}

// evalRow is an evaluation in a list.
type evalRow struct {
	qa.Evaluation
	Agent, Reviewer string
	Overdue         bool
}

func (s *Server) evalRows(ctx context.Context, es []qa.Evaluation) ([]evalRow, error) {
	n, err := s.loadNames(ctx)
	rows := make([]evalRow, len(es))
	for i, e := range es {
		rows[i] = evalRow{Evaluation: e, Agent: n.Agents[e.AgentID], Reviewer: n.Users[e.ReviewerID],
			Overdue: e.State == qa.EvalDraft && e.DueAt != nil && e.DueAt.Before(s.now())}
	}
	return rows, err
}

// webQA handles the "GET /qa" page.
func (s *Server) webQA(c echo.Context) error {
	if err := onlyRoles(c, org.RoleQAReviewer, org.RoleAdmin); err != nil {
		return err
	}
	p := principal(c)
	ctx := c.Request().Context()
	pg := s.newPage(c, "Quality")
	s.qaNav(&pg, p)
	queue, _, err := s.store.FindEvaluations(ctx, store.EvaluationFilter{ReviewerID: p.User.ID, States: []qa.EvalState{qa.EvalDraft}, Page: store.Page{Limit: 200}})
	if err != nil {
		return err
	}
	slices.SortFunc(queue, func(a, b qa.Evaluation) int { return compareDue(a.DueAt, b.DueAt) })
	toRelease, _, err := s.store.FindEvaluations(ctx, store.EvaluationFilter{States: []qa.EvalState{qa.EvalSubmitted}, Page: store.Page{Limit: 200}})
	if err != nil {
		return err
	}
	disputes, _, err := s.store.FindDisputes(ctx, store.DisputeFilter{State: qa.DisputeOpen, Page: store.Page{Limit: 200}})
	if err != nil {
		return err
	}
	calibrations, _, err := s.store.FindCalibrations(ctx, store.Page{Limit: 50})
	if err != nil {
		return err
	}
	overdue, _, err := s.store.FindCoaching(ctx, store.CoachingFilter{States: []qa.CoachingState{qa.CoachingPlanned}, DueBefore: s.now(), Page: store.Page{Limit: 100}})
	if err != nil {
		return err
	}
	n, err := s.loadNames(ctx)
	if err != nil {
		return err
	}
	if pg.Data["Queue"], err = s.evalRows(ctx, queue); err != nil {
		return err
	}
	if pg.Data["ToRelease"], err = s.evalRows(ctx, toRelease); err != nil {
		return err
	}
	pg.Data["Disputes"] = disputes
	pg.Data["Calibrations"] = calibrations
	pg.Data["Overdue"] = overdue
	pg.Data["Names"] = n
	return s.render(c, http.StatusOK, "qa", pg)
}

func compareDue(a, b *time.Time) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return a.Compare(*b)
}

// qaNav adds the quality pages a role uses to the navigation.
func (s *Server) qaNav(pg *page, p auth.Principal) {
	switch p.User.Role {
	case org.RoleQAReviewer, org.RoleAdmin:
		pg.Nav = append(pg.Nav, link{"/qa/trends", "Trends"}, link{"/qa/scorecards", "Scorecards"})
	case org.RoleSupervisor:
		pg.Nav = append(pg.Nav, link{"/team/quality", "Team quality"}, link{"/qa/trends", "Trends"})
	case org.RoleAgent:
		pg.Nav = append(pg.Nav, link{"/me/quality", "My quality"})
	}
}
