package server

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
)

// webTeamQuality handles the "GET /team/quality" page.
func (s *Server) webTeamQuality(c echo.Context) error {
	if err := onlyRoles(c, org.RoleSupervisor, org.RoleAdmin); err != nil {
		return err
	}
	p := principal(c)
	ctx := c.Request().Context()
	ids, err := s.svc.ScopedAgentIDs(ctx, p, p.ScopeOf(auth.Evaluations, auth.Read))
	if err != nil {
		return err
	}
	evals, _, err := s.store.FindEvaluations(ctx, store.EvaluationFilter{AgentIDs: ids, States: service.ReleasedStates, Page: store.Page{Limit: 100}})
	if err != nil {
		return err
	}
	slices.Reverse(evals)
	overdue, _, err := s.store.FindCoaching(ctx, store.CoachingFilter{AgentIDs: ids, States: []qa.CoachingState{qa.CoachingPlanned}, DueBefore: s.now(), Page: store.Page{Limit: 100}})
	if err != nil {
		return err
	}
	upcoming, _, err := s.store.FindCoaching(ctx, store.CoachingFilter{AgentIDs: ids, States: []qa.CoachingState{qa.CoachingPlanned, qa.CoachingHeld}, Page: store.Page{Limit: 100}})
	if err != nil {
		return err
	}
	disputes, _, err := s.store.FindDisputes(ctx, store.DisputeFilter{AgentIDs: ids, State: qa.DisputeOpen, Page: store.Page{Limit: 100}})
	if err != nil {
		return err
	}
	n, err := s.loadNames(ctx)
	if err != nil {
		return err
	}
	pg := s.newPage(c, "Team quality")
	s.qaNav(&pg, p)
	if pg.Data["Evaluations"], err = s.evalRows(ctx, evals); err != nil {
		return err
	}
	pg.Data["Overdue"] = overdue
	pg.Data["Coaching"] = upcoming
	pg.Data["Disputes"] = disputes
	pg.Data["Names"] = n
	pg.Data["TeamIDs"] = p.TeamIDs
	return s.render(c, http.StatusOK, "qa_team", pg)
}
