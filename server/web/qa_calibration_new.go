package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/service"
)

// calibrationForm is the form of qa_calibration_new.html: a session's name,
// scorecard, interactions, reviewers and (optional) calibrator. A number
// that is not one reads as none, which the use case refuses by its field.
type calibrationForm struct {
	Name           string
	ScorecardID    int64
	InteractionIDs []int64
	ReviewerIDs    []int64
	CalibratorID   int64 // 0: none, the reference is the consensus
}

// formIDs reads form values as ids, skipping what is not one.
func formIDs(vals []string) []int64 {
	var out []int64
	for _, v := range vals {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func parseCalibrationForm(c echo.Context) calibrationForm {
	_, _ = c.FormParams() // parse the body once, for Request().Form
	f := calibrationForm{Name: c.FormValue("name"), InteractionIDs: formIDs(c.Request().Form["interaction"]), ReviewerIDs: formIDs(c.Request().Form["reviewer"])}
	f.ScorecardID, _ = strconv.ParseInt(c.FormValue("scorecard_id"), 10, 64)
	f.CalibratorID, _ = strconv.ParseInt(c.FormValue("calibrator_id"), 10, 64)
	return f
}

// input is the use case's input.
func (f calibrationForm) input() service.CalibrationInput {
	in := service.CalibrationInput{Name: f.Name, ScorecardID: f.ScorecardID, InteractionIDs: f.InteractionIDs, ReviewerIDs: f.ReviewerIDs}
	if f.CalibratorID != 0 {
		in.CalibratorID = &f.CalibratorID
	}
	return in
}

// webNewCalibration handles the "GET /qa/calibrations/new" page; the
// interactions picked on the interactions page come as ?interaction=.
func (s *Handler) webNewCalibration(c echo.Context) error {
	p := httpx.Principal(c)
	form := calibrationForm{InteractionIDs: formIDs(c.QueryParams()["interaction"]), ReviewerIDs: []int64{p.User.ID}}
	return s.renderNewCalibration(c, http.StatusOK, s.newPage(c, "New calibration session"), form)
}

func (s *Handler) renderNewCalibration(c echo.Context, status int, pg page, form calibrationForm) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.Calibrations, auth.Create); err != nil {
		return err
	}
	ctx := c.Request().Context()
	// The picked interactions first, then the newest others to pick from.
	var shown []qa.Contact
	for _, id := range form.InteractionIDs {
		ct, err := s.svc.FindContactByID(ctx, id)
		if err != nil {
			continue // gone since it was picked; the use case names it if it is still sent
		}
		shown = append(shown, ct)
	}
	recent, _, err := s.svc.FindContacts(ctx, service.ContactFilter{Newest: true, Page: service.Page{Limit: 20}})
	if err != nil {
		return err
	}
	for _, ct := range recent {
		if !slices.Contains(form.InteractionIDs, ct.ID) {
			shown = append(shown, ct)
		}
	}
	reviewers, err := s.reviewers(ctx)
	if err != nil {
		return err
	}
	cards, _, err := s.svc.FindScorecards(ctx, service.ScorecardFilter{Page: service.Page{Limit: 500}})
	if err != nil {
		return err
	}
	if form.ScorecardID == 0 && len(cards) > 0 {
		form.ScorecardID = cards[0].ID
	}
	n, err := s.loadNames(ctx)
	if err != nil {
		return err
	}
	pg.Data["Form"], pg.Data["Interactions"], pg.Data["Reviewers"], pg.Data["Scorecards"], pg.Data["Names"] = form, shown, reviewers, cards, n
	return s.render(c, status, "qa_calibration_new", pg)
}

// webCreateCalibration handles the "POST /qa/calibrations" page: it opens
// the session and shows it, or shows the form again with the errors next
// to the fields.
func (s *Handler) webCreateCalibration(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.Calibrations, auth.Create); err != nil {
		return err
	}
	pg := s.newPage(c, "New calibration session")
	form := parseCalibrationForm(c)
	out, err := s.svc.OpenCalibration(c.Request().Context(), p, form.input())
	if err != nil {
		if webFault(&pg, err, nil) {
			return s.renderNewCalibration(c, http.StatusUnprocessableEntity, pg, form)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/qa/calibrations/%d?done=%s", out.ID, url.QueryEscape("Calibration session opened: every rater has a draft for each interaction.")))
}
