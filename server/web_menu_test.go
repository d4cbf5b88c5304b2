package server_test

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store/storetest"
)

var (
	menuNav  = regexp.MustCompile(`(?s)<nav class="menu" aria-label="Main">(.*?)</nav>`)
	menuLink = regexp.MustCompile(`<a href="([^"]+)"( aria-current="page")?>`)
	// focusable is the start of the first element a keyboard reaches.
	focusable = regexp.MustCompile(`<(a|button|input|select|textarea|summary)[\s>][^>]*>`)
)

// menuOf returns the links of the page's main menu, and the one marked as
// the current page.
func menuOf(t *testing.T, body string) (hrefs []string, current string) {
	t.Helper()
	m := menuNav.FindStringSubmatch(body)
	require.NotNil(t, m, "the page has the main menu")
	for _, l := range menuLink.FindAllStringSubmatch(m[1], -1) {
		hrefs = append(hrefs, l[1])
		if l[2] != "" {
			current = l[1]
		}
	}
	return hrefs, current
}

// firstFocusable is the first focusable element of the page's body.
func firstFocusable(body string) string {
	if i := strings.Index(body, "<body>"); i >= 0 {
		body = body[i:]
	}
	return focusable.FindString(body)
}

// TestWebMenuPerRole checks issue 21's menus: every role's menu lists the
// pages its role may open, each of which opens, and none of the others,
// each of which the role is refused; the page shown is marked current; and
// every page starts with a skip link to the main content.
func TestWebMenuPerRole(t *testing.T) {
	w := newWorld(t, storetest.OpenSQLite(t))
	menus := map[org.Role][]string{
		org.RolePlanner: {"/planner", "/planner/history", "/planner/schedules", "/planner/templates", "/planner/coverage", "/planner/jobs", "/swaps", "/live",
			"/admin/queues", "/admin/channels", "/admin/special-days", "/admin/agents"},
		org.RoleQAReviewer: {"/qa", "/qa/interactions", "/qa/coaching/new", "/qa/scorecards", "/qa/trends"},
		org.RoleSupervisor: {"/team", "/swaps", "/live", "/team/quality", "/qa/coaching/new", "/qa/scorecards", "/qa/trends"},
		org.RoleAgent:      {"/me", "/me/quality", "/qa/trends", "/me/today", "/swaps"},
		org.RoleAdmin: {"/admin", "/admin/live", "/admin/sites", "/planner", "/planner/history", "/planner/schedules", "/planner/templates", "/planner/coverage", "/planner/jobs", "/swaps", "/live",
			"/admin/queues", "/admin/channels", "/admin/special-days", "/admin/agents", "/qa", "/qa/interactions", "/qa/coaching/new", "/qa/scorecards", "/qa/trends", "/team/quality"},
	}
	var every []string
	for _, hrefs := range menus {
		for _, h := range hrefs {
			if !slices.Contains(every, h) {
				every = append(every, h)
			}
		}
	}
	slices.Sort(every)
	for _, role := range org.Roles {
		t.Run(string(role), func(t *testing.T) {
			c, _ := signIn(t, w, w.users[role].Email)
			status, home, body := page(t, c, "GET", w.srv.URL+"/", nil)
			require.Equal(t, 200, status, body)
			hrefs, current := menuOf(t, body)
			assert.Equal(t, menus[role], hrefs, "the %s's menu", role)
			assert.Equal(t, home, current, "the home page is marked current")
			assert.Equal(t, `<a class="skip" href="#main">`, firstFocusable(body), "the skip link is the first thing a keyboard reaches")
			assert.Contains(t, body, `<main id="main" tabindex="-1">`, "it leads to the main content, which takes the focus")
			for _, h := range every {
				status, _, body := page(t, c, "GET", w.srv.URL+h, nil)
				if slices.Contains(menus[role], h) {
					if assert.Equal(t, 200, status, "%s opens %s from the menu", role, h) {
						_, cur := menuOf(t, body)
						assert.Equal(t, h, cur, "%s is marked current on its page", h)
					}
				} else {
					assert.Contains(t, []int{403, 404}, status, "%s is refused %s, so the menu leaves it out", role, h)
				}
			}
		})
	}

	t.Run("sub-pages and error pages", func(t *testing.T) {
		c, _ := signIn(t, w, w.users[org.RolePlanner].Email)
		status, _, body := page(t, c, "GET", w.srv.URL+"/planner/queues/"+itoa(w.queue.ID), nil)
		require.Equal(t, 200, status, body)
		_, cur := menuOf(t, body)
		assert.Equal(t, "/planner", cur, "a queue's page sits under Queues")
		status, _, body = page(t, c, "GET", w.srv.URL+"/qa", nil)
		require.Equal(t, 403, status)
		hrefs, cur := menuOf(t, body)
		assert.Equal(t, menus[org.RolePlanner], hrefs, "the 403 page keeps the role's menu")
		assert.Empty(t, cur)
		assert.Equal(t, `<a class="skip" href="#main">`, firstFocusable(body))

		status, _, body = page(t, browser(t), "GET", w.srv.URL+"/login", nil)
		require.Equal(t, 200, status)
		assert.NotContains(t, body, `<nav class="menu"`, "signed out, there is no menu")
		assert.Equal(t, `<a class="skip" href="#main">`, firstFocusable(body), "the sign-in page has the skip link too")
	})

	t.Run("a supervisor who is also an agent", func(t *testing.T) {
		u := w.users[org.RoleSupervisor]
		u.AgentID = &w.agentA2.ID
		_, err := w.st.UpdateUser(context.Background(), u)
		require.NoError(t, err)
		c, _ := signIn(t, w, u.Email)
		status, _, body := page(t, c, "GET", w.srv.URL+"/me", nil)
		require.Equal(t, 200, status, body)
		hrefs, cur := menuOf(t, body)
		assert.Equal(t, append(slices.Clone(menus[org.RoleSupervisor]), "/me", "/me/quality"), hrefs, "their own pages come last")
		assert.Equal(t, "/me", cur)
		assert.Contains(t, body, `id="menu-2">Me</span>`)
	})
}
