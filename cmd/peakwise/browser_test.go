package main

import (
	"context"
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

	"github.com/peakwise/peakwise/server"
	"github.com/peakwise/peakwise/server/demo"
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
