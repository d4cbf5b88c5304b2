package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/ui/chart"
)

// qaWebRoutes registers the quality pages: the reviewer's queue and forms,
// calibration, coaching, trends and scorecards, and the agent's and
// supervisor's views. They call the same services as the API.
func (s *Server) qaWebRoutes(g *echo.Group) {
	g.GET("/qa", s.webQA)
	g.GET("/qa/evaluations/:id", s.webEvaluation)
	g.POST("/qa/evaluations/:id", s.webSaveEvaluation)
	g.POST("/qa/evaluations/:id/preview", s.webPreviewScore)
	g.POST("/qa/evaluations/:id/dispute", s.webDispute)
	g.POST("/qa/disputes/:id/decide", s.webDecideDispute)
	g.GET("/qa/coaching/new", s.webNewCoaching)
	g.POST("/qa/coaching", s.webCreateCoaching)
	g.GET("/qa/coaching/:id", s.webCoaching)
	g.POST("/qa/coaching/:id", s.webCoachingAction)
	g.GET("/qa/calibrations/:id", s.webCalibration)
	g.GET("/qa/trends", s.webTrends)
	g.GET("/qa/scorecards", s.webScorecards)
	g.GET("/qa/scorecards/:id/edit", s.webEditScorecard)
	g.POST("/qa/scorecards/:id/edit", s.webSaveScorecard)
	g.GET("/me/quality", s.webMyQuality)
	g.GET("/team/quality", s.webTeamQuality)
}

// names maps user and agent ids to display names for a page.
type names struct {
	Users  map[int64]string
	Agents map[int64]string
}

func (s *Server) loadNames(ctx context.Context) (names, error) {
	n := names{Users: map[int64]string{}, Agents: map[int64]string{}}
	agents, err := s.svc.AllAgents(ctx)
	if err != nil {
		return n, err
	}
	for _, a := range agents {
		n.Agents[a.ID] = a.Name
	}
	users, _, err := s.store.FindUsers(ctx, store.UserFilter{Page: store.Page{Limit: 500}})
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

func (s *Server) evalRows(ctx context.Context, es []qa.Evaluation) ([]evalRow, error) {
	n, err := s.loadNames(ctx)
	rows := make([]evalRow, len(es))
	for i, e := range es {
		rows[i] = evalRow{Evaluation: e, Agent: n.Agents[e.AgentID], Reviewer: n.Users[e.ReviewerID],
			Overdue: e.State == qa.EvalDraft && e.DueAt != nil && e.DueAt.Before(s.now())}
	}
	return rows, err
}

func (s *Server) webQA(c echo.Context) error {
	if err := onlyRoles(c, org.RoleQAReviewer, org.RoleAdmin); err != nil {
		return err
	}
	p := principal(c)
	ctx := c.Request().Context()
	pg := s.newPage(c, "Quality")
	s.qaNav(&pg, p)
	queue, _, err := s.store.FindEvaluations(ctx, store.EvaluationFilter{ReviewerID: p.User.ID, States: []qa.EvalState{qa.EvalDraft}, Page: store.Page{Limit: 200}})
	if err != nil {
		return err
	}
	slices.SortFunc(queue, func(a, b qa.Evaluation) int { return compareDue(a.DueAt, b.DueAt) })
	toRelease, _, err := s.store.FindEvaluations(ctx, store.EvaluationFilter{States: []qa.EvalState{qa.EvalSubmitted}, Page: store.Page{Limit: 200}})
	if err != nil {
		return err
	}
	disputes, _, err := s.store.FindDisputes(ctx, store.DisputeFilter{State: qa.DisputeOpen, Page: store.Page{Limit: 200}})
	if err != nil {
		return err
	}
	calibrations, _, err := s.store.FindCalibrations(ctx, store.Page{Limit: 50})
	if err != nil {
		return err
	}
	overdue, _, err := s.store.FindCoaching(ctx, store.CoachingFilter{States: []qa.CoachingState{qa.CoachingPlanned}, DueBefore: s.now(), Page: store.Page{Limit: 100}})
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
	pg.Data["Disputes"] = disputes
	pg.Data["Calibrations"] = calibrations
	pg.Data["Overdue"] = overdue
	pg.Data["Names"] = n
	return s.render(c, http.StatusOK, "qa", pg)
}

func compareDue(a, b *time.Time) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return a.Compare(*b)
}

