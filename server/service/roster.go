package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/peakwise/peakwise/scheduling"
	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/scheduling/plancheck"
	"github.com/peakwise/peakwise/scheduling/planinput"
	"github.com/peakwise/peakwise/scheduling/roster"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/jobs"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// Roster asks for a draft that rosters the stored agents onto the queues'
// requirements (from their latest forecasts) for a period. It is stored as
// the job run's parameters, hence the JSON names.
type Roster struct {
	Name     string  `json:"name"`
	QueueIDs []int64 `json:"queue_ids"`
	TeamIDs  []int64 `json:"team_ids"` // empty: every agent with a skill for the queues
	Start    string  `json:"start"`    // first local date, YYYY-MM-DD, in timezone
	Weeks    int     `json:"weeks"`
	Timezone string  `json:"timezone"` // the plan's zone: its local days define the peaks
	// Templates come inline or from a stored set, not both.
	Templates        *scheduling.Templates `json:"templates,omitempty"`
	TemplateSetID    int64                 `json:"template_set_id,omitempty"`
	TimeLimitSeconds int                   `json:"time_limit_seconds"` // default 30, at most 600
	// ProRata plans Start's weeks on the plan's clock alone, [Start, Start+7*Weeks)
	// there, and owes each agent week that period cuts its share of the
	// weekly minimum. By default (false) the period holds the weeks whole on
	// every clock: the plan's, each queue's and each agent's (see RosterProblem).
	ProRata bool `json:"pro_rata,omitempty" doc:"Plan the dates given on the plan's clock alone, so agent weeks in other zones are cut and owe their share of the weekly minimum pro rata. Default false: the period holds the weeks from start whole on every clock (the plan's, each queue's and each agent's), each queue asks only for its own weeks, and the pieces of neighbouring weeks at the edges are left to the neighbouring plans."`
	// ShortfallAllowancePct is the share of the required agent-hours, in
	// percent, the roster may leave uncovered (roster.Problem.ShortfallAllowance).
	ShortfallAllowancePct *float64 `json:"shortfall_allowance_pct,omitempty" doc:"Percent of the required agent-hours (0 to 5) the roster may leave uncovered where covering an hour would cost more than 4 paid hours. Beyond it every hour short weighs as much as 100 paid hours. Default 0.4; 0 for none. The report gives it in hours as shortfall_allowance_hours."`
}

// RosterJob names the rostering runs, from the web and the API alike.
const RosterJob = "roster"

// RosterResult is what a finished rostering run leaves: the draft and its report.
type RosterResult struct {
	ScheduleID int64         `json:"schedule_id"`
	Stopped    string        `json:"stopped"`
	Report     roster.Report `json:"report"`
}

// StartRoster checks the request (see RosterProblem) and starts the
// rostering job, for the API and the web planner alike. Nothing is written
// when the request is refused.
func (s *Service) StartRoster(ctx context.Context, p auth.Principal, req Roster) (store.JobRun, error) {
	if _, err := s.RosterProblem(ctx, p, req); err != nil {
		return store.JobRun{}, err
	}
	return s.runner.Start(ctx, jobs.Request{Job: RosterJob, Slot: "manual-" + RandomHex(8), TriggeredBy: &p.User.ID, Params: req})
}

// runRoster is the rostering job: the request is checked again as its user,
// on the data of now, and the agents are rostered.
func (s *Service) runRoster(ctx context.Context, run store.JobRun, pr *jobs.Progress) (any, error) {
	var req Roster
	p, err := s.runParams(ctx, run, &req)
	if err != nil {
		return nil, err
	}
	prob, err := s.RosterProblem(ctx, p, req)
	if err != nil {
		return nil, err
	}
	if req.TimeLimitSeconds == 0 {
		req.TimeLimitSeconds = 30
	}
	limit := time.Duration(req.TimeLimitSeconds) * time.Second
	queueIDs := map[string]int64{}
	for i, q := range prob.Queues {
		queueIDs[q] = req.QueueIDs[i] // RosterProblem keeps the request's order
	}
	return s.rosterDraft(ctx, pr, prob, queueIDs, limit, strings.TrimSpace(req.Name), req.Timezone, p.User.ID)
}

