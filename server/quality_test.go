package server_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// testScorecard is scored by hand in the tests below:
//
//	greeting (weight 1): greet yes/no w1, name 1-5 w1 (N/A allowed)
//	resolution (weight 2): solve 1-4 w3, compliance yes/no w1 critical
//	pass threshold 80
func testScorecard() map[string]any {
	return map[string]any{
		"name": "Voice quality", "pass_threshold": 80, "auto_fail_zeroes": false,
		"sections": []map[string]any{
			{"key": "greeting", "title": "Greeting", "weight": 1, "criteria": []map[string]any{
				{"key": "greet", "title": "Greets the customer", "weight": 1, "scale": "yes_no", "guidance": "Within 5 s"},
				{"key": "name", "title": "Uses the customer's name", "weight": 1, "scale": "1-5", "allow_na": true},
			}},
			{"key": "resolution", "title": "Resolution", "weight": 2, "criteria": []map[string]any{
				{"key": "solve", "title": "Solves the problem", "weight": 3, "scale": "1-4"},
				{"key": "compliance", "title": "Reads the disclosure", "weight": 1, "scale": "yes_no", "critical": true},
			}},
		},
	}
}

func answers(greet, name, solve, compliance any) map[string]any {
	return map[string]any{"answers": []map[string]any{
		{"criterion": "greet", "value": greet}, {"criterion": "name", "value": name},
		{"criterion": "solve", "value": solve}, {"criterion": "compliance", "value": compliance},
	}}
}

// qaWorld adds a scorecard and interactions of a1 (team A), a2 (team A) and b1 (team B).
type qaWorld struct {
	*world
	scorecardID                     int64
	callA1, callA1b, callA2, callB1 int64
}

func newQAWorld(t *testing.T, st *store.Store, now time.Time) *qaWorld {
	w := &qaWorld{world: newWorldAt(t, st, func() time.Time { return now })}
	res := w.as(org.RoleQAReviewer, http.MethodPost, "/api/v1/qa/scorecards", testScorecard())
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	w.scorecardID = int64(res.json(t)["id"].(float64))
	day := now.Add(-72 * time.Hour).UTC()
	rec := func(ext string, a org.Agent, customer string, at time.Time, csat, nps int) map[string]any {
		return map[string]any{"external_id": ext, "channel": "voice", "queue": "Voice PT", "agent_id": a.ID, "customer": customer,
			"started_at": at.Format(time.RFC3339), "handle_seconds": 300, "resolved": true, "csat": csat, "nps": nps, "transcript": "hello"}
	}
	res = w.as(org.RoleQAReviewer, http.MethodPost, "/api/v1/qa/interactions", map[string]any{"interactions": []map[string]any{
		rec("c-1", w.agentA1, "cust-1", day, 5, 10), rec("c-2", w.agentA1, "cust-2", day.Add(time.Hour), 2, 3),
		rec("c-3", w.agentA2, "cust-1", day.Add(2*time.Hour), 4, 8), rec("c-4", w.agentB1, "cust-4", day.Add(3*time.Hour), 5, 9),
	}})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	assert.EqualValues(t, 4, res.json(t)["created"])
	ctx := context.Background()
	cs, _, err := st.FindContacts(ctx, store.ContactFilter{All: true})
	require.NoError(t, err)
	ids := map[string]int64{}
	for _, c := range cs {
		ids[c.ExternalID] = c.ID
	}
	w.callA1, w.callA1b, w.callA2, w.callB1 = ids["c-1"], ids["c-2"], ids["c-3"], ids["c-4"]
	return w
}

// evaluate creates, scores and submits an evaluation of the interaction as
// the QA reviewer and returns its id and version.
func (w *qaWorld) evaluate(t *testing.T, interaction int64, body map[string]any) (int64, int) {
	res := w.as(org.RoleQAReviewer, http.MethodPost, "/api/v1/qa/evaluations", map[string]any{"interaction_id": interaction, "scorecard_id": w.scorecardID})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	id := int64(res.json(t)["id"].(float64))
	body["version"] = 1
	res = w.as(org.RoleQAReviewer, http.MethodPut, "/api/v1/qa/evaluations/"+itoa(id), body)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res = w.as(org.RoleQAReviewer, http.MethodPost, "/api/v1/qa/evaluations/"+itoa(id)+"/submit", map[string]any{"version": 2})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	return id, 3
}

