package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
)

// names maps user and agent ids to display names for a page.
type names struct {
	Users  map[int64]string
	Agents map[int64]string
}

func (s *Handler) loadNames(ctx context.Context) (names, error) {
	n := names{Users: map[int64]string{}, Agents: map[int64]string{}}
	agents, err := s.svc.AllAgents(ctx)
	if err != nil {
		return n, err
	}
	for _, a := range agents {
		n.Agents[a.ID] = a.Name
	}
	users, _, err := s.svc.FindUsers(ctx, service.UserFilter{Page: service.Page{Limit: 500}})
	for _, u := range users {
		n.Users[u.ID] = u.Name
	}
	return n, err
}

// evalRow is an evaluation in a list.
type evalRow struct {
	qa.Evaluation
	Agent, Reviewer string
	Overdue         bool
}

func (s *Handler) evalRows(ctx context.Context, es []qa.Evaluation) ([]evalRow, error) {
	n, err := s.loadNames(ctx)
	rows := make([]evalRow, len(es))
	for i, e := range es {
		rows[i] = evalRow{Evaluation: e, Agent: n.Agents[e.AgentID], Reviewer: n.Users[e.ReviewerID],
			Overdue: e.State == qa.EvalDraft && e.DueAt != nil && e.DueAt.Before(s.now())}
	}
	return rows, err
}

// queuePageSize is how many evaluations a page of the queue lists.
const queuePageSize = 50

// evalQueueForm is the filter of the evaluation queue on qa.html, read from the
// URL (a GET form) so a filtered queue can be bookmarked and paged. Empty
// fields mean any; Reviewer is "me" (the default) or "any", State "draft"
// by default and "any" for every state.
type evalQueueForm struct {
	AgentID, TeamID, ScorecardID int64
	State, Reviewer              string
	From, To                     string // YYYY-MM-DD in the caller's zone, both days included
	Page                         int    // 1-based
}

func parseEvalQueueForm(c echo.Context) evalQueueForm {
	f := evalQueueForm{State: c.QueryParam("state"), Reviewer: c.QueryParam("reviewer"), From: c.QueryParam("from"), To: c.QueryParam("to")}
	f.AgentID, _ = strconv.ParseInt(c.QueryParam("agent_id"), 10, 64)
	f.TeamID, _ = strconv.ParseInt(c.QueryParam("team_id"), 10, 64)
	f.ScorecardID, _ = strconv.ParseInt(c.QueryParam("scorecard_id"), 10, 64)
	f.Page, _ = strconv.Atoi(c.QueryParam("page"))
	if f.State == "" {
		f.State = string(qa.EvalDraft)
	}
	if f.Reviewer != "any" {
		f.Reviewer = "me"
	}
	f.Page = max(f.Page, 1)
	return f
}

// evalStates are the states the queue's filter offers, in workflow order.
var evalStates = []qa.EvalState{qa.EvalDraft, qa.EvalSubmitted, qa.EvalReleased, qa.EvalDisputed, qa.EvalResolved, qa.EvalAcknowledged}

// Validate returns the field errors only the form can have: a state that
// is not one, and a date range that is not one.
func (f evalQueueForm) Validate(zone *time.Location) (from, to time.Time, bad map[string]string) {
	bad = map[string]string{}
	if f.State != "any" && !slices.Contains(evalStates, qa.EvalState(f.State)) {
		bad["state"] = "choose one of the states listed"
	}
	from, to = dayRange(f.From, f.To, zone, bad)
	return from, to, bad
}

// filter is the store filter of the form's query, within the agents ids
// the caller may see (nil: all).
func (f evalQueueForm) filter(me int64, ids []int64, from, to time.Time) service.EvaluationFilter {
	out := service.EvaluationFilter{AgentIDs: ids, TeamID: f.TeamID, ScorecardFamilyID: f.ScorecardID, From: from, To: to, ByDue: true,
		Page: service.Page{Limit: queuePageSize, Offset: (f.Page - 1) * queuePageSize}}
	if f.AgentID != 0 {
		if ids != nil && !slices.Contains(ids, f.AgentID) {
			out.AgentIDs = []int64{}
		} else {
			out.AgentIDs = []int64{f.AgentID}
		}
	}
	if f.State != "any" {
		out.States = []qa.EvalState{qa.EvalState(f.State)}
	}
	if f.Reviewer == "me" {
		out.ReviewerID = me
	}
	return out
}

// query is the form as URL parameters, at page n.
func (f evalQueueForm) query(n int) string {
	v := url.Values{}
	set := func(k string, id int64) {
		if id != 0 {
			v.Set(k, strconv.FormatInt(id, 10))
		}
	}
	set("agent_id", f.AgentID)
	set("team_id", f.TeamID)
	set("scorecard_id", f.ScorecardID)
	v.Set("state", f.State)
	v.Set("reviewer", f.Reviewer)
	if f.From != "" {
		v.Set("from", f.From)
	}
	if f.To != "" {
		v.Set("to", f.To)
	}
	if n > 1 {
		v.Set("page", strconv.Itoa(n))
	}
	return v.Encode()
}

