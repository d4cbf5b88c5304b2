package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// auditTotal counts every audit event, so a test can tell that a refused
// save (which may have no record id to look under) wrote none.
func auditTotal(t *testing.T, st *store.Store) int {
	t.Helper()
	db, err := st.SQL()
	require.NoError(t, err)
	var n int
	require.NoError(t, db.QueryRowContext(context.Background(), "SELECT count(*) FROM audit_events").Scan(&n))
	return n
}

// auditTrail is the audit trail of one record, oldest first.
func auditTrail(t *testing.T, st *store.Store, entity string, id int64) []store.AuditEvent {
	t.Helper()
	evs, err := st.FindAudit(context.Background(), entity, id)
	require.NoError(t, err)
	return evs
}

// snapshotOf decodes an audit snapshot ("" reads as nil) for comparing
// with an API answer decoded the same way.
func snapshotOf(t *testing.T, s string) map[string]any {
	t.Helper()
	if s == "" {
		return nil
	}
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(s), &m), "snapshot: %s", s)
	return m
}

// assertEvent checks one audit event: who, what and the record before and
// after (nil: no snapshot).
func assertEvent(t *testing.T, ev store.AuditEvent, actor org.User, action string, id int64, before, after map[string]any) {
	t.Helper()
	if assert.NotNil(t, ev.ActorID, "%s: the actor is recorded", action) {
		assert.Equal(t, actor.ID, *ev.ActorID, "%s by %s", action, actor.Email)
	}
	assert.Equal(t, action, ev.Action)
	assert.Equal(t, id, ev.EntityID)
	assert.Equal(t, before, snapshotOf(t, ev.Before), "%s: before", action)
	assert.Equal(t, after, snapshotOf(t, ev.After), "%s: after", action)
}

// TestTemplateSetSavesAreAudited creates, replaces and deletes a shift
// template set over the API, by two users: each save leaves one audit event
// naming its user, with the set as it was and as it became; refused saves
// (a taken name, bad templates, no or a stale version, a deleted set) leave
// none.
func TestTemplateSetSavesAreAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		const base = "/api/v1/shift-templates"
		planner, admin := w.users[org.RolePlanner], w.users[org.RoleAdmin]

		res := w.as(org.RolePlanner, http.MethodPost, base, templateSetBody("Weekdays"))
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		created := res.json(t)
		id := decodeSet(t, res).ID
		path := base + "/" + itoa(id)
		trail := auditTrail(t, st, "template_set", id)
		require.Len(t, trail, 1)
		assertEvent(t, trail[0], planner, "create", id, nil, created)
		assert.Equal(t, "Weekdays", snapshotOf(t, trail[0].After)["name"])

		res = w.as(org.RoleAdmin, http.MethodGet, path, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		stored := res.json(t)
		res = w.as(org.RoleAdmin, http.MethodPut, path, map[string]any{"name": "Weekdays v2", "description": "new", "templates": rosterTemplates(), "version": 1})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		replaced := res.json(t)
		trail = auditTrail(t, st, "template_set", id)
		require.Len(t, trail, 2)
		assertEvent(t, trail[1], admin, "update", id, stored, replaced)
		assert.Equal(t, "weekday day shifts", snapshotOf(t, trail[1].Before)["description"])
		assert.Equal(t, "new", snapshotOf(t, trail[1].After)["description"])

		total := auditTotal(t, st)
		refused := []struct {
			name, method string
			body         any
			headers      map[string]string
			status       int
		}{
			{"a taken name", http.MethodPost, templateSetBody("Weekdays v2"), nil, http.StatusConflict},
			{"bad templates on create", http.MethodPost, map[string]any{"name": "Bad", "templates": map[string]any{"interval_min": 30}}, nil, http.StatusBadRequest},
			{"no version", http.MethodPut, map[string]any{"name": "Blind", "templates": rosterTemplates()}, nil, http.StatusBadRequest},
			{"stale body version", http.MethodPut, map[string]any{"name": "Stale", "templates": rosterTemplates(), "version": 1}, nil, http.StatusConflict},
			{"stale If-Match", http.MethodPut, map[string]any{"name": "Stale", "templates": rosterTemplates()}, map[string]string{"If-Match": `"1"`}, http.StatusConflict},
			{"bad templates on replace", http.MethodPut, map[string]any{"name": "Bad", "templates": map[string]any{"interval_min": 30}, "version": 2}, nil, http.StatusBadRequest},
		}
		for _, c := range refused {
			t.Run(c.name, func(t *testing.T) {
				var h []map[string]string
				if c.headers != nil {
					h = append(h, c.headers)
				}
				p := base
				if c.method == http.MethodPut {
					p = path
				}
				res := w.as(org.RolePlanner, c.method, p, c.body, h...)
				assert.Equal(t, c.status, res.Status, "%s", res.Body)
				assert.Equal(t, total, auditTotal(t, st), "a refused save is not audited")
			})
		}

		res = w.as(org.RoleAdmin, http.MethodDelete, path, nil)
		require.Equal(t, http.StatusNoContent, res.Status, "%s", res.Body)
		trail = auditTrail(t, st, "template_set", id)
		require.Len(t, trail, 3)
		assertEvent(t, trail[2], admin, "delete", id, replaced, nil)

		total = auditTotal(t, st)
		assert.Equal(t, http.StatusNotFound, w.as(org.RoleAdmin, http.MethodDelete, path, nil).Status)
		assert.Equal(t, total, auditTotal(t, st), "deleting a deleted set is not audited")
	})
}

