package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
)

// adminData adds what the admin page shows beside the users.
func (s *Handler) adminData(c echo.Context, pg *page) error {
	ctx := c.Request().Context()
	teams, _, err := s.svc.FindTeams(ctx, service.TeamFilter{Page: service.Page{Limit: 500}})
	if err != nil {
		return err
	}
	sites, _, err := s.svc.FindSites(ctx, service.Page{Limit: 500})
	if err != nil {
		return err
	}
	tokens, _, err := s.svc.FindAPITokens(ctx, service.APITokenFilter{Page: service.Page{Limit: 500}})
	if err != nil {
		return err
	}
	agents, err := s.svc.AllAgents(ctx)
	if err != nil {
		return err
	}
	users, _, err := s.svc.FindUsers(ctx, service.UserFilter{Page: service.Page{Limit: 500}})
	if err != nil {
		return err
	}
	names := map[int64]string{}
	var supervisors []org.User
	for _, u := range users {
		names[u.ID] = u.Name
		if u.Role == org.RoleSupervisor && !u.Disabled {
			supervisors = append(supervisors, u)
		}
	}
	siteNames := map[int64]string{}
	for _, st := range sites {
		siteNames[st.ID] = st.Name
	}
	pg.Data["Teams"], pg.Data["Sites"], pg.Data["SiteNames"], pg.Data["Tokens"] = teams, sites, siteNames, tokens
	pg.Data["Agents"], pg.Data["UserNames"], pg.Data["Supervisors"] = agents, names, supervisors
	return nil
}

// adminDone goes back to the admin page with a message.
func adminDone(c echo.Context, msg string) error {
	return c.Redirect(http.StatusSeeOther, "/admin?done="+url.QueryEscape(msg))
}

// adminFault shows a form error on the admin page, or passes on errors that
// are not about the form.
func (s *Handler) adminFault(c echo.Context, err error) error {
	var fe *fault.Error
	if !errors.As(err, &fe) || (fe.Code != fault.Invalid && fe.Code != fault.Conflict && fe.Code != fault.Unprocessable) {
		return err
	}
	pg := s.newPage(c, "Administration")
	pg.Error = fe.Message
	for k, v := range fe.Fields {
		pg.Error += "; " + k + ": " + v
	}
	return s.adminPage(c, httpx.StatusOf[fe.Code], pg, nil)
}

func (s *Handler) webUpdateUser(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.Users, auth.Update); err != nil {
		return err
	}
	id, err := httpx.IDParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	found, err := s.svc.FindUser(ctx, id)
	u := service.UserInput{User: found}
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	if version != u.Version {
		return s.adminFault(c, fault.Errorf(fault.Conflict, "%s was changed by someone else; reload and retry", u.Email))
	}
	u.Role = org.Role(c.FormValue("role"))
	u.AgentID = nil
	if v := strings.TrimSpace(c.FormValue("agent_id")); v != "" {
		agentID, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return s.adminFault(c, &fault.Error{Code: fault.Invalid, Message: "invalid user", Fields: map[string]string{"agent_id": "choose an agent"}})
		}
		u.AgentID = &agentID
	}
	u.Disabled = c.FormValue("disabled") == "on"
	if id == p.User.ID && (u.Disabled || u.Role != org.RoleAdmin) {
		return s.adminFault(c, &fault.Error{Code: fault.Invalid, Message: "you cannot lock yourself out", Fields: map[string]string{"role": "keep your own account an active admin"}})
	}
	if err := u.Validate(); err != nil {
		return s.adminFault(c, err)
	}
	if _, err := s.svc.UpdateUser(ctx, u); err != nil {
		return s.adminFault(c, err)
	}
	return adminDone(c, "Saved "+u.Email+".")
}

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
	if err := httpx.Principal(c).Allow(auth.Teams, auth.Update); err != nil {
		return err
	}
	id, err := httpx.IDParam(c)
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

func (s *Handler) webCreateToken(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.Tokens, auth.Create); err != nil {
		return err
	}
	userID, err := strconv.ParseInt(c.FormValue("user_id"), 10, 64)
	if err != nil {
		userID = p.User.ID
	}
	if userID != p.User.ID && p.ScopeOf(auth.Tokens, auth.Create) != auth.All {
		return fault.Errorf(fault.Forbidden, "you may make tokens only for yourself")
	}
	secret, tok, err := s.svc.CreateToken(c.Request().Context(), userID, strings.TrimSpace(c.FormValue("name")))
	if err != nil {
		return s.adminFault(c, err)
	}
	pg := s.newPage(c, "Administration")
	pg.Flash = "Token " + tok.Name + " made. Copy it now; it is not shown again."
	pg.Data["NewToken"] = secret
	return s.adminPage(c, http.StatusOK, pg, nil)
}

func (s *Handler) webRevokeToken(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.Tokens, auth.Delete); err != nil {
		return err
	}
	id, err := httpx.IDParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	tok, err := s.svc.FindAPITokenByID(ctx, id)
	if err != nil {
		return err
	}
	if err := p.AllowObject(auth.Tokens, auth.Delete, auth.Owner{UserID: &tok.UserID}); err != nil {
		return err
	}
	if err := s.svc.RevokeAPIToken(ctx, id, s.now()); err != nil {
		return err
	}
	return adminDone(c, "Token "+tok.Name+" revoked; scripts using it are refused from now on.")
}
