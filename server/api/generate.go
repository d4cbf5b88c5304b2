package api

import (
	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/service"
)

// Headcount generation: shifts (without agents) that cover one queue's
// requirements, stored as a draft. The planner's web page and the API start
// the same job ("generate-schedule") with the same functions.

// generateRequest is the API's body for a headcount generation run.
type generateRequest service.Generate

func (s *API) handleGenerate(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.Schedules, auth.Create); err != nil {
		return err
	}
	var req generateRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	run, err := s.svc.StartGeneration(c.Request().Context(), p, service.Generate(req))
	return acceptedRun(c, run, err)
}
