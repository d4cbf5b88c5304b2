package server

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// adminWebRoutes registers the admin's forms beside adding users: changing a
// user's role, agent link and access; teams and their supervisors; API tokens.
func (s *Server) adminWebRoutes(g *echo.Group) {
	g.POST("/admin/users/:id", s.webUpdateUser)
	g.POST("/admin/teams", s.webCreateTeam)
	g.POST("/admin/teams/:id", s.webUpdateTeam)
	g.POST("/admin/tokens", s.webCreateToken)
	g.POST("/admin/tokens/:id/revoke", s.webRevokeToken)
}

// adminData adds what the admin page shows beside the users.
func (s *Server) adminData(c echo.Context, pg *page) error {
	ctx := c.Request().Context()
	teams, _, err := s.store.FindTeams(ctx, store.TeamFilter{Page: store.Page{Limit: 500}})
	if err != nil {
		return err
	}
	sites, _, err := s.store.FindSites(ctx, store.Page{Limit: 500})
	if err != nil {
		return err
	}
	tokens, _, err := s.store.FindAPITokens(ctx, store.APITokenFilter{Page: store.Page{Limit: 500}})
	if err != nil {
		return err
	}
	agents, err := s.svc.AllAgents(ctx)
	if err != nil {
		return err
	}
	users, _, err := s.store.FindUsers(ctx, store.UserFilter{Page: store.Page{Limit: 500}})
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
func (s *Server) adminFault(c echo.Context, err error) error {
	var fe *fault.Error
	if !errors.As(err, &fe) || (fe.Code != fault.Invalid && fe.Code != fault.Conflict && fe.Code != fault.Unprocessable) {
		return err
	}
	pg := s.newPage(c, "Administration")
	pg.Error = fe.Message
	for k, v := range fe.Fields {
		pg.Error += "; " + k + ": " + v
	}
	return s.adminPage(c, statusOf[fe.Code], pg, nil)
}

func (s *Server) webUpdateUser(c echo.Context) error {
	p := principal(c)
	if err := p.Allow(auth.Users, auth.Update); err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	u, err := s.findUserBody(ctx, id)
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
	if err := u.validate(); err != nil {
		return s.adminFault(c, err)
	}
	if _, err := s.updateUser(ctx, u); err != nil {
		return s.adminFault(c, err)
	}
	return adminDone(c, "Saved "+u.Email+".")
}

func (s *Server) webCreateTeam(c echo.Context) error {
	if err := principal(c).Allow(auth.Teams, auth.Create); err != nil {
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
	if _, err := s.store.CreateTeam(ctx, t); err != nil {
		return s.adminFault(c, err)
	}
	return adminDone(c, "Team "+t.Name+" added.")
}

func (s *Server) webUpdateTeam(c echo.Context) error {
	if err := principal(c).Allow(auth.Teams, auth.Update); err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	t, err := s.store.FindTeamByID(ctx, id)
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
	if _, err := s.store.UpdateTeam(ctx, t); err != nil {
		return s.adminFault(c, err)
	}
	return adminDone(c, "Team "+t.Name+" saved.")
}

func (s *Server) webCreateToken(c echo.Context) error {
	p := principal(c)
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

func (s *Server) webRevokeToken(c echo.Context) error {
	p := principal(c)
	if err := p.Allow(auth.Tokens, auth.Delete); err != nil {
		return err
	}
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	tok, err := s.store.FindAPITokenByID(ctx, id)
	if err != nil {
		return err
	}
	if err := p.AllowObject(auth.Tokens, auth.Delete, auth.Owner{UserID: &tok.UserID}); err != nil {
		return err
	}
	if err := s.store.RevokeAPIToken(ctx, id, s.now()); err != nil {
		return err
	}
	return adminDone(c, "Token "+tok.Name+" revoked; scripts using it are refused from now on.")
}
