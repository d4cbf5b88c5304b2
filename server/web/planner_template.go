package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/scheduling"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/service"
)

// templateSetForm is the form of planner_template.html: a template set as
// rows of inputs, as typed, plus the same set as JSON (the advanced view).
// Rows left blank or marked for removal are dropped when the form is read,
// so the rows shown again are numbered as the service numbers its errors.
type templateSetForm struct {
	ID          int64
	Version     int
	Name        string
	Description string
	IntervalMin string
	Templates   []templateRow
	// JSON is the advanced textarea; JSONWas is the JSON the page was
	// rendered with. When they differ the JSON was edited, and it wins.
	JSON, JSONWas string
	// Action is the button pressed: save, check, add-template,
	// add-break-<i> or json.
	Action   string
	jsonUsed bool
	jsonErr  error
}

// templateRow is one shift template as typed.
type templateRow struct {
	Name, Span, PaidMin, From, To, Step, MaxAgents, Contracts string
	Days                                                      []string
	Breaks                                                    []breakRow
	Remove                                                    bool
}

// breakRow is one break rule as typed.
type breakRow struct {
	Name, Length, Earliest, Latest, Step string
	Paid, Remove                         bool
}

func (b breakRow) blank() bool {
	return strings.TrimSpace(b.Name+b.Length+b.Earliest+b.Latest+b.Step) == "" && !b.Paid
}

func (r templateRow) blank() bool {
	if strings.TrimSpace(r.Name+r.Span+r.PaidMin+r.From+r.To+r.Step+r.MaxAgents+r.Contracts) != "" || len(r.Days) > 0 {
		return false
	}
	for _, b := range r.Breaks {
		if !b.blank() {
			return false
		}
	}
	return true
}

// dayChoice is one weekday checkbox of a template.
type dayChoice struct {
	Key, Label string
	Checked    bool
}

var weekdayChoices = []dayChoice{{Key: "mon", Label: "Mon"}, {Key: "tue", Label: "Tue"}, {Key: "wed", Label: "Wed"},
	{Key: "thu", Label: "Thu"}, {Key: "fri", Label: "Fri"}, {Key: "sat", Label: "Sat"}, {Key: "sun", Label: "Sun"}}

// DayChoices lists the weekdays with the template's ticked.
func (r templateRow) DayChoices() []dayChoice {
	out := slices.Clone(weekdayChoices)
	for i := range out {
		out[i].Checked = slices.Contains(r.Days, out[i].Key)
	}
	return out
}

// newTemplateSetForm is the form of a new set: one example template to
// change rather than a page of empty boxes.
func newTemplateSetForm() templateSetForm {
	return formFromTemplates(service.TemplateSet{Templates: scheduling.Templates{IntervalMin: 30, Templates: []scheduling.Template{{
		Name: "Day", SpanMin: 510, PaidMin: 480, Start: scheduling.StartWindow{From: "07:00", To: "10:00", StepMin: 30},
		Days: []string{"mon", "tue", "wed", "thu", "fri"},
		Breaks: []scheduling.BreakRule{{Name: "Lunch", LengthMin: 30, EarliestStart: 180, LatestStart: 300, StepMin: 30},
			{Name: "Coffee", LengthMin: 15, Paid: true, EarliestStart: 360, LatestStart: 420, StepMin: 15}},
	}}}})
}

// formFromTemplates fills the form from a stored (or decoded) set.
func formFromTemplates(ts service.TemplateSet) templateSetForm {
	f := templateSetForm{ID: ts.ID, Version: ts.Version, Name: ts.Name, Description: ts.Description}
	f.setTemplates(ts.Templates)
	return f
}

