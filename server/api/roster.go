package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
)

// rosterRequest is the API's body for a rostering run.
type rosterRequest service.Roster

func (s *API) rosterRoutes(g *echo.Group) {
	s.addJob(Job{Name: service.RosterJob, Description: "roster agents onto queues' requirements into a draft (started from POST /api/v1/schedules/roster)"})
	s.api.add(g, http.MethodPost, "/schedules/roster", s.handleRoster, doc{Summary: "Roster the agents onto the queues' requirements for a period: a background job that leaves a draft; answers with the run to watch",
		Tag: "schedules", Request: rosterRequest{}, Response: store.JobRun{}, Status: http.StatusAccepted, Resource: auth.Schedules, Action: auth.Create, BodyLimit: "4M"})
}

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
