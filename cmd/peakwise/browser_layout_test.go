package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// sideways lists what sticks out past the viewport's right edge (the
// innermost elements, at most five), empty when the page does not scroll
// sideways.
const sideways = `(function () {
  if (document.documentElement.scrollWidth <= window.innerWidth) return "";
  var out = [];
  document.querySelectorAll("body *").forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (r.right > window.innerWidth + 0.5 && el.children.length === 0 && out.length < 5) {
      out.push(el.tagName.toLowerCase() + (el.className ? "." + String(el.className).replace(/ /g, ".") : "") + (el.id ? "#" + el.id : "") + " right=" + Math.round(r.right));
    }
  });
  return "scrollWidth " + document.documentElement.scrollWidth + " > " + window.innerWidth + ": " + out.join(", ");
})()`

// cutSelects lists the visible select boxes narrower than their chosen
// text (measured in their font, with their padding and arrow) while their
// form had room to show it.
const cutSelects = `(function () {
  var ctx = document.createElement("canvas").getContext("2d");
  return Array.from(document.querySelectorAll("main select")).filter(function (s) {
    if (!s.checkVisibility() || s.selectedIndex < 0) return false;
    var cs = getComputedStyle(s);
    ctx.font = cs.font;
    var need = ctx.measureText(s.options[s.selectedIndex].text).width + parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight) + 20;
    var room = (s.closest("form") || s.parentElement).clientWidth;
    return s.getBoundingClientRect().width + 1 < Math.min(need, room);
  }).map(function (s) { return s.id || s.name; });
})()`

