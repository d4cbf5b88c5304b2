package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// TestBrowserSignInPerRole boots the real server with the demo data on a
// random port and drives headless Chromium: every demo user signs in through
// the form and reaches their home page; an agent who types a planner's URL
// gets the 403 page. PEAKWISE_SCREENSHOTS=1 saves each home page under
// docs/screenshots/.
func TestBrowserSignInPerRole(t *testing.T) {
	site := startBrowserSite(t, 7, true, "")
	homes := map[org.Role]string{org.RoleAdmin: "Administration", org.RolePlanner: "Planning", org.RoleQAReviewer: "Quality", org.RoleSupervisor: "My team", org.RoleAgent: "My week"}
	for _, role := range org.Roles {
		t.Run(string(role), func(t *testing.T) {
			tctx := site.tab(t, 60*time.Second)
			site.signIn(t, tctx, role)
			url, err := chromedp.Run(tctx, chromedp.Location())
			require.NoError(t, err)
			assert.Equal(t, homes[role], textOf(t, tctx, `main h1`))
			site.shot(t, tctx, string(role))
			if role == org.RoleAgent {
				require.NoError(t, chromedp.Do(tctx, chromedp.Navigate(site.base+"/planner"), chromedp.WaitVisible(`main h1`)))
				assert.Equal(t, "Forbidden", textOf(t, tctx, `main h1`), "an agent typing a planner's URL gets the 403 page")
				assert.True(t, strings.HasSuffix(url, "/me"), url)
			}
			site.signOut(t, tctx)
		})
	}
}

