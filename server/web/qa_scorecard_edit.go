package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
)

// webEditScorecard handles the "GET /qa/scorecards/:id/edit" page; the id
// "new" opens an empty scorecard to create.
func (s *Handler) webEditScorecard(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.Scorecards, auth.Update); err != nil {
		return err
	}
	pg := s.newPage(c, "Edit scorecard")
	if c.Param("id") == "new" {
		pg.Title = "New scorecard"
		sc := qa.Scorecard{PassThreshold: 80, Sections: []qa.Section{{Weight: 1, Criteria: []qa.Criterion{{Weight: 1, Scale: qa.YesNo}}}}}
		return s.renderScorecardForm(c, http.StatusOK, pg, scorecardFormOf(sc))
	}
	id, err := httpx.IDParam(c)
	if err != nil {
		return err
	}
	sc, err := s.svc.FindScorecardByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return s.renderScorecardForm(c, http.StatusOK, pg, scorecardFormOf(sc))
}

func (s *Handler) renderScorecardForm(c echo.Context, status int, pg page, f scorecardForm) error {
	pg.Data["F"] = f.withBlankRows()
	pg.Data["Scales"] = scorecardScales
	return s.render(c, status, "qa_scorecard_edit", pg)
}

// scorecardScales are the scales a criterion may take, as the form offers them.
var scorecardScales = []struct {
	Value qa.Scale
	Label string
}{{qa.YesNo, "Yes / no"}, {qa.Points3, "1 to 3"}, {qa.Points4, "1 to 4"}, {qa.Points5, "1 to 5"}}

// scorecardForm is the form of qa_scorecard_edit.html: a row of inputs per
// section and criterion, named by the paths qa.Scorecard.Validate reports
// (sections[0].criteria[1].weight), so its reasons land next to their
// inputs; or, under "advanced", the sections as JSON. Values stay text so a
// word typed where a number belongs is shown again as typed.
type scorecardForm struct {
	ID             int64
	Name           string
	PassThreshold  string
	AutoFailZeroes bool
	Revision       int
	Sections       []sectionRow
	// SectionsJSON is the sections as JSON; JSONWas is the JSON the page
	// was shown with, so a changed textarea is told from an untouched one.
	SectionsJSON, JSONWas string
	bad                   fault.Fields
}

// sectionRow is one section's inputs; Path is its field path (sections[0]).
type sectionRow struct {
	Path, ID          string
	Key, Title        string
	Weight            string
	Criteria          []criterionRow
	Blank             bool // the empty row offered for a new section
	NewCriterionIndex int
}

// criterionRow is one criterion's inputs; Path is its field path.
type criterionRow struct {
	Path, ID                    string
	Key, Title, Guidance        string
	Weight                      string
	Scale                       qa.Scale
	AllowNA, Critical, AutoFail bool
	Blank                       bool // the empty row offered for a new criterion
}

func sectionPath(i int) (path, id string) {
	return fmt.Sprintf("sections[%d]", i), fmt.Sprintf("s%d", i)
}

func criterionPath(i, j int) (path, id string) {
	return fmt.Sprintf("sections[%d].criteria[%d]", i, j), fmt.Sprintf("s%d-c%d", i, j)
}

// scorecardFormOf fills the form with a stored (or JSON-written) scorecard.
func scorecardFormOf(sc qa.Scorecard) scorecardForm {
	f := scorecardForm{ID: sc.ID, Name: sc.Name, PassThreshold: strconv.Itoa(sc.PassThreshold), AutoFailZeroes: sc.AutoFailZeroes, Revision: sc.Revision}
	f.setSections(sc.Sections)
	b, _ := json.MarshalIndent(sc.Sections, "", "  ")
	f.SectionsJSON, f.JSONWas = string(b), string(b)
	return f
}