func total(t *testing.T, m map[string]any) any {
	t.Helper()
	r, ok := m["result"].(map[string]any)
	require.True(t, ok, "no result in %v", m)
	return r["total"]
}

func TestQAEvaluationDisputeAndAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		now := time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)
		w := newQAWorld(t, st, now)
		id, v := w.evaluate(t, w.callA1, answers(1, 4, 3, 1))
		ev := w.as(org.RoleQAReviewer, http.MethodGet, "/api/v1/qa/evaluations/"+itoa(id), nil).json(t)
		// greeting (100 + 75)/2 = 87.5; resolution (3 x 66.67 + 100)/4 = 75; total (87.5 + 2 x 75)/3 = 79.17 < 80
		assert.Equal(t, 79.17, total(t, ev))
		assert.Equal(t, "fail", ev["result"].(map[string]any)["outcome"])

		// Not released yet: the agent sees nothing.
		assert.Equal(t, http.StatusNotFound, w.as(org.RoleAgent, http.MethodGet, "/api/v1/qa/evaluations/"+itoa(id), nil).Status)
		assert.EqualValues(t, 0, w.as(org.RoleAgent, http.MethodGet, "/api/v1/qa/evaluations", nil).json(t)["total"])

		// A submitted score changes only with a reason, and is audited.
		res := w.as(org.RoleQAReviewer, http.MethodPut, "/api/v1/qa/evaluations/"+itoa(id), map[string]any{"answers": answers(1, 4, 3, 1)["answers"], "version": v})
		assert.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
		res = w.as(org.RoleQAReviewer, http.MethodPost, "/api/v1/qa/evaluations/"+itoa(id)+"/release", map[string]any{"version": v})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		v++

		// The agent sees it now, disputes "solve" and proposes 4.
		assert.Equal(t, http.StatusOK, w.as(org.RoleAgent, http.MethodGet, "/api/v1/qa/evaluations/"+itoa(id), nil).Status)
		res = w.as(org.RoleAgent, http.MethodPut, "/api/v1/qa/evaluations/"+itoa(id), map[string]any{"answers": answers(1, 5, 4, 1)["answers"], "version": v})
		assert.Equal(t, http.StatusForbidden, res.Status, "agents never edit scores: %s", res.Body)
		res = w.as(org.RoleAgent, http.MethodPost, "/api/v1/qa/evaluations/"+itoa(id)+"/disputes", map[string]any{
			"items": []map[string]any{{"criterion": "solve", "proposed": 9, "comment": "I solved it"}}})
		assert.Equal(t, http.StatusBadRequest, res.Status, "a value off the scale: %s", res.Body)
		res = w.as(org.RoleAgent, http.MethodPost, "/api/v1/qa/evaluations/"+itoa(id)+"/disputes", map[string]any{
			"items": []map[string]any{{"criterion": "solve", "proposed": 4, "comment": "The customer confirmed it was fixed"},
				{"criterion": "greet", "proposed": 1, "comment": "already yes"}}, "comment": "please review"})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		disputeID := int64(res.json(t)["id"].(float64))

		// The dispute inbox: the reviewer and the supervisor of team A see it; the planner does not.
		assert.EqualValues(t, 1, w.as(org.RoleQAReviewer, http.MethodGet, "/api/v1/qa/disputes?state=open", nil).json(t)["total"])
		assert.EqualValues(t, 1, w.as(org.RoleSupervisor, http.MethodGet, "/api/v1/qa/disputes?state=open", nil).json(t)["total"])
		assert.Equal(t, http.StatusForbidden, w.as(org.RolePlanner, http.MethodGet, "/api/v1/qa/disputes", nil).Status)

		// Partly accepted: solve becomes 4, greet stays.
		res = w.as(org.RoleQAReviewer, http.MethodPost, "/api/v1/qa/disputes/"+itoa(disputeID)+"/decision", map[string]any{
			"decision": "partial", "accepted": map[string]any{"solve": 4}, "reason": "the recording confirms it", "version": 1})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		ev = w.as(org.RoleAgent, http.MethodGet, "/api/v1/qa/evaluations/"+itoa(id), nil).json(t)
		// resolution (3 x 100 + 100)/4 = 100; total (87.5 + 200)/3 = 95.83
		assert.Equal(t, 95.83, total(t, ev))
		assert.Equal(t, "resolved", ev["state"])

		// The history shows who changed the score, from what to what, and why.
		var hist []store.AuditEvent
		res = w.as(org.RoleSupervisor, http.MethodGet, "/api/v1/qa/evaluations/"+itoa(id)+"/history", nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.NoError(t, jsonUnmarshalBytes(res.Body, &hist))
		var decision *store.AuditEvent
		for i := range hist {
			if hist[i].Action == "dispute-partial" {
				decision = &hist[i]
			}
		}
		require.NotNil(t, decision, "history: %+v", hist)
		assert.Equal(t, w.users[org.RoleQAReviewer].ID, *decision.ActorID)
		assert.Contains(t, decision.Before, `"total":79.17`)
		assert.Contains(t, decision.After, `"total":95.83`)
		assert.Equal(t, "the recording confirms it", decision.Reason)

		// The agent acknowledges; acknowledged is final.
		ev = w.as(org.RoleAgent, http.MethodGet, "/api/v1/qa/evaluations/"+itoa(id), nil).json(t)
		res = w.as(org.RoleAgent, http.MethodPost, "/api/v1/qa/evaluations/"+itoa(id)+"/acknowledge", map[string]any{"version": ev["version"]})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		res = w.as(org.RoleAgent, http.MethodPost, "/api/v1/qa/evaluations/"+itoa(id)+"/disputes", map[string]any{
			"items": []map[string]any{{"criterion": "name", "proposed": 5, "comment": "again"}}})
		assert.Equal(t, http.StatusConflict, res.Status, "%s", res.Body)
	})
}

