package server_test

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// TestWebAdminKeepsTheOrganisationsRecords walks the record
// pages on both databases: add, edit with a version check, delete where the
// policy allows and nothing uses the record, and the service's refusals
// shown next to their fields; agents with skills, contract and availability too.
func TestWebAdminKeepsTheOrganisationsRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newWorld(t, st)
		pc, pcsrf := signIn(t, w, "planner@example.com")
		post := func(c *http.Client, path string, v url.Values) (int, string, string) {
			return page(t, c, "POST", w.srv.URL+path, v)
		}

		// A queue: the service's rules per field, then added.
		form := url.Values{"csrf_token": {pcsrf}, "name": {"Chat ES"}, "channel_id": {itoa(w.channel.ID)}, "timezone": {"Mars/Olympus"},
			"service_level_pct": {"80"}, "answer_within_seconds": {"0"}, "default_aht_seconds": {"420"}, "chat_concurrency": {"2"},
			"interval_minutes": {"30"}, "max_occupancy": {"85"}, "shrinkage": {"130"}, "patience_seconds": {"soon"}, "language": {"es"}}
		status, _, body := post(pc, "/admin/queues", form)
		require.Equal(t, http.StatusBadRequest, status, "%s", body)
		assert.Contains(t, body, `id="shrinkage-error">must be at least 0% and below 100%, got 130%`)
		assert.Contains(t, body, `id="patience_seconds-error">must be a whole number`)
		assert.Contains(t, body, `value="Chat ES"`, "the form keeps what was typed")
		form.Set("shrinkage", "25")
		form.Set("patience_seconds", "90")
		status, _, body = post(pc, "/admin/queues", form)
		require.Equal(t, http.StatusBadRequest, status, "%s", body)
		assert.Contains(t, body, `id="timezone-error">`, "the queue's own rules, per field")
		form.Set("timezone", "Europe/Madrid")
		status, _, body = post(pc, "/admin/queues", form)
		require.Equal(t, http.StatusBadRequest, status, "%s", body)
		assert.Contains(t, body, `id="answer_within_seconds-error">is required for a real-time channel`)
		form.Set("answer_within_seconds", "30")
		status, path, body := post(pc, "/admin/queues", form)
		require.Equal(t, http.StatusOK, status, "%s", body)
		assert.Equal(t, "/admin/queues", path)
		assert.Contains(t, body, "Queue Chat ES added.")
		qs, _, err := st.FindQueues(ctx, store.Page{Limit: 50})
		require.NoError(t, err)
		var q org.Queue
		for _, x := range qs {
			if x.Name == "Chat ES" {
				q = x
			}
		}
		require.NotZero(t, q.ID, "the queue is stored")
		assert.Equal(t, 0.25, q.Shrinkage)
		assert.Equal(t, 0.85, q.MaxOccupancy)
		assert.Equal(t, 90, q.PatienceSec)
		assert.Equal(t, 2, q.ChatConcurrency)

		// Edit: the form shows the stored values; a stale version is refused
		// with the current values and a clear message.
		status, _, body = page(t, pc, "GET", w.srv.URL+"/admin/queues/"+itoa(q.ID), nil)
		require.Equal(t, http.StatusOK, status, "%s", body)
		assert.Contains(t, body, `name="shrinkage" type="number" value="25"`)
		edit, err := url.ParseQuery("")
		require.NoError(t, err)
		for k, v := range form {
			edit[k] = v
		}
		edit.Set("version", itoa(int64(q.Version)))
		edit.Set("default_aht_seconds", "360")
		status, _, body = post(pc, "/admin/queues/"+itoa(q.ID), edit)
		require.Equal(t, http.StatusOK, status, "%s", body)
		assert.Contains(t, body, "Queue Chat ES saved.")
		got, err := st.FindQueueByID(ctx, q.ID)
		require.NoError(t, err)
		assert.Equal(t, 360, got.DefaultAHTSec)
		edit.Set("default_aht_seconds", "200") // the same form sent again: stale
		status, _, body = post(pc, "/admin/queues/"+itoa(q.ID), edit)
		assert.Equal(t, http.StatusConflict, status)
		assert.Contains(t, body, "someone else changed this queue after you opened it")
		assert.Contains(t, body, `name="default_aht_seconds" type="number" value="360"`, "the form shows their version")
		again, err := st.FindQueueByID(ctx, q.ID)
		require.NoError(t, err)
		assert.Equal(t, 360, again.DefaultAHTSec)

		// A special day on the queue; a bad factor is named; then delete it.
		status, _, body = post(pc, "/admin/special-days", url.Values{"csrf_token": {pcsrf}, "date": {"2026-12-24"}, "queue_id": {itoa(q.ID)}, "factor": {"40"}})
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Contains(t, body, `id="factor-error">must be above 0 and at most 20`)
		status, _, body = post(pc, "/admin/special-days", url.Values{"csrf_token": {pcsrf}, "date": {"2026-12-24"}, "queue_id": {itoa(q.ID)}, "factor": {"0.6"}, "note": {"Christmas Eve"}})
		require.Equal(t, http.StatusOK, status, "%s", body)
		assert.Contains(t, body, "Christmas Eve")
		days, _, err := st.FindSpecialDays(ctx, store.SpecialDayFilter{})
		require.NoError(t, err)
		require.Len(t, days, 1)
		assert.Equal(t, 0.6, days[0].Factor)
		status, _, body = post(pc, "/admin/special-days/"+itoa(days[0].ID), url.Values{"csrf_token": {pcsrf}, "version": {itoa(int64(days[0].Version))},
			"date": {"2026-12-24"}, "queue_id": {""}, "closed": {"on"}, "note": {"Christmas Eve"}})
		require.Equal(t, http.StatusOK, status, "%s", body)
		d, err := st.FindSpecialDayByID(ctx, days[0].ID)
		require.NoError(t, err)
		assert.True(t, d.Closed)
		assert.Nil(t, d.QueueID, "every queue")
		status, _, body = post(pc, "/admin/special-days/"+itoa(d.ID)+"/delete", url.Values{"csrf_token": {pcsrf}})
		require.Equal(t, http.StatusOK, status, "%s", body)
		_, err = st.FindSpecialDayByID(ctx, d.ID)
		assert.Error(t, err)

		// Channels: planners add and edit; only admins delete, and not one in use.
		status, _, body = post(pc, "/admin/channels", url.Values{"csrf_token": {pcsrf}, "key": {"Email!"}, "name": {"Email"}, "kind": {"deferred"}})
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Contains(t, body, `id="key-error">must be 1-32 lower-case letters`)
		status, _, body = post(pc, "/admin/channels", url.Values{"csrf_token": {pcsrf}, "key": {"email"}, "name": {"Email"}, "kind": {"deferred"}})
		require.Equal(t, http.StatusOK, status, "%s", body)
		status, _, body = post(pc, "/admin/channels", url.Values{"csrf_token": {pcsrf}, "key": {"email"}, "name": {"Email"}, "kind": {"deferred"}})
		assert.Equal(t, http.StatusConflict, status, "a duplicate key is refused: %s", body)
		_, _, body = page(t, pc, "GET", w.srv.URL+"/admin/channels/"+itoa(w.channel.ID), nil)
		assert.NotContains(t, body, `id="delete"`, "a planner is offered no delete")
		status, _, _ = post(pc, "/admin/channels/"+itoa(w.channel.ID)+"/delete", url.Values{"csrf_token": {pcsrf}})
		assert.Equal(t, http.StatusForbidden, status)
		ac, acsrf := signIn(t, w, "admin@example.com")
		status, _, body = post(ac, "/admin/channels/"+itoa(w.channel.ID)+"/delete", url.Values{"csrf_token": {acsrf}})
		assert.Equal(t, http.StatusConflict, status)
		assert.Contains(t, body, "Not deleted:", "the voice channel's queues use it")

		// Sites are the admin's: a planner is refused; the admin edits one.
		status, _, _ = page(t, pc, "GET", w.srv.URL+"/admin/sites", nil)
		assert.Equal(t, http.StatusForbidden, status)
		status, _, body = post(ac, "/admin/sites/"+itoa(w.site.ID), url.Values{"csrf_token": {acsrf}, "version": {itoa(int64(w.site.Version))},
			"name": {"Porto"}, "timezone": {"Nowhere/Land"}})
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Contains(t, body, `id="timezone-error">`)
		status, _, body = post(ac, "/admin/sites/"+itoa(w.site.ID), url.Values{"csrf_token": {acsrf}, "version": {itoa(int64(w.site.Version))},
			"name": {"Porto Centro"}, "timezone": {"Europe/Lisbon"}})
		require.Equal(t, http.StatusOK, status, "%s", body)
		assert.Contains(t, body, "Site Porto Centro saved.")
		status, _, body = post(ac, "/admin/sites/"+itoa(w.site.ID)+"/delete", url.Values{"csrf_token": {acsrf}})
		assert.Equal(t, http.StatusConflict, status, "teams use the site: %s", body)

		// Agents: skills per channel and language, contract and availability.
		agent := url.Values{"csrf_token": {pcsrf}, "name": {"Rita"}, "email": {"rita@agents.example.com"}, "timezone": {"Europe/Lisbon"},
			"team_id": {itoa(w.teamA.ID)}, "skill.voice": {"4"}, "languages": {"pt 5, en"}, "contract.name": {"PT"},
			"contract.min_week_hours": {"10"}, "contract.max_week_hours": {"20"}, "contract.max_shifts_per_week": {"4"},
			"contract.min_rest_hours": {"11"}, "contract.max_consecutive_days": {"5"},
			"availability.mon": {"08:00-14:00"}, "availability.tue": {"25:00-26:00"}, "availability.wed": {"lunchtime"}}
		status, _, body = post(pc, "/admin/agents", agent)
		require.Equal(t, http.StatusBadRequest, status, "%s", body)
		assert.Contains(t, body, `id="languages-error">write each language as its code and level`)
		assert.Contains(t, body, `id="availability.wed-error">write a span like 08:00-16:00`)
		agent.Set("languages", "pt 5, en 3")
		agent.Set("availability.wed", "")
		agent.Set("contract.min_week_hours", "30")
		status, _, body = post(pc, "/admin/agents", agent)
		require.Equal(t, http.StatusBadRequest, status, "%s", body)
		assert.Contains(t, body, `id="availability.tue-error">must be a clock time like 08:00`, "the service's availability[1] is Tuesday's input")
		assert.Contains(t, body, `id="contract.min_week_hours-error">must not exceed max_week_hours`)
		agent.Set("availability.tue", "18:00-22:00, 07:00-09:00")
		agent.Set("contract.min_week_hours", "10")
		status, _, body = post(pc, "/admin/agents", agent)
		require.Equal(t, http.StatusOK, status, "%s", body)
		assert.Contains(t, body, "Agent Rita added.")
		all, _, err := st.FindAgents(ctx, store.AgentFilter{Page: store.Page{Limit: 50}})
		require.NoError(t, err)
		var rita org.Agent
		for _, a := range all {
			if a.Name == "Rita" {
				rita = a
			}
		}
		require.NotZero(t, rita.ID)
		assert.ElementsMatch(t, []org.Skill{{Kind: "channel", Value: "voice", Proficiency: 4}, {Kind: "language", Value: "pt", Proficiency: 5},
			{Kind: "language", Value: "en", Proficiency: 3}}, rita.Skills)
		assert.Equal(t, org.Contract{Name: "PT", MinWeekHours: 10, MaxWeekHours: 20, MaxShiftsPerWeek: 4, MinRestHours: 11, MaxConsecutiveDays: 5}, rita.Contract)
		assert.Len(t, rita.Availability, 3)
		status, _, body = page(t, pc, "GET", w.srv.URL+"/admin/agents/"+itoa(rita.ID), nil)
		require.Equal(t, http.StatusOK, status, "%s", body)
		assert.Contains(t, body, `name="availability.tue" type="text" value="18:00-22:00, 07:00-09:00"`)
		agent.Set("version", itoa(int64(rita.Version)))
		agent.Set("skill.voice", "5")
		status, _, body = post(pc, "/admin/agents/"+itoa(rita.ID), agent)
		require.Equal(t, http.StatusOK, status, "%s", body)
		status, _, body = post(pc, "/admin/agents/"+itoa(rita.ID), agent)
		assert.Equal(t, http.StatusConflict, status, "the same version again is stale: %s", body)
		status, _, _ = post(pc, "/admin/agents/"+itoa(rita.ID)+"/delete", url.Values{"csrf_token": {pcsrf}})
		assert.Equal(t, http.StatusForbidden, status, "only admins delete agents")
		status, _, body = post(ac, "/admin/agents/"+itoa(rita.ID)+"/delete", url.Values{"csrf_token": {acsrf}})
		require.Equal(t, http.StatusOK, status, "%s", body)
		assert.Contains(t, body, "Agent Rita deleted.")

		// A queue nothing uses is deleted; other roles are refused the pages.
		status, _, body = post(pc, "/admin/queues/"+itoa(q.ID)+"/delete", url.Values{"csrf_token": {pcsrf}})
		require.Equal(t, http.StatusOK, status, "%s", body)
		assert.Contains(t, body, "Queue Chat ES deleted.")
		sc, _ := signIn(t, w, "supervisor@example.com")
		for _, p := range []string{"/admin/queues", "/admin/channels", "/admin/special-days", "/admin/sites", "/admin/agents", "/admin/queues/" + itoa(w.queue.ID)} {
			status, _, _ = page(t, sc, "GET", w.srv.URL+p, nil)
			assert.Equal(t, http.StatusForbidden, status, p)
		}
	})
}

