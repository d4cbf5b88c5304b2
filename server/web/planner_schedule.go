package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/scheduling"
	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
)

// scheduleReport is a plan measured against one queue's requirements.
type scheduleReport struct {
	Queue   org.Queue
	Report  scheduling.Report
	Problem string // why there is no report
}

// measurePlan measures the shifts that serve q (see service.QueueShifts) against q's
// latest requirements over the plan's period: cost and stress. agents, when
// not nil, holds the plan's agents already loaded.
func (s *Handler) measurePlan(ctx context.Context, sch service.Schedule, q org.Queue, shifts []calendar.Shift, agents map[int64]org.Agent) (scheduleReport, scheduling.Plan, error) {
	out := scheduleReport{Queue: q}
	loc, err := queueZone(q)
	if err != nil {
		return out, scheduling.Plan{}, err
	}
	from, to := service.QueueSpan(sch, q)
	req, err := s.svc.QueueRequirements(ctx, q, 0, from, to)
	var fe *fault.Error
	if errors.As(err, &fe) && (fe.Code == fault.NotFound || fe.Code == fault.Unprocessable) {
		out.Problem = fmt.Sprintf("No cost and stress report for %s: %s.", q.Name, fe.Message)
		return out, scheduling.Plan{}, nil
	} else if err != nil {
		return out, scheduling.Plan{}, err
	}
	if len(req.Intervals) == 0 {
		out.Problem = fmt.Sprintf("No cost and stress report: the forecast of %s does not cover this plan's period.", q.Name)
		return out, scheduling.Plan{}, nil
	}
	step := req.Interval()
	first := req.Intervals[0].Start
	n := int(req.Intervals[len(req.Intervals)-1].Start.Sub(first)/step) + 1
	plan := scheduling.Plan{Location: loc, Start: first, Step: step, Required: make([]float64, n)}
	for _, iv := range req.Intervals {
		plan.Required[int(iv.Start.Sub(first)/step)] = float64(iv.RequiredStaff)
	}
	serving, err := s.svc.QueueShiftsAmong(ctx, shifts, q, agents)
	if err != nil {
		return out, plan, err
	}
	out.Report = scheduling.Measure(plan, serving)
	return out, plan, nil
}

// agentNames maps every agent id to a name.
func (s *Handler) agentNames(ctx context.Context) (map[int64]string, error) {
	agents, err := s.agentDirectory(ctx)
	if err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(agents))
	for id, a := range agents {
		names[id] = a.Name
	}
	return names, nil
}

// agentDirectory maps every agent id to the agent (with skills), read a page
// of 500 at a time.
func (s *Handler) agentDirectory(ctx context.Context) (map[int64]org.Agent, error) {
	out := map[int64]org.Agent{}
	for page := (service.Page{Limit: 500}); ; page.Offset += page.Limit {
		as, total, err := s.svc.FindAgents(ctx, service.AgentFilter{Page: page})
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			out[a.ID] = a
		}
		if page.Offset+page.Limit >= total {
			return out, nil
		}
	}
}

// gridPageSize is how many agents a grid page draws: a 4-week plan of 100
// agents is about 2,000 shift elements, which a browser shows at once.
const gridPageSize = 100

// gridPageLink is one entry of the grid's pager.
type gridPageLink struct {
	Label, Href string
	Current     bool
}

// warningRow is a rule warning with the agent's name.
type warningRow struct {
	Agent string
	calendar.Violation
}

func (s *Handler) webSchedule(c echo.Context) error {
	id, err := plannerID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	sch, err := s.svc.FindScheduleByID(ctx, id)
	if err != nil {
		return err
	}
	pg := s.newPage(c, sch.Name)
	return s.schedulePage(c, http.StatusOK, pg, sch)
}

