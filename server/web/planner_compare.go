package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
)

// compareSideView is one plan in the comparison page.
type compareSideView struct {
	service.CompareSide
	Report scheduleReport
}

// changeRow is one agent's difference between the two plans.
type changeRow struct {
	Agent         string
	Kind          string
	Before, After string
}

func (s *Handler) webCompare(c echo.Context) error {
	if _, err := plannerMay(c, auth.Schedules, auth.Read); err != nil {
		return err
	}
	ctx := c.Request().Context()
	pg := s.newPage(c, "Compare plans")
	plans, _, err := s.svc.FindSchedules(ctx, service.ScheduleFilter{Page: service.Page{Limit: 50}})
	if err != nil {
		return err
	}
	queues, _, err := s.svc.FindQueues(ctx, service.Page{Limit: 500})
	if err != nil {
		return err
	}
	pg.Data["Schedules"] = plans
	pg.Data["Queues"] = queues
	pg.Data["Sides"] = nil
	pg.Data["Changes"] = nil
	ids := map[string]int64{}
	for _, k := range []string{"left", "right"} {
		v, err := strconv.ParseInt(c.QueryParam(k), 10, 64)
		if err != nil {
			pg.Fields[k] = "Choose a plan."
		}
		ids[k] = v
	}
	qid, _ := strconv.ParseInt(c.QueryParam("queue_id"), 10, 64)
	var q org.Queue
	for _, x := range queues {
		if x.ID == qid || (qid == 0 && q.ID == 0) {
			q = x
		}
	}
	pg.Data["Left"], pg.Data["Right"], pg.Data["QueueID"] = ids["left"], ids["right"], q.ID
	if len(pg.Fields) > 0 {
		return s.render(c, http.StatusBadRequest, "planner_compare", pg)
	}
	loc, err := queueZone(q)
	if err != nil {
		return err
	}
	pg.Zone = q.Timezone
	agents, err := s.agentDirectory(ctx)
	if err != nil {
		return err
	}
	var sides [2]compareSideView
	var shifts [2][]calendar.Shift
	for i, k := range []string{"left", "right"} {
		if i == 1 && ids["right"] == ids["left"] && sides[0].Schedule.ID != 0 {
			// The same plan on both sides: read and measure it once.
			sides[1], shifts[1] = sides[0], shifts[0]
			continue
		}
		side, sh, err := s.svc.CompareSideOf(ctx, ids[k], agents)
		if fault.Is(err, fault.NotFound) && side.Schedule.ID == 0 {
			pg.Fields[k] = fmt.Sprintf("There is no plan %d.", ids[k])
			continue
		} else if err != nil {
			return err
		}
		rep, _, err := s.measurePlan(ctx, side.Schedule, q, sh, agents)
		if err != nil {
			return err
		}
		shifts[i], sides[i] = sh, compareSideView{CompareSide: side, Report: rep}
	}
	if len(pg.Fields) > 0 {
		return s.render(c, http.StatusBadRequest, "planner_compare", pg)
	}
	changes := s.svc.CompareChanges(shifts[0], shifts[1])
	desc := func(sh *calendar.Shift) string {
		if sh == nil {
			return "—"
		}
		return sh.Start.In(loc).Format("Mon 2 Jan 15:04") + "–" + sh.End.In(loc).Format("15:04")
	}
	rows := make([]changeRow, 0, min(len(changes), 200))
	for i, ch := range changes {
		if i == 200 {
			break
		}
		who := agents[ch.AgentID].Name
		if ch.AgentID == 0 {
			who = "Unassigned"
		}
		rows = append(rows, changeRow{Agent: who, Kind: string(ch.Kind), Before: desc(ch.Before), After: desc(ch.After)})
	}
	pg.Data["Sides"] = sides
	pg.Data["Changes"] = rows
	pg.Data["ChangeCount"] = len(changes)
	return s.render(c, http.StatusOK, "planner_compare", pg)
}
