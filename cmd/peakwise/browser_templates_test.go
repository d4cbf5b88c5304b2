package main

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// TestBrowserTemplateSetAtPhoneWidth fills a shift template set at 390x844:
// from the list by keyboard to a new set, a span that no longer matches the
// paid minutes named next to the field as it is typed and by Check, a break
// typed into the spare row, a second template added without a script, Check
// clean, then Save; the page never scrolls sideways and every input has a
// label.
// PEAKWISE_SCREENSHOTS=1 saves docs/screenshots/templates-*.png.
func TestBrowserTemplateSetAtPhoneWidth(t *testing.T) {
	site := startBrowserSite(t, 7, false, "templates-")
	ctx := context.Background()
	tctx := site.tab(t, 120*time.Second)
	site.signIn(t, tctx, org.RolePlanner)
	require.NoError(t, chromedp.Do(tctx, chromedp.EmulateViewport(390, 844)))
	fits := func(what string) {
		t.Helper()
		over, err := chromedp.Run(tctx, chromedp.Evaluate[string](sideways))
		require.NoError(t, err)
		assert.Empty(t, over, "%s scrolls sideways at 390 px", what)
		unlabelled, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("main input:not([type=hidden]), main select, main textarea")).filter(function (i) {
			return i.labels.length === 0; }).map(function (i) { return i.name; })`))
		require.NoError(t, err)
		assert.Empty(t, unlabelled, "%s: inputs without a label", what)
	}
	typeInto := func(sel, text string) chromedp.Action[chromedp.Void] {
		// Select what is there, so the keys typed replace it.
		return chromedp.Steps(chromedp.Focus(sel), selectText(sel), chromedp.SendKeys(sel, text))
	}

	// From the list by keyboard.
	require.NoError(t, chromedp.Do(tctx, chromedp.Navigate(site.base+"/planner/templates"), chromedp.WaitVisible(`#new-set`),
		chromedp.Focus(`#new-set`), chromedp.KeyEvent(kb("Enter")), chromedp.WaitVisible(`#save`)))
	fits("a new template set")
	legends, err := chromedp.Run(tctx, chromedp.Evaluate[int](`document.querySelectorAll("main fieldset > legend").length`))
	require.NoError(t, err)
	assert.GreaterOrEqual(t, legends, 4, "the template, its days and its breaks are fieldsets with legends")
	site.shot(t, tctx, "new")

	// A longer span without its paid minutes: named beside the field as
	// soon as the span is changed, and by Check.
	require.NoError(t, chromedp.Do(tctx, typeInto(`#name`, "Phone set"), typeInto(`#t0-name`, "Early"), typeInto(`#t0-span`, "9:00"),
		chromedp.KeyEvent(kb("Tab"))))
	waitUntil(t, tctx, `document.getElementById("t0-paid_min-error").textContent !== ""`, 10*time.Second)
	assert.Contains(t, textOf(t, tctx, `#live-status`), "problem", "the live check says so where a screen reader hears it")
	invalid, err := chromedp.Run(tctx, chromedp.Evaluate[string](`document.getElementById("t0-paid_min").getAttribute("aria-invalid")`))
	require.NoError(t, err)
	assert.Equal(t, "true", invalid)
	require.NoError(t, chromedp.Do(tctx, chromedp.Click(`#check`), chromedp.WaitVisible(`#problems`)))
	assert.Contains(t, textOf(t, tctx, `#t0-paid_min-error`), "is 480 but the span (540) minus unpaid breaks (30) is 510")
	assert.Contains(t, textOf(t, tctx, `#problems`), "Checked, not saved")
	fits("the set with a problem")
	site.shot(t, tctx, "problem")

	// Fix it, type a break into the spare row, add a second template.
	for _, step := range []struct {
		what string
		do   chromedp.Action[chromedp.Void]
	}{
		{"paid minutes", typeInto(`#t0-paid_min`, "510")},
		{"break name", typeInto(`#t0-b2-name`, "Tea")},
		{"break length", typeInto(`#t0-b2-length`, "15")},
		{"break earliest", typeInto(`#t0-b2-earliest`, "450")},
		{"break latest", typeInto(`#t0-b2-latest`, "500")},
		{"break step", typeInto(`#t0-b2-step`, "15")},
		{"paid break", chromedp.Click(`input[name="t0.b2.paid"]`)},
		{"add a template", chromedp.Steps(chromedp.Click(`#add-template`), chromedp.WaitVisible(`#t1-name`))},
	} {
		sctx, cancel := context.WithTimeout(tctx, 10*time.Second)
		require.NoError(t, chromedp.Do(sctx, step.do), step.what)
		cancel()
	}
	fits("two templates")
	require.NoError(t, chromedp.Do(tctx, typeInto(`#t1-name`, "Weekend"), typeInto(`#t1-span`, "4:00"), typeInto(`#t1-paid_min`, "240"),
		typeInto(`#t1-from`, "14:00"), typeInto(`#t1-to`, "16:00"), typeInto(`#t1-step`, "30"),
		chromedp.Click(`input[name="t1.days"][value="sat"]`), chromedp.Click(`input[name="t1.days"][value="sun"]`),
		chromedp.Click(`#check`)))
	waitUntil(t, tctx, `document.querySelector("#checked, #problems") !== null`, 10*time.Second)
	problems, err := chromedp.Run(tctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll("#problems, .field-error")).filter(function (e) { return e.textContent !== ""; }).map(function (e) { return e.id + ": " + e.textContent; }).join("; ")`))
	require.NoError(t, err)
	require.Empty(t, problems)
	assert.Contains(t, textOf(t, tctx, `#checked`), "no problems found")
	fits("the checked set")

	// Save: back on the list, stored as typed.
	require.NoError(t, chromedp.Do(tctx, chromedp.Click(`#save`), chromedp.WaitVisible(`#sets`)))
	assert.Contains(t, textOf(t, tctx, `main .notice`), "Saved the template set Phone set, version 1.")
	fits("the list")
	site.shot(t, tctx, "list")
	sets, _, err := site.st.FindTemplateSets(ctx, store.Page{Limit: 50})
	require.NoError(t, err)
	var got store.TemplateSet
	for _, s := range sets {
		if s.Name == "Phone set" {
			got = s
		}
	}
	require.NotZero(t, got.ID, "the set is stored")
	require.Len(t, got.Templates.Templates, 2)
	early, weekend := got.Templates.Templates[0], got.Templates.Templates[1]
	assert.Equal(t, 540, early.SpanMin)
	assert.Equal(t, 510, early.PaidMin)
	require.Len(t, early.Breaks, 3)
	assert.Equal(t, "Tea", early.Breaks[2].Name)
	assert.True(t, early.Breaks[2].Paid)
	assert.Equal(t, []string{"sat", "sun"}, weekend.Days)
	assert.Equal(t, 240, weekend.SpanMin)
}
