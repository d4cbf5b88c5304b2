package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server"
	"github.com/peakwise/peakwise/server/demo"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// demoSite is the demo contact center behind a real server.
type demoSite struct {
	st     *store.Store
	url    string
	logins map[org.Role]demo.Login
}

func newDemoSite(t testing.TB, st *store.Store, now time.Time) *demoSite {
	ctx := context.Background()
	logins, err := demo.Seed(ctx, st, 42, now)
	require.NoError(t, err)
	srv := httptest.NewServer(newServer(t, st, server.Config{Now: func() time.Time { return now }}).Handler())
	t.Cleanup(srv.Close)
	d := &demoSite{st: st, url: srv.URL, logins: map[org.Role]demo.Login{}}
	for _, l := range logins {
		d.logins[l.Role] = l
	}
	return d
}

// signInAs signs a demo user in with a browser-like client.
func (d *demoSite) signInAs(t *testing.T, role org.Role) (*http.Client, string) {
	t.Helper()
	c := browser(t)
	l := d.logins[role]
	status, _, body := page(t, c, "POST", d.url+"/login", url.Values{"email": {l.Email}, "password": {l.Password}})
	require.Equal(t, 200, status, "%s", body)
	m := csrfField.FindStringSubmatch(body)
	require.NotNil(t, m, "%s", body)
	return c, m[1]
}

var evalLink = regexp.MustCompile(`href="/qa/evaluations/(\d+)"`)

