package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/scheduling"
	"github.com/peakwise/peakwise/scheduling/roster"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
)

// The planner's generate form starts the same jobs as the API: a roster of
// named agents (POST /api/v1/schedules/roster) or headcount shifts for one
// queue (POST /api/v1/schedules/generate). It reads the form into those
// requests and shows their field errors next to the form's controls.

// The generate form's modes.
const (
	modeRoster    = "roster"
	modeHeadcount = "headcount"
)

// generateForm is the generate form as the planner filled it in; numbers stay
// text so that what was typed is shown again with its error.
type generateForm struct {
	Mode          string
	QueueIDs      []int64
	AllQueues     bool
	Start         string // first local date, on the plan's (roster) or queue's (headcount) clock
	Weeks         string
	TimeLimit     string
	Timezone      string // roster: the plan's zone; empty: the first queue's
	TemplateSetID int64  // 0: the templates written in Templates
	Templates     string
	StressBudget  string // headcount: a share of the cheapest plan's paid time
	Shortfall     string // roster: percent of the required agent-hours that may stay uncovered
	Name          string
	// ProRata (roster) plans the dates given on the plan's clock alone
	// instead of every agent's and queue's weeks whole on their own clocks.
	ProRata bool
}

// Checked reports whether the form names queue id.
func (f generateForm) Checked(id int64) bool { return slices.Contains(f.QueueIDs, id) }

// FirstQueue is the first queue the form names, or 0.
func (f generateForm) FirstQueue() int64 {
	if len(f.QueueIDs) == 0 {
		return 0
	}
	return f.QueueIDs[0]
}

// defaultTemplates are day-time full- and part-time shifts on the queue's interval.
func defaultTemplates(intervalMin int) string {
	return fmt.Sprintf(`{"interval_min": %d, "templates": [
  {"name": "FT8", "span_min": 510, "paid_min": 480, "start": {"from": "06:00", "to": "13:00", "step_min": 30},
   "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
   "breaks": [{"name": "break", "length_min": 15, "paid": true, "earliest_start_min": 90, "latest_start_min": 150, "step_min": 15},
              {"name": "lunch", "length_min": 30, "paid": false, "earliest_start_min": 210, "latest_start_min": 300, "step_min": 30}]},
  {"name": "PT4", "span_min": 240, "paid_min": 240, "start": {"from": "07:00", "to": "17:00", "step_min": 30},
   "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
   "breaks": [{"name": "break", "length_min": 15, "paid": true, "earliest_start_min": 90, "latest_start_min": 150, "step_min": 15}]}
]}`, intervalMin)
}

func (s *Handler) schedulesPage(c echo.Context, status int, pg page, form generateForm) error {
	ctx := c.Request().Context()
	queues, _, err := s.svc.FindQueues(ctx, service.Page{Limit: 500})
	if err != nil {
		return err
	}
	plans, _, err := s.svc.FindSchedules(ctx, service.ScheduleFilter{Page: service.Page{Limit: 50}})
	if err != nil {
		return err
	}
	sets, _, err := s.svc.FindTemplateSets(ctx, service.Page{Limit: 500})
	if err != nil {
		return err
	}
	if form.Mode == "" {
		form.Mode = modeRoster
	}
	if len(form.QueueIDs) == 0 && !form.AllQueues && len(queues) > 0 && status == http.StatusOK {
		form.QueueIDs = []int64{queues[0].ID}
	}
	if form.Start == "" {
		// Next Monday on the planner's clock.
		now := s.now()
		form.Start = now.AddDate(0, 0, 7-int((now.Weekday()+6)%7)).Format(time.DateOnly)
	}
	if form.Weeks == "" {
		form.Weeks = "1"
	}
	if form.TimeLimit == "" {
		form.TimeLimit = "10"
	}
	if form.StressBudget == "" {
		form.StressBudget = "0.02"
	}
	if form.Shortfall == "" {
		form.Shortfall = strconv.FormatFloat(100*roster.DefaultShortfallAllowance, 'f', -1, 64)
	}
	if form.Templates == "" {
		iv := 30
		for _, q := range queues {
			if q.ID == form.FirstQueue() {
				iv = q.IntervalMin
			}
		}
		form.Templates = defaultTemplates(iv)
	}
	zones := []string{}
	for _, q := range queues {
		if !slices.Contains(zones, q.Timezone) {
			zones = append(zones, q.Timezone)
		}
	}
	sort.Strings(zones)
	pg.Data["Form"] = form
	pg.Data["Queues"] = queues
	pg.Data["Zones"] = zones
	pg.Data["TemplateSets"] = sets
	pg.Data["Schedules"] = plans
	left, right := int64(0), int64(0)
	if len(plans) > 1 {
		left, right = plans[1].ID, plans[0].ID
	}
	pg.Data["Left"], pg.Data["Right"] = left, right
	return s.render(c, status, "planner_schedules", pg)
}

