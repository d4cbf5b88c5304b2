package server_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// publishSwapWorld publishes a plan with a day shift for a1 and b1 on
// Wednesday 5 June 2030 (far enough ahead for the session cookie) (09:00-17:00 UTC) and returns its id.
func publishSwapWorld(t *testing.T, w *world) int64 {
	t.Helper()
	day := time.Date(2030, 6, 5, 0, 0, 0, 0, time.UTC)
	mk := func(agent int64) map[string]any {
		return map[string]any{"agent_id": agent, "queue_id": w.queue.ID, "template": "day", "start": day.Add(9 * time.Hour),
			"end": day.Add(17 * time.Hour), "paid_minutes": 480}
	}
	res := w.as(org.RolePlanner, "POST", "/api/v1/schedules", map[string]any{"name": "June", "timezone": "UTC", "period_start": day, "period_end": day.AddDate(0, 0, 7),
		"shifts": []any{mk(w.agentA1.ID), mk(w.agentB1.ID)}})
	require.Equal(t, 201, res.Status, "%s", res.Body)
	id := int64(res.json(t)["id"].(float64))
	require.Equal(t, 200, w.as(org.RolePlanner, "POST", fmt.Sprintf("/api/v1/schedules/%d/publish", id), nil, map[string]string{"If-Match": `"1"`}).Status)
	return id
}

// TestWebSwapOfferTakeApprove walks issue 21's swap screens: an agent offers
// a shift to a colleague, the colleague is refused with the reason in words
// and then takes it, and the supervisor rejects without a note (refused),
// with a stale form (refused) and approves, which publishes revision 2.
func TestWebSwapOfferTakeApprove(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		clock := time.Date(2030, 6, 3, 8, 0, 0, 0, time.UTC)
		w := newWorldAt(t, st, func() time.Time { return clock })
		publishSwapWorld(t, w)
		ctx := context.Background()
		hash, err := auth.HashPassword(testPassword)
		require.NoError(t, err)
		_, err = st.CreateUser(ctx, org.User{Email: "a2@example.com", Name: "a2", Role: org.RoleAgent, AgentID: &w.agentA2.ID}, hash)
		require.NoError(t, err)

		a1, csrf := signIn(t, w, "agent@example.com")
		status, _, body := page(t, a1, "GET", w.srv.URL+"/swaps", nil)
		require.Equal(t, 200, status, body)
		m := regexp.MustCompile(`<option value="([^"]+)" >Wed 5 Jun 10:00–18:00 WEST</option>`).FindStringSubmatch(body)
		require.NotNil(t, m, "the agent's shift is offered on their clock: %s", body)
		uid := m[1]
		assert.Contains(t, body, fmt.Sprintf(`<option value="%d" >a2</option>`, w.agentA2.ID), "team colleagues can be named")
		assert.NotContains(t, body, ">b1</option>", "other teams' agents are not listed")

		// Bad offers: the problems are named next to their fields.
		status, _, body = page(t, a1, "POST", w.srv.URL+"/swaps", url.Values{"csrf_token": {csrf}, "to_agent_id": {"someone"}})
		assert.Equal(t, 400, status)
		assert.Contains(t, body, `id="shift_uid-error">Choose one of your shifts.`)
		assert.Contains(t, body, `id="to_agent_id-error">Choose a colleague or anyone.`)
		status, _, body = page(t, a1, "POST", w.srv.URL+"/swaps", url.Values{"csrf_token": {csrf}, "shift_uid": {"gone"}})
		assert.Equal(t, 422, status)
		assert.Contains(t, body, `id="shift_uid-error">This shift cannot be offered: no published shift has this uid.`)

		status, _, body = page(t, a1, "POST", w.srv.URL+"/swaps", url.Values{"csrf_token": {csrf}, "shift_uid": {uid}, "to_agent_id": {itoa(w.agentA2.ID)}, "note": {"dentist"}})
		require.Equal(t, 200, status, body)
		assert.Contains(t, body, "Shift offered.")
		assert.Regexp(t, `<td data-label="Offered to">a2</td>\s*<td data-label="Status">Open</td>`, body)

		// The colleague lacks the queue's skill: the reason is shown in words beside the offer.
		a2, csrf2 := signIn(t, w, "a2@example.com")
		status, _, body = page(t, a2, "GET", w.srv.URL+"/swaps", nil)
		require.Equal(t, 200, status, body)
		m = regexp.MustCompile(`action="/swaps/(\d+)/accept"`).FindStringSubmatch(body)
		require.NotNil(t, m, "a2 sees the offer to take: %s", body)
		id := m[1]
		assert.Contains(t, body, `<td data-label="Note">dentist</td>`)
		status, _, body = page(t, a2, "POST", w.srv.URL+"/swaps/"+id+"/accept", url.Values{"csrf_token": {csrf2}})
		assert.Equal(t, 422, status)
		assert.Contains(t, body, "Not taken: a2 cannot take this shift.")
		assert.Contains(t, body, "<li>Skills: the shift needs channel voice.</li>")
		a, err := st.FindAgentByID(ctx, w.agentA2.ID)
		require.NoError(t, err)
		a.Skills = []org.Skill{{Kind: "channel", Value: "voice", Proficiency: 3}}
		_, err = st.UpdateAgent(ctx, a)
		require.NoError(t, err)
		status, _, body = page(t, a2, "POST", w.srv.URL+"/swaps/"+id+"/accept", url.Values{"csrf_token": {csrf2}})
		require.Equal(t, 200, status, body)
		assert.Contains(t, body, "You took the shift.")
		assert.Regexp(t, `<td data-label="From">a1</td><td data-label="Status">Taken, waiting for approval</td>`, body)

		// Agents cannot decide; the supervisor of team A can.
		status, _, _ = page(t, a1, "POST", w.srv.URL+"/swaps/"+id+"/decision", url.Values{"csrf_token": {csrf}, "decision": {"approve"}, "version": {"2"}})
		assert.Equal(t, 403, status)
		sup, csrfS := signIn(t, w, "supervisor@example.com")
		status, _, body = page(t, sup, "GET", w.srv.URL+"/swaps", nil)
		require.Equal(t, 200, status, body)
		assert.Regexp(t, `<td data-label="Offered by">a1</td>\s*<td data-label="Taken by">a2</td>`, body)
		version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(body)[1]
		status, _, body = page(t, sup, "POST", w.srv.URL+"/swaps/"+id+"/decision", url.Values{"csrf_token": {csrfS}, "decision": {"reject"}, "version": {version}})
		assert.Equal(t, 400, status)
		assert.Contains(t, body, "<li>Note: say why you reject the swap; both agents read it.</li>")
		status, _, body = page(t, sup, "POST", w.srv.URL+"/swaps/"+id+"/decision", url.Values{"csrf_token": {csrfS}, "decision": {"approve"}, "version": {"1"}})
		assert.Equal(t, 409, status)
		assert.Contains(t, body, "Not decided: ")
		status, _, body = page(t, sup, "POST", w.srv.URL+"/swaps/"+id+"/decision", url.Values{"csrf_token": {csrfS}, "decision": {"approve"}, "note": {"ok"}, "version": {version}})
		require.Equal(t, 200, status, body)
		assert.Contains(t, body, "Swap approved: revision 2 of June is published with the shift moved.")
		assert.Contains(t, body, "Nothing waiting.")

		// Both agents see the outcome; the shift is a2's now.
		_, _, body = page(t, a1, "GET", w.srv.URL+"/swaps", nil)
		assert.Regexp(t, `<td data-label="Status">Approved</td>\s*<td data-label="Taken by">a2</td>\s*<td data-label="Decision note">ok</td>`, body)
		assert.Contains(t, body, "You have no published shifts ahead to offer.")
		_, _, body = page(t, a2, "GET", w.srv.URL+"/swaps", nil)
		assert.Contains(t, body, ">Wed 5 Jun 10:00–18:00 WEST</option>", "the taker can offer the shift on")
	})
}

