package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// TestAdminEditsTheLiveSettings: the defaults are readable, only an admin
// changes them, bad settings are refused by field, a stale version is a
// conflict, and what is saved is in force: the grace of adherence reports and
// the Amazon Connect statuses a record may carry.
func TestAdminEditsTheLiveSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		res := w.as(org.RolePlanner, http.MethodGet, "/api/v1/live-settings", nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		def := res.json(t)
		assert.EqualValues(t, 0, def["version"])
		assert.EqualValues(t, 5, def["grace_minutes"])
		assert.Equal(t, http.StatusForbidden, w.as(org.RoleAgent, http.MethodGet, "/api/v1/live-settings", nil).Status)

		body := map[string]any{"version": 0, "grace_minutes": 2,
			"mapping": map[string]any{"work": []string{"available", "on_contact", "after_contact_work"}, "break": []string{"break"}, "lunch": []string{"lunch"},
				"meeting": []string{"meeting"}, "training": []string{"training"}, "coaching": []string{"coaching"}},
			"connect_statuses": map[string]any{"Smoke Break": "break", "Lunch": "lunch"}}
		assert.Equal(t, http.StatusForbidden, w.as(org.RolePlanner, http.MethodPut, "/api/v1/live-settings", body).Status, "admins only")
		bad := map[string]any{"version": 0, "grace_minutes": 90, "mapping": map[string]any{"work": []string{"napping"}, "dancing": []string{"break"}},
			"connect_statuses": map[string]any{"Nap": "sleeping"}}
		res = w.as(org.RoleAdmin, http.MethodPut, "/api/v1/live-settings", bad)
		require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
		for _, f := range []string{"grace_minutes", "mapping.work", "mapping.dancing", "mapping.lunch", "connect_statuses.nap"} {
			assert.Contains(t, string(res.Body), `"`+f+`"`)
		}
		res = w.as(org.RoleAdmin, http.MethodPut, "/api/v1/live-settings", body)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		assert.EqualValues(t, 1, res.json(t)["version"])
		assert.Equal(t, http.StatusConflict, w.as(org.RoleAdmin, http.MethodPut, "/api/v1/live-settings", body).Status, "version 0 is stale now")

		rep := w.as(org.RolePlanner, http.MethodGet, "/api/v1/adherence", nil)
		require.Equal(t, http.StatusOK, rep.Status, "%s", rep.Body)
		assert.Equal(t, "2m0s", rep.json(t)["grace"], "reports judge with the saved grace")

		at := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
		rec := fmt.Sprintf(`{"records":[{"AgentARN":"arn:aws:connect:eu-west-2:1:instance/x/agent/y","EventId":"ls-1","EventTimestamp":%q,"EventType":"STATE_CHANGE",
			"CurrentAgentSnapshot":{"AgentStatus":{"Name":"smoke break","Type":"CUSTOM"},"Configuration":{"Username":"a1@agents.example.com"},"Contacts":[]}}]}`, at)
		res = w.as(org.RolePlanner, http.MethodPost, "/api/v1/acd/connect-events", rec)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		assert.EqualValues(t, 1, res.json(t)["stored"], "the admin's custom status reads as a break: %s", res.Body)

		// The admin's page shows the settings and saves them with the version read.
		c, csrf := signIn(t, w, "admin@example.com")
		status, _, page1 := page(t, c, "GET", w.srv.URL+"/admin/live", nil)
		require.Equal(t, 200, status, "%s", page1)
		assert.Contains(t, page1, "smoke break = break")
		form := url.Values{"csrf_token": {csrf}, "version": {"1"}, "grace_minutes": {"soon"}, "map_work": {"available"}, "connect": {"Nap"}}
		status, _, got := page(t, c, "POST", w.srv.URL+"/admin/live", form)
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Contains(t, got, "whole number of minutes")
		assert.Contains(t, got, "Name = state")
		form = url.Values{"csrf_token": {csrf}, "version": {"1"}, "grace_minutes": {"3"}, "connect": {"Smoke Break = break"}}
		for _, a := range []string{"work", "break", "lunch", "meeting", "training", "coaching"} {
			form["map_"+a] = []string{"available", "break", "lunch", "meeting", "training", "coaching"}
		}
		status, path, got := page(t, c, "POST", w.srv.URL+"/admin/live", form)
		require.Equal(t, 200, status, "%s", got)
		assert.Equal(t, "/admin/live", path)
		assert.Contains(t, got, "Version 2.")
		sc, _ := signIn(t, w, "supervisor@example.com")
		status, _, _ = page(t, sc, "GET", w.srv.URL+"/admin/live", nil)
		assert.Equal(t, http.StatusForbidden, status)
	})
}
