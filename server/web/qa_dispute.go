package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/service"
)

// disputeForm is the dispute form of qa_evaluation.html: per criterion of
// the scorecard, d.<key> ticks it, p.<key> proposes a value ("na": not
// applicable) and dc.<key> says why. The use case checks the items; fieldOf
// maps the names it gives them (items[0].comment) back to the form's fields.
type disputeForm struct {
	Items   []qa.DisputeItem
	Comment string
	fieldOf map[string]string
}

func parseDisputeForm(c echo.Context, sc qa.Scorecard) disputeForm {
	f := disputeForm{Comment: c.FormValue("comment"), fieldOf: map[string]string{"items": "dispute"}}
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
			prefix := fmt.Sprintf("items[%d]", len(f.Items))
			f.fieldOf[prefix+".proposed"], f.fieldOf[prefix+".comment"], f.fieldOf[prefix+".criterion"] = "p."+cr.Key, "dc."+cr.Key, "d."+cr.Key
			f.Items = append(f.Items, it)
		}
	}
	return f
}

// webDispute handles the "POST /qa/evaluations/:id/dispute" page.
func (s *Handler) webDispute(c echo.Context) error {
	p := httpx.Principal(c)
	ctx := c.Request().Context()
	e, sc, err := s.webEvaluationCard(c)
	if err != nil {
		return err
	}
	id := e.ID
	form := parseDisputeForm(c, sc)
	if _, err := s.svc.OpenDispute(ctx, p, id, service.DisputeInput{Items: form.Items, Comment: form.Comment}); err != nil {
		pg := s.newPage(c, "Evaluation")
		if webFault(&pg, err, form.fieldOf) {
			return s.renderEvaluation(c, http.StatusUnprocessableEntity, pg)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/qa/evaluations/%d?done=%s", id, url.QueryEscape("Dispute sent to the reviewer.")))
}

// parseDecisionForm reads the reviewer's decision form of
// qa_evaluation.html: decision, reason and, for a partial decision, a.<key>
// for each disputed criterion whose proposed value is accepted. The use case
// checks the decision and names the fields it refuses.
func parseDecisionForm(c echo.Context, d qa.Dispute) service.DisputeDecision {
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
	return req
}

// webDecideDispute handles the "POST /qa/disputes/:id/decide" page.
func (s *Handler) webDecideDispute(c echo.Context) error {
	id, err := httpx.IDParam(c)
	if err != nil {
		return err
	}
	p := httpx.Principal(c)
	ctx := c.Request().Context()
	d, _, err := s.svc.GetDispute(ctx, p, id, auth.Update)
	if err != nil {
		return err
	}
	if _, err := s.svc.DecideDispute(ctx, p, id, parseDecisionForm(c, d)); err != nil {
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
