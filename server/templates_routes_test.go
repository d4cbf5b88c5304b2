package server_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// templateSetBody is a valid template set as a client sends it.
func templateSetBody(name string) map[string]any {
	return map[string]any{"name": name, "description": "weekday day shifts", "templates": rosterTemplates()}
}

// errorFields returns error.fields of an error body.
func errorFields(t *testing.T, r response) map[string]string {
	t.Helper()
	var m struct {
		Error struct {
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(r.Body, &m), "body: %s", r.Body)
	return m.Error.Fields
}

func decodeSet(t *testing.T, r response) store.TemplateSet {
	t.Helper()
	var ts store.TemplateSet
	require.NoError(t, json.Unmarshal(r.Body, &ts), "body: %s", r.Body)
	return ts
}

// TestShiftTemplateSetsCRUD stores, reads, replaces and deletes a template
// set over HTTP, with optimistic concurrency and a unique name.
func TestShiftTemplateSetsCRUD(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		const base = "/api/v1/shift-templates"

		res := w.as(org.RolePlanner, http.MethodPost, base, templateSetBody("Weekdays"))
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		created := decodeSet(t, res)
		require.NotZero(t, created.ID)
		path := base + "/" + itoa(created.ID)
		assert.Equal(t, path, res.Header.Get("Location"))
		assert.Equal(t, `"1"`, res.Header.Get("ETag"))
		assert.Equal(t, 1, created.Version)
		assert.Equal(t, "Weekdays", created.Name)
		assert.Equal(t, 30, created.Templates.IntervalMin)
		require.Len(t, created.Templates.Templates, 2)
		assert.Equal(t, "FT8", created.Templates.Templates[0].Name)
		assert.Equal(t, 210, created.Templates.Templates[0].Breaks[0].EarliestStart)
		assert.False(t, created.CreatedAt.IsZero())

		res = w.as(org.RolePlanner, http.MethodPost, base, templateSetBody(" Weekdays "))
		assert.Equal(t, http.StatusConflict, res.Status, "%s", res.Body)
		assert.Contains(t, errorFields(t, res), "name")

		res = w.as(org.RoleSupervisor, http.MethodGet, path, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		assert.Equal(t, created.Templates, decodeSet(t, res).Templates)
		assert.Equal(t, `"1"`, res.Header.Get("ETag"))

		// PUT replaces the whole set: the description left out is emptied.
		edit := map[string]any{"name": "Weekdays v2", "templates": rosterTemplates(), "version": 1}
		res = w.as(org.RolePlanner, http.MethodPut, path, edit)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		updated := decodeSet(t, res)
		assert.Equal(t, 2, updated.Version)
		assert.Equal(t, "Weekdays v2", updated.Name)
		assert.Empty(t, updated.Description)
		assert.Equal(t, `"2"`, res.Header.Get("ETag"))

		cases := []struct {
			name    string
			body    map[string]any
			headers map[string]string
			status  int
		}{
			{"stale body version", map[string]any{"name": "Stale", "templates": rosterTemplates(), "version": 1}, nil, http.StatusConflict},
			{"stale If-Match", map[string]any{"name": "Stale", "templates": rosterTemplates()}, map[string]string{"If-Match": `"1"`}, http.StatusConflict},
			{"no version", map[string]any{"name": "Blind", "templates": rosterTemplates()}, nil, http.StatusBadRequest},
			{"bad templates", map[string]any{"name": "Bad", "templates": map[string]any{"interval_min": 30}, "version": 2}, nil, http.StatusBadRequest},
			{"unknown field", map[string]any{"name": "Bad", "templates": rosterTemplates(), "version": 2, "colour": "red"}, nil, http.StatusBadRequest},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var h []map[string]string
				if c.headers != nil {
					h = append(h, c.headers)
				}
				res := w.as(org.RolePlanner, http.MethodPut, path, c.body, h...)
				assert.Equal(t, c.status, res.Status, "%s", res.Body)
				now := decodeSet(t, w.as(org.RolePlanner, http.MethodGet, path, nil))
				assert.Equal(t, updated, now, "a refused edit changes nothing")
			})
		}

		res = w.as(org.RolePlanner, http.MethodPut, path, map[string]any{"name": "Weekdays v3", "description": "x", "templates": rosterTemplates()},
			map[string]string{"If-Match": `"2"`})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		assert.Equal(t, 3, decodeSet(t, res).Version)

		res = w.as(org.RolePlanner, http.MethodPost, base, templateSetBody("Second"))
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		res = w.as(org.RolePlanner, http.MethodPut, path, map[string]any{"name": "Second", "templates": rosterTemplates(), "version": 3})
		assert.Equal(t, http.StatusConflict, res.Status, "renaming onto a taken name: %s", res.Body)

		var list struct {
			Items []store.TemplateSet `json:"items"`
			Total int                 `json:"total"`
		}
		res = w.as(org.RoleSupervisor, http.MethodGet, base+"?limit=1", nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.NoError(t, json.Unmarshal(res.Body, &list))
		assert.Equal(t, 2, list.Total)
		require.Len(t, list.Items, 1)
		assert.Equal(t, created.ID, list.Items[0].ID)

		assert.Equal(t, http.StatusNoContent, w.as(org.RolePlanner, http.MethodDelete, path, nil).Status)
		assert.Equal(t, http.StatusNotFound, w.as(org.RolePlanner, http.MethodGet, path, nil).Status)
		assert.Equal(t, http.StatusNotFound, w.as(org.RolePlanner, http.MethodDelete, path, nil).Status)
		assert.Equal(t, http.StatusNotFound, w.as(org.RolePlanner, http.MethodPut, path, edit).Status)
	})
}

