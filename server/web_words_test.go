package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// TestWebEvaluationHistoryInWords: the evaluation's history says what
// changed in words, not as the audit log's JSON.
func TestWebEvaluationHistoryInWords(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Minute)
	d := newDemoSite(t, storetest.OpenSQLite(t), now)
	rc, csrf := d.signInAs(t, org.RoleQAReviewer)
	status, _, body := page(t, rc, "GET", d.url+"/qa", nil)
	require.Equal(t, 200, status, "%s", body)
	m := evalLink.FindStringSubmatch(body)
	require.NotNil(t, m, "the demo reviewer has drafts waiting")
	id := m[1]
	answers := func(version, do, greeting, comment string) url.Values {
		return url.Values{"csrf_token": {csrf}, "version": {version}, "do": {do}, "v.greeting": {greeting}, "v.verification": {"1"}, "v.discovery": {"5"},
			"v.resolution": {"4"}, "v.accuracy": {"1"}, "v.empathy": {"5"}, "v.hold": {"na"}, "v.closing": {"1"}, "comment": {comment}}
	}
	status, _, body = page(t, rc, "POST", d.url+"/qa/evaluations/"+id, answers("1", "submit", "0", "First look."))
	require.Equal(t, 200, status, "%s", body)
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(body)[1]
	change := answers(version, "save", "1", "Listened again.")
	change.Set("reason", "the greeting was there after all")
	status, _, body = page(t, rc, "POST", d.url+"/qa/evaluations/"+id, change)
	require.Equal(t, 200, status, "%s", body)

	history := regexp.MustCompile(`(?s)<h2 id="history">History</h2>.*?</table>`).FindString(body)
	require.NotEmpty(t, history, body)
	assert.Contains(t, history, "<td>Submitted</td>")
	assert.Contains(t, history, "State: draft → submitted")
	assert.Contains(t, history, "<td>Score changed</td>")
	assert.Contains(t, history, "Criterion &#39;Greets and introduces themselves&#39;: No → Yes")
	assert.Contains(t, history, "Comment changed")
	assert.Contains(t, history, "the greeting was there after all")
	assert.NotContains(t, history, `"answers"`, "no raw JSON")
	assert.NotContains(t, history, "<code")
}

// TestWebTrendsBadRangeIsShownByTheFields: a bad date range shows the
// trends page again with the problem next to the range fields.
func TestWebTrendsBadRangeIsShownByTheFields(t *testing.T) {
	w := newWorld(t, storetest.OpenSQLite(t))
	c, _ := signIn(t, w, "qa_reviewer@example.com")
	for _, tc := range []struct {
		name, query, field, want string
	}{
		{"unparsable from", "from=last+week", "from", `id="from-error">&#34;last week&#34; is not a date like 2026-01-05.`},
		{"to before from", "from=2026-03-01&to=2026-02-01", "to", `id="to-error">The end date must be after the start date (2026-03-01).`},
		{"too long", "from=2010-01-01&to=2026-01-01", "from", `id="from-error">The range may span at most five years.`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := page(t, c, "GET", w.srv.URL+"/qa/trends?"+tc.query, nil)
			assert.Equal(t, http.StatusBadRequest, status)
			assert.Contains(t, body, "Quality trends:", "the trends page, not a bare error page")
			assert.Contains(t, body, tc.want)
			assert.Contains(t, body, `aria-describedby="`+tc.field+`-error"`)
			assert.Contains(t, body, "showing the last 12 weeks instead")
		})
	}
	status, _, body := page(t, c, "GET", w.srv.URL+"/qa/trends?from=2026-01-01&to=2026-02-01", nil)
	assert.Equal(t, http.StatusOK, status, body)
	assert.NotContains(t, body, "field-error")
}

