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
	req, err := s.computeRequirements(ctx, q, ch, f, from, to, ahtChange{})
	if err != nil {
		return Requirements{}, err
	}
	req.interval = time.Duration(f.IntervalMin) * time.Minute
	s.requirements.put(key, req)
	return req, nil
}

// ahtChange replaces (Seconds) or scales (Factor) every interval's handle
// time; its zero value keeps the forecast's.
type ahtChange struct {
	Seconds, Factor float64
}

// of is the handle time an interval is sized with, from its own.
func (a ahtChange) of(aht float64) float64 {
	if a.Seconds > 0 {
		return a.Seconds
	}
	if a.Factor > 0 {
		return aht * a.Factor
	}
	return aht
}

// computeRequirements runs the queue's staffing model for every interval of
// forecast f in [from, to), with every interval's handle time changed by aht.
func (s *Service) computeRequirements(ctx context.Context, q org.Queue, ch org.Channel, f store.Forecast, from, to time.Time, aht ahtChange) (Requirements, error) {
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
		return s.deferredRequirements(q, f, pts, loc, interval, aht)
	}
	out := Requirements{QueueID: q.ID, ForecastID: f.ID, Timezone: q.Timezone, Model: "erlang_c", Intervals: make([]RequirementInterval, 0, len(pts)),
		Targets: requirementTargets{ServiceLevel: t.ServiceLevel, AnswerWithinSeconds: q.AnswerWithinSec, ASASeconds: q.ASATargetSec,
			MaxOccupancy: q.MaxOccupancy, Shrinkage: q.Shrinkage, PatienceSeconds: q.PatienceSec}}
	if q.PatienceSec > 0 {
		out.Model = "erlang_a"
	}
	for _, p := range pts {
		aht := aht.of(pointAHT(q, p))
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
func (s *Service) deferredRequirements(q org.Queue, f store.Forecast, pts []store.ForecastPoint, loc *time.Location, interval time.Duration, aht ahtChange) (Requirements, error) {
	volumes := make([]float64, len(pts))
	ahts := make([]time.Duration, len(pts))
	for i, p := range pts {
		volumes[i] = p.Contacts
		ahts[i] = time.Duration(aht.of(pointAHT(q, p)) * float64(time.Second))
	}
	out := Requirements{QueueID: q.ID, ForecastID: f.ID, Timezone: q.Timezone, Model: "deferred", Intervals: make([]RequirementInterval, 0, len(pts)),
		Targets: requirementTargets{ServiceLevel: q.ServiceLevelPct / 100, MaxOccupancy: q.MaxOccupancy, Shrinkage: q.Shrinkage}}
	if len(pts) == 0 {
		return out, nil
	}
	plan, err := erlang.SolveDeferred(volumes, erlang.DeferredParams{Interval: interval, AHT: time.Duration(aht.of(float64(q.DefaultAHTSec)) * float64(time.Second)), AHTs: ahts,
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

// pointAHT is the handle time of a forecast interval: its own when the
// forecast has one, else the queue's default.
func pointAHT(q org.Queue, p store.ForecastPoint) float64 {
	if p.AHTSeconds != nil && *p.AHTSeconds > 0 {
		return *p.AHTSeconds
	}
	return float64(q.DefaultAHTSec)
}

// RequirementsWhatIf are targets that replace a queue's own for one reading
// of its requirements, which is not saved; nil keeps the queue's value.
type RequirementsWhatIf struct {
	// AHTSeconds replaces every interval's handle time; AHTPercent scales it
	// (110 sizes every interval with a handle time 10% longer). At most one.
	AHTSeconds      *float64
	AHTPercent      *float64
	ServiceLevelPct *float64 // e.g. 80 for 80% answered within AnswerWithinSec
	AnswerWithinSec *int
	Shrinkage       *float64 // share of paid time, 0 to below 1
	MaxOccupancy    *float64 // above 0, at most 1
}

// Validate returns Invalid naming every field out of range (the queue's own
// rules, with its field names) and an AHT given both ways.
func (w RequirementsWhatIf) Validate() error {
	f := fault.Fields{}
	if w.AHTSeconds != nil && w.AHTPercent != nil {
		f.Add("aht", "give the handle time in seconds or as a percentage, not both")
	}
	if w.AHTSeconds != nil && (*w.AHTSeconds <= 0 || *w.AHTSeconds > 24*3600) {
		f.Add("aht", "must be above 0 and at most 86400 seconds, got %g", *w.AHTSeconds)
	}
	if w.AHTPercent != nil && (*w.AHTPercent <= 0 || *w.AHTPercent > 1000) {
		f.Add("aht", "must be above 0%% and at most 1000%%, got %g%%", *w.AHTPercent)
	}
	if w.ServiceLevelPct != nil && (*w.ServiceLevelPct <= 0 || *w.ServiceLevelPct >= 100) {
		f.Add("service_level_pct", "must be above 0 and below 100, got %g", *w.ServiceLevelPct)
	}
	if w.AnswerWithinSec != nil && (*w.AnswerWithinSec <= 0 || *w.AnswerWithinSec > 24*3600) {
		f.Add("answer_within_seconds", "must be above 0 and at most 86400, got %d", *w.AnswerWithinSec)
	}
	if w.Shrinkage != nil && (*w.Shrinkage < 0 || *w.Shrinkage >= 1) {
		f.Add("shrinkage", "must be at least 0%% and below 100%%, got %g%%", *w.Shrinkage*100)
	}
	if w.MaxOccupancy != nil && (*w.MaxOccupancy <= 0 || *w.MaxOccupancy > 1) {
		f.Add("max_occupancy", "must be above 0%% and at most 100%%, got %g%%", *w.MaxOccupancy*100)
	}
	return f.Err("invalid what-if")
}

// apply returns q with w's targets in place of its own.
func (w RequirementsWhatIf) apply(q org.Queue) org.Queue {
	if w.ServiceLevelPct != nil {
		q.ServiceLevelPct = *w.ServiceLevelPct
	}
	if w.AnswerWithinSec != nil {
		q.AnswerWithinSec = *w.AnswerWithinSec
	}
	if w.Shrinkage != nil {
		q.Shrinkage = *w.Shrinkage
	}
	if w.MaxOccupancy != nil {
		q.MaxOccupancy = *w.MaxOccupancy
	}
	return q
}

// QueueRequirementsWhatIf sizes every interval of the queue's latest
// forecast in [from, to) as QueueRequirements does, with the targets of w in
// place of the queue's; nothing is saved or cached. Returns Invalid for a
// what-if out of range, NotFound when there is no forecast and Unprocessable
// when the targets cannot be met.
func (s *Service) QueueRequirementsWhatIf(ctx context.Context, q org.Queue, w RequirementsWhatIf, from, to time.Time) (Requirements, error) {
	if err := w.Validate(); err != nil {
		return Requirements{}, err
	}
	ch, err := s.store.FindChannelByID(ctx, q.ChannelID)
	if err != nil {
		return Requirements{}, err
	}
	f, err := s.store.FindLatestForecast(ctx, q.ID)
	if err != nil {
		return Requirements{}, err
	}
	var aht ahtChange
	if w.AHTSeconds != nil {
		aht.Seconds = *w.AHTSeconds
	}
	if w.AHTPercent != nil {
		aht.Factor = *w.AHTPercent / 100
	}
	req, err := s.computeRequirements(ctx, w.apply(q), ch, f, from, to, aht)
	if err != nil {
		return Requirements{}, err
	}
	req.interval = time.Duration(f.IntervalMin) * time.Minute
	return req, nil
}
