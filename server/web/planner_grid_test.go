package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/service"
)

func TestGridDrawsEachShiftAsOneLabelledBlock(t *testing.T) {
	lisbon, err := time.LoadLocation("Europe/Lisbon")
	require.NoError(t, err)
	day := time.Date(2026, 1, 5, 0, 0, 0, 0, lisbon)
	at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	shifts := []calendar.Shift{
		{ID: 1, AgentID: 7, Template: `<b>"FT8"</b>`, Start: at(6, 0), End: at(12, 0), PaidMinutes: 330,
			Breaks: []calendar.Break{{Name: "lunch", Start: at(9, 0), End: at(9, 30)}}},
		{ID: 2, AgentID: 8, Template: "PT4", Start: at(22, 0), End: at(26, 0), PaidMinutes: 240, ShortNotice: true,
			Breaks: []calendar.Break{{Name: "break", Start: at(25, 0), End: at(25, 15)}}}, // the break is past the window
	}
	names := map[int64]string{7: "Ana", 8: "Bea"}
	edit := func(sh calendar.Shift) string {
		return "/planner/schedules/3/shifts/" + strconv.FormatInt(sh.ID, 10) + "?queue_id=1&x=<>"
	}
	g := buildGrid(shifts, names, nil, lisbon, day, day.AddDate(0, 0, 1), nil, edit, gridPaging{})
	require.Len(t, g.Rows, 2)
	ana, bea := string(g.Rows[0].Track), string(g.Rows[1].Track)
	assert.Equal(t, `<a class="shift brk0" style="left:25.00%;width:25.00%"`+
		` href="/planner/schedules/3/shifts/1?queue_id=1&amp;x=&lt;&gt;" title="06:00–12:00 (&lt;b&gt;&#34;FT8&#34;&lt;/b&gt;), lunch 09:00–09:30"`+
		` aria-label="06:00–12:00 (&lt;b&gt;&#34;FT8&#34;&lt;/b&gt;), lunch 09:00–09:30"><span class="shift-time">06:00–12:00</span></a>`, ana,
		"one element per shift, saying its times; its template name is escaped")
	assert.Equal(t, template.CSS(".brk0{--brk:linear-gradient(90deg,var(--c) 50.0%,#0000 0 58.3%,var(--c) 0)}\n"), g.BreakCSS,
		"the break is a gap from half to 7/12 of the shift, named once for the page")
	assert.Equal(t, 1, strings.Count(bea, "<a "), "one element per shift")
	assert.Contains(t, bea, `class="shift notice" style="left:91.67%;width:8.33%"`, "cut at the window's end; a break outside it draws no gap")
	assert.Contains(t, bea, `, changed at short notice"`, "short notice is said, not only coloured")
	assert.Equal(t, 5.5, g.Rows[0].Hours)

	twice := append(shifts, shifts[0])
	twice[2].ID, twice[2].AgentID = 3, 8
	twice[2].Start, twice[2].End = twice[2].Start.Add(time.Hour), twice[2].End.Add(time.Hour)
	twice[2].Breaks = []calendar.Break{{Name: "lunch", Start: at(10, 0), End: at(10, 30)}}
	g2 := buildGrid(twice, names, nil, lisbon, day, day.AddDate(0, 0, 1), nil, edit, gridPaging{})
	assert.Equal(t, 1, strings.Count(string(g2.BreakCSS), "{"), "one class for both shifts with the same pattern")
	assert.Contains(t, string(g2.Rows[1].Track), `class="shift brk0" style="left:29.17%`)

	// Shifts on a queue say which: by name, else by id; names are escaped.
	onQueues := append([]calendar.Shift(nil), shifts...)
	onQueues[0].QueueID, onQueues[1].QueueID = 4, 9
	queued := buildGrid(onQueues, names, map[int64]string{4: "Voice <PT>"}, lisbon, day, day.AddDate(0, 0, 1), nil, nil, gridPaging{})
	assert.Contains(t, string(queued.Rows[0].Track), `aria-label="06:00–12:00 Voice &lt;PT&gt; (`)
	assert.Contains(t, string(queued.Rows[0].Track), `><span class="shift-time">06:00–12:00</span> <span class="shift-queue">Voice &lt;PT&gt;</span></span>`)
	assert.Contains(t, string(queued.Rows[1].Track), `title="22:00–02:00 queue 9 (PT4)`, "a queue without a name is shown by id")
	assert.Contains(t, string(queued.Rows[1].Track), `<span class="shift-queue">queue 9</span>`)

	published := buildGrid(shifts, names, nil, lisbon, day, day.AddDate(0, 0, 7), nil, nil, gridPaging{})
	assert.True(t, strings.HasPrefix(string(published.Rows[0].Track), `<span role="img" class="shift brk0" style="left:3.57%;width:3.57%"`), string(published.Rows[0].Track))
	assert.Contains(t, string(published.Rows[0].Track), ` title="Mon 5 Jan 06:00–12:00 `, "multi-day windows name the day")
	assert.NotContains(t, string(published.Rows[0].Track), "href=", "published shifts do not link to an edit page")
}

