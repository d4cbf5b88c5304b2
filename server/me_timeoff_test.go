package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// TestAgentAsksForAndCancelsTimeOffInTheBrowser: on their week an agent
// asks for part of a day off, sees the request with its year, is told in
// words what is wrong with a bad one (and a second ask for the same time),
// and cancels the request before it begins.
func TestAgentAsksForAndCancelsTimeOffInTheBrowser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		c, csrf := signIn(t, w, "agent@example.com")
		day := time.Now().AddDate(0, 0, 10).Format(time.DateOnly)
		ask := func(v url.Values) (int, string) {
			v.Set("csrf_token", csrf)
			status, _, body := page(t, c, "POST", w.srv.URL+"/me/time-off", v)
			return status, body
		}
		status, body := ask(url.Values{"first_date": {day}, "last_date": {time.Now().AddDate(0, 0, 8).Format(time.DateOnly)}})
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Contains(t, body, "is before the first day")
		assert.NotContains(t, body, "first_date<", "no field names in the words")
		status, body = ask(url.Values{"first_date": {day}, "from": {"14:00"}, "to": {"13:00"}})
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Contains(t, body, "must be after the start time")
		assert.Contains(t, body, `value="14:00"`, "the form keeps what was typed")

		status, body = ask(url.Values{"first_date": {day}, "from": {"09:00"}, "to": {"13:00"}, "reason": {"dentist"}})
		require.Equal(t, http.StatusOK, status, "%s", body)
		assert.Contains(t, body, "Time-off requested")
		year := time.Now().AddDate(0, 0, 10).Format("2006")
		assert.Regexp(t, regexp.MustCompile(`\d+ \w+ `+year+` 09:00`), body, "requests show their year")
		offs, _, err := st.FindTimeOff(context.Background(), store.TimeOffFilter{AgentIDs: []int64{w.agentA1.ID}, Page: store.Page{Limit: 10}})
		require.NoError(t, err)
		require.Len(t, offs, 1)
		assert.False(t, offs[0].FullDays, "part of a day")
		assert.Equal(t, 4*time.Hour, offs[0].End.Sub(offs[0].Start))

		status, body = ask(url.Values{"first_date": {day}})
		assert.Equal(t, http.StatusConflict, status)
		assert.Contains(t, body, "overlaps request")

		status, _, body = page(t, c, "POST", w.srv.URL+"/me/time-off/"+itoa(offs[0].ID)+"/cancel", url.Values{"csrf_token": {csrf}})
		require.Equal(t, http.StatusOK, status, "%s", body)
		assert.Contains(t, body, "Time off cancelled")
		got, _, err := st.FindTimeOff(context.Background(), store.TimeOffFilter{AgentIDs: []int64{w.agentA1.ID}, Page: store.Page{Limit: 10}})
		require.NoError(t, err)
		assert.Equal(t, calendar.TimeOffCancelled, got[0].Status)
		assert.NotContains(t, body, "Cancel this request", "a cancelled request cannot be cancelled again")
	})
}
