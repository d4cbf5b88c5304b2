package web

import (
	"context"
	"fmt"
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
)

// teamWeekRow is one agent's published week on the supervisor's team page:
// a cell per local day, times on the agent's own clock.
type teamWeekRow struct {
	Agent org.Agent
	Zone  string
	Cells []string
}

// teamWeek lays out the team's published shifts for the week starting on the
// given Monday (YYYY-MM-DD, default this week), day by day on each agent's
// clock. Returns the rows and the day headings.
func (s *Handler) teamWeek(ctx context.Context, agents []org.Agent, week string) ([]teamWeekRow, []string, error) {
	now := s.now()
	monday := time.Date(now.Year(), now.Month(), now.Day()-int((now.Weekday()+6)%7), 0, 0, 0, 0, time.UTC)
	if week != "" {
		d, err := time.Parse(time.DateOnly, week)
		if err != nil {
			return nil, nil, fault.Errorf(fault.Invalid, "week must be a date such as 2026-03-02, not %q", week)
		}
		monday = d
	}
	days := make([]string, 7)
	for i := range days {
		days[i] = monday.AddDate(0, 0, i).Format("Mon 2 Jan")
	}
	ids := make([]int64, len(agents))
	for i, a := range agents {
		ids[i] = a.ID
	}
	// Wide enough for every zone's local week.
	shifts, err := s.svc.FindShifts(ctx, service.ShiftFilter{AgentIDs: ids, Published: true, From: monday.Add(-14 * time.Hour), To: monday.AddDate(0, 0, 7).Add(14 * time.Hour)})
	if err != nil {
		return nil, nil, err
	}
	rows := make([]teamWeekRow, len(agents))
	index := map[int64]int{}
	for i, a := range agents {
		loc := zoneOf(a.Timezone)
		rows[i] = teamWeekRow{Agent: a, Zone: time.Date(monday.Year(), monday.Month(), monday.Day(), 12, 0, 0, 0, loc).Format("MST"), Cells: make([]string, 7)}
		index[a.ID] = i
	}
	for _, sh := range shifts {
		i, ok := index[sh.AgentID]
		if !ok {
			continue
		}
		loc := zoneOf(rows[i].Agent.Timezone)
		l := sh.Start.In(loc)
		day := int(time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC).Sub(monday).Hours() / 24)
		if day < 0 || day > 6 {
			continue
		}
		cell := fmt.Sprintf("%s–%s", l.Format("15:04"), sh.End.In(loc).Format("15:04"))
		for _, b := range sh.Breaks {
			if b.Name == "coaching" {
				cell += " (coaching " + b.Start.In(loc).Format("15:04") + ")"
			}
		}
		rows[i].Cells[day] = strings.TrimSpace(rows[i].Cells[day] + " " + cell)
	}
	return rows, days, nil
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

// timeOffDecisionForm is a pending request's approve or decline form on
// team.html, with the request's version when the page sent one.
type timeOffDecisionForm struct {
	Approve bool
	Version *int
}

func parseTimeOffDecisionForm(c echo.Context) timeOffDecisionForm {
	f := timeOffDecisionForm{Approve: c.FormValue("decision") == "approve"}
	if v, err := strconv.Atoi(c.FormValue("version")); err == nil {
		f.Version = &v
	}
	return f
}

// webDecideTimeOff handles the "POST /team/time-off/:id" route.
func (s *Handler) webDecideTimeOff(c echo.Context) error {
	ctx := c.Request().Context()
	r, _, err := s.loadTimeOff(c)
	if err != nil {
		return err
	}
	form := parseTimeOffDecisionForm(c)
	if form.Version != nil {
		if err := service.CheckVersion("time-off request", *form.Version, r.Version); err != nil {
			return err
		}
	}
	decided, err := s.svc.DecideTimeOff(ctx, httpx.Principal(c).User.ID, r, form.Approve, "")
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/team?done=Request+"+string(decided.Status)+".")
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