// TestShiftTemplateSetValidation checks that a bad set is refused with every
// bad field named, and nothing is stored.
func TestShiftTemplateSetValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		badBreak := rosterTemplates()
		ft := badBreak["templates"].([]map[string]any)[0]
		ft["breaks"] = []map[string]any{
			{"name": "break", "length_min": 15, "paid": true, "earliest_start_min": 90, "latest_start_min": 150, "step_min": 15},
			{"name": "lunch", "length_min": 30, "paid": false, "earliest_start_min": 300, "latest_start_min": 600, "step_min": 30},
		}
		badDay := rosterTemplates()
		badDay["interval_min"] = 10
		badDay["templates"].([]map[string]any)[1]["days"] = []string{"mon", "funday"}
		cases := []struct {
			name   string
			body   any
			fields []string
		}{
			{"break ends after the shift", map[string]any{"name": "A", "templates": badBreak},
				[]string{"templates.templates[0] (FT8).breaks[1].latest_start_min"}},
			{"interval and day", map[string]any{"name": "B", "templates": badDay},
				[]string{"templates.interval_min", "templates.templates[1] (PT4).days[1]"}},
			{"no name, no templates", map[string]any{"name": "  "},
				[]string{"name", "templates.interval_min", "templates.templates"}},
			{"wrong type", map[string]any{"name": "C", "templates": map[string]any{"interval_min": "30"}},
				[]string{"templates.interval_min"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res := w.as(org.RolePlanner, http.MethodPost, "/api/v1/shift-templates", c.body)
				require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
				fields := errorFields(t, res)
				for _, f := range c.fields {
					assert.NotEmpty(t, fields[f], "field %s in %v", f, fields)
				}
				assert.Len(t, fields, len(c.fields), "%v", fields)
			})
		}
		res := w.as(org.RolePlanner, http.MethodGet, "/api/v1/shift-templates", nil)
		require.Equal(t, http.StatusOK, res.Status)
		assert.EqualValues(t, 0, res.json(t)["total"], "nothing was stored")
	})
}

// TestShiftTemplateSetRoles checks the policy over HTTP: planners and admins
// write, supervisors only read, QA reviewers and agents reach nothing.
func TestShiftTemplateSetRoles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		res := w.as(org.RoleAdmin, http.MethodPost, "/api/v1/shift-templates", templateSetBody("Fixture"))
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		path := "/api/v1/shift-templates/" + itoa(decodeSet(t, res).ID)
		type call struct{ method, path string }
		list, get, create, replace, del := call{http.MethodGet, "/api/v1/shift-templates"}, call{http.MethodGet, path},
			call{http.MethodPost, "/api/v1/shift-templates"}, call{http.MethodPut, path}, call{http.MethodDelete, path}
		cases := []struct {
			role org.Role
			want map[call]int
		}{
			{org.RoleSupervisor, map[call]int{list: 200, get: 200, create: 403, replace: 403, del: 403}},
			{org.RoleAgent, map[call]int{list: 403, get: 403, create: 403, replace: 403, del: 403}},
			{org.RoleQAReviewer, map[call]int{list: 403, get: 403, create: 403, replace: 403, del: 403}},
			{org.RolePlanner, map[call]int{list: 200, get: 200, create: 201, replace: 200}},
			{org.RoleAdmin, map[call]int{list: 200, get: 200, create: 201, replace: 200, del: 204}},
		}
		for _, c := range cases {
			t.Run(string(c.role), func(t *testing.T) {
				for _, cl := range []call{list, get, create, replace, del} {
					want, ok := c.want[cl]
					if !ok {
						continue
					}
					// Each role writes under its own name; replace bases itself on the current version.
					var body any
					switch cl {
					case create:
						body = templateSetBody("By " + string(c.role))
					case replace:
						cur := w.as(org.RoleAdmin, http.MethodGet, path, nil)
						require.Equal(t, http.StatusOK, cur.Status, "%s", cur.Body)
						body = map[string]any{"name": "Fixture", "templates": rosterTemplates(), "version": decodeSet(t, cur).Version}
					}
					res := w.as(c.role, cl.method, cl.path, body)
					assert.Equal(t, want, res.Status, "%s %s: %s", cl.method, cl.path, res.Body)
				}
			})
		}
	})
}