// TestWebSwapWithdrawAndLateOffer: an agent withdraws an open offer, and a
// shift too close to its start cannot be offered, in words.
func TestWebSwapWithdrawAndLateOffer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		clock := time.Date(2030, 6, 3, 8, 0, 0, 0, time.UTC)
		w := newWorldAt(t, st, func() time.Time { return clock })
		publishSwapWorld(t, w)
		a1, csrf := signIn(t, w, "agent@example.com")
		_, _, body := page(t, a1, "GET", w.srv.URL+"/swaps", nil)
		uid := regexp.MustCompile(`<option value="([^"]+)" >Wed 5 Jun`).FindStringSubmatch(body)[1]
		status, _, body := page(t, a1, "POST", w.srv.URL+"/swaps", url.Values{"csrf_token": {csrf}, "shift_uid": {uid}})
		require.Equal(t, 200, status, body)
		assert.Contains(t, body, `<td data-label="Offered to">Anyone who can work it</td>`)
		id := regexp.MustCompile(`action="/swaps/(\d+)/cancel"`).FindStringSubmatch(body)[1]
		status, _, body = page(t, a1, "POST", w.srv.URL+"/swaps/"+id+"/cancel", url.Values{"csrf_token": {csrf}})
		require.Equal(t, 200, status, body)
		assert.Contains(t, body, "Offer withdrawn.")
		assert.Contains(t, body, `<td data-label="Status">Withdrawn</td>`)
		status, _, body = page(t, a1, "POST", w.srv.URL+"/swaps/"+id+"/cancel", url.Values{"csrf_token": {csrf}})
		assert.Equal(t, 409, status)
		assert.Contains(t, body, "Not withdrawn: ")

		clock = time.Date(2030, 6, 5, 0, 0, 0, 0, time.UTC)
		a1, csrf = signIn(t, w, "agent@example.com") // the session timed out meanwhile
		status, _, body = page(t, a1, "POST", w.srv.URL+"/swaps", url.Values{"csrf_token": {csrf}, "shift_uid": {uid}})
		assert.Equal(t, 422, status)
		assert.Contains(t, body, `id="shift_uid-error">It is too late to offer this shift: offers close 12 hours before it starts.`)
	})
}
