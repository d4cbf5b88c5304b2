package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/org"
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
