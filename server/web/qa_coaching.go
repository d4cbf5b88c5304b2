package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/service"
)

// webCoaching handles the "GET /qa/coaching/:id" page.
func (s *Handler) webCoaching(c echo.Context) error {
	return s.renderCoaching(c, http.StatusOK, s.newPage(c, "Coaching"))
}

func (s *Handler) renderCoaching(c echo.Context, status int, pg page) error {
	id, err := httpx.IDParam(c)
	if err != nil {
		return err
	}
	p := httpx.Principal(c)
	ctx := c.Request().Context()
	cs, err := s.svc.GetCoaching(ctx, p, id, auth.Read)
	if err != nil {
		return err
	}
	n, err := s.loadNames(ctx)
	if err != nil {
		return err
	}
	crit, err := s.allCriteria(ctx)
	if err != nil {
		return err
	}
	titles := make([]string, len(cs.Criteria))
	for i, k := range cs.Criteria {
		titles[i] = crit.title(k)
	}
	pg.Data["C"] = s.svc.ViewCoaching(p, cs)
	pg.Data["CriterionTitles"] = titles
	pg.Data["Names"] = n
	pg.Data["CanNote"] = p.AllowObject(auth.Coaching, auth.Update, auth.Owner{AgentID: &cs.AgentID, TeamID: cs.TeamID}) == nil
	return s.render(c, status, "qa_coaching", pg)
}

// coachingActionForm is one of the forms of qa_coaching.html: Do names the
// action (a note, a booking or a move such as hold); the use cases check the
// rest and name the fields they refuse.
type coachingActionForm struct {
	Do      string
	Version int
	Body    string // a note
	Shared  bool   // a note the agent sees
	Minutes int    // a booking's length
}

func parseCoachingActionForm(c echo.Context) coachingActionForm {
	f := coachingActionForm{Do: c.FormValue("do"), Body: c.FormValue("body"), Shared: c.FormValue("shared") == "on"}
	f.Version, _ = strconv.Atoi(c.FormValue("version"))
	f.Minutes, _ = strconv.Atoi(c.FormValue("minutes"))
	return f
}

// webCoachingAction handles the "POST /qa/coaching/:id" page.
func (s *Handler) webCoachingAction(c echo.Context) error {
	id, err := httpx.IDParam(c)
	if err != nil {
		return err
	}
	p := httpx.Principal(c)
	ctx := c.Request().Context()
	form := parseCoachingActionForm(c)
	version, action := form.Version, form.Do
	pg := s.newPage(c, "Coaching")
	switch action {
	case "note":
		_, err = s.svc.AddCoachingNote(ctx, p, id, service.CoachingNote{Body: form.Body, Shared: form.Shared})
	case qa.ActionHold, qa.ActionCancel, qa.ActionAcknowledge:
		if _, err = s.svc.MoveCoaching(ctx, p, id, action, version); err != nil {
			if now, rerr := s.svc.GetCoaching(ctx, p, id, auth.Read); rerr == nil {
				_, terr := qa.NextCoachingState(now.State, action)
				if msg, ok := alreadyDone(err, "coaching session", string(now.State), terr == nil); ok {
					showAlreadyDone(&pg, msg, p.User.Role)
					return s.renderCoaching(c, http.StatusConflict, pg)
				}
			}
		}
	case "book":
		_, err = s.svc.BookCoaching(ctx, p, id, service.Booking{Minutes: form.Minutes, Version: version})
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
