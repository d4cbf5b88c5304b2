package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
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
	f.AgentIDs = ids
	if v := c.QueryParam("agent_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fault.Errorf(fault.Invalid, "agent_id must be a number")
		}
		if f.AgentIDs != nil && !slices.Contains(f.AgentIDs, id) {
			f.AgentIDs = []int64{}
		} else {
			f.AgentIDs = []int64{id}
		}
	}
	out, total, err := s.store.FindTimeOff(ctx, f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(out, total, f.Page))
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
	if req.AgentID == 0 {
		if p.User.AgentID == nil {
			return &fault.Error{Code: fault.Invalid, Message: "invalid request", Fields: map[string]string{"agent_id": "is required (your account is not an agent)"}}
		}
		req.AgentID = *p.User.AgentID
	}
	ctx := c.Request().Context()
	a, err := s.store.FindAgentByID(ctx, req.AgentID)
	if err != nil {
		return err
	}
	if err := p.AllowObject(auth.TimeOff, auth.Create, auth.Owner{AgentID: &a.ID, TeamID: a.TeamID}); err != nil {
		return err
	}
	loc, err := time.LoadLocation(a.Timezone)
	if err != nil {
		return fault.Wrap(fault.Internal, err, "agent has a bad time zone")
	}
	start, end, field, err := calendar.TimeOffSpan(loc, req.FirstDate, req.LastDate, req.From, req.To)
	if err != nil {
		return &fault.Error{Code: fault.Invalid, Message: "invalid time-off request", Fields: map[string]string{field: err.Error()}}
	}
	if len(req.Reason) > 500 {
		return &fault.Error{Code: fault.Invalid, Message: "invalid time-off request", Fields: map[string]string{"reason": "is longer than 500 characters"}}
	}
	r, err := s.store.CreateTimeOff(ctx, calendar.TimeOff{AgentID: a.ID, Start: start, End: end, FullDays: req.From == "",
		Reason: strings.TrimSpace(req.Reason), CreatedByID: p.User.ID})
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
	if err != nil {
		return err
	}
	setETag(c, r.Version)
	return c.JSON(http.StatusOK, v)
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
	decided, err := calendar.Decide(r, req.Approve, httpx.Principal(c).User.ID, s.now(), strings.TrimSpace(req.Note))
	if err != nil {
		return fault.Errorf(fault.Conflict, "%v", err)
	}
	return s.saveTimeOff(c, decided)
}

func (s *API) handleCancelTimeOff(c echo.Context) error {
	r, _, err := s.loadTimeOff(c, auth.Delete)
	if err != nil {
		return err
	}
	cancelled, err := calendar.Cancel(r, s.now())
	if err != nil {
		return fault.Errorf(fault.Conflict, "%v", err)
	}
	return s.saveTimeOff(c, cancelled)
}

func (s *API) saveTimeOff(c echo.Context, r calendar.TimeOff) error {
	saved, err := s.store.SaveTimeOffState(c.Request().Context(), r)
	if err != nil {
		return err
	}
	v, err := s.timeOffView(c, saved)
	if err != nil {
		return err
	}
	setETag(c, saved.Version)
	return c.JSON(http.StatusOK, v)
}
