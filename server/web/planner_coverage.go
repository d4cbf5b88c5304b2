package web

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/scheduling"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/ui"
	"github.com/peakwise/peakwise/ui/chart"
)

// coverageDay sums one local day of a plan's coverage of a queue.
type coverageDay struct {
	Date           string
	RequiredHours  float64
	ScheduledHours float64
	UnderHours     float64
	OverHours      float64
	// ServiceLevel is the projected share answered in time, weighted by
	// contacts; Occupancy is weighted by scheduled staff. Nil when the day has
	// nothing to weigh (or the queue is deferred work).
	ServiceLevel *float64
	Occupancy    *float64
	WorstSL      *float64 // the lowest interval's projected service level
	WorstAt      string
	Link         string // this day in detail
}

// coverageRow is one interval of the day shown in detail.
type coverageRow struct {
	service.CoverageInterval
	Local string // HH:MM on the queue's clock
	Gap   float64
	Peak  bool
}

// summarizeDays groups intervals by the local date in StartLocal.
func summarizeDays(ivs []service.CoverageInterval, step time.Duration) []coverageDay {
	var out []coverageDay
	h := step.Hours()
	type acc struct{ sl, slW, occ, occW float64 }
	var sums []acc
	for _, iv := range ivs {
		d := iv.StartLocal[:10]
		if len(out) == 0 || out[len(out)-1].Date != d {
			out = append(out, coverageDay{Date: d})
			sums = append(sums, acc{})
		}
		day, a := &out[len(out)-1], &sums[len(sums)-1]
		req := float64(iv.RequiredStaff)
		day.RequiredHours += req * h
		day.ScheduledHours += iv.ScheduledStaff * h
		day.UnderHours += math.Max(0, req-iv.ScheduledStaff) * h
		day.OverHours += math.Max(0, iv.ScheduledStaff-req) * h
		if iv.ProjectedServiceLevel != nil && iv.Contacts > 0 {
			a.sl += *iv.ProjectedServiceLevel * iv.Contacts
			a.slW += iv.Contacts
			if day.WorstSL == nil || *iv.ProjectedServiceLevel < *day.WorstSL {
				v := *iv.ProjectedServiceLevel
				day.WorstSL, day.WorstAt = &v, iv.StartLocal[11:16]
			}
		}
		if iv.ProjectedOccupancy != nil && iv.ScheduledStaff > 0 {
			a.occ += *iv.ProjectedOccupancy * iv.ScheduledStaff
			a.occW += iv.ScheduledStaff
		}
	}
	for i, a := range sums {
		if a.slW > 0 {
			v := a.sl / a.slW
			out[i].ServiceLevel = &v
		}
		if a.occW > 0 {
			v := a.occ / a.occW
			out[i].Occupancy = &v
		}
	}
	return out
}

// coverageForm is what the coverage page was asked for.
type coverageForm struct {
	QueueID    int64
	ScheduleID int64
	From       string // local date
	Days       int
	Day        string // the day shown in detail
}