// TestBrowserPlannerFlow walks issue 7's planner flow in Chromium: upload
// today's actuals, read the forecast chart and forecast the queue again,
// roster the agents for next week from the generate form (its progress page
// ends on the draft), publish it; then an agent who got a shift in that plan
// signs in and finds it on /me, on their own clock, and two agents of the
// supervisor's team swap a shift (browserSwap). On the way it checks the
// queue page at phone width and times the whole-period grid of a 4-week plan
// for 500 agents to interactive. PEAKWISE_SCREENSHOTS=1 saves
// docs/screenshots/planner-*.png.
func TestBrowserPlannerFlow(t *testing.T) {
	site := startBrowserSite(t, 7, true, "planner-")
	ctx, st, base := context.Background(), site.st, site.base
	// Today's actuals for Voice US, 07:00 to 12:00 on its clock.
	chicago, err := time.LoadLocation("America/Chicago")
	require.NoError(t, err)
	now := time.Now().In(chicago)
	var csv strings.Builder
	csv.WriteString("timestamp,channel,timezone,contacts,queue\n")
	for at := time.Date(now.Year(), now.Month(), now.Day(), 7, 0, 0, 0, chicago); at.Hour() < 12; at = at.Add(30 * time.Minute) {
		fmt.Fprintf(&csv, "%s,voice,America/Chicago,%d,Voice US\n", at.Format(time.RFC3339), 40+at.Hour()*3)
	}
	file := filepath.Join(t.TempDir(), "actuals.csv")
	require.NoError(t, os.WriteFile(file, []byte(csv.String()), 0o644))
	bigPlan := storetest.SeedGridPlan(t, st, 500, 4, nil)

	tctx := site.tab(t, 240*time.Second)
	site.signIn(t, tctx, org.RolePlanner)

	// Upload: the file goes through the form; the page lists what it imported.
	require.NoError(t, chromedp.Do(tctx,
		chromedp.Click(`a[href="/planner/history"]`),
		chromedp.WaitVisible(`#file`),
		chromedp.SetUploadFiles(`#file`, []string{file}),
		chromedp.Click(`form[action="/planner/history"] button[type="submit"]`),
		chromedp.WaitVisible(`#imported`),
	))
	assert.Contains(t, textOf(t, tctx, `p.notice`), "Imported 10 intervals for 1 queue(s) from actuals.csv")
	site.shot(t, tctx, "upload")

	// The forecast chart of the queue now shows the actuals.
	require.NoError(t, chromedp.Do(tctx, chromedp.Click(`#imported + table a`), chromedp.WaitVisible(`svg#forecast`)))
	actual, err := chromedp.Run(tctx, chromedp.Evaluate[int](`document.querySelectorAll('svg#forecast path[data-name="Actual"]').length`))
	require.NoError(t, err)
	assert.Equal(t, 1, actual, "the actuals are drawn on the forecast chart")
	site.shot(t, tctx, "forecast")

	// Forecast the queue again from its page: the run's progress page ends
	// back on the queue, which shows the new version.
	queueURL, err := chromedp.Run(tctx, chromedp.Location())
	require.NoError(t, err)
	queueID, err := strconv.ParseInt(queueURL[strings.LastIndex(queueURL, "/")+1:], 10, 64)
	require.NoError(t, err)
	old, err := st.FindLatestForecast(ctx, queueID)
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(tctx, chromedp.Click(`#forecast-now`)))
	waitUntil(t, tctx, `location.pathname.startsWith("/planner/queues/") && document.referrer.includes("/planner/runs/") && document.readyState === "complete"`, 90*time.Second)
	latest, err := st.FindLatestForecast(ctx, queueID)
	require.NoError(t, err)
	assert.Greater(t, latest.ID, old.ID, "a new forecast version")
	assert.Contains(t, textOf(t, tctx, `section[aria-labelledby="forecast"]`), fmt.Sprintf("Latest forecast #%d", latest.ID))

	// Roster next week from the generate form: named agents is the default
	// mode, the first queue (Voice US) is ticked. The progress page polls the
	// job and lands on the draft.
	require.NoError(t, chromedp.Do(tctx, chromedp.Navigate(base+"/planner/schedules"), chromedp.WaitVisible(`#gen-mode-roster`)))
	defaults, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('form[action="/planner/schedules/generate"] input:checked')).map(function (i) { return i.id; })`))
	require.NoError(t, err)
	assert.Equal(t, []string{"gen-mode-roster", fmt.Sprintf("gen-queue-%d", queueID)}, defaults)
	require.NoError(t, chromedp.Do(tctx,
		chromedp.SetValue(`#gen-limit`, "10"),
		chromedp.Click(`form[action="/planner/schedules/generate"] button[type="submit"]`),
	))
	// The progress bar runs until the job ends, then its page moves on to the draft.
	waitUntil(t, tctx, `location.pathname.startsWith("/planner/schedules/") && document.referrer.includes("/planner/runs/") && document.readyState === "complete"`, 120*time.Second)
	require.NoError(t, chromedp.Do(tctx, chromedp.WaitVisible(`#publish`)))
	draftURL, err := chromedp.Run(tctx, chromedp.Location())
	require.NoError(t, err)
	draftID, err := strconv.ParseInt(strings.TrimPrefix(draftURL, base+"/planner/schedules/"), 10, 64)
	require.NoError(t, err)
	shifts, err := st.FindShifts(ctx, store.ShiftFilter{ScheduleID: draftID})
	require.NoError(t, err)
	require.NotEmpty(t, shifts)
	for _, sh := range shifts {
		require.NotZero(t, sh.AgentID, "a roster's shifts name their agents")
	}
	rows, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('.grid-row .grid-name')).map(function (n) { return n.firstChild.textContent.trim(); })`))
	require.NoError(t, err)
	require.NotEmpty(t, rows, "the draft's shifts are on the grid")
	first, err := st.FindAgentByID(ctx, shifts[0].AgentID)
	require.NoError(t, err)
	assert.Contains(t, rows, first.Name, "the grid has a row per agent")
	site.shot(t, tctx, "grid")
	require.NoError(t, chromedp.Do(tctx, chromedp.Click(`a[href^="/planner/coverage"]`), chromedp.WaitVisible(`svg#coverage-range`)))
	site.shot(t, tctx, "coverage")

	// Publish; rule warnings the roster could not avoid are accepted with a reason.
	require.NoError(t, chromedp.Do(tctx, chromedp.Navigate(draftURL), chromedp.WaitVisible(`#publish`)))
	warned, err := chromedp.Run(tctx, chromedp.Evaluate[bool](`document.getElementById("accept") !== null`))
	require.NoError(t, err)
	if warned {
		require.NoError(t, chromedp.Do(tctx, chromedp.Click(`#accept`), chromedp.SendKeys(`#reason`, "Browser test: the contracts allow no better week.")))
	}
	require.NoError(t, chromedp.Do(tctx, chromedp.Click(`#publish`), chromedp.WaitNotPresent(`#publish`)))
	require.Contains(t, textOf(t, tctx, `main`), "Published revision 1", "publishing lands on the published plan")
	assert.Contains(t, textOf(t, tctx, `p.notice`), "Published revision 1")
	site.shot(t, tctx, "published")

	// Phone width: the queue page still reads.
	require.NoError(t, chromedp.Do(tctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(queueURL), chromedp.WaitVisible(`svg#forecast`)))
	overflow, err := chromedp.Run(tctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	require.NoError(t, err)
	assert.False(t, overflow, "no sideways scrolling at phone width")
	site.shot(t, tctx, "phone")
	require.NoError(t, chromedp.Do(tctx, chromedp.EmulateReset()))

	// The 4-week grid of 500 agents: time from navigation to interactive.
	require.NoError(t, chromedp.Do(tctx, chromedp.Navigate(fmt.Sprintf("%s/planner/schedules/%d?view=period&queue_id=1", base, bigPlan)), chromedp.WaitVisible(`.grid-rows`)))
	timing, err := chromedp.Run(tctx, chromedp.Evaluate[map[string]float64](`(function () { var n = performance.getEntriesByType("navigation")[0];
		return {ttfb: n.responseStart, interactive: n.domInteractive, loaded: n.loadEventEnd, rows: document.querySelectorAll(".grid-row").length}; })()`))
	require.NoError(t, err)
	assert.Equal(t, 100.0, timing["rows"], "the grid draws 100 agents a page")
	t.Logf("500 agents x 4 weeks grid: first byte %.0f ms, DOM interactive %.0f ms, load %.0f ms", timing["ttfb"], timing["interactive"], timing["loaded"])
	site.signOut(t, tctx)

	// An agent with a shift in the new plan signs in: the demo agent when the
	// roster gave them one, else a rostered agent given a sign-in here.
	demoUser, _, err := st.FindUserByEmail(ctx, site.logins[org.RoleAgent].Email)
	require.NoError(t, err)
	mine := slices.IndexFunc(shifts, func(sh calendar.Shift) bool { return sh.AgentID == *demoUser.AgentID })
	var signIn []string
	if mine < 0 {
		mine = 0
		a, err := st.FindAgentByID(ctx, shifts[0].AgentID)
		require.NoError(t, err)
		hash, err := auth.HashPassword("rostered agent password")
		require.NoError(t, err)
		_, err = st.CreateUser(ctx, org.User{Email: "rostered@demo.peakwise.dev", Name: a.Name, Role: org.RoleAgent, AgentID: &a.ID}, hash)
		require.NoError(t, err)
		signIn = []string{"rostered@demo.peakwise.dev", "rostered agent password"}
	}
	sh := shifts[mine]
	a, err := st.FindAgentByID(ctx, sh.AgentID)
	require.NoError(t, err)
	loc, err := time.LoadLocation(a.Timezone)
	require.NoError(t, err)
	site.signIn(t, tctx, org.RoleAgent, signIn...)
	assert.Contains(t, textOf(t, tctx, `#shifts`), a.Timezone, "the agent's week is on their clock")
	table, err := chromedp.Run(tctx, chromedp.Evaluate[[][]string](`Array.from(document.querySelectorAll('section[aria-labelledby="shifts"] tbody tr')).map(function (tr) {
		return Array.from(tr.cells).slice(0, 3).map(function (td) { return td.textContent.trim(); }); })`))
	require.NoError(t, err)
	want := []string{sh.Start.In(loc).Format("Mon 2 Jan"), sh.Start.In(loc).Format("15:04 MST"), sh.End.In(loc).Format("15:04 MST")}
	assert.Contains(t, table, want, "%s sees the new shift on /me", a.Name)
	t.Logf("%s (%s) sees the rostered shift %v among %d on /me", a.Name, a.Timezone, want, len(table))
	site.signOut(t, tctx)

	browserSwap(t, site, draftID)
}

