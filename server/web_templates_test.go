package server_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

var templatesJSONArea = regexp.MustCompile(`(?s)<textarea id="json"[^>]*>(.*?)</textarea>`)

// templateForm is the editor's form for a set of one template with one
// break, as a planner would type it.
func templateForm(csrf, do string) url.Values {
	return url.Values{"csrf_token": {csrf}, "do": {do}, "name": {"Early shifts"}, "interval_min": {"30"}, "templates": {"1"},
		"t0.name": {"FT8"}, "t0.span": {"8:30"}, "t0.paid_min": {"480"}, "t0.from": {"06:00"}, "t0.to": {"09:00"}, "t0.step": {"30"},
		"t0.days": {"mon", "tue", "wed"}, "t0.max_agents": {"12"}, "t0.contracts": {"FT, PT"}, "t0.breaks": {"2"},
		"t0.b0.name": {"Lunch"}, "t0.b0.length": {"30"}, "t0.b0.earliest": {"180"}, "t0.b0.latest": {"300"}, "t0.b0.step": {"30"},
		// the blank spare row is ignored
		"t0.b1.name": {""}, "t0.b1.length": {""}}
}

// TestWebTemplateSetEditor walks issue 21's shift-template editor on both
// databases: a new set typed as a form, problems shown next to their fields
// (the form's own and scheduling's), Check that saves nothing, Save, the
// JSON view round-tripping, and an edit based on a stale version refused.
func TestWebTemplateSetEditor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newWorld(t, st)
		pc, csrf := signIn(t, w, "planner@example.com")
		post := func(path string, v url.Values) (int, string, string) { return page(t, pc, "POST", w.srv.URL+path, v) }
		stored := func() []store.TemplateSet {
			sets, _, err := st.FindTemplateSets(ctx, store.Page{Limit: 50})
			require.NoError(t, err)
			return sets
		}
		before := len(stored())

		status, _, body := page(t, pc, "GET", w.srv.URL+"/planner/templates/new", nil)
		require.Equal(t, http.StatusOK, status, "%s", body)
		assert.Contains(t, body, `name="t0.span" value="8:30"`, "a new set starts from an example template")
		assert.Contains(t, body, `<legend>Days</legend>`)

		// The form's own problems and scheduling's, each next to its field.
		bad := templateForm(csrf, "save")
		bad.Set("t0.span", "eight")
		bad.Set("t0.from", "6am")
		bad.Set("t0.b0.latest", "500")
		bad.Set("t0.b0.step", "half")
		bad.Set("t0.max_agents", "-1")
		status, _, body = post("/planner/templates/new", bad)
		require.Equal(t, http.StatusBadRequest, status, "%s", body)
		assert.Contains(t, body, `id="t0-span-error">must be hours:minutes, like 8:30`)
		assert.Contains(t, body, `id="t0-from-error">must be a clock time like 06:00`)
		assert.Contains(t, body, `id="t0-b0-step-error">must be a whole number of minutes`)
		assert.Contains(t, body, `id="t0-max_agents-error">must not be negative`)
		assert.Contains(t, body, `value="6am"`, "the form keeps what was typed")
		bad.Set("t0.span", "8:30")
		bad.Set("t0.b0.step", "30")
		status, _, body = post("/planner/templates/new", bad)
		require.Equal(t, http.StatusBadRequest, status, "%s", body)
		assert.Contains(t, body, `id="t0-b0-latest-error">a break starting at 500 min for 30 min ends after the 510-minute shift`)
		assert.Len(t, stored(), before, "nothing is saved")

		// Check validates without saving.
		status, _, body = post("/planner/templates/new", templateForm(csrf, "check"))
		require.Equal(t, http.StatusOK, status, "%s", body)
		assert.Contains(t, body, "Checked: no problems found. Not saved yet.")
		assert.Len(t, stored(), before, "Check saves nothing")

		// Add a break row and a template without a script.
		status, _, body = post("/planner/templates/new", templateForm(csrf, "add-break-0"))
		require.Equal(t, http.StatusOK, status, "%s", body)
		assert.Contains(t, body, `name="t0.b2.name"`, "two blank break rows follow the filled one")
		status, _, body = post("/planner/templates/new", templateForm(csrf, "add-template"))
		require.Equal(t, http.StatusOK, status, "%s", body)
		assert.Contains(t, body, `name="t1.name" value=""`)

		// A break marked for removal is gone, and the paid minutes no longer add up.
		rm := templateForm(csrf, "check")
		rm.Set("t0.b0.remove", "on")
		status, _, body = post("/planner/templates/new", rm)
		require.Equal(t, http.StatusBadRequest, status, "%s", body)
		assert.Contains(t, body, `id="t0-paid_min-error">is 480 but the span (510) minus unpaid breaks (0) is 510`)
		assert.NotContains(t, body, `value="Lunch"`)

		// Save.
		status, path, body := post("/planner/templates/new", templateForm(csrf, "save"))
		require.Equal(t, http.StatusOK, status, "%s", body)
		assert.Equal(t, "/planner/templates", path)
		assert.Contains(t, body, "Saved the template set Early shifts, version 1.")
		var set store.TemplateSet
		for _, s := range stored() {
			if s.Name == "Early shifts" {
				set = s
			}
		}
		require.NotZero(t, set.ID, "the set is stored")
		twelve := 12
		want := scheduling.Templates{IntervalMin: 30, Templates: []scheduling.Template{{Name: "FT8", SpanMin: 510, PaidMin: 480,
			Start: scheduling.StartWindow{From: "06:00", To: "09:00", StepMin: 30}, Days: []string{"mon", "tue", "wed"}, MaxAgents: &twelve,
			Contracts: []string{"FT", "PT"},
			Breaks:    []scheduling.BreakRule{{Name: "Lunch", LengthMin: 30, EarliestStart: 180, LatestStart: 300, StepMin: 30}}}}}
		assert.Equal(t, want, set.Templates)
		status, _, body = post("/planner/templates/new", templateForm(csrf, "save"))
		assert.Equal(t, http.StatusConflict, status)
		assert.Contains(t, body, `id="name-error">is taken; choose another name`)

		// The edit page's JSON is the stored set; an edited JSON replaces the
		// form and is saved as typed.
		id := itoa(set.ID)
		status, _, body = page(t, pc, "GET", w.srv.URL+"/planner/templates/"+id, nil)
		require.Equal(t, http.StatusOK, status, "%s", body)
		m := templatesJSONArea.FindStringSubmatch(body)
		require.NotNil(t, m, "the page has the JSON view")
		var shown scheduling.Templates
		require.NoError(t, json.Unmarshal([]byte(html.UnescapeString(m[1])), &shown))
		assert.Equal(t, set.Templates, shown, "the JSON view round-trips the stored set")
		edited := shown
		edited.Templates = append([]scheduling.Template(nil), shown.Templates...)
		edited.Templates[0].Name = "FT8 early"
		edited.Templates[0].MaxAgents = nil
		edited.Templates[0].Days = []string{"sat", "sun"}
		js, err := json.Marshal(edited)
		require.NoError(t, err)
		form := templateForm(csrf, "json")
		form.Set("version", itoa(int64(set.Version)))
		form.Set("json_was", html.UnescapeString(m[1]))
		form.Set("json", `{"interval_min": 30, "templates": [`)
		status, _, body = post("/planner/templates/"+id, form)
		require.Equal(t, http.StatusBadRequest, status, "%s", body)
		assert.Contains(t, body, `id="json-error">is not a templates document`)
		form.Set("json", string(js))
		status, _, body = post("/planner/templates/"+id, form)
		require.Equal(t, http.StatusOK, status, "%s", body)
		assert.Contains(t, body, `name="t0.name" value="FT8 early"`, "the JSON is put into the form")
		assert.Contains(t, body, `value="sat" checked`)
		form.Set("do", "save")
		status, _, body = post("/planner/templates/"+id, form)
		require.Equal(t, http.StatusOK, status, "%s", body)
		assert.Contains(t, body, "Saved the template set Early shifts, version 2.")
		got, err := st.FindTemplateSetByID(ctx, set.ID)
		require.NoError(t, err)
		assert.Equal(t, edited, got.Templates, "an edited JSON is saved as typed")

		// The same form again is based on version 1: refused, with theirs shown.
		stale := templateForm(csrf, "save")
		stale.Set("version", itoa(int64(set.Version)))
		stale.Set("t0.paid_min", "470")
		stale.Set("t0.b0.length", "40")
		status, _, body = post("/planner/templates/"+id, stale)
		assert.Equal(t, http.StatusConflict, status)
		assert.Contains(t, body, "someone else changed this template set after you opened it (it is now version 2)")
		assert.Contains(t, body, `name="t0.name" value="FT8 early"`, "the form shows their version")
		again, err := st.FindTemplateSetByID(ctx, set.ID)
		require.NoError(t, err)
		assert.Equal(t, 2, again.Version)
		assert.Equal(t, edited, again.Templates)

		// Listed; a supervisor (who may read sets through the API) has no page.
		status, _, body = page(t, pc, "GET", w.srv.URL+"/planner/templates", nil)
		require.Equal(t, http.StatusOK, status, "%s", body)
		assert.Contains(t, body, `href="/planner/templates/`+id+`">Early shifts</a>`)
		sc, _ := signIn(t, w, "supervisor@example.com")
		status, _, _ = page(t, sc, "GET", w.srv.URL+"/planner/templates/"+id, nil)
		assert.Equal(t, http.StatusForbidden, status)

		// Delete.
		status, _, body = post("/planner/templates/"+id+"/delete", url.Values{"csrf_token": {csrf}})
		require.Equal(t, http.StatusOK, status, "%s", body)
		assert.Contains(t, body, "Deleted the template set Early shifts.")
		_, err = st.FindTemplateSetByID(ctx, set.ID)
		assert.Error(t, err)
	})
}