// RosterProblem checks the request and builds the rostering problem:
// requirements from each queue's latest forecast (required staff, after
// shrinkage) on one grid, and the agents who have a skill for the queues,
// with their contracts, availability, approved time off and wishes.
// Templates inline or from a stored set are read as for headcount
// generation (see requestTemplates).
//
// By default the period is roster.WholeWeeks: the weeks from Start's date
// whole on every clock (the plan's, each queue's and each selected agent's),
// so every agent's weekly minimum applies whole; each queue asks only for its
// own weeks (Problem.OwnWeeks) and its forecast need cover only those. With
// ProRata the period is Start's weeks on the plan's clock, and a week it cuts
// owes its share. Returns Invalid listing every bad field, or Unprocessable
// when a queue has no requirements for the period it needs or no agent can
// serve the queues.
func (s *Service) RosterProblem(ctx context.Context, p auth.Principal, req Roster) (roster.Problem, error) {
	bad := fault.Fields{}
	if strings.TrimSpace(req.Name) == "" {
		bad.Add("name", "is required")
	}
	if len(req.QueueIDs) == 0 {
		bad.Add("queue_ids", "name at least one queue")
	}
	if req.Weeks < 1 || req.Weeks > 6 {
		bad.Add("weeks", "must be 1 to 6")
	}
	if req.TimeLimitSeconds == 0 {
		req.TimeLimitSeconds = 30
	}
	if req.TimeLimitSeconds < 1 || req.TimeLimitSeconds > 600 {
		bad.Add("time_limit_seconds", "must be 1 to 600")
	}
	var allowance float64 // nil: the default
	if req.ShortfallAllowancePct != nil {
		var ok bool
		if allowance, ok = roster.ShortfallAllowanceFromPercent(*req.ShortfallAllowancePct); !ok {
			bad.Add("shortfall_allowance_pct", "must be a percent from 0 to %g", 100*roster.MaxShortfallAllowance)
		}
	}
	loc, err := time.LoadLocation(req.Timezone)
	if err != nil || req.Timezone == "" {
		bad.Add("timezone", "must be an IANA time zone such as Europe/Berlin")
		loc = time.UTC
	}
	day, err := time.ParseInLocation(time.DateOnly, req.Start, loc)
	if err != nil {
		bad.Add("start", "must be a date, YYYY-MM-DD")
	} else if pastDay(day, s.now(), loc) {
		bad.Add("start", "%s is in the past; a roster is for the days to come", req.Start)
	}
	templates, err := s.requestTemplates(ctx, p, bad, req.Templates, req.TemplateSetID)
	if err != nil {
		return roster.Problem{}, err
	}
	if len(bad) > 0 {
		return roster.Problem{}, &fault.Error{Code: fault.Invalid, Message: "the rostering request is not valid", Fields: bad}
	}
	step := time.Duration(templates.IntervalMin) * time.Minute
	prob := roster.Problem{Start: day, Step: step, Location: loc, Templates: templates, Seed: 1, ShortfallAllowance: allowance}
	var queues []org.Queue
	for i, id := range req.QueueIDs {
		q, err := s.store.FindQueueByID(ctx, id)
		if err != nil {
			return prob, fault.NotFoundField(err, fmt.Sprintf("queue_ids[%d]", i))
		}
		qloc, err := time.LoadLocation(q.Timezone)
		if err != nil {
			return prob, fault.Wrap(fault.Internal, err, "queue has a bad time zone")
		}
		queues = append(queues, q)
		prob.Queues = append(prob.Queues, q.Name)
		prob.QueueLocations = append(prob.QueueLocations, qloc) // its peaks on its own clock
		if q.MinProficiency > 1 {
			if prob.MinLevel == nil {
				prob.MinLevel = map[string]int{}
			}
			prob.MinLevel[q.Name] = q.MinProficiency
		}
	}
	// The agents come before the period: their clocks are among those it
	// holds whole.
	agents, err := s.rosterAgents(ctx, queues, req.TeamIDs)
	if err != nil {
		return prob, err
	}
	start, end := rosterPeriod(day, req.Weeks, step, req.ProRata, loc, prob.QueueLocations, agents)
	prob.Start = start
	// Whole steps: the period is on day's grid (roster.WholeWeeks).
	cells := int((end.Sub(start) + step - 1) / step)
	for i, q := range queues {
		rq, err := s.QueueRequirements(ctx, q, 0, start, end)
		noRequirements := func(format string, args ...any) error {
			return &fault.Error{Code: fault.Unprocessable, Message: "a queue has no requirements for the period",
				Fields: map[string]string{fmt.Sprintf("queue_ids[%d]", i): fmt.Sprintf(format, args...)}}
		}
		var fe *fault.Error
		switch {
		case fault.Is(err, fault.NotFound):
			return prob, noRequirements("%s has no forecast yet; forecast it first", q.Name)
		case errors.As(err, &fe) && fe.Code == fault.Unprocessable:
			return prob, noRequirements("%s: %s", q.Name, fe.Message)
		case err != nil:
			return prob, err
		}
		f, err := s.store.FindForecastByID(ctx, rq.ForecastID)
		if err != nil {
			return prob, err
		}
		// The forecast must hold the span the queue asks for: its own weeks
		// (the rest of the period is zeroed below), or the whole period pro rata.
		from, to, clock := start, end, loc
		if !req.ProRata {
			clock = prob.QueueLocations[i]
			from, to = roster.WholeWeeks(day, req.Weeks, 0, []*time.Location{clock})
		}
		if msg := outsideForecast(q.Name, f, clock, from, to); msg != "" {
			return prob, noRequirements("%s", msg)
		}
		need := make([]float64, cells)
		for j, iv := range rq.Intervals {
			// A forecast that ends inside the period says nothing past its end.
			until := iv.Start.Add(rq.Interval())
			if rq.Interval() <= 0 {
				until = end
			}
			if j+1 < len(rq.Intervals) {
				until = rq.Intervals[j+1].Start
			}
			for t := iv.Start; t.Before(until); t = t.Add(step) {
				if k := int(t.Sub(start) / step); k >= 0 && k < cells {
					need[k] = float64(iv.RequiredStaff)
				}
			}
		}
		prob.Required = append(prob.Required, need)
	}
	if !req.ProRata {
		prob.OwnWeeks(day, req.Weeks)
	}
	// A period whole on every clock can begin before now (on an eastern
	// agent's Monday, late on the plan's Sunday): no shift starts in the
	// past, and the past asks for no cover.
	if now := s.now(); now.After(prob.Start) {
		prob.NotBefore = now
		for q := range prob.Required {
			for k := range prob.Required[q] {
				if prob.Start.Add(time.Duration(k+1) * step).After(now) {
					break
				}
				prob.Required[q][k] = 0
			}
		}
	}
	if len(agents) == 0 {
		return prob, &fault.Error{Code: fault.Unprocessable, Message: "no agent has a skill for these queues",
			Fields: map[string]string{"queue_ids": "give agents the queues' channel (and language) skills first"}}
	}
	if err := s.rosterCommitments(ctx, agents, prob.Start, prob.End()); err != nil {
		return prob, err
	}
	prob.Agents = agents
	if err := prob.Validate(); err != nil {
		return prob, fault.Errorf(fault.Unprocessable, "the rostering problem is not valid: %v", err)
	}
	return prob, nil
}

