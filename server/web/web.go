// Package web is Peakwise's browser UI: server-rendered pages over the same
// use cases (server/service) and authorization as the JSON API. Each page
// handler sits in the file named after the template it renders
// (planner_schedule.go renders ui/templates/planner_schedule.html); actions on
// a page sit beside it (admin_users.go, admin_teams.go on admin.html), and
// every route is listed in routes.go. Pages never import the store.
package web

import (
	"bytes"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/ui"
)

// Handler serves the pages. It holds the use cases, the templates and the
// clock; everything else lives in the database.
type Handler struct {
	svc           *service.Service
	pages         *ui.Pages
	log           *slog.Logger
	now           func() time.Time
	secureCookies bool
	jobs          Jobs
}

// Config is what the pages need beside the use cases.
type Config struct {
	// Now is the clock (UTC).
	Now func() time.Time
	// SecureCookies forces the session cookie's Secure flag.
	SecureCookies bool
	// Jobs are the background jobs the jobs page lists and starts.
	Jobs Jobs
}

// New loads the templates and builds the pages over svc.
func New(svc *service.Service, log *slog.Logger, cfg Config) (*Handler, error) {
	pages, err := ui.Load()
	if err != nil {
		return nil, err
	}
	return &Handler{svc: svc, pages: pages, log: log, now: cfg.Now, secureCookies: cfg.SecureCookies, jobs: cfg.Jobs}, nil
}

// page is what every template gets; pages add their own fields in Data.
type page struct {
	Title  string
	User   *org.User
	Nav    []menuSection
	Zone   string // the zone every time on the page is shown in
	CSRF   string
	Flash  string
	Error  string
	Fields map[string]string
	Data   map[string]any
}

// homes maps each role to its home page.
var homes = map[org.Role]string{
	org.RoleAdmin: "/admin", org.RolePlanner: "/planner", org.RoleQAReviewer: "/qa", org.RoleSupervisor: "/team", org.RoleAgent: "/me",
}

// requirePage sends signed-out visitors to the sign-in page.
func (s *Handler) requirePage(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, ok := c.Get(httpx.PrincipalKey).(auth.Principal); !ok {
			return c.Redirect(http.StatusSeeOther, "/login")
		}
		return next(c)
	}
}

// onlyRoles refuses a page to roles it is not for, with the 403 page.
func onlyRoles(c echo.Context, roles ...org.Role) error {
	p := httpx.Principal(c)
	for _, r := range roles {
		if p.User.Role == r {
			return nil
		}
	}
	return fault.Errorf(fault.Forbidden, "this page is not for your role (%s)", p.User.Role)
}

func (s *Handler) newPage(c echo.Context, title string) page {
	pg := page{Title: title, Zone: "UTC", Fields: map[string]string{}, Data: map[string]any{}}
	p, ok := c.Get(httpx.PrincipalKey).(auth.Principal)
	if !ok {
		return pg
	}
	u := p.User
	pg.User = &u
	if sess, ok := c.Get(httpx.SessionKey).(auth.Session); ok {
		pg.CSRF = sess.CSRFToken
	}
	pg.Nav = menuFor(u, c.Request().URL.Path)
	if u.AgentID != nil {
		if a, err := s.svc.FindAgentByID(c.Request().Context(), *u.AgentID); err == nil {
			pg.Zone = a.Timezone
		}
	}
	pg.Flash = c.QueryParam("done")
	return pg
}

func (s *Handler) render(c echo.Context, status int, name string, pg page) error {
	var buf bytes.Buffer
	if err := s.pages.Render(&buf, name, flat(pg)); err != nil {
		return fault.Wrap(fault.Internal, err, "page failed to render")
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// ErrorPage renders API-vocabulary errors for browsers.
func (s *Handler) ErrorPage(c echo.Context, status int, message string) error {
	if status == http.StatusUnauthorized {
		return c.Redirect(http.StatusSeeOther, "/login")
	}
	pg := s.newPage(c, http.StatusText(status))
	pg.Data["Heading"] = http.StatusText(status)
	pg.Data["Message"] = message
	return s.render(c, status, "error", pg)
}

// flat lets templates read page-specific data at the top level.
func flat(pg page) map[string]any {
	m := map[string]any{"Title": pg.Title, "User": pg.User, "Nav": pg.Nav, "Zone": pg.Zone, "CSRF": pg.CSRF, "Flash": pg.Flash,
		"Error": pg.Error, "Fields": pg.Fields}
	for k, v := range pg.Data {
		m[k] = v
	}
	return m
}