// qaNav adds the quality pages a role uses to the navigation.
func (s *Server) qaNav(pg *page, p auth.Principal) {
	switch p.User.Role {
	case org.RoleQAReviewer, org.RoleAdmin:
		pg.Nav = append(pg.Nav, link{"/qa/trends", "Trends"}, link{"/qa/scorecards", "Scorecards"})
	case org.RoleSupervisor:
		pg.Nav = append(pg.Nav, link{"/team/quality", "Team quality"}, link{"/qa/trends", "Trends"})
	case org.RoleAgent:
		pg.Nav = append(pg.Nav, link{"/me/quality", "My quality"})
	}
}

// criterionView is one criterion on the evaluation page.
type criterionView struct {
	qa.Criterion
	Section  string
	Options  []int
	Value    string // "", "na" or the number
	Score    *float64
	Failed   bool
	Comment  string
	Disputed *qa.DisputeItem
}

// evaluationPage is everything the evaluation page shows.
type evaluationPage struct {
	E          qa.Evaluation
	Scorecard  qa.Scorecard
	Contact    qa.Contact
	Agent      string
	Reviewer   string
	Criteria   []criterionView
	CanScore   bool // the reviewer may edit answers
	CanRelease bool
	CanAck     bool
	CanDispute bool
	CanCoach   bool
	Dispute    *qa.Dispute // the open dispute, if any
	CanDecide  bool
	Disputes   []qa.Dispute
	History    []store.AuditEvent
	Unanswered int
}

func (s *Server) evaluationPage(ctx context.Context, p auth.Principal, id int64) (evaluationPage, error) {
	e, err := s.svc.LoadEvaluation(ctx, s.store, p, id, auth.Read)
	if err != nil {
		return evaluationPage{}, err
	}
	v, err := s.evaluationView(ctx, e)
	if err != nil {
		return evaluationPage{}, err
	}
	n, err := s.loadNames(ctx)
	if err != nil {
		return evaluationPage{}, err
	}
	ep := evaluationPage{E: e, Scorecard: v.Scorecard, Contact: v.Interaction, Agent: n.Agents[e.AgentID], Reviewer: n.Users[e.ReviewerID]}
	owner := service.EvalOwner(e)
	ep.CanScore = (e.State == qa.EvalDraft || e.State == qa.EvalSubmitted) && service.MayScore(p, e) == nil && p.AllowObject(auth.Evaluations, auth.Update, owner) == nil
	ep.CanRelease = e.State == qa.EvalSubmitted && e.CalibrationID == nil && p.AllowObject(auth.Evaluations, auth.Update, owner) == nil
	ep.CanAck = (e.State == qa.EvalReleased || e.State == qa.EvalResolved) && p.AllowObject(auth.Evaluations, auth.Accept, owner) == nil
	ep.CanCoach = e.State != qa.EvalDraft && e.CalibrationID == nil && p.AllowObject(auth.Coaching, auth.Create, owner) == nil
	disputes, _, err := s.store.FindDisputes(ctx, store.DisputeFilter{EvaluationID: e.ID, Page: store.Page{Limit: 50}})
	if err != nil {
		return ep, err
	}
	ep.Disputes = disputes
	var open map[string]*qa.DisputeItem
	for i := range disputes {
		if disputes[i].State == qa.DisputeOpen {
			ep.Dispute = &disputes[i]
			open = map[string]*qa.DisputeItem{}
			for j := range disputes[i].Items {
				open[disputes[i].Items[j].Criterion] = &disputes[i].Items[j]
			}
		}
	}
	ep.CanDispute = (e.State == qa.EvalReleased || e.State == qa.EvalResolved) && p.AllowObject(auth.Disputes, auth.Create, owner) == nil &&
		e.ReleasedAt != nil && qa.CanDispute(s.svc.DisputePolicy(), *e.ReleasedAt, s.now(), len(disputes)) == nil
	ep.CanDecide = ep.Dispute != nil && p.AllowObject(auth.Disputes, auth.Update, owner) == nil && (p.User.AgentID == nil || *p.User.AgentID != e.AgentID)
	values := map[string]*int{}
	answered := map[string]bool{}
	for _, a := range e.Answers {
		values[a.Criterion], answered[a.Criterion] = a.Value, true
	}
	results := map[string]qa.CriterionResult{}
	if e.Result != nil {
		for _, sec := range e.Result.Sections {
			for _, cr := range sec.Criteria {
				results[cr.Key] = cr
			}
		}
	}
	for _, sec := range v.Scorecard.Sections {
		for _, cr := range sec.Criteria {
			cv := criterionView{Criterion: cr, Section: sec.Title, Comment: e.Comments[cr.Key], Disputed: open[cr.Key]}
			lo, hi, _ := cr.Scale.Bounds()
			for x := lo; x <= hi; x++ {
				cv.Options = append(cv.Options, x)
			}
			switch {
			case !answered[cr.Key]:
				ep.Unanswered++
			case values[cr.Key] == nil:
				cv.Value = "na"
			default:
				cv.Value = strconv.Itoa(*values[cr.Key])
			}
			if r, ok := results[cr.Key]; ok {
				cv.Score, cv.Failed = r.Score, r.Failed
			}
			ep.Criteria = append(ep.Criteria, cv)
		}
	}
	if p.User.Role != org.RoleAgent {
		if ep.History, err = s.store.FindAudit(ctx, "evaluation", e.ID); err != nil {
			return ep, err
		}
	}
	return ep, nil
}