func (s *Handler) schedulePage(c echo.Context, status int, pg page, sch service.Schedule) error {
	ctx := c.Request().Context()
	shifts, err := s.svc.FindShifts(ctx, service.ShiftFilter{ScheduleID: sch.ID, Lean: true})
	if err != nil {
		return err
	}
	queues, _, err := s.svc.FindQueues(ctx, service.Page{Limit: 500})
	if err != nil {
		return err
	}
	if len(queues) == 0 {
		return fault.Errorf(fault.NotFound, "there are no queues yet")
	}
	want, _ := strconv.ParseInt(c.QueryParam("queue_id"), 10, 64)
	q := pickQueue(queues, shifts, want)
	loc, err := queueZone(q)
	if err != nil {
		return err
	}
	pg.Zone = q.Timezone
	v := parseGridQuery(c)
	from, to, problem := gridWindow(sch, loc, s.now(), v.View, v.From)
	if problem != "" {
		pg.Fields["from"] = problem
		status = http.StatusBadRequest
	}
	agents, err := s.agentDirectory(ctx)
	if err != nil {
		return err
	}
	teams, _, err := s.svc.FindTeams(ctx, service.TeamFilter{Page: service.Page{Limit: 500}})
	if err != nil {
		return err
	}
	rep, _, err := s.measurePlan(ctx, sch, q, shifts, agents)
	if err != nil {
		return err
	}
	grid := scheduleGrid(sch, q, queues, shifts, agents, rep, loc, from, to, v)
	// The same warnings as the compare page and publishing use.
	violations, err := s.svc.RevisionWarnings(ctx, sch, shifts, agents)
	if err != nil {
		return err
	}
	pg.Data["Schedule"], pg.Data["Queues"], pg.Data["Queue"], pg.Data["Grid"] = sch, queues, q, grid
	pg.Data["View"], pg.Data["From"], pg.Data["Teams"], pg.Data["TeamID"] = v.View, from.Format(time.DateOnly), teams, v.Team
	gridLinks{Schedule: sch.ID, Queue: q.ID, Team: v.Team}.addTo(&pg, grid, v.View, from)
	scheduleSidePanel(&pg, sch, shifts, violations, agents, rep, from, loc)
	return s.render(c, status, "planner_schedule", pg)
}

// gridQuery is the plan page's view query: a day, a week or the whole
// period from a local date, and a page of one team's agents (or everyone's).
type gridQuery struct {
	View, From string
	Team       int64
	Page       int
}

func parseGridQuery(c echo.Context) gridQuery {
	v := gridQuery{View: c.QueryParam("view"), From: c.QueryParam("from")}
	if v.View != "day" && v.View != "period" {
		v.View = "week"
	}
	v.Team, _ = strconv.ParseInt(c.QueryParam("team_id"), 10, 64)
	v.Page, _ = strconv.Atoi(c.QueryParam("page"))
	return v
}

// scheduleGrid lays the plan's shifts out in [from, to) on loc's clock,
// with q's peaks shaded, one page of agents (of the view's team), and each
// shift linked to its edit page while the revision is a draft.
func scheduleGrid(sch service.Schedule, q org.Queue, queues []org.Queue, shifts []calendar.Shift, agents map[int64]org.Agent, rep scheduleReport,
	loc *time.Location, from, to time.Time, v gridQuery) gridView {
	names := make(map[int64]string, len(agents))
	for id, a := range agents {
		names[id] = a.Name
	}
	paging := gridPaging{PerPage: gridPageSize, Page: v.Page}
	if v.Team != 0 {
		paging.Keep = func(id int64) bool { t := agents[id].TeamID; return t != nil && *t == v.Team }
	}
	var edit func(calendar.Shift) string
	if sch.Status == service.ScheduleDraft {
		edit = func(sh calendar.Shift) string {
			return fmt.Sprintf("/planner/schedules/%d/shifts/%d?queue_id=%d", sch.ID, sh.ID, q.ID)
		}
	}
	queueNames := make(map[int64]string, len(queues))
	for _, x := range queues {
		queueNames[x.ID] = x.Name
	}
	peaks := peakSpans(rep.Report.Intervals, time.Duration(q.IntervalMin)*time.Minute)
	return buildGrid(shifts, names, queueNames, loc, from, to, peaks, edit, paging)
}

