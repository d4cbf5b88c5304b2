package server_test

import (
	"fmt"
	"html"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// TestWebPlanNewDraftAddAndDeleteShift walks issue 21's plan edits: a new
// draft from the published revision, a shift added (bad input named next to
// its fields, a stale page refused in words) and one deleted, then the
// superseded revision cannot start another draft.
func TestWebPlanNewDraftAddAndDeleteShift(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		clock := time.Date(2030, 6, 3, 8, 0, 0, 0, time.UTC)
		w := newWorldAt(t, st, func() time.Time { return clock })
		first := publishSwapWorld(t, w)
		c, csrf := signIn(t, w, "planner@example.com")
		planURL := fmt.Sprintf("%s/planner/schedules/%d", w.srv.URL, first)
		status, _, body := page(t, c, "GET", planURL, nil)
		require.Equal(t, 200, status, body)
		assert.Contains(t, body, `id="new-draft">Start a new draft from revision 1</button>`)
		assert.NotContains(t, body, `id="add-shift"`, "a published revision takes no shifts")

		status, path, body := page(t, c, "POST", planURL+"/drafts", url.Values{"csrf_token": {csrf}})
		require.Equal(t, 200, status, body)
		require.Regexp(t, `^/planner/schedules/\d+$`, path)
		draftURL := w.srv.URL + path
		assert.Contains(t, body, "Draft revision 2 started from the published plan.")
		assert.Contains(t, body, `<span class="tag">Draft</span>`)
		require.Contains(t, body, `id="add-shift"`)
		action := w.srv.URL + html.UnescapeString(regexp.MustCompile(`action="(/planner/schedules/\d+/shifts\?[^"]+)"`).FindStringSubmatch(body)[1])
		version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(body)[1]
		add := func(version, agent, template, start, end, breaks string) url.Values {
			return url.Values{"csrf_token": {csrf}, "version": {version}, "agent_id": {agent}, "template": {template}, "start": {start}, "end": {end}, "breaks": {breaks}}
		}

		// Bad input is named next to its fields; nothing is saved.
		status, _, body = page(t, c, "POST", action, add(version, "x", "", "tomorrow", "2030-06-06T17:00", "lunch noon"))
		assert.Equal(t, 400, status)
		assert.Contains(t, body, `id="agent_id-error">Choose an agent from the list.`)
		assert.Contains(t, body, `id="template-error">Name the shift&#39;s template, like FT8.`)
		assert.Contains(t, body, `id="start-error">&#34;tomorrow&#34; is not a date and time`)
		status, _, body = page(t, c, "POST", action, add(version, itoa(w.agentA2.ID), "day", "2030-06-06T09:00", "2030-06-06T17:00", "lunch 18:00-18:30"))
		assert.Equal(t, 400, status)
		assert.Contains(t, body, `id="breaks-error">The break lunch (18:00–18:30) is outside the shift.`)
		status, _, body = page(t, c, "POST", action, add(version, itoa(w.agentA2.ID), "day", "2030-06-20T09:00", "2030-06-20T17:00", ""))
		assert.Equal(t, 422, status, "outside the plan's period")
		assert.Contains(t, body, "The shift was not added: ")

		// A good shift on the queue's clock (Lisbon), with an unpaid lunch.
		status, _, body = page(t, c, "POST", action, add(version, itoa(w.agentA2.ID), "day", "2030-06-06T09:00", "2030-06-06T17:30", "lunch 13:00-13:30"))
		require.Equal(t, 200, status, body)
		assert.Contains(t, body, "Shift added.")
		assert.Contains(t, body, `<div class="grid-name">a2 <span class="muted">8.0 h</span>`)
		shifts, err := st.FindShifts(t.Context(), store.ShiftFilter{ScheduleID: mustID(t, path)})
		require.NoError(t, err)
		require.Len(t, shifts, 3)

		// The page shown before the add is stale now.
		status, _, body = page(t, c, "POST", action, add(version, itoa(w.agentB1.ID), "day", "2030-06-06T09:00", "2030-06-06T17:00", ""))
		assert.Equal(t, 409, status)
		assert.Contains(t, body, "Someone changed or published the draft since you opened it; reload the page and add the shift again.")

		// Delete a shift from its page: a stale version is refused in words.
		_, _, body = page(t, c, "GET", draftURL+"?view=day&from=2030-06-06", nil)
		edit := regexp.MustCompile(`<a class="shift[^"]*" style="[^"]*" href="([^"]+)"`).FindStringSubmatch(body)
		require.NotNil(t, edit, body)
		_, _, body = page(t, c, "GET", w.srv.URL+html.UnescapeString(edit[1]), nil)
		fresh := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(body)[1]
		del := w.srv.URL + html.UnescapeString(regexp.MustCompile(`<form method="post" action="([^"]+/shifts/[^"]+)"`).FindStringSubmatch(body)[1])
		status, _, body = page(t, c, "POST", del, url.Values{"csrf_token": {csrf}, "version": {version}, "action": {"delete"}})
		assert.Equal(t, 409, status)
		assert.Contains(t, body, "Someone changed the draft since you opened it")
		status, _, body = page(t, c, "POST", del, url.Values{"csrf_token": {csrf}, "version": {fresh}, "action": {"delete"}})
		require.Equal(t, 200, status, body)
		assert.Contains(t, body, "Shift deleted.")
		shifts, err = st.FindShifts(t.Context(), store.ShiftFilter{ScheduleID: mustID(t, path)})
		require.NoError(t, err)
		assert.Len(t, shifts, 2)

		// Publishing the draft supersedes revision 1, which cannot start a draft any more.
		_, _, body = page(t, c, "GET", draftURL, nil)
		version = regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(body)[1]
		status, _, body = page(t, c, "POST", draftURL+"/publish", url.Values{"csrf_token": {csrf}, "version": {version}, "accept_warnings": {"on"}, "reason": {"test"}})
		require.Equal(t, 200, status, body)
		assert.Contains(t, body, "Published revision 2")
		status, _, body = page(t, c, "POST", planURL+"/drafts", url.Values{"csrf_token": {csrf}})
		assert.Equal(t, 409, status)
		assert.Contains(t, body, "No draft started: revision 1 is superseded; only the plan&#39;s published revision can start a new draft.")
	})
}

// mustID is the id at the end of a path.
func mustID(t *testing.T, path string) int64 {
	t.Helper()
	var id int64
	_, err := fmt.Sscanf(regexp.MustCompile(`\d+$`).FindString(path), "%d", &id)
	require.NoError(t, err)
	return id
}
