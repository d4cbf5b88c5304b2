package api

import (
	"context"
	"errors"
	"fmt"
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

// draftRequest creates a draft revision of a shift plan.
type draftRequest struct {
	Name        string           `json:"name"`
	PlanID      int64            `json:"plan_id"` // 0 starts a new plan
	Timezone    string           `json:"timezone"`
	PeriodStart time.Time        `json:"period_start"`
	PeriodEnd   time.Time        `json:"period_end"`
	Shifts      []calendar.Shift `json:"shifts"`
}

// localShift is a shift as an agent reads it: instants plus the same instants
// on the agent's own clock.
type localShift struct {
	calendar.Shift
	Timezone   string       `json:"timezone"`
	StartLocal string       `json:"start_local"`
	EndLocal   string       `json:"end_local"`
	Breaks     []localBreak `json:"breaks"`
}

type localBreak struct {
	calendar.Break
	StartLocal string `json:"start_local"`
	EndLocal   string `json:"end_local"`
}

type publishResponse struct {
	Schedule store.Schedule    `json:"schedule"`
	Changes  []calendar.Change `json:"changes"`
}

// publishRequest accepts a draft's warnings, if it has any.
type publishRequest struct {
	AcceptWarnings bool   `json:"accept_warnings"`
	Reason         string `json:"reason"`
}

type feedResponse struct {
	URL string `json:"url"`
}

func (s *API) handleListSchedules(c echo.Context) error {
	if err := httpx.Principal(c).Allow(auth.Schedules, auth.Read); err != nil {
		return err
	}
	planID, _ := strconv.ParseInt(c.QueryParam("plan_id"), 10, 64)
	f := store.ScheduleFilter{Status: store.ScheduleStatus(c.QueryParam("status")), PlanID: planID, Page: pageOf(c)}
	out, total, err := s.svc.FindSchedules(c.Request().Context(), f)
	return sendList(c, f.Page, out, total, err)
}

func (s *API) handleGetSchedule(c echo.Context) error {
	return sendFound(c, auth.Schedules, s.svc.FindScheduleByID, func(v store.Schedule) int { return v.Version })
}

// handleScheduleShifts lists a revision's shifts; a supervisor sees their
// teams' agents only (the plan's other shifts are not theirs to read).
func (s *API) handleScheduleShifts(c echo.Context) error {
	p := httpx.Principal(c)
	id, err := httpx.AuthorizedID(c, auth.Schedules, auth.Read)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.svc.FindScheduleByID(ctx, id); err != nil {
		return err
	}
	from, to, err := httpx.TimeRange(c, time.Time{}, time.Time{})
	if err != nil {
		return err
	}
	f := store.ShiftFilter{ScheduleID: id, From: from, To: to}
	if a := c.QueryParam("agent_id"); a != "" {
		aid, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			return fault.Errorf(fault.Invalid, "agent_id must be a number")
		}
		f.AgentIDs = []int64{aid}
	}
	scope, err := s.svc.ScopedAgentIDs(ctx, p, p.ScopeOf(auth.Shifts, auth.Read))
	if err != nil {
		return err
	}
	if scope != nil {
		f.AgentIDs = intersect(f.AgentIDs, scope)
	}
	shifts, err := s.svc.FindShifts(ctx, f)
	return sendAll(c, shifts, err)
}

func (s *API) handleCreateDraft(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.Schedules, auth.Create); err != nil {
		return err
	}
	ctx := c.Request().Context()
	var req draftRequest
	var lines []int
	if strings.HasPrefix(c.Request().Header.Get(echo.HeaderContentType), "text/csv") {
		var err error
		if req, lines, err = s.draftFromCSV(ctx, c); err != nil {
			return err
		}
	} else if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sch, err := s.svc.CreateDraft(ctx, p.User.ID, service.Draft(req), lines)
	return sendTagged(c, http.StatusCreated, sch.Version, sch, err)
}

// draftFromCSV reads a schedule file (see service.DraftFromCSV) with the
// draft's name, zone and period from the query.
func (s *API) draftFromCSV(ctx context.Context, c echo.Context) (draftRequest, []int, error) {
	q := c.QueryParams()
	req := draftRequest{Name: q.Get("name"), Timezone: q.Get("timezone")}
	bad := fault.Fields{}
	var err error
	if req.PeriodStart, err = time.Parse(time.RFC3339, q.Get("period_start")); err != nil {
		bad.Add("period_start", "must be an RFC 3339 time, e.g. 2026-01-05T00:00:00-05:00")
	}
	if req.PeriodEnd, err = time.Parse(time.RFC3339, q.Get("period_end")); err != nil {
		bad.Add("period_end", "must be an RFC 3339 time")
	}
	if err := bad.Err("invalid schedule upload"); err != nil {
		return req, nil, err
	}
	d, lines, err := s.svc.DraftFromCSV(ctx, service.Draft(req), c.Request().Body)
	return draftRequest(d), lines, err
}

