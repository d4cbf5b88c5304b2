package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/forecasting"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
)

// forecastRunRequest asks for a forecast run now; it is stored as the
// job run's parameters.
type forecastRunRequest service.ForecastRun

// forecastView is a forecast version with its intervals.
type forecastView struct {
	store.Forecast
	Points []store.ForecastPoint `json:"points"`
}

func (s *API) handleRunForecasts(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.Forecasts, auth.Create); err != nil {
		return err
	}
	var req forecastRunRequest
	if c.Request().ContentLength != 0 {
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	run, err := s.svc.StartForecasts(c.Request().Context(), p, service.ForecastRun(req))
	return acceptedRun(c, run, err)
}

func (s *API) queueParam(c echo.Context) (org.Queue, error) {
	if err := httpx.Principal(c).Allow(auth.Forecasts, auth.Read); err != nil {
		return org.Queue{}, err
	}
	id, err := httpx.IDParam(c)
	if err != nil {
		return org.Queue{}, err
	}
	return s.svc.FindQueueByID(c.Request().Context(), id)
}

func (s *API) handleHistorySummary(c echo.Context) error {
	if err := httpx.Principal(c).Allow(auth.Forecasts, auth.Read); err != nil {
		return err
	}
	sum, err := s.svc.SummarizeHistory(c.Request().Context())
	return sendAll(c, sum, err)
}

// maxHistoryRead is the longest range one history read answers.
const maxHistoryRead = 366 * 24 * time.Hour

func (s *API) handleQueueHistory(c echo.Context) error {
	q, err := s.queueParam(c)
	if err != nil {
		return err
	}
	from, to, err := httpx.TimeRange(c, time.Time{}, time.Time{})
	if err != nil {
		return err
	}
	// One answer holds at most maxHistoryRead of history: unbounded, years
	// of 15-minute points made answers of 100 MB. Without a range it is the
	// newest year the queue has.
	switch {
	case to.IsZero() && !from.IsZero():
		to = from.Add(maxHistoryRead)
	case to.IsZero():
		last, err := s.svc.LastHistoryStart(c.Request().Context(), q.ID)
		if err != nil {
			return err
		}
		to = last.Add(time.Nanosecond)
	}
	if from.IsZero() {
		from = to.Add(-maxHistoryRead)
	}
	if to.Sub(from) > maxHistoryRead {
		return &fault.Error{Code: fault.Invalid, Message: "bad time range", Fields: map[string]string{"to": "must be at most 366 days after from; read longer history a year at a time"}}
	}
	pts, err := s.svc.FindHistory(c.Request().Context(), q.ID, from, to)
	return sendAll(c, pts, err)
}

func (s *API) handleListForecasts(c echo.Context) error {
	q, err := s.queueParam(c)
	if err != nil {
		return err
	}
	page := pageOf(c)
	fs, total, err := s.svc.FindForecasts(c.Request().Context(), q.ID, page)
	return sendList(c, page, fs, total, err)
}

func (s *API) handleGetForecast(c echo.Context) error {
	q, err := s.queueParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	var f store.Forecast
	if v := c.QueryParam("version"); v != "" {
		id, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil {
			return fault.Errorf(fault.Invalid, "version must be a forecast id")
		}
		f, err = s.svc.FindForecastByID(ctx, id)
		if err == nil && f.QueueID != q.ID {
			err = fault.Errorf(fault.NotFound, "forecast not found")
		}
	} else {
		f, err = s.svc.FindLatestForecast(ctx, q.ID)
	}
	if err != nil {
		return err
	}
	from, to, err := httpx.TimeRange(c, time.Time{}, time.Time{})
	if err != nil {
		return err
	}
	pts, err := s.svc.FindForecastPoints(ctx, f.ID, from, to)
	if err != nil {
		return err
	}
	if pts == nil {
		pts = []store.ForecastPoint{}
	}
	return c.JSON(http.StatusOK, forecastView{Forecast: f, Points: pts})
}

// accuracyView is a stored forecast scored against the actuals that arrived;
// numbers are null where nothing happened yet.
type accuracyView struct {
	ForecastID int64                       `json:"forecast_id"`
	Method     string                      `json:"method"`
	Timezone   string                      `json:"timezone"`
	WAPE       *float64                    `json:"wape"`
	Bias       *float64                    `json:"bias"`
	Coverage   *float64                    `json:"band_coverage"`
	Days       []accuracyDay               `json:"days"`
	Intervals  []forecasting.IntervalScore `json:"intervals"`
}

type accuracyDay struct {
	Date     string   `json:"date"`
	Forecast float64  `json:"forecast"`
	Actual   float64  `json:"actual"`
	WAPE     *float64 `json:"wape"`
	Bias     *float64 `json:"bias"`
}

func (s *API) handleForecastAccuracy(c echo.Context) error {
	q, err := s.queueParam(c)
	if err != nil {
		return err
	}
	fid, err := strconv.ParseInt(c.Param("forecast_id"), 10, 64)
	if err != nil {
		return fault.Errorf(fault.NotFound, "forecast not found")
	}
	ctx := c.Request().Context()
	f, err := s.svc.FindForecastByID(ctx, fid)
	if err != nil {
		return err
	}
	if f.QueueID != q.ID {
		return fault.Errorf(fault.NotFound, "forecast not found")
	}
	pts, err := s.svc.FindForecastPoints(ctx, f.ID, time.Time{}, time.Time{})
	if err != nil {
		return err
	}
	hist, err := s.svc.FindHistory(ctx, q.ID, f.StartAt, f.EndAt)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(q.Timezone)
	if err != nil {
		return fault.Wrap(fault.Internal, err, "queue has a bad time zone")
	}
	ivs := make([]forecasting.Interval, len(pts))
	for i, p := range pts {
		ivs[i] = forecasting.Interval{Start: p.StartAt, Forecast: p.Contacts, Lower: p.Lower, Upper: p.Upper}
	}
	acts := make([]forecasting.Actual, len(hist))
	for i, h := range hist {
		acts[i] = forecasting.Actual{Start: h.StartAt, Contacts: h.Contacts}
	}
	sc := forecasting.ScoreForecast(loc, ivs, acts)
	out := accuracyView{ForecastID: f.ID, Method: f.Method, Timezone: q.Timezone, WAPE: service.Finite(sc.WAPE), Bias: service.Finite(sc.Bias),
		Coverage: service.Finite(sc.Coverage), Intervals: sc.Intervals, Days: make([]accuracyDay, len(sc.Days))}
	if out.Intervals == nil {
		out.Intervals = []forecasting.IntervalScore{}
	}
	for i, d := range sc.Days {
		out.Days[i] = accuracyDay{Date: d.Date, Forecast: d.Forecast, Actual: d.Actual, WAPE: service.Finite(d.WAPE), Bias: service.Finite(d.Bias)}
	}
	return c.JSON(http.StatusOK, out)
}