// TestBrowserPhoneLayoutAndMenus walks issue 21's layout and navigation
// checks at 390x844: for every role, each of its main pages fits the width
// (no sideways scrolling), Tab reaches the skip link first and Enter on it
// moves the focus to #main, and the menu holds the role's links and no
// others, behind a Menu button a keyboard opens. On the way: a draft with a
// very long name keeps the Schedules table in the page, and the week grid's
// blocks say their times and queue. PEAKWISE_SCREENSHOTS=1 saves
// docs/screenshots/phone-*.png.
func TestBrowserPhoneLayoutAndMenus(t *testing.T) {
	site := startBrowserSite(t, 7, false, "phone-")
	ctx := context.Background()

	// A draft with a long name, its shifts on the first queue next week.
	queues, _, err := site.st.FindQueues(ctx, store.Page{Limit: 10})
	require.NoError(t, err)
	require.NotEmpty(t, queues)
	q := queues[0]
	loc, err := time.LoadLocation(q.Timezone)
	require.NoError(t, err)
	agents, _, err := site.st.FindAgents(ctx, store.AgentFilter{Page: store.Page{Limit: 5}})
	require.NoError(t, err)
	now := time.Now().In(loc)
	monday := time.Date(now.Year(), now.Month(), now.Day()-int((now.Weekday()+6)%7)+7, 0, 0, 0, 0, loc)
	var shifts []calendar.Shift
	for i, a := range agents {
		start := monday.Add(time.Duration(7+i) * time.Hour)
		shifts = append(shifts, calendar.Shift{AgentID: a.ID, QueueID: q.ID, Template: "8h", Start: start, End: start.Add(8*time.Hour + 30*time.Minute), PaidMinutes: 480,
			Breaks: []calendar.Break{{Name: "lunch", Start: start.Add(4 * time.Hour), End: start.Add(4*time.Hour + 30*time.Minute)}}})
	}
	longName := "Next week's draft for the voice and chat queues after the spring campaign, second try with the part-timers" +
		"_without_any_spaces_so_it_cannot_wrap_at_a_space_at_all"
	draft, err := site.st.CreateScheduleDraft(ctx, store.Schedule{Name: longName, Timezone: q.Timezone, PeriodStart: monday, PeriodEnd: monday.AddDate(0, 0, 7)}, shifts)
	require.NoError(t, err)
	gridURL := fmt.Sprintf("/planner/schedules/%d?view=week&queue_id=%d&from=%s", draft.ID, q.ID, monday.Format(time.DateOnly))

	pages := map[org.Role][]string{
		org.RolePlanner: {"/planner", "/planner/history", "/planner/schedules", gridURL, "/planner/templates", "/planner/templates/new", "/planner/coverage", "/planner/jobs", "/live",
			fmt.Sprintf("/planner/compare?left=%d&right=%d&queue_id=%d", draft.ID, draft.ID, q.ID),
			fmt.Sprintf("/planner/queues/%d/requirements", q.ID), fmt.Sprintf("/planner/intraday/%d", q.ID), "/admin/queues", fmt.Sprintf("/admin/queues/%d", q.ID), "/admin/channels", "/admin/special-days", "/admin/agents"},
		org.RoleQAReviewer: {"/qa", "evaluation", "/qa/scorecards", "/qa/scorecards/new/edit", "/qa/trends", "/qa/coaching/new", "/qa/interactions", "/qa/calibrations/new", "/qa?reviewer=any&state=any"},
		org.RoleSupervisor: {"/team", "/team/quality", "/live", "/swaps"},
		org.RoleAgent:      {"/me", "/me/quality", "/qa/trends", "/me/today", "/swaps"},
		org.RoleAdmin:      {"/admin", "/admin/live", "/admin/sites", "/planner", "/qa", "/team/quality"},
	}
	menus := map[org.Role][]string{
		org.RolePlanner: {"/planner", "/planner/history", "/planner/schedules", "/planner/templates", "/planner/coverage", "/planner/jobs", "/swaps", "/live",
			"/admin/queues", "/admin/channels", "/admin/special-days", "/admin/agents"},
		org.RoleQAReviewer: {"/qa", "/qa/interactions", "/qa/coaching/new", "/qa/scorecards", "/qa/trends"},
		org.RoleSupervisor: {"/team", "/swaps", "/live", "/team/quality", "/qa/coaching/new", "/qa/scorecards", "/qa/trends"},
		org.RoleAgent:      {"/me", "/me/quality", "/qa/trends", "/me/today", "/swaps"},
		org.RoleAdmin: {"/admin", "/admin/live", "/admin/sites", "/planner", "/planner/history", "/planner/schedules", "/planner/templates", "/planner/coverage", "/planner/jobs", "/swaps", "/live",
			"/admin/queues", "/admin/channels", "/admin/special-days", "/admin/agents", "/qa", "/qa/interactions", "/qa/coaching/new", "/qa/scorecards", "/qa/trends", "/team/quality"},
	}
	for _, role := range org.Roles {
		t.Run(string(role), func(t *testing.T) {
			tctx := site.tab(t, 120*time.Second)
			site.signIn(t, tctx, role)
			want := menus[role]
			u, _, err := site.st.FindUserByEmail(ctx, site.logins[role].Email)
			require.NoError(t, err)
			if role != org.RoleAgent && u.AgentID != nil {
				// Users linked to an agent get their own pages after their role's.
				want = append(want, "/me", "/me/quality")
			}
			// At desktop width the menu is open without its button, and a
			// keyboard reaches its first link after the skip link and the brand.
			require.NoError(t, chromedp.Do(tctx, chromedp.Navigate(site.base+pages[role][0]), chromedp.WaitVisible(`main h1`),
				chromedp.KeyEvent(kb("Tab")), chromedp.KeyEvent(kb("Tab")), chromedp.KeyEvent(kb("Tab"))))
			got, err := chromedp.Run(tctx, chromedp.Evaluate[string](`document.activeElement.getAttribute("href") + " " + document.activeElement.checkVisibility()`))
			require.NoError(t, err)
			assert.Equal(t, want[0]+" true", got, "at 1200 px Tab reaches the menu's first link third")
			// At desktop width, no select box cuts its chosen text either.
			for _, path := range pages[role] {
				if path == "evaluation" {
					continue
				}
				require.NoError(t, chromedp.Do(tctx, chromedp.Navigate(site.base+path), chromedp.WaitVisible(`main h1`)), path)
				cut, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](cutSelects))
				require.NoError(t, err)
				assert.Empty(t, cut, "%s at 1200 px: select boxes whose text is cut", path)
				checkAxe(t, tctx, path)
			}
			require.NoError(t, chromedp.Do(tctx, chromedp.EmulateViewport(390, 844)))
			for i, path := range pages[role] {
				if path == "evaluation" {
					href, err := chromedp.Run(tctx, chromedp.Evaluate[string](`document.querySelector('main a[href^="/qa/evaluations/"]').getAttribute("href")`))
					require.NoError(t, err, "the review queue links to an evaluation")
					path = href
				}
				require.NoError(t, chromedp.Do(tctx, chromedp.Navigate(site.base+path), chromedp.WaitVisible(`main h1`)), path)
				assert.NotEqual(t, "Forbidden", textOf(t, tctx, `main h1`), path)
				over, err := chromedp.Run(tctx, chromedp.Evaluate[string](sideways))
				require.NoError(t, err)
				assert.Empty(t, over, "%s as %s scrolls sideways at 390 px", path, role)
				fits, err := chromedp.Run(tctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
				require.NoError(t, err)
				assert.True(t, fits, "%s as %s: scrollWidth <= innerWidth", path, role)

				// The menu: the role's links, in order, and no others.
				hrefs, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('nav[aria-label="Main"] a')).map(function (a) { return a.getAttribute("href"); })`))
				require.NoError(t, err)
				assert.Equal(t, want, hrefs, "the %s's menu on %s", role, path)

				if i == 0 {
					site.shot(t, tctx, string(role))
					checkSkipLink(t, tctx, path)
					checkMenuByKeyboard(t, tctx, want[len(want)-1])
					site.shot(t, tctx, string(role)+"-menu")
				}
				if path == gridURL {
					site.shot(t, tctx, "grid")
					checkGridBlocks(t, tctx, q)
				}
				if path == "/planner/schedules" {
					right, err := chromedp.Run(tctx, chromedp.Evaluate[float64](`(function () {
						var a = Array.from(document.querySelectorAll("main table a")).find(function (a) { return a.textContent.indexOf("spring campaign") >= 0; });
						var r = a.closest("table").getBoundingClientRect(); return r.right; })()`))
					require.NoError(t, err, "the long draft is listed")
					assert.LessOrEqual(t, right, 390.0, "the Schedules table stays in the page with a long draft name")
					title, err := chromedp.Run(tctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll("main table a")).find(function (a) { return a.textContent.indexOf("spring campaign") >= 0; }).closest("td").textContent`))
					require.NoError(t, err)
					assert.Contains(t, title, "_cannot_wrap_at_a_space_at_all", "the whole name is there to read")
					site.shot(t, tctx, "schedules")
				}
				if strings.HasPrefix(path, "/qa/evaluations/") {
					site.shot(t, tctx, "evaluation")
					right, err := chromedp.Run(tctx, chromedp.Evaluate[[]float64](`Array.from(document.querySelectorAll('main input[id^="c."]')).map(function (i) { return i.getBoundingClientRect().right; })`))
					require.NoError(t, err)
					require.NotEmpty(t, right, "the draft evaluation has a comment per criterion")
					for _, r := range right {
						assert.LessOrEqual(t, r, 390.0, "each criterion's comment is on screen")
					}
				}
				if path == "/admin" {
					// Every user row's Save button is within reach.
					right, err := chromedp.Run(tctx, chromedp.Evaluate[float64](`Math.max.apply(null, Array.from(document.querySelectorAll('form[action^="/admin/users/"] button')).map(function (b) { return b.getBoundingClientRect().right; }))`))
					require.NoError(t, err)
					assert.LessOrEqual(t, right, 390.0, "the users' Save buttons are on screen")
				}
				// Select boxes show their whole chosen text.
				cut, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](cutSelects))
				require.NoError(t, err)
				assert.Empty(t, cut, "%s: select boxes whose text is cut", path)
			}
			require.NoError(t, chromedp.Do(tctx, chromedp.EmulateViewport(1200, 900)))
			site.signOut(t, tctx)
		})
	}
}

