package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
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

// plannerMay checks that the caller is a planner (or an admin) who may take
// action on res, and returns the caller.
func plannerMay(c echo.Context, res auth.Resource, action auth.Action) (auth.Principal, error) {
	if err := plannerOnly(c); err != nil {
		return auth.Principal{}, err
	}
	p := httpx.Principal(c)
	return p, p.Allow(res, action)
}

// plannerRecord is plannerMay for a page about one record: it also reads
// the :id path parameter.
func plannerRecord(c echo.Context, res auth.Resource, action auth.Action) (auth.Principal, int64, error) {
	p, err := plannerMay(c, res, action)
	if err != nil {
		return p, 0, err
	}
	id, err := httpx.IDParam(c)
	return p, id, err
}

// queueZone is the queue's time zone, in which its days and intervals are
// counted. Returns Internal for a zone the store should never have taken.
func queueZone(q org.Queue) (*time.Location, error) {
	loc, err := time.LoadLocation(q.Timezone)
	if err != nil {
		return nil, fault.Wrap(fault.Internal, err, "queue has a bad time zone")
	}
	return loc, nil
}

// plannerID admits planners and admins and reads the :id path parameter.
func plannerID(c echo.Context) (int64, error) {
	if err := plannerOnly(c); err != nil {
		return 0, err
	}
	return httpx.IDParam(c)
}