func (s *Handler) webSchedules(c echo.Context) error {
	if err := plannerOnly(c); err != nil {
		return err
	}
	return s.schedulesPage(c, http.StatusOK, s.newPage(c, "Schedules"), generateForm{})
}

// webGenerate reads the generate form and starts the roster or headcount
// job as the API does; the browser is sent to the run's progress page. A
// form with problems is shown again with each problem next to its control,
// and nothing is started.
func (s *Handler) webGenerate(c echo.Context) error {
	p, err := plannerMay(c, auth.Schedules, auth.Create)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	pg := s.newPage(c, "Schedules")
	queues, _, err := s.svc.FindQueues(ctx, service.Page{Limit: 500})
	if err != nil {
		return err
	}
	form, local, err := readGenerateForm(c, queues)
	if err != nil {
		return err
	}
	var run service.JobRun
	if form.Mode == modeRoster {
		req := form.rosterRequest(queues)
		if len(local) > 0 {
			_, err = s.svc.RosterProblem(ctx, p, req) // only for the other fields' problems
		} else {
			run, err = s.svc.StartRoster(ctx, p, req)
		}
	} else {
		req := form.generateRequest()
		if len(local) > 0 {
			_, err = s.svc.CheckGeneration(ctx, p, req)
		} else {
			run, err = s.svc.StartGeneration(ctx, p, req)
		}
	}
	if err == nil && len(local) == 0 {
		return c.Redirect(http.StatusSeeOther, "/planner/runs/"+strconv.FormatInt(run.ID, 10))
	}
	status := http.StatusBadRequest
	var fe *fault.Error
	switch {
	case err == nil:
	case !errors.As(err, &fe) || (fe.Code != fault.Invalid && fe.Code != fault.Unprocessable):
		return err
	default:
		if len(local) == 0 {
			status = httpx.StatusOf[fe.Code]
		}
		generateFields(pg.Fields, fe.Fields)
		if len(fe.Fields) == 0 {
			pg.Error = "The draft was not started: " + errorMessage(err)
		}
	}
	for k, v := range local { // the form's own reason is the first to fix
		pg.Fields[k] = v
	}
	if pg.Error == "" {
		pg.Error = "The draft was not started; see the fields marked below."
	}
	return s.schedulesPage(c, status, pg, form)
}

// readGenerateForm reads the form and returns the problems only the form can
// have (a word where a number belongs, an unknown queue, several queues for
// headcount, templates that are not JSON), by form field.
func readGenerateForm(c echo.Context, queues []org.Queue) (generateForm, map[string]string, error) {
	values, err := c.FormParams()
	if err != nil {
		return generateForm{}, nil, fault.Errorf(fault.Invalid, "the form could not be read")
	}
	v := func(k string) string { return strings.TrimSpace(values.Get(k)) }
	f := generateForm{Mode: v("mode"), Start: v("start"), Weeks: v("weeks"), TimeLimit: v("time_limit"), Timezone: v("timezone"),
		Templates: values.Get("templates"), StressBudget: v("stress_budget"), Shortfall: v("shortfall_allowance_pct"), Name: v("name"), ProRata: v("pro_rata") != ""}
	bad := map[string]string{}
	switch f.Mode {
	case modeRoster, modeHeadcount:
	case "":
		f.Mode = modeRoster
	default:
		bad["mode"] = "Choose named agents or headcount only."
	}
	known := map[int64]bool{}
	for _, q := range queues {
		known[q.ID] = true
	}
	for _, raw := range values["queue_id"] {
		if raw == "all" {
			f.AllQueues = true
			continue
		}
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || !known[id] {
			bad["queue_id"] = fmt.Sprintf("There is no queue %q.", raw)
			continue
		}
		if !f.Checked(id) {
			f.QueueIDs = append(f.QueueIDs, id)
		}
	}
	if f.AllQueues {
		f.QueueIDs = f.QueueIDs[:0]
		for _, q := range queues {
			f.QueueIDs = append(f.QueueIDs, q.ID)
		}
	}
	switch {
	case bad["queue_id"] != "":
	case len(f.QueueIDs) == 0:
		bad["queue_id"] = "Tick at least one queue, or All queues."
	case f.Mode == modeHeadcount && len(f.QueueIDs) > 1:
		bad["queue_id"] = "Headcount covers one queue at a time: tick exactly one."
	}
	if _, err := strconv.Atoi(f.Weeks); err != nil {
		bad["weeks"] = "Enter a whole number of weeks."
	}
	if _, err := strconv.Atoi(f.TimeLimit); err != nil {
		bad["time_limit"] = "Enter a whole number of seconds."
	}
	if _, err := strconv.ParseFloat(f.StressBudget, 64); err != nil && f.Mode == modeHeadcount && f.StressBudget != "" {
		bad["stress_budget"] = "Enter a share such as 0.02 (2% more paid time)."
	}
	if _, err := strconv.ParseFloat(f.Shortfall, 64); err != nil && f.Mode == modeRoster && f.Shortfall != "" {
		bad["shortfall_allowance_pct"] = "Enter a percent such as 0.4, or 0 for none."
	}
	if set := v("template_set_id"); set != "" {
		if f.TemplateSetID, err = strconv.ParseInt(set, 10, 64); err != nil {
			bad["template_set_id"] = "Choose a template set from the list."
		}
	} else if err := strictJSON(f.Templates, &scheduling.Templates{}); err != nil {
		bad["templates"] = "The shift templates are not valid JSON: " + err.Error() + "."
	}
	return f, bad, nil
}