// checkAxe runs the axe-core accessibility scan (WCAG 2 A and AA) on the
// page shown when PEAKWISE_AXE names axe.min.js (.ci/run installs axe-core
// from npm and sets it), and expects no violation.
func checkAxe(t *testing.T, c context.Context, path string) {
	t.Helper()
	src := os.Getenv("PEAKWISE_AXE")
	if src == "" {
		return
	}
	js, err := os.ReadFile(src)
	require.NoError(t, err, "PEAKWISE_AXE")
	_, err = chromedp.Run(c, chromedp.Evaluate[bool](string(js)+";true"))
	require.NoError(t, err)
	found, err := chromedp.Run(c, chromedp.Evaluate[[]string](`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa"]}}).then(function (r) {
  return ["passed " + r.passes.length + " rules"].concat(r.violations.map(function (v) {
    return v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map(function (n) { return n.target.join(" "); }).join(" | "); }));
})`, chromedp.EvalAwaitPromise))
	require.NoError(t, err, path)
	require.NotEmpty(t, found)
	t.Logf("axe on %s: %s", path, found[0])
	assert.Empty(t, found[1:], "%s: accessibility violations (axe, WCAG 2 A/AA)", path)
}

// checkSkipLink reloads the page, presses Tab once and expects the skip
// link, then Enter and expects the focus on #main.
func checkSkipLink(t *testing.T, c context.Context, path string) {
	t.Helper()
	require.NoError(t, chromedp.Do(c, chromedp.Reload(), chromedp.WaitVisible(`main h1`), chromedp.KeyEvent(kb("Tab"))))
	first, err := chromedp.Run(c, chromedp.Evaluate[string](`document.activeElement.outerHTML`))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(first, `<a class="skip" href="#main">Skip to content</a>`), "%s: Tab reaches the skip link first, got %s", path, first)
	visible, err := chromedp.Run(c, chromedp.Evaluate[bool](`(function () { var r = document.activeElement.getBoundingClientRect(); return r.top >= 0 && r.width > 20; })()`))
	require.NoError(t, err)
	assert.True(t, visible, "%s: the focused skip link shows", path)
	require.NoError(t, chromedp.Do(c, chromedp.KeyEvent(kb("Enter"))))
	waitUntil(t, c, `document.activeElement && document.activeElement.id === "main"`, 5*time.Second)
}

