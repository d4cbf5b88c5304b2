package server_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

var (
	inputTag    = regexp.MustCompile(`<input [^>]*>`)
	attr        = regexp.MustCompile(`\b(name|value|type)="([^"]*)"`)
	textareaTag = regexp.MustCompile(`(?s)<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>`)
	selectTag   = regexp.MustCompile(`(?s)<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>`)
	selected    = regexp.MustCompile(`<option value="([^"]*)" selected>`)
)

// formOf reads the values a browser would post from the page's form:
// inputs, ticked checkboxes, textareas and chosen options (buttons left out).
func formOf(body string) url.Values {
	v := url.Values{}
	for _, tag := range inputTag.FindAllString(body, -1) {
		a := map[string]string{}
		for _, m := range attr.FindAllStringSubmatch(tag, -1) {
			a[m[1]] = html.UnescapeString(m[2])
		}
		if a["name"] == "" {
			continue
		}
		if a["type"] == "checkbox" {
			if regexp.MustCompile(`\schecked\b`).MatchString(tag) {
				v.Add(a["name"], "on")
			}
			continue
		}
		v.Add(a["name"], a["value"])
	}
	for _, m := range textareaTag.FindAllStringSubmatch(body, -1) {
		v.Add(m[1], html.UnescapeString(m[2]))
	}
	for _, m := range selectTag.FindAllStringSubmatch(body, -1) {
		if s := selected.FindStringSubmatch(m[2]); s != nil {
			v.Add(m[1], s[1])
		}
	}
	return v
}

// fieldError reads the reason shown beside the input with the given id.
func fieldError(body, id string) string {
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `-error">([^<]*)<`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// TestWebScorecardEditorCreate creates a scorecard through the form: rows
// filled in are kept (keys made from titles), empty rows add nothing, and
// "add more empty rows" offers another row without saving.
func TestWebScorecardEditorCreate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		now := time.Now().UTC().Truncate(time.Minute)
		d := newDemoSite(t, st, now)
		ctx := context.Background()
		rc, csrf := d.signInAs(t, org.RoleQAReviewer)
		status, _, body := page(t, rc, "GET", d.url+"/qa/scorecards/new/edit", nil)
		require.Equal(t, 200, status, "%s", body)
		assert.Contains(t, body, `name="sections[0].criteria[0].title"`)
		assert.Contains(t, body, `<legend>New section (fill in to add)</legend>`)

		form := url.Values{"csrf_token": {csrf}, "name": {"Email etiquette"}, "pass_threshold": {"70"},
			"sections[0].title": {"Opening"}, "sections[0].key": {""}, "sections[0].weight": {"2"},
			"sections[0].criteria[0].title": {"Greets the customer by name"}, "sections[0].criteria[0].weight": {"3"},
			"sections[0].criteria[0].scale": {"1-5"}, "sections[0].criteria[0].allow_na": {"on"},
			"sections[0].criteria[0].guidance": {"First line of the reply."},
			// The empty rows the page offers come back empty.
			"sections[0].criteria[1].title": {""}, "sections[0].criteria[1].weight": {"1"}, "sections[0].criteria[1].scale": {"yes_no"},
			"sections[1].title": {""}, "sections[1].weight": {"1"}, "sections[1].criteria[0].title": {""}, "sections[1].criteria[0].weight": {"1"}}
		more := url.Values{"do": {"more"}}
		for k, v := range form {
			more[k] = v
		}
		status, _, body = page(t, rc, "POST", d.url+"/qa/scorecards/new/edit", more)
		require.Equal(t, 200, status, "%s", body)
		assert.Contains(t, body, `value="Greets the customer by name"`)
		assert.Contains(t, body, `name="sections[0].criteria[1].title"`, "a new empty row")
		assert.Contains(t, body, `value="greets_the_customer_by_name"`, "the key is made from the title")
		cards, _, err := d.st.FindScorecards(ctx, store.ScorecardFilter{})
		require.NoError(t, err)
		require.Len(t, cards, 1, "more rows saves nothing")

		// A second criterion, a critical one, typed into the new row; then save.
		form2 := formOf(body)
		form2.Set("sections[0].criteria[1].title", "Confirms the order number")
		form2.Set("sections[0].criteria[1].critical", "on")
		form2.Set("do", "save")
		status, path, body := page(t, rc, "POST", d.url+"/qa/scorecards/new/edit", form2)
		require.Equal(t, 200, status, "%s", body)
		assert.Equal(t, "/qa/scorecards", path)
		assert.Contains(t, body, "Saved Email etiquette, version 1.")
		cards, _, err = d.st.FindScorecards(ctx, store.ScorecardFilter{})
		require.NoError(t, err)
		var made qa.Scorecard
		for _, c := range cards {
			if c.Name == "Email etiquette" {
				made = c
			}
		}
		require.NotZero(t, made.ID)
		assert.Equal(t, 70, made.PassThreshold)
		require.Len(t, made.Sections, 1)
		s := made.Sections[0]
		assert.Equal(t, qa.Section{Key: "opening", Title: "Opening", Weight: 2, Criteria: []qa.Criterion{
			{Key: "greets_the_customer_by_name", Title: "Greets the customer by name", Guidance: "First line of the reply.", Weight: 3, Scale: qa.Points5, AllowNA: true},
			{Key: "confirms_the_order_number", Title: "Confirms the order number", Weight: 1, Scale: qa.YesNo, Critical: true},
		}}, s)
	})
}

