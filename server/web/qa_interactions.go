package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
)

// interactionPageSize is how many interactions a page of the picker lists.
const interactionPageSize = 50

// interactionsForm is the filter of qa_interactions.html, read from the URL
// (a GET form). Empty fields mean any.
type interactionsForm struct {
	AgentID, TeamID int64
	Channel, Search string
	From, To        string // YYYY-MM-DD in the caller's zone, both days included
	Page            int    // 1-based
}

func parseInteractionsForm(c echo.Context) interactionsForm {
	f := interactionsForm{Channel: strings.TrimSpace(c.QueryParam("channel")), Search: strings.TrimSpace(c.QueryParam("q")),
		From: c.QueryParam("from"), To: c.QueryParam("to")}
	f.AgentID, _ = strconv.ParseInt(c.QueryParam("agent_id"), 10, 64)
	f.TeamID, _ = strconv.ParseInt(c.QueryParam("team_id"), 10, 64)
	f.Page, _ = strconv.Atoi(c.QueryParam("page"))
	f.Page = max(f.Page, 1)
	return f
}

// Validate returns the field errors only the form can have: a date range
// that is not one, and a search longer than any id or customer.
func (f interactionsForm) Validate(zone *time.Location) (service.ContactFilter, map[string]string) {
	bad := map[string]string{}
	from, to := dayRange(f.From, f.To, zone, bad)
	if len(f.Search) > 200 {
		bad["q"] = "is longer than 200 characters"
	}
	return service.ContactFilter{TeamID: f.TeamID, Channel: f.Channel, Search: f.Search, From: from, To: to, Newest: true,
		Page: service.Page{Limit: interactionPageSize, Offset: (f.Page - 1) * interactionPageSize}}, bad
}

// query is the form as URL parameters, at page n.
func (f interactionsForm) query(n int) string {
	v := url.Values{}
	for k, val := range map[string]string{"channel": f.Channel, "q": f.Search, "from": f.From, "to": f.To} {
		if val != "" {
			v.Set(k, val)
		}
	}
	if f.AgentID != 0 {
		v.Set("agent_id", strconv.FormatInt(f.AgentID, 10))
	}
	if f.TeamID != 0 {
		v.Set("team_id", strconv.FormatInt(f.TeamID, 10))
	}
	if n > 1 {
		v.Set("page", strconv.Itoa(n))
	}
	return v.Encode()
}

// webInteractions handles the "GET /qa/interactions" page: the interactions
// a reviewer may evaluate, newest first, filtered by the query, each with a
// link to assign it and a box to pick it for a calibration session.
func (s *Handler) webInteractions(c echo.Context) error {
	if err := onlyRoles(c, org.RoleQAReviewer, org.RoleAdmin); err != nil {
		return err
	}
	p := httpx.Principal(c)
	if err := p.Allow(auth.Interactions, auth.Read); err != nil {
		return err
	}
	ctx := c.Request().Context()
	pg := s.newPage(c, "Interactions")
	form := parseInteractionsForm(c)
	f, bad := form.Validate(zoneOf(pg.Zone))
	ids, err := s.svc.ScopedAgentIDs(ctx, p, p.ScopeOf(auth.Interactions, auth.Read))
	if err != nil {
		return err
	}
	f.AgentIDs = ids
	if form.AgentID != 0 {
		f.AgentIDs = []int64{form.AgentID}
		if ids != nil && !slices.Contains(ids, form.AgentID) {
			f.AgentIDs = []int64{}
		}
	}
	status := http.StatusOK
	var rows []qa.Contact
	total := 0
	if len(bad) > 0 {
		pg.Error, pg.Fields, status = "The filter is not valid; no interactions are shown.", bad, http.StatusUnprocessableEntity
	} else if rows, total, err = s.svc.FindContacts(ctx, f); err != nil {
		return err
	}
	if err := s.filterChoices(ctx, pg, ids); err != nil {
		return err
	}
	n, err := s.loadNames(ctx)
	if err != nil {
		return err
	}
	pg.Data["Form"], pg.Data["Rows"], pg.Data["Names"] = form, rows, n
	pg.Data["Pager"] = newPager(form.Page, interactionPageSize, total, len(rows), func(n int) string { return "/qa/interactions?" + form.query(n) })
	return s.render(c, status, "qa_interactions", pg)
}
