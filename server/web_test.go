package server_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store/storetest"
)

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// page fetches a page with a browser-like client and returns status and body.
func page(t *testing.T, c *http.Client, method, u string, form url.Values) (int, string, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	require.NoError(t, err)
	req.Header.Set("Accept", "text/html")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, res.Request.URL.Path, string(b)
}

func signIn(t *testing.T, w *world, email string) (*http.Client, string) {
	t.Helper()
	c := browser(t)
	status, _, body := page(t, c, "POST", w.srv.URL+"/login", url.Values{"email": {email}, "password": {testPassword}})
	require.Equal(t, 200, status, "%s", body)
	m := csrfField.FindStringSubmatch(body)
	require.NotNil(t, m, "the signed-in page carries a CSRF token")
	return c, m[1]
}

func TestWebSignInAndHomesPerRole(t *testing.T) {
	w := newWorld(t, storetest.OpenSQLite(t))
	status, path, _ := page(t, browser(t), "GET", w.srv.URL+"/", nil)
	assert.Equal(t, 200, status)
	assert.Equal(t, "/login", path, "a signed-out visitor lands on the sign-in page")

	status, _, body := page(t, browser(t), "POST", w.srv.URL+"/login", url.Values{"email": {"admin@example.com"}, "password": {"wrong password"}})
	assert.Equal(t, 401, status)
	assert.Contains(t, body, "wrong email or password")
	status, _, body = page(t, browser(t), "POST", w.srv.URL+"/login", url.Values{"email": {""}})
	assert.Equal(t, 400, status)
	assert.Contains(t, body, "Enter your email.")

	homes := map[org.Role]struct{ path, heading string }{
		org.RoleAdmin: {"/admin", "Administration"}, org.RolePlanner: {"/planner", "Planning"}, org.RoleQAReviewer: {"/qa", "Quality"},
		org.RoleSupervisor: {"/team", "My team"}, org.RoleAgent: {"/me", "My week"},
	}
	for role, want := range homes {
		t.Run(string(role), func(t *testing.T) {
			c, csrf := signIn(t, w, w.users[role].Email)
			status, path, body := page(t, c, "GET", w.srv.URL+"/", nil)
			assert.Equal(t, 200, status)
			assert.Equal(t, want.path, path)
			assert.Contains(t, body, "<h1>"+want.heading+"</h1>")
			status, path, _ = page(t, c, "POST", w.srv.URL+"/logout", url.Values{"csrf_token": {csrf}})
			assert.Equal(t, 200, status)
			assert.Equal(t, "/login", path)
		})
	}
}

func TestWebPagesKeepRolesApart(t *testing.T) {
	w := newWorld(t, storetest.OpenSQLite(t))
	c, csrf := signIn(t, w, "agent@example.com")
	for _, p := range []string{"/planner", "/admin", "/team"} {
		status, _, body := page(t, c, "GET", w.srv.URL+p, nil)
		assert.Equal(t, 403, status, p)
		assert.Contains(t, body, "Forbidden", p)
	}
	status, _, body := page(t, c, "GET", w.srv.URL+"/api/v1/agents/"+itoa(w.agentA2.ID), nil)
	assert.Equal(t, 404, status, "another agent's record by URL: %s", body)

	status, _, _ = page(t, c, "POST", w.srv.URL+"/me/time-off", url.Values{"first_date": {"2030-01-02"}})
	assert.Equal(t, 403, status, "a form without the CSRF token is refused")
	status, _, body = page(t, c, "POST", w.srv.URL+"/me/time-off", url.Values{"csrf_token": {csrf}, "first_date": {"someday"}})
	assert.Equal(t, 400, status)
	assert.Contains(t, body, "must be a date like", "the error stands next to the field")
	status, path, body := page(t, c, "POST", w.srv.URL+"/me/time-off", url.Values{"csrf_token": {csrf}, "first_date": {"2030-01-02"}, "reason": {"wedding"}})
	assert.Equal(t, 200, status)
	assert.Equal(t, "/me", path)
	assert.Contains(t, body, "wedding")

	sup, supCSRF := signIn(t, w, "supervisor@example.com")
	_, _, body = page(t, sup, "GET", w.srv.URL+"/team", nil)
	require.Contains(t, body, "wedding", "the supervisor sees the team's pending request")
	action := regexp.MustCompile(`action="(/team/time-off/\d+)"`).FindStringSubmatch(body)
	require.NotNil(t, action)
	status, _, body = page(t, sup, "POST", w.srv.URL+action[1], url.Values{"csrf_token": {supCSRF}, "version": {"1"}, "decision": {"approve"}})
	assert.Equal(t, 200, status)
	assert.Contains(t, body, "Request approved.")
}

func TestWebAdminAddsUser(t *testing.T) {
	w := newWorld(t, storetest.OpenSQLite(t))
	c, csrf := signIn(t, w, "admin@example.com")
	status, _, body := page(t, c, "POST", w.srv.URL+"/admin/users", url.Values{"csrf_token": {csrf}, "name": {"New"}, "email": {"new@example.com"}, "role": {"planner"}, "password": {"short"}})
	assert.Equal(t, 400, status)
	assert.Contains(t, body, "must be at least 10 characters")
	assert.Contains(t, body, `value="new@example.com"`, "the form keeps what was typed")
	status, _, body = page(t, c, "POST", w.srv.URL+"/admin/users", url.Values{"csrf_token": {csrf}, "name": {"New"}, "email": {"new@example.com"}, "role": {"planner"}, "password": {"a long enough one"}})
	assert.Equal(t, 200, status)
	assert.Contains(t, body, "User added.")
	assert.Contains(t, body, "new@example.com")
}