func TestQAScorecardVersionsKeepTheirEvaluations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newQAWorld(t, st, time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC))
		bad := testScorecard()
		bad["pass_threshold"] = 120
		res := w.as(org.RoleQAReviewer, http.MethodPost, "/api/v1/qa/scorecards", bad)
		require.Equal(t, http.StatusBadRequest, res.Status)
		assert.Contains(t, string(res.Body), "pass_threshold")

		// Unused: edited in place.
		edit := testScorecard()
		edit["pass_threshold"] = 75
		edit["revision"] = 1
		res = w.as(org.RoleQAReviewer, http.MethodPut, "/api/v1/qa/scorecards/"+itoa(w.scorecardID), edit)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		assert.EqualValues(t, w.scorecardID, res.json(t)["id"])
		assert.EqualValues(t, 1, res.json(t)["version"])

		id, _ := w.evaluate(t, w.callA1, answers(1, 4, 3, 1))
		edit["pass_threshold"] = 70
		edit["revision"] = 2
		res = w.as(org.RoleQAReviewer, http.MethodPut, "/api/v1/qa/scorecards/"+itoa(w.scorecardID), edit)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		v2 := res.json(t)
		assert.NotEqualValues(t, w.scorecardID, v2["id"], "used scorecards get a new version record")
		assert.EqualValues(t, 2, v2["version"])
		assert.EqualValues(t, w.scorecardID, v2["family_id"])
		ev := w.as(org.RoleQAReviewer, http.MethodGet, "/api/v1/qa/evaluations/"+itoa(id), nil).json(t)
		assert.EqualValues(t, w.scorecardID, ev["scorecard_id"])
		assert.EqualValues(t, 75, ev["scorecard"].(map[string]any)["pass_threshold"], "the evaluation keeps the version it was scored on")

		// The old version is superseded: no edits, no new evaluations.
		edit["revision"] = 3
		assert.Equal(t, http.StatusConflict, w.as(org.RoleQAReviewer, http.MethodPut, "/api/v1/qa/scorecards/"+itoa(w.scorecardID), edit).Status)
		res = w.as(org.RoleQAReviewer, http.MethodPost, "/api/v1/qa/evaluations", map[string]any{"interaction_id": w.callA2, "scorecard_id": w.scorecardID})
		assert.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
		versions := w.as(org.RoleQAReviewer, http.MethodGet, fmt.Sprintf("/api/v1/qa/scorecards?family_id=%d", w.scorecardID), nil).json(t)
		assert.EqualValues(t, 2, versions["total"])

		// Archive, not delete.
		res = w.as(org.RoleQAReviewer, http.MethodPost, fmt.Sprintf("/api/v1/qa/scorecards/%v/archive", v2["id"]), map[string]any{"archived": true})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		assert.EqualValues(t, 0, w.as(org.RoleQAReviewer, http.MethodGet, "/api/v1/qa/scorecards", nil).json(t)["total"])
		assert.EqualValues(t, 1, w.as(org.RoleQAReviewer, http.MethodGet, "/api/v1/qa/scorecards?archived=true", nil).json(t)["total"])
	})
}

func TestQAInteractionImportIsIdempotentAndAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newQAWorld(t, st, time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC))
		csv := "external_id,channel,agent_email,customer,started_at,handle_seconds,csat,nps,ces,resolved\n" +
			"c-1,voice,a1@agents.example.com,cust-1,2026-03-09T10:00:00Z,420,4,9,6,true\n" +
			"c-9,chat,a2@agents.example.com,cust-9,2026-03-09T11:00:00+01:00,200,,,,\n"
		res := w.as(org.RoleQAReviewer, http.MethodPost, "/api/v1/qa/interactions", csv, map[string]string{"Content-Type": "text/csv"})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		assert.EqualValues(t, 1, res.json(t)["created"])
		assert.EqualValues(t, 1, res.json(t)["updated"])
		res = w.as(org.RoleQAReviewer, http.MethodPost, "/api/v1/qa/interactions", csv, map[string]string{"Content-Type": "text/csv"})
		assert.EqualValues(t, 0, res.json(t)["created"], "re-importing changes nothing twice")
		c1, err := st.FindContactByID(context.Background(), w.callA1)
		require.NoError(t, err)
		assert.Equal(t, 420, c1.HandleSeconds)

		badCSV := "external_id,channel,agent_email,started_at,handle_seconds,csat\n" +
			"c-10,voice,a1@agents.example.com,2026-03-09T10:00:00Z,100,4\n" +
			"c-11,voice,nobody@example.com,2026-03-09T10:00:00Z,100,6\n" +
			"c-12,voice,a1@agents.example.com,yesterday,100,\n"
		res = w.as(org.RoleQAReviewer, http.MethodPost, "/api/v1/qa/interactions", badCSV, map[string]string{"Content-Type": "text/csv"})
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
		body := string(res.Body)
		assert.Contains(t, body, "line 4.started_at")
		_, total, err := st.FindContacts(context.Background(), store.ContactFilter{})
		require.NoError(t, err)
		assert.Equal(t, 5, total, "nothing of a bad file is imported")

		quoted := "external_id,channel,agent_email,started_at,handle_seconds\n" +
			"c-20,voice,a1@agents.example.com,2026-03-09T10:00:00Z,100\n" +
			"a\"b,voice,a1@agents.example.com,2026-03-09T10:00:00Z,100\n"
		res = w.as(org.RoleQAReviewer, http.MethodPost, "/api/v1/qa/interactions", quoted, map[string]string{"Content-Type": "text/csv"})
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, "a quote error is the file's fault: %s", res.Body)
		assert.Contains(t, string(res.Body), "line 3")
		_, total, err = st.FindContacts(context.Background(), store.ContactFilter{})
		require.NoError(t, err)
		assert.Equal(t, 5, total, "nothing of a file with a quote error is imported")
		res = w.as(org.RoleQAReviewer, http.MethodPost, "/api/v1/qa/interactions", map[string]any{"interactions": []map[string]any{
			{"external_id": "j-1", "channel": "voice", "agent_email": "a1@agents.example.com", "started_at": "2026-03-09T10:00:00Z", "handle_seconds": 100},
			{"external_id": "j-2", "channel": "voice", "agent_email": "nobody@example.com", "started_at": "2026-03-09T10:00:00Z", "handle_seconds": 100, "csat": 6},
		}})
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
		assert.Contains(t, string(res.Body), "interactions[1].agent")
		assert.Contains(t, string(res.Body), "interactions[1].csat")
	})
}

