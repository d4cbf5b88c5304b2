package web

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
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

// scorecardForm is the form of qa_scorecard_edit.html; the sections are
// written as JSON. The scorecard's own rules are checked by the use case.
type scorecardForm struct {
	Scorecard qa.Scorecard // without its sections when SectionsJSON does not read
	// SectionsJSON is the sections as typed, shown again after an error.
	SectionsJSON string
	sectionsErr  error
}

func parseScorecardForm(c echo.Context) scorecardForm {
	f := scorecardForm{SectionsJSON: c.FormValue("sections")}
	f.Scorecard = qa.Scorecard{Name: strings.TrimSpace(c.FormValue("name")), AutoFailZeroes: c.FormValue("auto_fail_zeroes") == "on"}
	f.Scorecard.PassThreshold, _ = strconv.Atoi(c.FormValue("pass_threshold"))
	f.Scorecard.Revision, _ = strconv.Atoi(c.FormValue("revision"))
	f.sectionsErr = json.Unmarshal([]byte(f.SectionsJSON), &f.Scorecard.Sections)
	return f
}

// Validate names the sections field when it is not JSON.
func (f scorecardForm) Validate() fault.Fields {
	bad := fault.Fields{}
	if f.sectionsErr != nil {
		bad.Add("sections", "%s", f.sectionsErr.Error())
	}
	return bad
}

// webSaveScorecard handles the "POST /qa/scorecards/:id/edit" page.
func (s *Handler) webSaveScorecard(c echo.Context) error {
	p := httpx.Principal(c)
	pg := s.newPage(c, "Edit scorecard")
	form := parseScorecardForm(c)
	sc := form.Scorecard
	pg.Data["SectionsJSON"] = form.SectionsJSON
	if bad := form.Validate(); len(bad) > 0 {
		pg.Error = "The sections are not valid JSON."
		maps.Copy(pg.Fields, bad)
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
