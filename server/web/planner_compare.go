package web

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"time"

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
	f := parseCompareForm(c, queues)
	pg.Data["Schedules"], pg.Data["Queues"], pg.Data["Sides"], pg.Data["Changes"] = plans, queues, nil, nil
	pg.Data["Left"], pg.Data["Right"], pg.Data["QueueID"] = f.Left, f.Right, f.Queue.ID
	if bad := f.Validate(); len(bad) > 0 {
		maps.Copy(pg.Fields, bad)
		return s.render(c, http.StatusBadRequest, "planner_compare", pg)
	}
	loc, err := queueZone(f.Queue)
	if err != nil {
		return err
	}
	pg.Zone = f.Queue.Timezone
	agents, err := s.agentDirectory(ctx)
	if err != nil {
		return err
	}
	sides, shifts, err := s.compareSides(ctx, f, agents, pg.Fields)
	if err != nil {
		return err
	}
	if len(pg.Fields) > 0 {
		return s.render(c, http.StatusBadRequest, "planner_compare", pg)
	}
	changes := s.svc.CompareChanges(shifts[0], shifts[1])
	pg.Data["Sides"] = sides
	pg.Data["Changes"] = changeRows(changes, agents, loc)
	pg.Data["ChangeCount"] = len(changes)
	return s.render(c, http.StatusOK, "planner_compare", pg)
}

// compareForm is the compare page's query: two plan revisions and the
// queue they are measured against (the first queue when none is chosen).
type compareForm struct {
	Left, Right int64
	Queue       org.Queue
	bad         map[string]string
}

func parseCompareForm(c echo.Context, queues []org.Queue) compareForm {
	f := compareForm{bad: map[string]string{}}
	for k, dst := range map[string]*int64{"left": &f.Left, "right": &f.Right} {
		v, err := strconv.ParseInt(c.QueryParam(k), 10, 64)
		if err != nil {
			f.bad[k] = "Choose a plan."
		}
		*dst = v
	}
	qid, _ := strconv.ParseInt(c.QueryParam("queue_id"), 10, 64)
	for _, x := range queues {
		if x.ID == qid || (qid == 0 && f.Queue.ID == 0) {
			f.Queue = x
		}
	}
	return f
}

// Validate returns what is missing from the query, by field.
func (f compareForm) Validate() map[string]string { return f.bad }

// compareSides reads and measures both sides (once when both are the same
// plan); a plan that does not exist is a field error in bad.
func (s *Handler) compareSides(ctx context.Context, f compareForm, agents map[int64]org.Agent, bad map[string]string) ([2]compareSideView, [2][]calendar.Shift, error) {
	var sides [2]compareSideView
	var shifts [2][]calendar.Shift
	for i, id := range []int64{f.Left, f.Right} {
		if i == 1 && f.Right == f.Left && sides[0].Schedule.ID != 0 {
			sides[1], shifts[1] = sides[0], shifts[0]
			continue
		}
		side, sh, err := s.svc.CompareSideOf(ctx, id, agents)
		if fault.Is(err, fault.NotFound) && side.Schedule.ID == 0 {
			bad[[]string{"left", "right"}[i]] = fmt.Sprintf("There is no plan %d.", id)
			continue
		} else if err != nil {
			return sides, shifts, err
		}
		rep, _, err := s.measurePlan(ctx, side.Schedule, f.Queue, sh, agents)
		if err != nil {
			return sides, shifts, err
		}
		shifts[i], sides[i] = sh, compareSideView{CompareSide: side, Report: rep}
	}
	return sides, shifts, nil
}

// changeRows are the first 200 changes in words, on loc's clock.
func changeRows(changes []calendar.Change, agents map[int64]org.Agent, loc *time.Location) []changeRow {
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
	return rows
}
