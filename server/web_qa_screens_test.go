package server_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

var (
	agentCell = regexp.MustCompile(`data-label="Agent">([^<]*)<`)
	stateCell = regexp.MustCompile(`data-label="State">([^<]*)<`)
	nextPage  = regexp.MustCompile(`href="([^"]*)" rel="next"`)
)

// TestWebQAQueueFilters filters the evaluation queue by agent, team,
// scorecard, state and days, pages through it with the filter kept, and
// shows a bad range next to its field.
func TestWebQAQueueFilters(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Minute)
	d := newDemoSite(t, storetest.OpenSQLite(t), now)
	ctx := context.Background()
	rc, _ := d.signInAs(t, org.RoleQAReviewer)

	status, _, body := page(t, rc, "GET", d.url+"/qa", nil)
	require.Equal(t, 200, status, "%s", body)
	assert.Contains(t, body, "My evaluation queue")
	for _, m := range stateCell.FindAllStringSubmatch(body, -1) {
		assert.Equal(t, "Draft", m[1], "the default queue is the reviewer's drafts")
	}

	all, total, err := d.st.FindEvaluations(ctx, store.EvaluationFilter{Page: store.Page{Limit: 500}})
	require.NoError(t, err)
	require.Greater(t, total, 50, "the demo has more than a page of evaluations")
	e := all[0]
	agent, err := d.st.FindAgentByID(ctx, e.AgentID)
	require.NoError(t, err)

	t.Run("by agent and state, anyone's", func(t *testing.T) {
		q := url.Values{"reviewer": {"any"}, "state": {string(e.State)}, "agent_id": {itoa(e.AgentID)}}
		status, _, body := page(t, rc, "GET", d.url+"/qa?"+q.Encode(), nil)
		require.Equal(t, 200, status, "%s", body)
		cells := agentCell.FindAllStringSubmatch(body, -1)
		require.NotEmpty(t, cells)
		for _, m := range cells {
			assert.Equal(t, html.EscapeString(agent.Name), m[1])
		}
		for _, m := range stateCell.FindAllStringSubmatch(body, -1) {
			st := string(e.State)
			assert.Equal(t, strings.ToUpper(st[:1])+st[1:], m[1])
		}
		assert.Contains(t, body, `<option value="`+itoa(e.AgentID)+`" selected>`, "the filter stays filled in")
	})
	t.Run("by team and scorecard, paged with the filter kept", func(t *testing.T) {
		sc, err := d.st.FindScorecardByID(ctx, e.ScorecardID)
		require.NoError(t, err)
		q := url.Values{"reviewer": {"any"}, "state": {"any"}, "team_id": {itoa(*e.TeamID)}, "scorecard_id": {itoa(sc.FamilyID)}}
		_, want, err := d.st.FindEvaluations(ctx, store.EvaluationFilter{TeamID: *e.TeamID, ScorecardFamilyID: sc.FamilyID})
		require.NoError(t, err)
		status, _, body := page(t, rc, "GET", d.url+"/qa?"+q.Encode(), nil)
		require.Equal(t, 200, status, "%s", body)
		assert.Contains(t, body, " of "+itoa(int64(want))+",", "the count of the filtered queue")
		if want > 50 {
			m := nextPage.FindStringSubmatch(body)
			require.NotNil(t, m, "a next page")
			next, err := url.Parse(html.UnescapeString(m[1]))
			require.NoError(t, err)
			assert.Equal(t, "2", next.Query().Get("page"))
			assert.Equal(t, itoa(*e.TeamID), next.Query().Get("team_id"), "the filter is kept")
			status, _, body = page(t, rc, "GET", d.url+next.String(), nil)
			require.Equal(t, 200, status, "%s", body)
			assert.Contains(t, body, "Evaluations 51–")
		}
	})
	t.Run("by days", func(t *testing.T) {
		day := e.CreatedAt.Format(time.DateOnly)
		q := url.Values{"reviewer": {"any"}, "state": {"any"}, "from": {day}, "to": {day}}
		status, _, body := page(t, rc, "GET", d.url+"/qa?"+q.Encode(), nil)
		require.Equal(t, 200, status, "%s", body)
		assert.NotContains(t, body, "No evaluations match")
		q.Set("from", e.CreatedAt.AddDate(0, 0, 1).Format(time.DateOnly))
		q.Set("to", e.CreatedAt.AddDate(0, 0, 1).Format(time.DateOnly))
		_, n, err := d.st.FindEvaluations(ctx, store.EvaluationFilter{From: e.CreatedAt.Truncate(24*time.Hour).AddDate(0, 0, 1), To: e.CreatedAt.Truncate(24*time.Hour).AddDate(0, 0, 2)})
		require.NoError(t, err)
		if n == 0 {
			_, _, body = page(t, rc, "GET", d.url+"/qa?"+q.Encode(), nil)
			assert.Contains(t, body, "No evaluations match the filter.")
		}
	})
	t.Run("a bad range is shown next to its field", func(t *testing.T) {
		status, _, body := page(t, rc, "GET", d.url+"/qa?from=2026-03-10&to=2026-03-01", nil)
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Contains(t, body, `id="to-error">is before the first day`)
		status, _, body = page(t, rc, "GET", d.url+"/qa?from=soon&state=lost", nil)
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Contains(t, body, `id="from-error">is not a date`)
		assert.Contains(t, body, `id="state-error">choose one of the states listed`)
	})
}

