package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// The agent's week lists shifts in time order, the ones that have passed
// marked "done" (they came after next week's before).
func TestMyWeekIsInTimeOrder(t *testing.T) {
	st := storetest.OpenSQLite(t)
	w := newWorld(t, st)
	lisbon, _ := time.LoadLocation("Europe/Lisbon")
	now := time.Now().In(lisbon)
	monday := time.Date(now.Year(), now.Month(), now.Day()-int((now.Weekday()+6)%7), 9, 0, 0, 0, lisbon)
	days := []time.Time{monday.AddDate(0, 0, 8), monday, monday.AddDate(0, 0, 10)} // out of order on purpose
	var shifts []calendar.Shift
	for _, d := range days {
		shifts = append(shifts, calendar.Shift{AgentID: w.agentA1.ID, Template: "8h", Start: d, End: d.Add(8 * time.Hour), PaidMinutes: 480})
	}
	plan, err := st.CreateScheduleDraft(t.Context(), store.Schedule{Name: "two weeks", Timezone: "Europe/Lisbon", PeriodStart: monday.AddDate(0, 0, -1), PeriodEnd: monday.AddDate(0, 0, 14)}, shifts)
	require.NoError(t, err)
	_, _, err = st.PublishSchedule(t.Context(), plan.ID, plan.Version, 0, time.Now())
	require.NoError(t, err)

	c, _ := signIn(t, w, "agent@example.com")
	status, _, body := page(t, c, "GET", w.srv.URL+"/me", nil)
	require.Equal(t, 200, status, body)
	first, second, third := strings.Index(body, monday.Format("Mon 2 Jan")), strings.Index(body, days[0].Format("Mon 2 Jan")), strings.Index(body, days[2].Format("Mon 2 Jan"))
	require.True(t, first > 0 && second > 0 && third > 0, body)
	assert.Less(t, first, second, "this week before next")
	assert.Less(t, second, third)
	if now.After(monday.Add(8 * time.Hour)) {
		assert.Contains(t, body, `<span class="tag">done</span>`, "Monday has passed")
	}
}
