package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/service"
)

// todayBlock is one planned activity of the agent's day, on their clock.
type todayBlock struct {
	From, To, Activity string
	Now, Past          bool
}

// todayEpisode is a stretch the agent was out of adherence.
type todayEpisode struct {
	From, To, Planned, Actual string
	Minutes                   int
}

// webMyDay is the agent's own day as it runs: what the published plan has
// them do, what their state is, and their adherence and conformance so far,
// with the stretches out of adherence (longer than the grace).
func (s *Handler) webMyDay(c echo.Context) error {
	p := httpx.Principal(c)
	if p.User.AgentID == nil {
		return fault.Errorf(fault.NotFound, "your account is not linked to an agent, so you have no schedule")
	}
	ctx := c.Request().Context()
	a, err := s.svc.FindAgentByID(ctx, *p.User.AgentID)
	if err != nil {
		return err
	}
	loc := zoneOf(a.Timezone)
	now := s.now()
	l := now.In(loc)
	dayStart := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	rep, err := s.svc.Adherence(ctx, p, service.AdherenceQuery{From: dayStart, To: now, AgentIDs: []int64{a.ID}})
	if err != nil {
		return err
	}
	shifts, err := s.svc.FindShifts(ctx, service.ShiftFilter{AgentIDs: []int64{a.ID}, From: dayStart, To: dayStart.AddDate(0, 0, 1), Published: true})
	if err != nil {
		return err
	}
	var blocks []todayBlock
	for _, sh := range shifts {
		for _, pl := range service.PlannedActivities(sh) {
			blocks = append(blocks, todayBlock{From: pl.Start.In(loc).Format("15:04"), To: pl.End.In(loc).Format("15:04"), Activity: words(string(pl.Activity), ""),
				Past: !pl.End.After(now), Now: !pl.Start.After(now) && pl.End.After(now)})
		}
	}
	pg := s.newPage(c, "My day")
	pg.Zone = a.Timezone
	pg.Data["Blocks"] = blocks
	pg.Data["At"] = l.Format("15:04 MST")
	if len(rep.Agents) > 0 {
		me := rep.Agents[0]
		pg.Data["Me"] = me
		pg.Data["State"] = words(string(me.State), "no state received yet")
		if me.Since != nil {
			pg.Data["Since"] = me.Since.In(loc).Format("15:04")
		}
		var eps []todayEpisode
		for _, e := range me.Episodes {
			eps = append(eps, todayEpisode{From: e.Start.In(loc).Format("15:04"), To: e.End.In(loc).Format("15:04"), Planned: words(string(e.Planned), "off shift"),
				Actual: words(string(e.Actual), "no state"), Minutes: int(e.End.Sub(e.Start).Minutes())})
		}
		pg.Data["Episodes"] = eps
	}
	pg.Data["Grace"] = rep.Grace
	return s.render(c, http.StatusOK, "me_today", pg)
}
