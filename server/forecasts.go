package server

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/forecasting"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/jobs"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
)

// ForecastInput is what a forecaster gets for one queue.
type ForecastInput struct {
	Queue       org.Queue
	History     []store.HistoryPoint // oldest first, UTC
	SpecialDays []org.SpecialDay
	Horizon     time.Duration
	Method      string
}

// ForecastOutput is one forecast version, ready to store.
type ForecastOutput struct {
	Forecast store.Forecast
	Points   []store.ForecastPoint
}

// Forecaster turns a queue's history into a forecast. The forecasting engine
// is plugged in by cmd/peakwise, keeping the server free of model code.
type Forecaster func(ctx context.Context, in ForecastInput) (ForecastOutput, error)

// ForecastAll forecasts every queue now and waits for the run to finish, for
// the demo's first start. Returns Conflict if the slot was taken.
func (s *Server) ForecastAll(ctx context.Context, slot string) (store.JobRun, error) {
	return s.runner.Run(ctx, jobs.Request{Job: "forecast", Slot: slot}, func(ctx context.Context, p *jobs.Progress) (any, error) {
		return s.runForecasts(ctx, p, forecastRunRequest{})
	})
}

// forecastHistoryWindow is how much history a run reads per queue: the
// methods look back at most 12 weeks before an origin (dshw; the averages 8
// same weekdays), and auto backtests 30 nightly origins with a 7-day horizon
// on top, so 20 weeks cover everything they use.
// Reading years more would only slow the nightly run.
const forecastHistoryWindow = 20 * 7 * 24 * time.Hour

type forecastRunRequest struct {
	QueueIDs []int64 `json:"queue_ids"` // empty: every queue
	Horizon  string  `json:"horizon"`   // e.g. "14d"; default 14d
	Method   string  `json:"method"`    // default auto
}

// forecastRunResult is stored as the job run's result.
type forecastRunResult struct {
	Forecasts map[int64]int64 `json:"forecast_ids"` // queue id -> new forecast version id
}

// forecastView is a forecast version with its intervals.
type forecastView struct {
	store.Forecast
	Points []store.ForecastPoint `json:"points"`
}

func (s *Server) forecastRoutes(g *echo.Group) {
	s.addJob(Job{Name: "forecast", Description: "re-forecast every queue from its stored history and store a new forecast version",
		Spec: s.cfg.ForecastCron, fn: func(ctx context.Context, p *jobs.Progress) (any, error) {
			return s.runForecasts(ctx, p, forecastRunRequest{})
		}})
	s.api.add(g, http.MethodGet, "/history", s.handleHistorySummary, doc{Summary: "What contact history each queue has", Tag: "forecasting", Response: []store.HistorySummary{}, Resource: auth.Forecasts, Action: auth.Read})
	s.api.add(g, http.MethodGet, "/queues/:id/history", s.handleQueueHistory, doc{Summary: "A queue's contact history (?from=, ?to=)", Tag: "forecasting", Response: []store.HistoryPoint{}, Resource: auth.Forecasts, Action: auth.Read})
	s.api.add(g, http.MethodPost, "/forecast-runs", s.handleRunForecasts, doc{Summary: "Forecast some or all queues now; answers at once with the job run to watch", Tag: "forecasting", Request: forecastRunRequest{}, Response: store.JobRun{}, Status: http.StatusAccepted, Resource: auth.Forecasts, Action: auth.Create})
	s.api.add(g, http.MethodGet, "/queues/:id/forecasts", s.handleListForecasts, doc{Summary: "A queue's forecast versions, newest first, with method and backtest accuracy", Tag: "forecasting", Response: List[store.Forecast]{}, Resource: auth.Forecasts, Action: auth.Read})
	s.api.add(g, http.MethodGet, "/queues/:id/forecasts/:forecast_id/accuracy", s.handleForecastAccuracy, doc{Summary: "A stored forecast against the actuals that have arrived: per interval, per local day, overall WAPE, bias and band coverage", Tag: "forecasting", Response: accuracyView{}, Resource: auth.Forecasts, Action: auth.Read})
	s.api.add(g, http.MethodGet, "/queues/:id/forecast", s.handleGetForecast, doc{Summary: "The latest (or ?version=ID) forecast of a queue, its intervals in ?from=..?to=", Tag: "forecasting", Response: forecastView{}, Resource: auth.Forecasts, Action: auth.Read})
}