// rosterPeriod is the period a roster of weeks weeks from day plans: with
// proRata day's weeks on the plan's clock (loc, the zone day carries);
// otherwise roster.WholeWeeks over the plan's, the queues' and the agents'
// clocks, so each of them has the weeks whole, on day's grid of step.
func rosterPeriod(day time.Time, weeks int, step time.Duration, proRata bool, loc *time.Location, queueZones []*time.Location, agents []roster.Agent) (start, end time.Time) {
	if proRata {
		return day, day.AddDate(0, 0, 7*weeks)
	}
	zones := append([]*time.Location{loc}, queueZones...)
	for _, a := range agents {
		zones = append(zones, a.Location)
	}
	return roster.WholeWeeks(day, weeks, step, zones)
}

// rosterAgents converts the stored agents who can serve the queues. An agent
// serves a queue with its channel skill (and its language at the queue's
// min_language_proficiency or above, when the queue has one) at the channel
// skill's proficiency; the roster keeps those below the queue's
// min_proficiency off it (Problem.MinLevel). Their time off and published
// shifts are rosterCommitments', read once the period is known.
func (s *Service) rosterAgents(ctx context.Context, queues []org.Queue, teams []int64) ([]roster.Agent, error) {
	channels := map[int64]string{}
	for _, q := range queues {
		ch, err := s.store.FindChannelByID(ctx, q.ChannelID)
		if err != nil {
			return nil, err
		}
		channels[q.ID] = ch.Key
	}
	all, err := s.AllAgents(ctx)
	if err != nil {
		return nil, err
	}
	var out []roster.Agent
	for _, a := range all {
		if len(teams) > 0 && (a.TeamID == nil || !slices.Contains(teams, *a.TeamID)) {
			continue
		}
		skills := map[string]int{}
		for _, q := range queues {
			level, lang := 0, q.Language == ""
			for _, sk := range a.Skills {
				if sk.Kind == "channel" && sk.Value == channels[q.ID] {
					level = max(1, min(5, sk.Proficiency))
				}
				if sk.Kind == "language" && sk.Value == q.Language && sk.Proficiency >= q.MinLanguageProficiency {
					lang = true
				}
			}
			if level > 0 && lang {
				skills[q.Name] = level
			}
		}
		if len(skills) == 0 {
			continue
		}
		loc, err := time.LoadLocation(a.Timezone)
		if err != nil {
			return nil, fault.Errorf(fault.Unprocessable, "agent %s has a bad time zone %q", a.Email, a.Timezone)
		}
		ra := roster.Agent{ID: strconv.FormatInt(a.ID, 10), Location: loc, Skills: skills, Prefer: roster.Preference(a.Preferences.ShiftTime),
			Contract: calendar.Contract{Name: a.Contract.Name, MinWeekHours: a.Contract.MinWeekHours, MaxWeekHours: a.Contract.MaxWeekHours, MaxShiftsPerWeek: a.Contract.MaxShiftsPerWeek,
				MinRestHours: a.Contract.MinRestHours, MaxConsecutiveDays: a.Contract.MaxConsecutiveDays}}
		for _, w := range a.Availability {
			wd, ok1 := weekday(w.Day)
			f, ok2 := clockMin(w.From)
			t, ok3 := clockMin(w.To)
			if ok1 && ok2 && ok3 {
				ra.Availability = append(ra.Availability, roster.Window{Day: wd, From: f, To: t})
			}
		}
		for _, d := range a.Preferences.DaysOff {
			if wd, ok := weekday(d); ok {
				ra.DaysOff = append(ra.DaysOff, wd)
			}
		}
		out = append(out, ra)
	}
	return out, nil
}

