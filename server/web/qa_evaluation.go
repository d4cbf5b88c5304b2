package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
)

// criterionView is one criterion on the evaluation page.
type criterionView struct {
	qa.Criterion
	Section  string
	Options  []int
	Value    string // "", "na" or the number
	Answer   string // the answer in words: Yes, "3 of 5", N/A or "" when not answered
	Score    *float64
	Failed   bool
	Comment  string
	Disputed *disputeItemView
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
	Dispute    *disputeView // the open dispute, if any
	CanDecide  bool
	Disputes   []disputeView
	History    []historyRow
	Unanswered int
}

func (s *Handler) evaluationPage(ctx context.Context, p auth.Principal, id int64) (evaluationPage, error) {
	e, err := s.svc.GetEvaluation(ctx, p, id, auth.Read)
	if err != nil {
		return evaluationPage{}, err
	}
	v, err := s.svc.ViewEvaluation(ctx, e)
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
	disputes, _, err := s.svc.FindDisputes(ctx, service.DisputeFilter{EvaluationID: e.ID, Page: service.Page{Limit: 50}})
	if err != nil {
		return ep, err
	}
	cs := criteriaOf(v.Scorecard)
	ep.Disputes = disputeViews(cs, disputes)
	open := ep.openDispute()
	ep.CanDispute = (e.State == qa.EvalReleased || e.State == qa.EvalResolved) && p.AllowObject(auth.Disputes, auth.Create, owner) == nil &&
		e.ReleasedAt != nil && qa.CanDispute(s.svc.DisputePolicy(), *e.ReleasedAt, s.now(), len(disputes)) == nil
	ep.CanDecide = ep.Dispute != nil && p.AllowObject(auth.Disputes, auth.Update, owner) == nil && (p.User.AgentID == nil || *p.User.AgentID != e.AgentID)
	ep.Criteria, ep.Unanswered = criterionViews(v.Scorecard, e, open)
	if p.User.Role != org.RoleAgent {
		events, err := s.svc.FindAudit(ctx, "evaluation", e.ID)
		if err != nil {
			return ep, err
		}
		ep.History = evaluationHistory(cs, events)
	}
	return ep, nil
}

// openDispute points ep.Dispute at the evaluation's open dispute, if any,
// and returns its items by criterion (nil when none is open).
func (ep *evaluationPage) openDispute() map[string]*disputeItemView {
	var open map[string]*disputeItemView
	for i := range ep.Disputes {
		if ep.Disputes[i].State == qa.DisputeOpen {
			ep.Dispute = &ep.Disputes[i]
			open = map[string]*disputeItemView{}
			for j := range ep.Disputes[i].Items {
				open[ep.Disputes[i].Items[j].Criterion] = &ep.Disputes[i].Items[j]
			}
		}
	}
	return open
}

// criterionViews lays the scorecard's criteria out with e's answers,
// comments, scores and the open dispute's items, and counts the criteria
// not answered yet.
func criterionViews(sc qa.Scorecard, e qa.Evaluation, open map[string]*disputeItemView) ([]criterionView, int) {
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
	var out []criterionView
	unanswered := 0
	for _, sec := range sc.Sections {
		for _, cr := range sec.Criteria {
			cv := criterionView{Criterion: cr, Section: sec.Title, Comment: e.Comments[cr.Key], Disputed: open[cr.Key]}
			lo, hi, _ := cr.Scale.Bounds()
			for x := lo; x <= hi; x++ {
				cv.Options = append(cv.Options, x)
			}
			switch {
			case !answered[cr.Key]:
				unanswered++
			case values[cr.Key] == nil:
				cv.Value = "na"
			default:
				cv.Value = strconv.Itoa(*values[cr.Key])
			}
			if answered[cr.Key] {
				cv.Answer = answerWords(cr.Scale, values[cr.Key])
			}
			if r, ok := results[cr.Key]; ok {
				cv.Score, cv.Failed = r.Score, r.Failed
			}
			out = append(out, cv)
		}
	}
	return out, unanswered
}

// webEvaluation handles the "GET /qa/evaluations/:id" page.
func (s *Handler) webEvaluation(c echo.Context) error {
	return s.renderEvaluation(c, http.StatusOK, s.newPage(c, "Evaluation"))
}

func (s *Handler) renderEvaluation(c echo.Context, status int, pg page) error {
	id, err := httpx.IDParam(c)
	if err != nil {
		return err
	}
	p := httpx.Principal(c)
	ep, err := s.evaluationPage(c.Request().Context(), p, id)
	if err != nil {
		return err
	}
	pg.Title = fmt.Sprintf("Evaluation %d", ep.E.ID)
	pg.Data["P"] = ep
	pg.Data["ScaleLabel"] = scaleLabel
	pg.Data["DisputeWindow"] = s.svc.DisputePolicy().WithDefaults().Window
	return s.render(c, status, "qa_evaluation", pg)
}

