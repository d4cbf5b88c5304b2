package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/httpx"
)

// webEditScorecard handles the "GET /qa/scorecards/:id/edit" page.
func (s *Handler) webEditScorecard(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.Scorecards, auth.Update); err != nil {
		return err
	}
	pg := s.newPage(c, "Edit scorecard")
	if c.Param("id") == "new" {
		sc := qa.Scorecard{Name: "", PassThreshold: 80, Sections: []qa.Section{{Key: "section", Title: "Section", Weight: 1,
			Criteria: []qa.Criterion{{Key: "criterion", Title: "Criterion", Weight: 1, Scale: qa.YesNo}}}}}
		return s.renderScorecardForm(c, http.StatusOK, pg, sc)
	}
	id, err := httpx.IDParam(c)
	if err != nil {
		return err
	}
	sc, err := s.svc.FindScorecardByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return s.renderScorecardForm(c, http.StatusOK, pg, sc)
}

func (s *Handler) renderScorecardForm(c echo.Context, status int, pg page, sc qa.Scorecard) error {
	if _, ok := pg.Data["SectionsJSON"]; !ok {
		b, _ := json.MarshalIndent(sc.Sections, "", "  ")
		pg.Data["SectionsJSON"] = string(b)
	}
	pg.Data["S"] = sc
	return s.render(c, status, "qa_scorecard_edit", pg)
}

// webSaveScorecard handles the "POST /qa/scorecards/:id/edit" page.
func (s *Handler) webSaveScorecard(c echo.Context) error {
	p := httpx.Principal(c)
	pg := s.newPage(c, "Edit scorecard")
	threshold, _ := strconv.Atoi(c.FormValue("pass_threshold"))
	revision, _ := strconv.Atoi(c.FormValue("revision"))
	sc := qa.Scorecard{Name: strings.TrimSpace(c.FormValue("name")), PassThreshold: threshold, AutoFailZeroes: c.FormValue("auto_fail_zeroes") == "on", Revision: revision}
	pg.Data["SectionsJSON"] = c.FormValue("sections")
	if err := json.Unmarshal([]byte(c.FormValue("sections")), &sc.Sections); err != nil {
		pg.Error = "The sections are not valid JSON."
		pg.Fields["sections"] = err.Error()
		return s.renderScorecardForm(c, http.StatusBadRequest, pg, sc)
	}
	var out qa.Scorecard
	var err error
	if c.Param("id") == "new" {
		out, err = s.svc.CreateScorecard(c.Request().Context(), p, sc)
	} else {
		if sc.ID, err = httpx.IDParam(c); err != nil {
			return err
		}
		out, err = s.svc.UpdateScorecard(c.Request().Context(), p, sc)
	}
	if err != nil {
		if webFault(&pg, err, nil) {
			return s.renderScorecardForm(c, http.StatusUnprocessableEntity, pg, sc)
		}
		return err
	}
	msg := fmt.Sprintf("Saved %s, version %d.", out.Name, out.Version)
	return c.Redirect(http.StatusSeeOther, "/qa/scorecards?done="+url.QueryEscape(msg))
}
