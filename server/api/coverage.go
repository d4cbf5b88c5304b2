package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
)

func (s *API) handleCoverage(c echo.Context) error {
	id, err := httpx.AuthorizedID(c, auth.Schedules, auth.Read)
	if err != nil {
		return err
	}
	queueID, err := strconv.ParseInt(c.QueryParam("queue_id"), 10, 64)
	if err != nil {
		return &fault.Error{Code: fault.Invalid, Message: "name the queue", Fields: map[string]string{"queue_id": "must be a queue id"}}
	}
	runs := 0
	if v := c.QueryParam("simulate"); v != "" {
		if runs, err = strconv.Atoi(v); err != nil || runs < 2 || runs > 1000 {
			return &fault.Error{Code: fault.Invalid, Message: "bad simulation", Fields: map[string]string{"simulate": "must be a number of runs from 2 to 1000"}}
		}
	}
	ctx := c.Request().Context()
	sch, err := s.svc.FindScheduleByID(ctx, id)
	if err != nil {
		return err
	}
	q, err := s.svc.FindQueueByID(ctx, queueID)
	if err != nil {
		return err
	}
	cov, err := s.svc.PlanCoverage(ctx, sch, q, runs)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cov)
}