// TestOrgRecordSavesAreAudited creates, changes and deletes one record of
// each organisation resource over the API: one audit event per save, naming
// the user, the action, the record and its JSON before and after; a refused
// save (the record's rules, a stale version, a record still in use) leaves
// none.
func TestOrgRecordSavesAreAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		cases := []struct {
			entity, path   string
			by, deleteBy   org.Role
			create, change map[string]any
			invalid        map[string]any // a change the record's rules refuse
			inUse          string         // a record of this resource still in use, refused deletion
			oldValue       any            // the value before the change of change's one field
		}{
			{entity: "site", path: "/api/v1/sites", by: org.RoleAdmin, deleteBy: org.RoleAdmin,
				create: map[string]any{"name": "Braga", "timezone": "Europe/Lisbon"}, change: map[string]any{"name": "Braga Norte"},
				invalid: map[string]any{"timezone": "Mars/Olympus"}, inUse: itoa(w.site.ID), oldValue: "Braga"},
			{entity: "channel", path: "/api/v1/channels", by: org.RolePlanner, deleteBy: org.RoleAdmin,
				create: map[string]any{"key": "email", "name": "Email", "kind": "deferred"}, change: map[string]any{"name": "E-mail"},
				invalid: map[string]any{"kind": "telepathy"}, inUse: itoa(w.channel.ID), oldValue: "Email"},
			{entity: "queue", path: "/api/v1/queues", by: org.RolePlanner, deleteBy: org.RoleAdmin,
				create: map[string]any{"name": "Voice EN", "channel_id": w.channel.ID, "timezone": "Europe/London", "service_level_pct": 80,
					"answer_within_seconds": 20, "default_aht_seconds": 300, "chat_concurrency": 1, "interval_minutes": 30},
				change: map[string]any{"default_aht_seconds": 360}, invalid: map[string]any{"shrinkage": 1.3}, oldValue: float64(300)},
			{entity: "special_day", path: "/api/v1/special-days", by: org.RolePlanner, deleteBy: org.RolePlanner,
				create: map[string]any{"date": "2026-12-24", "factor": 0.6, "note": "Christmas Eve"}, change: map[string]any{"factor": 0.5},
				invalid: map[string]any{"factor": 40}, oldValue: 0.6},
			{entity: "team", path: "/api/v1/teams", by: org.RoleAdmin, deleteBy: org.RoleAdmin,
				create: map[string]any{"site_id": w.site.ID, "name": "C"}, change: map[string]any{"name": "C2"},
				invalid: map[string]any{"site_id": 0}, inUse: itoa(w.teamA.ID), oldValue: "C"},
			{entity: "agent", path: "/api/v1/agents", by: org.RolePlanner, deleteBy: org.RoleAdmin,
				create: map[string]any{"name": "Cy", "email": "cy@agents.example.com", "timezone": "Europe/Lisbon", "team_id": w.teamA.ID, "contract": org.DefaultContract},
				change: map[string]any{"name": "Cy Jr"}, invalid: map[string]any{"email": "not an address"}, inUse: itoa(w.agentA1.ID), oldValue: "Cy"},
			{entity: "user", path: "/api/v1/users", by: org.RoleAdmin, deleteBy: org.RoleAdmin,
				create: map[string]any{"email": "new@example.com", "name": "New", "role": "planner", "password": testPassword},
				change: map[string]any{"name": "Newer"}, invalid: map[string]any{"email": "nobody"}, oldValue: "New"},
		}
		for _, c := range cases {
			t.Run(c.entity, func(t *testing.T) {
				by, deleteBy := w.users[c.by], w.users[c.deleteBy]
				res := w.as(c.by, http.MethodPost, c.path, c.create)
				require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
				created := res.json(t)
				id := int64(created["id"].(float64))
				path := c.path + "/" + itoa(id)
				trail := auditTrail(t, st, c.entity, id)
				require.Len(t, trail, 1)
				assertEvent(t, trail[0], by, "create", id, nil, created)
				assert.NotContains(t, trail[0].After, "password", "no password or hash in the trail")

				total := auditTotal(t, st)
				refuse := func(what, method, path string, body any, status int, headers ...map[string]string) {
					res := w.as(c.deleteBy, method, path, body, headers...)
					assert.Equal(t, status, res.Status, "%s: %s", what, res.Body)
					assert.Equal(t, total, auditTotal(t, st), "%s is not audited", what)
				}
				refuse("a create the rules refuse", http.MethodPost, c.path, c.invalid, http.StatusBadRequest)
				refuse("a change the rules refuse", http.MethodPatch, path, c.invalid, http.StatusBadRequest, map[string]string{"If-Match": `"1"`})
				refuse("a change of a stale version", http.MethodPatch, path, c.change, http.StatusConflict, map[string]string{"If-Match": `"0"`})
				if c.inUse != "" {
					refuse("deleting a record in use", http.MethodDelete, c.path+"/"+c.inUse, nil, http.StatusConflict)
				}

				res = w.as(c.by, http.MethodGet, path, nil)
				require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
				stored := res.json(t)
				res = w.as(c.by, http.MethodPatch, path, c.change, map[string]string{"If-Match": `"1"`})
				require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
				changed := res.json(t)
				trail = auditTrail(t, st, c.entity, id)
				require.Len(t, trail, 2)
				assertEvent(t, trail[1], by, "update", id, stored, changed)
				for k, v := range c.change {
					assert.Equal(t, c.oldValue, snapshotOf(t, trail[1].Before)[k], "before holds the old %s", k)
					assert.EqualValues(t, v, snapshotOf(t, trail[1].After)[k], "after holds the new %s", k)
				}
				assert.EqualValues(t, 1, stored["version"])
				assert.EqualValues(t, 2, changed["version"])

				res = w.as(c.deleteBy, http.MethodDelete, path, nil)
				require.Equal(t, http.StatusNoContent, res.Status, "%s", res.Body)
				trail = auditTrail(t, st, c.entity, id)
				require.Len(t, trail, 3)
				assertEvent(t, trail[2], deleteBy, "delete", id, changed, nil)
			})
		}
	})
}

