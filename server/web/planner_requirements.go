package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
)

// requirementsForm is the day and what-if form of planner_requirements.html,
// read from the query string: nothing it holds is saved. Targets left empty
// keep the queue's. Percentages are in percent (30 for 30% shrinkage).
type requirementsForm struct {
	Date         string
	AHT          string
	AHTUnit      string // "s" (seconds) or "pct" (percent of the forecast's)
	ServiceLevel string
	AnswerWithin string
	Shrinkage    string
	MaxOccupancy string

	whatIf service.RequirementsWhatIf
}

func parseRequirementsForm(c echo.Context) requirementsForm {
	f := requirementsForm{Date: strings.TrimSpace(c.QueryParam("date")), AHT: strings.TrimSpace(c.QueryParam("aht")),
		AHTUnit: c.QueryParam("aht_unit"), ServiceLevel: strings.TrimSpace(c.QueryParam("service_level_pct")),
		AnswerWithin: strings.TrimSpace(c.QueryParam("answer_within_seconds")), Shrinkage: strings.TrimSpace(c.QueryParam("shrinkage")),
		MaxOccupancy: strings.TrimSpace(c.QueryParam("max_occupancy"))}
	if f.AHTUnit != "pct" {
		f.AHTUnit = "s"
	}
	return f
}

// Changed says whether any target of the form replaces the queue's.
func (f requirementsForm) Changed() bool {
	w := f.whatIf
	return w.AHTSeconds != nil || w.AHTPercent != nil || w.ServiceLevelPct != nil || w.AnswerWithinSec != nil || w.Shrinkage != nil || w.MaxOccupancy != nil
}

// Validate reads the numbers of the form into its what-if, and returns
// Invalid naming the fields that are not numbers or not a date. Ranges are
// the use case's to check (service.RequirementsWhatIf.Validate).
func (f *requirementsForm) Validate(q org.Queue) error {
	fields := fault.Fields{}
	if f.Date != "" {
		if _, err := time.Parse(time.DateOnly, f.Date); err != nil {
			fields.Add("date", "must be a date like 2026-05-04")
		}
	}
	num := func(key, v string) *float64 {
		if v == "" {
			return nil
		}
		x, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), "%"), 64)
		if err != nil {
			fields.Add(key, "must be a number, got %q", v)
			return nil
		}
		return &x
	}
	w := service.RequirementsWhatIf{}
	if x := num("aht", f.AHT); x != nil {
		if f.AHTUnit == "pct" {
			w.AHTPercent = x
		} else {
			w.AHTSeconds = x
		}
	}
	// Targets equal to the queue's are no change.
	if x := num("service_level_pct", f.ServiceLevel); x != nil && *x != q.ServiceLevelPct {
		w.ServiceLevelPct = x
	}
	if f.AnswerWithin != "" {
		n, err := strconv.Atoi(f.AnswerWithin)
		if err != nil {
			fields.Add("answer_within_seconds", "must be a whole number of seconds, got %q", f.AnswerWithin)
		} else if n != q.AnswerWithinSec {
			w.AnswerWithinSec = &n
		}
	}
	if x := num("shrinkage", f.Shrinkage); x != nil && *x/100 != q.Shrinkage {
		v := *x / 100
		w.Shrinkage = &v
	}
	if x := num("max_occupancy", f.MaxOccupancy); x != nil && *x/100 != q.MaxOccupancy {
		v := *x / 100
		w.MaxOccupancy = &v
	}
	f.whatIf = w
	return fields.Err("invalid what-if")
}

// requirementsDay totals one day of requirements.
type requirementsDay struct {
	Contacts    float64
	StaffHours  float64
	AgentHours  float64
	PeakStaff   int
	PeakAt      string
	ServiceLvl  *float64 // weighted by contacts; nil for deferred work or no contacts
	Occupancy   *float64 // weighted by agents
	Intervals   int
	IntervalMin int
}

// requirementRow is one interval as the page shows it.
type requirementRow struct {
	service.RequirementInterval
	Local string // HH:MM on the queue's clock
}

func totalRequirements(req service.Requirements, loc *time.Location) ([]requirementRow, requirementsDay) {
	h := req.Interval().Hours()
	day := requirementsDay{IntervalMin: int(req.Interval().Minutes()), Intervals: len(req.Intervals)}
	rows := make([]requirementRow, len(req.Intervals))
	var sl, occ, agents float64
	for i, iv := range req.Intervals {
		rows[i] = requirementRow{RequirementInterval: iv, Local: iv.Start.In(loc).Format("15:04")}
		day.Contacts += iv.Contacts
		day.StaffHours += float64(iv.RequiredStaff) * h
		day.AgentHours += float64(iv.RequiredAgents) * h
		if iv.RequiredStaff > day.PeakStaff {
			day.PeakStaff, day.PeakAt = iv.RequiredStaff, rows[i].Local
		}
		sl += iv.ServiceLevel * iv.Contacts
		occ += iv.Occupancy * float64(iv.RequiredAgents)
		agents += float64(iv.RequiredAgents)
	}
	if req.Model != "deferred" && day.Contacts > 0 {
		v := sl / day.Contacts
		day.ServiceLvl = &v
	}
	if agents > 0 {
		v := occ / agents
		day.Occupancy = &v
	}
	return rows, day
}

