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

// webDispute handles the "POST /qa/evaluations/:id/dispute" page.
func (s *Handler) webDispute(c echo.Context) error {
	p := httpx.Principal(c)
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