func (f *scorecardForm) setSections(sections []qa.Section) {
	f.Sections = nil
	for i, s := range sections {
		r := sectionRow{Key: s.Key, Title: s.Title, Weight: strconv.Itoa(s.Weight)}
		r.Path, r.ID = sectionPath(i)
		for j, c := range s.Criteria {
			cr := criterionRow{Key: c.Key, Title: c.Title, Guidance: c.Guidance, Weight: strconv.Itoa(c.Weight), Scale: c.Scale,
				AllowNA: c.AllowNA, Critical: c.Critical, AutoFail: c.AutoFail}
			cr.Path, cr.ID = criterionPath(i, j)
			r.Criteria = append(r.Criteria, cr)
		}
		f.Sections = append(f.Sections, r)
	}
}

// withBlankRows returns the form with an empty criterion at the end of every
// section and an empty section at the end, the rows a reviewer fills in to
// add one without JavaScript.
func (f scorecardForm) withBlankRows() scorecardForm {
	out := f
	out.Sections = make([]sectionRow, 0, len(f.Sections)+1)
	for i, s := range f.Sections {
		s.Criteria = slices.Clone(s.Criteria)
		s.NewCriterionIndex = len(s.Criteria)
		cr := criterionRow{Weight: "1", Scale: qa.YesNo, Blank: true}
		cr.Path, cr.ID = criterionPath(i, len(s.Criteria))
		s.Criteria = append(s.Criteria, cr)
		out.Sections = append(out.Sections, s)
	}
	s := sectionRow{Weight: "1", Blank: true}
	s.Path, s.ID = sectionPath(len(f.Sections))
	cr := criterionRow{Weight: "1", Scale: qa.YesNo, Blank: true}
	cr.Path, cr.ID = criterionPath(len(f.Sections), 0)
	s.Criteria = []criterionRow{cr}
	out.Sections = append(out.Sections, s)
	return out
}

var (
	sectionField   = regexp.MustCompile(`^sections\[(\d{1,3})\]\.(key|title|weight|remove)$`)
	criterionField = regexp.MustCompile(`^sections\[(\d{1,3})\]\.criteria\[(\d{1,3})\]\.(key|title|guidance|weight|scale|allow_na|critical|auto_fail|remove)$`)
	notKeyChars    = regexp.MustCompile(`[^a-z0-9]+`)
)

// keyOf makes a key from a title, for rows whose key was left empty.
func keyOf(title string) string {
	k := strings.Trim(notKeyChars.ReplaceAllString(strings.ToLower(title), "_"), "_")
	if len(k) > 64 {
		k = strings.TrimRight(k[:64], "_")
	}
	return k
}

