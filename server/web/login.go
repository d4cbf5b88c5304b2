package web

import (
	"errors"
	"maps"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
)

func (s *Handler) webRoot(c echo.Context) error {
	p, ok := c.Get(httpx.PrincipalKey).(auth.Principal)
	if !ok {
		return c.Redirect(http.StatusSeeOther, "/login")
	}
	return c.Redirect(http.StatusSeeOther, homes[p.User.Role])
}

func (s *Handler) webLoginForm(c echo.Context) error {
	if _, ok := c.Get(httpx.PrincipalKey).(auth.Principal); ok {
		return s.webRoot(c)
	}
	pg := s.newPage(c, "Sign in")
	pg.Data["Email"] = ""
	return s.render(c, http.StatusOK, "login", pg)
}

// loginForm is the sign-in form of login.html.
type loginForm struct {
	Email, Password string
}

func parseLoginForm(c echo.Context) loginForm {
	return loginForm{Email: strings.TrimSpace(c.FormValue("email")), Password: c.FormValue("password")}
}

// Validate returns the fields left empty.
func (f loginForm) Validate() fault.Fields {
	bad := fault.Fields{}
	if f.Email == "" {
		bad.Add("email", "Enter your email.")
	}
	if f.Password == "" {
		bad.Add("password", "Enter your password.")
	}
	return bad
}

// webLogin handles the "POST /login" route.
func (s *Handler) webLogin(c echo.Context) error {
	form := parseLoginForm(c)
	email, password := form.Email, form.Password
	pg := s.newPage(c, "Sign in")
	pg.Data["Email"] = email
	if bad := form.Validate(); len(bad) > 0 {
		maps.Copy(pg.Fields, bad)
		return s.render(c, http.StatusBadRequest, "login", pg)
	}
	secret, sess, _, err := s.svc.Login(c.Request().Context(), email, password, c.RealIP())
	if err != nil {
		var fe *fault.Error
		if !errors.As(err, &fe) || (fe.Code != fault.Unauthenticated && fe.Code != fault.RateLimited) {
			return err
		}
		pg.Error = fe.Message
		httpx.SetRetryAfter(c, fe)
		return s.render(c, httpx.StatusOf[fe.Code], "login", pg)
	}
	httpx.SetSessionCookie(c, s.secureCookies, secret, sess.ExpiresAt)
	return c.Redirect(http.StatusSeeOther, "/")
}

func (s *Handler) webLogout(c echo.Context) error {
	if sess, ok := c.Get(httpx.SessionKey).(auth.Session); ok {
		if err := s.svc.DeleteSession(c.Request().Context(), sess.ID); err != nil {
			return err
		}
	}
	httpx.ClearSessionCookie(c, s.secureCookies)
	return c.Redirect(http.StatusSeeOther, "/login")
}
