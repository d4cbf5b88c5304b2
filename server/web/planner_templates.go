package web

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/service"
)

// webTemplateSets handles the "GET /planner/templates" page: the stored
// shift template sets, each with its templates in a line.
func (s *Handler) webTemplateSets(c echo.Context) error {
	p, err := plannerMay(c, auth.ShiftTemplates, auth.Read)
	if err != nil {
		return err
	}
	sets, _, err := s.svc.FindTemplateSets(c.Request().Context(), service.Page{Limit: 500})
	if err != nil {
		return err
	}
	pg := s.newPage(c, "Shift templates")
	pg.Data["Sets"] = sets
	pg.Data["CanEdit"] = p.Allow(auth.ShiftTemplates, auth.Update) == nil
	return s.render(c, http.StatusOK, "planner_templates", pg)
}

// webDeleteTemplateSet handles the "POST /planner/templates/:id/delete"
// action; drafts generated from the set keep their shifts.
func (s *Handler) webDeleteTemplateSet(c echo.Context) error {
	p, id, err := plannerRecord(c, auth.ShiftTemplates, auth.Delete)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ts, err := s.svc.FindTemplateSetByID(ctx, id)
	if err != nil {
		return err
	}
	if err := s.svc.DeleteTemplateSet(ctx, p, id); err != nil {
		return err
	}
	msg := fmt.Sprintf("Deleted the template set %s.", ts.Name)
	return c.Redirect(http.StatusSeeOther, "/planner/templates?done="+url.QueryEscape(msg))
}
