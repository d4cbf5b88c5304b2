package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/service"
)

// calibrationRequest opens a session: every reviewer (and the calibrator, if
// named) scores every interaction on the scorecard, blind.
type calibrationRequest struct {
	Name           string  `json:"name"`
	ScorecardID    int64   `json:"scorecard_id"`
	InteractionIDs []int64 `json:"interaction_ids"`
	ReviewerIDs    []int64 `json:"reviewer_ids"`
	CalibratorID   *int64  `json:"calibrator_id"`
}

// calibrationView is a session with the entries the caller may see: their
// own always, everyone's once they have submitted all of theirs (or the
// session is closed).
type calibrationView struct {
	qa.CalibrationSession
	Entries   []qa.Evaluation `json:"entries"`
	Blind     bool            `json:"blind"` // true while others' entries are hidden from you
	Submitted map[string]int  `json:"submitted"`
}

func (s *API) handleCreateCalibration(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.Calibrations, auth.Create); err != nil {
		return err
	}
	var req calibrationRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	out, err := s.svc.OpenCalibration(ctx, p, service.CalibrationInput(req))
	if err != nil {
		return err
	}
	view, err := s.calibrationView(ctx, p, out)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, view)
}

func (s *API) handleListCalibrations(c echo.Context) error {
	if err := httpx.Principal(c).Allow(auth.Calibrations, auth.Read); err != nil {
		return err
	}
	pg := pageOf(c)
	out, total, err := s.svc.FindCalibrations(c.Request().Context(), pg)
	return sendList(c, pg, out, total, err)
}

func (s *API) calibrationView(ctx context.Context, p auth.Principal, cs qa.CalibrationSession) (calibrationView, error) {
	v, err := s.svc.ViewCalibration(ctx, p, cs)
	return calibrationView(v), err
}

func (s *API) loadCalibration(c echo.Context) (qa.CalibrationSession, error) {
	if err := httpx.Principal(c).Allow(auth.Calibrations, auth.Read); err != nil {
		return qa.CalibrationSession{}, err
	}
	id, err := httpx.IDParam(c)
	if err != nil {
		return qa.CalibrationSession{}, err
	}
	return s.svc.LoadCalibration(c.Request().Context(), httpx.Principal(c), id)
}

func (s *API) handleGetCalibration(c echo.Context) error {
	cs, err := s.loadCalibration(c)
	if err != nil {
		return err
	}
	view, err := s.calibrationView(c.Request().Context(), httpx.Principal(c), cs)
	return sendTagged(c, http.StatusOK, cs.Version, view, err)
}

func (s *API) handleCalibrationReport(c echo.Context) error {
	p := httpx.Principal(c)
	cs, err := s.loadCalibration(c)
	if err != nil {
		return err
	}
	rep, err := s.svc.CalibrationReportFor(c.Request().Context(), p, cs)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}

func (s *API) handleCloseCalibration(c echo.Context) error {
	p := httpx.Principal(c)
	id, version, err := readTransition(c, auth.Calibrations, auth.Update)
	if err != nil {
		return err
	}
	out, err := s.svc.CloseCalibration(c.Request().Context(), p, id, version)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
