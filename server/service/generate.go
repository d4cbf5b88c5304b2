package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/peakwise/peakwise/scheduling"
	"github.com/peakwise/peakwise/scheduling/plancheck"
	"github.com/peakwise/peakwise/scheduling/planinput"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/jobs"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// GenerateJob names the generation runs, from the web and the API alike.
const GenerateJob = "generate-schedule"

// Generate asks for a draft of shifts that cover a queue's
// requirements (from its latest forecast) for a period. Templates come
// inline or from a stored set, not both. It is stored as the job run's
// parameters, hence the JSON names.
type Generate struct {
	Name             string                `json:"name"` // default: "<queue> from <start>"
	QueueID          int64                 `json:"queue_id"`
	Start            string                `json:"start"`  // first local date on the queue's clock, YYYY-MM-DD
	Weeks            int                   `json:"weeks"`  // 1 to 6
	Cyclic           bool                  `json:"cyclic"` // the period repeats: shifts running past its end cover its start
	Templates        *scheduling.Templates `json:"templates,omitempty"`
	TemplateSetID    int64                 `json:"template_set_id,omitempty"`
	TimeLimitSeconds int                   `json:"time_limit_seconds"` // default 30, at most 600
	// StressBudget is the share of extra paid time the stress-aware plan may
	// take over the cheapest plan found (default 0.02, 0 to 1).
	StressBudget *float64 `json:"stress_budget,omitempty"`
}

// generation is a checked generation request: everything the job needs.
type generation struct {
	queue     org.Queue
	plan      scheduling.Plan
	templates scheduling.Templates
	limit     time.Duration
	name      string
}

// StartGeneration checks the request (see CheckGeneration) and starts the
// headcount generation job, for the API and the web planner alike. Nothing
// is written when the request is refused.
func (s *Service) StartGeneration(ctx context.Context, p auth.Principal, req Generate) (store.JobRun, error) {
	if _, err := s.CheckGeneration(ctx, p, req); err != nil {
		return store.JobRun{}, err
	}
	return s.runner.Start(ctx, jobs.Request{Job: GenerateJob, Slot: "manual-" + RandomHex(8), TriggeredBy: &p.User.ID, Params: req})
}

// runGeneration is the generation job: the request is checked again as its
// user, on the data of now (the job may start later, or again on another
// replica after one died), and the draft is generated.
func (s *Service) runGeneration(ctx context.Context, run store.JobRun, pr *jobs.Progress) (any, error) {
	var req Generate
	p, err := s.runParams(ctx, run, &req)
	if err != nil {
		return nil, err
	}
	gen, err := s.CheckGeneration(ctx, p, req)
	if err != nil {
		return nil, err
	}
	return s.generateDraft(ctx, pr, gen.queue, gen.plan, gen.templates, gen.limit, gen.name, p.User.ID)
}

