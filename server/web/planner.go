package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
)

type queueRow struct {
	Queue    org.Queue
	History  *service.HistorySummary
	Forecast *service.Forecast
}

func (s *Handler) webPlanner(c echo.Context) error {
	if err := onlyRoles(c, org.RolePlanner, org.RoleAdmin); err != nil {
		return err
	}
	ctx := c.Request().Context()
	queues, _, err := s.svc.FindQueues(ctx, service.Page{Limit: 500})
	if err != nil {
		return err
	}
	sums, err := s.svc.SummarizeHistory(ctx)
	if err != nil {
		return err
	}
	byQueue := map[int64]*service.HistorySummary{}
	for i := range sums {
		byQueue[sums[i].QueueID] = &sums[i]
	}
	rows := make([]queueRow, len(queues))
	for i, q := range queues {
		rows[i] = queueRow{Queue: q, History: byQueue[q.ID]}
		if f, err := s.svc.FindLatestForecast(ctx, q.ID); err == nil {
			rows[i].Forecast = &f
		} else if !fault.Is(err, fault.NotFound) {
			return err
		}
	}
	plans, _, err := s.svc.FindSchedules(ctx, service.ScheduleFilter{Page: service.Page{Limit: 20}})
	if err != nil {
		return err
	}
	pg := s.newPage(c, "Planning")
	pg.Data["Queues"] = rows
	pg.Data["Schedules"] = plans
	return s.render(c, http.StatusOK, "planner", pg)
}

// plannerOnly admits planners and admins, the roles that plan.
func plannerOnly(c echo.Context) error { return onlyRoles(c, org.RolePlanner, org.RoleAdmin) }