func TestGridPagesRowsAndKeepsATeam(t *testing.T) {
	day := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	var shifts []calendar.Shift
	names := map[int64]string{}
	for id := int64(1); id <= 25; id++ {
		names[id] = fmt.Sprintf("Agent %02d", 26-id) // names sort the other way round from ids
		shifts = append(shifts, calendar.Shift{ID: id, AgentID: id, Start: day.Add(8 * time.Hour), End: day.Add(16 * time.Hour), PaidMinutes: 480})
	}
	names[3] = names[4] // a tie is broken by id, so pages split the same way every time
	shifts[2].PaidMinutes = 420
	shifts = append(shifts, calendar.Shift{ID: 99, Start: day.Add(9 * time.Hour), End: day.Add(13 * time.Hour), PaidMinutes: 240})
	rowNames := func(g gridView) []string {
		var out []string
		for _, r := range g.Rows {
			out = append(out, r.Name)
		}
		return out
	}
	tomorrow := day.AddDate(0, 0, 1)
	g := buildGrid(shifts, names, nil, time.UTC, day, tomorrow, nil, nil, gridPaging{Page: 3, PerPage: 10})
	assert.Equal(t, 26, g.RowCount, "25 agents and one unassigned row")
	assert.Equal(t, 26, g.Shifts)
	assert.Equal(t, []int{3, 3, 21, 26}, []int{g.Page, g.Pages, g.First, g.Last})
	assert.Equal(t, []string{"Agent 21", "Agent 22", "Agent 22", "Agent 24", "Agent 25", "Unassigned 1"}, rowNames(g))
	assert.Equal(t, 7.0, g.Rows[1].Hours, "agent 3 comes before agent 4 of the same name")
	assert.NotEmpty(t, g.Rows[0].Track)

	last := buildGrid(shifts, names, nil, time.UTC, day, tomorrow, nil, nil, gridPaging{Page: 9, PerPage: 10})
	assert.Equal(t, 3, last.Page, "a page past the end is the last page")
	first := buildGrid(shifts, names, nil, time.UTC, day, tomorrow, nil, nil, gridPaging{Page: 0, PerPage: 10})
	assert.Equal(t, []int{1, 1, 10}, []int{first.Page, first.First, first.Last})

	even := buildGrid(shifts, names, nil, time.UTC, day, tomorrow, nil, nil, gridPaging{PerPage: 10, Keep: func(id int64) bool { return id%2 == 0 }})
	assert.Equal(t, 12, even.RowCount, "a team's agents only, without unassigned shifts")
	assert.Equal(t, 12, even.Shifts)
	assert.Equal(t, 2, even.Pages)

	none := buildGrid(nil, names, nil, time.UTC, day, tomorrow, nil, nil, gridPaging{Page: 2, PerPage: 10})
	assert.Equal(t, []int{0, 1, 1, 1, 0}, []int{none.RowCount, none.Page, none.Pages, none.First, none.Last})
}

func TestGridLabelsDaysOfLongWindowsWithoutOverlap(t *testing.T) {
	monday := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	var labels []string
	for _, tk := range buildGrid(nil, nil, nil, time.UTC, monday, monday.AddDate(0, 0, 14), nil, nil, gridPaging{}).Ticks {
		labels = append(labels, tk.Label)
	}
	assert.Equal(t, []string{"Mon 5", "7", "8", "9", "10", "11", "Mon 12", "14", "15", "16", "17", "18"}, labels, "Monday's label takes Tuesday's room")
	week := buildGrid(nil, nil, nil, time.UTC, monday, monday.AddDate(0, 0, 7), nil, nil, gridPaging{})
	require.Len(t, week.Ticks, 7)
	assert.Equal(t, "Tue 6", week.Ticks[1].Label)
	assert.Equal(t, template.CSS("left:7.14%;width:0.00%"), week.Ticks[0].Style, "centred over the day")
}

// TestGridWindowOpensInsideThePeriod: a week whose period is whole on every
// clock starts, on the plan's clock, the day before its Monday; on that day
// the week view opens there, not on the Monday before, where the grid would
// hold one empty day. Later in the period it opens on the week's Monday.
func TestGridWindowOpensInsideThePeriod(t *testing.T) {
	chicago, err := time.LoadLocation("America/Chicago")
	require.NoError(t, err)
	manila, err := time.LoadLocation("Asia/Manila")
	require.NoError(t, err)
	start := time.Date(2026, 12, 7, 0, 0, 0, 0, manila) // Sunday 6 December 10:00 in Chicago
	sch := service.Schedule{PeriodStart: start, PeriodEnd: time.Date(2026, 12, 14, 0, 0, 0, 0, chicago)}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, chicago) }
	for _, tc := range []struct {
		name       string
		now        time.Time
		view, from string
		want, to   time.Time
	}{
		{"before the period", time.Date(2026, 12, 1, 9, 0, 0, 0, chicago), "week", "", day(2026, 12, 6), day(2026, 12, 13)},
		{"on its first day, the Monday before it", time.Date(2026, 12, 6, 11, 25, 0, 0, chicago), "week", "", day(2026, 12, 6), day(2026, 12, 13)},
		{"in its week", time.Date(2026, 12, 9, 15, 0, 0, 0, chicago), "week", "", day(2026, 12, 7), day(2026, 12, 14)},
		{"a day", time.Date(2026, 12, 9, 15, 0, 0, 0, chicago), "day", "", day(2026, 12, 9), day(2026, 12, 10)},
		{"the whole period", time.Date(2026, 12, 9, 15, 0, 0, 0, chicago), "period", "", day(2026, 12, 6), day(2026, 12, 14)},
		{"a date asked for", time.Date(2026, 12, 9, 15, 0, 0, 0, chicago), "week", "2026-12-01", day(2026, 12, 1), day(2026, 12, 8)},
	} {
		from, to, problem := gridWindow(sch, chicago, tc.now, tc.view, tc.from)
		assert.Empty(t, problem, tc.name)
		assert.Equal(t, tc.want, from, tc.name)
		assert.Equal(t, tc.to, to, tc.name)
	}
}
