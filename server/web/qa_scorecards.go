package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/service"
)

// webScorecards handles the "GET /qa/scorecards" page.
func (s *Handler) webScorecards(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.Scorecards, auth.Read); err != nil {
		return err
	}
	ctx := c.Request().Context()
	all, _, err := s.svc.FindScorecards(ctx, service.ScorecardFilter{IncludeArchived: true, Page: service.Page{Limit: 200}})
	if err != nil {
		return err
	}
	type family struct {
		Latest   qa.Scorecard
		Versions []qa.Scorecard
	}
	var fams []family
	for _, sc := range all {
		vs, _, err := s.svc.FindScorecards(ctx, service.ScorecardFilter{FamilyID: sc.FamilyID, Page: service.Page{Limit: 100}})
		if err != nil {
			return err
		}
		fams = append(fams, family{Latest: sc, Versions: vs})
	}
	pg := s.newPage(c, "Scorecards")
	pg.Data["Families"] = fams
	pg.Data["CanEdit"] = p.Allow(auth.Scorecards, auth.Update) == nil
	return s.render(c, http.StatusOK, "qa_scorecards", pg)
}