// setTemplates replaces the rows (and the JSON) with ts.
func (f *templateSetForm) setTemplates(ts scheduling.Templates) {
	f.IntervalMin = itoaInt(ts.IntervalMin)
	f.Templates = nil
	for _, t := range ts.Templates {
		r := templateRow{Name: t.Name, Span: fmt.Sprintf("%d:%02d", t.SpanMin/60, t.SpanMin%60), PaidMin: itoaInt(t.PaidMin),
			From: string(t.Start.From), To: string(t.Start.To), Step: itoaInt(t.Start.StepMin), Days: slices.Clone(t.Days),
			Contracts: strings.Join(t.Contracts, ", ")}
		if t.MaxAgents != nil {
			r.MaxAgents = itoaInt(*t.MaxAgents)
		}
		for _, b := range t.Breaks {
			r.Breaks = append(r.Breaks, breakRow{Name: b.Name, Length: itoaInt(b.LengthMin), Paid: b.Paid,
				Earliest: itoaInt(b.EarliestStart), Latest: itoaInt(b.LatestStart), Step: itoaInt(b.StepMin)})
		}
		f.Templates = append(f.Templates, r)
	}
	f.JSON = templatesJSON(ts)
}

func itoaInt(v int) string { return strconv.Itoa(v) }

func templatesJSON(ts scheduling.Templates) string {
	b, _ := json.MarshalIndent(ts, "", "  ")
	return string(b)
}

// parseTemplateSetForm reads the form. Rows are read by the counts the page
// sent (templates, t<i>.breaks); blank and removed rows are dropped.
func parseTemplateSetForm(c echo.Context) templateSetForm {
	f := templateSetForm{Name: strings.TrimSpace(c.FormValue("name")), Description: strings.TrimSpace(c.FormValue("description")),
		IntervalMin: strings.TrimSpace(c.FormValue("interval_min")), JSON: c.FormValue("json"), JSONWas: c.FormValue("json_was"),
		Action: c.FormValue("do")}
	f.Version, _ = strconv.Atoi(c.FormValue("version"))
	n, _ := strconv.Atoi(c.FormValue("templates"))
	form, _ := c.FormParams()
	for i := range min(n, 200) {
		p := fmt.Sprintf("t%d.", i)
		v := func(k string) string { return strings.TrimSpace(c.FormValue(p + k)) }
		r := templateRow{Name: v("name"), Span: v("span"), PaidMin: v("paid_min"), From: v("from"), To: v("to"), Step: v("step"),
			MaxAgents: v("max_agents"), Contracts: v("contracts"), Days: form[p+"days"], Remove: v("remove") != ""}
		m, _ := strconv.Atoi(v("breaks"))
		for k := range min(m, 50) {
			bp := fmt.Sprintf("b%d.", k)
			b := breakRow{Name: v(bp + "name"), Length: v(bp + "length"), Earliest: v(bp + "earliest"), Latest: v(bp + "latest"),
				Step: v(bp + "step"), Paid: v(bp+"paid") != "", Remove: v(bp+"remove") != ""}
			if !b.Remove && !b.blank() {
				r.Breaks = append(r.Breaks, b)
			}
		}
		if !r.Remove && !r.blank() {
			f.Templates = append(f.Templates, r)
		}
	}
	// The JSON wins when it was edited or its button was pressed; a JSON
	// that does not read leaves the rows as they were typed.
	if f.Action == "json" || (strings.TrimSpace(f.JSON) != "" && strings.TrimSpace(f.JSON) != strings.TrimSpace(f.JSONWas)) {
		dec := json.NewDecoder(strings.NewReader(f.JSON))
		dec.DisallowUnknownFields()
		var ts scheduling.Templates
		if f.jsonErr = dec.Decode(&ts); f.jsonErr == nil {
			f.jsonUsed = true
			f.setTemplates(ts)
		}
	}
	return f
}

