package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server"
	"github.com/peakwise/peakwise/server/demo"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// chromium returns Debian's Chromium, skipping the test where it is absent
// (a developer's machine) but failing in CI, which installs it.
func chromium(t *testing.T) string {
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but chromium is not installed (.ci/run installs it from .ci/packages)")
		}
		t.Skip("browser test skipped: install Debian's chromium to run it")
	}
	return path
}

// TestBrowserSignInPerRole boots the real server with the demo data on a
// random port and drives headless Chromium: every demo user signs in through
// the form and reaches their home page; an agent who types a planner's URL
// gets the 403 page. PEAKWISE_SCREENSHOTS=1 saves each home page under
// docs/screenshots/.
func TestBrowserSignInPerRole(t *testing.T) {
	bin := chromium(t)
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{SQLitePath: filepath.Join(t.TempDir(), "peakwise.db")})
	require.NoError(t, err)
	defer st.Close()
	require.NoError(t, st.Migrate(ctx))
	logins, err := demo.Seed(ctx, st, 7, time.Now())
	require.NoError(t, err)
	srv := server.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{})
	require.NoError(t, forecastDemo(ctx, srv))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() { _ = srv.Serve(sctx, l) }()
	base := "http://" + l.Addr().String()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1200, 900))
	actx, cancel := chromedp.NewExecAllocator(ctx, opts...)
	defer cancel()
	// Start the browser once; each role gets its own tab and signs out at the end.
	browserCtx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	require.NoError(t, chromedp.Do(browserCtx, chromedp.Navigate("about:blank")), "start chromium")
	shots := os.Getenv("PEAKWISE_SCREENSHOTS") == "1"

	homes := map[string]string{"admin": "Administration", "planner": "Planning", "qa_reviewer": "Quality", "supervisor": "My team", "agent": "My week"}
	for _, lg := range logins {
		t.Run(string(lg.Role), func(t *testing.T) {
			bctx, cancel := chromedp.NewContext(browserCtx)
			defer cancel()
			// The first Run starts the browser: no timeout on it (see chromedp.Run).
			require.NoError(t, chromedp.Do(bctx, chromedp.Navigate(base+"/")))
			tctx, cancelT := context.WithTimeout(bctx, 60*time.Second)
			defer cancelT()
			require.NoError(t, chromedp.Do(tctx,
				chromedp.WaitVisible(`form[action="/login"] #email`),
				chromedp.SendKeys(`form[action="/login"] #email`, lg.Email),
				chromedp.SendKeys(`form[action="/login"] #password`, lg.Password),
				chromedp.Submit(`form[action="/login"] #password`),
				chromedp.WaitNotPresent(`form[action="/login"]`),
				chromedp.WaitVisible(`main h1`),
			))
			heading, err := chromedp.Run(tctx, chromedp.Text(`main h1`))
			require.NoError(t, err)
			url, err := chromedp.Run(tctx, chromedp.Location())
			require.NoError(t, err)
			png, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
			require.NoError(t, err)
			assert.Equal(t, homes[string(lg.Role)], heading)
			if shots {
				require.NoError(t, os.WriteFile(filepath.Join("..", "..", "docs", "screenshots", string(lg.Role)+".png"), png, 0o644))
			}
			if lg.Role == "agent" {
				require.NoError(t, chromedp.Do(tctx, chromedp.Navigate(base+"/planner"), chromedp.WaitVisible(`main h1`)))
				denied, err := chromedp.Run(tctx, chromedp.Text(`main h1`))
				require.NoError(t, err)
				assert.Equal(t, "Forbidden", denied, "an agent typing a planner's URL gets the 403 page")
				assert.True(t, strings.HasSuffix(url, "/me"), url)
			}
			// Tabs share the browser's cookies: sign out for the next role.
			require.NoError(t, chromedp.Do(tctx, chromedp.Click(`form[action="/logout"] button`), chromedp.WaitVisible(`form[action="/login"]`)))
		})
	}
}

