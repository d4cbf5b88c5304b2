package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
)

// Headcount generation: shifts (without agents) that cover one queue's
// requirements, stored as a draft. The planner's web page and the API start
// the same job ("generate-schedule") with the same functions.

// generateRequest is the API's body for a headcount generation run.
type generateRequest service.Generate

// generateRoutes registers headcount generation and the shift template sets
// it can start from.
func (s *API) generateRoutes(g *echo.Group) {
	s.templateRoutes(g)
	s.api.add(g, http.MethodPost, "/schedules/generate", s.handleGenerate, doc{Summary: "Generate shifts (headcount, no agents) that cover a queue's requirements for a period from inline templates or a stored set: " +
		"a background job that leaves a draft; answers with the run to watch. The run's result has the draft's id and its cost, coverage and stress report; " +
		"read more with GET /schedules/{id}/coverage?queue_id=&simulate=",
		Tag: "schedules", Request: generateRequest{}, Response: store.JobRun{}, Status: http.StatusAccepted, Resource: auth.Schedules, Action: auth.Create, BodyLimit: "4M"})
}

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