// browserSwap walks issue 21's swap screens on the published plan: an agent
// of the demo supervisor's team offers a shift to a colleague the rules let
// take it, the colleague takes it, and the supervisor approves it at phone
// width by keyboard, which moves the shift to the colleague.
func browserSwap(t *testing.T, site *browserSite, planID int64) {
	ctx, st := context.Background(), site.st
	began := time.Now()
	sup, _, err := st.FindUserByEmail(ctx, site.logins[org.RoleSupervisor].Email)
	require.NoError(t, err)
	teams, _, err := st.FindTeams(ctx, store.TeamFilter{SupervisorID: &sup.ID, Page: store.Page{Limit: 100}})
	require.NoError(t, err)
	require.NotEmpty(t, teams, "the demo supervisor supervises a team")
	agents, _, err := st.FindAgents(ctx, store.AgentFilter{TeamIDs: []int64{teams[0].ID}, Page: store.Page{Limit: 500}})
	require.NoError(t, err)
	shifts, err := st.FindShifts(ctx, store.ShiftFilter{ScheduleID: planID})
	require.NoError(t, err)
	// Agents who sign in as another role see the deciders' page: leave them out.
	all, _, err := st.FindUsers(ctx, store.UserFilter{Page: store.Page{Limit: 1000}})
	require.NoError(t, err)
	users := map[int64]org.User{}
	for _, u := range all {
		if u.AgentID != nil {
			users[*u.AgentID] = u
		}
	}
	agents = slices.DeleteFunc(agents, func(a org.Agent) bool { u, ok := users[a.ID]; return ok && u.Role != org.RoleAgent })
	var sh calendar.Shift
	var giver, taker org.Agent
find:
	for _, x := range shifts {
		if x.Start.Before(time.Now().Add(13 * time.Hour)) {
			continue
		}
		for _, g := range agents {
			if g.ID != x.AgentID {
				continue
			}
			for _, c := range agents {
				if c.ID != g.ID && service.CheckTaker(ctx, st, x, c.ID) == nil {
					sh, giver, taker = x, g, c
					break find
				}
			}
		}
	}
	require.NotZero(t, sh.ID, "some shift of team %s can go to a colleague", teams[0].Name)
	t.Logf("swap: %s (%s) gives the shift at %s to %s (found in %s)", giver.Name, giver.Timezone, sh.Start.Format(time.RFC3339), taker.Name, time.Since(began).Round(time.Millisecond))
	tctx := site.tab(t, 120*time.Second)
	// Each signs in with a known password: their own user's, reset, or a new one.
	login := func(a org.Agent) []string {
		hash, err := auth.HashPassword("swap test password")
		require.NoError(t, err)
		u, ok := users[a.ID]
		if !ok {
			u, err = st.CreateUser(ctx, org.User{Email: fmt.Sprintf("swap-%d@demo.peakwise.dev", a.ID), Name: a.Name, Role: org.RoleAgent, AgentID: &a.ID}, hash)
			require.NoError(t, err)
		}
		require.NoError(t, st.SetPasswordHash(ctx, u.ID, hash))
		return []string{u.Email, "swap test password"}
	}
	giverLogin, takerLogin := login(giver), login(taker)

	// The giver offers the shift to the colleague from the menu's swaps page.
	site.signIn(t, tctx, org.RoleAgent, giverLogin...)
	require.NoError(t, chromedp.Do(tctx, chromedp.Click(`nav a[href="/swaps"]`), chromedp.WaitVisible(`#offer-shift`),
		chromedp.SetValue(`#offer-shift`, sh.UID), chromedp.SetValue(`#offer-to`, strconv.FormatInt(taker.ID, 10)),
		chromedp.SendKeys(`#offer-note`, "Family event"), chromedp.Click(`#offer`), chromedp.WaitVisible(`p.notice`)))
	assert.Contains(t, textOf(t, tctx, `p.notice`), "Shift offered.")
	assert.Contains(t, textOf(t, tctx, `section[aria-labelledby="mine-h"]`), taker.Name)
	site.shot(t, tctx, "swap-offered")
	site.signOut(t, tctx)

	// The colleague takes it.
	site.signIn(t, tctx, org.RoleAgent, takerLogin...)
	require.NoError(t, chromedp.Do(tctx, chromedp.Navigate(site.base+"/swaps"), chromedp.WaitVisible(`form[action$="/accept"] button`)))
	assert.Contains(t, textOf(t, tctx, `section[aria-labelledby="open-h"]`), "Family event")
	require.NoError(t, chromedp.Do(tctx, chromedp.Click(`form[action$="/accept"] button`), chromedp.WaitVisible(`p.notice`)))
	assert.Contains(t, textOf(t, tctx, `p.notice`), "You took the shift.")
	site.signOut(t, tctx)

	// The supervisor approves at phone width, by keyboard: a note, Tab to Approve, Enter.
	site.signIn(t, tctx, org.RoleSupervisor)
	require.NoError(t, chromedp.Do(tctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(site.base+"/swaps"),
		chromedp.WaitVisible(`form[action$="/decision"] input[name="note"]`)))
	row := textOf(t, tctx, `section[aria-labelledby="waiting-h"] tbody tr`)
	assert.Contains(t, row, giver.Name)
	assert.Contains(t, row, taker.Name)
	overflow, err := chromedp.Run(tctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	require.NoError(t, err)
	assert.False(t, overflow, "no sideways scrolling on the swaps page at phone width")
	site.shot(t, tctx, "swap-decide")
	require.NoError(t, chromedp.Do(tctx, chromedp.Focus(`form[action$="/decision"] input[name="note"]`), chromedp.SendKeys(`form[action$="/decision"] input[name="note"]`, "Covered"),
		chromedp.KeyEvent(kb("Tab"))))
	focused, err := chromedp.Run(tctx, chromedp.Evaluate[string](`document.activeElement.textContent`))
	require.NoError(t, err)
	require.Equal(t, "Approve", focused, "Tab goes from the note to Approve")
	require.NoError(t, chromedp.Do(tctx, chromedp.KeyEvent(kb("Enter")), chromedp.WaitVisible(`p.notice`)))
	assert.Contains(t, textOf(t, tctx, `p.notice`), "Swap approved: revision 2")
	require.NoError(t, chromedp.Do(tctx, chromedp.EmulateReset()))
	site.signOut(t, tctx)
	theirs, err := st.FindShifts(ctx, store.ShiftFilter{AgentIDs: []int64{taker.ID}, Published: true, From: sh.Start, To: sh.End})
	require.NoError(t, err)
	assert.True(t, slices.ContainsFunc(theirs, func(x calendar.Shift) bool { return x.Start.Equal(sh.Start) && x.End.Equal(sh.End) }),
		"the approved swap gave %s the shift", taker.Name)
}