// templateSet turns the form into a set, and the field errors only the
// form can have: a word where a number or hours:minutes belong. Keys are
// the form's (interval_min, t0.span, t0.b1.length).
func (f templateSetForm) templateSet() (service.TemplateSet, fault.Fields) {
	bad := fault.Fields{}
	if f.jsonErr != nil {
		bad.Add("json", "is not a templates document: %s", f.jsonErr.Error())
	}
	num := func(key, v string) int {
		n, err := strconv.Atoi(v)
		if err != nil && v != "" {
			bad.Add(key, "must be a whole number of minutes")
		}
		return n
	}
	ts := service.TemplateSet{ID: f.ID, Version: f.Version, Name: f.Name, Description: f.Description}
	ts.Templates.IntervalMin = num("interval_min", f.IntervalMin)
	for i, r := range f.Templates {
		p := fmt.Sprintf("t%d.", i)
		t := scheduling.Template{Name: r.Name, PaidMin: num(p+"paid_min", r.PaidMin), Days: r.Days,
			Start: scheduling.StartWindow{From: scheduling.Clock(r.From), To: scheduling.Clock(r.To), StepMin: num(p+"step", r.Step)}}
		span, ok := hoursMinutes(r.Span)
		if !ok {
			bad.Add(p+"span", "must be hours:minutes, like 8:30")
		}
		t.SpanMin = span
		if r.MaxAgents != "" {
			n, err := strconv.Atoi(r.MaxAgents)
			if err != nil {
				bad.Add(p+"max_agents", "must be a whole number, or empty for no cap")
			}
			t.MaxAgents = &n
		}
		for _, c := range strings.Split(r.Contracts, ",") {
			if c = strings.TrimSpace(c); c != "" {
				t.Contracts = append(t.Contracts, c)
			}
		}
		for k, b := range r.Breaks {
			bp := fmt.Sprintf("%sb%d.", p, k)
			t.Breaks = append(t.Breaks, scheduling.BreakRule{Name: b.Name, Paid: b.Paid, LengthMin: num(bp+"length", b.Length),
				EarliestStart: num(bp+"earliest", b.Earliest), LatestStart: num(bp+"latest", b.Latest), StepMin: num(bp+"step", b.Step)})
		}
		ts.Templates.Templates = append(ts.Templates.Templates, t)
	}
	return ts, bad
}

// hoursMinutes reads "8:30" (or "8") as minutes.
func hoursMinutes(v string) (int, bool) {
	h, m, found := strings.Cut(strings.TrimSpace(v), ":")
	hh, err := strconv.Atoi(h)
	if err != nil || hh < 0 {
		return 0, false
	}
	mm := 0
	if found {
		if mm, err = strconv.Atoi(m); err != nil || mm < 0 || mm > 59 || len(m) != 2 {
			return 0, false
		}
	}
	return hh*60 + mm, true
}

// templateFieldKey maps a field of ValidateTemplateSet
// (templates.templates[0] (Day).breaks[1].latest_start_min) to the form's
// key (t0.b1.latest), so the problem is shown next to its input.
func templateFieldKey(k string, ts service.TemplateSet) string {
	rest, ok := strings.CutPrefix(k, "templates.")
	if !ok {
		return k
	}
	rest, ok = strings.CutPrefix(rest, "templates[")
	if !ok {
		return rest // interval_min, templates
	}
	end := strings.IndexByte(rest, ']')
	i, err := strconv.Atoi(rest[:max(end, 0)])
	if end < 0 || err != nil || i >= len(ts.Templates.Templates) {
		return "templates"
	}
	rest = strings.TrimPrefix(rest[end+1:], " ("+ts.Templates.Templates[i].Name+")")
	key := fmt.Sprintf("t%d", i)
	if b, ok := strings.CutPrefix(rest, ".breaks["); ok {
		end := strings.IndexByte(b, ']')
		if end < 0 {
			return key
		}
		key += ".b" + b[:end]
		rest = b[end+1:]
	}
	field, _, _ := strings.Cut(strings.TrimPrefix(rest, "."), "[")
	names := map[string]string{"span_min": "span", "start.from": "from", "start.to": "to", "start.step_min": "step",
		"length_min": "length", "earliest_start_min": "earliest", "latest_start_min": "latest", "step_min": "step"}
	if n, ok := names[field]; ok {
		field = n
	}
	if field == "" {
		return key
	}
	return key + "." + field
}

// webTemplateSetForm handles the "GET /planner/templates/:id" page, where
// :id is "new" for a new set.
func (s *Handler) webTemplateSetForm(c echo.Context) error {
	f := newTemplateSetForm()
	if c.Param("id") != "new" {
		_, id, err := plannerRecord(c, auth.ShiftTemplates, auth.Read)
		if err != nil {
			return err
		}
		ts, err := s.svc.FindTemplateSetByID(c.Request().Context(), id)
		if err != nil {
			return err
		}
		f = formFromTemplates(ts)
	} else if _, err := plannerMay(c, auth.ShiftTemplates, auth.Create); err != nil {
		return err
	}
	return s.renderTemplateSet(c, http.StatusOK, s.newPage(c, ""), f)
}

