package web

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/intraday"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
)

// liveActivityRow is one scheduled activity of the live settings form with
// every state, ticked when it keeps the activity in adherence.
type liveActivityRow struct {
	Activity string
	States   []liveStateBox
}

type liveStateBox struct {
	State, Label string
	On           bool
}

// liveSettingsForm is the admin's form of the live settings.
type liveSettingsForm struct {
	service.LiveSettings
	Connect string // "Name = state" per line
}

// parseLiveSettingsForm reads the form; a line of the Connect box that is
// not "name = state" is a field error.
func parseLiveSettingsForm(c echo.Context) (liveSettingsForm, fault.Fields) {
	bad := fault.Fields{}
	f := liveSettingsForm{Connect: c.FormValue("connect")}
	var err error
	if f.GraceMinutes, err = strconv.Atoi(strings.TrimSpace(c.FormValue("grace_minutes"))); err != nil {
		bad.Add("grace_minutes", "must be a whole number of minutes")
	}
	f.Version, _ = strconv.Atoi(c.FormValue("version"))
	form, _ := c.FormParams()
	f.Mapping = intraday.Mapping{}
	for _, a := range service.Activities {
		for _, st := range form["map_"+string(a)] {
			f.Mapping[a] = append(f.Mapping[a], intraday.State(st))
		}
	}
	f.ConnectStatuses = intraday.ConnectStatuses{}
	for i, line := range strings.Split(f.Connect, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, st, ok := strings.Cut(line, "=")
		if !ok {
			bad.Add("connect_statuses", "line %d: write a status as Name = state, e.g. Lunch = lunch", i+1)
			continue
		}
		f.ConnectStatuses[strings.TrimSpace(name)] = intraday.State(strings.TrimSpace(st))
	}
	return f, bad
}

func (s *Handler) liveSettingsPage(c echo.Context, status int, f liveSettingsForm, pg page) error {
	var rows []liveActivityRow
	for _, a := range service.Activities {
		r := liveActivityRow{Activity: string(a)}
		for _, st := range intraday.States {
			on := false
			for _, m := range f.Mapping[a] {
				on = on || m == st
			}
			r.States = append(r.States, liveStateBox{State: string(st), Label: words(string(st), ""), On: on})
		}
		rows = append(rows, r)
	}
	if f.Connect == "" {
		var lines []string
		for name, st := range f.ConnectStatuses {
			lines = append(lines, fmt.Sprintf("%s = %s", name, st))
		}
		sort.Strings(lines)
		f.Connect = strings.Join(lines, "\n")
	}
	var states []string
	for _, st := range intraday.States {
		states = append(states, string(st))
	}
	pg.Data["Rows"] = rows
	pg.Data["Form"] = f
	pg.Data["StateNames"] = strings.Join(states, ", ")
	return s.render(c, status, "admin_live", pg)
}

// webLiveSettings shows how adherence is judged, for the admin to change.
func (s *Handler) webLiveSettings(c echo.Context) error {
	if err := onlyRoles(c, org.RoleAdmin); err != nil {
		return err
	}
	ls, err := s.svc.LiveSettingsFor(c.Request().Context(), httpx.Principal(c))
	if err != nil {
		return err
	}
	return s.liveSettingsPage(c, http.StatusOK, liveSettingsForm{LiveSettings: ls}, s.newPage(c, "Live day settings"))
}

// webSaveLiveSettings saves the form, or shows it again with what is wrong.
func (s *Handler) webSaveLiveSettings(c echo.Context) error {
	if err := onlyRoles(c, org.RoleAdmin); err != nil {
		return err
	}
	f, bad := parseLiveSettingsForm(c)
	err := bad.Err("the live settings are not valid")
	if err == nil {
		_, err = s.svc.UpdateLiveSettings(c.Request().Context(), httpx.Principal(c), f.LiveSettings)
	}
	var fe *fault.Error
	switch {
	case err == nil:
		return c.Redirect(http.StatusSeeOther, "/admin/live?done="+"Saved%3B+adherence+is+judged+by+these+settings+from+now+on.")
	case errors.As(err, &fe) && (fe.Code == fault.Invalid || fe.Code == fault.Conflict):
		pg := s.newPage(c, "Live day settings")
		pg.Error = fe.Message
		pg.Fields = fe.Fields
		return s.liveSettingsPage(c, http.StatusBadRequest, f, pg)
	}
	return err
}
