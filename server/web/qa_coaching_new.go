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

func (s *Handler) renderNewCoaching(c echo.Context, status int, pg page) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.Coaching, auth.Create); err != nil {
		return err
	}
	ctx := c.Request().Context()
	agentID, _ := strconv.ParseInt(c.QueryParam("agent_id"), 10, 64)
	if v := c.FormValue("agent_id"); v != "" {
		agentID, _ = strconv.ParseInt(v, 10, 64)
	}
	var criteria []qa.Criterion
	if evID, err := strconv.ParseInt(c.QueryParam("evaluation"), 10, 64); err == nil {
		ep, err := s.evaluationPage(ctx, p, evID)
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

// webCreateCoaching handles the "POST /qa/coaching" page.
func (s *Handler) webCreateCoaching(c echo.Context) error {
	p := httpx.Principal(c)
	pg := s.newPage(c, "Plan coaching")
	agentID, _ := strconv.ParseInt(c.FormValue("agent_id"), 10, 64)
	req := service.CoachingPlan{AgentID: agentID, Topic: c.FormValue("topic"), Goals: c.FormValue("goals")}
	if due, err := time.ParseInLocation("2006-01-02T15:04", c.FormValue("due_at"), zoneOf(pg.Zone)); err == nil {
		req.DueAt = due
	}
	if ev, err := strconv.ParseInt(c.FormValue("evaluation_id"), 10, 64); err == nil && ev > 0 {
		req.EvaluationID = &ev
		req.Criteria = c.Request().Form["criteria"]
	}
	if note := strings.TrimSpace(c.FormValue("note")); note != "" {
		req.Notes = []service.CoachingNote{{Body: note, Shared: c.FormValue("shared") == "on"}}
	}
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
