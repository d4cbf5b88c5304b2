package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
)

type swapRequest struct {
	ShiftUID  string     `json:"shift_uid"`
	ToAgentID *int64     `json:"to_agent_id"`
	Note      string     `json:"note"`
	ExpiresAt *time.Time `json:"expires_at"` // default: 12 hours before the shift
}

type swapDecisionResponse struct {
	Swap     calendar.Swap   `json:"swap"`
	Schedule *store.Schedule `json:"schedule,omitempty"` // the revision that published the swap
}

func (s *API) handleListSwaps(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.Swaps, auth.Read); err != nil {
		return err
	}
	ctx := c.Request().Context()
	f := store.SwapFilter{Status: calendar.SwapStatus(c.QueryParam("status")), Page: pageOf(c)}
	scope := p.ScopeOf(auth.Swaps, auth.Read)
	ids, err := s.svc.ScopedAgentIDs(ctx, p, scope)
	if err != nil {
		return err
	}
	f.AgentIDs, f.OpenToo = ids, scope == auth.Own
	out, total, err := s.svc.FindSwaps(ctx, f)
	if err != nil {
		return err
	}
	now := s.now()
	for i := range out {
		out[i] = out[i].Effective(now)
	}
	return c.JSON(http.StatusOK, listOf(out, total, f.Page))
}

func (s *API) handleOfferSwap(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.Swaps, auth.Create); err != nil {
		return err
	}
	var req swapRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sw, err := s.svc.OfferSwap(c.Request().Context(), p, service.SwapOffer(req))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, sw)
}

// loadSwap finds an offer and checks p may act on it as the giver's side.
func (s *API) loadSwap(c echo.Context, action auth.Action) (calendar.Swap, error) {
	p := httpx.Principal(c)
	if err := p.Allow(auth.Swaps, action); err != nil {
		return calendar.Swap{}, err
	}
	id, err := httpx.IDParam(c)
	if err != nil {
		return calendar.Swap{}, err
	}
	return s.svc.LoadSwap(c.Request().Context(), p, id, action)
}

func (s *API) handleAcceptSwap(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.Swaps, auth.Accept); err != nil {
		return err
	}
	if p.User.AgentID == nil {
		return fault.Errorf(fault.Forbidden, "only agents take shifts")
	}
	id, err := httpx.IDParam(c)
	if err != nil {
		return err
	}
	saved, err := s.svc.AcceptSwap(c.Request().Context(), *p.User.AgentID, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, saved)
}

func (s *API) handleDecideSwap(c echo.Context) error {
	sw, err := s.loadSwap(c, auth.Update)
	if err != nil {
		return err
	}
	req, err := readDecision(c)
	if err != nil {
		return err
	}
	if err := service.CheckVersion("offer", req.Version, sw.Version); err != nil {
		return err
	}
	out, err := s.svc.DecideSwap(c.Request().Context(), httpx.Principal(c).User.ID, sw, req.Approve, req.Note)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, swapDecisionResponse(out))
}

func (s *API) handleCancelSwap(c echo.Context) error {
	sw, err := s.loadSwap(c, auth.Delete)
	if err != nil {
		return err
	}
	saved, err := s.svc.CancelSwap(c.Request().Context(), sw)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, saved)
}
