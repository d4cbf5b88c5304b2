package service

import (
	"context"
	"math"
	"time"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/scheduling/erlang"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// CoverageInterval compares what a queue needs with what a plan schedules.
type CoverageInterval struct {
	Start          time.Time `json:"start"`
	StartLocal     string    `json:"start_local"`
	Contacts       float64   `json:"contacts"`
	RequiredStaff  int       `json:"required_staff"`
	ScheduledStaff float64   `json:"scheduled_staff"` // breaks count as fractions of the interval
	// Projected is what the scheduled staff achieve after shrinkage (Erlang on
	// the whole agents on the queue); null for deferred queues.
	ProjectedServiceLevel *float64 `json:"projected_service_level"`
	ProjectedASASeconds   *float64 `json:"projected_asa_seconds"`
	ProjectedOccupancy    *float64 `json:"projected_occupancy"`
}

// SimulatedDay is a plan's day replayed with random arrivals.
type SimulatedDay struct {
	Date         string   `json:"date"` // the queue's local date
	Offered      float64  `json:"offered"`
	ServiceLevel estimate `json:"service_level"` // mean with a 95% confidence interval
	ASASeconds   estimate `json:"asa_seconds"`
	Abandon      estimate `json:"abandon"`
}

// estimate is a simulated mean with its 95% confidence interval; null parts
// had nothing to measure (no contacts offered or answered).
type estimate struct {
	Mean *float64 `json:"mean"`
	Low  *float64 `json:"low"`
	High *float64 `json:"high"`
}

// Finite returns a pointer to v, or nil when v is NaN or infinite, so JSON
// shows null where a figure could not be measured.
func Finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func estimateOf(e erlang.Estimate) estimate {
	return estimate{Mean: Finite(e.Mean), Low: Finite(e.Low), High: Finite(e.High)}
}

// Coverage is a plan revision measured against one queue's requirements.
type Coverage struct {
	ScheduleID         int64              `json:"schedule_id"`
	QueueID            int64              `json:"queue_id"`
	ForecastID         int64              `json:"forecast_id"`
	RequiredStaffHours float64            `json:"required_staff_hours"`
	CoveredStaffHours  float64            `json:"covered_staff_hours"` // scheduled hours that meet a requirement
	UnderStaffHours    float64            `json:"under_staff_hours"`
	OverStaffHours     float64            `json:"over_staff_hours"`
	Intervals          []CoverageInterval `json:"intervals"`
	Simulation         []SimulatedDay     `json:"simulation,omitempty"`
}

// QueueShifts picks the plan's shifts that serve q: those assigned to it, or,
// in a plan with no queue assignments, those of agents with the queue's
// channel skill (and language, when the queue has one); there, headcount
// shifts (no agent) serve no queue. The agents are read in one batch.
func (s *Service) QueueShifts(ctx context.Context, shifts []calendar.Shift, q org.Queue) ([]calendar.Shift, error) {
	return s.QueueShiftsAmong(ctx, shifts, q, nil)
}

// QueueShiftsAmong is QueueShifts with the agents already loaded (nil: read
// the plan's agents).
func (s *Service) QueueShiftsAmong(ctx context.Context, shifts []calendar.Shift, q org.Queue, agents map[int64]org.Agent) ([]calendar.Shift, error) {
	var assigned []calendar.Shift
	anyAssigned := false
	for _, sh := range shifts {
		if sh.QueueID != 0 {
			anyAssigned = true
		}
		if sh.QueueID == q.ID {
			assigned = append(assigned, sh)
		}
	}
	if anyAssigned {
		return assigned, nil
	}
	ch, err := s.store.FindChannelByID(ctx, q.ChannelID)
	if err != nil {
		return nil, err
	}
	if agents == nil {
		ids := make([]int64, 0, len(shifts))
		for _, sh := range shifts {
			ids = append(ids, sh.AgentID)
		}
		if agents, err = s.AgentsByID(ctx, ids); err != nil {
			return nil, err
		}
	}
	skilled := make(map[int64]bool, len(agents))
	for id, a := range agents {
		hasCh, hasLang := false, q.Language == ""
		for _, sk := range a.Skills {
			hasCh = hasCh || (sk.Kind == "channel" && sk.Value == ch.Key)
			hasLang = hasLang || (sk.Kind == "language" && sk.Value == q.Language)
		}
		skilled[id] = hasCh && hasLang
	}
	var out []calendar.Shift
	for _, sh := range shifts {
		if skilled[sh.AgentID] {
			out = append(out, sh)
		}
	}
	return out, nil
}

// QueueSpan is the part of a plan's period that queue q is measured over. A
// period whose ends are both midnights on the plan's clock (a plan of the
// plan's own dates: pro rata, uploaded, headcount) is the queue's whole. A
// roster over whole weeks on every clock (roster.WholeWeeks) starts and ends
// at other zones' midnights, and each queue asked only for its own weeks:
// from its first local midnight at or after the start to its last at or
// before the end. The pieces outside belong to the neighbouring plans.
func QueueSpan(sch store.Schedule, q org.Queue) (from, to time.Time) {
	from, to = sch.PeriodStart, sch.PeriodEnd
	plan, err1 := time.LoadLocation(sch.Timezone)
	loc, err2 := time.LoadLocation(q.Timezone)
	if err1 != nil || err2 != nil || (isMidnight(from, plan) && isMidnight(to, plan)) {
		return from, to
	}
	f := from.In(loc)
	first := time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, loc)
	if first.Before(from) {
		first = time.Date(f.Year(), f.Month(), f.Day()+1, 0, 0, 0, 0, loc)
	}
	e := to.In(loc)
	last := time.Date(e.Year(), e.Month(), e.Day(), 0, 0, 0, 0, loc)
	if !first.Before(last) {
		return from, to
	}
	return first, last
}