func (s *Handler) webCoverage(c echo.Context) error {
	if err := plannerOnly(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	pg := s.newPage(c, "Coverage")
	queues, _, err := s.svc.FindQueues(ctx, service.Page{Limit: 500})
	if err != nil {
		return err
	}
	plans, _, err := s.svc.FindSchedules(ctx, service.ScheduleFilter{Page: service.Page{Limit: 50}})
	if err != nil {
		return err
	}
	if len(queues) == 0 {
		return fault.Errorf(fault.NotFound, "there are no queues yet")
	}
	form, q, loc, from, to, sch, err := s.readCoverageForm(c, &pg, queues, plans)
	if err != nil {
		return err
	}
	pg.Data["Form"] = form
	pg.Data["Queues"] = queues
	pg.Data["Schedules"] = plans
	pg.Data["Queue"] = q
	pg.Data["Target"] = queueTarget(q)
	for _, k := range []string{"Problem", "Chart", "DayChart", "Days", "Rows", "Schedule", "Totals"} {
		pg.Data[k] = nil
	}
	status := http.StatusOK
	if len(pg.Fields) > 0 {
		status = http.StatusBadRequest
	}
	if sch == nil {
		pg.Data["Problem"] = "There is no shift plan yet: generate a draft first."
		return s.render(c, status, "planner_coverage", pg)
	}
	pg.Data["Schedule"] = sch
	ivs, step, problem, err := s.coverageIntervals(ctx, *sch, q, loc, from, to)
	if err != nil {
		return err
	}
	if problem != "" {
		pg.Data["Problem"] = problem
		return s.render(c, status, "planner_coverage", pg)
	}
	if err := coverageDetail(&pg, form, q, loc, from, to, ivs, step); err != nil {
		return err
	}
	return s.render(c, status, "planner_coverage", pg)
}

// coverageIntervals measures plan sch against q's latest forecast and keeps
// the intervals in [from, to), with the forecast's interval length; problem
// says in words why there is nothing to show.
func (s *Handler) coverageIntervals(ctx context.Context, sch service.Schedule, q org.Queue, loc *time.Location, from, to time.Time) ([]service.CoverageInterval, time.Duration, string, error) {
	cov, err := s.svc.PlanCoverage(ctx, sch, q, 0)
	var fe *fault.Error
	if errors.As(err, &fe) && (fe.Code == fault.NotFound || fe.Code == fault.Unprocessable) {
		return nil, 0, fmt.Sprintf("Coverage cannot be measured for %s: %s.", q.Name, fe.Message), nil
	} else if err != nil {
		return nil, 0, "", err
	}
	var ivs []service.CoverageInterval
	for _, iv := range cov.Intervals {
		if !iv.Start.Before(from) && iv.Start.Before(to) {
			ivs = append(ivs, iv)
		}
	}
	if len(ivs) == 0 {
		return nil, 0, fmt.Sprintf("%s has no forecast intervals inside both %s (%s) and the chosen days.", q.Name, sch.Name,
			ui.Period(sch.PeriodStart, sch.PeriodEnd, loc)), nil
	}
	f, err := s.svc.FindForecastByID(ctx, cov.ForecastID)
	if err != nil {
		return nil, 0, "", err
	}
	return ivs, time.Duration(f.IntervalMin) * time.Minute, "", nil
}

// coverageChart draws scheduled staff as hatched bars under the required
// staff as a dashed step line, with peak intervals shaded.
func coverageChart(id string, q org.Queue, loc *time.Location, step time.Duration, ivs []service.CoverageInterval, peaks []bool, title string) (any, error) {
	var sched, req []chart.Point
	var spans []chart.Span
	under := 0
	for i, iv := range ivs {
		sched = append(sched, chart.Point{X: iv.Start, Y: iv.ScheduledStaff})
		req = append(req, chart.Point{X: iv.Start, Y: float64(iv.RequiredStaff)})
		if peaks[i] {
			spans = append(spans, chart.Span{From: iv.Start, To: iv.Start.Add(step)})
		}
		if iv.ScheduledStaff < float64(iv.RequiredStaff) {
			under++
		}
	}
	c := chart.Chart{ID: id, Title: title, Width: 960, Height: 300, Location: loc, YLabel: "Staff (agents on shift)", Step: step,
		Desc: fmt.Sprintf("%d intervals of %s on the %s clock; scheduled staff below the requirement in %d of them. Peak intervals (busiest quarter of each day) are shaded.",
			len(ivs), step, q.Timezone, under),
		Shades: []chart.Shade{{Name: "Peak intervals", Spans: spans}},
		Bars:   []chart.Bars{{Name: "Scheduled", Points: sched}},
		Series: []chart.Series{{Name: "Required", Step: true, Style: chart.Dashed, Points: req}}}
	svg, err := c.Render()
	if err != nil {
		return nil, fault.Wrap(fault.Internal, err, "coverage chart")
	}
	return svg, nil
}

// dayLink is the coverage page's URL for one day in detail.
func dayLink(f coverageForm, day string) string {
	return "/planner/coverage?" + strings.Join([]string{"queue_id=" + strconv.FormatInt(f.QueueID, 10), "schedule_id=" + strconv.FormatInt(f.ScheduleID, 10),
		"from=" + f.From, "days=" + strconv.Itoa(f.Days), "day=" + day}, "&")
}

// readCoverageForm reads the coverage page's choices into a coverageForm:
// the queue (its zone becomes the page's), the days, and the plan, by default
// the newest published plan over the days, else the newest plan (nil when
// there is none). What is wrong with a choice goes to pg.Fields.
func (s *Handler) readCoverageForm(c echo.Context, pg *page, queues []org.Queue, plans []service.Schedule) (form coverageForm, q org.Queue, loc *time.Location, from, to time.Time, sch *service.Schedule, err error) {
	form = coverageForm{QueueID: queues[0].ID, Days: 7, From: c.QueryParam("from"), Day: c.QueryParam("day")}
	if v := c.QueryParam("queue_id"); v != "" {
		if form.QueueID, err = strconv.ParseInt(v, 10, 64); err != nil {
			pg.Fields["queue_id"] = "Choose a queue from the list."
		}
	}
	for _, x := range queues {
		if x.ID == form.QueueID {
			q = x
		}
	}
	if q.ID == 0 {
		pg.Fields["queue_id"] = "Choose a queue from the list."
		q = queues[0]
		form.QueueID = q.ID
	}
	loc, err = queueZone(q)
	if err != nil {
		return form, q, loc, from, to, nil, err
	}
	pg.Zone = q.Timezone
	now := s.now().In(loc)
	from = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	if form.From != "" {
		d, err := time.ParseInLocation(time.DateOnly, form.From, loc)
		if err != nil {
			pg.Fields["from"] = fmt.Sprintf("%q is not a date like 2026-01-05.", form.From)
		} else {
			from = d
		}
	}
	form.From = from.Format(time.DateOnly)
	if v := c.QueryParam("days"); v != "" {
		if form.Days, err = strconv.Atoi(v); err != nil || form.Days < 1 || form.Days > 14 {
			pg.Fields["days"] = "Enter a number of days from 1 to 14."
			form.Days = 7
		}
	}
	to = time.Date(from.Year(), from.Month(), from.Day()+form.Days, 0, 0, 0, 0, loc)
	if v := c.QueryParam("schedule_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		for i := range plans {
			if err == nil && plans[i].ID == id {
				sch = &plans[i]
			}
		}
		if sch == nil {
			pg.Fields["schedule_id"] = "Choose a schedule from the list."
		}
	}
	if sch == nil { // the newest published plan over the range, else the newest plan
		for i := range plans {
			p := &plans[i]
			if p.PeriodStart.Before(to) && p.PeriodEnd.After(from) && (sch == nil || (p.Status == service.SchedulePublished && sch.Status != service.SchedulePublished)) {
				sch = p
			}
		}
	}
	if sch == nil && len(plans) > 0 {
		sch = &plans[0]
	}
	if sch != nil {
		form.ScheduleID = sch.ID
		// Without a first day, start where the plan starts if that is later than today.
		if c.QueryParam("from") == "" && sch.PeriodStart.After(from) {
			ps := sch.PeriodStart.In(loc)
			from = time.Date(ps.Year(), ps.Month(), ps.Day(), 0, 0, 0, 0, loc)
			form.From = from.Format(time.DateOnly)
			to = time.Date(from.Year(), from.Month(), from.Day()+form.Days, 0, 0, 0, 0, loc)
		}
	}
	return form, q, loc, from, to, sch, nil
}

