package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

func TestWebAdminManagesUsersTeamsAndTokens(t *testing.T) {
	w := newWorld(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	admin, csrf := signIn(t, w, "admin@example.com")
	planner := w.users[org.RolePlanner]

	// Role, agent link and access of another user.
	status, _, body := page(t, admin, "POST", w.srv.URL+"/admin/users/"+itoa(planner.ID), url.Values{"csrf_token": {csrf},
		"version": {itoa(int64(planner.Version))}, "role": {"agent"}, "agent_id": {itoa(w.agentA2.ID)}})
	require.Equal(t, 200, status, "%s", body)
	assert.Contains(t, body, "Saved planner@example.com")
	u, err := w.st.FindUserByID(ctx, planner.ID)
	require.NoError(t, err)
	assert.Equal(t, org.RoleAgent, u.Role)
	require.NotNil(t, u.AgentID)
	assert.Equal(t, w.agentA2.ID, *u.AgentID)
	// A stale form is refused; an agent role without an agent is refused; nobody locks themselves out.
	status, _, body = page(t, admin, "POST", w.srv.URL+"/admin/users/"+itoa(planner.ID), url.Values{"csrf_token": {csrf},
		"version": {itoa(int64(planner.Version))}, "role": {"planner"}})
	assert.Equal(t, http.StatusConflict, status, "%s", body)
	status, _, body = page(t, admin, "POST", w.srv.URL+"/admin/users/"+itoa(u.ID), url.Values{"csrf_token": {csrf},
		"version": {itoa(int64(u.Version))}, "role": {"agent"}})
	assert.Equal(t, http.StatusBadRequest, status, "%s", body)
	me := w.users[org.RoleAdmin]
	status, _, _ = page(t, admin, "POST", w.srv.URL+"/admin/users/"+itoa(me.ID), url.Values{"csrf_token": {csrf},
		"version": {itoa(int64(me.Version))}, "role": {"admin"}, "disabled": {"on"}})
	assert.Equal(t, http.StatusBadRequest, status)

	// Teams: add one supervised by the supervisor.
	sup := w.users[org.RoleSupervisor]
	status, _, body = page(t, admin, "POST", w.srv.URL+"/admin/teams", url.Values{"csrf_token": {csrf}, "name": {"Night"},
		"site_id": {itoa(w.site.ID)}, "supervisor_id": {itoa(sup.ID)}})
	require.Equal(t, 200, status, "%s", body)
	teams, err := w.st.SupervisedTeamIDs(ctx, sup.ID)
	require.NoError(t, err)
	assert.Len(t, teams, 2)

	// Tokens: made (shown once), then revoked.
	status, path, body := page(t, admin, "POST", w.srv.URL+"/admin/tokens", url.Values{"csrf_token": {csrf}, "name": {"nightly export"}, "user_id": {itoa(sup.ID)}})
	require.Equal(t, 200, status, "%s", body)
	assert.Equal(t, "/admin", path, "the POST redirects, so a reload does not make a second token")
	secret := regexp.MustCompile(`shown once\): <code>([^<]+)</code>`).FindStringSubmatch(body)
	require.NotNil(t, secret, "%s", body)
	_, _, again := page(t, admin, "GET", w.srv.URL+"/admin", nil)
	assert.NotContains(t, again, secret[1], "the secret is shown once")
	res := do(t, nil, "GET", w.srv.URL+"/api/v1/me", nil, map[string]string{"Authorization": "Bearer " + secret[1]})
	require.Equal(t, 200, res.Status)
	toks, _, err := w.st.FindAPITokens(ctx, store.APITokenFilter{UserID: &sup.ID})
	require.NoError(t, err)
	var id int64
	for _, tk := range toks {
		if tk.Name == "nightly export" {
			id = tk.ID
		}
	}
	require.NotZero(t, id)
	status, _, body = page(t, admin, "POST", w.srv.URL+"/admin/tokens/"+itoa(id)+"/revoke", url.Values{"csrf_token": {csrf}})
	require.Equal(t, 200, status, "%s", body)
	res = do(t, nil, "GET", w.srv.URL+"/api/v1/me", nil, map[string]string{"Authorization": "Bearer " + secret[1]})
	assert.Equal(t, http.StatusUnauthorized, res.Status, "a revoked token is refused")

	// Other roles cannot use the admin forms.
	sc, scsrf := signIn(t, w, "supervisor@example.com")
	status, _, _ = page(t, sc, "POST", w.srv.URL+"/admin/teams", url.Values{"csrf_token": {scsrf}, "name": {"x"}, "site_id": {itoa(w.site.ID)}})
	assert.Equal(t, http.StatusForbidden, status)
	status, _, _ = page(t, sc, "POST", w.srv.URL+"/admin/users/"+itoa(me.ID), url.Values{"csrf_token": {scsrf}, "role": {"agent"}})
	assert.Equal(t, http.StatusForbidden, status)
}

// TestNewCalendarAddressIsShownOnceAfterARedirect: making a calendar address
// redirects to the agent's week, which shows it once; a reload neither makes
// another address nor shows this one again, and the address works.
func TestNewCalendarAddressIsShownOnceAfterARedirect(t *testing.T) {
	w := newWorld(t, storetest.OpenSQLite(t))
	c, csrf := signIn(t, w, "agent@example.com")
	status, path, body := page(t, c, "POST", w.srv.URL+"/me/calendar-feed", url.Values{"csrf_token": {csrf}})
	require.Equal(t, 200, status, "%s", body)
	assert.Equal(t, "/me", path)
	m := regexp.MustCompile(`(/calendar/[^<\s]+\.ics)</code>`).FindStringSubmatch(body)
	require.NotNil(t, m, "%s", body)
	assert.Contains(t, body, "New calendar address made")
	_, _, again := page(t, c, "GET", w.srv.URL+"/me", nil)
	assert.NotContains(t, again, m[1])
	res := do(t, nil, "GET", w.srv.URL+m[1], nil, nil)
	assert.Equal(t, 200, res.Status, "the address shown works")
}
