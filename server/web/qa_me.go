package web

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/service"
)

// webMyQuality handles the "GET /me/quality" page.
func (s *Handler) webMyQuality(c echo.Context) error {
	p := httpx.Principal(c)
	if p.User.AgentID == nil {
		return fault.Errorf(fault.NotFound, "your account is not linked to an agent, so you have no evaluations")
	}
	ctx := c.Request().Context()
	me := []int64{*p.User.AgentID}
	evals, _, err := s.svc.FindEvaluations(ctx, service.EvaluationFilter{AgentIDs: me, States: service.ReleasedStates, Page: service.Page{Limit: 100}})
	if err != nil {
		return err
	}
	slices.Reverse(evals)
	coaching, _, err := s.svc.FindCoaching(ctx, service.CoachingFilter{AgentIDs: me, Page: service.Page{Limit: 100}})
	if err != nil {
		return err
	}
	views := make([]service.CoachingView, len(coaching))
	for i, cs := range coaching {
		full, err := s.svc.FindCoachingByID(ctx, cs.ID)
		if err != nil {
			return err
		}
		views[i] = s.svc.ViewCoaching(p, full)
	}
	slices.Reverse(views)
	pg := s.newPage(c, "My quality")
	if pg.Data["Evaluations"], err = s.evalRows(ctx, evals); err != nil {
		return err
	}
	pg.Data["Coaching"] = views
	return s.render(c, http.StatusOK, "qa_me", pg)
}