// TestPasswordChangesAreAudited sets a user's password over the API: the
// trail names the admin who did it and holds neither the password nor its
// hash; a weak password or an unknown user leaves no event.
func TestPasswordChangesAreAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		admin, planner := w.users[org.RoleAdmin], w.users[org.RolePlanner]
		path := "/api/v1/users/" + itoa(planner.ID) + "/password"
		total := auditTotal(t, st)
		res := w.as(org.RoleAdmin, http.MethodPut, path, map[string]any{"password": "short"})
		assert.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
		res = w.as(org.RoleAdmin, http.MethodPut, "/api/v1/users/999999/password", map[string]any{"password": testPassword + "x"})
		assert.Equal(t, http.StatusNotFound, res.Status, "%s", res.Body)
		assert.Equal(t, total, auditTotal(t, st), "refused password changes are not audited")

		res = w.as(org.RoleAdmin, http.MethodPut, path, map[string]any{"password": testPassword + "x"})
		require.Equal(t, http.StatusNoContent, res.Status, "%s", res.Body)
		trail := auditTrail(t, st, "user", planner.ID)
		require.Len(t, trail, 1)
		assertEvent(t, trail[0], admin, "set_password", planner.ID, nil, nil)
		assert.Equal(t, total+1, auditTotal(t, st))
	})
}