func TestQACoachingSharesOnlySharedNotes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		now := time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)
		w := newQAWorld(t, st, now)
		evalID, _ := w.evaluate(t, w.callA1, answers(1, 4, 2, 1))
		res := w.as(org.RoleQAReviewer, http.MethodPost, "/api/v1/qa/coaching", map[string]any{
			"agent_id": w.agentA1.ID, "evaluation_id": evalID, "criteria": []string{"solve"}, "topic": "Resolution",
			"goals": "Confirm the fix before closing", "due_at": now.Add(-time.Hour).Format(time.RFC3339),
			"notes": []map[string]any{{"body": "private: check tone too", "shared": false}, {"body": "Let's practise confirming", "shared": true}}})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		id := int64(res.json(t)["id"].(float64))
		assert.Equal(t, true, res.json(t)["overdue"])

		// The supervisor's overdue list has it; team B's session would not show.
		assert.EqualValues(t, 1, w.as(org.RoleSupervisor, http.MethodGet, "/api/v1/qa/coaching?overdue=true", nil).json(t)["total"])

		agentView := w.as(org.RoleAgent, http.MethodGet, "/api/v1/qa/coaching/"+itoa(id), nil)
		require.Equal(t, http.StatusOK, agentView.Status)
		assert.NotContains(t, string(agentView.Body), "private")
		assert.Contains(t, string(agentView.Body), "practise")
		assert.Contains(t, string(w.as(org.RoleSupervisor, http.MethodGet, "/api/v1/qa/coaching/"+itoa(id), nil).Body), "private")

		// The agent acknowledges only after it was held.
		assert.Equal(t, http.StatusConflict, w.as(org.RoleAgent, http.MethodPost, "/api/v1/qa/coaching/"+itoa(id)+"/acknowledge", map[string]any{"version": 1}).Status)
		require.Equal(t, http.StatusOK, w.as(org.RoleSupervisor, http.MethodPost, "/api/v1/qa/coaching/"+itoa(id)+"/hold", map[string]any{"version": 1}).Status)
		assert.Equal(t, http.StatusForbidden, w.as(org.RoleAgent, http.MethodPost, "/api/v1/qa/coaching/"+itoa(id)+"/notes", map[string]any{"body": "x"}).Status)
		res = w.as(org.RoleAgent, http.MethodPost, "/api/v1/qa/coaching/"+itoa(id)+"/acknowledge", map[string]any{"version": 2})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		assert.Equal(t, "acknowledged", res.json(t)["state"])
		assert.EqualValues(t, 0, w.as(org.RoleSupervisor, http.MethodGet, "/api/v1/qa/coaching?overdue=true", nil).json(t)["total"])
	})
}

func TestQACalibrationIsBlindUntilSubmitted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newQAWorld(t, st, time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC))
		ctx := context.Background()
		hash, err := auth.HashPassword(testPassword)
		require.NoError(t, err)
		second, err := st.CreateUser(ctx, org.User{Email: "qa2@example.com", Name: "qa2", Role: org.RoleQAReviewer}, hash)
		require.NoError(t, err)
		secret, rec, h, err := authNewToken(second.ID)
		require.NoError(t, err)
		_, err = st.CreateAPIToken(ctx, rec, h)
		require.NoError(t, err)
		asSecond := func(method, path string, body any) response {
			return do(t, nil, method, w.srv.URL+path, body, map[string]string{"Authorization": "Bearer " + secret})
		}
		first := w.users[org.RoleQAReviewer]
		res := w.as(org.RoleQAReviewer, http.MethodPost, "/api/v1/qa/calibrations", map[string]any{
			"name": "March", "scorecard_id": w.scorecardID, "interaction_ids": []int64{w.callA1, w.callA2},
			"reviewer_ids": []int64{first.ID, second.ID}})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		session := res.json(t)
		id := int64(session["id"].(float64))
		entries := func(r response) []map[string]any {
			var v struct {
				Entries []map[string]any `json:"entries"`
				Blind   bool             `json:"blind"`
			}
			require.NoError(t, jsonUnmarshalBytes(r.Body, &v))
			return v.Entries
		}
		mine := entries(res)
		require.Len(t, mine, 2, "each rater sees only their own entries")
		// The first reviewer scores both interactions; solve differs between raters.
		score := func(as func(string, string, any) response, entry map[string]any, solve int) {
			eid := int64(entry["id"].(float64))
			b := answers(1, nil, solve, 1)
			b["version"] = 1
			r := as(http.MethodPut, "/api/v1/qa/evaluations/"+itoa(eid), b)
			require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
			r = as(http.MethodPost, "/api/v1/qa/evaluations/"+itoa(eid)+"/submit", map[string]any{"version": 2})
			require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		}
		asFirst := func(method, path string, body any) response { return w.as(org.RoleQAReviewer, method, path, body) }
		for _, e := range mine {
			score(asFirst, e, 4)
		}
		// The second reviewer has not submitted: still blind, and cannot open the first's entry directly.
		theirs := entries(asSecond(http.MethodGet, "/api/v1/qa/calibrations/"+itoa(id), nil))
		require.Len(t, theirs, 2)
		assert.Equal(t, http.StatusNotFound, asSecond(http.MethodGet, fmt.Sprintf("/api/v1/qa/evaluations/%v", mine[0]["id"]), nil).Status)
		assert.Equal(t, http.StatusConflict, asSecond(http.MethodGet, "/api/v1/qa/calibrations/"+itoa(id)+"/report", nil).Status)
		score(asSecond, theirs[0], 4)
		score(asSecond, theirs[1], 2)
		assert.Len(t, entries(asSecond(http.MethodGet, "/api/v1/qa/calibrations/"+itoa(id), nil)), 4)

		res = asSecond(http.MethodGet, "/api/v1/qa/calibrations/"+itoa(id)+"/report", nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var rep struct {
			Reference string `json:"reference"`
			Reviewers []struct {
				Reviewer         string  `json:"reviewer"`
				N                int     `json:"n"`
				MeanAbsDeviation float64 `json:"mean_abs_deviation"`
			} `json:"reviewers"`
		}
		require.NoError(t, jsonUnmarshalBytes(res.Body, &rep))
		assert.Equal(t, "consensus", rep.Reference)
		require.Len(t, rep.Reviewers, 2)
		// Totals: name N/A, so greeting 100; solve 4 -> total 100, solve 2 -> resolution (3 x 33.33 + 100)/4 = 50, total (100 + 100)/3 = 66.67.
		// Item 2: consensus (100 + 66.67)/2 = 83.33; each rater is 16.67 off there and 0 on item 1: MAD 8.33.
		for _, r := range rep.Reviewers {
			assert.Equal(t, 2, r.N)
			assert.InDelta(t, 8.33, r.MeanAbsDeviation, 0.01)
		}
		// Calibration entries never count in agent results.
		assert.EqualValues(t, 0, w.as(org.RoleQAReviewer, http.MethodGet, "/api/v1/qa/evaluations", nil).json(t)["total"])
	})
}

