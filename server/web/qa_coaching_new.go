package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
)

// webNewCoaching handles the "GET /qa/coaching/new" page.
func (s *Handler) webNewCoaching(c echo.Context) error {
	return s.renderNewCoaching(c, http.StatusOK, s.newPage(c, "Plan coaching"))
}

// newCoachingQuery is what the plan-coaching page starts from: an agent
// (?agent_id=, or the refused form's agent shown again) or an evaluation
// (?evaluation=) whose agent and criteria it takes.
type newCoachingQuery struct {
	AgentID, EvaluationID int64
}

func parseNewCoachingQuery(c echo.Context) newCoachingQuery {
	var q newCoachingQuery
	q.AgentID, _ = strconv.ParseInt(c.QueryParam("agent_id"), 10, 64)
	if v := c.FormValue("agent_id"); v != "" {
		q.AgentID, _ = strconv.ParseInt(v, 10, 64)
	}
	q.EvaluationID, _ = strconv.ParseInt(c.QueryParam("evaluation"), 10, 64)
	return q
}

func (s *Handler) renderNewCoaching(c echo.Context, status int, pg page) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.Coaching, auth.Create); err != nil {
		return err
	}
	ctx := c.Request().Context()
	q := parseNewCoachingQuery(c)
	agentID := q.AgentID
	var criteria []qa.Criterion
	if q.EvaluationID != 0 {
		ep, err := s.evaluationPage(ctx, p, q.EvaluationID)
		if err != nil {
			return err
		}
		agentID = ep.E.AgentID
		pg.Data["Evaluation"] = ep
		for _, cv := range ep.Criteria {
			criteria = append(criteria, cv.Criterion)
		}
	}
	ids, err := s.svc.ScopedAgentIDs(ctx, p, p.ScopeOf(auth.Coaching, auth.Create))
	if err != nil {
		return err
	}
	agents, err := s.svc.AllAgents(ctx)
	if err != nil {
		return err
	}
	agents = slices.DeleteFunc(agents, func(a org.Agent) bool { return ids != nil && !slices.Contains(ids, a.ID) })
	pg.Data["Agents"] = agents
	pg.Data["AgentID"] = agentID
	pg.Data["Criteria"] = criteria
	pg.Data["Due"] = s.now().In(zoneOf(pg.Zone)).AddDate(0, 0, 7).Format("2006-01-02T15:04")
	return s.render(c, status, "qa_coaching_new", pg)
}

func zoneOf(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// coachingForm is the form of qa_coaching_new.html. A due time that is not
// a date and time reads as none, which the use case refuses by its field.
type coachingForm struct {
	AgentID      int64
	Topic, Goals string
	DueAt        time.Time // in the caller's zone
	EvaluationID *int64    // the evaluation the session follows up, if any
	Criteria     []string  // with EvaluationID: the criteria to work on
	Note         string    // a first note, if any
	Shared       bool      // the note is shared with the agent
}

func parseCoachingForm(c echo.Context, zone *time.Location) coachingForm {
	f := coachingForm{Topic: c.FormValue("topic"), Goals: c.FormValue("goals"), Note: strings.TrimSpace(c.FormValue("note")), Shared: c.FormValue("shared") == "on"}
	f.AgentID, _ = strconv.ParseInt(c.FormValue("agent_id"), 10, 64)
	if due, err := time.ParseInLocation("2006-01-02T15:04", c.FormValue("due_at"), zone); err == nil {
		f.DueAt = due
	}
	if ev, err := strconv.ParseInt(c.FormValue("evaluation_id"), 10, 64); err == nil && ev > 0 {
		f.EvaluationID = &ev
		f.Criteria = c.Request().Form["criteria"]
	}
	return f
}

// plan is the use case's input.
func (f coachingForm) plan() service.CoachingPlan {
	req := service.CoachingPlan{AgentID: f.AgentID, Topic: f.Topic, Goals: f.Goals, DueAt: f.DueAt, EvaluationID: f.EvaluationID, Criteria: f.Criteria}
	if f.Note != "" {
		req.Notes = []service.CoachingNote{{Body: f.Note, Shared: f.Shared}}
	}
	return req
}

// webCreateCoaching handles the "POST /qa/coaching" page.
func (s *Handler) webCreateCoaching(c echo.Context) error {
	p := httpx.Principal(c)
	pg := s.newPage(c, "Plan coaching")
	req := parseCoachingForm(c, zoneOf(pg.Zone)).plan()
	out, err := s.svc.PlanCoaching(c.Request().Context(), p, req)
	if err != nil {
		if webFault(&pg, err, map[string]string{"notes[0].body": "note"}) {
			if req.EvaluationID != nil {
				c.QueryParams().Set("evaluation", strconv.FormatInt(*req.EvaluationID, 10))
			}
			return s.renderNewCoaching(c, http.StatusUnprocessableEntity, pg)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/qa/coaching/%d?done=%s", out.ID, url.QueryEscape("Coaching session planned.")))
}
