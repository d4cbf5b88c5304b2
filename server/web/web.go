package web

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/scheduling/calendar"
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

// link is one navigation entry.
type link struct{ Href, Label string }

// page is what every template gets; pages add their own fields in Data.
type page struct {
	Title  string
	User   *org.User
	Nav    []link
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
	pg.Nav = []link{{homes[u.Role], "Home"}}
	if u.AgentID != nil {
		if a, err := s.svc.FindAgentByID(c.Request().Context(), *u.AgentID); err == nil {
			pg.Zone = a.Timezone
		}
		if u.Role != org.RoleAgent {
			pg.Nav = append(pg.Nav, link{"/me", "My week"})
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

func (s *Handler) webLogin(c echo.Context) error {
	email, password := strings.TrimSpace(c.FormValue("email")), c.FormValue("password")
	pg := s.newPage(c, "Sign in")
	pg.Data["Email"] = email
	if email == "" {
		pg.Fields["email"] = "Enter your email."
	}
	if password == "" {
		pg.Fields["password"] = "Enter your password."
	}
	if len(pg.Fields) > 0 {
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

func (s *Handler) webMe(c echo.Context) error {
	p := httpx.Principal(c)
	if p.User.AgentID == nil {
		return fault.Errorf(fault.NotFound, "your account is not linked to an agent, so you have no schedule")
	}
	return s.renderMe(c, http.StatusOK, s.newPage(c, "My week"))
}

func (s *Handler) renderMe(c echo.Context, status int, pg page) error {
	ctx := c.Request().Context()
	a, err := s.svc.FindAgentByID(ctx, *httpx.Principal(c).User.AgentID)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(a.Timezone)
	if err != nil {
		return fault.Wrap(fault.Internal, err, "agent has a bad time zone")
	}
	now := s.now().In(loc)
	weekStart := time.Date(now.Year(), now.Month(), now.Day()-int((now.Weekday()+6)%7), 0, 0, 0, 0, loc)
	shifts, err := s.svc.FindShifts(ctx, service.ShiftFilter{AgentIDs: []int64{a.ID}, From: weekStart, To: weekStart.AddDate(0, 0, 14), Published: true})
	if err != nil {
		return err
	}
	// Next shift first: what is still ahead, then what has passed.
	ahead, past := []calendar.Shift{}, []calendar.Shift{}
	for _, sh := range shifts {
		if sh.End.After(s.now()) {
			ahead = append(ahead, sh)
		} else {
			past = append(past, sh)
		}
	}
	off, _, err := s.svc.FindTimeOff(ctx, service.TimeOffFilter{AgentIDs: []int64{a.ID}, Page: service.Page{Limit: 50}})
	if err != nil {
		return err
	}
	pg.Zone = a.Timezone
	pg.Data["Shifts"] = append(ahead, past...)
	pg.Data["TimeOff"] = off
	if _, ok := pg.Data["FeedURL"]; !ok {
		pg.Data["FeedURL"] = ""
	}
	return s.render(c, status, "me", pg)
}

func (s *Handler) webRequestTimeOff(c echo.Context) error {
	p := httpx.Principal(c)
	if p.User.AgentID == nil {
		return fault.Errorf(fault.NotFound, "your account is not linked to an agent")
	}
	ctx := c.Request().Context()
	a, err := s.svc.FindAgentByID(ctx, *p.User.AgentID)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(a.Timezone)
	if err != nil {
		return fault.Wrap(fault.Internal, err, "agent has a bad time zone")
	}
	start, end, field, err := calendar.TimeOffSpan(loc, c.FormValue("first_date"), c.FormValue("last_date"), "", "")
	if err != nil {
		pg := s.newPage(c, "My week")
		pg.Fields[field] = err.Error()
		return s.renderMe(c, http.StatusBadRequest, pg)
	}
	if _, err := s.svc.CreateTimeOff(ctx, calendar.TimeOff{AgentID: a.ID, Start: start, End: end, FullDays: true,
		Reason: strings.TrimSpace(c.FormValue("reason")), CreatedByID: p.User.ID}); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/me?done=Time-off+requested.")
}

func (s *Handler) webResetFeed(c echo.Context) error {
	p := httpx.Principal(c)
	if p.User.AgentID == nil {
		return fault.Errorf(fault.NotFound, "your account is not linked to an agent")
	}
	secret, err := auth.NewSecret("cal_")
	if err != nil {
		return err
	}
	if err := s.svc.SetCalendarFeed(c.Request().Context(), *p.User.AgentID, auth.HashSecret(secret)); err != nil {
		return err
	}
	pg := s.newPage(c, "My week")
	pg.Data["FeedURL"] = c.Scheme() + "://" + c.Request().Host + "/calendar/" + secret + ".ics"
	pg.Flash = "New calendar address made; the old one no longer works."
	return s.renderMe(c, http.StatusOK, pg)
}

type queueRow struct {
	Queue    org.Queue
	History  *service.HistorySummary
	Forecast *service.Forecast
}

func (s *Handler) webPlanner(c echo.Context) error {
	if err := onlyRoles(c, org.RolePlanner, org.RoleAdmin); err != nil {
		return err
	}
	ctx := c.Request().Context()
	queues, _, err := s.svc.FindQueues(ctx, service.Page{Limit: 500})
	if err != nil {
		return err
	}
	sums, err := s.svc.SummarizeHistory(ctx)
	if err != nil {
		return err
	}
	byQueue := map[int64]*service.HistorySummary{}
	for i := range sums {
		byQueue[sums[i].QueueID] = &sums[i]
	}
	rows := make([]queueRow, len(queues))
	for i, q := range queues {
		rows[i] = queueRow{Queue: q, History: byQueue[q.ID]}
		if f, err := s.svc.FindLatestForecast(ctx, q.ID); err == nil {
			rows[i].Forecast = &f
		} else if !fault.Is(err, fault.NotFound) {
			return err
		}
	}
	plans, _, err := s.svc.FindSchedules(ctx, service.ScheduleFilter{Page: service.Page{Limit: 20}})
	if err != nil {
		return err
	}
	pg := s.newPage(c, "Planning")
	pg.Data["Queues"] = rows
	pg.Data["Schedules"] = plans
	return s.render(c, http.StatusOK, "planner", pg)
}

func (s *Handler) webTeam(c echo.Context) error {
	if err := onlyRoles(c, org.RoleSupervisor); err != nil {
		return err
	}
	ctx := c.Request().Context()
	agents, err := s.svc.TeamAgents(ctx, httpx.Principal(c))
	if err != nil {
		return err
	}
	ids := make([]int64, len(agents))
	names := map[int64]string{}
	for i, a := range agents {
		ids[i], names[a.ID] = a.ID, a.Name
	}
	pending, _, err := s.svc.FindTimeOff(ctx, service.TimeOffFilter{AgentIDs: ids, Status: calendar.TimeOffPending, Page: service.Page{Limit: 100}})
	if err != nil {
		return err
	}
	pg := s.newPage(c, "My team")
	rows, days, err := s.teamWeek(ctx, agents, c.QueryParam("week"))
	if err != nil {
		return err
	}
	pg.Data["Agents"] = agents
	pg.Data["Pending"] = pending
	pg.Data["AgentNames"] = names
	pg.Data["Week"], pg.Data["Days"] = rows, days
	return s.render(c, http.StatusOK, "team", pg)
}

func (s *Handler) webDecideTimeOff(c echo.Context) error {
	ctx := c.Request().Context()
	r, _, err := s.loadTimeOff(c)
	if err != nil {
		return err
	}
	if v, err := strconv.Atoi(c.FormValue("version")); err == nil {
		if err := service.CheckVersion("time-off request", v, r.Version); err != nil {
			return err
		}
	}
	decided, err := calendar.Decide(r, c.FormValue("decision") == "approve", httpx.Principal(c).User.ID, s.now(), "")
	if err != nil {
		return fault.Errorf(fault.Conflict, "%v", err)
	}
	if _, err := s.svc.SaveTimeOffState(ctx, decided); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/team?done=Request+"+string(decided.Status)+".")
}

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
	return s.adminPage(c, http.StatusOK, s.newPage(c, "Administration"), nil)
}

func (s *Handler) webCreateUser(c echo.Context) error {
	if err := httpx.Principal(c).Allow(auth.Users, auth.Create); err != nil {
		return err
	}
	form := map[string]string{"name": c.FormValue("name"), "email": strings.TrimSpace(strings.ToLower(c.FormValue("email"))), "role": c.FormValue("role")}
	u := service.UserInput{User: org.User{Name: form["name"], Email: form["email"], Role: org.Role(form["role"])}, Password: c.FormValue("password")}
	err := u.Validate()
	if err == nil && u.Password == "" {
		err = &fault.Error{Code: fault.Invalid, Message: "invalid user", Fields: map[string]string{"password": "is required"}}
	}
	if err == nil {
		_, err = s.svc.CreateUser(c.Request().Context(), u)
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
		return s.adminPage(c, httpx.StatusOf[fe.Code], pg, form)
	}
	return c.Redirect(http.StatusSeeOther, "/admin?done=User+added.")
}

// loadTimeOff finds the request in the path that the caller may decide.
func (s *Handler) loadTimeOff(c echo.Context) (calendar.TimeOff, org.Agent, error) {
	p := httpx.Principal(c)
	if err := p.Allow(auth.TimeOff, auth.Update); err != nil {
		return calendar.TimeOff{}, org.Agent{}, err
	}
	id, err := httpx.IDParam(c)
	if err != nil {
		return calendar.TimeOff{}, org.Agent{}, err
	}
	return s.svc.LoadTimeOff(c.Request().Context(), p, id, auth.Update)
}