func (s *API) handlePublish(c echo.Context) error {
	p := httpx.Principal(c)
	id, version, err := authorizedVersion(c, auth.Schedules, auth.Update)
	if err != nil {
		return err
	}
	var req publishRequest
	if c.Request().ContentLength != 0 {
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	ctx := c.Request().Context()
	draft, err := s.svc.FindScheduleByID(ctx, id)
	if err != nil {
		return err
	}
	sch, changes, err := s.svc.Publish(ctx, p, draft, version, req.AcceptWarnings, req.Reason)
	var refused *service.WarningsNotAccepted
	if errors.As(err, &refused) {
		fe := &fault.Error{Code: fault.Unprocessable, Message: refused.Error(), Fields: map[string]string{}}
		for i, w := range refused.Warnings {
			fe.Fields[fmt.Sprintf("warnings[%d].%s", i, w.Rule)] = fmt.Sprintf("agent %d: %s", w.AgentID, w.Message)
		}
		return fe
	}
	if err != nil {
		return err
	}
	if changes == nil {
		changes = []calendar.Change{}
	}
	setETag(c, sch.Version)
	return c.JSON(http.StatusOK, publishResponse{Schedule: sch, Changes: changes})
}

func (s *API) handleAgentShifts(c echo.Context) error {
	id, err := httpx.IDParam(c)
	if err != nil {
		return err
	}
	return s.agentShifts(c, id)
}

func (s *API) handleMyShifts(c echo.Context) error {
	p := httpx.Principal(c)
	if p.User.AgentID == nil {
		return fault.Errorf(fault.NotFound, "your account is not linked to an agent, so you have no shifts")
	}
	return s.agentShifts(c, *p.User.AgentID)
}

func (s *API) agentShifts(c echo.Context, agentID int64) error {
	ctx := c.Request().Context()
	p := httpx.Principal(c)
	if err := p.Allow(auth.Shifts, auth.Read); err != nil {
		return err
	}
	a, err := s.svc.FindAgentByID(ctx, agentID)
	if err != nil {
		return err
	}
	if err := p.AllowObject(auth.Shifts, auth.Read, auth.Owner{AgentID: &a.ID, TeamID: a.TeamID}); err != nil {
		return err
	}
	loc, err := time.LoadLocation(a.Timezone)
	if err != nil {
		return fault.Wrap(fault.Internal, err, "agent has a bad time zone")
	}
	now := s.now().In(loc)
	weekStart := time.Date(now.Year(), now.Month(), now.Day()-int((now.Weekday()+6)%7), 0, 0, 0, 0, loc)
	from, to, err := httpx.TimeRange(c, weekStart, weekStart.AddDate(0, 0, 14))
	if err != nil {
		return err
	}
	out, err := s.localShifts(ctx, a, loc, from, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *API) localShifts(ctx context.Context, a org.Agent, loc *time.Location, from, to time.Time) ([]localShift, error) {
	shifts, err := s.svc.FindShifts(ctx, store.ShiftFilter{AgentIDs: []int64{a.ID}, From: from, To: to, Published: true})
	if err != nil {
		return nil, err
	}
	out := make([]localShift, len(shifts))
	for i, sh := range shifts {
		ls := localShift{Shift: sh, Timezone: a.Timezone, StartLocal: sh.Start.In(loc).Format(time.RFC3339), EndLocal: sh.End.In(loc).Format(time.RFC3339),
			Breaks: make([]localBreak, len(sh.Breaks))}
		for k, b := range sh.Breaks {
			ls.Breaks[k] = localBreak{Break: b, StartLocal: b.Start.In(loc).Format(time.RFC3339), EndLocal: b.End.In(loc).Format(time.RFC3339)}
		}
		out[i] = ls
	}
	return out, nil
}

func (s *API) feedOwner(c echo.Context, action auth.Action) (org.Agent, error) {
	p := httpx.Principal(c)
	if err := p.Allow(auth.CalendarFeeds, action); err != nil {
		return org.Agent{}, err
	}
	id, err := httpx.IDParam(c)
	if err != nil {
		return org.Agent{}, err
	}
	a, err := s.svc.FindAgentByID(c.Request().Context(), id)
	if err != nil {
		return org.Agent{}, err
	}
	return a, p.AllowObject(auth.CalendarFeeds, action, auth.Owner{AgentID: &a.ID, TeamID: a.TeamID})
}

func (s *API) handleResetFeed(c echo.Context) error {
	a, err := s.feedOwner(c, auth.Create)
	if err != nil {
		return err
	}
	secret, err := auth.NewSecret("cal_")
	if err != nil {
		return err
	}
	if err := s.svc.SetCalendarFeed(c.Request().Context(), a.ID, auth.HashSecret(secret)); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, feedResponse{URL: c.Scheme() + "://" + c.Request().Host + "/calendar/" + secret + ".ics"})
}

func (s *API) handleRevokeFeed(c echo.Context) error {
	a, err := s.feedOwner(c, auth.Delete)
	if err != nil {
		return err
	}
	if err := s.svc.DeleteCalendarFeed(c.Request().Context(), a.ID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// handleFeed serves an agent's iCalendar feed to whoever holds its secret URL:
// calendar apps cannot sign in. Published shifts from 30 days back to 90 ahead.
func (s *API) handleFeed(c echo.Context) error {
	ctx := c.Request().Context()
	secret := strings.TrimSuffix(c.Param("token"), ".ics")
	feed, err := s.svc.CalendarFeed(ctx, secret)
	if err != nil {
		return err
	}
	host := c.Request().Host
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	c.Response().Header().Set(echo.HeaderContentType, "text/calendar; charset=utf-8")
	c.Response().Header().Set("Cache-Control", "private, max-age=300")
	c.Response().WriteHeader(http.StatusOK)
	feed.Domain = host
	return calendar.WriteICS(c.Response(), feed)
}

// intersect narrows ids (nil: any) to those in scope; the result is never
// nil, so an empty scope matches nobody.
func intersect(ids, scope []int64) []int64 {
	out := []int64{}
	for _, id := range scope {
		if ids == nil || slices.Contains(ids, id) {
			out = append(out, id)
		}
	}
	return out
}
