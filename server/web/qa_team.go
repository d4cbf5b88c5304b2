package web

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
)

// webTeamQuality handles the "GET /team/quality" page.
func (s *Handler) webTeamQuality(c echo.Context) error {
	if err := onlyRoles(c, org.RoleSupervisor, org.RoleAdmin); err != nil {
		return err
	}
	p := httpx.Principal(c)
	ctx := c.Request().Context()
	ids, err := s.svc.ScopedAgentIDs(ctx, p, p.ScopeOf(auth.Evaluations, auth.Read))
	if err != nil {
		return err
	}
	evals, _, err := s.svc.FindEvaluations(ctx, service.EvaluationFilter{AgentIDs: ids, States: service.ReleasedStates, Page: service.Page{Limit: 100}})
	if err != nil {
		return err
	}
	slices.Reverse(evals)
	overdue, _, err := s.svc.FindCoaching(ctx, service.CoachingFilter{AgentIDs: ids, States: []qa.CoachingState{qa.CoachingPlanned}, DueBefore: s.now(), Page: service.Page{Limit: 100}})
	if err != nil {
		return err
	}
	upcoming, _, err := s.svc.FindCoaching(ctx, service.CoachingFilter{AgentIDs: ids, States: []qa.CoachingState{qa.CoachingPlanned, qa.CoachingHeld}, Page: service.Page{Limit: 100}})
	if err != nil {
		return err
	}
	disputes, _, err := s.svc.FindDisputes(ctx, service.DisputeFilter{AgentIDs: ids, State: qa.DisputeOpen, Page: service.Page{Limit: 100}})
	if err != nil {
		return err
	}
	n, err := s.loadNames(ctx)
	if err != nil {
		return err
	}
	pg := s.newPage(c, "Team quality")
	if pg.Data["Evaluations"], err = s.evalRows(ctx, evals); err != nil {
		return err
	}
	pg.Data["Overdue"] = overdue
	pg.Data["Coaching"] = upcoming
	cs, err := s.allCriteria(ctx)
	if err != nil {
		return err
	}
	pg.Data["Disputes"] = disputeViews(cs, disputes)
	pg.Data["Names"] = n
	// The supervisor's teams by name, for their trends links.
	teams := make([]org.Team, 0, len(p.TeamIDs))
	for _, id := range p.TeamIDs {
		t, err := s.svc.FindTeamByID(ctx, id)
		if err != nil {
			return err
		}
		teams = append(teams, t)
	}
	pg.Data["Teams"] = teams
	return s.render(c, http.StatusOK, "qa_team", pg)
}
