package service

import (
	"context"
	"errors"
	"time"

	"github.com/peakwise/peakwise/scheduling/erlang"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// RequirementInterval is the staffing one forecast interval needs.
type RequirementInterval struct {
	Start          time.Time `json:"start"`
	StartLocal     string    `json:"start_local"`
	Contacts       float64   `json:"contacts"`
	AHTSeconds     float64   `json:"aht_seconds"`
	RequiredAgents int       `json:"required_agents"`
	RequiredStaff  int       `json:"required_staff"`
	ServiceLevel   float64   `json:"service_level"`
	ASASeconds     *float64  `json:"asa_seconds"` // null when infinite
	Occupancy      float64   `json:"occupancy"`
	// Deferred work only: items left waiting at the end of the interval and
	// the age of the oldest of them.
	Backlog          *float64 `json:"backlog,omitempty"`
	OldestAgeSeconds *float64 `json:"oldest_age_seconds,omitempty"`
}

// requirementTargets are the queue's targets as the requirements used them.
type requirementTargets struct {
	ServiceLevel        float64 `json:"service_level"`
	AnswerWithinSeconds int     `json:"answer_within_seconds"`
	ASASeconds          int     `json:"asa_seconds"`
	MaxOccupancy        float64 `json:"max_occupancy"`
	Shrinkage           float64 `json:"shrinkage"`
	PatienceSeconds     int     `json:"patience_seconds"`
}

// Requirements is a queue's staffing over a range, from one forecast version.
type Requirements struct {
	QueueID    int64                 `json:"queue_id"`
	ForecastID int64                 `json:"forecast_id"`
	Timezone   string                `json:"timezone"`
	Model      string                `json:"model"` // erlang_c or erlang_a
	Targets    requirementTargets    `json:"targets"`
	Intervals  []RequirementInterval `json:"intervals"`
	// interval is the forecast's interval length, for callers that lay
	// the intervals out on a plan (see Interval).
	interval time.Duration
}

// Interval is the length of one interval of the forecast the requirements
// were computed from.
func (r Requirements) Interval() time.Duration { return r.interval }

// QueueRequirements sizes every interval of a forecast (latest when
// forecastID is 0) in [from, to) with the queue's targets. Returns NotFound
// when there is no forecast and Unprocessable for a queue whose targets
// cannot be met or whose channel is not sized by Erlang models. Results are
// kept in a small in-process cache keyed by the queue's targets, the
// forecast version and the range; errors are not cached.
func (s *Service) QueueRequirements(ctx context.Context, q org.Queue, forecastID int64, from, to time.Time) (Requirements, error) {
	ch, err := s.store.FindChannelByID(ctx, q.ChannelID)
	if err != nil {
		return Requirements{}, err
	}
	var f store.Forecast
	if forecastID != 0 {
		f, err = s.store.FindForecastByID(ctx, forecastID)
		if err == nil && f.QueueID != q.ID {
			err = fault.Errorf(fault.NotFound, "forecast not found")
		}
	} else {
		f, err = s.store.FindLatestForecast(ctx, q.ID)
	}
	if err != nil {
		return Requirements{}, err
	}
	key := newRequirementsKey(q, ch.Kind, f, from, to)
	if req, ok := s.requirements.get(key); ok {
		return req, nil
	}
	req, err := s.computeRequirements(ctx, q, ch, f, from, to)
	if err != nil {
		return Requirements{}, err
	}
	req.interval = time.Duration(f.IntervalMin) * time.Minute
	s.requirements.put(key, req)
	return req, nil
}

// computeRequirements runs the queue's staffing model for every interval of
// forecast f in [from, to).
func (s *Service) computeRequirements(ctx context.Context, q org.Queue, ch org.Channel, f store.Forecast, from, to time.Time) (Requirements, error) {
	pts, err := s.store.FindForecastPoints(ctx, f.ID, from, to)
	if err != nil {
		return Requirements{}, err
	}
	loc, err := time.LoadLocation(q.Timezone)
	if err != nil {
		return Requirements{}, fault.Wrap(fault.Internal, err, "queue has a bad time zone")
	}
	t := erlang.Targets{ServiceLevel: q.ServiceLevelPct / 100, AnswerWithin: time.Duration(q.AnswerWithinSec) * time.Second,
		ASA: time.Duration(q.ASATargetSec) * time.Second, MaxOccupancy: q.MaxOccupancy, Shrinkage: q.Shrinkage}
	interval := time.Duration(f.IntervalMin) * time.Minute
	if ch.Kind == org.Deferred {
		return s.deferredRequirements(q, f, pts, loc, interval)
	}
	out := Requirements{QueueID: q.ID, ForecastID: f.ID, Timezone: q.Timezone, Model: "erlang_c", Intervals: make([]RequirementInterval, 0, len(pts)),
		Targets: requirementTargets{ServiceLevel: t.ServiceLevel, AnswerWithinSeconds: q.AnswerWithinSec, ASASeconds: q.ASATargetSec,
			MaxOccupancy: q.MaxOccupancy, Shrinkage: q.Shrinkage, PatienceSeconds: q.PatienceSec}}
	if q.PatienceSec > 0 {
		out.Model = "erlang_a"
	}
	for _, p := range pts {
		aht := float64(q.DefaultAHTSec)
		if p.AHTSeconds != nil && *p.AHTSeconds > 0 {
			aht = *p.AHTSeconds
		}
		load := erlang.Load{Contacts: p.Contacts, Interval: interval, AHT: time.Duration(aht * float64(time.Second)),
			Patience: time.Duration(q.PatienceSec) * time.Second, Concurrency: q.ChatConcurrency}
		r, err := erlang.Solve(load, t)
		if err != nil {
			var ie erlang.InputErrors
			if errors.As(err, &ie) {
				return Requirements{}, fault.Errorf(fault.Unprocessable, "queue %q cannot be sized at %s: %v", q.Name, p.StartAt.In(loc).Format(time.RFC3339), err)
			}
			return Requirements{}, fault.Errorf(fault.Unprocessable, "queue %q: %v", q.Name, err)
		}
		out.Intervals = append(out.Intervals, RequirementInterval{Start: p.StartAt, StartLocal: p.StartAt.In(loc).Format(time.RFC3339), Contacts: p.Contacts,
			AHTSeconds: aht, RequiredAgents: r.Agents, RequiredStaff: r.Staff, ServiceLevel: r.ServiceLevel, Occupancy: r.Occupancy, ASASeconds: Finite(r.ASA)})
	}
	return out, nil
}

// deferredRequirements sizes email-like work from the queue's response target.
// The backlog starts empty at the first interval asked for.
func (s *Service) deferredRequirements(q org.Queue, f store.Forecast, pts []store.ForecastPoint, loc *time.Location, interval time.Duration) (Requirements, error) {
	volumes := make([]float64, len(pts))
	ahts := make([]time.Duration, len(pts))
	for i, p := range pts {
		volumes[i] = p.Contacts
		ahts[i] = time.Duration(q.DefaultAHTSec) * time.Second
		if p.AHTSeconds != nil && *p.AHTSeconds > 0 {
			ahts[i] = time.Duration(*p.AHTSeconds * float64(time.Second))
		}
	}
	out := Requirements{QueueID: q.ID, ForecastID: f.ID, Timezone: q.Timezone, Model: "deferred", Intervals: make([]RequirementInterval, 0, len(pts)),
		Targets: requirementTargets{ServiceLevel: q.ServiceLevelPct / 100, MaxOccupancy: q.MaxOccupancy, Shrinkage: q.Shrinkage}}
	if len(pts) == 0 {
		return out, nil
	}
	plan, err := erlang.SolveDeferred(volumes, erlang.DeferredParams{Interval: interval, AHT: time.Duration(q.DefaultAHTSec) * time.Second, AHTs: ahts,
		ResponseTarget: time.Duration(q.ResponseWithinSec) * time.Second, MaxOccupancy: q.MaxOccupancy, Shrinkage: q.Shrinkage})
	if err != nil {
		return Requirements{}, fault.Errorf(fault.Unprocessable, "queue %q cannot be sized: %v", q.Name, err)
	}
	for i, p := range pts {
		d := plan[i]
		backlog, age := d.Backlog, d.OldestAge.Seconds()
		out.Intervals = append(out.Intervals, RequirementInterval{Start: p.StartAt, StartLocal: p.StartAt.In(loc).Format(time.RFC3339), Contacts: p.Contacts,
			AHTSeconds: ahts[i].Seconds(), RequiredAgents: d.Agents, RequiredStaff: d.Staff, Occupancy: d.Occupancy, Backlog: &backlog, OldestAgeSeconds: &age})
	}
	return out, nil
}