// coverageDetail adds the per-day summary, the range chart and the chosen
// day's chart and rows of the coverage page.
func coverageDetail(pg *page, form coverageForm, q org.Queue, loc *time.Location, from, to time.Time, ivs []service.CoverageInterval, step time.Duration) error {
	days := summarizeDays(ivs, step)
	pg.Data["Days"] = days
	var tot coverageDay
	for _, d := range days {
		tot.RequiredHours += d.RequiredHours
		tot.ScheduledHours += d.ScheduledHours
		tot.UnderHours += d.UnderHours
		tot.OverHours += d.OverHours
	}
	pg.Data["Totals"] = tot
	req := make([]float64, len(ivs))
	for i, iv := range ivs {
		req[i] = float64(iv.RequiredStaff)
	}
	peaks := scheduling.Peaks(loc, ivs[0].Start, step, req, 0.25)
	rangeChart, err := coverageChart("coverage-range", q, loc, step, ivs, peaks,
		fmt.Sprintf("%s: required vs scheduled staff, %s to %s", q.Name, from.Format("2 Jan"), to.AddDate(0, 0, -1).Format("2 Jan 2006")))
	if err != nil {
		return err
	}
	pg.Data["Chart"] = rangeChart
	if form.Day == "" {
		form.Day = days[0].Date
		pg.Data["Form"] = form
	}
	for i := range days {
		days[i].Link = dayLink(form, days[i].Date)
	}
	var dayIvs []service.CoverageInterval
	var dayPeaks []bool
	var rows []coverageRow
	for i, iv := range ivs {
		if iv.StartLocal[:10] == form.Day {
			dayIvs = append(dayIvs, iv)
			dayPeaks = append(dayPeaks, peaks[i])
			rows = append(rows, coverageRow{CoverageInterval: iv, Local: iv.StartLocal[11:16], Gap: iv.ScheduledStaff - float64(iv.RequiredStaff), Peak: peaks[i]})
		}
	}
	if len(dayIvs) > 0 {
		dc, err := coverageChart("coverage-day", q, loc, step, dayIvs, dayPeaks, fmt.Sprintf("%s on %s: required vs scheduled staff per interval", q.Name, form.Day))
		if err != nil {
			return err
		}
		pg.Data["DayChart"] = dc
		pg.Data["Rows"] = rows
	}
	return nil
}