var (
	interactionLink = regexp.MustCompile(`href="/qa/interactions/(\d+)"`)
	idCell          = regexp.MustCompile(`data-label="Id">([^<]*)<`)
)

// TestWebQAPickInteractionAndAssign searches the interactions by part of an
// external id and by agent and days, opens one and assigns it: to the
// reviewer by default (the draft opens, ready to score), to another
// reviewer, and refused with the reason next to the field for a user who
// does not evaluate or a bad due time.
func TestWebQAPickInteractionAndAssign(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		now := time.Now().UTC().Truncate(time.Minute)
		d := newDemoSite(t, st, now)
		ctx := context.Background()
		rc, csrf := d.signInAs(t, org.RoleQAReviewer)
		contacts, _, err := d.st.FindContacts(ctx, store.ContactFilter{Page: store.Page{Limit: 500}})
		require.NoError(t, err)
		ct := contacts[len(contacts)/3]

		status, _, body := page(t, rc, "GET", d.url+"/qa/interactions?q="+url.QueryEscape(strings.ToLower(ct.ExternalID)), nil)
		require.Equal(t, 200, status, "%s", body)
		cells := idCell.FindAllStringSubmatch(body, -1)
		require.Len(t, cells, 1, "the external id names one interaction")
		assert.Equal(t, ct.ExternalID, cells[0][1])
		day := ct.StartedAt.Format(time.DateOnly) // the reviewer's zone is UTC
		q := url.Values{"agent_id": {itoa(ct.AgentID)}, "from": {day}, "to": {day}}
		status, _, body = page(t, rc, "GET", d.url+"/qa/interactions?"+q.Encode(), nil)
		require.Equal(t, 200, status, "%s", body)
		assert.Contains(t, body, ">"+ct.ExternalID+"<")
		for _, m := range idCell.FindAllStringSubmatch(body, -1) {
			found := false
			for _, c := range contacts {
				found = found || (c.ExternalID == m[1] && c.AgentID == ct.AgentID && c.StartedAt.Format(time.DateOnly) == day)
			}
			assert.True(t, found, "%s is the agent's on %s", m[1], day)
		}
		status, _, body = page(t, rc, "GET", d.url+"/qa/interactions?from=2026-02-30", nil)
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Contains(t, body, `id="from-error">is not a date`)

		path := "/qa/interactions/" + itoa(ct.ID)
		status, _, body = page(t, rc, "GET", d.url+path, nil)
		require.Equal(t, 200, status, "%s", body)
		assert.Contains(t, body, "Assign for evaluation")
		assert.Contains(t, body, "<summary>Transcript</summary>", "the transcript helps decide")
		me := d.logins[org.RoleQAReviewer]
		meUser, _, err := d.st.FindUserByEmail(ctx, me.Email)
		require.NoError(t, err)
		assert.Contains(t, body, `<option value="`+itoa(meUser.ID)+`" selected>`, "the reviewer assigns to themselves by default")
		sc := regexp.MustCompile(`name="scorecard_id"[^>]*>\s*<option value="(\d+)"`).FindStringSubmatch(body)
		require.NotNil(t, sc)

		// A due time that is not one, and a user who does not evaluate.
		status, _, body = page(t, rc, "POST", d.url+path+"/evaluate", url.Values{"csrf_token": {csrf}, "scorecard_id": {sc[1]}, "reviewer_id": {itoa(meUser.ID)}, "due_at": {"tomorrow"}})
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Contains(t, body, `id="due_at-error">is not a date and time`)
		agentUser, _, err := d.st.FindUserByEmail(ctx, d.logins[org.RoleAgent].Email)
		require.NoError(t, err)
		status, _, body = page(t, rc, "POST", d.url+path+"/evaluate", url.Values{"csrf_token": {csrf}, "scorecard_id": {sc[1]}, "reviewer_id": {itoa(agentUser.ID)}})
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Contains(t, body, `id="reviewer_id-error">is not a QA reviewer`)
		_, before, err := d.st.FindEvaluations(ctx, store.EvaluationFilter{InteractionID: ct.ID})
		require.NoError(t, err)

		// To themselves: the draft opens, ready to score.
		status, final, body := page(t, rc, "POST", d.url+path+"/evaluate", url.Values{"csrf_token": {csrf}, "scorecard_id": {sc[1]}, "reviewer_id": {itoa(meUser.ID)},
			"due_at": {now.Add(48 * time.Hour).Format("2006-01-02T15:04")}})
		require.Equal(t, 200, status, "%s", body)
		assert.Contains(t, final, "/qa/evaluations/")
		assert.Contains(t, body, "Evaluation assigned.")
		assert.Contains(t, body, `id="evaluation-form"`)
		mine, _, err := d.st.FindEvaluations(ctx, store.EvaluationFilter{InteractionID: ct.ID, ReviewerID: meUser.ID, States: []qa.EvalState{qa.EvalDraft}})
		require.NoError(t, err)
		require.NotEmpty(t, mine)
		assert.NotNil(t, mine[len(mine)-1].DueAt)
		_, all, err := d.st.FindEvaluations(ctx, store.EvaluationFilter{InteractionID: ct.ID})
		require.NoError(t, err)
		assert.Equal(t, before+1, all)

		// To the admin, who also evaluates: back on the interaction, listed there.
		admin, _, err := d.st.FindUserByEmail(ctx, d.logins[org.RoleAdmin].Email)
		require.NoError(t, err)
		status, final, body = page(t, rc, "POST", d.url+path+"/evaluate", url.Values{"csrf_token": {csrf}, "scorecard_id": {sc[1]}, "reviewer_id": {itoa(admin.ID)}})
		require.Equal(t, 200, status, "%s", body)
		assert.Contains(t, final, path)
		assert.Contains(t, body, "Evaluation assigned.")
		assert.Contains(t, body, `data-label="Reviewer">`+html.EscapeString(admin.Name)+`<`)

		// Agents may not open the picker.
		ac, _ := d.signInAs(t, org.RoleAgent)
		status, _, _ = page(t, ac, "GET", d.url+"/qa/interactions", nil)
		assert.Equal(t, http.StatusForbidden, status)
		status, _, _ = page(t, ac, "GET", d.url+path, nil)
		assert.Equal(t, http.StatusForbidden, status)
	})
}

