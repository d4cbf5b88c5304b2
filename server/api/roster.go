package api

import (
	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/service"
)

// rosterRequest is the API's body for a rostering run.
type rosterRequest service.Roster

func (s *API) handleRoster(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.Schedules, auth.Create); err != nil {
		return err
	}
	var req rosterRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	run, err := s.svc.StartRoster(c.Request().Context(), p, service.Roster(req))
	return acceptedRun(c, run, err)
}
