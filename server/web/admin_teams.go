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

func (s *Handler) webCreateTeam(c echo.Context) error {
	if err := httpx.Principal(c).Allow(auth.Teams, auth.Create); err != nil {
		return err
	}
	siteID, _ := strconv.ParseInt(c.FormValue("site_id"), 10, 64)
	t := org.Team{Name: strings.TrimSpace(c.FormValue("name")), SiteID: siteID}
	if v := c.FormValue("supervisor_id"); v != "" {
		sup, err := strconv.ParseInt(v, 10, 64)
		if err == nil {
			t.SupervisorID = &sup
		}
	}
	ctx := c.Request().Context()
	if err := s.svc.ValidateTeam(ctx, t); err != nil {
		return s.adminFault(c, err)
	}
	if _, err := s.svc.CreateTeam(ctx, t); err != nil {
		return s.adminFault(c, err)
	}
	return adminDone(c, "Team "+t.Name+" added.")
}

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
	if version, _ := strconv.Atoi(c.FormValue("version")); version != t.Version {
		return s.adminFault(c, fault.Errorf(fault.Conflict, "team %s was changed by someone else; reload and retry", t.Name))
	}
	t.SupervisorID = nil
	if v := c.FormValue("supervisor_id"); v != "" {
		sup, err := strconv.ParseInt(v, 10, 64)
		if err == nil {
			t.SupervisorID = &sup
		}
	}
	if err := s.svc.ValidateTeam(ctx, t); err != nil {
		return s.adminFault(c, err)
	}
	if _, err := s.svc.UpdateTeam(ctx, t); err != nil {
		return s.adminFault(c, err)
	}
	return adminDone(c, "Team "+t.Name+" saved.")
}
