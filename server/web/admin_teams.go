package web

import (
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/org"
)

// teamForm is the "add a team" form of admin.html and each team's row,
// which changes only the supervisor. A site or supervisor that is not a
// number reads as none, and the team's rules (checked by CreateTeam and
// UpdateTeam) name what is missing, so the form has nothing to validate.
type teamForm struct {
	Name         string
	SiteID       int64
	SupervisorID *int64
	Version      int
}

func parseTeamForm(c echo.Context) teamForm {
	f := teamForm{Name: strings.TrimSpace(c.FormValue("name"))}
	f.SiteID, _ = strconv.ParseInt(c.FormValue("site_id"), 10, 64)
	f.Version, _ = strconv.Atoi(c.FormValue("version"))
	if sup, err := strconv.ParseInt(c.FormValue("supervisor_id"), 10, 64); err == nil {
		f.SupervisorID = &sup
	}
	return f
}

// webCreateTeam handles the "POST /admin/teams" route.
func (s *Handler) webCreateTeam(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.Teams, auth.Create); err != nil {
		return err
	}
	form := parseTeamForm(c)
	t := org.Team{Name: form.Name, SiteID: form.SiteID, SupervisorID: form.SupervisorID}
	if _, err := s.svc.CreateTeam(c.Request().Context(), p, t); err != nil {
		return s.adminFault(c, err)
	}
	return adminDone(c, "Team "+t.Name+" added.")
}

// webUpdateTeam handles the "POST /admin/teams/:id" route.
func (s *Handler) webUpdateTeam(c echo.Context) error {
	id, err := httpx.AuthorizedID(c, auth.Teams, auth.Update)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	t, err := s.svc.FindTeamByID(ctx, id)
	if err != nil {
		return err
	}
	form := parseTeamForm(c)
	if form.Version != t.Version {
		return s.adminFault(c, fault.Errorf(fault.Conflict, "team %s was changed by someone else; reload and retry", t.Name))
	}
	t.SupervisorID = form.SupervisorID
	if _, err := s.svc.UpdateTeam(ctx, httpx.Principal(c), t); err != nil {
		return s.adminFault(c, err)
	}
	return adminDone(c, "Team "+t.Name+" saved.")
}
