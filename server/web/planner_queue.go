package web

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/forecasting"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/ui"
	"github.com/peakwise/peakwise/ui/chart"
)

// queueTarget says a queue's service target in words.
func queueTarget(q org.Queue) string {
	return ui.ServiceTarget(q.ServiceLevelPct, q.AnswerWithinSec, q.ResponseWithinSec)
}

// pastForecast is one stored forecast version scored against the actuals
// that arrived for it.
type pastForecast struct {
	Forecast  service.Forecast
	Scored    int      // intervals with an actual
	WAPE      *float64 // realised, over the intervals with an actual
	Bias      *float64
	Coverage  *float64 // share of actuals inside the 10-90% band
	Days      []forecasting.DayScore
	IsLatest  bool
	HasActual bool
}

// scoreForecast measures a stored forecast against the history that arrived
// in its range (the same scoring as the API's accuracy endpoint).
func (s *Handler) scoreForecast(ctx context.Context, q org.Queue, loc *time.Location, f service.Forecast, pts []service.ForecastPoint) (pastForecast, error) {
	hist, err := s.svc.FindHistory(ctx, q.ID, f.StartAt, f.EndAt)
	if err != nil {
		return pastForecast{}, err
	}
	ivs := make([]forecasting.Interval, len(pts))
	for i, p := range pts {
		ivs[i] = forecasting.Interval{Start: p.StartAt, Forecast: p.Contacts, Lower: p.Lower, Upper: p.Upper}
	}
	acts := make([]forecasting.Actual, len(hist))
	for i, h := range hist {
		acts[i] = forecasting.Actual{Start: h.StartAt, Contacts: h.Contacts}
	}
	sc := forecasting.ScoreForecast(loc, ivs, acts)
	return pastForecast{Forecast: f, Scored: len(sc.Intervals), WAPE: service.Finite(sc.WAPE), Bias: service.Finite(sc.Bias), Coverage: service.Finite(sc.Coverage),
		Days: sc.Days, HasActual: len(sc.Intervals) > 0}, nil
}

// webForecastQueue forecasts one queue now with the forecast job, as the
// API's forecast run does; the browser is sent to the run's progress page,
// which ends on the queue's page.
func (s *Handler) webForecastQueue(c echo.Context) error {
	p, id, err := plannerRecord(c, auth.Forecasts, auth.Create)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.svc.FindQueueByID(ctx, id); err != nil {
		return err
	}
	f := parseForecastNowForm(c)
	run, err := s.svc.StartForecasts(ctx, p, service.ForecastRun{QueueIDs: []int64{id}, Horizon: f.Horizon})
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/planner/runs/"+strconv.FormatInt(run.ID, 10))
}

// forecastNowForm is the queue page's "Forecast now" form: how far ahead
// (the use case refuses a horizon it cannot read, by field).
type forecastNowForm struct {
	Horizon string
}

func parseForecastNowForm(c echo.Context) forecastNowForm {
	return forecastNowForm{Horizon: strings.TrimSpace(c.FormValue("horizon"))}
}

func (s *Handler) webQueue(c echo.Context) error {
	id, err := plannerID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	q, err := s.svc.FindQueueByID(ctx, id)
	if err != nil {
		return err
	}
	ch, err := s.svc.FindChannelByID(ctx, q.ChannelID)
	if err != nil {
		return err
	}
	loc, err := queueZone(q)
	if err != nil {
		return err
	}
	pg := s.newPage(c, q.Name)
	pg.Zone = q.Timezone
	pg.Data["Queue"] = q
	pg.Data["Channel"] = ch
	pg.Data["Target"] = queueTarget(q)
	pg.Data["Chart"] = nil
	pg.Data["Latest"] = nil
	pg.Data["Past"] = []pastForecast{}
	now := s.now()

	latest, err := s.svc.FindLatestForecast(ctx, q.ID)
	if err != nil && !fault.Is(err, fault.NotFound) {
		return err
	}
	hasForecast := err == nil
	if err := s.addForecastChart(ctx, &pg, q, loc, latest, hasForecast, now); err != nil {
		return err
	}

	// Older versions, scored against what has arrived since.
	scored, err := s.pastForecasts(ctx, q, loc, latest.ID, hasForecast)
	if err != nil {
		return err
	}
	pg.Data["Past"] = scored
	return s.render(c, http.StatusOK, "planner_queue", pg)
}

// forecastDays totals the forecast per local day, with the actual where it arrived.
func forecastDays(loc *time.Location, pts []service.ForecastPoint, scored []forecasting.DayScore) []forecasting.DayScore {
	byDate := map[string]forecasting.DayScore{}
	for _, d := range scored {
		byDate[d.Date] = d
	}
	var out []forecasting.DayScore
	idx := map[string]int{}
	for _, p := range pts {
		d := p.StartAt.In(loc).Format(time.DateOnly)
		i, ok := idx[d]
		if !ok {
			i = len(out)
			idx[d] = i
			out = append(out, forecasting.DayScore{Date: d, Actual: math.NaN(), WAPE: math.NaN(), Bias: math.NaN()})
		}
		out[i].Forecast += p.Contacts
	}
	for i := range out {
		if sd, ok := byDate[out[i].Date]; ok {
			out[i].Actual, out[i].WAPE, out[i].Bias = sd.Actual, sd.WAPE, sd.Bias
		}
	}
	return out
}