// scheduleSidePanel fills what the page shows beside the grid: the report,
// the templates used, the summary and warnings, and the forms (publish, copy,
// add a shift) with their defaults.
func scheduleSidePanel(pg *page, sch service.Schedule, shifts []calendar.Shift, violations []calendar.Violation, agents map[int64]org.Agent,
	rep scheduleReport, from time.Time, loc *time.Location) {
	warnings := make([]warningRow, 0, len(violations))
	for _, w := range violations {
		warnings = append(warnings, warningRow{Agent: agents[w.AgentID].Name, Violation: w})
	}
	templates := make([]string, 0, len(rep.Report.ShiftsByTemplate))
	for k := range rep.Report.ShiftsByTemplate {
		templates = append(templates, k)
	}
	sort.Strings(templates)
	pg.Data["Report"], pg.Data["Templates"], pg.Data["Summary"], pg.Data["Warnings"] = rep, templates, calendar.Summarize(shifts, violations), warnings
	pg.Data["IsDraft"] = sch.Status == service.ScheduleDraft
	pg.Data["Roster"] = rosterFiguresOf(service.RosterFiguresOf(sch))
	pg.Data["CanCopy"] = sch.Status == service.SchedulePublished
	if _, ok := pg.Data["Add"]; !ok {
		pg.Data["Add"] = addShiftForm{Start: localInput(from.Add(9*time.Hour), loc), End: localInput(from.Add(17*time.Hour), loc)}
	}
	choices := make([]selectOption, 0, len(agents))
	for _, a := range agents {
		choices = append(choices, selectOption{Value: strconv.FormatInt(a.ID, 10), Label: a.Name})
	}
	sort.Slice(choices, func(i, j int) bool { return choices[i].Label < choices[j].Label })
	pg.Data["AgentChoices"] = choices
	for _, k := range []string{"Reason", "Accept"} {
		if _, ok := pg.Data[k]; !ok {
			pg.Data[k] = ""
		}
	}
}

// publishForm is the publish form of planner_schedule.html: the draft's
// version it was shown at (nil when missing) and, for a draft that breaks
// rules, the tick and the reason that accept them.
type publishForm struct {
	Version        *int
	AcceptWarnings bool
	Reason         string
}

func parsePublishForm(c echo.Context) publishForm {
	f := publishForm{AcceptWarnings: c.FormValue("accept_warnings") == "on", Reason: strings.TrimSpace(c.FormValue("reason"))}
	if v, err := strconv.Atoi(c.FormValue("version")); err == nil {
		f.Version = &v
	}
	return f
}

// webPublish publishes a draft as the API does: the form carries the
// version it was shown, and rule warnings must be accepted with a reason.
func (s *Handler) webPublish(c echo.Context) error {
	p, id, err := plannerRecord(c, auth.Schedules, auth.Update)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	draft, err := s.svc.FindScheduleByID(ctx, id)
	if err != nil {
		return err
	}
	pg := s.newPage(c, draft.Name)
	form := parsePublishForm(c)
	if form.Version == nil {
		return fault.Errorf(fault.Invalid, "the publish form lacks the draft's version; reload the page and try again")
	}
	version, accept, reason := *form.Version, form.AcceptWarnings, form.Reason
	pg.Data["Reason"], pg.Data["Accept"] = reason, map[bool]string{true: "on"}[accept]
	sch, changes, err := s.svc.Publish(ctx, p, draft, version, accept, reason)
	var refused *service.WarningsNotAccepted
	if errors.As(err, &refused) {
		if !refused.Accepted {
			pg.Fields["accept_warnings"] = fmt.Sprintf("The draft breaks %d rule(s): tick to publish it anyway, or fix the shifts.", len(refused.Warnings))
		}
		if !refused.HasReason {
			pg.Fields["reason"] = "Say why the rule breaks are acceptable; it is kept in the audit log."
		}
		return s.schedulePage(c, http.StatusUnprocessableEntity, pg, draft)
	}
	if fault.Is(err, fault.Conflict) {
		pg.Error = "Not published: " + errorMessage(err) + " Reload the page to see the draft as it is now."
		return s.schedulePage(c, http.StatusConflict, pg, draft)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/planner/schedules/%d?done=%s", sch.ID,
		url.QueryEscape(fmt.Sprintf("Published revision %d: %d change(s) for agents.", sch.Revision, len(changes)))))
}

// errorMessage is an error's safe message.
func errorMessage(err error) string {
	var fe *fault.Error
	if errors.As(err, &fe) {
		return fe.Message + "."
	}
	return "unexpected error."
}

// pickQueue is the queue whose requirements and clock the schedule page uses:
// the one asked for (want), else the plan's own queue, else the first.
func pickQueue(queues []org.Queue, shifts []calendar.Shift, want int64) org.Queue {
	q := queues[0]
	if want == 0 {
		for _, sh := range shifts {
			if sh.QueueID != 0 {
				want = sh.QueueID
				break
			}
		}
	}
	for _, x := range queues {
		if x.ID == want {
			q = x
		}
	}
	return q
}