// TestWebQAPagesSayWords: answers, disputed criteria, teams, the trends
// clock and a repeated life-cycle action read as words, not stored codes.
func TestWebQAPagesSayWords(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Minute)
	d := newDemoSite(t, storetest.OpenSQLite(t), now)
	rc, csrf := d.signInAs(t, org.RoleQAReviewer)
	_, _, body := page(t, rc, "GET", d.url+"/qa", nil)
	m := evalLink.FindStringSubmatch(body)
	require.NotNil(t, m, "the demo reviewer has drafts waiting")
	id := m[1]
	eval := d.url + "/qa/evaluations/" + id
	status, _, body := page(t, rc, "POST", eval, url.Values{"csrf_token": {csrf}, "version": {"1"}, "do": {"submit"}, "v.greeting": {"1"}, "v.verification": {"1"},
		"v.discovery": {"3"}, "v.resolution": {"4"}, "v.accuracy": {"1"}, "v.empathy": {"5"}, "v.hold": {"na"}, "v.closing": {"0"}})
	require.Equal(t, 200, status, "%s", body)
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(body)[1]
	release := url.Values{"csrf_token": {csrf}, "version": {version}, "do": {"release"}}
	status, _, body = page(t, rc, "POST", eval, release)
	require.Equal(t, 200, status, "%s", body)
	require.Contains(t, body, "Released to the agent.")

	// Back, then Release again: nothing happens, and the page says so kindly.
	status, _, body = page(t, rc, "POST", eval, release)
	assert.Equal(t, http.StatusConflict, status)
	assert.Contains(t, body, `This evaluation was already released; nothing changed. <a href="/qa">Back to the QA overview</a>`)
	assert.NotContains(t, body, "transition not allowed")
	assert.NotContains(t, body, "is stale")

	// Released, the answers read as words: Yes/No, "3 of 5", N/A.
	row := func(body, title string) string {
		return regexp.MustCompile(`(?s)<strong id="label-[a-z]+">` + regexp.QuoteMeta(title) + `</strong>.*?</tr>`).FindString(body)
	}
	assert.Regexp(t, `<td data-label="Answer">\s*Yes\s*</td>`, row(body, "Greets and introduces themselves"))
	assert.Regexp(t, `<td data-label="Answer">\s*3 of 5\s*</td>`, row(body, "Finds the real need"))
	assert.NotRegexp(t, `<td data-label="Answer">\s*1\s*</td>`, row(body, "Greets and introduces themselves"), "not the stored 1")

	// The agent disputes two criteria; everyone reads their titles.
	ac, acsrf := d.signInAs(t, org.RoleAgent)
	_, _, body = page(t, ac, "GET", d.url+"/me/quality", nil)
	var mine string
	for _, m := range evalLink.FindAllStringSubmatch(body, -1) {
		if _, _, b := page(t, ac, "GET", d.url+"/qa/evaluations/"+m[1], nil); strings.Contains(b, `id="dispute-form"`) {
			mine = d.url + "/qa/evaluations/" + m[1]
			assert.Contains(t, b, "You can dispute up to 14 d after release.")
			break
		}
	}
	require.NotEmpty(t, mine, "the demo agent has a released evaluation to dispute: %s", body)
	status, _, body = page(t, ac, "POST", mine+"/dispute", url.Values{"csrf_token": {acsrf}, "d.discovery": {"on"}, "p.discovery": {"5"},
		"dc.discovery": {"I asked three open questions."}, "d.closing": {"on"}, "p.closing": {"1"}, "dc.closing": {"I offered more help."}})
	require.Equal(t, 200, status, "%s", body)
	assert.Contains(t, body, "Finds the real need: proposes 5 of 5 — I asked three open questions.")
	status, _, body = page(t, rc, "GET", d.url+"/qa", nil)
	require.Equal(t, 200, status, "%s", body)
	assert.Contains(t, body, "<td>Finds the real need, ")
	assert.NotContains(t, body, "<td>discovery ")
	_, _, body = page(t, rc, "GET", mine, nil)
	assert.Regexp(t, `name="a.discovery"> Finds the real need → 5 of 5</label>`, body)

	// The agent's held coaching session: criteria by title; acknowledging
	// twice (Back, then the button again) says it was done already.
	_, _, body = page(t, ac, "GET", d.url+"/me/quality", nil)
	coaching := regexp.MustCompile(`href="/qa/coaching/(\d+)"`).FindStringSubmatch(body)
	require.NotNil(t, coaching)
	status, _, body = page(t, ac, "GET", d.url+"/qa/coaching/"+coaching[1], nil)
	require.Equal(t, 200, status, "%s", body)
	assert.Contains(t, body, `<span class="tag">Finds the real need</span> <span class="tag">Shows empathy</span>`)
	ack := url.Values{"csrf_token": {acsrf}, "version": {regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(body)[1]}, "do": {"acknowledge"}}
	status, _, body = page(t, ac, "POST", d.url+"/qa/coaching/"+coaching[1], ack)
	require.Equal(t, 200, status, "%s", body)
	status, _, body = page(t, ac, "POST", d.url+"/qa/coaching/"+coaching[1], ack)
	assert.Equal(t, http.StatusConflict, status)
	assert.Contains(t, body, `This coaching session was already acknowledged; nothing changed. <a href="/me/quality">Back to your quality page</a>`)

	// The supervisor: teams by name.
	sc, _ := d.signInAs(t, org.RoleSupervisor)
	status, _, body = page(t, sc, "GET", d.url+"/team/quality", nil)
	require.Equal(t, 200, status, "%s", body)
	assert.Regexp(t, `<a href="/qa/trends\?team_id=\d+">Quality trends of [A-Z][a-z]+</a>`, body)
	assert.NotContains(t, body, "Trends of team ")

	// The agent's trends: weeks on the agent's own clock, never UTC.
	status, _, body = page(t, ac, "GET", d.url+"/qa/trends", nil)
	require.Equal(t, 200, status, "%s", body)
	assert.Contains(t, body, "weeks start Monday, on the America/Chicago clock")
	assert.Contains(t, body, ">Week (weeks start Monday, on the America/Chicago clock)</text>", "the chart's axis")
	assert.NotContains(t, body, "Local time (UTC)")
	assert.Contains(t, body, `<th scope="row">Greets and introduces themselves</th>`, "criteria by title")
}