// strictJSON decodes s into v, refusing fields v does not have.
func strictJSON(s string, v any) error {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// templates are the form's inline templates, or nil when it names a stored
// set or the text does not decode (readGenerateForm reported it).
func (f generateForm) templates() *scheduling.Templates {
	if f.TemplateSetID != 0 {
		return nil
	}
	var ts scheduling.Templates
	if strictJSON(f.Templates, &ts) != nil {
		return nil
	}
	return &ts
}

// number reads a form number; what does not parse was reported by
// readGenerateForm and counts as 0.
func number(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// rosterRequest is the form as a rostering request. The plan's zone defaults
// to the first queue's; the name to the queues' names and the first day.
func (f generateForm) rosterRequest(queues []org.Queue) service.Roster {
	req := service.Roster{Name: f.Name, QueueIDs: f.QueueIDs, Start: f.Start, Weeks: number(f.Weeks), Timezone: f.Timezone,
		Templates: f.templates(), TemplateSetID: f.TemplateSetID, TimeLimitSeconds: number(f.TimeLimit), ProRata: f.ProRata}
	if pct, err := strconv.ParseFloat(f.Shortfall, 64); err == nil {
		req.ShortfallAllowancePct = &pct
	}
	var names []string
	for _, q := range queues {
		if !f.Checked(q.ID) {
			continue
		}
		names = append(names, q.Name)
		if req.Timezone == "" && q.ID == f.FirstQueue() {
			req.Timezone = q.Timezone
		}
	}
	if req.Name == "" && len(names) > 0 {
		if f.AllQueues {
			names = []string{"All queues"}
		}
		req.Name = fmt.Sprintf("%s from %s", strings.Join(names, ", "), f.Start)
	}
	return req
}

// generateRequest is the form as a headcount request for its first queue.
func (f generateForm) generateRequest() service.Generate {
	req := service.Generate{Name: f.Name, QueueID: f.FirstQueue(), Start: f.Start, Weeks: number(f.Weeks), Templates: f.templates(),
		TemplateSetID: f.TemplateSetID, TimeLimitSeconds: number(f.TimeLimit)}
	if b, err := strconv.ParseFloat(f.StressBudget, 64); err == nil {
		req.StressBudget = &b
	}
	return req
}

// generateFields puts the requests' field errors (queue_ids[0],
// templates.templates[1] (PT4).span_min, ...) next to the form's controls,
// as sentences.
func generateFields(out map[string]string, fields map[string]string) {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		field, detail := k, ""
		switch {
		case k == "queue_ids" || strings.HasPrefix(k, "queue_ids["):
			field = "queue_id"
		case k == "time_limit_seconds":
			field = "time_limit"
		case strings.HasPrefix(k, "templates."):
			field, detail = "templates", strings.TrimPrefix(k, "templates.")
		case strings.HasPrefix(k, "template_set_id."):
			field, detail = "template_set_id", strings.TrimPrefix(k, "template_set_id.")
		}
		msg := fields[k]
		if msg == "" {
			msg = "is not valid"
		}
		if detail != "" {
			msg = detail + " " + msg // interval_min must be 15, 30 or 60.
		} else {
			msg = strings.ToUpper(msg[:1]) + msg[1:]
		}
		if !strings.HasSuffix(msg, ".") {
			msg += "."
		}
		if old, ok := out[field]; ok {
			msg = old + " " + msg
		}
		out[field] = msg
	}
}

// runDraft is what the run page says about the draft a finished generation
// or rostering run left.
type runDraft struct {
	ScheduleID int64
	Shifts     int
	PaidHours  float64
	Agents     int // rostering: the agents with at least one shift
}

// draftSummary reads the draft from a succeeded generation or rostering
// run's result; other runs have none (ScheduleID 0).
func draftSummary(run service.JobRun) runDraft {
	if run.Status != service.JobSucceeded {
		return runDraft{}
	}
	switch run.Job {
	case service.GenerateJob:
		var res service.GenerateResult
		if json.Unmarshal([]byte(run.Result), &res) == nil {
			return runDraft{ScheduleID: res.ScheduleID, Shifts: res.Shifts, PaidHours: res.PaidHours}
		}
	case service.RosterJob:
		var res service.RosterResult
		if json.Unmarshal([]byte(run.Result), &res) == nil {
			out := runDraft{ScheduleID: res.ScheduleID, Shifts: res.Report.Shifts}
			for _, a := range res.Report.Agents {
				out.PaidHours += a.PaidHours
				if a.Shifts > 0 {
					out.Agents++
				}
			}
			return out
		}
	}
	return runDraft{}
}