func TestQATrendsAndMetrics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		now := time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)
		w := newQAWorld(t, st, now)
		w.evaluate(t, w.callA1, answers(1, 4, 3, 1))  // 79.17 fail
		w.evaluate(t, w.callA1b, answers(1, 5, 4, 0)) // critical fail: 0
		w.evaluate(t, w.callB1, answers(1, 5, 4, 1))  // 100 pass, team B
		res := w.as(org.RoleSupervisor, http.MethodGet, fmt.Sprintf("/api/v1/qa/trends?agent_id=%d&from=2026-03-01&to=2026-03-20", w.agentA1.ID), nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var tr struct {
			Weeks []struct {
				WeekStart     string   `json:"week_start"`
				Evaluations   int      `json:"evaluations"`
				MeanScore     *float64 `json:"mean_score"`
				PassRate      *float64 `json:"pass_rate"`
				CriticalFails int      `json:"critical_fails"`
				CSAT          *float64 `json:"csat"`
				NPS           *float64 `json:"nps"`
			} `json:"weeks"`
			Criteria []struct {
				Key string `json:"key"`
			} `json:"criteria"`
		}
		require.NoError(t, jsonUnmarshalBytes(res.Body, &tr))
		require.NotEmpty(t, tr.Weeks)
		var evals, crit int
		for _, wk := range tr.Weeks {
			evals += wk.Evaluations
			crit += wk.CriticalFails
			if wk.Evaluations > 0 {
				assert.InDelta(t, (79.17+0)/2, *wk.MeanScore, 0.01)
				assert.Equal(t, 0.0, *wk.PassRate)
			}
			if wk.CSAT != nil {
				assert.Equal(t, 50.0, *wk.CSAT, "one of two answers is 4-5")
				assert.Equal(t, 0.0, *wk.NPS, "one promoter, one detractor")
			}
		}
		assert.Equal(t, 2, evals)
		assert.Equal(t, 1, crit)
		assert.Len(t, tr.Criteria, 4)

		// Scope: the supervisor of team A cannot read team B's agent; the agent reads only themselves.
		assert.Equal(t, http.StatusNotFound, w.as(org.RoleSupervisor, http.MethodGet, fmt.Sprintf("/api/v1/qa/trends?agent_id=%d", w.agentB1.ID), nil).Status)
		assert.Equal(t, http.StatusNotFound, w.as(org.RoleAgent, http.MethodGet, fmt.Sprintf("/api/v1/qa/trends?agent_id=%d", w.agentA2.ID), nil).Status)
		assert.Equal(t, http.StatusForbidden, w.as(org.RolePlanner, http.MethodGet, "/api/v1/qa/trends", nil).Status)

		res = w.as(org.RoleQAReviewer, http.MethodGet, "/api/v1/qa/metrics?group=agent&from=2026-03-01&to=2026-03-20", nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var rows []map[string]any
		require.NoError(t, jsonUnmarshalBytes(res.Body, &rows))
		require.Len(t, rows, 3)
		res = w.as(org.RoleQAReviewer, http.MethodGet, "/api/v1/qa/reviewer-stats?from=2026-03-01&to=2026-03-20", nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		assert.Contains(t, string(res.Body), `"volume":3`)
	})
}