// TestWebOrgRecordSavesAreAudited saves through the admin pages and the
// template-set editor, which call the same use cases as the API: the signed-in
// user is the actor, and a form opened on a stale version is not audited.
func TestWebOrgRecordSavesAreAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		planner := w.users[org.RolePlanner]
		pc, csrf := signIn(t, w, "planner@example.com")
		q := w.queue
		form := url.Values{"csrf_token": {csrf}, "version": {itoa(int64(q.Version))}, "name": {q.Name}, "channel_id": {itoa(q.ChannelID)},
			"timezone": {q.Timezone}, "service_level_pct": {"80"}, "answer_within_seconds": {"20"}, "default_aht_seconds": {"360"},
			"chat_concurrency": {"1"}, "interval_minutes": {"30"}, "max_occupancy": {"85"}, "shrinkage": {"30"}}
		status, _, body := page(t, pc, "POST", w.srv.URL+"/admin/queues/"+itoa(q.ID), form)
		require.Equal(t, http.StatusOK, status, "%s", body)
		trail := auditTrail(t, st, "queue", q.ID)
		require.Len(t, trail, 1)
		assert.Equal(t, "update", trail[0].Action)
		require.NotNil(t, trail[0].ActorID)
		assert.Equal(t, planner.ID, *trail[0].ActorID)
		assert.EqualValues(t, 300, snapshotOf(t, trail[0].Before)["default_aht_seconds"])
		assert.EqualValues(t, 360, snapshotOf(t, trail[0].After)["default_aht_seconds"])

		total := auditTotal(t, st)
		form.Set("default_aht_seconds", "200") // the same version again: stale
		status, _, body = page(t, pc, "POST", w.srv.URL+"/admin/queues/"+itoa(q.ID), form)
		assert.Equal(t, http.StatusConflict, status, "%s", body)
		assert.Equal(t, total, auditTotal(t, st), "a stale form is not audited")

		status, _, body = page(t, pc, "POST", w.srv.URL+"/planner/templates/new", templateForm(csrf, "save"))
		require.Equal(t, http.StatusOK, status, "%s", body)
		sets, _, err := st.FindTemplateSets(context.Background(), store.Page{Limit: 50})
		require.NoError(t, err)
		require.Len(t, sets, 1)
		status, _, body = page(t, pc, "POST", w.srv.URL+"/planner/templates/"+itoa(sets[0].ID)+"/delete", url.Values{"csrf_token": {csrf}})
		require.Equal(t, http.StatusOK, status, "%s", body)
		trail = auditTrail(t, st, "template_set", sets[0].ID)
		require.Len(t, trail, 2)
		for i, action := range []string{"create", "delete"} {
			assert.Equal(t, action, trail[i].Action)
			require.NotNil(t, trail[i].ActorID)
			assert.Equal(t, planner.ID, *trail[i].ActorID)
		}
		assert.Equal(t, "Early shifts", snapshotOf(t, trail[1].Before)["name"])
		assert.Empty(t, trail[1].After)
	})
}
