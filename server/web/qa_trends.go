package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/ui/chart"
)

// webTrends handles the "GET /qa/trends" page.
func (s *Handler) webTrends(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.QATrends, auth.Read); err != nil {
		return err
	}
	if p.User.Role == org.RoleAgent && c.QueryParam("agent_id") == "" && p.User.AgentID != nil {
		c.QueryParams().Set("agent_id", strconv.FormatInt(*p.User.AgentID, 10))
	}
	pg := s.newPage(c, "Quality trends")
	status := http.StatusOK
	q, err := httpx.TrendQuery(c)
	if err == nil {
		_, _, err = s.svc.TrendWindow(q.From, q.To)
	}
	if rangeProblem(&pg, err, c.QueryParam("from"), c.QueryParam("to")) {
		// Show the default range, with what was wrong next to the fields.
		status, q.From, q.To = http.StatusBadRequest, time.Time{}, time.Time{}
	} else if err != nil {
		return err
	}
	ctx := c.Request().Context()
	tr, err := s.svc.Trends(ctx, p, q)
	if err != nil {
		return err
	}
	from, to, err := s.svc.TrendWindow(q.From, q.To)
	if err != nil {
		return err
	}
	n, err := s.loadNames(ctx)
	if err != nil {
		return err
	}
	cs, err := s.allCriteria(ctx)
	if err != nil {
		return err
	}
	titles := map[string]string{}
	for _, ct := range tr.Criteria {
		titles[ct.Key] = cs.title(ct.Key)
	}
	clock := s.trendClock(ctx, tr)
	pg.Data["T"], pg.Data["Clock"], pg.Data["Names"], pg.Data["Titles"] = tr, clock, n, titles
	pg.Data["Chart"] = trendChart(tr, clock)
	pg.Data["CriterionCharts"] = criterionCharts(tr, titles, clock)
	pg.Data["From"], pg.Data["To"] = from.Format(time.DateOnly), to.Format(time.DateOnly)
	if status != http.StatusOK {
		pg.Data["From"], pg.Data["To"] = c.QueryParam("from"), c.QueryParam("to")
	}
	pg.Data["Subject"] = s.trendSubject(ctx, tr, n)
	if p.User.Role != org.RoleAgent {
		if pg.Data["Agents"], err = s.trendAgents(ctx, p); err != nil {
			return err
		}
	}
	return s.render(c, status, "qa_trends", pg)
}

// trendClock says on which clock the trends' weeks are cut: one agent's
// on that agent's zone, else each agent's own.
func (s *Handler) trendClock(ctx context.Context, tr service.Trends) string {
	if tr.AgentID != nil {
		if a, err := s.svc.FindAgentByID(ctx, *tr.AgentID); err == nil {
			return "weeks start Monday, on the " + a.Timezone + " clock"
		}
	}
	return "weeks start Monday, on each agent's own clock"
}

// trendSubject names whose trends they are.
func (s *Handler) trendSubject(ctx context.Context, tr service.Trends, n names) string {
	switch {
	case tr.AgentID != nil:
		return n.Agents[*tr.AgentID]
	case tr.TeamID != nil:
		if t, err := s.svc.FindTeamByID(ctx, *tr.TeamID); err == nil {
			return "team " + t.Name
		}
	}
	return "everyone you can see"
}

