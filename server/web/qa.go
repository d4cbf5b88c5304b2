package web

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/qa"
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

// webQA handles the "GET /qa" page.
func (s *Handler) webQA(c echo.Context) error {
	if err := onlyRoles(c, org.RoleQAReviewer, org.RoleAdmin); err != nil {
		return err
	}
	p := httpx.Principal(c)
	ctx := c.Request().Context()
	pg := s.newPage(c, "Quality")
	queue, _, err := s.svc.FindEvaluations(ctx, service.EvaluationFilter{ReviewerID: p.User.ID, States: []qa.EvalState{qa.EvalDraft}, Page: service.Page{Limit: 200}})
	if err != nil {
		return err
	}
	slices.SortFunc(queue, func(a, b qa.Evaluation) int { return compareDue(a.DueAt, b.DueAt) })
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
