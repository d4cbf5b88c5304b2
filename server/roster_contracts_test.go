package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// TestRosterHonoursContractTemplatesAndMinimumLevels stores a queue that
// asks for English at level 3 and voice at level 2, agents on named
// contracts, and templates limited to contracts, then rosters through the
// API: FT8 goes only to FT agents, and agents below either minimum get no
// shifts on the queue.
func TestRosterHonoursContractTemplatesAndMinimumLevels(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w, inMarch := newWorldPlanningMarch(t, st)
		ctx := context.Background()

		q := w.queue
		q.Language, q.MinProficiency, q.MinLanguageProficiency = "en", 2, 3
		res := w.as(org.RoleAdmin, http.MethodPatch, "/api/v1/queues/"+itoa(q.ID), q, map[string]string{"If-Match": fmt.Sprintf(`"%d"`, q.Version)})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		assert.Contains(t, string(res.Body), `"min_language_proficiency":3`)
		stored, err := st.FindQueueByID(ctx, q.ID)
		require.NoError(t, err)
		assert.Equal(t, 2, stored.MinProficiency)
		assert.Equal(t, 3, stored.MinLanguageProficiency)
		c, _ := signIn(t, w, "planner@example.com")
		status, _, body := page(t, c, "GET", w.srv.URL+"/planner/queues/"+itoa(q.ID), nil)
		require.Equal(t, 200, status, body)
		assert.Contains(t, body, "<dt>Rostered from skill level</dt><dd>2 in Voice</dd>")
		assert.Contains(t, body, "<dt>Rostered from language level</dt><dd>3 in en</dd>")
		bad := stored
		bad.MinProficiency = 9
		res = w.as(org.RoleAdmin, http.MethodPatch, "/api/v1/queues/"+itoa(q.ID), bad, map[string]string{"If-Match": fmt.Sprintf(`"%d"`, stored.Version)})
		assert.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
		assert.Contains(t, string(res.Body), "min_proficiency")

		weekdayForecast(t, st, q, 30)

		kinds := map[int64]string{}
		mk := func(name, contract string, voice, english int) {
			c := org.DefaultContract
			c.Name = contract
			if contract == "PT" {
				c.MaxWeekHours = 20
			}
			a, err := st.CreateAgent(ctx, org.Agent{Name: name, Email: name + "@agents.example.com", Timezone: "Europe/Lisbon", Contract: c,
				Skills: []org.Skill{{Kind: "channel", Value: "voice", Proficiency: voice}, {Kind: "language", Value: "en", Proficiency: english}}})
			require.NoError(t, err)
			kinds[a.ID] = name
		}
		for i := 0; i < 4; i++ {
			mk(fmt.Sprint("ft", i), "FT", 4, 5)
			mk(fmt.Sprint("pt", i), "PT", 3, 4)
		}
		mk("novice", "FT", 1, 5)  // voice below 2
		mk("learner", "FT", 5, 2) // English below 3
		got, err := st.FindAgentByID(ctx, mustKey(t, kinds, "ft0"))
		require.NoError(t, err)
		assert.Equal(t, "FT", got.Contract.Name, "the contract's name round-trips through the store")

		tmpl := rosterTemplates()
		tmpl["templates"].([]map[string]any)[0]["contracts"] = []string{"FT"}
		tmpl["templates"].([]map[string]any)[1]["contracts"] = []string{"PT"}
		req := map[string]any{"name": "Week 13", "queue_ids": []int64{q.ID}, "start": generateMonday.Format(time.DateOnly), "weeks": 1, "timezone": "Europe/Lisbon",
			"templates": tmpl, "time_limit_seconds": 5}
		inMarch.Store(true)
		run := runRoster(t, w, req)
		var result struct {
			ScheduleID int64 `json:"schedule_id"`
		}
		require.NoError(t, json.Unmarshal([]byte(run.Result), &result))
		shifts, err := st.FindShifts(ctx, store.ShiftFilter{ScheduleID: result.ScheduleID})
		require.NoError(t, err)
		require.NotEmpty(t, shifts)
		seen := map[string]int{}
		for _, sh := range shifts {
			name := kinds[sh.AgentID]
			seen[name]++
			assert.Equal(t, q.ID, sh.QueueID, "every shift says where the agent works")
			switch name[:2] {
			case "ft":
				assert.Equal(t, "FT8", sh.Template, "%s is full-time", name)
			case "pt":
				assert.Equal(t, "PT4", sh.Template, "%s is part-time", name)
			default:
				t.Errorf("%s is below the queue's minimum level but works %s", name, sh.Start)
			}
		}
		assert.Positive(t, seen["ft0"]+seen["ft1"]+seen["ft2"]+seen["ft3"])
		assert.Positive(t, seen["pt0"]+seen["pt1"]+seen["pt2"]+seen["pt3"])
	})
}

// runRoster starts the roster job as a planner and waits for it to succeed.
func runRoster(t *testing.T, w *world, req map[string]any) store.JobRun {
	res := w.as(org.RolePlanner, http.MethodPost, "/api/v1/schedules/roster", req)
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	runID := int64(res.json(t)["id"].(float64))
	var run store.JobRun
	require.Eventually(t, func() bool {
		r := w.as(org.RolePlanner, http.MethodGet, "/api/v1/jobs/runs/"+itoa(runID), nil)
		require.NoError(t, jsonUnmarshalBytes(r.Body, &run))
		return run.Status != store.JobRunning
	}, 90*time.Second, 100*time.Millisecond)
	require.Equal(t, store.JobSucceeded, run.Status, "errors: %v", run.Errors)
	return run
}

func mustKey(t *testing.T, m map[int64]string, v string) int64 {
	for k, x := range m {
		if x == v {
			return k
		}
	}
	t.Fatalf("%s not found", v)
	return 0
}
