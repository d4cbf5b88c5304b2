package api

import (
	"net/http"
	"strings"
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
	out, total, err := s.store.FindSwaps(ctx, f)
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
	ctx := c.Request().Context()
	sh, sch, err := s.store.FindPublishedShiftByUID(ctx, req.ShiftUID)
	if fault.Is(err, fault.NotFound) {
		return &fault.Error{Code: fault.Invalid, Message: "invalid swap offer", Fields: map[string]string{"shift_uid": "no published shift has this uid"}}
	} else if err != nil {
		return err
	}
	if sh.AgentID == 0 {
		return &fault.Error{Code: fault.Invalid, Message: "invalid swap offer", Fields: map[string]string{"shift_uid": "the shift has no agent"}}
	}
	giver, err := s.store.FindAgentByID(ctx, sh.AgentID)
	if err != nil {
		return err
	}
	if err := p.AllowObject(auth.Swaps, auth.Create, auth.Owner{AgentID: &giver.ID, TeamID: giver.TeamID}); err != nil {
		return err
	}
	now := s.now()
	expires := sh.Start.Add(-calendar.DefaultSwapExpiry)
	if req.ExpiresAt != nil {
		expires = *req.ExpiresAt
	}
	f := fault.Fields{}
	if !sh.Start.After(now) {
		f.Add("shift_uid", "the shift has already started")
	}
	if !expires.After(now) || expires.After(sh.Start) {
		f.Add("expires_at", "must be in the future and no later than the shift's start (%s)", sh.Start.Format(time.RFC3339))
	}
	if req.ToAgentID != nil {
		if *req.ToAgentID == giver.ID {
			f.Add("to_agent_id", "cannot be the agent who offers the shift")
		} else if _, err := s.store.FindAgentByID(ctx, *req.ToAgentID); fault.Is(err, fault.NotFound) {
			f.Add("to_agent_id", "no such agent")
		}
	}
	if len(req.Note) > 500 {
		f.Add("note", "is longer than 500 characters")
	}
	if err := f.Err("invalid swap offer"); err != nil {
		return err
	}
	sw, err := s.store.CreateSwap(ctx, calendar.Swap{ShiftUID: sh.UID, PlanID: sch.PlanID, FromAgentID: giver.ID, ToAgentID: req.ToAgentID,
		Note: strings.TrimSpace(req.Note), ExpiresAt: expires})
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
	ctx := c.Request().Context()
	sw, err := s.store.FindSwapByID(ctx, id)
	if err != nil {
		return sw, err
	}
	giver, err := s.store.FindAgentByID(ctx, sw.FromAgentID)
	if err != nil {
		return sw, err
	}
	return sw, p.AllowObject(auth.Swaps, action, auth.Owner{AgentID: &giver.ID, TeamID: giver.TeamID})
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
	ctx := c.Request().Context()
	sw, err := s.store.FindSwapByID(ctx, id)
	if err != nil {
		return err
	}
	if sw.ToAgentID != nil && *sw.ToAgentID != *p.User.AgentID && sw.FromAgentID != *p.User.AgentID {
		return fault.Errorf(fault.NotFound, "swap offer not found")
	}
	accepted, err := calendar.Accept(sw, *p.User.AgentID, s.now())
	if err != nil {
		return fault.Errorf(fault.Conflict, "%v", err)
	}
	sh, _, err := s.store.FindPublishedShiftByUID(ctx, sw.ShiftUID)
	if err != nil {
		return fault.Errorf(fault.Conflict, "the shift is no longer published as offered")
	}
	if err := service.CheckTaker(ctx, s.store, sh, *p.User.AgentID); err != nil {
		return err
	}
	saved, err := s.store.SaveSwapState(ctx, accepted)
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
	p := httpx.Principal(c)
	ctx := c.Request().Context()
	now := s.now()
	decided, err := calendar.DecideSwap(sw, req.Approve, p.User.ID, now, strings.TrimSpace(req.Note))
	if err != nil {
		return fault.Errorf(fault.Conflict, "%v", err)
	}
	resp := swapDecisionResponse{}
	err = s.store.Tx(ctx, func(tx *store.Store) error {
		if decided.Status == calendar.SwapApproved {
			sch, err := s.svc.PublishSwap(ctx, tx, decided, p.User.ID, now)
			if err != nil {
				return err
			}
			resp.Schedule = &sch
		}
		saved, err := tx.SaveSwapState(ctx, decided)
		resp.Swap = saved
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, resp)
}

func (s *API) handleCancelSwap(c echo.Context) error {
	sw, err := s.loadSwap(c, auth.Delete)
	if err != nil {
		return err
	}
	cancelled, err := calendar.CancelSwap(sw, s.now())
	if err != nil {
		return fault.Errorf(fault.Conflict, "%v", err)
	}
	saved, err := s.store.SaveSwapState(c.Request().Context(), cancelled)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, saved)
}
