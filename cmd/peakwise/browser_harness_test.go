package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server"
	"github.com/peakwise/peakwise/server/demo"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// The browser tests share one harness: the real server on a random port over
// a fresh SQLite database with the demo data, and a headless Chromium.

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

// browserSite is a running demo server and the browser that visits it.
type browserSite struct {
	st     *store.Store
	base   string // http://127.0.0.1:port
	logins map[org.Role]demo.Login
	// browser is the browser's first tab, already started; tabs made from it
	// share its cookies.
	browser context.Context
	// shots names the screenshots saved under docs/screenshots/ when
	// PEAKWISE_SCREENSHOTS=1: shots+name+".png".
	shots string
}

// startBrowserSite seeds the demo with seed (and forecasts every queue when
// forecast is set), serves it on a random port and starts Chromium, all
// stopped when the test ends.
func startBrowserSite(t *testing.T, seed uint64, forecast bool, shots string) *browserSite {
	t.Helper()
	bin := chromium(t)
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{SQLitePath: filepath.Join(t.TempDir(), "peakwise.db")})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	require.NoError(t, st.Migrate(ctx))
	logins, err := demo.Seed(ctx, st, seed, time.Now())
	require.NoError(t, err)
	srv := server.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{})
	if forecast {
		require.NoError(t, forecastDemo(ctx, srv))
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	sctx, stop := context.WithCancel(ctx)
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(sctx, l)
	}()
	t.Cleanup(func() { stop(); <-served })
	site := &browserSite{st: st, base: "http://" + l.Addr().String(), logins: map[org.Role]demo.Login{}, shots: shots}
	for _, lg := range logins {
		site.logins[lg.Role] = lg
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1200, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(cancelBrowser) // runs before cancelAlloc: the browser closes, then its process ends
	// The first action starts the browser: no timeout on it (see chromedp.Run).
	require.NoError(t, chromedp.Do(bctx, chromedp.Navigate("about:blank")), "start chromium")
	site.browser = bctx
	return site
}

// tab opens a new tab that gives up after timeout; it is closed when the
// test ends.
func (b *browserSite) tab(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	tctx, cancelTab := chromedp.NewContext(b.browser)
	t.Cleanup(cancelTab)
	require.NoError(t, chromedp.Do(tctx, chromedp.Navigate("about:blank")), "open a tab")
	c, cancel := context.WithTimeout(tctx, timeout)
	t.Cleanup(cancel)
	return c
}

// signIn signs in through the form as the demo user of role, or as
// email/password when given, and waits for their home page.
func (b *browserSite) signIn(t *testing.T, c context.Context, role org.Role, emailPassword ...string) {
	t.Helper()
	email, password := b.logins[role].Email, b.logins[role].Password
	if len(emailPassword) == 2 {
		email, password = emailPassword[0], emailPassword[1]
	}
	require.NoError(t, chromedp.Do(c,
		chromedp.Navigate(b.base+"/"),
		chromedp.WaitVisible(`form[action="/login"] #email`),
		chromedp.SendKeys(`form[action="/login"] #email`, email),
		chromedp.SendKeys(`form[action="/login"] #password`, password),
		chromedp.Submit(`form[action="/login"] #password`),
		chromedp.WaitNotPresent(`form[action="/login"]`),
		chromedp.WaitVisible(`main h1`),
	), "sign in as %s", email)
}

// signOut signs out with the header's button; tabs share the browser's
// cookies, so the next sign-in starts clean.
func (b *browserSite) signOut(t *testing.T, c context.Context) {
	t.Helper()
	require.NoError(t, chromedp.Do(c, chromedp.Click(`form[action="/logout"] button`), chromedp.WaitVisible(`form[action="/login"]`)))
}

// textOf is the text of the first element sel matches.
func textOf(t *testing.T, c context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(c, chromedp.Text(sel))
	require.NoError(t, err)
	return s
}

// shot takes a full-page screenshot (so a broken page fails the test) and
// saves it as docs/screenshots/<shots><name>.png when PEAKWISE_SCREENSHOTS=1.
func (b *browserSite) shot(t *testing.T, c context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(c, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	if os.Getenv("PEAKWISE_SCREENSHOTS") == "1" {
		require.NoError(t, os.WriteFile(filepath.Join("..", "..", "docs", "screenshots", b.shots+name+".png"), png, 0o644))
	}
}

// waitUntil evaluates the JavaScript expression cond until it is true, for
// at most timeout. Unlike chromedp.Poll it survives the page navigating away
// (an evaluation that a navigation interrupts is tried again), so it can
// wait across the redirects of a progress page.
func waitUntil(t *testing.T, c context.Context, cond string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, err := chromedp.Run(c, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return
		}
		if c.Err() != nil || time.Now().After(deadline) {
			t.Fatalf("waited %s for %s (last error: %v)", timeout, cond, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
