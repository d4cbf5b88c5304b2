package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/qa"
)

// got is a GET request context with the query values.
func got(values url.Values) echo.Context {
	req := httptest.NewRequest(http.MethodGet, "/?"+values.Encode(), nil)
	return echo.New().NewContext(req, httptest.NewRecorder())
}

func TestQueueFormFiltersAndKeepsItselfInTheURL(t *testing.T) {
	lisbon, err := time.LoadLocation("Europe/Lisbon")
	require.NoError(t, err)

	t.Run("defaults are my drafts, page 1", func(t *testing.T) {
		f := parseEvalQueueForm(got(url.Values{"page": {"-3"}}))
		from, to, bad := f.Validate(lisbon)
		assert.Empty(t, bad)
		flt := f.filter(7, nil, from, to)
		assert.Equal(t, int64(7), flt.ReviewerID)
		assert.Equal(t, []qa.EvalState{qa.EvalDraft}, flt.States)
		assert.Nil(t, flt.AgentIDs, "every agent")
		assert.Zero(t, flt.Page.Offset)
		assert.True(t, flt.ByDue)
	})
	t.Run("days are local and both included, a DST day has 23 hours", func(t *testing.T) {
		f := parseEvalQueueForm(got(url.Values{"from": {"2026-03-29"}, "to": {"2026-03-29"}, "state": {"any"}, "reviewer": {"any"}}))
		from, to, bad := f.Validate(lisbon)
		assert.Empty(t, bad)
		assert.Equal(t, 23*time.Hour, to.Sub(from))
		flt := f.filter(7, nil, from, to)
		assert.Zero(t, flt.ReviewerID)
		assert.Nil(t, flt.States)
	})
	t.Run("an agent outside the caller's scope matches nothing", func(t *testing.T) {
		f := parseEvalQueueForm(got(url.Values{"agent_id": {"9"}}))
		assert.Equal(t, []int64{}, f.filter(7, []int64{1, 2}, time.Time{}, time.Time{}).AgentIDs)
		assert.Equal(t, []int64{9}, f.filter(7, nil, time.Time{}, time.Time{}).AgentIDs)
	})
	t.Run("errors name their fields in words", func(t *testing.T) {
		_, _, bad := parseEvalQueueForm(got(url.Values{"from": {"2026-03-10"}, "to": {"2026-03-01"}, "state": {"lost"}})).Validate(lisbon)
		assert.Equal(t, map[string]string{"to": "is before the first day", "state": "choose one of the states listed"}, bad)
		_, _, bad = parseEvalQueueForm(got(url.Values{"from": {"soon"}, "to": {"31/12/2026"}})).Validate(lisbon)
		assert.Equal(t, map[string]string{"from": "is not a date", "to": "is not a date"}, bad)
	})
	t.Run("the pager's links keep the filter", func(t *testing.T) {
		in := url.Values{"agent_id": {"3"}, "team_id": {"4"}, "scorecard_id": {"5"}, "state": {"released"}, "reviewer": {"any"}, "from": {"2026-03-01"}, "to": {"2026-03-31"}}
		f := parseEvalQueueForm(got(in))
		q, err := url.ParseQuery(f.query(3))
		require.NoError(t, err)
		in.Set("page", "3")
		assert.Equal(t, in, q)
		p := newPager(3, 50, 120, 20, func(n int) string { return f.query(n) })
		assert.Equal(t, pager{Page: 3, Pages: 3, Total: 120, First: 101, Last: 120, Prev: f.query(2)}, p)
	})
}