func (s *Handler) renderTemplateSet(c echo.Context, status int, pg page, f templateSetForm) error {
	if f.ID == 0 {
		pg.Title = "New shift template set"
	} else {
		pg.Title = "Shift template set " + f.Name
	}
	f.JSONWas = f.JSON
	// One blank break row under each template to fill in without a script.
	for i := range f.Templates {
		if n := len(f.Templates[i].Breaks); n == 0 || !f.Templates[i].Breaks[n-1].blank() {
			f.Templates[i].Breaks = append(f.Templates[i].Breaks, breakRow{})
		}
	}
	p := httpx.Principal(c)
	pg.Data["F"] = f
	pg.Data["Rows"] = f.views(pg.Fields)
	pg.Data["CanDelete"] = f.ID != 0 && p.Allow(auth.ShiftTemplates, auth.Delete) == nil
	return s.render(c, status, "planner_template", pg)
}

// webSaveTemplateSet handles the "POST /planner/templates/:id" page: it
// saves the set, or (by the button pressed) checks it without saving, adds
// a template or break row, or reads the JSON into the form.
func (s *Handler) webSaveTemplateSet(c echo.Context) error {
	action := auth.Create
	if c.Param("id") != "new" {
		action = auth.Update
	}
	p, err := plannerMay(c, auth.ShiftTemplates, action)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	f := parseTemplateSetForm(c)
	if action == auth.Update {
		if f.ID, err = httpx.IDParam(c); err != nil {
			return err
		}
	}
	pg := s.newPage(c, "")
	ts, bad := f.templateSet()
	if !f.jsonUsed && f.jsonErr == nil {
		f.JSON = templatesJSON(ts.Templates)
	}
	switch {
	case f.Action == "add-template":
		f.Templates = append(f.Templates, templateRow{})
		return s.renderTemplateSet(c, http.StatusOK, pg, f)
	case strings.HasPrefix(f.Action, "add-break-"):
		if i, err := strconv.Atoi(strings.TrimPrefix(f.Action, "add-break-")); err == nil && i >= 0 && i < len(f.Templates) {
			f.Templates[i].Breaks = append(f.Templates[i].Breaks, breakRow{}, breakRow{})
		}
		return s.renderTemplateSet(c, http.StatusOK, pg, f)
	case f.Action == "json" && f.jsonErr == nil:
		pg.Data["Note"] = "The JSON is in the form below; check or save it."
		return s.renderTemplateSet(c, http.StatusOK, pg, f)
	}
	// The service's rules, shown next to the fields; the form's own
	// problems take their field's place.
	var fe *fault.Error
	if err := service.ValidateTemplateSet(ts); errors.As(err, &fe) && fe.Code == fault.Invalid {
		for k, v := range fe.Fields {
			key := templateFieldKey(k, ts)
			if _, formErr := bad[key]; formErr {
				continue
			}
			if old, ok := pg.Fields[key]; ok {
				v = old + "; " + v
			}
			pg.Fields[key] = v
		}
	} else if err != nil {
		return err
	}
	for k, v := range bad {
		pg.Fields[k] = v
	}
	if len(pg.Fields) > 0 {
		pg.Error = fmt.Sprintf("Not saved: %d problem(s), each shown next to its field.", len(pg.Fields))
		if f.Action == "check" {
			pg.Error = fmt.Sprintf("Checked, not saved: %d problem(s), each shown next to its field.", len(pg.Fields))
		}
		return s.renderTemplateSet(c, http.StatusBadRequest, pg, f)
	}
	if f.Action == "check" {
		pg.Data["Note"] = "Checked: no problems found. Not saved yet."
		return s.renderTemplateSet(c, http.StatusOK, pg, f)
	}
	var out service.TemplateSet
	if action == auth.Create {
		out, err = s.svc.CreateTemplateSet(ctx, p, ts)
	} else {
		cur, ferr := s.svc.FindTemplateSetByID(ctx, f.ID)
		if ferr != nil {
			return ferr
		}
		if cur.Version != f.Version {
			pg.Error = fmt.Sprintf("Not saved: someone else changed this template set after you opened it (it is now version %d). "+
				"The form now shows their version; make your change again and save.", cur.Version)
			return s.renderTemplateSet(c, http.StatusConflict, pg, formFromTemplates(cur))
		}
		out, err = s.svc.UpdateTemplateSet(ctx, p, ts)
	}
	if err != nil {
		if webFault(&pg, err, nil) {
			status := http.StatusBadRequest
			if errors.As(err, &fe) && fe.Code == fault.Conflict {
				status = http.StatusConflict
			}
			return s.renderTemplateSet(c, status, pg, f)
		}
		return err
	}
	msg := fmt.Sprintf("Saved the template set %s, version %d.", out.Name, out.Version)
	return c.Redirect(http.StatusSeeOther, "/planner/templates?done="+url.QueryEscape(msg))
}