// runForecasts forecasts the queues with a small worker pool. One failing
// queue is recorded and the others go on; each queue's new version is stored
// atomically, so a run killed half-way leaves every queue with a complete
// latest forecast.
func (s *Server) runForecasts(ctx context.Context, p *jobs.Progress, req forecastRunRequest) (any, error) {
	if s.forecaster == nil {
		return nil, fault.Errorf(fault.Unprocessable, "no forecasting engine is configured in this server")
	}
	horizon := 14 * 24 * time.Hour
	if req.Horizon != "" {
		h, err := parseHorizon(req.Horizon)
		if err != nil {
			return nil, err
		}
		horizon = h
	}
	method := req.Method
	if method == "" {
		method = "auto"
	}
	ids := req.QueueIDs
	if len(ids) == 0 {
		for page := (store.Page{Limit: 500}); ; page.Offset += page.Limit {
			qs, total, err := s.store.FindQueues(ctx, page)
			if err != nil {
				return nil, err
			}
			for _, q := range qs {
				ids = append(ids, q.ID)
			}
			if page.Offset+page.Limit >= total {
				break
			}
		}
	}
	p.SetTotal(len(ids))
	result := forecastRunResult{Forecasts: map[int64]int64{}}
	var mu sync.Mutex
	work := make(chan int64)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range work {
				fid, err := s.forecastQueue(ctx, id, horizon, method, p)
				if err != nil {
					p.Fail(fmt.Sprintf("queue %d", id), err)
					continue
				}
				mu.Lock()
				result.Forecasts[id] = fid
				mu.Unlock()
				p.Done()
			}
		}()
	}
	for _, id := range ids {
		if ctx.Err() != nil {
			break
		}
		work <- id
	}
	close(work)
	wg.Wait()
	return result, ctx.Err()
}

func (s *Server) forecastQueue(ctx context.Context, queueID int64, horizon time.Duration, method string, p *jobs.Progress) (int64, error) {
	q, err := s.store.FindQueueByID(ctx, queueID)
	if err != nil {
		return 0, err
	}
	now := s.now()
	hist, err := s.store.FindHistory(ctx, q.ID, now.Add(-forecastHistoryWindow), time.Time{})
	if err != nil {
		return 0, err
	}
	if len(hist) == 0 {
		return 0, fault.Errorf(fault.Unprocessable, "queue %q has no history to forecast from", q.Name)
	}
	days, _, err := s.store.FindSpecialDays(ctx, store.SpecialDayFilter{QueueID: &q.ID, Page: store.Page{Limit: 500}})
	if err != nil {
		return 0, err
	}
	out, err := s.forecaster(ctx, ForecastInput{Queue: q, History: hist, SpecialDays: days, Horizon: horizon, Method: method})
	if err != nil {
		return 0, err
	}
	out.Forecast.QueueID = q.ID
	out.Forecast.JobRunID = p.RunID()
	f, err := s.store.CreateForecast(ctx, out.Forecast, out.Points)
	return f.ID, err
}

// parseHorizon reads 7d, 36h, 2w as an Invalid error on the horizon field.
func parseHorizon(v string) (time.Duration, error) {
	d, err := forecasting.ParseHorizon(v)
	if err != nil {
		return 0, &fault.Error{Code: fault.Invalid, Message: "bad horizon", Fields: map[string]string{"horizon": err.Error()}}
	}
	return d, nil
}

