package web

import (
	"errors"
	"maps"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/service"
)

func (s *Handler) webMe(c echo.Context) error {
	p := httpx.Principal(c)
	if p.User.AgentID == nil {
		return fault.Errorf(fault.NotFound, "your account is not linked to an agent, so you have no schedule")
	}
	pg := s.newPage(c, "My week")
	if secret := s.takeOnce(c, onceFeed, "/me"); secret != "" {
		pg.Data["FeedURL"] = c.Scheme() + "://" + c.Request().Host + "/calendar/" + secret + ".ics"
	}
	return s.renderMe(c, http.StatusOK, pg)
}

// meShift is a row of the agent's week: a shift that has passed, is going
// on, or is ahead.
type meShift struct {
	calendar.Shift
	Past, Now bool
}

func (s *Handler) renderMe(c echo.Context, status int, pg page) error {
	ctx := c.Request().Context()
	a, err := s.svc.FindAgentByID(ctx, *httpx.Principal(c).User.AgentID)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(a.Timezone)
	if err != nil {
		return fault.Wrap(fault.Internal, err, "agent has a bad time zone")
	}
	now := s.now().In(loc)
	weekStart := time.Date(now.Year(), now.Month(), now.Day()-int((now.Weekday()+6)%7), 0, 0, 0, 0, loc)
	shifts, err := s.svc.FindShifts(ctx, service.ShiftFilter{AgentIDs: []int64{a.ID}, From: weekStart, To: weekStart.AddDate(0, 0, 14), Published: true})
	if err != nil {
		return err
	}
	// In time order, the days that have passed marked as such.
	sort.Slice(shifts, func(i, j int) bool { return shifts[i].Start.Before(shifts[j].Start) })
	rows := make([]meShift, len(shifts))
	for i, sh := range shifts {
		rows[i] = meShift{Shift: sh, Past: !sh.End.After(s.now()), Now: !sh.Start.After(s.now()) && sh.End.After(s.now())}
	}
	off, _, err := s.svc.FindTimeOff(ctx, service.TimeOffFilter{AgentIDs: []int64{a.ID}, Page: service.Page{Limit: 50}})
	if err != nil {
		return err
	}
	pg.Zone = a.Timezone
	pg.Data["Shifts"] = rows
	offRows := make([]timeOffRow, len(off))
	for i, r := range off {
		offRows[i] = timeOffRow{TimeOff: r, CanCancel: (r.Status == calendar.TimeOffPending || r.Status == calendar.TimeOffApproved) && r.Start.After(s.now())}
	}
	pg.Data["TimeOff"] = offRows
	if _, ok := pg.Data["TimeOffForm"]; !ok {
		pg.Data["TimeOffForm"] = timeOffForm{}
	}
	if _, ok := pg.Data["FeedURL"]; !ok {
		pg.Data["FeedURL"] = ""
	}
	return s.render(c, status, "me", pg)
}

// timeOffRow is one of the agent's requests, with whether they may still
// cancel it (it has not begun).
type timeOffRow struct {
	calendar.TimeOff
	CanCancel bool
}

// timeOffForm is the "request time off" form of me.html: whole days, or
// part of one day.
// Its dates are checked by the use case, which names the bad fields.
type timeOffForm struct {
	FirstDate, LastDate, Reason string
	// From and To (HH:MM on the agent's clock) ask for part of one day.
	From, To string
}

func parseTimeOffForm(c echo.Context) timeOffForm {
	return timeOffForm{FirstDate: c.FormValue("first_date"), LastDate: c.FormValue("last_date"), Reason: c.FormValue("reason"),
		From: strings.TrimSpace(c.FormValue("from")), To: strings.TrimSpace(c.FormValue("to"))}
}

func (s *Handler) webRequestTimeOff(c echo.Context) error {
	p := httpx.Principal(c)
	if p.User.AgentID == nil {
		return fault.Errorf(fault.NotFound, "your account is not linked to an agent")
	}
	form := parseTimeOffForm(c)
	_, err := s.svc.RequestTimeOff(c.Request().Context(), p, service.TimeOffRequest{AgentID: *p.User.AgentID,
		FirstDate: form.FirstDate, LastDate: form.LastDate, From: form.From, To: form.To, Reason: form.Reason})
	var fe *fault.Error
	if errors.As(err, &fe) && (fe.Code == fault.Invalid || fe.Code == fault.Conflict) && len(fe.Fields) > 0 {
		pg := s.newPage(c, "My week")
		maps.Copy(pg.Fields, fe.Fields)
		pg.Data["TimeOffForm"] = form
		status := http.StatusBadRequest
		if fe.Code == fault.Conflict {
			status = http.StatusConflict
		}
		return s.renderMe(c, status, pg)
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/me?done=Time-off+requested.")
}

// webCancelTimeOff withdraws one of the agent's own requests that has not
// begun (pending or approved), then shows their week again.
func (s *Handler) webCancelTimeOff(c echo.Context) error {
	p := httpx.Principal(c)
	id, err := httpx.IDParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	r, _, err := s.svc.LoadTimeOff(ctx, p, id, auth.Delete)
	if err != nil {
		return err
	}
	msg := "Time off cancelled."
	if _, err := s.svc.CancelTimeOff(ctx, r); fault.Is(err, fault.Conflict) {
		msg = "Not cancelled: " + err.Error()
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/me?done="+url.QueryEscape(msg))
}

func (s *Handler) webResetFeed(c echo.Context) error {
	p := httpx.Principal(c)
	if p.User.AgentID == nil {
		return fault.Errorf(fault.NotFound, "your account is not linked to an agent")
	}
	secret, err := auth.NewSecret("cal_")
	if err != nil {
		return err
	}
	if err := s.svc.SetCalendarFeed(c.Request().Context(), *p.User.AgentID, auth.HashSecret(secret)); err != nil {
		return err
	}
	return s.redirectShowingOnce(c, onceFeed, "/me", secret, "New calendar address made; the old one no longer works.")
}