// parseScorecardForm reads the posted form. Rows left empty (no key, title
// or guidance) and rows ticked "remove" are dropped and the rest renumbered,
// so the paths of the reasons shown match the rows shown again. When the
// JSON was changed (or "use this JSON" was pressed) the sections come from it.
func parseScorecardForm(c echo.Context) scorecardForm {
	values, _ := c.FormParams()
	f := scorecardForm{Name: strings.TrimSpace(values.Get("name")), PassThreshold: strings.TrimSpace(values.Get("pass_threshold")),
		AutoFailZeroes: values.Get("auto_fail_zeroes") == "on", SectionsJSON: values.Get("sections_json"), JSONWas: values.Get("sections_json_was"),
		bad: fault.Fields{}}
	f.Revision, _ = strconv.Atoi(values.Get("revision"))
	// Browsers send a textarea's line breaks as CRLF.
	lf := func(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }
	if values.Get("do") == "json" || lf(f.SectionsJSON) != lf(f.JSONWas) {
		var sections []qa.Section
		if err := json.Unmarshal([]byte(f.SectionsJSON), &sections); err != nil {
			f.bad.Add("sections_json", "is not valid JSON: %s", err.Error())
		} else {
			f.setSections(sections)
			return f
		}
	}
	type sec struct {
		row  sectionRow
		crit map[int]*criterionRow
		gone bool
	}
	secs := map[int]*sec{}
	get := func(i int) *sec {
		if secs[i] == nil {
			secs[i] = &sec{crit: map[int]*criterionRow{}}
		}
		return secs[i]
	}
	for name, vs := range values {
		v := strings.TrimSpace(vs[0])
		if m := sectionField.FindStringSubmatch(name); m != nil {
			i, _ := strconv.Atoi(m[1])
			s := get(i)
			switch m[2] {
			case "key":
				s.row.Key = v
			case "title":
				s.row.Title = v
			case "weight":
				s.row.Weight = v
			case "remove":
				s.gone = true
			}
		} else if m := criterionField.FindStringSubmatch(name); m != nil {
			i, _ := strconv.Atoi(m[1])
			j, _ := strconv.Atoi(m[2])
			s := get(i)
			if s.crit[j] == nil {
				s.crit[j] = &criterionRow{}
			}
			cr := s.crit[j]
			switch m[3] {
			case "key":
				cr.Key = v
			case "title":
				cr.Title = v
			case "guidance":
				cr.Guidance = strings.TrimSpace(strings.ReplaceAll(vs[0], "\r\n", "\n"))
			case "weight":
				cr.Weight = v
			case "scale":
				cr.Scale = qa.Scale(v)
			case "allow_na":
				cr.AllowNA = true
			case "critical":
				cr.Critical = true
			case "auto_fail":
				cr.AutoFail = true
			case "remove":
				cr.Blank = true // removed: dropped below as a blank row is
			}
		}
	}
	for _, i := range slices.Sorted(maps.Keys(secs)) {
		s := secs[i]
		var crits []criterionRow
		for _, j := range slices.Sorted(maps.Keys(s.crit)) {
			cr := *s.crit[j]
			if cr.Blank || cr.Key == "" && cr.Title == "" && cr.Guidance == "" {
				continue
			}
			if cr.Key == "" {
				cr.Key = keyOf(cr.Title)
			}
			crits = append(crits, cr)
		}
		if s.gone || s.row.Key == "" && s.row.Title == "" && len(crits) == 0 {
			continue
		}
		if s.row.Key == "" {
			s.row.Key = keyOf(s.row.Title)
		}
		row := s.row
		row.Path, row.ID = sectionPath(len(f.Sections))
		for j := range crits {
			crits[j].Path, crits[j].ID = criterionPath(len(f.Sections), j)
		}
		row.Criteria = crits
		f.Sections = append(f.Sections, row)
	}
	return f
}

// Scorecard returns the scorecard the form describes, with what is not a
// whole number read as 0 (Validate names those).
func (f scorecardForm) Scorecard() qa.Scorecard {
	sc := qa.Scorecard{ID: f.ID, Name: f.Name, AutoFailZeroes: f.AutoFailZeroes, Revision: f.Revision, Sections: []qa.Section{}}
	sc.PassThreshold, _ = strconv.Atoi(f.PassThreshold)
	for _, s := range f.Sections {
		sec := qa.Section{Key: s.Key, Title: s.Title, Criteria: []qa.Criterion{}}
		sec.Weight, _ = strconv.Atoi(s.Weight)
		for _, c := range s.Criteria {
			cr := qa.Criterion{Key: c.Key, Title: c.Title, Guidance: c.Guidance, Scale: c.Scale, AllowNA: c.AllowNA, Critical: c.Critical, AutoFail: c.AutoFail}
			cr.Weight, _ = strconv.Atoi(c.Weight)
			sec.Criteria = append(sec.Criteria, cr)
		}
		sc.Sections = append(sc.Sections, sec)
	}
	return sc
}

// Validate returns the problems only the form can have: JSON that does not
// read, and words where whole numbers belong. The scorecard's own rules are
// checked by the use case.
func (f scorecardForm) Validate() fault.Fields {
	bad := fault.Fields{}
	maps.Copy(bad, f.bad)
	number := func(field, v string) {
		if _, err := strconv.Atoi(v); err != nil {
			bad.Add(field, "must be a whole number")
		}
	}
	number("pass_threshold", f.PassThreshold)
	for _, s := range f.Sections {
		number(s.Path+".weight", s.Weight)
		for _, c := range s.Criteria {
			number(c.Path+".weight", c.Weight)
		}
	}
	return bad
}