// rosterCommitments adds to the agents what they already owe elsewhere
// around the period [from, to): approved time off in it, and the shifts
// they have in published plans.
func (s *Service) rosterCommitments(ctx context.Context, out []roster.Agent, from, to time.Time) error {
	for i, ra := range out {
		id, _ := strconv.ParseInt(ra.ID, 10, 64)
		off, _, err := s.store.FindTimeOff(ctx, store.TimeOffFilter{AgentIDs: []int64{id}, Status: calendar.TimeOffApproved, From: from, To: to, Page: store.Page{Limit: 500}})
		if err != nil {
			return err
		}
		for _, r := range off {
			out[i].TimeOff = append(out[i].TimeOff, roster.Interval{Start: r.Start, End: r.End})
		}
	}
	// Shifts the agents already have in published plans are not free time:
	// the new roster works around them instead of double-booking anyone, and
	// counts them toward the agent's local weeks, rest and days in a row. A
	// week past either end of the period on any clock is at most 7 days
	// away, and rest and days in a row reach no further than 14.
	ids := make([]int64, len(out))
	index := map[int64]int{}
	for i, ra := range out {
		ids[i], _ = strconv.ParseInt(ra.ID, 10, 64)
		index[ids[i]] = i
	}
	if len(ids) > 0 {
		busy, err := s.store.FindShifts(ctx, store.ShiftFilter{Published: true, AgentIDs: ids, From: from.AddDate(0, 0, -14), To: to.AddDate(0, 0, 14)})
		if err != nil {
			return err
		}
		for _, sh := range busy {
			i := index[sh.AgentID]
			out[i].Booked = append(out[i].Booked, roster.Booked{Start: sh.Start, End: sh.End, PaidMinutes: sh.PaidMinutes})
		}
	}
	return nil
}

