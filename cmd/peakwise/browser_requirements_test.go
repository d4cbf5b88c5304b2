package main

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	chromekb "github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// TestBrowserRequirementsWhatIfAtPhoneWidth walks a queue's requirements at
// 390x844 by keyboard: from the queue's page to the requirements, then a
// what-if (handle time 20% longer, more shrinkage) that needs more staff
// hours and is marked as not saved, a bad value named next to its field,
// and back to the queue's targets; the page never scrolls sideways and the
// interval table becomes cards. PEAKWISE_SCREENSHOTS=1 saves
// docs/screenshots/requirements-*.png.
func TestBrowserRequirementsWhatIfAtPhoneWidth(t *testing.T) {
	site := startBrowserSite(t, 7, false, "requirements-")
	ctx := context.Background()
	queues, _, err := site.st.FindQueues(ctx, store.Page{Limit: 10})
	require.NoError(t, err)
	var q org.Queue
	for _, x := range queues {
		if ch, err := site.st.FindChannelByID(ctx, x.ChannelID); err == nil && ch.Kind == org.Realtime {
			q = x
			break
		}
	}
	require.NotZero(t, q.ID, "the demo has a live queue")
	// Today's forecast on the queue's clock: a day's curve peaking at noon.
	loc, err := time.LoadLocation(q.Timezone)
	require.NoError(t, err)
	now := time.Now().In(loc)
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	end := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, loc)
	step := time.Duration(q.IntervalMin) * time.Minute
	var pts []store.ForecastPoint
	for at := day; at.Before(end); at = at.Add(step) {
		h := at.Sub(day).Hours()
		pts = append(pts, store.ForecastPoint{StartAt: at.UTC(), Contacts: math.Max(0, 40*math.Sin(math.Pi*(h-6)/14))})
	}
	_, err = site.st.CreateForecast(ctx, store.Forecast{QueueID: q.ID, Method: "snaive", IntervalMin: q.IntervalMin, StartAt: day.UTC(), EndAt: end.UTC(),
		HistoryFrom: day.AddDate(0, 0, -28).UTC(), HistoryTo: day.UTC()}, pts)
	require.NoError(t, err)

	tctx := site.tab(t, 120*time.Second)
	site.signIn(t, tctx, org.RolePlanner)
	require.NoError(t, chromedp.Do(tctx, chromedp.EmulateViewport(390, 844)))
	fits := func(what string) {
		t.Helper()
		over, err := chromedp.Run(tctx, chromedp.Evaluate[string](sideways))
		require.NoError(t, err)
		assert.Empty(t, over, "%s scrolls sideways at 390 px", what)
		cut, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](cutSelects))
		require.NoError(t, err)
		assert.Empty(t, cut, "%s: select boxes whose text is cut", what)
	}
	staffHours := func() float64 {
		t.Helper()
		s := textOf(t, tctx, `#staff-hours`)
		v, err := strconv.ParseFloat(strings.Fields(s)[0], 64)
		require.NoError(t, err, s)
		return v
	}

	// From the queue's page by keyboard: focus the link, Enter.
	link := fmt.Sprintf(`main a[href="/planner/queues/%d/requirements"]`, q.ID)
	require.NoError(t, chromedp.Do(tctx, chromedp.Navigate(fmt.Sprintf("%s/planner/queues/%d", site.base, q.ID)), chromedp.WaitVisible(link),
		chromedp.Focus(link), chromedp.KeyEvent(kb("Enter")), chromedp.WaitVisible(`#whatif-form`), chromedp.WaitVisible(`#staff-hours`)))
	fits("the requirements page")
	assert.Contains(t, textOf(t, tctx, `main h1`), q.Name)
	base := staffHours()
	assert.Greater(t, base, 0.0, "a day with contacts needs staff")
	display, err := chromedp.Run(tctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("#requirements tbody td")).display`))
	require.NoError(t, err)
	assert.Equal(t, "block", display, "the interval table stacks into cards on a phone")
	site.shot(t, tctx, "day")

	// Every input has a label a screen reader reads.
	unlabelled, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#whatif-form input, #whatif-form select")).filter(function (el) { return !el.labels || el.labels.length === 0; }).map(function (el) { return el.id; })`))
	require.NoError(t, err)
	assert.Empty(t, unlabelled)

	// The what-if by keyboard: handle time 120% of the forecast's, 10 points
	// more shrinkage, then Enter in the last field submits.
	shrink, err := chromedp.Run(tctx, chromedp.Evaluate[string](`document.getElementById("shrinkage").value`))
	require.NoError(t, err)
	s0, err := strconv.ParseFloat(shrink, 64)
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(tctx,
		chromedp.Focus(`#aht`), chromedp.SendKeys(`#aht`, "120"),
		chromedp.Focus(`#aht_unit`), chromedp.KeyEvent(chromekb.ArrowDown),
		chromedp.Focus(`#shrinkage`), selectText(`#shrinkage`), chromedp.SendKeys(`#shrinkage`, strconv.FormatFloat(s0+10, 'f', -1, 64)),
		chromedp.KeyEvent(kb("Enter")),
	))
	waitUntil(t, tctx, `document.querySelector("#totals") && document.querySelector("#totals").textContent.indexOf("what-if, not saved") >= 0`, 10*time.Second)
	fits("the what-if")
	more := staffHours()
	assert.Greater(t, more, base*1.2, "longer calls and more shrinkage need more than 20%% more staff hours")
	aht, err := chromedp.Run(tctx, chromedp.Evaluate[string](`document.getElementById("aht").value + " " + document.getElementById("aht_unit").value`))
	require.NoError(t, err)
	assert.Equal(t, "120 pct", aht, "the form keeps the what-if")
	site.shot(t, tctx, "whatif")

	// A bad value is named next to its field, which says it is invalid.
	require.NoError(t, chromedp.Do(tctx, chromedp.Focus(`#service_level_pct`), selectText(`#service_level_pct`),
		chromedp.SendKeys(`#service_level_pct`, "eighty"), chromedp.KeyEvent(kb("Enter"))))
	waitUntil(t, tctx, `!!document.getElementById("service_level_pct-error")`, 10*time.Second)
	invalid, err := chromedp.Run(tctx, chromedp.Evaluate[string](`document.getElementById("service_level_pct").getAttribute("aria-invalid") + " " + document.getElementById("service_level_pct-error").textContent`))
	require.NoError(t, err)
	assert.Equal(t, `true must be a number, got "eighty"`, invalid)
	fits("the refused what-if")

	// Back to the queue's targets: the day's first figures again.
	require.NoError(t, chromedp.Do(tctx, chromedp.Navigate(fmt.Sprintf("%s/planner/queues/%d/requirements", site.base, q.ID)), chromedp.WaitVisible(`#staff-hours`)))
	assert.Equal(t, base, staffHours(), "nothing was saved")
}

// selectText selects the text of the input sel, so that typing replaces it
// as it does after Ctrl+A.
func selectText(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`document.querySelector(` + strconv.Quote(sel) + `).select()`)
}
