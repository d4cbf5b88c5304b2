package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
)

func (s *API) handleRequirements(c echo.Context) error {
	id, err := httpx.AuthorizedID(c, auth.Requirements, auth.Read)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	q, err := s.svc.FindQueueByID(ctx, id)
	if err != nil {
		return err
	}
	var forecastID int64
	if v := c.QueryParam("forecast"); v != "" {
		if forecastID, err = strconv.ParseInt(v, 10, 64); err != nil {
			return fault.Errorf(fault.Invalid, "forecast must be a forecast id")
		}
	}
	from, to, err := httpx.TimeRange(c, time.Time{}, time.Time{})
	if err != nil {
		return err
	}
	req, err := s.svc.QueueRequirements(ctx, q, forecastID, from, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, req)
}
