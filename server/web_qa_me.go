package server

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
)

// webMyQuality handles the "GET /me/quality" page.
func (s *Server) webMyQuality(c echo.Context) error {
	p := principal(c)
	if p.User.AgentID == nil {
		return fault.Errorf(fault.NotFound, "your account is not linked to an agent, so you have no evaluations")
	}
	ctx := c.Request().Context()
	me := []int64{*p.User.AgentID}
	evals, _, err := s.store.FindEvaluations(ctx, store.EvaluationFilter{AgentIDs: me, States: service.ReleasedStates, Page: store.Page{Limit: 100}})
	if err != nil {
		return err
	}
	slices.Reverse(evals)
	coaching, _, err := s.store.FindCoaching(ctx, store.CoachingFilter{AgentIDs: me, Page: store.Page{Limit: 100}})
	if err != nil {
		return err
	}
	views := make([]coachingView, len(coaching))
	for i, cs := range coaching {
		full, err := s.store.FindCoachingByID(ctx, cs.ID)
		if err != nil {
			return err
		}
		views[i] = s.viewCoaching(p, full)
	}
	slices.Reverse(views)
	pg := s.newPage(c, "My quality")
	s.qaNav(&pg, p)
	if pg.Data["Evaluations"], err = s.evalRows(ctx, evals); err != nil {
		return err
	}
	pg.Data["Coaching"] = views
	return s.render(c, http.StatusOK, "qa_me", pg)
}
