package server_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

func TestShiftSwapFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		clock := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
		w := newWorldAt(t, st, func() time.Time { return clock })
		day := time.Date(2026, 6, 3, 0, 0, 0, 0, time.UTC)
		mk := func(agent int64, h int) map[string]any {
			return map[string]any{"agent_id": agent, "queue_id": w.queue.ID, "template": "day", "start": day.Add(time.Duration(h) * time.Hour),
				"end": day.Add(time.Duration(h+8) * time.Hour), "paid_minutes": 480}
		}
		res := w.as(org.RolePlanner, "POST", "/api/v1/schedules", map[string]any{"name": "June", "timezone": "UTC", "period_start": day, "period_end": day.AddDate(0, 0, 7),
			"shifts": []any{mk(w.agentA1.ID, 9), mk(w.agentB1.ID, 9)}})
		require.Equal(t, 201, res.Status, "%s", res.Body)
		id := int64(res.json(t)["id"].(float64))
		require.Equal(t, 200, w.as(org.RolePlanner, "POST", fmt.Sprintf("/api/v1/schedules/%d/publish", id), nil, map[string]string{"If-Match": `"1"`}).Status)
		var mine []map[string]any
		require.NoError(t, jsonUnmarshalBytes(w.as(org.RoleAgent, "GET", "/api/v1/me/shifts?from=2026-06-01&to=2026-06-10", nil).Body, &mine))
		require.Len(t, mine, 1)
		uid := mine[0]["uid"].(string)

		res = w.as(org.RoleAgent, "POST", "/api/v1/swaps", map[string]any{"shift_uid": "nope"})
		assert.Equal(t, 400, res.Status)
		res = w.as(org.RoleAgent, "POST", "/api/v1/swaps", map[string]any{"shift_uid": uid, "to_agent_id": w.agentA2.ID, "note": "dentist"})
		require.Equal(t, 201, res.Status, "%s", res.Body)
		swap := res.json(t)
		swapID := int64(swap["id"].(float64))
		assert.Equal(t, "2026-06-02T21:00:00Z", swap["expires_at"], "offers close 12 hours before the shift by default")

		// The addressee is agent a2, who needs a user to act. Give a2 a login.
		ctx := context.Background()
		a2user, err := st.CreateUser(ctx, org.User{Email: "a2@example.com", Name: "a2", Role: org.RoleAgent, AgentID: &w.agentA2.ID}, "")
		require.NoError(t, err)
		a2 := bearerFor(t, w, a2user.ID)
		accept := fmt.Sprintf("/api/v1/swaps/%d/accept", swapID)
		res = do(t, nil, "POST", w.srv.URL+accept, nil, a2)
		require.Equal(t, 422, res.Status, "a2 lacks the voice skill: %s", res.Body)
		assert.Contains(t, string(res.Body), "channel voice")

		a, err := st.FindAgentByID(ctx, w.agentA2.ID)
		require.NoError(t, err)
		a.Skills = []org.Skill{{Kind: "channel", Value: "voice", Proficiency: 3}}
		// The plan validator judges the taker: a2 works only mornings on
		// Wednesdays (Lisbon), and the shift runs 10:00-18:00 there.
		a.Availability = []org.Window{{Day: "wed", From: "06:00", To: "13:00"}}
		a, err = st.UpdateAgent(ctx, a)
		require.NoError(t, err)
		res = do(t, nil, "POST", w.srv.URL+accept, nil, a2)
		require.Equal(t, 422, res.Status, "a2 is not available then: %s", res.Body)
		assert.Contains(t, string(res.Body), `"availability"`)
		a.Availability = nil
		_, err = st.UpdateAgent(ctx, a)
		require.NoError(t, err)
		res = do(t, nil, "POST", w.srv.URL+accept, nil, a2)
		require.Equal(t, 200, res.Status, "%s", res.Body)
		assert.Equal(t, "accepted", res.json(t)["status"])

		decide := fmt.Sprintf("/api/v1/swaps/%d/decision", swapID)
		assert.Equal(t, 403, w.as(org.RoleAgent, "POST", decide, map[string]any{"approve": true, "version": 2}).Status)
		res = w.as(org.RoleSupervisor, "POST", decide, map[string]any{"approve": true, "note": "fine", "version": 2})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		assert.Equal(t, "approved", res.json(t)["swap"].(map[string]any)["status"])
		assert.EqualValues(t, 2, res.json(t)["schedule"].(map[string]any)["revision"], "approval publishes the next revision")

		mine = nil
		require.NoError(t, jsonUnmarshalBytes(w.as(org.RoleAgent, "GET", "/api/v1/me/shifts?from=2026-06-01&to=2026-06-10", nil).Body, &mine))
		assert.Empty(t, mine, "the giver no longer has the shift")
		theirs := do(t, nil, "GET", w.srv.URL+"/api/v1/me/shifts?from=2026-06-01&to=2026-06-10", nil, a2)
		assert.Contains(t, string(theirs.Body), `"template":"day"`, "the taker has it")
		other := w.as(org.RolePlanner, "GET", fmt.Sprintf("/api/v1/agents/%d/shifts?from=2026-06-01&to=2026-06-10", w.agentB1.ID), nil)
		assert.Contains(t, string(other.Body), `"template":"day"`, "other agents' shifts carry over")

		// An open offer that nobody takes expires. The taker's shift is a new calendar event with its own UID.
		var taken []map[string]any
		require.NoError(t, jsonUnmarshalBytes(theirs.Body, &taken))
		require.Len(t, taken, 1)
		assert.NotEqual(t, uid, taken[0]["uid"])
		res = do(t, nil, "POST", w.srv.URL+"/api/v1/swaps", map[string]any{"shift_uid": taken[0]["uid"]}, a2)
		require.Equal(t, 201, res.Status, "%s", res.Body)
		openID := int64(res.json(t)["id"].(float64))
		clock = time.Date(2026, 6, 2, 22, 0, 0, 0, time.UTC)
		res = w.as(org.RoleAgent, "POST", fmt.Sprintf("/api/v1/swaps/%d/accept", openID), nil)
		assert.Equal(t, 409, res.Status, "an expired offer cannot be taken: %s", res.Body)
		assert.Contains(t, string(res.Body), "expired")
	})
}

// bearerFor issues an API token for a user and returns the header that sends it.
func bearerFor(t *testing.T, w *world, userID int64) map[string]string {
	t.Helper()
	secret, rec, hash, err := authNewToken(userID)
	require.NoError(t, err)
	_, err = w.st.CreateAPIToken(context.Background(), rec, hash)
	require.NoError(t, err)
	return map[string]string{"Authorization": "Bearer " + secret}
}