// CheckGeneration checks the request and reads the queue's requirements.
// Returns Invalid listing every bad field (an unknown queue or template set
// included), or Unprocessable when the queue's forecast cannot give
// requirements for the period (none yet, too short, nothing needed) or its
// intervals differ from the templates'.
func (s *Service) CheckGeneration(ctx context.Context, p auth.Principal, req Generate) (generation, error) {
	bad := fault.Fields{}
	gen := generation{name: strings.TrimSpace(req.Name)}
	loc := time.UTC
	if req.QueueID <= 0 {
		bad.Add("queue_id", "is required")
	} else if q, err := s.store.FindQueueByID(ctx, req.QueueID); fault.Is(err, fault.NotFound) {
		bad.Add("queue_id", "there is no queue %d", req.QueueID)
	} else if err != nil {
		return gen, err
	} else if loc, err = time.LoadLocation(q.Timezone); err != nil {
		return gen, fault.Wrap(fault.Internal, err, "queue has a bad time zone")
	} else {
		gen.queue = q
	}
	start, err := time.ParseInLocation(time.DateOnly, req.Start, loc)
	if err != nil {
		bad.Add("start", "must be a date like 2026-01-05 (a local date on the queue's clock), got %q", req.Start)
	} else if pastDay(start, s.now(), loc) {
		bad.Add("start", "%s is in the past; a plan is for the days to come", req.Start)
	}
	if req.Weeks < 1 || req.Weeks > 6 {
		bad.Add("weeks", "must be 1 to 6")
	}
	if req.StressBudget != nil && (*req.StressBudget < 0 || *req.StressBudget > 1) {
		bad.Add("stress_budget", "must be 0 to 1 (a share of the cheapest plan's paid time)")
	}
	if req.TimeLimitSeconds == 0 {
		req.TimeLimitSeconds = 30
	}
	if req.TimeLimitSeconds < 1 || req.TimeLimitSeconds > 600 {
		bad.Add("time_limit_seconds", "must be 1 to 600")
	}
	if gen.templates, err = s.requestTemplates(ctx, p, bad, req.Templates, req.TemplateSetID); err != nil {
		return gen, err
	}
	if err := bad.Err("the generation request is not valid"); err != nil {
		return gen, err
	}
	q := gen.queue
	end := time.Date(start.Year(), start.Month(), start.Day()+7*req.Weeks, 0, 0, 0, 0, loc)
	gen.plan, err = s.generationRequirements(ctx, q, loc, start, end)
	if fault.Is(err, fault.NotFound) {
		return gen, &fault.Error{Code: fault.Unprocessable, Message: fmt.Sprintf("%s has no forecast yet; forecast it first", q.Name),
			Fields: map[string]string{"queue_id": "has no forecast"}}
	}
	if err != nil {
		return gen, err
	}
	gen.plan.Cyclic = req.Cyclic
	if req.StressBudget != nil {
		gen.plan.StressBudget = *req.StressBudget
	}
	if step := time.Duration(gen.templates.IntervalMin) * time.Minute; step != gen.plan.Step {
		field := "templates.interval_min"
		if req.TemplateSetID != 0 {
			field = "template_set_id"
		}
		return gen, &fault.Error{Code: fault.Unprocessable, Message: "the templates' intervals differ from the forecast's",
			Fields: map[string]string{field: fmt.Sprintf("interval_min is %d but %s is forecast in %s intervals", gen.templates.IntervalMin, q.Name, gen.plan.Step)}}
	}
	if gen.name == "" {
		gen.name = fmt.Sprintf("%s from %s", q.Name, req.Start)
	}
	gen.limit = time.Duration(req.TimeLimitSeconds) * time.Second
	return gen, nil
}

// requestTemplates reads a generation request's shift templates: inline or
// the stored set templateSetID, exactly one of them. Their problems are
// added to bad, under "templates.<field>" or "template_set_id"; only other
// errors (the store's, a role that may not read template sets) are returned.
func (s *Service) requestTemplates(ctx context.Context, p auth.Principal, bad fault.Fields, inline *scheduling.Templates, templateSetID int64) (scheduling.Templates, error) {
	switch {
	case inline != nil && templateSetID != 0:
		bad.Add("template_set_id", "send either templates or template_set_id, not both")
	case inline != nil:
		return *inline, TemplateFields(bad, "templates", *inline)
	case templateSetID != 0:
		if err := p.Allow(auth.ShiftTemplates, auth.Read); err != nil {
			return scheduling.Templates{}, err
		}
		set, err := s.store.FindTemplateSetByID(ctx, templateSetID)
		if fault.Is(err, fault.NotFound) {
			bad.Add("template_set_id", "there is no shift template set %d", templateSetID)
		} else if err != nil {
			return scheduling.Templates{}, err
		} else {
			// A stored set was valid when saved; the rules may have grown since.
			return set.Templates, TemplateFields(bad, "template_set_id", set.Templates)
		}
	default:
		bad.Add("templates", "send the shift templates inline, or the template_set_id of a stored set")
	}
	return scheduling.Templates{}, nil
}

// generationRequirements reads a queue's required staff over [start, end) as
// a generator plan. Returns Unprocessable when the forecast does not reach
// the end of the period or has no requirement in it.
func (s *Service) generationRequirements(ctx context.Context, q org.Queue, loc *time.Location, start, end time.Time) (scheduling.Plan, error) {
	req, err := s.QueueRequirements(ctx, q, 0, start, end)
	if err != nil {
		return scheduling.Plan{}, err
	}
	f, err := s.store.FindForecastByID(ctx, req.ForecastID)
	if err != nil {
		return scheduling.Plan{}, err
	}
	step := time.Duration(f.IntervalMin) * time.Minute
	if msg := outsideForecast(q.Name, f, loc, start, end); msg != "" {
		return scheduling.Plan{}, fault.Errorf(fault.Unprocessable, "%s", msg)
	}
	p := scheduling.Plan{Location: loc, Start: start, Step: step, Required: make([]float64, int(end.Sub(start)/step))}
	needed := false
	for _, iv := range req.Intervals {
		k := int(iv.Start.Sub(start) / step)
		if k >= 0 && k < len(p.Required) {
			p.Required[k] = float64(iv.RequiredStaff)
			needed = needed || iv.RequiredStaff > 0
		}
	}
	if !needed {
		return scheduling.Plan{}, fault.Errorf(fault.Unprocessable, "%s needs no staff from %s to %s", q.Name, start.Format("2 Jan"), end.Format("2 Jan 2006"))
	}
	return p, nil
}