// TestWebScorecardEditorFieldErrors shows each problem beside its input,
// from the form (a word for a weight) and from the scorecard's rules
// (duplicate key, missing title), and checks without saving.
func TestWebScorecardEditorFieldErrors(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Minute)
	d := newDemoSite(t, storetest.OpenSQLite(t), now)
	ctx := context.Background()
	rc, _ := d.signInAs(t, org.RoleQAReviewer)
	cards, _, err := d.st.FindScorecards(ctx, store.ScorecardFilter{})
	require.NoError(t, err)
	require.Len(t, cards, 1)
	before := cards[0]
	u := d.url + "/qa/scorecards/" + itoa(before.ID) + "/edit"
	_, _, body := page(t, rc, "GET", u, nil)
	base := formOf(body)
	require.Equal(t, before.Sections[0].Criteria[0].Title, base.Get("sections[0].criteria[0].title"))

	bad := formOf(body)
	bad.Set("sections[0].criteria[0].weight", "heavy")
	bad.Set("sections[0].criteria[1].key", before.Sections[0].Criteria[0].Key)
	bad.Set("sections[1].title", "")
	bad.Set("sections[1].key", "")
	bad.Set("pass_threshold", "101")
	bad.Set("do", "save")
	status, _, body := page(t, rc, "POST", u, bad)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, "Nothing was saved")
	assert.Equal(t, "must be a whole number", fieldError(body, "s0-c0-weight"))
	assert.Contains(t, fieldError(body, "s0-c1-key"), "duplicate criterion key")
	assert.Equal(t, "is required", fieldError(body, "s1-title"))
	assert.Contains(t, fieldError(body, "pass_threshold"), "between 0 and 100")
	assert.Contains(t, body, `value="heavy"`, "the word is shown again as typed")
	assert.Empty(t, fieldError(body, "s0-c0-key"))

	// Check: the same problems, nothing saved; then a good form checks clean.
	bad.Set("sections[0].criteria[0].weight", "1")
	bad.Set("do", "check")
	status, _, body = page(t, rc, "POST", u, bad)
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, fieldError(body, "s0-c1-key"), "duplicate criterion key")
	base.Set("do", "check")
	base.Set("name", "Renamed but not saved")
	status, _, body = page(t, rc, "POST", u, base)
	require.Equal(t, 200, status, "%s", body)
	assert.Contains(t, body, "No problems found")
	after, err := d.st.FindScorecardByID(ctx, before.ID)
	require.NoError(t, err)
	assert.Equal(t, before, after, "checking saves nothing")
}

