package server_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// The live day through the API: events in (one with a bad time), Connect
// records in (a heartbeat skipped), queue actuals as CSV, then adherence as
// each role may see it.
func TestLiveDayThroughTheAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		now := time.Now().UTC().Truncate(time.Minute)
		w := newWorldAt(t, st, func() time.Time { return now })
		start := now.Add(-3 * time.Hour)
		plan, err := st.CreateScheduleDraft(t.Context(), store.Schedule{Name: "today", Timezone: "UTC", PeriodStart: start.Add(-time.Hour), PeriodEnd: now.Add(24 * time.Hour)},
			[]calendar.Shift{{AgentID: w.agentA1.ID, Template: "8h", Start: start, End: start.Add(8 * time.Hour), PaidMinutes: 480,
				Breaks: []calendar.Break{{Name: "break", Start: start.Add(2 * time.Hour), End: start.Add(2*time.Hour + 15*time.Minute)}}}})
		require.NoError(t, err)
		_, _, err = st.PublishSchedule(t.Context(), plan.ID, plan.Version, 0, now)
		require.NoError(t, err)

		at := func(d time.Duration) string { return start.Add(d).Format(time.RFC3339) }
		res := w.as(org.RolePlanner, http.MethodPost, "/api/v1/acd/agent-events", map[string]any{"events": []map[string]any{
			{"event_id": "e1", "agent": "a1@agents.example.com", "state": "available", "at": at(time.Minute)},
			{"event_id": "e2", "agent": itoa(w.agentA1.ID), "state": "on_contact", "queue": "Voice PT", "at": at(time.Hour)},
			{"event_id": "e3", "agent": "a1@agents.example.com", "state": "available", "at": "half past nine"},
		}})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		body := res.json(t)
		assert.EqualValues(t, 2, body["stored"])
		assert.EqualValues(t, 1, body["rejected"])
		assert.Contains(t, string(res.Body), `"half past nine\" is not an RFC 3339 time`)

		onCall, err := os.ReadFile(filepath.Join("..", "intraday", "testdata", "connect", "heartbeat.json"))
		require.NoError(t, err)
		// A Connect record of agent a1 going on break (two hours in, as planned).
		brk := fmt.Sprintf(`{"AgentARN":"arn:aws:connect:eu-west-2:1:instance/x/agent/y","EventId":"c-1","EventTimestamp":%q,"EventType":"STATE_CHANGE",
			"CurrentAgentSnapshot":{"AgentStatus":{"Name":"Break","Type":"CUSTOM"},"Configuration":{"Username":"a1@agents.example.com"},"Contacts":[]}}`, at(2*time.Hour))
		res = w.as(org.RolePlanner, http.MethodPost, "/api/v1/acd/connect-events", `{"records":[`+string(onCall)+`,`+brk+`]}`)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		assert.EqualValues(t, 1, res.json(t)["stored"])
		assert.EqualValues(t, 1, res.json(t)["skipped"], "the heartbeat")

		slot := now.Truncate(30 * time.Minute).Add(-30 * time.Minute).Format(time.RFC3339)
		csv := "queue,start,interval_minutes,offered,handled,abandoned,handle_seconds,answered_within_target\n" +
			"Voice PT," + slot + ",30,40,37,3,10360,30\n"
		res = w.as(org.RolePlanner, http.MethodPost, "/api/v1/acd/queue-intervals", csv, map[string]string{"Content-Type": "text/csv"})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		assert.EqualValues(t, 1, res.json(t)["stored"])
		res = w.as(org.RolePlanner, http.MethodPost, "/api/v1/acd/queue-intervals", strings.ReplaceAll(csv, ",40,", ",forty,"), map[string]string{"Content-Type": "text/csv"})
		assert.Equal(t, http.StatusBadRequest, res.Status)
		assert.Contains(t, string(res.Body), "line 2.offered")

		assert.Equal(t, http.StatusForbidden, w.as(org.RoleAgent, http.MethodPost, "/api/v1/acd/agent-events", map[string]any{"events": []any{}}).Status,
			"agents do not send states")

		res = w.as(org.RoleSupervisor, http.MethodGet, "/api/v1/adherence?from="+start.Add(-time.Hour).Format(time.RFC3339)+"&to="+now.Format(time.RFC3339), nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		rep := res.json(t)
		agents := rep["agents"].([]any)
		require.Len(t, agents, 1, "only a1 was scheduled or seen")
		a1 := agents[0].(map[string]any)
		assert.EqualValues(t, w.agentA1.ID, a1["agent_id"])
		assert.Equal(t, "break", a1["state"], "the Connect record's custom status")
		assert.NotNil(t, a1["adherence"])

		mine := w.as(org.RoleAgent, http.MethodGet, "/api/v1/adherence", nil).json(t)
		assert.Len(t, mine["agents"], 1, "the agent sees their own day")
		assert.Equal(t, http.StatusForbidden, w.as(org.RoleQAReviewer, http.MethodGet, "/api/v1/adherence", nil).Status)

		// The live board, as the supervisor's browser shows it.
		c, _ := signIn(t, w, "supervisor@example.com")
		status, _, board := page(t, c, "GET", w.srv.URL+"/live", nil)
		require.Equal(t, 200, status, board)
		assert.Contains(t, board, "<h1>Live board</h1>")
		assert.Contains(t, board, "<td>a1</td>")
		assert.Contains(t, board, `href="/live"`, "the board is in the menu")
		c, _ = signIn(t, w, "qa_reviewer@example.com")
		status, _, _ = page(t, c, "GET", w.srv.URL+"/live", nil)
		assert.Equal(t, 403, status, "not for QA reviewers")

		res = w.as(org.RoleSupervisor, http.MethodPost, "/api/v1/adherence/exceptions", map[string]any{"agent_id": w.agentA1.ID,
			"start": at(90 * time.Minute), "end": at(100 * time.Minute), "reason": "phones down"})
		assert.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		res = w.as(org.RoleSupervisor, http.MethodPost, "/api/v1/adherence/exceptions", map[string]any{"agent_id": w.agentB1.ID,
			"start": at(90 * time.Minute), "end": at(100 * time.Minute), "reason": "phones down"})
		assert.Equal(t, http.StatusNotFound, res.Status, "not their team")
	})
}