func (s *Server) webEvaluation(c echo.Context) error {
	return s.renderEvaluation(c, http.StatusOK, s.newPage(c, "Evaluation"))
}

func (s *Server) renderEvaluation(c echo.Context, status int, pg page) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	p := principal(c)
	ep, err := s.evaluationPage(c.Request().Context(), p, id)
	if err != nil {
		return err
	}
	s.qaNav(&pg, p)
	pg.Title = fmt.Sprintf("Evaluation %d", ep.E.ID)
	pg.Data["P"] = ep
	pg.Data["ScaleLabel"] = scaleLabel
	return s.render(c, status, "qa_evaluation", pg)
}

// scaleLabel names a scale value for a form: yes/no rather than 1/0.
func scaleLabel(scale qa.Scale, v int) string {
	if scale == qa.YesNo {
		if v == 1 {
			return "Yes"
		}
		return "No"
	}
	return strconv.Itoa(v)
}

// formAnswers reads answers and comments from the evaluation form: field
// v.<key> is "", "na" or a number; c.<key> a comment. Unanswered criteria
// are left out.
func formAnswers(c echo.Context, sc qa.Scorecard) ([]qa.Answer, map[string]string, fault.Fields) {
	bad := fault.Fields{}
	answers := []qa.Answer{}
	comments := map[string]string{}
	for _, sec := range sc.Sections {
		for _, cr := range sec.Criteria {
			raw := strings.TrimSpace(c.FormValue("v." + cr.Key))
			if t := strings.TrimSpace(c.FormValue("c." + cr.Key)); t != "" {
				comments[cr.Key] = t
			}
			switch raw {
			case "":
				continue
			case "na":
				answers = append(answers, qa.Answer{Criterion: cr.Key})
			default:
				n, err := strconv.Atoi(raw)
				if err != nil {
					bad.Add("v."+cr.Key, "choose a value")
					continue
				}
				answers = append(answers, qa.Answer{Criterion: cr.Key, Value: &n})
			}
		}
	}
	return answers, comments, bad
}

// webFault puts a service error's field reasons on the page, or returns it
// for the error page when it is not about the form.
func webFault(pg *page, err error, prefix map[string]string) bool {
	var fe *fault.Error
	if !errors.As(err, &fe) || (fe.Code != fault.Invalid && fe.Code != fault.Unprocessable && fe.Code != fault.Conflict) {
		return false
	}
	pg.Error = fe.Message
	for k, v := range fe.Fields {
		key := k
		if mapped, ok := prefix[k]; ok {
			key = mapped
		}
		pg.Fields[key] = v
	}
	return true
}

// webEvaluationCard reads the evaluation named in the path, as the caller may
// read it, and the scorecard version it is scored on.
func (s *Server) webEvaluationCard(c echo.Context) (qa.Evaluation, qa.Scorecard, error) {
	id, err := idParam(c)
	if err != nil {
		return qa.Evaluation{}, qa.Scorecard{}, err
	}
	ctx := c.Request().Context()
	e, err := s.svc.LoadEvaluation(ctx, s.store, principal(c), id, auth.Read)
	if err != nil {
		return qa.Evaluation{}, qa.Scorecard{}, err
	}
	sc, err := s.store.FindScorecardByID(ctx, e.ScorecardID)
	return e, sc, err
}

