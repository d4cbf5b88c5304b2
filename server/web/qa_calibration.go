package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/service"
)

// webCalibration handles the "GET /qa/calibrations/:id" page.
func (s *Handler) webCalibration(c echo.Context) error {
	p := httpx.Principal(c)
	id, err := httpx.AuthorizedID(c, auth.Calibrations, auth.Read)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	cs, err := s.svc.LoadCalibration(ctx, p, id)
	if err != nil {
		return err
	}
	view, err := s.svc.ViewCalibration(ctx, p, cs)
	if err != nil {
		return err
	}
	n, err := s.loadNames(ctx)
	if err != nil {
		return err
	}
	pg := s.newPage(c, "Calibration: "+cs.Name)
	pg.Data["V"] = view
	pg.Data["Names"] = n
	if !view.Blind {
		sc, err := s.svc.FindScorecardByID(ctx, cs.ScorecardID)
		if err != nil {
			return err
		}
		rep := service.BuildCalibrationReport(cs, sc, view.Entries)
		pg.Data["Report"] = rep
	}
	return s.render(c, http.StatusOK, "qa_calibration", pg)
}