// forecastDates are the local dates a forecast covers, first to last.
func forecastDates(f service.Forecast, loc *time.Location) []string {
	var out []string
	start := f.StartAt.In(loc)
	for d := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, loc); d.Before(f.EndAt) && len(out) < 400; d = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc) {
		out = append(out, d.Format(time.DateOnly))
	}
	return out
}

// webRequirements handles the "GET /planner/queues/:id/requirements" route:
// the staffing one day of the queue's latest forecast needs, interval by
// interval, under the queue's targets or the what-if ones of the form.
func (s *Handler) webRequirements(c echo.Context) error {
	_, id, err := plannerRecord(c, auth.Requirements, auth.Read)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	q, err := s.svc.FindQueueByID(ctx, id)
	if err != nil {
		return err
	}
	loc, err := queueZone(q)
	if err != nil {
		return err
	}
	ch, err := s.svc.FindChannelByID(ctx, q.ChannelID)
	if err != nil {
		return err
	}
	pg := s.newPage(c, "Requirements: "+q.Name)
	pg.Zone = q.Timezone
	form := parseRequirementsForm(c)
	pg.Data["Queue"], pg.Data["Channel"], pg.Data["Target"] = q, ch, queueTarget(q)
	pg.Data["Deferred"] = ch.Kind == org.Deferred
	pg.Data["Rows"], pg.Data["Day"], pg.Data["Dates"], pg.Data["Forecast"] = nil, nil, []string{}, nil
	status := http.StatusOK
	show := func() error {
		pg.Data["Form"] = form
		return s.render(c, status, "planner_requirements", pg)
	}
	form.defaultTo(q)
	latest, err := s.svc.FindLatestForecast(ctx, q.ID)
	if fault.Is(err, fault.NotFound) {
		pg.Data["NoForecast"] = true
		return show()
	}
	if err != nil {
		return err
	}
	pg.Data["Forecast"] = latest
	dates := forecastDates(latest, loc)
	pg.Data["Dates"] = dates
	if err := form.Validate(q); err != nil {
		return s.requirementsFault(c, &pg, &status, err, show)
	}
	form.pickDate(dates, s.now().In(loc).Format(time.DateOnly))
	d, err := time.ParseInLocation(time.DateOnly, form.Date, loc)
	if err != nil {
		return fault.Wrap(fault.Internal, err, "requirements date")
	}
	from, to := d, time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc)
	req, err := s.svc.QueueRequirementsWhatIf(ctx, q, form.whatIf, from, to)
	if err != nil {
		return s.requirementsFault(c, &pg, &status, err, show)
	}
	rows, day := totalRequirements(req, loc)
	pg.Data["Rows"], pg.Data["Day"], pg.Data["Model"] = rows, day, req.Model
	return show()
}

// defaultTo fills the fields the planner left empty with q's own targets,
// so the form shows them until changed.
func (f *requirementsForm) defaultTo(q org.Queue) {
	if f.ServiceLevel == "" {
		f.ServiceLevel = strconv.FormatFloat(q.ServiceLevelPct, 'f', -1, 64)
	}
	if f.AnswerWithin == "" && q.AnswerWithinSec > 0 {
		f.AnswerWithin = strconv.Itoa(q.AnswerWithinSec)
	}
	if f.Shrinkage == "" {
		f.Shrinkage = strconv.FormatFloat(q.Shrinkage*100, 'f', -1, 64)
	}
	if f.MaxOccupancy == "" {
		f.MaxOccupancy = strconv.FormatFloat(q.MaxOccupancy*100, 'f', -1, 64)
	}
}

// pickDate chooses the forecast's day to show when none was asked for:
// today if the forecast covers it, else its first day.
func (f *requirementsForm) pickDate(dates []string, today string) {
	if f.Date != "" || len(dates) == 0 {
		return
	}
	f.Date = dates[0]
	if today >= dates[0] && today <= dates[len(dates)-1] {
		f.Date = today
	}
}

// requirementsFault shows the use case's refusal of a what-if on the page,
// per field where it names them, or passes on errors not about the form.
func (s *Handler) requirementsFault(c echo.Context, pg *page, status *int, err error, show func() error) error {
	var fe *fault.Error
	if !errors.As(err, &fe) || (fe.Code != fault.Invalid && fe.Code != fault.Unprocessable) {
		return err
	}
	*status = httpx.StatusOf[fe.Code]
	pg.Error = "The what-if was not computed: check the fields marked below."
	if len(fe.Fields) == 0 {
		pg.Error = "These targets cannot be met: " + fe.Message
	}
	for k, v := range fe.Fields {
		pg.Fields[k] = v
	}
	return show()
}
