package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
)

func (s *Handler) adminPage(c echo.Context, status int, pg page, form map[string]string) error {
	users, _, err := s.svc.FindUsers(c.Request().Context(), service.UserFilter{Page: service.Page{Limit: 500}})
	if err != nil {
		return err
	}
	pg.Data["Users"] = users
	pg.Data["Roles"] = org.Roles
	if err := s.adminData(c, &pg); err != nil {
		return err
	}
	if form == nil {
		form = map[string]string{"role": string(org.RolePlanner)}
	}
	pg.Data["Form"] = form
	return s.render(c, status, "admin", pg)
}

func (s *Handler) webAdmin(c echo.Context) error {
	if err := httpx.Principal(c).Allow(auth.Users, auth.Read); err != nil {
		return err
	}
	pg := s.newPage(c, "Administration")
	if secret := s.takeOnce(c, onceToken, "/admin"); secret != "" {
		pg.Data["NewToken"] = secret
	}
	return s.adminPage(c, http.StatusOK, pg, nil)
}

// newUserForm is the "add a user" form of admin.html.
type newUserForm struct {
	Name, Email, Role, Password string
}

func parseNewUserForm(c echo.Context) newUserForm {
	return newUserForm{Name: c.FormValue("name"), Email: strings.TrimSpace(strings.ToLower(c.FormValue("email"))),
		Role: c.FormValue("role"), Password: c.FormValue("password")}
}

func (f newUserForm) user() service.UserInput {
	return service.UserInput{User: org.User{Name: f.Name, Email: f.Email, Role: org.Role(f.Role)}, Password: f.Password}
}

// values is what the page shows again in the form after an error; never the password.
func (f newUserForm) values() map[string]string {
	return map[string]string{"name": f.Name, "email": f.Email, "role": f.Role}
}

// Validate checks the user as the use case will and asks for a password,
// which a new user needs to sign in. Returns Invalid naming the fields.
func (f newUserForm) Validate() error {
	if err := f.user().Validate(); err != nil {
		return err
	}
	if f.Password == "" {
		return &fault.Error{Code: fault.Invalid, Message: "invalid user", Fields: map[string]string{"password": "is required"}}
	}
	return nil
}

// webCreateUser handles the "POST /admin/users" route.
func (s *Handler) webCreateUser(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.Users, auth.Create); err != nil {
		return err
	}
	form := parseNewUserForm(c)
	err := form.Validate()
	if err == nil {
		_, err = s.svc.CreateUser(c.Request().Context(), p, form.user())
	}
	if err != nil {
		var fe *fault.Error
		if !errors.As(err, &fe) || (fe.Code != fault.Invalid && fe.Code != fault.Conflict) {
			return err
		}
		pg := s.newPage(c, "Administration")
		pg.Error = fe.Message
		for k, v := range fe.Fields {
			pg.Fields[k] = v
		}
		return s.adminPage(c, httpx.StatusOf[fe.Code], pg, form.values())
	}
	return c.Redirect(http.StatusSeeOther, "/admin?done=User+added.")
}

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
