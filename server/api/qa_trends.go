package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/service"
)

func (s *API) handleTrends(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.QATrends, auth.Read); err != nil {
		return err
	}
	q, err := httpx.TrendQuery(c)
	if err != nil {
		return err
	}
	out, err := s.svc.Trends(c.Request().Context(), p, q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *API) handleQAMetrics(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.QATrends, auth.Read); err != nil {
		return err
	}
	q, err := httpx.TrendQuery(c)
	if err != nil {
		return err
	}
	agentIDs, teamIDs, _, err := s.svc.TrendScope(c.Request().Context(), p, q)
	if err != nil {
		return err
	}
	from, to, err := s.svc.TrendWindow(q.From, q.To)
	if err != nil {
		return err
	}
	window := 7 * 24 * time.Hour
	if v := c.QueryParam("fcr_window_days"); v != "" {
		d, err := strconv.Atoi(v)
		if err != nil || d < 1 || d > 90 {
			return &fault.Error{Code: fault.Invalid, Message: "bad FCR window", Fields: map[string]string{"fcr_window_days": "must be 1 to 90"}}
		}
		window = time.Duration(d) * 24 * time.Hour
	}
	group := c.QueryParam("group")
	if group == "" {
		group = "agent"
	}
	rows, err := s.svc.QAMetrics(c.Request().Context(), p, service.MetricsQuery{AgentIDs: agentIDs, TeamIDs: teamIDs, From: from, To: to, Window: window, Group: group})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rows)
}

func (s *API) handleReviewerStats(c echo.Context) error {
	if err := httpx.Principal(c).Allow(auth.Calibrations, auth.Read); err != nil {
		return err
	}
	from, to, err := httpx.TimeRange(c, time.Time{}, time.Time{})
	if err != nil {
		return err
	}
	if from, to, err = s.svc.TrendWindow(from, to); err != nil {
		return err
	}
	out, err := s.svc.ReviewerStatsBetween(c.Request().Context(), from, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