func (s *Server) handleRunForecasts(c echo.Context) error {
	p := principal(c)
	if err := p.Allow(auth.Forecasts, auth.Create); err != nil {
		return err
	}
	var req forecastRunRequest
	if c.Request().ContentLength != 0 {
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	run, err := s.startForecasts(c.Request().Context(), p, req)
	return acceptedRun(c, run, err)
}

// startForecasts checks the request and starts the forecast job, for the API
// and the web planner alike. Returns Invalid for a bad horizon or an unknown
// queue; nothing is started then.
func (s *Server) startForecasts(ctx context.Context, p auth.Principal, req forecastRunRequest) (store.JobRun, error) {
	if req.Horizon != "" {
		if _, err := parseHorizon(req.Horizon); err != nil {
			return store.JobRun{}, err
		}
	}
	for _, id := range req.QueueIDs {
		if _, err := s.store.FindQueueByID(ctx, id); err != nil {
			return store.JobRun{}, &fault.Error{Code: fault.Invalid, Message: "bad queue list", Fields: map[string]string{"queue_ids": fmt.Sprintf("no queue %d", id)}}
		}
	}
	return s.runner.Start(ctx, jobs.Request{Job: "forecast", Slot: "manual-" + randomHex(8), Params: req, TriggeredBy: &p.User.ID},
		func(ctx context.Context, pr *jobs.Progress) (any, error) { return s.runForecasts(ctx, pr, req) })
}

func (s *Server) queueParam(c echo.Context) (org.Queue, error) {
	if err := principal(c).Allow(auth.Forecasts, auth.Read); err != nil {
		return org.Queue{}, err
	}
	id, err := idParam(c)
	if err != nil {
		return org.Queue{}, err
	}
	return s.store.FindQueueByID(c.Request().Context(), id)
}

func (s *Server) handleHistorySummary(c echo.Context) error {
	if err := principal(c).Allow(auth.Forecasts, auth.Read); err != nil {
		return err
	}
	sum, err := s.store.SummarizeHistory(c.Request().Context())
	if err != nil {
		return err
	}
	if sum == nil {
		sum = []store.HistorySummary{}
	}
	return c.JSON(http.StatusOK, sum)
}

func (s *Server) handleQueueHistory(c echo.Context) error {
	q, err := s.queueParam(c)
	if err != nil {
		return err
	}
	from, to, err := timeRange(c, time.Time{}, time.Time{})
	if err != nil {
		return err
	}
	pts, err := s.store.FindHistory(c.Request().Context(), q.ID, from, to)
	if err != nil {
		return err
	}
	if pts == nil {
		pts = []store.HistoryPoint{}
	}
	return c.JSON(http.StatusOK, pts)
}

func (s *Server) handleListForecasts(c echo.Context) error {
	q, err := s.queueParam(c)
	if err != nil {
		return err
	}
	page := pageOf(c)
	fs, total, err := s.store.FindForecasts(c.Request().Context(), q.ID, page)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(fs, total, page))
}

func (s *Server) handleGetForecast(c echo.Context) error {
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
		f, err = s.store.FindForecastByID(ctx, id)
		if err == nil && f.QueueID != q.ID {
			err = fault.Errorf(fault.NotFound, "forecast not found")
		}
	} else {
		f, err = s.store.FindLatestForecast(ctx, q.ID)
	}
	if err != nil {
		return err
	}
	from, to, err := timeRange(c, time.Time{}, time.Time{})
	if err != nil {
		return err
	}
	pts, err := s.store.FindForecastPoints(ctx, f.ID, from, to)
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

func (s *Server) handleForecastAccuracy(c echo.Context) error {
	q, err := s.queueParam(c)
	if err != nil {
		return err
	}
	fid, err := strconv.ParseInt(c.Param("forecast_id"), 10, 64)
	if err != nil {
		return fault.Errorf(fault.NotFound, "forecast not found")
	}
	ctx := c.Request().Context()
	f, err := s.store.FindForecastByID(ctx, fid)
	if err != nil {
		return err
	}
	if f.QueueID != q.ID {
		return fault.Errorf(fault.NotFound, "forecast not found")
	}
	pts, err := s.store.FindForecastPoints(ctx, f.ID, time.Time{}, time.Time{})
	if err != nil {
		return err
	}
	hist, err := s.store.FindHistory(ctx, q.ID, f.StartAt, f.EndAt)
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