// TestWebPlannerPagesSayWords: service targets, handle times and forecast
// methods in words on the planner's pages.
func TestWebPlannerPagesSayWords(t *testing.T) {
	w := newWorld(t, storetest.OpenSQLite(t))
	ctx := t.Context()
	email, err := w.st.CreateQueue(ctx, org.Queue{Name: "Email", ChannelID: w.channel.ID, Timezone: "Europe/Lisbon", ServiceLevelPct: 90,
		ResponseWithinSec: 86400, DefaultAHTSec: 420, ChatConcurrency: 1, IntervalMin: 30})
	require.NoError(t, err)
	t0 := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
	_, err = w.st.CreateForecast(ctx, store.Forecast{QueueID: email.ID, Method: "snaive+dshw+ewm", IntervalMin: 30, StartAt: t0, EndAt: t0.Add(time.Hour),
		HistoryFrom: t0.AddDate(0, 0, -28), HistoryTo: t0}, []store.ForecastPoint{{StartAt: t0, Contacts: 10}, {StartAt: t0.Add(30 * time.Minute), Contacts: 12}})
	require.NoError(t, err)
	c, _ := signIn(t, w, "planner@example.com")
	status, _, body := page(t, c, "GET", w.srv.URL+"/planner", nil)
	require.Equal(t, 200, status, body)
	assert.Contains(t, body, "90% answered within 24 h")
	assert.Contains(t, body, "80% answered within 20 s")
	assert.Contains(t, body, "<td>7 min</td>", "handle time 420 s")
	assert.Contains(t, body, `<span title="snaive+dshw+ewm">Seasonal naive + double-seasonal Holt-Winters + EWM blend</span>`)
	assert.NotContains(t, body, "86400")
	status, _, body = page(t, c, "GET", w.srv.URL+"/planner/queues/"+itoa(email.ID), nil)
	require.Equal(t, 200, status, body)
	assert.Contains(t, body, "90% answered within 24 h")
	assert.NotContains(t, body, "24h0m0s")
	assert.Contains(t, body, "<dd>7 min</dd>")
	assert.Contains(t, body, `by <strong><span title="snaive+dshw+ewm">Seasonal naive + double-seasonal Holt-Winters + EWM blend</span></strong>`)
	assert.NotContains(t, body, ">snaive+dshw+ewm<")
}