// isMidnight says whether t is 00:00 on loc's clock.
func isMidnight(t time.Time, loc *time.Location) bool {
	l := t.In(loc)
	return l.Hour() == 0 && l.Minute() == 0 && l.Second() == 0
}

// PlanCoverage measures a plan revision against a queue's latest forecast over
// the plan's period (the queue's part of it, QueueSpan); with runs > 1 it
// also simulates each local day.
func (s *Service) PlanCoverage(ctx context.Context, sch store.Schedule, q org.Queue, runs int) (Coverage, error) {
	from, to := QueueSpan(sch, q)
	req, err := s.QueueRequirements(ctx, q, 0, from, to)
	if err != nil {
		return Coverage{}, err
	}
	out := Coverage{ScheduleID: sch.ID, QueueID: q.ID, ForecastID: req.ForecastID, Intervals: make([]CoverageInterval, 0, len(req.Intervals))}
	if len(req.Intervals) == 0 {
		return out, nil
	}
	all, err := s.store.FindShifts(ctx, store.ShiftFilter{ScheduleID: sch.ID})
	if err != nil {
		return Coverage{}, err
	}
	shifts, err := s.QueueShifts(ctx, all, q)
	if err != nil {
		return Coverage{}, err
	}
	step := req.Interval()
	first := req.Intervals[0].Start
	n := int(req.Intervals[len(req.Intervals)-1].Start.Sub(first)/step) + 1
	staffed := calendar.Coverage(shifts, first, step, n)
	hours := step.Hours()
	realtime := req.Model != "deferred"
	onQueue := make([]int, len(req.Intervals))
	for i, ri := range req.Intervals {
		k := int(ri.Start.Sub(first) / step)
		ci := CoverageInterval{Start: ri.Start, StartLocal: ri.StartLocal, Contacts: ri.Contacts, RequiredStaff: ri.RequiredStaff, ScheduledStaff: staffed[k]}
		out.RequiredStaffHours += float64(ri.RequiredStaff) * hours
		out.CoveredStaffHours += math.Min(staffed[k], float64(ri.RequiredStaff)) * hours
		out.UnderStaffHours += math.Max(0, float64(ri.RequiredStaff)-staffed[k]) * hours
		out.OverStaffHours += math.Max(0, staffed[k]-float64(ri.RequiredStaff)) * hours
		onQueue[i] = int(math.Floor(staffed[k]*(1-q.Shrinkage) + 1e-9))
		if realtime {
			m, err := erlang.Evaluate(erlang.Load{Contacts: ri.Contacts, Interval: step, AHT: time.Duration(ri.AHTSeconds * float64(time.Second)),
				Patience: time.Duration(q.PatienceSec) * time.Second, Concurrency: q.ChatConcurrency}, onQueue[i], time.Duration(q.AnswerWithinSec)*time.Second)
			if err != nil {
				return Coverage{}, fault.Errorf(fault.Unprocessable, "cannot project service at %s: %v", ri.StartLocal, err)
			}
			ci.ProjectedServiceLevel, ci.ProjectedOccupancy, ci.ProjectedASASeconds = Finite(m.ServiceLevel), Finite(m.Occupancy), Finite(m.ASA)
		}
		out.Intervals = append(out.Intervals, ci)
	}
	if realtime && runs > 1 {
		sim, err := s.simulateDays(ctx, q, req, onQueue, step, runs)
		if err != nil {
			return Coverage{}, err
		}
		out.Simulation = sim
	}
	return out, nil
}

// simulateDays replays each local day of the plan with random arrivals.
func (s *Service) simulateDays(ctx context.Context, q org.Queue, req Requirements, onQueue []int, step time.Duration, runs int) ([]SimulatedDay, error) {
	var out []SimulatedDay
	for i := 0; i < len(req.Intervals); {
		day := req.Intervals[i].StartLocal[:10]
		j := i
		for j < len(req.Intervals) && req.Intervals[j].StartLocal[:10] == day {
			j++
		}
		cfg := erlang.SimConfig{Interval: step, AHT: time.Duration(float64(q.DefaultAHTSec) * float64(time.Second)), Patience: time.Duration(q.PatienceSec) * time.Second,
			Concurrency: q.ChatConcurrency, AnswerWithin: time.Duration(q.AnswerWithinSec) * time.Second, Runs: runs, Seed: uint64(req.ForecastID)*1000 + uint64(i)}
		for k := i; k < j; k++ {
			cfg.Contacts = append(cfg.Contacts, req.Intervals[k].Contacts)
			cfg.Agents = append(cfg.Agents, onQueue[k])
			cfg.AHTs = append(cfg.AHTs, time.Duration(req.Intervals[k].AHTSeconds*float64(time.Second)))
		}
		res, err := erlang.Simulate(ctx, cfg)
		if err != nil {
			return nil, fault.Errorf(fault.Unprocessable, "cannot simulate %s: %v", day, err)
		}
		out = append(out, SimulatedDay{Date: day, Offered: res.Offered, ServiceLevel: estimateOf(res.ServiceLevel),
			ASASeconds: estimateOf(res.ASA), Abandon: estimateOf(res.Abandon)})
		i = j
	}
	return out, nil
}