// checkMenuByKeyboard expects the phone-width menu closed, opens it with
// the keyboard from its Menu button and tabs to its last link.
func checkMenuByKeyboard(t *testing.T, c context.Context, lastHref string) {
	t.Helper()
	shown, err := chromedp.Run(c, chromedp.Evaluate[bool](`document.querySelector('nav[aria-label="Main"] a').checkVisibility()`))
	require.NoError(t, err)
	assert.False(t, shown, "at 390 px the menu starts closed")
	require.NoError(t, chromedp.Do(c, chromedp.Focus(`nav[aria-label="Main"] summary`), chromedp.KeyEvent(kb("Enter"))))
	waitUntil(t, c, `document.querySelector('nav[aria-label="Main"] details').open`, 5*time.Second)
	n, err := chromedp.Run(c, chromedp.Evaluate[int](`document.querySelectorAll('nav[aria-label="Main"] a').length`))
	require.NoError(t, err)
	for range n {
		require.NoError(t, chromedp.Do(c, chromedp.KeyEvent(kb("Tab"))))
	}
	got, err := chromedp.Run(c, chromedp.Evaluate[string](`document.activeElement.getAttribute("href") + " " + document.activeElement.checkVisibility()`))
	require.NoError(t, err)
	assert.Equal(t, lastHref+" true", got, "Tab walks the open menu to its last link")
	over, err := chromedp.Run(c, chromedp.Evaluate[string](sideways))
	require.NoError(t, err)
	assert.Empty(t, over, "the open menu fits at 390 px")
}

// checkGridBlocks expects the grid's blocks to carry their local times and
// queue as text and in their accessible name.
func checkGridBlocks(t *testing.T, c context.Context, q org.Queue) {
	t.Helper()
	blocks, err := chromedp.Run(c, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".grid .shift")).map(function (b) { return b.textContent + " | " + b.getAttribute("aria-label"); })`))
	require.NoError(t, err)
	require.NotEmpty(t, blocks)
	for _, b := range blocks {
		text, label, _ := strings.Cut(b, " | ")
		assert.Regexp(t, `^\d\d:\d\d–\d\d:\d\d `+q.Name+`$`, text, "the block says its times and queue")
		assert.Contains(t, label, text, "so does its accessible name, with the visible text whole")
	}
	assert.Contains(t, strings.Join(blocks, "\n"), "07:00–15:30 "+q.Name+" | ", "the first agent's shift, on the queue's clock")
	cut, err := chromedp.Run(c, chromedp.Evaluate[int](`Array.from(document.querySelectorAll(".grid .shift-time")).filter(function (e) { return e.scrollWidth > e.clientWidth; }).length`))
	require.NoError(t, err)
	assert.Zero(t, cut, "an 8.5-hour block of the week shows its times whole")
}

// kb is the key event of a named key.
func kb(name string) string {
	switch name {
	case "Tab":
		return "\t"
	case "Enter":
		return "\r"
	}
	return name
}