// TestQAAuthorizationTable probes every QA endpoint with every role.
func TestQAAuthorizationTable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		now := time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)
		w := newQAWorld(t, st, now)
		own, v := w.evaluate(t, w.callA1, answers(1, 4, 3, 1))
		require.Equal(t, http.StatusOK, w.as(org.RoleQAReviewer, http.MethodPost, "/api/v1/qa/evaluations/"+itoa(own)+"/release", map[string]any{"version": v}).Status)
		other, v := w.evaluate(t, w.callB1, answers(1, 4, 3, 1))
		require.Equal(t, http.StatusOK, w.as(org.RoleQAReviewer, http.MethodPost, "/api/v1/qa/evaluations/"+itoa(other)+"/release", map[string]any{"version": v}).Status)
		res := w.as(org.RoleQAReviewer, http.MethodPost, "/api/v1/qa/coaching", map[string]any{"agent_id": w.agentB1.ID, "topic": "t", "due_at": now.Format(time.RFC3339)})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		otherCoaching := int64(res.json(t)["id"].(float64))
		roles := []org.Role{org.RoleAdmin, org.RolePlanner, org.RoleQAReviewer, org.RoleSupervisor, org.RoleAgent}
		// want: status per role, in the order of roles.
		cases := []struct {
			method, path string
			want         [5]int
			body         any
		}{
			{"GET", "/api/v1/qa/scorecards", [5]int{200, 403, 200, 200, 403}, nil},
			{"GET", "/api/v1/qa/interactions", [5]int{200, 403, 200, 200, 403}, nil},
			{"GET", "/api/v1/qa/interactions/" + itoa(w.callB1), [5]int{200, 403, 200, 404, 403}, nil},
			{"GET", "/api/v1/qa/evaluations/" + itoa(own), [5]int{200, 403, 200, 200, 200}, nil},
			{"GET", "/api/v1/qa/evaluations/" + itoa(other), [5]int{200, 403, 200, 404, 404}, nil},
			{"GET", "/api/v1/qa/evaluations/" + itoa(other) + "/history", [5]int{200, 403, 200, 404, 404}, nil},
			{"GET", "/api/v1/qa/coaching/" + itoa(otherCoaching), [5]int{200, 403, 200, 404, 404}, nil},
			{"GET", "/api/v1/qa/calibrations", [5]int{200, 403, 200, 403, 403}, nil},
			{"GET", "/api/v1/qa/trends?agent_id=" + itoa(w.agentB1.ID), [5]int{200, 403, 200, 404, 404}, nil},
			{"GET", "/api/v1/qa/reviewer-stats", [5]int{200, 403, 200, 403, 403}, nil},
			{"POST", "/api/v1/qa/evaluations/" + itoa(other) + "/disputes", [5]int{403, 403, 403, 403, 404},
				map[string]any{"items": []map[string]any{{"criterion": "solve", "proposed": 4, "comment": "x"}}}},
			{"POST", "/api/v1/qa/evaluations/" + itoa(other) + "/acknowledge", [5]int{403, 403, 403, 403, 404}, map[string]any{"version": 1}},
		}
		for _, tc := range cases {
			for i, role := range roles {
				res := w.as(role, tc.method, tc.path, tc.body)
				assert.Equal(t, tc.want[i], res.Status, "%s %s as %s: %s", tc.method, tc.path, role, res.Body)
			}
		}
		// Lists never leak: the agent's lists hold only their own records.
		for _, path := range []string{"/api/v1/qa/evaluations", "/api/v1/qa/disputes", "/api/v1/qa/coaching"} {
			res := w.as(org.RoleAgent, http.MethodGet, path, nil)
			require.Equal(t, http.StatusOK, res.Status, "%s: %s", path, res.Body)
			var l struct {
				Items []struct {
					AgentID int64 `json:"agent_id"`
				} `json:"items"`
			}
			require.NoError(t, jsonUnmarshalBytes(res.Body, &l))
			for _, it := range l.Items {
				assert.Equal(t, w.agentA1.ID, it.AgentID, path)
			}
		}
	})
}