// trendAgents are the agents p may pick trends of.
func (s *Handler) trendAgents(ctx context.Context, p auth.Principal) ([]org.Agent, error) {
	ids, err := s.svc.ScopedAgentIDs(ctx, p, p.ScopeOf(auth.QATrends, auth.Read))
	if err != nil {
		return nil, err
	}
	agents, err := s.svc.AllAgents(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(agents, func(a org.Agent) bool { return ids != nil && !slices.Contains(ids, a.ID) }), nil
}

// rangeProblem puts what is wrong with a ?from=&to= range next to the
// fields, in words, and says whether err was about the range (and nothing
// else). fromRaw and toRaw are the values as typed.
func rangeProblem(pg *page, err error, fromRaw, toRaw string) bool {
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Code != fault.Invalid || len(fe.Fields) == 0 {
		return false
	}
	for k := range fe.Fields {
		if k != "from" && k != "to" {
			return false
		}
	}
	for k, why := range fe.Fields {
		raw := map[string]string{"from": fromRaw, "to": toRaw}[k]
		switch {
		case strings.Contains(why, "is not"):
			pg.Fields[k] = fmt.Sprintf("%q is not a date like 2026-01-05.", raw)
		case strings.Contains(why, "after from"):
			pg.Fields[k] = fmt.Sprintf("The end date must be after the start date (%s).", fromRaw)
		default:
			pg.Fields[k] = strings.ToUpper(why[:1]) + why[1:] + "."
		}
	}
	pg.Error = "The date range is not valid; showing the last 12 weeks instead."
	return true
}

// trendChart draws the weekly mean QA score and pass rate (percent), with
// CSAT beside them, on one 0-100 axis.
func trendChart(tr service.Trends, clock string) template.HTML {
	loc := time.UTC // week starts are dates: plot them as such
	var score, pass, csat []chart.Point
	for _, w := range tr.Weeks {
		day, err := time.ParseInLocation(time.DateOnly, w.WeekStart, loc)
		if err != nil {
			continue
		}
		add := func(pts *[]chart.Point, v *float64) { *pts = weekPoint(*pts, day, v) }
		add(&score, w.MeanScore)
		add(&pass, w.PassRate)
		add(&csat, w.CSAT)
	}
	if countValues(score)+countValues(csat) == 0 {
		return ""
	}
	c := chart.Chart{ID: "trend", Title: "Weekly quality", Width: 900, Height: 300, Location: loc, YLabel: "Percent (score out of 100)",
		Desc:   fmt.Sprintf("Mean QA score, pass rate and CSAT per week over %d weeks (%s).", len(tr.Weeks), clock),
		XLabel: "Week (" + clock + ")", YMinMax: &[2]float64{0, 100},
		Series: []chart.Series{
			{Name: "Mean QA score", Points: score, Style: chart.Solid, Markers: true},
			{Name: "Pass rate %", Points: pass, Style: chart.Dashed, Markers: true},
			{Name: "CSAT % (4-5 of 5)", Points: csat, Style: chart.Dotted, Markers: true},
		}}
	out, err := c.Render()
	if err != nil {
		return ""
	}
	return out
}

// criterionChart is one criterion's small chart on the trends page.
type criterionChart struct {
	Key string
	SVG template.HTML
}

// weekPoint adds week day's value to a weekly series, or a gap (NaN) when
// the week has none or weeks between are missing, so no line is drawn
// across weeks without data.
func weekPoint(pts []chart.Point, day time.Time, v *float64) []chart.Point {
	if n := len(pts); n > 0 && day.Sub(pts[n-1].X) > 8*24*time.Hour {
		pts = append(pts, chart.Point{X: pts[n-1].X.AddDate(0, 0, 7), Y: math.NaN()})
	}
	if v == nil {
		return append(pts, chart.Point{X: day, Y: math.NaN()})
	}
	return append(pts, chart.Point{X: day, Y: *v})
}

// countValues counts the points that are not gaps.
func countValues(pts []chart.Point) int {
	n := 0
	for _, p := range pts {
		if !math.IsNaN(p.Y) {
			n++
		}
	}
	return n
}

// criterionCharts draws each criterion's weekly mean points (0-100) as a
// small chart of its own, so a falling criterion stands out without colour.
func criterionCharts(tr service.Trends, titles map[string]string, clock string) []criterionChart {
	var out []criterionChart
	for i, ct := range tr.Criteria {
		var pts []chart.Point
		for _, w := range ct.Weeks {
			if day, err := time.ParseInLocation(time.DateOnly, w.WeekStart, time.UTC); err == nil {
				pts = weekPoint(pts, day, w.Mean)
			}
		}
		n := countValues(pts)
		if n == 0 {
			continue
		}
		title := titles[ct.Key]
		c := chart.Chart{ID: fmt.Sprintf("crit%d", i), Title: title, Width: 420, Height: 200, Location: time.UTC,
			YLabel: "Mean points (0-100)", YMinMax: &[2]float64{0, 100}, XLabel: "Week (" + clock + ")",
			Desc:   fmt.Sprintf("Weekly mean points of criterion %q over %d weeks.", title, n),
			Series: []chart.Series{{Name: title, Points: pts, Style: chart.Solid, Markers: true}}}
		svg, err := c.Render()
		if err == nil {
			out = append(out, criterionChart{Key: ct.Key, SVG: svg})
		}
	}
	return out
}