// TestBrowserPlannerFlow walks the planner through the product in Chromium:
// upload today's actuals, read the forecast chart, generate a draft and watch
// its progress bar, publish it; then it times the whole-period grid of a
// 4-week plan for 500 agents to interactive. PEAKWISE_SCREENSHOTS=1 saves
// docs/screenshots/planner-*.png.
func TestBrowserPlannerFlow(t *testing.T) {
	bin := chromium(t)
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{SQLitePath: filepath.Join(t.TempDir(), "peakwise.db")})
	require.NoError(t, err)
	defer st.Close()
	require.NoError(t, st.Migrate(ctx))
	logins, err := demo.Seed(ctx, st, 7, time.Now())
	require.NoError(t, err)
	srv := server.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{})
	require.NoError(t, forecastDemo(ctx, srv))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() { _ = srv.Serve(sctx, l) }()
	base := "http://" + l.Addr().String()
	shots := os.Getenv("PEAKWISE_SCREENSHOTS") == "1"
	shot := func(t *testing.T, c context.Context, name string) {
		png, err := chromedp.Run(c, chromedp.FullScreenshot(100))
		require.NoError(t, err)
		if shots {
			require.NoError(t, os.WriteFile(filepath.Join("..", "..", "docs", "screenshots", "planner-"+name+".png"), png, 0o644))
		}
	}
	var password string
	for _, lg := range logins {
		if lg.Role == "planner" {
			password = lg.Password
		}
	}
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
	bigPlan := seedGridPlan(t, st, 500, 4)

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1200, 900))
	actx, cancel := chromedp.NewExecAllocator(ctx, opts...)
	defer cancel()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	require.NoError(t, chromedp.Do(bctx, chromedp.Navigate(base+"/login")), "start chromium")
	tctx, cancelT := context.WithTimeout(bctx, 120*time.Second)
	defer cancelT()
	require.NoError(t, chromedp.Do(tctx,
		chromedp.WaitVisible(`#email`),
		chromedp.SendKeys(`#email`, "planner@demo.peakwise.dev"),
		chromedp.SendKeys(`#password`, password),
		chromedp.Submit(`#password`),
		chromedp.WaitVisible(`a[href="/planner/history"]`),
	))

	// Upload: the file goes through the form; the page lists what it imported.
	require.NoError(t, chromedp.Do(tctx,
		chromedp.Click(`a[href="/planner/history"]`),
		chromedp.WaitVisible(`#file`),
		chromedp.SetUploadFiles(`#file`, []string{file}),
		chromedp.Click(`form[action="/planner/history"] button[type="submit"]`),
		chromedp.WaitVisible(`#imported`),
	))
	flash, err := chromedp.Run(tctx, chromedp.Text(`p.notice`))
	require.NoError(t, err)
	assert.Contains(t, flash, "Imported 10 intervals for 1 queue(s) from actuals.csv")
	shot(t, tctx, "upload")

	// The forecast chart of the queue now shows the actuals.
	require.NoError(t, chromedp.Do(tctx, chromedp.Click(`#imported + table a`), chromedp.WaitVisible(`svg#forecast`)))
	actual, err := chromedp.Run(tctx, chromedp.Evaluate[int](`document.querySelectorAll('svg#forecast path[data-name="Actual"]').length`))
	require.NoError(t, err)
	assert.Equal(t, 1, actual, "the actuals are drawn on the forecast chart")
	shot(t, tctx, "forecast")

	// Generate a draft for next week: the progress page polls the job and lands on the grid.
	require.NoError(t, chromedp.Do(tctx,
		chromedp.Navigate(base+"/planner/schedules"),
		chromedp.WaitVisible(`#gen-queue`),
		chromedp.SetValue(`#gen-queue`, "1"),
		chromedp.SetValue(`#gen-limit`, "5"),
		chromedp.Click(`form[action="/planner/schedules/generate"] button[type="submit"]`),
		chromedp.WaitVisible(`#publish`),
	))
	rows, err := chromedp.Run(tctx, chromedp.Evaluate[int](`document.querySelectorAll('.grid-row').length`))
	require.NoError(t, err)
	assert.Greater(t, rows, 0, "the draft's shifts are on the grid")
	shot(t, tctx, "grid")
	draftURL, err := chromedp.Run(tctx, chromedp.Location())
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(tctx, chromedp.Click(`a[href^="/planner/coverage"]`), chromedp.WaitVisible(`svg#coverage-range`)))
	shot(t, tctx, "coverage")
	require.NoError(t, chromedp.Do(tctx, chromedp.Navigate(draftURL), chromedp.WaitVisible(`#publish`), chromedp.Click(`#publish`), chromedp.WaitNotPresent(`#publish`)))
	heading, err := chromedp.Run(tctx, chromedp.Text(`main`))
	require.NoError(t, err)
	require.Contains(t, heading, "Published revision 1", "publishing lands on the published plan")
	flash, err = chromedp.Run(tctx, chromedp.Text(`p.notice`))
	require.NoError(t, err)
	assert.Contains(t, flash, "Published revision 1")
	shot(t, tctx, "published")

	// Phone width: the queue page still reads.
	require.NoError(t, chromedp.Do(tctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/planner/queues/1"), chromedp.WaitVisible(`svg#forecast`)))
	overflow, err := chromedp.Run(tctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	require.NoError(t, err)
	assert.False(t, overflow, "no sideways scrolling at phone width")
	shot(t, tctx, "phone")
	require.NoError(t, chromedp.Do(tctx, chromedp.EmulateReset()))

	// The 4-week grid of 500 agents: time from navigation to interactive.
	require.NoError(t, chromedp.Do(tctx, chromedp.Navigate(fmt.Sprintf("%s/planner/schedules/%d?view=period&queue_id=1", base, bigPlan)), chromedp.WaitVisible(`.grid-rows`)))
	timing, err := chromedp.Run(tctx, chromedp.Evaluate[map[string]float64](`(function () { var n = performance.getEntriesByType("navigation")[0];
		return {ttfb: n.responseStart, interactive: n.domInteractive, loaded: n.loadEventEnd, rows: document.querySelectorAll(".grid-row").length}; })()`))
	require.NoError(t, err)
	assert.Equal(t, 100.0, timing["rows"], "the grid draws 100 agents a page")
	t.Logf("500 agents x 4 weeks grid: first byte %.0f ms, DOM interactive %.0f ms, load %.0f ms", timing["ttfb"], timing["interactive"], timing["loaded"])
}

// seedGridPlan adds agents and a draft of weeks weeks of their weekday shifts.
func seedGridPlan(t *testing.T, st *store.Store, agents, weeks int) int64 {
	ctx := context.Background()
	chicago, err := time.LoadLocation("America/Chicago")
	require.NoError(t, err)
	site, err := st.CreateSite(ctx, org.Site{Name: "Grid test", Timezone: "America/Chicago"})
	require.NoError(t, err)
	team, err := st.CreateTeam(ctx, org.Team{SiteID: site.ID, Name: "Grid"})
	require.NoError(t, err)
	now := time.Now().In(chicago)
	monday := time.Date(now.Year(), now.Month(), now.Day()-int((now.Weekday()+6)%7), 0, 0, 0, 0, chicago)
	var shifts []calendar.Shift
	for i := 0; i < agents; i++ {
		a, err := st.CreateAgent(ctx, org.Agent{Name: fmt.Sprintf("Grid agent %03d", i), Email: fmt.Sprintf("grid%d@test.example", i), Timezone: "America/Chicago",
			TeamID: &team.ID, Contract: org.DefaultContract})
		require.NoError(t, err)
		for d := 0; d < 7*weeks; d++ {
			if d%7 >= 5 {
				continue
			}
			start := time.Date(monday.Year(), monday.Month(), monday.Day()+d, 6+i%8, 0, 0, 0, chicago)
			shifts = append(shifts, calendar.Shift{AgentID: a.ID, Template: "FT8", Start: start, End: start.Add(8*time.Hour + 30*time.Minute), PaidMinutes: 480,
				Breaks: []calendar.Break{{Name: "lunch", Start: start.Add(4 * time.Hour), End: start.Add(4*time.Hour + 30*time.Minute)}}})
		}
	}
	sch, err := st.CreateScheduleDraft(ctx, store.Schedule{Name: "Grid test", Timezone: "America/Chicago", PeriodStart: monday.UTC(), PeriodEnd: monday.AddDate(0, 0, 7*weeks).UTC()}, shifts)
	require.NoError(t, err)
	return sch.ID
}