func TestQAAssignmentPlanIsReproducibleAndNeverSelfReview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		now := time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)
		w := newQAWorld(t, st, now)
		ctx := context.Background()
		// A reviewer who is also agent a2: they must never get a2's interactions.
		hash, err := auth.HashPassword(testPassword)
		require.NoError(t, err)
		peer, err := st.CreateUser(ctx, org.User{Email: "peer@example.com", Name: "peer", Role: org.RoleQAReviewer, AgentID: &w.agentA2.ID}, hash)
		require.NoError(t, err)
		var recs []map[string]any
		for i := 0; i < 30; i++ {
			a := []org.Agent{w.agentA1, w.agentA2, w.agentB1}[i%3]
			recs = append(recs, map[string]any{"external_id": fmt.Sprintf("w-%d", i), "channel": "voice", "agent_id": a.ID, "customer": fmt.Sprintf("k%d", i),
				"started_at": time.Date(2026, 3, 2+i%5, 9+i%8, 0, 0, 0, time.UTC).Format(time.RFC3339), "handle_seconds": 60 + 10*i})
		}
		res := w.as(org.RoleQAReviewer, http.MethodPost, "/api/v1/qa/interactions", map[string]any{"interactions": recs})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		plan := map[string]any{"scorecard_id": w.scorecardID, "week_start": "2026-03-02", "timezone": "Europe/Lisbon", "per_agent_per_week": 3,
			"reviewer_ids": []int64{w.users[org.RoleQAReviewer].ID, peer.ID}, "due_after_days": 3, "seed": 7,
			"filter": map[string]any{"channels": []string{"voice"}, "min_handle_seconds": 60}}
		bad := map[string]any{"scorecard_id": w.scorecardID, "week_start": "March", "timezone": "Europe/Lisbon", "per_agent_per_week": 0, "reviewer_ids": []int64{}}
		res = w.as(org.RoleQAReviewer, http.MethodPost, "/api/v1/qa/assignments", bad)
		require.Equal(t, http.StatusBadRequest, res.Status)
		for _, f := range []string{"week_start", "per_agent_per_week", "reviewer_ids"} {
			assert.Contains(t, string(res.Body), f)
		}
		assert.Equal(t, http.StatusForbidden, w.as(org.RoleSupervisor, http.MethodPost, "/api/v1/qa/assignments", plan).Status)
		res = w.as(org.RoleQAReviewer, http.MethodPost, "/api/v1/qa/assignments", plan)
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		var got struct {
			Items []struct {
				AgentID    int64     `json:"agent_id"`
				ReviewerID int64     `json:"reviewer_id"`
				State      string    `json:"state"`
				DueAt      time.Time `json:"due_at"`
			} `json:"items"`
		}
		require.NoError(t, jsonUnmarshalBytes(res.Body, &got))
		require.Len(t, got.Items, 9, "three per agent")
		per := map[int64]int{}
		for _, e := range got.Items {
			per[e.AgentID]++
			assert.Equal(t, "draft", e.State)
			if e.AgentID == w.agentA2.ID {
				assert.NotEqual(t, peer.ID, e.ReviewerID, "a reviewer never reviews themselves")
			}
			lisbon, _ := time.LoadLocation("Europe/Lisbon")
			assert.Equal(t, time.Date(2026, 3, 12, 0, 0, 0, 0, lisbon), e.DueAt.In(lisbon), "due three days after the week")
		}
		for _, a := range []org.Agent{w.agentA1, w.agentA2, w.agentB1} {
			assert.Equal(t, 3, per[a.ID])
		}
		// Drawn interactions are not drawn again: a second run takes the rest.
		res = w.as(org.RoleQAReviewer, http.MethodPost, "/api/v1/qa/assignments", plan)
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		require.NoError(t, jsonUnmarshalBytes(res.Body, &got))
		assert.Len(t, got.Items, 9)
	})
}