// inputView is one text input of the form as the template draws it, with
// its problem, if any.
type inputView struct {
	Name, ID, Label, Hint, Value, Err string
	Numeric                           bool
}

// templateView is one template's fieldset; breakView one break's.
type templateView struct {
	Index           int
	Prefix, Legend  string
	Inputs          []inputView
	Days            []dayChoice
	DaysErr, RowErr string
	Contracts       inputView
	Breaks          []breakView
}

type breakView struct {
	Index              int
	ID, Prefix, Legend string
	Inputs             []inputView
	Paid               bool
	Err                string
}

// views lays out the rows with the problems in fields next to them.
func (f templateSetForm) views(fields map[string]string) []templateView {
	in := func(name, label, hint, value string, numeric bool) inputView {
		return inputView{Name: name, ID: strings.ReplaceAll(name, ".", "-"), Label: label, Hint: hint, Value: value, Err: fields[name], Numeric: numeric}
	}
	out := make([]templateView, len(f.Templates))
	for i, r := range f.Templates {
		p := fmt.Sprintf("t%d.", i)
		legend := fmt.Sprintf("Template %d", i+1)
		if r.Name != "" {
			legend += ": " + r.Name
		}
		v := templateView{Index: i, Prefix: p, Legend: legend, Days: r.DayChoices(), DaysErr: fields[p+"days"], RowErr: fields[fmt.Sprintf("t%d", i)],
			Inputs: []inputView{
				in(p+"name", "Name", "", r.Name, false),
				in(p+"span", "Span (hours:minutes)", "start to end", r.Span, false),
				in(p+"paid_min", "Paid minutes", "span minus unpaid breaks", r.PaidMin, true),
				in(p+"from", "Earliest start", "like 07:00", r.From, false),
				in(p+"to", "Latest start", "like 10:00", r.To, false),
				in(p+"step", "Start every (minutes)", "", r.Step, true),
				in(p+"max_agents", "Max agents (optional)", "empty: no cap", r.MaxAgents, true),
			},
			Contracts: in(p+"contracts", "Only for contracts (optional)", "names, comma separated; empty: any contract", r.Contracts, false)}
		for k, b := range r.Breaks {
			bp := fmt.Sprintf("%sb%d.", p, k)
			legend := fmt.Sprintf("Break %d", k+1)
			if b.blank() {
				legend += " (fill in to add)"
			} else if b.Name != "" {
				legend += ": " + b.Name
			}
			v.Breaks = append(v.Breaks, breakView{Index: k, ID: strings.ReplaceAll(strings.TrimSuffix(bp, "."), ".", "-"), Prefix: bp, Legend: legend, Paid: b.Paid, Err: fields[strings.TrimSuffix(bp, ".")],
				Inputs: []inputView{
					in(bp+"name", "Name", "", b.Name, false),
					in(bp+"length", "Length (minutes)", "", b.Length, true),
					in(bp+"earliest", "Earliest start", "minutes after shift start", b.Earliest, true),
					in(bp+"latest", "Latest start", "minutes after shift start", b.Latest, true),
					in(bp+"step", "Start every (minutes)", "", b.Step, true),
				}})
		}
		out[i] = v
	}
	return out
}
