package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// TestQAAgentTokenProbesEveryEndpoint sends an agent's token at every QA
// route with another agent's records (team B's b1) and checks that nothing of
// theirs comes back. A QA route missing from the probe list fails the test, so
// new endpoints must be probed too.
func TestQAAgentTokenProbesEveryEndpoint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		now := time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)
		w := newQAWorld(t, st, now)
		ctx := context.Background()
		other, v := w.evaluate(t, w.callB1, answers(1, 4, 3, 1))
		require.Equal(t, http.StatusOK, w.as(org.RoleQAReviewer, http.MethodPost, "/api/v1/qa/evaluations/"+itoa(other)+"/release", map[string]any{"version": v}).Status)
		// b1 disputes it; a coaching session for b1; a calibration session.
		b1User, err := st.CreateUser(ctx, org.User{Email: "b1@example.com", Name: "b1", Role: org.RoleAgent, AgentID: &w.agentB1.ID}, "")
		require.NoError(t, err)
		secret, rec, hash, err := authNewToken(b1User.ID)
		require.NoError(t, err)
		_, err = st.CreateAPIToken(ctx, rec, hash)
		require.NoError(t, err)
		res := do(t, nil, "POST", w.srv.URL+"/api/v1/qa/evaluations/"+itoa(other)+"/disputes", map[string]any{
			"items": []map[string]any{{"criterion": "solve", "proposed": 4, "comment": "fixed"}}}, map[string]string{"Authorization": "Bearer " + secret})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		dispute := itoa(int64(res.json(t)["id"].(float64)))
		res = w.as(org.RoleQAReviewer, http.MethodPost, "/api/v1/qa/coaching", map[string]any{"agent_id": w.agentB1.ID, "topic": "t", "due_at": now.Add(48 * time.Hour).Format(time.RFC3339),
			"notes": []map[string]any{{"body": "for b1 only", "shared": true}}})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		coaching := itoa(int64(res.json(t)["id"].(float64)))
		res = w.as(org.RoleAdmin, http.MethodPost, "/api/v1/qa/calibrations", map[string]any{"name": "c", "scorecard_id": w.scorecardID,
			"interaction_ids": []int64{w.callB1}, "reviewer_ids": []int64{w.users[org.RoleQAReviewer].ID, w.users[org.RoleAdmin].ID}})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		calibration := itoa(int64(res.json(t)["id"].(float64)))
		sc, b1, teamB := itoa(w.scorecardID), itoa(w.agentB1.ID), itoa(w.teamB.ID)

		// Each route with what the agent must get: a status, and for lists an empty result.
		probes := []struct {
			method, route, path string
			body                any
			want                int
			emptyList           bool
		}{
			{"GET", "/qa/scorecards", "/qa/scorecards", nil, 403, false},
			{"POST", "/qa/scorecards", "/qa/scorecards", testScorecard(), 403, false},
			{"GET", "/qa/scorecards/:id", "/qa/scorecards/" + sc, nil, 403, false},
			{"PUT", "/qa/scorecards/:id", "/qa/scorecards/" + sc, testScorecard(), 403, false},
			{"POST", "/qa/scorecards/:id/archive", "/qa/scorecards/" + sc + "/archive", map[string]any{"archived": true}, 403, false},
			{"POST", "/qa/interactions", "/qa/interactions", map[string]any{"interactions": []any{}}, 403, false},
			{"GET", "/qa/interactions", "/qa/interactions?agent_id=" + b1, nil, 403, false},
			{"GET", "/qa/interactions/:id", "/qa/interactions/" + itoa(w.callB1), nil, 403, false},
			{"GET", "/qa/evaluations", "/qa/evaluations?agent_id=" + b1, nil, 200, true},
			{"POST", "/qa/evaluations", "/qa/evaluations", map[string]any{"interaction_id": w.callB1, "scorecard_id": w.scorecardID}, 403, false},
			{"POST", "/qa/assignments", "/qa/assignments", map[string]any{"scorecard_id": w.scorecardID}, 403, false},
			{"GET", "/qa/evaluations/:id", "/qa/evaluations/" + itoa(other), nil, 404, false},
			{"PUT", "/qa/evaluations/:id", "/qa/evaluations/" + itoa(other), map[string]any{"version": 1}, 403, false},
			{"POST", "/qa/evaluations/:id/submit", "/qa/evaluations/" + itoa(other) + "/submit", map[string]any{"version": 1}, 403, false},
			{"POST", "/qa/evaluations/:id/release", "/qa/evaluations/" + itoa(other) + "/release", map[string]any{"version": 1}, 403, false},
			{"POST", "/qa/evaluations/:id/acknowledge", "/qa/evaluations/" + itoa(other) + "/acknowledge", map[string]any{"version": 1}, 404, false},
			{"GET", "/qa/evaluations/:id/history", "/qa/evaluations/" + itoa(other) + "/history", nil, 404, false},
			{"POST", "/qa/evaluations/:id/disputes", "/qa/evaluations/" + itoa(other) + "/disputes", map[string]any{"items": []map[string]any{{"criterion": "solve", "proposed": 4, "comment": "x"}}}, 404, false},
			{"GET", "/qa/disputes", "/qa/disputes?agent_id=" + b1, nil, 200, true},
			{"GET", "/qa/disputes/:id", "/qa/disputes/" + dispute, nil, 404, false},
			{"POST", "/qa/disputes/:id/decision", "/qa/disputes/" + dispute + "/decision", map[string]any{"decision": "accept", "reason": "x", "version": 1}, 403, false},
			{"POST", "/qa/calibrations", "/qa/calibrations", map[string]any{"name": "x"}, 403, false},
			{"GET", "/qa/calibrations", "/qa/calibrations", nil, 403, false},
			{"GET", "/qa/calibrations/:id", "/qa/calibrations/" + calibration, nil, 403, false},
			{"GET", "/qa/calibrations/:id/report", "/qa/calibrations/" + calibration + "/report", nil, 403, false},
			{"POST", "/qa/calibrations/:id/close", "/qa/calibrations/" + calibration + "/close", map[string]any{"version": 1}, 403, false},
			{"POST", "/qa/coaching", "/qa/coaching", map[string]any{"agent_id": w.agentB1.ID, "topic": "x", "due_at": now.Format(time.RFC3339)}, 403, false},
			{"GET", "/qa/coaching", "/qa/coaching?agent_id=" + b1, nil, 200, true},
			{"GET", "/qa/coaching/:id", "/qa/coaching/" + coaching, nil, 404, false},
			{"POST", "/qa/coaching/:id/notes", "/qa/coaching/" + coaching + "/notes", map[string]any{"body": "x"}, 403, false},
			{"POST", "/qa/coaching/:id/hold", "/qa/coaching/" + coaching + "/hold", map[string]any{"version": 1}, 403, false},
			{"POST", "/qa/coaching/:id/cancel", "/qa/coaching/" + coaching + "/cancel", map[string]any{"version": 1}, 403, false},
			{"POST", "/qa/coaching/:id/acknowledge", "/qa/coaching/" + coaching + "/acknowledge", map[string]any{"version": 1}, 404, false},
			{"POST", "/qa/coaching/:id/book", "/qa/coaching/" + coaching + "/book", map[string]any{"version": 1}, 403, false},
			{"GET", "/qa/trends", "/qa/trends?agent_id=" + b1, nil, 404, false},
			{"GET", "/qa/trends", "/qa/trends?team_id=" + teamB, nil, 404, false},
			{"GET", "/qa/metrics", "/qa/metrics?group=team", nil, 403, false},
			{"GET", "/qa/metrics", "/qa/metrics?agent_id=" + b1, nil, 404, false},
			{"GET", "/qa/reviewer-stats", "/qa/reviewer-stats", nil, 403, false},
		}
		probed := map[string]bool{}
		for _, pr := range probes {
			probed[pr.method+" /api/v1"+pr.route] = true
			res := w.as(org.RoleAgent, pr.method, "/api/v1"+pr.path, pr.body)
			assert.Equal(t, pr.want, res.Status, "%s %s: %s", pr.method, pr.path, res.Body)
			body := string(res.Body)
			assert.NotContains(t, body, "for b1 only", "%s %s leaks b1's coaching note", pr.method, pr.path)
			if pr.emptyList {
				assert.EqualValues(t, 0, res.json(t)["total"], "%s %s lists b1's records", pr.method, pr.path)
			}
		}
		// The agent's own metrics and trends still answer.
		assert.Equal(t, http.StatusOK, w.as(org.RoleAgent, "GET", "/api/v1/qa/trends", nil).Status)
		assert.Equal(t, http.StatusOK, w.as(org.RoleAgent, "GET", "/api/v1/qa/metrics", nil).Status)

		// Every QA route of the server is in the probe list.
		e := server.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{}).Handler().(*echo.Echo)
		for _, r := range e.Routes() {
			if strings.HasPrefix(r.Path, "/api/v1/qa/") || r.Path == "/api/v1/qa" {
				assert.True(t, probed[r.Method+" "+r.Path], "QA route %s %s is not probed with an agent's token", r.Method, r.Path)
			}
		}
	})
}