// forecastDesc says in words what the forecast chart shows, for screen readers.
func forecastDesc(q org.Queue, loc *time.Location, past []chart.Point, f service.Forecast, hasForecast bool, actuals int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Contacts per %d-minute interval for %s, times in %s. ", q.IntervalMin, q.Name, q.Timezone)
	if len(past) > 0 {
		total := 0.0
		for _, p := range past {
			total += p.Y
		}
		fmt.Fprintf(&b, "History from %s to %s: %.0f contacts. ", past[0].X.In(loc).Format("2 Jan"), past[len(past)-1].X.In(loc).Format("2 Jan"), total)
	}
	if hasForecast {
		fmt.Fprintf(&b, "Forecast by %s from %s to %s with a 10 to 90 percent range. ", ui.MethodName(f.Method), f.StartAt.In(loc).Format("2 Jan 15:04"), f.EndAt.In(loc).Format("2 Jan 15:04"))
		fmt.Fprintf(&b, "%d intervals of actuals have arrived since.", actuals)
	} else {
		b.WriteString("No forecast yet.")
	}
	return b.String()
}

var (
	lineKey   = regexp.MustCompile(`^line (\d+)(?:\.(.+))?$`)
	recordKey = regexp.MustCompile(`^records\[(\d+)\]\.(.+)$`)
)

// addForecastChart adds the queue page's chart (two weeks of history before
// the latest forecast, or before now, then the forecast, its range and the
// actuals so far), the latest forecast's scores and its day table.
func (s *Handler) addForecastChart(ctx context.Context, pg *page, q org.Queue, loc *time.Location, latest service.Forecast, hasForecast bool, now time.Time) error {
	histEnd := now
	if hasForecast {
		histEnd = latest.StartAt
	}
	histFrom := histEnd.Add(-14 * 24 * time.Hour)
	to := histEnd
	if hasForecast {
		to = latest.EndAt
	}
	hist, err := s.svc.FindHistory(ctx, q.ID, histFrom, to)
	if err != nil {
		return err
	}
	step := time.Duration(q.IntervalMin) * time.Minute
	ch1 := chart.Chart{ID: "forecast", Width: 960, Height: 320, Location: loc, YLabel: fmt.Sprintf("Contacts per %d min", q.IntervalMin), Step: step, Now: now,
		Title: q.Name + ": contact history, forecast and actuals"}
	var past, actual []chart.Point
	for _, h := range hist {
		p := chart.Point{X: h.StartAt, Y: h.Contacts}
		if h.StartAt.Before(histEnd) {
			past = append(past, p)
		} else {
			actual = append(actual, p)
		}
	}
	if len(past) > 0 {
		ch1.Series = append(ch1.Series, chart.Series{Name: "History (last 2 weeks)", Points: past})
	}
	var dayTable []forecasting.DayScore
	if hasForecast {
		pts, err := s.svc.FindForecastPoints(ctx, latest.ID, time.Time{}, time.Time{})
		if err != nil {
			return err
		}
		fc := make([]chart.Point, len(pts))
		lo, hi := make([]chart.Point, len(pts)), make([]chart.Point, len(pts))
		for i, p := range pts {
			fc[i], lo[i], hi[i] = chart.Point{X: p.StartAt, Y: p.Contacts}, chart.Point{X: p.StartAt, Y: p.Lower}, chart.Point{X: p.StartAt, Y: p.Upper}
		}
		ch1.Shades = []chart.Shade{{Name: "Forecast period", Spans: []chart.Span{{From: latest.StartAt, To: latest.EndAt}}}}
		ch1.Bands = []chart.Band{{Name: "10–90% range", Lower: lo, Upper: hi}}
		ch1.Series = append(ch1.Series, chart.Series{Name: "Forecast (" + ui.MethodName(latest.Method) + ")", Style: chart.Dashed, Points: fc})
		if len(actual) > 0 {
			ch1.Series = append(ch1.Series, chart.Series{Name: "Actual", Style: chart.Dotted, Markers: len(actual) <= 200, Points: actual})
		}
		sc, err := s.scoreForecast(ctx, q, loc, latest, pts)
		if err != nil {
			return err
		}
		sc.IsLatest = true
		pg.Data["Latest"] = sc
		dayTable = forecastDays(loc, pts, sc.Days)
	}
	ch1.Desc = forecastDesc(q, loc, past, latest, hasForecast, len(actual))
	if len(ch1.Series) > 0 {
		svg, err := ch1.Render()
		if err != nil {
			return fault.Wrap(fault.Internal, err, "forecast chart")
		}
		pg.Data["Chart"] = svg
	}
	pg.Data["Days"] = dayTable
	return nil
}

// pastForecasts are the queue's older forecast versions (all but the latest)
// scored against what has arrived since.
func (s *Handler) pastForecasts(ctx context.Context, q org.Queue, loc *time.Location, latestID int64, hasForecast bool) ([]pastForecast, error) {
	versions, _, err := s.svc.FindForecasts(ctx, q.ID, service.Page{Limit: 8})
	if err != nil {
		return nil, err
	}
	var scored []pastForecast
	for _, v := range versions {
		if hasForecast && v.ID == latestID {
			continue
		}
		pts, err := s.svc.FindForecastPoints(ctx, v.ID, time.Time{}, time.Time{})
		if err != nil {
			return nil, err
		}
		sc, err := s.scoreForecast(ctx, q, loc, v, pts)
		if err != nil {
			return nil, err
		}
		scored = append(scored, sc)
	}
	return scored, nil
}
