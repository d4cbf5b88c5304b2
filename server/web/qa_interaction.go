package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
)

// webInteraction handles the "GET /qa/interactions/:id" page: the
// interaction, its evaluations and the form that assigns it.
func (s *Handler) webInteraction(c echo.Context) error {
	id, err := httpx.IDParam(c)
	if err != nil {
		return err
	}
	form := assignForm{InteractionID: id, ReviewerID: httpx.Principal(c).User.ID}
	return s.renderInteraction(c, http.StatusOK, s.newPage(c, "Evaluate an interaction"), form)
}

func (s *Handler) renderInteraction(c echo.Context, status int, pg page, form assignForm) error {
	if err := onlyRoles(c, org.RoleQAReviewer, org.RoleAdmin); err != nil {
		return err
	}
	p := httpx.Principal(c)
	if err := p.Allow(auth.Evaluations, auth.Create); err != nil {
		return err
	}
	ctx := c.Request().Context()
	ct, err := s.svc.FindContactByID(ctx, form.InteractionID)
	if err != nil {
		return err
	}
	ids, err := s.svc.ScopedAgentIDs(ctx, p, p.ScopeOf(auth.Interactions, auth.Read))
	if err != nil {
		return err
	}
	if ids != nil && !slices.Contains(ids, ct.AgentID) {
		return fault.Errorf(fault.NotFound, "interaction not found")
	}
	evals, _, err := s.svc.FindEvaluations(ctx, service.EvaluationFilter{InteractionID: ct.ID, Page: service.Page{Limit: 100}})
	if err != nil {
		return err
	}
	rows, err := s.evalRows(ctx, evals)
	if err != nil {
		return err
	}
	reviewers, err := s.reviewers(ctx)
	if err != nil {
		return err
	}
	cards, _, err := s.svc.FindScorecards(ctx, service.ScorecardFilter{Page: service.Page{Limit: 500}})
	if err != nil {
		return err
	}
	if form.ScorecardID == 0 && len(cards) > 0 {
		form.ScorecardID = cards[0].ID
	}
	n, err := s.loadNames(ctx)
	if err != nil {
		return err
	}
	pg.Data["C"], pg.Data["Evaluations"], pg.Data["Reviewers"], pg.Data["Scorecards"] = ct, rows, reviewers, cards
	pg.Data["Form"], pg.Data["Names"] = form, n
	return s.render(c, status, "qa_interaction", pg)
}

// reviewers are the users who may score: QA reviewers and admins, by name.
func (s *Handler) reviewers(ctx context.Context) ([]org.User, error) {
	var out []org.User
	for _, r := range []org.Role{org.RoleQAReviewer, org.RoleAdmin} {
		users, _, err := s.svc.FindUsers(ctx, service.UserFilter{Role: &r, Page: service.Page{Limit: 500}})
		if err != nil {
			return nil, err
		}
		out = append(out, users...)
	}
	slices.SortFunc(out, func(a, b org.User) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out, nil
}

// assignForm is the form of qa_interaction.html that assigns the
// interaction to a reviewer as a draft evaluation. A due time that is not a
// date and time is the form's own error; none is no due date.
type assignForm struct {
	InteractionID, ScorecardID, ReviewerID int64
	Due                                    string // YYYY-MM-DDTHH:MM in the caller's zone, or ""
	due                                    *time.Time
}

func parseAssignForm(c echo.Context, id int64, zone *time.Location) assignForm {
	f := assignForm{InteractionID: id, Due: c.FormValue("due_at")}
	f.ScorecardID, _ = strconv.ParseInt(c.FormValue("scorecard_id"), 10, 64)
	f.ReviewerID, _ = strconv.ParseInt(c.FormValue("reviewer_id"), 10, 64)
	if t, err := time.ParseInLocation("2006-01-02T15:04", f.Due, zone); err == nil {
		f.due = &t
	}
	return f
}

// Validate returns the field errors only the form can have.
func (f assignForm) Validate() map[string]string {
	bad := map[string]string{}
	if f.Due != "" && f.due == nil {
		bad["due_at"] = "is not a date and time"
	}
	if f.ScorecardID == 0 {
		bad["scorecard_id"] = "choose a scorecard"
	}
	return bad
}

// webAssignInteraction handles the "POST /qa/interactions/:id/evaluate"
// page: it creates the draft evaluation and opens it, or shows the form
// again with the errors next to the fields.
func (s *Handler) webAssignInteraction(c echo.Context) error {
	id, err := httpx.IDParam(c)
	if err != nil {
		return err
	}
	p := httpx.Principal(c)
	if err := onlyRoles(c, org.RoleQAReviewer, org.RoleAdmin); err != nil {
		return err
	}
	if err := p.Allow(auth.Evaluations, auth.Create); err != nil {
		return err
	}
	pg := s.newPage(c, "Evaluate an interaction")
	form := parseAssignForm(c, id, zoneOf(pg.Zone))
	if bad := form.Validate(); len(bad) > 0 {
		pg.Error, pg.Fields = "The assignment is not valid.", bad
		return s.renderInteraction(c, http.StatusUnprocessableEntity, pg, form)
	}
	out, err := s.svc.AssignEvaluation(c.Request().Context(), p, service.EvaluationAssignment{InteractionID: id, ScorecardID: form.ScorecardID,
		ReviewerID: form.ReviewerID, DueAt: form.due})
	if err != nil {
		if webFault(&pg, err, nil) {
			return s.renderInteraction(c, http.StatusUnprocessableEntity, pg, form)
		}
		return err
	}
	to := fmt.Sprintf("/qa/evaluations/%d?done=%s", out.ID, url.QueryEscape("Evaluation assigned."))
	if out.ReviewerID != p.User.ID {
		to = fmt.Sprintf("/qa/interactions/%d?done=%s", id, url.QueryEscape("Evaluation assigned."))
	}
	return c.Redirect(http.StatusSeeOther, to)
}
