package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/intraday"
	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// TestAgentSeesTheirOwnDay: the agent's day page shows their plan for
// today on their clock, their state, their adherence so far and the stretch
// they were out of adherence; nobody else's.
func TestAgentSeesTheirOwnDay(t *testing.T) {
	st := storetest.OpenSQLite(t)
	lisbon, _ := time.LoadLocation("Europe/Lisbon")
	ahead := time.Now().In(lisbon).AddDate(0, 0, 2) // the session cookie expires by the server's clock
	day := time.Date(ahead.Year(), ahead.Month(), ahead.Day(), 0, 0, 0, 0, lisbon)
	at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	now := at(11, 0)
	w := newWorldAt(t, st, func() time.Time { return now.UTC() })
	ctx := context.Background()
	mine := calendar.Shift{AgentID: w.agentA1.ID, Template: "day", Start: at(8, 0), End: at(16, 0), PaidMinutes: 450,
		Breaks: []calendar.Break{{Name: "break", Start: at(10, 0), End: at(10, 15), Paid: true}, {Name: "lunch", Start: at(12, 0), End: at(12, 30)}}}
	theirs := calendar.Shift{AgentID: w.agentA2.ID, Template: "late", Start: at(13, 0), End: at(21, 0), PaidMinutes: 480}
	d, err := st.CreateScheduleDraft(ctx, store.Schedule{Name: "Day", Timezone: "Europe/Lisbon", PeriodStart: day.UTC(), PeriodEnd: day.AddDate(0, 0, 1).UTC()},
		[]calendar.Shift{mine, theirs})
	require.NoError(t, err)
	_, _, err = st.PublishSchedule(ctx, d.ID, d.Version, w.users[org.RolePlanner].ID, day.AddDate(0, 0, -7))
	require.NoError(t, err)
	_, err = st.InsertAgentEvents(ctx, []store.AgentEvent{
		{SourceID: "d1", AgentID: w.agentA1.ID, State: intraday.Available, At: at(8, 20).UTC()},
		{SourceID: "d2", AgentID: w.agentA1.ID, State: intraday.Break, At: at(10, 0).UTC()},
		{SourceID: "d3", AgentID: w.agentA1.ID, State: intraday.OnContact, At: at(10, 15).UTC()}})
	require.NoError(t, err)

	c, _ := signIn(t, w, "agent@example.com")
	status, _, body := page(t, c, "GET", w.srv.URL+"/me/today", nil)
	require.Equal(t, 200, status, "%s", body)
	assert.Contains(t, body, "My day")
	assert.Contains(t, body, "on contact since 10:15")
	assert.Contains(t, body, "<td>08:00</td><td>10:00</td><td>work</td>", "the plan on the agent's clock")
	assert.Contains(t, body, "<td>12:00</td><td>12:30</td><td>lunch</td>")
	assert.Contains(t, body, "<td>08:00</td><td>08:20</td><td>work</td><td>logged out</td><td>20</td>", "the late log-in is out of adherence")
	assert.NotContains(t, body, "13:00", "another agent's shift is not shown")
	assert.Regexp(t, `Adherence so far</dt><dd>[0-9.]+%`, body)
}
