package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
)

// timeOffRequest asks for full days (first_date..last_date) or part of one
// day (first_date with from and to), in the agent's own time zone.
type timeOffRequest struct {
	AgentID   int64  `json:"agent_id"` // 0: the signed-in agent
	FirstDate string `json:"first_date"`
	LastDate  string `json:"last_date"`
	From      string `json:"from"`
	To        string `json:"to"`
	Reason    string `json:"reason"`
}

// decisionRequest approves or rejects a request or offer; the version may come as If-Match.
type decisionRequest struct {
	Approve bool   `json:"approve"`
	Note    string `json:"note"`
	Version int    `json:"version"`
}

// readDecision decodes a decision and settles the version it is based on.
func readDecision(c echo.Context) (decisionRequest, error) {
	var req decisionRequest
	if err := decodeJSON(c, &req); err != nil {
		return req, err
	}
	v, err := expectedVersion(c, req.Version)
	req.Version = v
	return req, err
}

// timeOffView is a request with the published shifts it collides with.
type timeOffView struct {
	calendar.TimeOff
	Conflicts []calendar.Shift `json:"conflicts"`
}

func (s *API) handleListTimeOff(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.TimeOff, auth.Read); err != nil {
		return err
	}
	ctx := c.Request().Context()
	f := store.TimeOffFilter{Status: calendar.TimeOffStatus(c.QueryParam("status")), Page: pageOf(c)}
	ids, err := s.svc.ScopedAgentIDs(ctx, p, p.ScopeOf(auth.TimeOff, auth.Read))
	if err != nil {
		return err
	}
	if f.AgentIDs, err = narrowToAgent(c, ids); err != nil {
		return err
	}
	out, total, err := s.svc.FindTimeOff(ctx, f)
	return sendList(c, f.Page, out, total, err)
}

func (s *API) loadTimeOff(c echo.Context, action auth.Action) (calendar.TimeOff, org.Agent, error) {
	p := httpx.Principal(c)
	if err := p.Allow(auth.TimeOff, action); err != nil {
		return calendar.TimeOff{}, org.Agent{}, err
	}
	id, err := httpx.IDParam(c)
	if err != nil {
		return calendar.TimeOff{}, org.Agent{}, err
	}
	return s.svc.LoadTimeOff(c.Request().Context(), p, id, action)
}

func (s *API) timeOffView(c echo.Context, r calendar.TimeOff) (timeOffView, error) {
	v, err := s.svc.ViewTimeOff(c.Request().Context(), r)
	return timeOffView(v), err
}

func (s *API) handleCreateTimeOff(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.TimeOff, auth.Create); err != nil {
		return err
	}
	var req timeOffRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := s.svc.RequestTimeOff(c.Request().Context(), p, service.TimeOffRequest(req))
	if err != nil {
		return err
	}
	v, err := s.timeOffView(c, r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, v)
}

func (s *API) handleGetTimeOff(c echo.Context) error {
	r, _, err := s.loadTimeOff(c, auth.Read)
	if err != nil {
		return err
	}
	v, err := s.timeOffView(c, r)
	return sendTagged(c, http.StatusOK, r.Version, v, err)
}

func (s *API) handleDecideTimeOff(c echo.Context) error {
	r, _, err := s.loadTimeOff(c, auth.Update)
	if err != nil {
		return err
	}
	req, err := readDecision(c)
	if err != nil {
		return err
	}
	if err := service.CheckVersion("time-off request", req.Version, r.Version); err != nil {
		return err
	}
	saved, err := s.svc.DecideTimeOff(c.Request().Context(), httpx.Principal(c).User.ID, r, req.Approve, req.Note)
	return s.savedTimeOff(c, saved, err)
}

func (s *API) handleCancelTimeOff(c echo.Context) error {
	r, _, err := s.loadTimeOff(c, auth.Delete)
	if err != nil {
		return err
	}
	saved, err := s.svc.CancelTimeOff(c.Request().Context(), r)
	return s.savedTimeOff(c, saved, err)
}

// savedTimeOff answers a decision or cancellation with the saved request.
func (s *API) savedTimeOff(c echo.Context, saved calendar.TimeOff, err error) error {
	if err != nil {
		return err
	}
	v, err := s.timeOffView(c, saved)
	return sendTagged(c, http.StatusOK, saved.Version, v, err)
}