// TestWebQACreateCalibration opens a calibration session from interactions
// picked on the interactions page: a session without a name or with one
// rater comes back with the reasons next to the fields; a good one opens
// with a blind draft per rater and interaction, shows in the list on /qa
// and opens from it.
func TestWebQACreateCalibration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		now := time.Now().UTC().Truncate(time.Minute)
		d := newDemoSite(t, st, now)
		ctx := context.Background()
		rc, csrf := d.signInAs(t, org.RoleQAReviewer)
		me, _, err := d.st.FindUserByEmail(ctx, d.logins[org.RoleQAReviewer].Email)
		require.NoError(t, err)
		admin, _, err := d.st.FindUserByEmail(ctx, d.logins[org.RoleAdmin].Email)
		require.NoError(t, err)

		status, _, body := page(t, rc, "GET", d.url+"/qa/interactions", nil)
		require.Equal(t, 200, status, "%s", body)
		picked := regexp.MustCompile(`name="interaction" value="(\d+)"`).FindAllStringSubmatch(body, 2)
		require.Len(t, picked, 2)
		a, b := picked[0][1], picked[1][1]
		status, _, body = page(t, rc, "GET", d.url+"/qa/calibrations/new?interaction="+a+"&interaction="+b, nil)
		require.Equal(t, 200, status, "%s", body)
		assert.Contains(t, body, `value="`+a+`" id="interaction-`+a+`" checked>`, "the picked interactions are ticked")
		assert.Contains(t, body, `value="`+b+`" id="interaction-`+b+`" checked>`)
		sc := regexp.MustCompile(`name="scorecard_id"[^>]*>\s*<option value="(\d+)"`).FindStringSubmatch(body)
		require.NotNil(t, sc)

		before, _, err := d.st.FindCalibrations(ctx, store.Page{})
		require.NoError(t, err)
		status, _, body = page(t, rc, "POST", d.url+"/qa/calibrations", url.Values{"csrf_token": {csrf}, "name": {"  "}, "scorecard_id": {sc[1]},
			"interaction": {a, b}, "reviewer": {itoa(me.ID)}})
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Contains(t, body, `id="name-error">is required`)
		assert.Contains(t, body, `id="reviewer_ids-error">a calibration needs at least two raters`)
		assert.Contains(t, body, `value="`+a+`" id="interaction-`+a+`" checked>`, "the picks survive the error")
		status, _, body = page(t, rc, "POST", d.url+"/qa/calibrations", url.Values{"csrf_token": {csrf}, "name": {"March calibration"}, "scorecard_id": {sc[1]},
			"reviewer": {itoa(me.ID)}, "calibrator_id": {itoa(me.ID)}})
		assert.Equal(t, http.StatusUnprocessableEntity, status)
		assert.Contains(t, body, `id="interaction_ids-error">name 1 to 50 interactions`)
		assert.Contains(t, body, `id="calibrator_id-error">is also listed as a reviewer`)
		after, _, err := d.st.FindCalibrations(ctx, store.Page{})
		require.NoError(t, err)
		assert.Len(t, after, len(before), "nothing is opened by a refused form")

		status, final, body := page(t, rc, "POST", d.url+"/qa/calibrations", url.Values{"csrf_token": {csrf}, "name": {"March calibration"}, "scorecard_id": {sc[1]},
			"interaction": {a, b}, "reviewer": {itoa(me.ID)}, "calibrator_id": {itoa(admin.ID)}})
		require.Equal(t, 200, status, "%s", body)
		m := regexp.MustCompile(`^/qa/calibrations/(\d+)$`).FindStringSubmatch(final)
		require.NotNil(t, m, final)
		assert.Contains(t, body, "Calibration: March calibration")
		assert.Contains(t, body, "Calibration session opened")
		id, err := strconv.ParseInt(m[1], 10, 64)
		require.NoError(t, err)
		entries, n, err := d.st.FindEvaluations(ctx, store.EvaluationFilter{CalibrationID: id})
		require.NoError(t, err)
		assert.Equal(t, 4, n, "two raters, two interactions")
		for _, e := range entries {
			assert.Equal(t, qa.EvalDraft, e.State)
		}

		status, _, body = page(t, rc, "GET", d.url+"/qa", nil)
		require.Equal(t, 200, status, "%s", body)
		assert.Contains(t, body, `<a href="/qa/calibrations/`+m[1]+`">March calibration</a>`, "listed on /qa")

		// Agents and supervisors may not open sessions.
		sc2, scsrf := d.signInAs(t, org.RoleSupervisor)
		status, _, _ = page(t, sc2, "GET", d.url+"/qa/calibrations/new", nil)
		assert.Equal(t, http.StatusForbidden, status)
		status, _, _ = page(t, sc2, "POST", d.url+"/qa/calibrations", url.Values{"csrf_token": {scsrf}, "name": {"x"}})
		assert.Equal(t, http.StatusForbidden, status)
	})
}
