package service

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/peakwise/peakwise/forecasting"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/jobs"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// ForecastRun asks for a forecast of some or all queues. It is stored as the
// job run's parameters, hence the JSON names.
type ForecastRun struct {
	QueueIDs []int64 `json:"queue_ids"` // empty: every queue
	Horizon  string  `json:"horizon"`   // e.g. "14d"; default 14d
	Method   string  `json:"method"`    // default auto
}

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
func (s *Service) ForecastAll(ctx context.Context, slot string) (store.JobRun, error) {
	return s.runner.Run(ctx, jobs.Request{Job: ForecastJob, Slot: slot}, func(ctx context.Context, p *jobs.Progress) (any, error) {
		return s.RunForecasts(ctx, p, ForecastRun{})
	})
}

// forecastHistoryWindow is how much history a run reads per queue: the
// methods look back at most 12 weeks before an origin (dshw; the averages 8
// same weekdays), and auto backtests 30 nightly origins with a 7-day horizon
// on top, so 20 weeks cover everything they use.
// Reading years more would only slow the nightly run.
const forecastHistoryWindow = 20 * 7 * 24 * time.Hour

// ForecastRunResult is stored as the job run's result.
type ForecastRunResult struct {
	Forecasts map[int64]int64 `json:"forecast_ids"` // queue id -> new forecast version id
}

// RunForecasts forecasts the queues with a small worker pool. One failing
// queue is recorded and the others go on; each queue's new version is stored
// atomically, so a run killed half-way leaves every queue with a complete
// latest forecast.
func (s *Service) RunForecasts(ctx context.Context, p *jobs.Progress, req ForecastRun) (any, error) {
	horizon, method, ids, err := s.forecastPlan(ctx, req)
	if err != nil {
		return nil, err
	}
	p.SetTotal(len(ids))
	result := ForecastRunResult{Forecasts: map[int64]int64{}}
	var mu sync.Mutex
	work := make(chan int64)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range work {
				fid, err := s.forecastQueue(ctx, id, horizon, method, p.RunID())
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

func (s *Service) forecastQueue(ctx context.Context, queueID int64, horizon time.Duration, method string, runID *int64) (int64, error) {
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
	out.Forecast.JobRunID = runID
	f, err := s.store.CreateForecast(ctx, out.Forecast, out.Points)
	return f.ID, err
}

// forecastPlan reads a forecast run's horizon (default 14 days), method
// (default auto) and queues (default all).
func (s *Service) forecastPlan(ctx context.Context, req ForecastRun) (time.Duration, string, []int64, error) {
	if s.forecaster == nil {
		return 0, "", nil, fault.Errorf(fault.Unprocessable, "no forecasting engine is configured in this server")
	}
	horizon := 14 * 24 * time.Hour
	if req.Horizon != "" {
		h, err := parseHorizon(req.Horizon)
		if err != nil {
			return 0, "", nil, err
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
				return 0, "", nil, err
			}
			for _, q := range qs {
				ids = append(ids, q.ID)
			}
			if page.Offset+page.Limit >= total {
				break
			}
		}
	}
	return horizon, method, ids, nil
}

// fanOutForecasts is the forecast job on the queue: one item per queue, so
// every replica with workers forecasts some at once; each queue is retried
// on its own (forecastItem).
func (s *Service) fanOutForecasts(ctx context.Context, run store.JobRun, p *jobs.Progress) (any, error) {
	var req ForecastRun
	if run.Params != "" {
		if err := json.Unmarshal([]byte(run.Params), &req); err != nil {
			return nil, fmt.Errorf("the run's parameters: %w", err)
		}
	}
	_, _, ids, err := s.forecastPlan(ctx, req)
	if err != nil {
		return nil, err
	}
	items := make([]string, len(ids))
	for i, id := range ids {
		items[i] = forecastItemPrefix + strconv.FormatInt(id, 10)
	}
	return nil, p.FanOut(ctx, items)
}

// forecastItemPrefix names a forecast run's items: "queue 12".
const forecastItemPrefix = "queue "

// forecastItem forecasts one queue of a fanned-out run. A queue that has a
// forecast from this run already (an attempt that died after storing it) is
// done: one forecast version per queue and run.
func (s *Service) forecastItem(ctx context.Context, run store.JobRun, item string) error {
	var req ForecastRun
	if run.Params != "" {
		if err := json.Unmarshal([]byte(run.Params), &req); err != nil {
			return fmt.Errorf("the run's parameters: %w", err)
		}
	}
	queueID, err := strconv.ParseInt(strings.TrimPrefix(item, forecastItemPrefix), 10, 64)
	if err != nil {
		return fmt.Errorf("item %q is not a queue id", item)
	}
	if _, err := s.store.FindForecastOfRun(ctx, queueID, run.ID); err == nil {
		return nil
	} else if !fault.Is(err, fault.NotFound) {
		return err
	}
	horizon, method, _, err := s.forecastPlan(ctx, ForecastRun{Horizon: req.Horizon, Method: req.Method, QueueIDs: []int64{queueID}})
	if err != nil {
		return err
	}
	id := run.ID
	_, err = s.forecastQueue(ctx, queueID, horizon, method, &id)
	if fault.Is(err, fault.Conflict) {
		// Another attempt of this item stored the run's forecast first (a
		// unique index holds one per queue and run): that one counts.
		if _, found := s.store.FindForecastOfRun(ctx, queueID, run.ID); found == nil {
			return nil
		}
	}
	return err
}

// parseHorizon reads 7d, 36h, 2w as an Invalid error on the horizon field.
func parseHorizon(v string) (time.Duration, error) {
	d, err := forecasting.ParseHorizon(v)
	if err != nil {
		return 0, &fault.Error{Code: fault.Invalid, Message: "bad horizon", Fields: map[string]string{"horizon": err.Error()}}
	}
	return d, nil
}

// StartForecasts checks the request and starts the forecast job, for the API
// and the web planner alike. Returns Invalid for a bad horizon or an unknown
// queue; nothing is started then.
func (s *Service) StartForecasts(ctx context.Context, p auth.Principal, req ForecastRun) (store.JobRun, error) {
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
	return s.runner.Start(ctx, jobs.Request{Job: ForecastJob, Slot: "manual-" + RandomHex(8), Params: req, TriggeredBy: &p.User.ID})
}