// TestWebScorecardEditorJSON round-trips the sections through the advanced
// JSON: the rows of a stored scorecard post back as the same JSON, and a
// changed JSON fills the rows.
func TestWebScorecardEditorJSON(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Minute)
	d := newDemoSite(t, storetest.OpenSQLite(t), now)
	ctx := context.Background()
	rc, _ := d.signInAs(t, org.RoleQAReviewer)
	cards, _, err := d.st.FindScorecards(ctx, store.ScorecardFilter{})
	require.NoError(t, err)
	sc := cards[0]
	u := d.url + "/qa/scorecards/" + itoa(sc.ID) + "/edit"
	_, _, body := page(t, rc, "GET", u, nil)
	form := formOf(body)
	var shown []qa.Section
	require.NoError(t, json.Unmarshal([]byte(form.Get("sections_json")), &shown))
	assert.Equal(t, sc.Sections, shown, "the JSON shown is the stored sections")

	// The rows, posted as they are, read back as the stored sections.
	form.Set("do", "check")
	status, _, body := page(t, rc, "POST", u, form)
	require.Equal(t, 200, status, "%s", body)
	var back []qa.Section
	require.NoError(t, json.Unmarshal([]byte(formOf(body).Get("sections_json")), &back))
	assert.Equal(t, sc.Sections, back)

	// A criterion added in the JSON shows as a row.
	edited := append([]qa.Section(nil), sc.Sections...)
	edited[0].Criteria = append(append([]qa.Criterion(nil), edited[0].Criteria...),
		qa.Criterion{Key: "json_added", Title: "Added in JSON", Weight: 4, Scale: qa.Points3, AutoFail: true})
	b, err := json.Marshal(edited)
	require.NoError(t, err)
	form.Set("sections_json", string(b))
	form.Set("do", "json")
	status, _, body = page(t, rc, "POST", u, form)
	require.Equal(t, 200, status, "%s", body)
	rows := formOf(body)
	n := itoa(int64(len(sc.Sections[0].Criteria)))
	assert.Equal(t, "Added in JSON", rows.Get("sections[0].criteria["+n+"].title"))
	assert.Equal(t, "1-3", rows.Get("sections[0].criteria["+n+"].scale"))
	assert.Equal(t, "on", rows.Get("sections[0].criteria["+n+"].auto_fail"))
	var again []qa.Section
	require.NoError(t, json.Unmarshal([]byte(rows.Get("sections_json")), &again))
	assert.Equal(t, edited, again)

	// A row ticked "remove" is gone from the rows and the JSON; the rest renumber.
	form = formOf(body)
	form.Set("sections[0].criteria[0].remove", "on")
	form.Set("do", "check")
	status, _, body = page(t, rc, "POST", u, form)
	require.Equal(t, 200, status, "%s", body)
	rows = formOf(body)
	var removed []qa.Section
	require.NoError(t, json.Unmarshal([]byte(rows.Get("sections_json")), &removed))
	assert.Equal(t, edited[0].Criteria[1:], removed[0].Criteria)
	assert.Equal(t, edited[0].Criteria[1].Title, rows.Get("sections[0].criteria[0].title"))

	// JSON that does not read is named beside the textarea and the rows stay.
	form.Set("sections_json", "[{")
	form.Set("do", "save")
	status, _, body = page(t, rc, "POST", u, form)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, fieldError(body, "sections_json"), "is not valid JSON")
	assert.Contains(t, body, "<details open>")
}

// TestWebScorecardEditorStaleRevision saves one of two forms opened on the
// same revision; the other is refused with a clear message and the page
// shows the saved version. A superseded version is refused too.
func TestWebScorecardEditorStaleRevision(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		now := time.Now().UTC().Truncate(time.Minute)
		d := newDemoSite(t, st, now)
		ctx := context.Background()
		rc, _ := d.signInAs(t, org.RoleQAReviewer)
		fresh, err := d.st.CreateScorecard(ctx, qa.Scorecard{Name: "Chat basics", PassThreshold: 60, Sections: []qa.Section{{Key: "a", Title: "A", Weight: 1,
			Criteria: []qa.Criterion{{Key: "x", Title: "X", Weight: 1, Scale: qa.YesNo}}}}})
		require.NoError(t, err)
		u := d.url + "/qa/scorecards/" + itoa(fresh.ID) + "/edit"
		_, _, body := page(t, rc, "GET", u, nil)
		first, second := formOf(body), formOf(body)
		first.Set("name", "Chat basics (first)")
		status, path, body := page(t, rc, "POST", u, first)
		require.Equal(t, 200, status, "%s", body)
		assert.Equal(t, "/qa/scorecards", path)
		second.Set("name", "Chat basics (second)")
		status, _, body = page(t, rc, "POST", u, second)
		assert.Equal(t, http.StatusConflict, status)
		assert.Contains(t, body, "Someone else saved this scorecard after you opened it")
		assert.Equal(t, "Chat basics (first)", formOf(body).Get("name"), "the page shows the saved version")
		got, err := d.st.FindScorecardByID(ctx, fresh.ID)
		require.NoError(t, err)
		assert.Equal(t, "Chat basics (first)", got.Name)

		// The demo scorecard has evaluations: a save makes version 2, and the
		// form of version 1 is then refused.
		cards, _, err := d.st.FindScorecards(ctx, store.ScorecardFilter{})
		require.NoError(t, err)
		var demo qa.Scorecard
		for _, c := range cards {
			if c.ID != fresh.ID {
				demo = c
			}
		}
		u = d.url + "/qa/scorecards/" + itoa(demo.ID) + "/edit"
		_, _, body = page(t, rc, "GET", u, nil)
		old := formOf(body)
		status, _, body = page(t, rc, "POST", u, formOf(body))
		require.Equal(t, 200, status, "%s", body)
		assert.Contains(t, body, "version 2")
		status, _, body = page(t, rc, "POST", u, old)
		assert.Equal(t, http.StatusConflict, status)
		assert.Contains(t, body, "replaced by a newer one")
	})
}