// GenerateResult is stored as the generation run's result: the draft and
// its cost, coverage and stress against the requirements it was made for.
type GenerateResult struct {
	ScheduleID int64             `json:"schedule_id"`
	Shifts     int               `json:"shifts"`
	PaidHours  float64           `json:"paid_hours"`
	Report     scheduling.Report `json:"report"`
}

// generateSteps are the generation job's items, so its progress bar moves.
const generateSteps = 3

// generateDraft runs the headcount generator for one queue and stores the
// shifts as a new draft plan, each shift assigned to the queue.
func (s *Service) generateDraft(ctx context.Context, p *jobs.Progress, q org.Queue, plan scheduling.Plan, ts scheduling.Templates, limit time.Duration, name string, by int64) (any, error) {
	step := func() {
		p.Done()
		p.SetTotal(generateSteps) // forces the progress out now, not at the next heartbeat
	}
	p.SetTotal(generateSteps)
	step() // requirements were read when the form was checked
	gctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	began := time.Now()
	plans, err := scheduling.GeneratePlans(gctx, plan, ts)
	solve := time.Since(began)
	if err != nil {
		return nil, fault.Errorf(fault.Unprocessable, "generation failed: %v", err)
	}
	shifts := plans.StressAware
	step()
	for i := range shifts {
		shifts[i].QueueID = q.ID
	}
	end := plan.Start.Add(time.Duration(len(plan.Required)) * plan.Step)
	sch, err := s.store.CreateScheduleDraft(ctx, store.Schedule{Name: name, Timezone: q.Timezone, PeriodStart: plan.Start.UTC(), PeriodEnd: end.UTC(),
		CreatedByID: &by, Report: store.Snapshot(DraftReport{Warnings: planWarnings(plancheck.Check(planinput.Headcount(plan, ts, shifts)))})}, shifts)
	if err != nil {
		return nil, err
	}
	rep := scheduling.Measure(plan, shifts)
	rep.SolveSeconds = solve.Seconds()
	rep.CapShortfall = plans.CapShortfall
	step()
	return GenerateResult{ScheduleID: sch.ID, Shifts: rep.Shifts, PaidHours: rep.PaidAgentHours, Report: rep}, nil
}

// TemplateFields adds each problem Validate finds in ts to bad under
// prefix + "." + its field; several problems of one field are joined. It
// returns only errors that are not field problems.
func TemplateFields(bad fault.Fields, prefix string, ts scheduling.Templates) error {
	err := ts.Validate()
	if err == nil {
		return nil
	}
	var fe scheduling.FieldErrors
	if !errors.As(err, &fe) {
		return err
	}
	for _, e := range fe {
		k := prefix + "." + e.Field
		if old, ok := bad[k]; ok {
			bad[k] = old + "; " + e.Reason
		} else {
			bad[k] = e.Reason
		}
	}
	return nil
}

// pastDay reports whether the local date day is before today on loc's clock.
func pastDay(day, now time.Time, loc *time.Location) bool {
	n := now.In(loc)
	return day.Before(time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc))
}

// outsideForecast says why [start, end) is not covered by forecast f of
// queue name, or "" when it is: a plan outside it would be sized on nothing.
func outsideForecast(name string, f store.Forecast, loc *time.Location, start, end time.Time) string {
	const when = "Mon 2 Jan 2006 15:04 MST"
	switch {
	case f.StartAt.After(start):
		return fmt.Sprintf("the latest forecast of %s starts %s; plan a period inside it", name, f.StartAt.In(loc).Format(when))
	case f.EndAt.Before(end):
		return fmt.Sprintf("the latest forecast of %s ends %s; plan a period inside it or forecast further ahead", name, f.EndAt.In(loc).Format(when))
	}
	return ""
}