// gridWindow is the span the grid shows in loc: a day, a week or the plan's
// whole period, starting at fromParam (a local date) or, when now is inside
// the period, at today (a day) or at this week's Monday or the period's first
// day, whichever is later (a week, so it never opens on days before the
// period: a period whole on every clock starts on the plan's clock the day
// before its Monday), else at the period's first day. problem says what is
// wrong with fromParam, if anything.
func gridWindow(sch service.Schedule, loc *time.Location, now time.Time, view, fromParam string) (from, to time.Time, problem string) {
	pStart := sch.PeriodStart.In(loc)
	first := time.Date(pStart.Year(), pStart.Month(), pStart.Day(), 0, 0, 0, 0, loc)
	from = first
	if now := now.In(loc); now.After(sch.PeriodStart) && now.Before(sch.PeriodEnd) && view != "period" {
		from = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
		if view == "week" {
			from = from.AddDate(0, 0, -int((from.Weekday()+6)%7))
			if from.Before(first) {
				from = first
			}
		}
	}
	if fromParam != "" {
		d, err := time.ParseInLocation(time.DateOnly, fromParam, loc)
		if err != nil {
			problem = fmt.Sprintf("%q is not a date like 2026-01-05.", fromParam)
		} else {
			from = d
		}
	}
	to = time.Date(from.Year(), from.Month(), from.Day()+1, 0, 0, 0, 0, loc)
	switch view {
	case "week":
		to = time.Date(from.Year(), from.Month(), from.Day()+7, 0, 0, 0, 0, loc)
	case "period":
		end := sch.PeriodEnd.In(loc)
		to = time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, loc)
		if to.Before(sch.PeriodEnd) {
			to = to.AddDate(0, 0, 1)
		}
	}
	return from, to, problem
}

// peakSpans joins the peak intervals (each step long) into spans.
func peakSpans(ivs []scheduling.IntervalReport, step time.Duration) []gridSpan {
	var peaks []gridSpan
	for _, iv := range ivs {
		if !iv.Peak {
			continue
		}
		end := iv.Start.Add(step)
		if n := len(peaks); n > 0 && peaks[n-1].To.Equal(iv.Start) {
			peaks[n-1].To = end
		} else {
			peaks = append(peaks, gridSpan{iv.Start, end})
		}
	}
	return peaks
}

// gridLinks make the schedule page's links: they keep the queue and team
// the planner chose.
type gridLinks struct{ Schedule, Queue, Team int64 }

func (l gridLinks) link(view string, d time.Time, page int) string {
	u := fmt.Sprintf("/planner/schedules/%d?queue_id=%d&view=%s&from=%s", l.Schedule, l.Queue, view, d.Format(time.DateOnly))
	if l.Team != 0 {
		u += "&team_id=" + strconv.FormatInt(l.Team, 10)
	}
	if page > 1 {
		u += "&page=" + strconv.Itoa(page)
	}
	return u
}

// addTo adds the links that move the window (keeping the page of agents),
// change the view (starting over) and page through the agents.
func (l gridLinks) addTo(pg *page, grid gridView, view string, from time.Time) {
	days := 1
	if view == "week" {
		days = 7
	}
	var pages []gridPageLink
	for p := 1; grid.Pages > 1 && p <= grid.Pages; p++ {
		last := min(p*gridPageSize, grid.RowCount)
		pages = append(pages, gridPageLink{Label: fmt.Sprintf("%d–%d", (p-1)*gridPageSize+1, last), Href: l.link(view, from, p), Current: p == grid.Page})
	}
	pg.Data["Prev"] = l.link(view, from.AddDate(0, 0, -days), grid.Page)
	pg.Data["Next"] = l.link(view, from.AddDate(0, 0, days), grid.Page)
	pg.Data["Pages"] = pages
	pg.Data["PagePrev"], pg.Data["PageNext"] = "", ""
	if grid.Page > 1 {
		pg.Data["PagePrev"] = l.link(view, from, grid.Page-1)
	}
	if grid.Page < grid.Pages {
		pg.Data["PageNext"] = l.link(view, from, grid.Page+1)
	}
	pg.Data["DayURL"] = l.link("day", from, 1)
	pg.Data["WeekURL"] = l.link("week", from, 1)
	pg.Data["PeriodURL"] = l.link("period", from, 1)
}