// TestWebAdminConcurrentEditsOfOneVersion: a burst of edits sent from the
// same version of a queue saves exactly one; the others are told the queue
// changed, nothing is lost or mixed, and the one save is audited once.
func TestWebAdminConcurrentEditsOfOneVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		c, csrf := signIn(t, w, "planner@example.com")
		q := w.queue
		const n = 6
		statuses := make(chan int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status, _, _ := page(t, c, "POST", w.srv.URL+"/admin/queues/"+itoa(q.ID), url.Values{"csrf_token": {csrf}, "version": {itoa(int64(q.Version))},
					"name": {q.Name}, "channel_id": {itoa(q.ChannelID)}, "timezone": {q.Timezone}, "service_level_pct": {"80"}, "answer_within_seconds": {"20"},
					"default_aht_seconds": {itoa(int64(200 + i))}, "chat_concurrency": {"1"}, "interval_minutes": {"30"}, "max_occupancy": {"85"}, "shrinkage": {"30"}})
				statuses <- status
			}()
		}
		wg.Wait()
		close(statuses)
		won := 0
		for s := range statuses {
			if s == http.StatusOK {
				won++
			} else {
				assert.Equal(t, http.StatusConflict, s)
			}
		}
		assert.Equal(t, 1, won, "one edit of a version wins")
		got, err := st.FindQueueByID(context.Background(), q.ID)
		require.NoError(t, err)
		assert.Equal(t, q.Version+1, got.Version)
		assert.GreaterOrEqual(t, got.DefaultAHTSec, 200)
		assert.Less(t, got.DefaultAHTSec, 200+n)
		assert.Equal(t, map[string]int{"update": 1}, auditActions(t, st, "queue", q.ID), "the winner alone is audited")
	})
}
