package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
)

// disputeRequest is an agent's objection to criteria of a released evaluation.
type disputeRequest struct {
	Items   []qa.DisputeItem `json:"items"`
	Comment string           `json:"comment"`
}

// disputeDecisionRequest settles a dispute: accept takes every proposed
// value, partial the values in accepted, reject none.
type disputeDecisionRequest struct {
	Decision string          `json:"decision"`
	Accepted map[string]*int `json:"accepted"`
	Reason   string          `json:"reason"`
	Version  int             `json:"version"`
}

func (s *API) handleCreateDispute(c echo.Context) error {
	var req disputeRequest
	id, err := editRequest(c, auth.Disputes, auth.Create, &req, nil)
	if err != nil {
		return err
	}
	out, err := s.svc.OpenDispute(c.Request().Context(), httpx.Principal(c), id, service.DisputeInput(req))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, out)
}

func (s *API) handleListDisputes(c echo.Context) error {
	ctx := c.Request().Context()
	f := store.DisputeFilter{State: qa.DisputeState(c.QueryParam("state")), Page: pageOf(c)}
	var err error
	if f.AgentIDs, err = s.listScopedAgents(c, auth.Disputes); err != nil {
		return err
	}
	out, total, err := s.svc.FindDisputes(ctx, f)
	return sendList(c, f.Page, out, total, err)
}

func (s *API) handleGetDispute(c echo.Context) error {
	id, err := httpx.IDParam(c)
	if err != nil {
		return err
	}
	d, _, err := s.svc.GetDispute(c.Request().Context(), httpx.Principal(c), id, auth.Read)
	return sendTagged(c, http.StatusOK, d.Version, d, err)
}

func (s *API) handleDecideDispute(c echo.Context) error {
	var req disputeDecisionRequest
	id, err := editRequest(c, auth.Disputes, auth.Update, &req, &req.Version)
	if err != nil {
		return err
	}
	out, err := s.svc.DecideDispute(c.Request().Context(), httpx.Principal(c), id, service.DisputeDecision(req))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
