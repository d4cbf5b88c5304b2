package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// TestBrowserQualityFlow walks quality monitoring in Chromium on the demo:
// the reviewer opens the first evaluation in their queue, answers every
// criterion and watches the live score, submits and releases it, and reads
// calibration, trends and scorecards; the agent reads their evaluations,
// acknowledges the held coaching session, and finds the reviewer's queue
// closed to them and another agent's evaluation not found (its URL typed in); the supervisor reads the team's quality.
// PEAKWISE_SCREENSHOTS=1 saves docs/screenshots/qa-*.png.
func TestBrowserQualityFlow(t *testing.T) {
	site := startBrowserSite(t, 11, false, "qa-")
	base := site.base
	tctx := site.tab(t, 120*time.Second)
	shot := site.shot
	signIn := func(t *testing.T, role org.Role) { site.signIn(t, tctx, role) }
	signOut := func(t *testing.T) { site.signOut(t, tctx) }
	text := func(t *testing.T, sel string) string { return textOf(t, tctx, sel) }

	t.Run("reviewer scores an interaction and sees the score", func(t *testing.T) {
		signIn(t, org.RoleQAReviewer)
		assert.Equal(t, "Quality", text(t, `main h1`))
		shot(t, tctx, "queue")
		require.NoError(t, chromedp.Do(tctx, chromedp.Click(`section[aria-labelledby="queue"] tbody tr:first-child a`), chromedp.WaitVisible(`#evaluation-form`)))
		// Answer every criterion with its best value, as a reviewer clicking through the form.
		require.NoError(t, chromedp.Do(tctx, chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('#evaluation-form fieldset.choices').forEach(function (fs) {
			var best = null;
			fs.querySelectorAll('input[type=radio]').forEach(function (r) { if (r.value !== 'na' && (best === null || +r.value > +best.value)) { best = r; } });
			best.click();
			best.dispatchEvent(new Event('change', {bubbles: true}));
		})`)))
		require.NoError(t, chromedp.Do(tctx, chromedp.Poll[chromedp.Void](`document.getElementById('live-total').textContent === '100.00' &&
			document.getElementById('live-note').textContent === ''`, chromedp.WithPollingTimeout(10*time.Second))),
			"the live score follows the clicks until every criterion is answered")
		shot(t, tctx, "evaluation")
		require.NoError(t, chromedp.Do(tctx, chromedp.Click(`button[name="do"][value="submit"]`), chromedp.WaitVisible(`button[name="do"][value="release"]`)))
		assert.Contains(t, text(t, `p.notice`), "Submitted")
		assert.Equal(t, "100.00", text(t, `#live-total`), "the stored score")
		require.NoError(t, chromedp.Do(tctx, chromedp.Click(`button[name="do"][value="release"]`), chromedp.WaitNotPresent(`button[name="do"][value="release"]`)))
		assert.Contains(t, text(t, `p.notice`), "Released")
		for _, page := range []struct{ path, name, heading string }{
			{"/qa/trends", "trends", "Quality trends"},
			{"/qa/scorecards", "scorecards", "Scorecards"},
		} {
			require.NoError(t, chromedp.Do(tctx, chromedp.Navigate(base+page.path), chromedp.WaitVisible(`main h1`)))
			assert.Contains(t, text(t, `main h1`), page.heading)
			shot(t, tctx, page.name)
		}
		require.NoError(t, chromedp.Do(tctx, chromedp.Navigate(base+"/qa"), chromedp.WaitVisible(`main h1`),
			chromedp.Click(`section[aria-labelledby="calibration"] a`), chromedp.WaitVisible(`#report`)))
		assert.Contains(t, text(t, `main`), "Krippendorff")
		shot(t, tctx, "calibration")
		signOut(t)
	})

	t.Run("reviewer filters the queue and opens a calibration session at 390 px", func(t *testing.T) {
		ctx := context.Background()
		signIn(t, org.RoleQAReviewer)
		// mark marks the page shown; WaitNotPresent(marked) then waits for the next one.
		const marked = `body[data-stale]`
		mark := chromedp.Evaluate[chromedp.Void](`document.body.setAttribute("data-stale", "1")`)
		noSideways := func(t *testing.T, what string) {
			t.Helper()
			overflow, err := chromedp.Run(tctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
			require.NoError(t, err)
			assert.False(t, overflow, "%s scrolls sideways at 390 px", what)
		}
		all, _, err := site.st.FindEvaluations(ctx, store.EvaluationFilter{Page: store.Page{Limit: 100}})
		require.NoError(t, err)
		require.NotEmpty(t, all)
		agent, err := site.st.FindAgentByID(ctx, all[0].AgentID)
		require.NoError(t, err)
		require.NoError(t, chromedp.Do(tctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/qa"), chromedp.WaitVisible(`main h1`),
			chromedp.SetValue(`#q-reviewer`, "any"), chromedp.SetValue(`#q-state`, "any"), chromedp.SetValue(`#q-agent`, fmt.Sprint(agent.ID)),
			// Enter in a field submits the filter, as a keyboard user would.
			mark, chromedp.Focus(`#from`), chromedp.KeyEvent(kb("Enter")), chromedp.WaitNotPresent(marked), chromedp.WaitVisible(`#queue-count`)))
		loc, err := chromedp.Run(tctx, chromedp.Location())
		require.NoError(t, err)
		assert.Contains(t, loc, fmt.Sprintf("agent_id=%d", agent.ID), "the filter is in the URL")
		assert.Contains(t, loc, "state=any")
		agents, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('section[aria-labelledby="queue"] td[data-label="Agent"]')).map(function (td) { return td.textContent; })`))
		require.NoError(t, err)
		require.NotEmpty(t, agents)
		for _, a := range agents {
			assert.Equal(t, agent.Name, a)
		}
		noSideways(t, "the filtered queue")
		shot(t, tctx, "queue-filtered-phone")

		// Search the interactions, pick two and open a calibration session.
		require.NoError(t, chromedp.Do(tctx, chromedp.Navigate(base+"/qa/interactions"), chromedp.WaitVisible(`main h1`),
			mark, chromedp.SendKeys(`#q`, "demo-0"), chromedp.KeyEvent(kb("Enter")), chromedp.WaitNotPresent(marked), chromedp.WaitVisible(`#pick`)))
		loc, err = chromedp.Run(tctx, chromedp.Location())
		require.NoError(t, err)
		assert.Contains(t, loc, "q=demo-0")
		noSideways(t, "the interactions")
		shot(t, tctx, "interactions-phone")
		require.NoError(t, chromedp.Do(tctx, chromedp.Click(`#pick tbody tr:nth-child(1) input[type=checkbox]`), chromedp.Click(`#pick tbody tr:nth-child(2) input[type=checkbox]`),
			mark, chromedp.Click(`#pick button[type=submit]`), chromedp.WaitNotPresent(marked), chromedp.WaitVisible(`#name`)))
		picked, err := chromedp.Run(tctx, chromedp.Evaluate[int](`document.querySelectorAll('#interactions input[name=interaction]:checked').length`))
		require.NoError(t, err)
		assert.Equal(t, 2, picked, "the two picked interactions come ticked")
		noSideways(t, "the new calibration form")
		// Without a name and a second rater the form comes back with the reasons beside the fields.
		require.NoError(t, chromedp.Do(tctx, mark, chromedp.Click(`form[action="/qa/calibrations"] button[type=submit]`), chromedp.WaitNotPresent(marked), chromedp.WaitVisible(`#name-error`)))
		assert.Equal(t, "is required", text(t, `#name-error`))
		assert.Contains(t, text(t, `#reviewer_ids-error`), "at least two raters")
		admin, _, err := site.st.FindUserByEmail(ctx, site.logins[org.RoleAdmin].Email)
		require.NoError(t, err)
		require.NoError(t, chromedp.Do(tctx, chromedp.SendKeys(`#name`, "Browser calibration"), chromedp.SetValue(`#calibrator_id`, fmt.Sprint(admin.ID)),
			mark, chromedp.Click(`form[action="/qa/calibrations"] button[type=submit]`), chromedp.WaitNotPresent(marked), chromedp.WaitVisible(`main table`)))
		assert.Equal(t, "Calibration: Browser calibration", text(t, `main h1`))
		assert.Contains(t, text(t, `main`), "2 interactions")
		noSideways(t, "the new session")
		shot(t, tctx, "calibration-new-phone")
		require.NoError(t, chromedp.Do(tctx, chromedp.Navigate(base+"/qa"), chromedp.WaitVisible(`main h1`)))
		assert.Contains(t, text(t, `section[aria-labelledby="calibration"]`), "Browser calibration", "the list shows the new session")
		require.NoError(t, chromedp.Do(tctx, chromedp.EmulateViewport(1200, 900)))
		signOut(t)
	})

	t.Run("reviewer edits a scorecard through the form at 390 px", func(t *testing.T) {
		ctx := context.Background()
		signIn(t, org.RoleQAReviewer)
		cards, _, err := site.st.FindScorecards(ctx, store.ScorecardFilter{})
		require.NoError(t, err)
		require.NotEmpty(t, cards)
		card := cards[0]
		last := len(card.Sections[0].Criteria) // the empty row that ends the first section
		row := fmt.Sprintf("#s0-c%d", last)
		require.NoError(t, chromedp.Do(tctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/qa/scorecards"), chromedp.WaitVisible(`main h1`),
			chromedp.Click(fmt.Sprintf(`a[href="/qa/scorecards/%d/edit"]`, card.ID)), chromedp.WaitVisible(`#scorecard-form`)))
		overflow, err := chromedp.Run(tctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
		require.NoError(t, err)
		assert.False(t, overflow, "the scorecard editor scrolls sideways at 390 px")
		// A word for a weight: the live check names it beside the field, unsaved.
		require.NoError(t, chromedp.Do(tctx, chromedp.SetValue(`#s0-c0-weight`, "heavy"),
			chromedp.Evaluate[chromedp.Void](`document.getElementById('s0-c0-weight').dispatchEvent(new Event('change', {bubbles: true}))`),
			chromedp.Poll[chromedp.Void](`document.getElementById('s0-c0-weight-error').textContent === 'must be a whole number'`, chromedp.WithPollingTimeout(10*time.Second))),
			"the live check shows the reason beside the weight")
		invalid, err := chromedp.Run(tctx, chromedp.Evaluate[string](`document.getElementById("s0-c0-weight").getAttribute("aria-invalid")`))
		require.NoError(t, err)
		assert.Equal(t, "true", invalid)
		shot(t, tctx, "scorecard-error-phone")
		// Fix it, fill in the empty row by keyboard, and save with Enter.
		require.NoError(t, chromedp.Do(tctx, chromedp.SetValue(`#s0-c0-weight`, "2"),
			chromedp.Evaluate[chromedp.Void](`document.getElementById('s0-c0-weight').dispatchEvent(new Event('change', {bubbles: true}))`),
			chromedp.Poll[chromedp.Void](`document.getElementById('s0-c0-weight-error').textContent === ''`, chromedp.WithPollingTimeout(10*time.Second)),
			chromedp.SendKeys(row+"-title", "Thanks the customer"), chromedp.SetValue(row+"-scale", "1-3"),
			chromedp.Click(row+`-title`), chromedp.KeyEvent(kb("Enter")), chromedp.WaitVisible(`p.notice`)))
		assert.Contains(t, text(t, `p.notice`), "Saved "+card.Name)
		cards, _, err = site.st.FindScorecards(ctx, store.ScorecardFilter{})
		require.NoError(t, err)
		var saved qa.Scorecard
		for _, c := range cards {
			if c.FamilyID == card.FamilyID && c.Latest {
				saved = c
			}
		}
		require.Len(t, saved.Sections[0].Criteria, last+1)
		assert.Equal(t, 2, saved.Sections[0].Criteria[0].Weight)
		assert.Equal(t, qa.Criterion{Key: "thanks_the_customer", Title: "Thanks the customer", Weight: 1, Scale: qa.Points3}, saved.Sections[0].Criteria[last])
		require.NoError(t, chromedp.Do(tctx, chromedp.EmulateViewport(1200, 900)))
		signOut(t)
	})

	t.Run("agent acknowledges a coaching note", func(t *testing.T) {
		signIn(t, org.RoleAgent)
		require.NoError(t, chromedp.Do(tctx, chromedp.Navigate(base+"/me/quality"), chromedp.WaitVisible(`main h1`)))
		page := text(t, `main`)
		assert.Contains(t, page, "to acknowledge")
		assert.NotContains(t, page, "Private:", "private notes stay with coaches")
		shot(t, tctx, "agent")
		require.NoError(t, chromedp.Do(tctx, chromedp.Click(`section[aria-labelledby="coaching"] li a`), chromedp.WaitVisible(`main h1`)))
		require.NoError(t, chromedp.Do(tctx, chromedp.Click(`button[name="do"][value="acknowledge"]`), chromedp.WaitNotPresent(`button[name="do"][value="acknowledge"]`)))
		assert.Contains(t, text(t, `main section`), "Acknowledged")
		require.NoError(t, chromedp.Do(tctx, chromedp.Navigate(base+"/qa"), chromedp.WaitVisible(`main h1`)))
		assert.Equal(t, "Forbidden", text(t, `main h1`), "the reviewer's queue is not the agent's")
		// Another agent's released evaluation, typed into the address bar, is not there for this agent.
		ctx := context.Background()
		me, _, err := site.st.FindUserByEmail(ctx, site.logins[org.RoleAgent].Email)
		require.NoError(t, err)
		require.NotNil(t, me.AgentID)
		released, _, err := site.st.FindEvaluations(ctx, store.EvaluationFilter{States: []qa.EvalState{qa.EvalReleased}, Page: store.Page{Limit: 100}})
		require.NoError(t, err)
		var theirs int64
		for _, e := range released {
			if e.AgentID != *me.AgentID {
				theirs = e.ID
				break
			}
		}
		require.NotZero(t, theirs, "the demo has released evaluations of other agents")
		require.NoError(t, chromedp.Do(tctx, chromedp.Navigate(fmt.Sprintf("%s/qa/evaluations/%d", base, theirs)), chromedp.WaitVisible(`main h1`)))
		assert.Contains(t, []string{"Not Found", "Forbidden"}, text(t, `main h1`), "another agent's evaluation")
		assert.NotContains(t, text(t, `main`), "Submitted", "nothing of it shows")
		// At phone width the agent's pages fit without scrolling sideways.
		for _, path := range []string{"/me", "/me/quality"} {
			require.NoError(t, chromedp.Do(tctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+path), chromedp.WaitVisible(`main h1`)))
			overflow, err := chromedp.Run(tctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
			require.NoError(t, err)
			assert.False(t, overflow, "%s scrolls sideways at 390 px", path)
		}
		shot(t, tctx, "agent-phone")
		require.NoError(t, chromedp.Do(tctx, chromedp.EmulateViewport(1200, 900)))
		signOut(t)
	})

	t.Run("supervisor reads the team's quality", func(t *testing.T) {
		signIn(t, org.RoleSupervisor)
		require.NoError(t, chromedp.Do(tctx, chromedp.Navigate(base+"/team/quality"), chromedp.WaitVisible(`main h1`)))
		assert.Contains(t, text(t, `main`), "Hold etiquette", "the overdue coaching session")
		shot(t, tctx, "team")
		signOut(t)
	})
}
