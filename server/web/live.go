package web

import (
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/intraday"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
)

// liveRow is one agent on the live board.
type liveRow struct {
	service.AgentAdherence
	Planned  string // in words
	State    string // in words
	Since    string // local clock
	OutFor   int    // minutes out of adherence, 0 when in
	OutSince string
}

// webLive is the live board: where every agent the user may see stands
// against the published schedule now, out-of-adherence first, and each
// one's adherence and conformance over the last 12 hours, pushed as states
// arrive (live_events.go). Planners and admins see everyone, supervisors
// their teams; an agent's own day is /me/today.
func (s *Handler) webLive(c echo.Context) error {
	if err := onlyRoles(c, org.RolePlanner, org.RoleAdmin, org.RoleSupervisor); err != nil {
		return err
	}
	now := s.now()
	rep, err := s.svc.Adherence(c.Request().Context(), httpx.Principal(c), service.AdherenceQuery{From: now.Add(-12 * time.Hour), To: now})
	if err != nil {
		return err
	}
	pg := s.newPage(c, "Live board")
	loc := zoneOf(pg.Zone)
	rows := make([]liveRow, len(rep.Agents))
	for i, a := range rep.Agents {
		r := liveRow{AgentAdherence: a, Planned: words(string(a.Planned), "off shift"), State: words(string(a.State), "")}
		if a.Since != nil {
			r.Since = a.Since.In(loc).Format("15:04")
		}
		if a.OutSince != nil {
			r.OutFor = int(now.Sub(*a.OutSince).Minutes())
			r.OutSince = a.OutSince.In(loc).Format("15:04")
		}
		rows[i] = r
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].OutFor != rows[j].OutFor {
			return rows[i].OutFor > rows[j].OutFor
		}
		return rows[i].Name < rows[j].Name
	})
	pg.Data["Rows"] = rows
	pg.Data["Report"] = rep
	pg.Data["At"] = now.In(loc).Format("15:04:05 MST")
	pg.Data["Grace"] = rep.Grace
	return s.render(c, http.StatusOK, "live", pg)
}

// words turns a state or activity key into words ("after_contact_work" ->
// "after contact work"); empty gives def.
func words(key, def string) string {
	if key == "" {
		return def
	}
	if key == string(intraday.LoggedOut) {
		return "logged out"
	}
	return strings.ReplaceAll(key, "_", " ")
}