func (s *Server) webSaveEvaluation(c echo.Context) error {
	p := principal(c)
	ctx := c.Request().Context()
	e, sc, err := s.webEvaluationCard(c)
	if err != nil {
		return err
	}
	id := e.ID
	version, _ := strconv.Atoi(c.FormValue("version"))
	pg := s.newPage(c, "Evaluation")
	action := c.FormValue("do")
	done := ""
	switch action {
	case "save", "submit":
		answers, comments, bad := formAnswers(c, sc)
		if len(bad) > 0 {
			pg.Error, pg.Fields = "Some answers are not valid.", bad
			return s.renderEvaluation(c, http.StatusBadRequest, pg)
		}
		if e.State == qa.EvalDraft || e.State == qa.EvalSubmitted {
			e, err = s.svc.ScoreEvaluation(ctx, p, id, service.Score{Answers: answers, Comments: comments, Comment: strings.TrimSpace(c.FormValue("comment")),
				Reason: c.FormValue("reason"), Version: version})
			if err != nil {
				if webFault(&pg, err, nil) {
					return s.renderEvaluation(c, http.StatusUnprocessableEntity, pg)
				}
				return err
			}
			version, done = e.Version, "Saved."
		}
		if action == "submit" && e.State == qa.EvalDraft {
			if _, err := s.svc.MoveEvaluation(ctx, p, id, qa.ActionSubmit, version); err != nil {
				if webFault(&pg, err, nil) {
					return s.renderEvaluation(c, http.StatusUnprocessableEntity, pg)
				}
				return err
			}
			done = "Submitted."
		}
	case qa.ActionRelease, qa.ActionAcknowledge:
		if _, err := s.svc.MoveEvaluation(ctx, p, id, action, version); err != nil {
			if webFault(&pg, err, nil) {
				return s.renderEvaluation(c, http.StatusConflict, pg)
			}
			return err
		}
		done = map[string]string{qa.ActionRelease: "Released to the agent.", qa.ActionAcknowledge: "Acknowledged."}[action]
	default:
		return fault.Errorf(fault.Invalid, "unknown action %q", action)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/qa/evaluations/%d?done=%s", id, url.QueryEscape(done)))
}

// scorePreview is the live score of the answers given so far.
type scorePreview struct {
	Total      *float64   `json:"total"`
	Outcome    qa.Outcome `json:"outcome"`
	Unanswered int        `json:"unanswered"`
	Sections   []struct {
		Key   string   `json:"key"`
		Score *float64 `json:"score"`
	} `json:"sections"`
	Criteria map[string]*float64 `json:"criteria"`
}

// webPreviewScore scores the form's answers with the one formula, leaving
// out what is not answered yet, for the live score on the evaluation page.
func (s *Server) webPreviewScore(c echo.Context) error {
	_, sc, err := s.webEvaluationCard(c)
	if err != nil {
		return err
	}
	answers, _, _ := formAnswers(c, sc)
	out := scorePreview{Criteria: map[string]*float64{}}
	given := map[string]bool{}
	for _, a := range answers {
		given[a.Criterion] = true
	}
	// Unanswered criteria count as N/A for the preview only.
	open := sc
	open.Sections = make([]qa.Section, len(sc.Sections))
	for i, sec := range sc.Sections {
		sec.Criteria = slices.Clone(sec.Criteria)
		for j := range sec.Criteria {
			if !given[sec.Criteria[j].Key] {
				sec.Criteria[j].AllowNA = true
				answers = append(answers, qa.Answer{Criterion: sec.Criteria[j].Key})
				out.Unanswered++
			}
		}
		open.Sections[i] = sec
	}
	res, err := qa.Score(open, answers)
	if err != nil {
		return service.AnswerFault(err)
	}
	out.Total, out.Outcome = res.Total, res.Outcome
	for _, sec := range res.Sections {
		out.Sections = append(out.Sections, struct {
			Key   string   `json:"key"`
			Score *float64 `json:"score"`
		}{sec.Key, sec.Score})
		for _, cr := range sec.Criteria {
			out.Criteria[cr.Key] = cr.Score
		}
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) webDispute(c echo.Context) error {
	p := principal(c)
	ctx := c.Request().Context()
	e, sc, err := s.webEvaluationCard(c)
	if err != nil {
		return err
	}
	id := e.ID
	var items []qa.DisputeItem
	fieldOf := map[string]string{}
	for _, sec := range sc.Sections {
		for _, cr := range sec.Criteria {
			if c.FormValue("d."+cr.Key) == "" {
				continue
			}
			it := qa.DisputeItem{Criterion: cr.Key, Comment: strings.TrimSpace(c.FormValue("dc." + cr.Key))}
			if raw := c.FormValue("p." + cr.Key); raw != "na" {
				if n, err := strconv.Atoi(raw); err == nil {
					it.Proposed = &n
				}
			}
			prefix := fmt.Sprintf("items[%d]", len(items))
			fieldOf[prefix+".proposed"], fieldOf[prefix+".comment"], fieldOf[prefix+".criterion"] = "p."+cr.Key, "dc."+cr.Key, "d."+cr.Key
			items = append(items, it)
		}
	}
	fieldOf["items"] = "dispute"
	if _, err := s.svc.OpenDispute(ctx, p, id, service.DisputeInput{Items: items, Comment: c.FormValue("comment")}); err != nil {
		pg := s.newPage(c, "Evaluation")
		if webFault(&pg, err, fieldOf) {
			return s.renderEvaluation(c, http.StatusUnprocessableEntity, pg)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/qa/evaluations/%d?done=%s", id, url.QueryEscape("Dispute sent to the reviewer.")))
}

func (s *Server) webDecideDispute(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	p := principal(c)
	ctx := c.Request().Context()
	d, _, err := s.svc.LoadDispute(ctx, s.store, p, id, auth.Update)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	req := service.DisputeDecision{Decision: c.FormValue("decision"), Reason: c.FormValue("reason"), Version: version}
	if req.Decision == qa.DecisionPartial {
		req.Accepted = map[string]*int{}
		for _, it := range d.Items {
			if c.FormValue("a."+it.Criterion) != "" {
				req.Accepted[it.Criterion] = it.Proposed
			}
		}
	}
	if _, err := s.svc.DecideDispute(ctx, p, id, req); err != nil {
		pg := s.newPage(c, "Evaluation")
		if webFault(&pg, err, nil) {
			c.SetParamNames("id")
			c.SetParamValues(strconv.FormatInt(d.EvaluationID, 10))
			return s.renderEvaluation(c, http.StatusUnprocessableEntity, pg)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/qa/evaluations/%d?done=%s", d.EvaluationID, url.QueryEscape("Dispute decided; the agent sees the reason.")))
}

// --- coaching

func (s *Server) webNewCoaching(c echo.Context) error {
	return s.renderNewCoaching(c, http.StatusOK, s.newPage(c, "Plan coaching"))
}

func (s *Server) renderNewCoaching(c echo.Context, status int, pg page) error {
	p := principal(c)
	if err := p.Allow(auth.Coaching, auth.Create); err != nil {
		return err
	}
	ctx := c.Request().Context()
	s.qaNav(&pg, p)
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

func (s *Server) webCreateCoaching(c echo.Context) error {
	p := principal(c)
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

func (s *Server) webCoaching(c echo.Context) error {
	return s.renderCoaching(c, http.StatusOK, s.newPage(c, "Coaching"))
}

func (s *Server) renderCoaching(c echo.Context, status int, pg page) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	p := principal(c)
	ctx := c.Request().Context()
	cs, err := s.svc.LoadCoaching(ctx, s.store, p, id, auth.Read)
	if err != nil {
		return err
	}
	n, err := s.loadNames(ctx)
	if err != nil {
		return err
	}
	s.qaNav(&pg, p)
	pg.Data["C"] = s.viewCoaching(p, cs)
	pg.Data["Names"] = n
	pg.Data["CanNote"] = p.AllowObject(auth.Coaching, auth.Update, auth.Owner{AgentID: &cs.AgentID, TeamID: cs.TeamID}) == nil
	return s.render(c, status, "qa_coaching", pg)
}

func (s *Server) webCoachingAction(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	p := principal(c)
	ctx := c.Request().Context()
	version, _ := strconv.Atoi(c.FormValue("version"))
	action := c.FormValue("do")
	pg := s.newPage(c, "Coaching")
	switch action {
	case "note":
		_, err = s.svc.AddCoachingNote(ctx, p, id, service.CoachingNote{Body: c.FormValue("body"), Shared: c.FormValue("shared") == "on"})
	case qa.ActionHold, qa.ActionCancel, qa.ActionAcknowledge:
		_, err = s.svc.MoveCoaching(ctx, p, id, action, version)
	case "book":
		minutes, _ := strconv.Atoi(c.FormValue("minutes"))
		_, err = s.svc.BookCoaching(ctx, p, id, service.Booking{Minutes: minutes, Version: version})
	default:
		return fault.Errorf(fault.Invalid, "unknown action %q", action)
	}
	if err != nil {
		if webFault(&pg, err, nil) {
			return s.renderCoaching(c, http.StatusUnprocessableEntity, pg)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/qa/coaching/%d?done=%s", id, url.QueryEscape("Saved.")))
}

// --- calibration

func (s *Server) webCalibration(c echo.Context) error {
	p := principal(c)
	cs, err := s.loadCalibration(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	view, err := s.calibrationView(ctx, p, cs)
	if err != nil {
		return err
	}
	n, err := s.loadNames(ctx)
	if err != nil {
		return err
	}
	pg := s.newPage(c, "Calibration: "+cs.Name)
	s.qaNav(&pg, p)
	pg.Data["V"] = view
	pg.Data["Names"] = n
	if !view.Blind {
		sc, err := s.store.FindScorecardByID(ctx, cs.ScorecardID)
		if err != nil {
			return err
		}
		rep := service.BuildCalibrationReport(cs, sc, view.Entries)
		pg.Data["Report"] = rep
	}
	return s.render(c, http.StatusOK, "qa_calibration", pg)
}

// --- trends

func (s *Server) webTrends(c echo.Context) error {
	p := principal(c)
	if err := p.Allow(auth.QATrends, auth.Read); err != nil {
		return err
	}
	if p.User.Role == org.RoleAgent && c.QueryParam("agent_id") == "" && p.User.AgentID != nil {
		c.QueryParams().Set("agent_id", strconv.FormatInt(*p.User.AgentID, 10))
	}
	pg := s.newPage(c, "Quality trends")
	tr, err := s.trends(c, p)
	if err != nil {
		return err
	}
	from, to, err := s.trendWindow(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	n, err := s.loadNames(ctx)
	if err != nil {
		return err
	}
	s.qaNav(&pg, p)
	pg.Data["T"] = tr
	pg.Data["Names"] = n
	pg.Data["Chart"] = trendChart(tr)
	pg.Data["CriterionCharts"] = criterionCharts(tr)
	pg.Data["From"], pg.Data["To"] = from.Format(time.DateOnly), to.Format(time.DateOnly)
	switch {
	case tr.AgentID != nil:
		pg.Data["Subject"] = n.Agents[*tr.AgentID]
	case tr.TeamID != nil:
		if t, err := s.store.FindTeamByID(ctx, *tr.TeamID); err == nil {
			pg.Data["Subject"] = "team " + t.Name
		}
	default:
		pg.Data["Subject"] = "everyone you can see"
	}
	if p.User.Role != org.RoleAgent {
		ids, err := s.svc.ScopedAgentIDs(ctx, p, p.ScopeOf(auth.QATrends, auth.Read))
		if err != nil {
			return err
		}
		agents, err := s.svc.AllAgents(ctx)
		if err != nil {
			return err
		}
		pg.Data["Agents"] = slices.DeleteFunc(agents, func(a org.Agent) bool { return ids != nil && !slices.Contains(ids, a.ID) })
	}
	return s.render(c, http.StatusOK, "qa_trends", pg)
}

// --- scorecards

func (s *Server) webScorecards(c echo.Context) error {
	p := principal(c)
	if err := p.Allow(auth.Scorecards, auth.Read); err != nil {
		return err
	}
	ctx := c.Request().Context()
	all, _, err := s.store.FindScorecards(ctx, store.ScorecardFilter{IncludeArchived: true, Page: store.Page{Limit: 200}})
	if err != nil {
		return err
	}
	type family struct {
		Latest   qa.Scorecard
		Versions []qa.Scorecard
	}
	var fams []family
	for _, sc := range all {
		vs, _, err := s.store.FindScorecards(ctx, store.ScorecardFilter{FamilyID: sc.FamilyID, Page: store.Page{Limit: 100}})
		if err != nil {
			return err
		}
		fams = append(fams, family{Latest: sc, Versions: vs})
	}
	pg := s.newPage(c, "Scorecards")
	s.qaNav(&pg, p)
	pg.Data["Families"] = fams
	pg.Data["CanEdit"] = p.Allow(auth.Scorecards, auth.Update) == nil
	return s.render(c, http.StatusOK, "qa_scorecards", pg)
}

func (s *Server) webEditScorecard(c echo.Context) error {
	p := principal(c)
	if err := p.Allow(auth.Scorecards, auth.Update); err != nil {
		return err
	}
	pg := s.newPage(c, "Edit scorecard")
	s.qaNav(&pg, p)
	if c.Param("id") == "new" {
		sc := qa.Scorecard{Name: "", PassThreshold: 80, Sections: []qa.Section{{Key: "section", Title: "Section", Weight: 1,
			Criteria: []qa.Criterion{{Key: "criterion", Title: "Criterion", Weight: 1, Scale: qa.YesNo}}}}}
		return s.renderScorecardForm(c, http.StatusOK, pg, sc)
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	sc, err := s.store.FindScorecardByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return s.renderScorecardForm(c, http.StatusOK, pg, sc)
}

func (s *Server) renderScorecardForm(c echo.Context, status int, pg page, sc qa.Scorecard) error {
	if _, ok := pg.Data["SectionsJSON"]; !ok {
		b, _ := json.MarshalIndent(sc.Sections, "", "  ")
		pg.Data["SectionsJSON"] = string(b)
	}
	pg.Data["S"] = sc
	return s.render(c, status, "qa_scorecard_edit", pg)
}

func (s *Server) webSaveScorecard(c echo.Context) error {
	p := principal(c)
	pg := s.newPage(c, "Edit scorecard")
	s.qaNav(&pg, p)
	threshold, _ := strconv.Atoi(c.FormValue("pass_threshold"))
	revision, _ := strconv.Atoi(c.FormValue("revision"))
	sc := qa.Scorecard{Name: strings.TrimSpace(c.FormValue("name")), PassThreshold: threshold, AutoFailZeroes: c.FormValue("auto_fail_zeroes") == "on", Revision: revision}
	pg.Data["SectionsJSON"] = c.FormValue("sections")
	if err := json.Unmarshal([]byte(c.FormValue("sections")), &sc.Sections); err != nil {
		pg.Error = "The sections are not valid JSON."
		pg.Fields["sections"] = err.Error()
		return s.renderScorecardForm(c, http.StatusBadRequest, pg, sc)
	}
	var out qa.Scorecard
	var err error
	if c.Param("id") == "new" {
		out, err = s.svc.CreateScorecard(c.Request().Context(), p, sc)
	} else {
		if sc.ID, err = idParam(c); err != nil {
			return err
		}
		out, err = s.svc.UpdateScorecard(c.Request().Context(), p, sc)
	}
	if err != nil {
		if webFault(&pg, err, nil) {
			return s.renderScorecardForm(c, http.StatusUnprocessableEntity, pg, sc)
		}
		return err
	}
	msg := fmt.Sprintf("Saved %s, version %d.", out.Name, out.Version)
	return c.Redirect(http.StatusSeeOther, "/qa/scorecards?done="+url.QueryEscape(msg))
}

// --- the agent's and the supervisor's views

func (s *Server) webMyQuality(c echo.Context) error {
	p := principal(c)
	if p.User.AgentID == nil {
		return fault.Errorf(fault.NotFound, "your account is not linked to an agent, so you have no evaluations")
	}
	ctx := c.Request().Context()
	me := []int64{*p.User.AgentID}
	evals, _, err := s.store.FindEvaluations(ctx, store.EvaluationFilter{AgentIDs: me, States: service.ReleasedStates, Page: store.Page{Limit: 100}})
	if err != nil {
		return err
	}
	slices.Reverse(evals)
	coaching, _, err := s.store.FindCoaching(ctx, store.CoachingFilter{AgentIDs: me, Page: store.Page{Limit: 100}})
	if err != nil {
		return err
	}
	views := make([]coachingView, len(coaching))
	for i, cs := range coaching {
		full, err := s.store.FindCoachingByID(ctx, cs.ID)
		if err != nil {
			return err
		}
		views[i] = s.viewCoaching(p, full)
	}
	slices.Reverse(views)
	pg := s.newPage(c, "My quality")
	s.qaNav(&pg, p)
	if pg.Data["Evaluations"], err = s.evalRows(ctx, evals); err != nil {
		return err
	}
	pg.Data["Coaching"] = views
	return s.render(c, http.StatusOK, "qa_me", pg)
}

func (s *Server) webTeamQuality(c echo.Context) error {
	if err := onlyRoles(c, org.RoleSupervisor, org.RoleAdmin); err != nil {
		return err
	}
	p := principal(c)
	ctx := c.Request().Context()
	ids, err := s.svc.ScopedAgentIDs(ctx, p, p.ScopeOf(auth.Evaluations, auth.Read))
	if err != nil {
		return err
	}
	evals, _, err := s.store.FindEvaluations(ctx, store.EvaluationFilter{AgentIDs: ids, States: service.ReleasedStates, Page: store.Page{Limit: 100}})
	if err != nil {
		return err
	}
	slices.Reverse(evals)
	overdue, _, err := s.store.FindCoaching(ctx, store.CoachingFilter{AgentIDs: ids, States: []qa.CoachingState{qa.CoachingPlanned}, DueBefore: s.now(), Page: store.Page{Limit: 100}})
	if err != nil {
		return err
	}
	upcoming, _, err := s.store.FindCoaching(ctx, store.CoachingFilter{AgentIDs: ids, States: []qa.CoachingState{qa.CoachingPlanned, qa.CoachingHeld}, Page: store.Page{Limit: 100}})
	if err != nil {
		return err
	}
	disputes, _, err := s.store.FindDisputes(ctx, store.DisputeFilter{AgentIDs: ids, State: qa.DisputeOpen, Page: store.Page{Limit: 100}})
	if err != nil {
		return err
	}
	n, err := s.loadNames(ctx)
	if err != nil {
		return err
	}
	pg := s.newPage(c, "Team quality")
	s.qaNav(&pg, p)
	if pg.Data["Evaluations"], err = s.evalRows(ctx, evals); err != nil {
		return err
	}
	pg.Data["Overdue"] = overdue
	pg.Data["Coaching"] = upcoming
	pg.Data["Disputes"] = disputes
	pg.Data["Names"] = n
	pg.Data["TeamIDs"] = p.TeamIDs
	return s.render(c, http.StatusOK, "qa_team", pg)
}

// trendChart draws the weekly mean QA score and pass rate (percent), with
// CSAT beside them, on one 0-100 axis.
func trendChart(tr Trends) template.HTML {
	loc := time.UTC // week starts are dates: plot them as such
	var score, pass, csat []chart.Point
	for _, w := range tr.Weeks {
		day, err := time.ParseInLocation(time.DateOnly, w.WeekStart, loc)
		if err != nil {
			continue
		}
		add := func(pts *[]chart.Point, v *float64) {
			if v != nil {
				*pts = append(*pts, chart.Point{X: day, Y: *v})
			}
		}
		add(&score, w.MeanScore)
		add(&pass, w.PassRate)
		add(&csat, w.CSAT)
	}
	if len(score)+len(csat) == 0 {
		return ""
	}
	c := chart.Chart{ID: "trend", Title: "Weekly quality", Width: 900, Height: 300, Location: loc, YLabel: "Percent (score out of 100)",
		Desc:    fmt.Sprintf("Mean QA score, pass rate and CSAT per week over %d weeks (%s).", len(tr.Weeks), tr.WeekClock),
		YMinMax: &[2]float64{0, 100},
		Series: []chart.Series{
			{Name: "Mean QA score", Points: score, Style: chart.Solid, Markers: true},
			{Name: "Pass rate %", Points: pass, Style: chart.Dashed, Markers: true},
			{Name: "CSAT % (4-5 of 5)", Points: csat, Style: chart.Dotted, Markers: true},
		}}
	out, err := c.Render()
	if err != nil {
		return ""
	}
	return out
}

// criterionChart is one criterion's small chart on the trends page.
type criterionChart struct {
	Key string
	SVG template.HTML
}

// criterionCharts draws each criterion's weekly mean points (0-100) as a
// small chart of its own, so a falling criterion stands out without colour.
func criterionCharts(tr Trends) []criterionChart {
	var out []criterionChart
	for i, ct := range tr.Criteria {
		var pts []chart.Point
		for _, w := range ct.Weeks {
			day, err := time.ParseInLocation(time.DateOnly, w.WeekStart, time.UTC)
			if err == nil && w.Mean != nil {
				pts = append(pts, chart.Point{X: day, Y: *w.Mean})
			}
		}
		if len(pts) == 0 {
			continue
		}
		c := chart.Chart{ID: fmt.Sprintf("crit%d", i), Title: "Criterion " + ct.Key, Width: 420, Height: 200, Location: time.UTC,
			YLabel: "Mean points (0-100)", YMinMax: &[2]float64{0, 100},
			Desc:   fmt.Sprintf("Weekly mean points of criterion %s over %d weeks.", ct.Key, len(pts)),
			Series: []chart.Series{{Name: ct.Key, Points: pts, Style: chart.Solid, Markers: true}}}
		svg, err := c.Render()
		if err == nil {
			out = append(out, criterionChart{Key: ct.Key, SVG: svg})
		}
	}
	return out
}
