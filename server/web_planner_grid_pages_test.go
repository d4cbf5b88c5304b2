package server_test

import (
	"context"
	"fmt"
	"html"
	"regexp"
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

// TestWebGridPagesAgentsAndFiltersByTeam: a plan of 120 agents shows 100
// rows a page with a pager; a team's filter keeps the reports whole.
func TestWebGridPagesAgentsAndFiltersByTeam(t *testing.T) {
	w := newWorld(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	day := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	var shifts []calendar.Shift
	for i := 0; i < 117; i++ {
		team := w.teamA
		if i%3 == 0 {
			team = w.teamB
		}
		a, err := w.st.CreateAgent(ctx, org.Agent{Name: fmt.Sprintf("Pager %03d", i), Email: fmt.Sprintf("pager%d@agents.example.com", i), Timezone: "UTC",
			TeamID: &team.ID, Contract: org.DefaultContract})
		require.NoError(t, err)
		start := day.Add(time.Duration(6+i%8) * time.Hour)
		shifts = append(shifts, calendar.Shift{AgentID: a.ID, Template: "FT8", Start: start, End: start.Add(8 * time.Hour), PaidMinutes: 480})
	}
	for _, a := range []org.Agent{w.agentA1, w.agentA2, w.agentB1} {
		shifts = append(shifts, calendar.Shift{AgentID: a.ID, Template: "FT8", Start: day.Add(8 * time.Hour), End: day.Add(16 * time.Hour), PaidMinutes: 480})
	}
	sch, err := w.st.CreateScheduleDraft(ctx, store.Schedule{Name: "Pages", Timezone: "UTC", PeriodStart: day, PeriodEnd: day.AddDate(0, 0, 7)}, shifts)
	require.NoError(t, err)
	c, _ := signIn(t, w, "planner@example.com")
	base := fmt.Sprintf("%s/planner/schedules/%d?queue_id=%d&view=period", w.srv.URL, sch.ID, w.queue.ID)
	rows := regexp.MustCompile(`<li class="grid-row">`)

	status, _, body := page(t, c, "GET", base, nil)
	require.Equal(t, 200, status, body)
	assert.Contains(t, body, "Rows 1–100 of 120, 120 shifts")
	assert.Len(t, rows.FindAllString(body, -1), 100)
	assert.Contains(t, body, `aria-current="page">Rows 1–100</a>`)
	next := regexp.MustCompile(`<a href="([^"]+)">Next rows →</a>`).FindStringSubmatch(body)
	require.NotNil(t, next, "the pager links to the next rows")
	assert.Contains(t, body, "<dt>Shifts</dt><dd>120 (120 named agents)</dd>", "the cost report covers the whole plan")

	status, _, body = page(t, c, "GET", w.srv.URL+html.UnescapeString(next[1]), nil)
	require.Equal(t, 200, status, body)
	assert.Contains(t, body, "Rows 101–120 of 120")
	assert.Len(t, rows.FindAllString(body, -1), 20)
	assert.Contains(t, body, "← Previous rows")
	assert.NotContains(t, body, "Next rows →")
	edit := regexp.MustCompile(`<a class="shift[^"]*" style="[^"]*" href="([^"]+)"`).FindStringSubmatch(body)
	require.NotNil(t, edit, "shifts on later pages link to their edit page")
	status, _, body = page(t, c, "GET", w.srv.URL+html.UnescapeString(edit[1]), nil)
	require.Equal(t, 200, status, body)
	assert.Contains(t, body, `name="version"`)

	status, _, body = page(t, c, "GET", fmt.Sprintf("%s&team_id=%d&page=7", base, w.teamB.ID), nil)
	require.Equal(t, 200, status, body)
	assert.Contains(t, body, "Rows 1–40 of 40, 40 shifts", "team B: every third new agent and b1; a page past the end is the last")
	assert.NotContains(t, body, "Pages of rows", "one page needs no pager")
	assert.Contains(t, body, "The reports below cover the whole plan.")
	assert.Contains(t, body, "<dt>Shifts</dt><dd>120 (120 named agents)</dd>")
	assert.NotContains(t, body, ">a1 <", "team A's agents are not listed")
	assert.True(t, strings.Contains(body, ">b1 <"), "team B's are")
	assert.Contains(t, body, fmt.Sprintf(`<option value="%d" selected>Team B</option>`, w.teamB.ID))
}