// weekday reads mon..sun.
func weekday(d string) (time.Weekday, bool) {
	i := slices.Index(org.Weekdays, d)
	if i < 0 {
		return 0, false
	}
	return time.Weekday((i + 1) % 7), true
}

// clockMin reads HH:MM as minutes after midnight (24:00 allowed).
func clockMin(s string) (int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		if s == "24:00" {
			return 24 * 60, true
		}
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// rosterDraft solves the problem within the limit and stores the roster as
// a draft with its rule warnings and report; each shift carries the queue it
// is assigned to (queueIDs by name).
func (s *Service) rosterDraft(ctx context.Context, pr *jobs.Progress, prob roster.Problem, queueIDs map[string]int64, limit time.Duration, name, zone string, by int64) (any, error) {
	sctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	prob.Progress = func(done, total int) { pr.Set(done, total) }
	// The cheapest roster (stress and fairness terms off) is solved beside
	// the kind one, within the same limit, for the report's comparison.
	r, cheap, err := roster.SolveWithCheapest(sctx, prob)
	if err != nil && ctx.Err() != nil {
		return nil, err
	}
	if err != nil {
		return nil, fault.Errorf(fault.Unprocessable, "rostering failed: %v", err)
	}
	rep, err := roster.Measure(prob, r.Assignments)
	if err != nil {
		return nil, err
	}
	cheapRep, err := roster.MeasureFigures(prob, cheap.Assignments)
	if err != nil {
		return nil, err
	}
	rep.Kindness = roster.CompareKindness(rep, cheapRep)
	shifts := make([]calendar.Shift, len(r.Assignments))
	for i, a := range r.Assignments {
		id, err := strconv.ParseInt(a.Agent, 10, 64)
		if err != nil {
			return nil, fault.Errorf(fault.Internal, "roster names agent %q", a.Agent)
		}
		shifts[i] = a.Shift
		shifts[i].AgentID = id
		shifts[i].QueueID = queueIDs[a.Queue]
	}
	warnings, err := s.RuleWarnings(ctx, 0, prob.Start, prob.End(), shifts)
	if err != nil {
		return nil, err
	}
	// The plan validator, which shares no code with the solver, re-checks
	// the roster against everything the solver was given (templates and
	// their caps, contracts on each agent's clock, skills, availability,
	// time off, published shifts).
	breaches := plancheck.Check(planinput.Roster(prob, r.Assignments))
	if len(breaches) > 0 {
		s.log.Error("the roster breaks rules it was given", "breaches", len(breaches), "first", breaches[0].String())
	}
	sch, err := s.store.CreateScheduleDraft(ctx, store.Schedule{Name: name, Timezone: zone, PeriodStart: prob.Start.UTC(), PeriodEnd: prob.End().UTC(),
		CreatedByID: &by, Report: store.Snapshot(DraftReport{Warnings: warnings, Validator: planWarnings(breaches), Roster: &RosterFigures{
			RequiredHours: rep.Total.RequiredHours, ShortfallAllowanceHours: rep.ShortfallAllowanceHours, Kindness: *rep.Kindness,
			Shortfalls: rep.Shortfalls, Stopped: rep.Stopped, SolveSeconds: rep.SolveSeconds}})}, shifts)
	if err != nil {
		return nil, err
	}
	return RosterResult{ScheduleID: sch.ID, Stopped: r.Stopped, Report: rep}, nil
}