func TestWebQAReviewerScoresAndAgentResponds(t *testing.T) {
	// The real clock: browser cookies expire by it.
	now := time.Now().UTC().Truncate(time.Minute)
	d := newDemoSite(t, storetest.OpenSQLite(t), now)
	rc, csrf := d.signInAs(t, org.RoleQAReviewer)
	status, _, body := page(t, rc, "GET", d.url+"/qa", nil)
	require.Equal(t, 200, status, "%s", body)
	assert.Contains(t, body, "My evaluation queue")
	assert.Contains(t, body, "Dispute inbox")
	m := evalLink.FindStringSubmatch(body)
	require.NotNil(t, m, "the demo reviewer has drafts waiting")
	id := m[1]

	status, _, body = page(t, rc, "GET", d.url+"/qa/evaluations/"+id, nil)
	require.Equal(t, 200, status, "%s", body)
	assert.Contains(t, body, "critical")
	assert.Contains(t, body, "auto-fail")
	assert.Contains(t, body, `value="na"`, "N/A is offered where allowed")

	// The live score: answered criteria only, the rest counted as not yet answered.
	form := url.Values{"csrf_token": {csrf}, "v.greeting": {"1"}, "v.verification": {"1"}}
	req, err := http.NewRequest("POST", d.url+"/qa/evaluations/"+id+"/preview", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := rc.Do(req)
	require.NoError(t, err)
	var preview struct {
		Total      *float64 `json:"total"`
		Outcome    string   `json:"outcome"`
		Unanswered int      `json:"unanswered"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&preview))
	res.Body.Close()
	require.NotNil(t, preview.Total)
	assert.Equal(t, 100.0, *preview.Total)
	assert.Equal(t, 6, preview.Unanswered)
	assert.Equal(t, "incomplete", preview.Outcome, "no pass while criteria are unanswered")

	// Submitting without every answer names the missing criteria next to them.
	status, _, body = page(t, rc, "POST", d.url+"/qa/evaluations/"+id, url.Values{"csrf_token": {csrf}, "version": {"1"}, "do": {"submit"},
		"v.greeting": {"1"}})
	assert.Equal(t, http.StatusUnprocessableEntity, status, "%s", body)
	assert.Contains(t, body, "field-error")

	// The failed submit kept the answers given (version 2), as a save would.
	full := url.Values{"csrf_token": {csrf}, "version": {"2"}, "do": {"submit"}, "v.greeting": {"1"}, "v.verification": {"1"}, "v.discovery": {"5"},
		"v.resolution": {"4"}, "v.accuracy": {"1"}, "v.empathy": {"5"}, "v.hold": {"na"}, "v.closing": {"1"}, "c.empathy": {"Warm and calm."}}
	status, _, body = page(t, rc, "POST", d.url+"/qa/evaluations/"+id, full)
	require.Equal(t, 200, status, "%s", body)
	assert.Contains(t, body, "Submitted.")
	assert.Contains(t, body, "100.00")
	assert.Contains(t, body, "Release to the agent")

	for _, p := range []string{"/qa/trends", "/qa/scorecards", "/qa/coaching/new?evaluation=" + id} {
		status, _, body := page(t, rc, "GET", d.url+p, nil)
		assert.Equal(t, 200, status, "%s: %s", p, body)
	}
	status, _, body = page(t, rc, "GET", d.url+"/qa/trends", nil)
	assert.Contains(t, body, "<svg", "the trend chart is drawn")

	// The agent: released evaluations and the held coaching session to acknowledge.
	ac, acsrf := d.signInAs(t, org.RoleAgent)
	status, _, body = page(t, ac, "GET", d.url+"/me/quality", nil)
	require.Equal(t, 200, status, "%s", body)
	assert.Contains(t, body, "to acknowledge")
	assert.NotContains(t, body, "Private:", "private coaching notes stay with coaches")
	coaching := regexp.MustCompile(`href="/qa/coaching/(\d+)"`).FindStringSubmatch(body)
	require.NotNil(t, coaching)
	status, _, body = page(t, ac, "GET", d.url+"/qa/coaching/"+coaching[1], nil)
	require.Equal(t, 200, status, "%s", body)
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(body)
	require.NotNil(t, version)
	status, _, body = page(t, ac, "POST", d.url+"/qa/coaching/"+coaching[1], url.Values{"csrf_token": {acsrf}, "version": {version[1]}, "do": {"acknowledge"}})
	require.Equal(t, 200, status, "%s", body)
	assert.Contains(t, body, "Acknowledged")

	// The reviewer's draft is not the agent's to see; nor is anyone else's evaluation.
	status, _, _ = page(t, ac, "GET", d.url+"/qa/evaluations/"+id, nil)
	assert.Equal(t, http.StatusNotFound, status)
	status, _, _ = page(t, ac, "GET", d.url+"/qa", nil)
	assert.Equal(t, http.StatusForbidden, status)

	// The supervisor sees the team's overdue coaching; the planner sees no QA data.
	sc, _ := d.signInAs(t, org.RoleSupervisor)
	status, _, body = page(t, sc, "GET", d.url+"/team/quality", nil)
	require.Equal(t, 200, status, "%s", body)
	assert.Contains(t, body, "Hold etiquette")
	status, _, body = page(t, sc, "GET", d.url+"/team", nil)
	require.Equal(t, 200, status, "%s", body)
	assert.Regexp(t, `<td>\d\d:\d\d–\d\d:\d\d</td>`, body, "the team's published shifts this week")
	pc, _ := d.signInAs(t, org.RolePlanner)
	for _, p := range []string{"/qa", "/qa/trends", "/qa/evaluations/" + id, "/team/quality"} {
		status, _, _ := page(t, pc, "GET", d.url+p, nil)
		assert.Contains(t, []int{http.StatusForbidden, http.StatusNotFound}, status, p)
	}
}

func TestWebQACalibrationReportAndScorecardEditor(t *testing.T) {
	// The real clock: browser cookies expire by it.
	now := time.Now().UTC().Truncate(time.Minute)
	d := newDemoSite(t, storetest.OpenSQLite(t), now)
	ctx := context.Background()
	sessions, _, err := d.st.FindCalibrations(ctx, store.Page{})
	require.NoError(t, err)
	require.Len(t, sessions, 1)
	require.Equal(t, qa.CalibrationClosed, sessions[0].State)
	rc, csrf := d.signInAs(t, org.RoleQAReviewer)
	status, _, body := page(t, rc, "GET", d.url+"/qa/calibrations/"+itoa(sessions[0].ID), nil)
	require.Equal(t, 200, status, "%s", body)
	assert.Contains(t, body, "Krippendorff")
	assert.Contains(t, body, "Mean absolute deviation")

	cards, _, err := d.st.FindScorecards(ctx, store.ScorecardFilter{})
	require.NoError(t, err)
	require.Len(t, cards, 1)
	id := itoa(cards[0].ID)
	status, _, body = page(t, rc, "GET", d.url+"/qa/scorecards/"+id+"/edit", nil)
	require.Equal(t, 200, status, "%s", body)
	// A bad threshold comes back next to the field; nothing is saved.
	status, _, body = page(t, rc, "POST", d.url+"/qa/scorecards/"+id+"/edit", url.Values{"csrf_token": {csrf}, "revision": {itoa(int64(cards[0].Revision))},
		"name": {"Customer conversation"}, "pass_threshold": {"150"}, "sections_json": {`[{"key":"a","title":"A","weight":1,"criteria":[{"key":"x","title":"X","weight":1,"scale":"yes_no"}]}]`}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, "pass_threshold-error")
	status, _, body = page(t, rc, "POST", d.url+"/qa/scorecards/"+id+"/edit", url.Values{"csrf_token": {csrf}, "revision": {itoa(int64(cards[0].Revision))},
		"name": {"Customer conversation"}, "pass_threshold": {"75"}, "sections_json": {`[{"key":"a","title":"A","weight":1,"criteria":[{"key":"x","title":"X","weight":1,"scale":"yes_no"}]}]`}})
	require.Equal(t, 200, status, "%s", body)
	assert.Contains(t, body, "version 2", "the demo scorecard has evaluations, so the edit is a new version")
}