// dayRange reads an optional range of local days, both included, as the
// instants [from, to), adding to bad what is wrong with it.
func dayRange(fromDay, toDay string, zone *time.Location, bad map[string]string) (from, to time.Time) {
	var err error
	if fromDay != "" {
		if from, err = time.ParseInLocation(time.DateOnly, fromDay, zone); err != nil {
			bad["from"] = "is not a date"
		}
	}
	if toDay != "" {
		var last time.Time
		if last, err = time.ParseInLocation(time.DateOnly, toDay, zone); err != nil {
			bad["to"] = "is not a date"
		} else {
			to = last.AddDate(0, 0, 1)
		}
	}
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		bad["to"] = "is before the first day"
	}
	return from, to
}

// pager is the links of a list shown a page at a time.
type pager struct {
	Page, Pages, Total, First, Last int
	Prev, Next                      string
}

func newPager(page, size, total, shown int, href func(n int) string) pager {
	p := pager{Page: page, Pages: (total + size - 1) / size, Total: total}
	if shown > 0 {
		p.First, p.Last = (page-1)*size+1, (page-1)*size+shown
	}
	if page > 1 {
		p.Prev = href(page - 1)
	}
	if page < p.Pages {
		p.Next = href(page + 1)
	}
	return p
}

// filterChoices puts the agents, teams and scorecards a QA filter offers
// into pg: the agents ids (nil: all) and their teams.
func (s *Handler) filterChoices(ctx context.Context, pg page, ids []int64) error {
	agents, err := s.svc.AllAgents(ctx)
	if err != nil {
		return err
	}
	agents = slices.DeleteFunc(agents, func(a org.Agent) bool { return ids != nil && !slices.Contains(ids, a.ID) })
	teams, _, err := s.svc.FindTeams(ctx, service.TeamFilter{Page: service.Page{Limit: 500}})
	if err != nil {
		return err
	}
	cards, _, err := s.svc.FindScorecards(ctx, service.ScorecardFilter{Page: service.Page{Limit: 500}})
	if err != nil {
		return err
	}
	pg.Data["Agents"], pg.Data["Teams"], pg.Data["Scorecards"] = agents, teams, cards
	return nil
}

// webQA handles the "GET /qa" page: the evaluation queue, filtered by the
// query (the caller's drafts by default), and what else waits for QA.
func (s *Handler) webQA(c echo.Context) error {
	if err := onlyRoles(c, org.RoleQAReviewer, org.RoleAdmin); err != nil {
		return err
	}
	p := httpx.Principal(c)
	ctx := c.Request().Context()
	pg := s.newPage(c, "Quality")
	status := http.StatusOK
	form := parseEvalQueueForm(c)
	from, to, bad := form.Validate(zoneOf(pg.Zone))
	ids, err := s.svc.ScopedAgentIDs(ctx, p, p.ScopeOf(auth.Evaluations, auth.Read))
	if err != nil {
		return err
	}
	var queue []qa.Evaluation
	total := 0
	if len(bad) > 0 {
		pg.Error, pg.Fields, status = "The filter is not valid; the queue is not shown.", bad, http.StatusUnprocessableEntity
	} else if queue, total, err = s.svc.FindEvaluations(ctx, form.filter(p.User.ID, ids, from, to)); err != nil {
		return err
	}
	if err := s.filterChoices(ctx, pg, ids); err != nil {
		return err
	}
	pg.Data["Form"], pg.Data["States"] = form, evalStates
	pg.Data["FirstPage"] = "/qa?" + form.query(1) + "#queue"
	pg.Data["Pager"] = newPager(form.Page, queuePageSize, total, len(queue), func(n int) string { return "/qa?" + form.query(n) + "#queue" })
	toRelease, _, err := s.svc.FindEvaluations(ctx, service.EvaluationFilter{States: []qa.EvalState{qa.EvalSubmitted}, Page: service.Page{Limit: 200}})
	if err != nil {
		return err
	}
	disputes, _, err := s.svc.FindDisputes(ctx, service.DisputeFilter{State: qa.DisputeOpen, Page: service.Page{Limit: 200}})
	if err != nil {
		return err
	}
	calibrations, _, err := s.svc.FindCalibrations(ctx, service.Page{Limit: 50})
	if err != nil {
		return err
	}
	overdue, _, err := s.svc.FindCoaching(ctx, service.CoachingFilter{States: []qa.CoachingState{qa.CoachingPlanned}, DueBefore: s.now(), Page: service.Page{Limit: 100}})
	if err != nil {
		return err
	}
	n, err := s.loadNames(ctx)
	if err != nil {
		return err
	}
	if pg.Data["Queue"], err = s.evalRows(ctx, queue); err != nil {
		return err
	}
	if pg.Data["ToRelease"], err = s.evalRows(ctx, toRelease); err != nil {
		return err
	}
	cs, err := s.allCriteria(ctx)
	if err != nil {
		return err
	}
	pg.Data["Disputes"] = disputeViews(cs, disputes)
	pg.Data["Calibrations"] = calibrations
	pg.Data["Overdue"] = overdue
	pg.Data["Names"] = n
	return s.render(c, status, "qa", pg)
}
