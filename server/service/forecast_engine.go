package service

import (
	"context"
	"math"
	"time"

	"github.com/peakwise/peakwise/forecasting"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/store"
)

// EngineForecaster forecasts a queue with the forecasting package, on the
// queue's local clock and with its special days.
func EngineForecaster(ctx context.Context, in ForecastInput) (ForecastOutput, error) {
	loc, err := time.LoadLocation(in.Queue.Timezone)
	if err != nil {
		return ForecastOutput{}, fault.Wrap(fault.Internal, err, "queue has a bad time zone")
	}
	step := time.Duration(in.Queue.IntervalMin) * time.Minute
	s := forecasting.Series{Key: forecasting.Key{Queue: in.Queue.Name, Timezone: in.Queue.Timezone}, Location: loc, Step: step,
		Points: make([]forecasting.Point, 0, len(in.History))}
	for _, p := range in.History {
		if time.Duration(p.IntervalMin)*time.Minute != step {
			return ForecastOutput{}, fault.Errorf(fault.Unprocessable, "queue %q has %d-minute history but plans in %d-minute intervals; re-import it at the queue's interval",
				in.Queue.Name, p.IntervalMin, in.Queue.IntervalMin)
		}
		aht := math.NaN()
		if p.AHTSeconds != nil {
			aht = *p.AHTSeconds
		}
		s.Points = append(s.Points, forecasting.Point{Start: p.StartAt, Contacts: p.Contacts, AHT: aht})
	}
	var days []forecasting.SpecialDay
	for _, d := range in.SpecialDays {
		days = append(days, forecasting.SpecialDay{Date: d.Date, Closed: d.Closed, Factor: d.Factor})
	}
	r, err := forecasting.Forecast(s, forecasting.Options{Horizon: in.Horizon, Method: in.Method, SpecialDays: days})
	if err != nil {
		return ForecastOutput{}, fault.Errorf(fault.Unprocessable, "queue %q: %v", in.Queue.Name, err)
	}
	out := ForecastOutput{Forecast: store.Forecast{Method: r.Method, IntervalMin: in.Queue.IntervalMin,
		HistoryFrom: in.History[0].StartAt, HistoryTo: in.History[len(in.History)-1].StartAt.Add(step),
		BacktestWAPE: Finite(r.WAPE), BacktestMASE: Finite(r.MASE), Details: store.Snapshot(map[string]any{"scores": r.Scores, "method_asked": in.Method})}}
	if len(r.Intervals) > 0 {
		out.Forecast.StartAt = r.Intervals[0].Start
		out.Forecast.EndAt = r.Intervals[len(r.Intervals)-1].Start.Add(step)
	}
	out.Points = make([]store.ForecastPoint, len(r.Intervals))
	for i, iv := range r.Intervals {
		out.Points[i] = store.ForecastPoint{StartAt: iv.Start, Contacts: iv.Forecast, Lower: iv.Lower, Upper: iv.Upper, AHTSeconds: Finite(iv.AHT)}
	}
	return out, nil
}