// webSaveScorecard handles the "POST /qa/scorecards/:id/edit" page. The
// button pressed (do) saves, checks without saving ("check"), shows more
// empty rows ("more") or fills the form from the JSON ("json").
func (s *Handler) webSaveScorecard(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.Scorecards, auth.Update); err != nil {
		return err
	}
	ctx := c.Request().Context()
	pg := s.newPage(c, "Edit scorecard")
	creating := c.Param("id") == "new"
	if creating {
		pg.Title = "New scorecard"
	}
	form := parseScorecardForm(c)
	if !creating {
		var err error
		if form.ID, err = httpx.IDParam(c); err != nil {
			return err
		}
	}
	bad := form.Validate()
	do := c.FormValue("do")
	if _, ok := bad["sections_json"]; !ok && (len(bad) == 0 || do != "json") {
		// The JSON shown again follows the rows, so the two never disagree.
		b, _ := json.MarshalIndent(form.Scorecard().Sections, "", "  ")
		form.SectionsJSON, form.JSONWas = string(b), string(b)
	}
	if do == "more" || do == "json" {
		maps.Copy(pg.Fields, bad)
		status := http.StatusOK
		if len(bad) > 0 {
			pg.Error = "Some fields need a change; see the reasons beside them."
			status = http.StatusBadRequest
		}
		return s.renderScorecardForm(c, status, pg, form)
	}
	if len(bad) > 0 {
		pg.Error = "Some fields need a change; see the reasons beside them. Nothing was saved."
		maps.Copy(pg.Fields, bad)
		// The scorecard's own rules are checked too, so every reason shows at once.
		var fe *fault.Error
		if errors.As(s.svc.CheckScorecard(form.Scorecard()), &fe) {
			for k, v := range fe.Fields {
				if _, ok := pg.Fields[k]; !ok {
					pg.Fields[k] = v
				}
			}
		}
		return s.renderScorecardForm(c, http.StatusBadRequest, pg, form)
	}
	sc := form.Scorecard()
	if do == "check" {
		if err := s.svc.CheckScorecard(sc); err != nil {
			if webFault(&pg, err, nil) {
				pg.Error = "The scorecard has problems; see the reasons beside the fields. Nothing was saved."
				return s.renderScorecardForm(c, http.StatusUnprocessableEntity, pg, form)
			}
			return err
		}
		pg.Flash = "No problems found. Not saved yet: press Save to keep it."
		return s.renderScorecardForm(c, http.StatusOK, pg, form)
	}
	var out qa.Scorecard
	var err error
	if creating {
		out, err = s.svc.CreateScorecard(ctx, p, sc)
	} else {
		out, err = s.svc.UpdateScorecard(ctx, p, sc)
	}
	if err != nil {
		var fe *fault.Error
		if !creating && errors.As(err, &fe) && fe.Code == fault.Conflict {
			// Someone saved since this form was opened: show their version.
			cur, ferr := s.svc.FindScorecardByID(ctx, sc.ID)
			if ferr == nil && cur.Latest && cur.Revision != sc.Revision {
				pg.Error = "Someone else saved this scorecard after you opened it. The form now shows their version; " +
					"make your changes again and save. Your edits were not saved."
				return s.renderScorecardForm(c, http.StatusConflict, pg, scorecardFormOf(cur))
			}
			if ferr == nil && !cur.Latest {
				pg.Error = "This version has been replaced by a newer one; open the scorecard again from the list to edit the latest. Your edits were not saved."
				return s.renderScorecardForm(c, http.StatusConflict, pg, form)
			}
		}
		if webFault(&pg, err, nil) {
			if len(pg.Fields) > 0 {
				pg.Error = "The scorecard has problems; see the reasons beside the fields. Nothing was saved."
			}
			return s.renderScorecardForm(c, http.StatusUnprocessableEntity, pg, form)
		}
		return err
	}
	msg := fmt.Sprintf("Saved %s, version %d.", out.Name, out.Version)
	return c.Redirect(http.StatusSeeOther, "/qa/scorecards?done="+url.QueryEscape(msg))
}