// scoreForm is the form of qa_evaluation.html that scores an evaluation
// (Do is "save" or "submit") or moves it on ("release", "acknowledge").
// Per criterion of the scorecard, v.<key> is "", "na" or a number and
// c.<key> a comment; unanswered criteria are left out of Answers.
type scoreForm struct {
	Do       string
	Version  int
	Answers  []qa.Answer
	Comments map[string]string
	Comment  string
	Reason   string // why a submitted evaluation changes
	bad      fault.Fields
}

func parseScoreForm(c echo.Context, sc qa.Scorecard) scoreForm {
	f := scoreForm{Do: c.FormValue("do"), Answers: []qa.Answer{}, Comments: map[string]string{},
		Comment: strings.TrimSpace(c.FormValue("comment")), Reason: c.FormValue("reason"), bad: fault.Fields{}}
	f.Version, _ = strconv.Atoi(c.FormValue("version"))
	for _, sec := range sc.Sections {
		for _, cr := range sec.Criteria {
			raw := strings.TrimSpace(c.FormValue("v." + cr.Key))
			if t := strings.TrimSpace(c.FormValue("c." + cr.Key)); t != "" {
				f.Comments[cr.Key] = t
			}
			switch raw {
			case "":
				continue
			case "na":
				f.Answers = append(f.Answers, qa.Answer{Criterion: cr.Key})
			default:
				n, err := strconv.Atoi(raw)
				if err != nil {
					f.bad.Add("v."+cr.Key, "choose a value")
					continue
				}
				f.Answers = append(f.Answers, qa.Answer{Criterion: cr.Key, Value: &n})
			}
		}
	}
	return f
}

// Validate names the answers that are not one of the criterion's values.
func (f scoreForm) Validate() fault.Fields { return f.bad }

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
func (s *Handler) webEvaluationCard(c echo.Context) (qa.Evaluation, qa.Scorecard, error) {
	id, err := httpx.IDParam(c)
	if err != nil {
		return qa.Evaluation{}, qa.Scorecard{}, err
	}
	ctx := c.Request().Context()
	e, err := s.svc.GetEvaluation(ctx, httpx.Principal(c), id, auth.Read)
	if err != nil {
		return qa.Evaluation{}, qa.Scorecard{}, err
	}
	sc, err := s.svc.FindScorecardByID(ctx, e.ScorecardID)
	return e, sc, err
}

// webSaveEvaluation handles the "POST /qa/evaluations/:id" page.
func (s *Handler) webSaveEvaluation(c echo.Context) error {
	p := httpx.Principal(c)
	ctx := c.Request().Context()
	e, sc, err := s.webEvaluationCard(c)
	if err != nil {
		return err
	}
	id := e.ID
	form := parseScoreForm(c, sc)
	version, action := form.Version, form.Do
	pg := s.newPage(c, "Evaluation")
	done := ""
	switch action {
	case "save", "submit":
		if bad := form.Validate(); len(bad) > 0 {
			pg.Error, pg.Fields = "Some answers are not valid.", bad
			return s.renderEvaluation(c, http.StatusBadRequest, pg)
		}
		if e.State == qa.EvalDraft || e.State == qa.EvalSubmitted {
			e, err = s.svc.ScoreEvaluation(ctx, p, id, service.Score{Answers: form.Answers, Comments: form.Comments, Comment: form.Comment,
				Reason: form.Reason, Version: version})
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
			if now, rerr := s.svc.GetEvaluation(ctx, p, id, auth.Read); rerr == nil {
				_, terr := qa.NextEvalState(now.State, action)
				if msg, ok := alreadyDone(err, "evaluation", string(now.State), terr == nil); ok {
					showAlreadyDone(&pg, msg, p.User.Role)
					return s.renderEvaluation(c, http.StatusConflict, pg)
				}
			}
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
func (s *Handler) webPreviewScore(c echo.Context) error {
	_, sc, err := s.webEvaluationCard(c)
	if err != nil {
		return err
	}
	answers := parseScoreForm(c, sc).Answers
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
	if out.Unanswered > 0 && res.Outcome == qa.Pass {
		// Unanswered criteria may still fail it: a pass is only known once
		// everything is answered (a fail by a critical or auto-fail is final).
		out.Outcome = "incomplete"
	}
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
