package calendar_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling/calendar"
)

var t0 = time.Date(2026, 3, 27, 8, 0, 0, 0, time.UTC)

func shift(agent int64, start time.Time, hours int) calendar.Shift {
	return calendar.Shift{AgentID: agent, Template: "FT8", Start: start, End: start.Add(time.Duration(hours) * time.Hour), PaidMinutes: hours * 60}
}

func TestCarryUIDsKeepsIdentityOfUnchangedAndMovedShifts(t *testing.T) {
	prev := []calendar.Shift{shift(1, t0, 8), shift(1, t0.Add(24*time.Hour), 8), shift(2, t0, 8)}
	for i := range prev {
		prev[i].UID = []string{"a", "b", "c"}[i]
	}
	next := []calendar.Shift{
		shift(1, t0, 8),                   // unchanged
		shift(1, t0.Add(25*time.Hour), 8), // moved by an hour: same event
		shift(2, t0.Add(48*time.Hour), 8), // agent 2's shift moved to another day: a new event
		shift(3, t0, 8),                   // new agent
	}
	calendar.CarryUIDs(prev, next)
	assert.Equal(t, "a", next[0].UID)
	assert.Equal(t, "b", next[1].UID)
	assert.NotEqual(t, "c", next[2].UID)
	assert.NotEmpty(t, next[3].UID)

	changes := calendar.Diff(prev, next, t0.Add(-time.Hour))
	kinds := map[string]calendar.ChangeKind{}
	soon := map[string]bool{}
	for _, c := range changes {
		kinds[c.UID] = c.Kind
		soon[c.UID] = c.Soon
	}
	assert.NotContains(t, kinds, "a", "an unchanged shift is not a change")
	assert.Equal(t, calendar.Changed, kinds["b"])
	assert.Equal(t, calendar.Removed, kinds["c"])
	assert.Equal(t, calendar.Added, kinds[next[2].UID])
	assert.Equal(t, calendar.Added, kinds[next[3].UID])
	assert.True(t, soon["b"], "tomorrow's shift is within 48 hours")
	assert.False(t, soon[next[2].UID], "a shift in 57 hours is not")
	assert.Len(t, changes, 4)
}

// unfold parses a calendar the way RFC 5545 readers do: unfold lines, split
// name and value. It is written from the RFC, independently of the writer.
func unfold(t *testing.T, ics string) []map[string]string {
	t.Helper()
	require.True(t, strings.HasSuffix(ics, "\r\n"))
	raw := strings.Split(strings.TrimSuffix(ics, "\r\n"), "\r\n")
	var lines []string
	for _, l := range raw {
		require.LessOrEqual(t, len(l), 75, "content lines are folded at 75 octets: %q", l)
		if strings.HasPrefix(l, " ") {
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	var events []map[string]string
	var cur map[string]string
	for _, l := range lines {
		name, value, ok := strings.Cut(l, ":")
		require.True(t, ok, l)
		switch {
		case l == "BEGIN:VEVENT":
			cur = map[string]string{}
		case l == "END:VEVENT":
			events = append(events, cur)
			cur = nil
		case cur != nil:
			cur[name] = value
		}
	}
	return events
}

func TestICSHasStableUIDsUTCAndFolding(t *testing.T) {
	s := shift(1, time.Date(2026, 3, 29, 7, 0, 0, 0, time.UTC), 8) // the day Europe's clocks go forward
	s.UID = "u1"
	s.Note = strings.Repeat("Long note, with; special characters. ", 5)
	s.Breaks = []calendar.Break{{Name: "lunch", Start: s.Start.Add(4 * time.Hour), End: s.Start.Add(4*time.Hour + 30*time.Minute)}}
	var buf bytes.Buffer
	require.NoError(t, calendar.WriteICS(&buf, calendar.Feed{Name: "Shifts: Ana", Domain: "peakwise.test", Shifts: []calendar.Shift{s}, Revision: 3,
		Stamp: time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC)}))
	events := unfold(t, buf.String())
	require.Len(t, events, 2)
	assert.Equal(t, "u1@peakwise.test", events[0]["UID"])
	assert.Equal(t, "20260329T070000Z", events[0]["DTSTART"])
	assert.Equal(t, "20260329T150000Z", events[0]["DTEND"])
	assert.Equal(t, "3", events[0]["SEQUENCE"])
	assert.Contains(t, events[0]["DESCRIPTION"], `Long note\, with\; special`)
	assert.Equal(t, "u1-b0@peakwise.test", events[1]["UID"])
	assert.Equal(t, "Break: lunch", events[1]["SUMMARY"])
	assert.Equal(t, "20260329T113000Z", events[1]["DTEND"])
}

func TestCheckFindsBadShifts(t *testing.T) {
	start, end := t0.Add(-24*time.Hour), t0.Add(7*24*time.Hour)
	good := shift(1, t0, 8)
	good.Breaks = []calendar.Break{{Name: "lunch", Start: t0.Add(4 * time.Hour), End: t0.Add(4*time.Hour + 30*time.Minute)}}
	overlapping := shift(1, t0.Add(7*time.Hour), 8)
	backwards := shift(2, t0, 8)
	backwards.End = backwards.Start.Add(-time.Hour)
	outside := shift(3, end.Add(-time.Hour), 8)
	badBreak := shift(4, t0, 8)
	badBreak.Breaks = []calendar.Break{{Name: "b1", Start: t0.Add(time.Hour), End: t0.Add(2 * time.Hour)}, {Name: "b2", Start: t0.Add(90 * time.Minute), End: t0.Add(3 * time.Hour)}}
	overpaid := shift(5, t0, 8)
	overpaid.PaidMinutes = 600

	problems := calendar.Check(start, end, []calendar.Shift{good, overlapping, backwards, outside, badBreak, overpaid}, []int{2, 3, 4, 5, 6, 7})
	got := map[int]string{}
	for _, p := range problems {
		got[p.Line] = p.Field
	}
	assert.Equal(t, map[int]string{3: "start", 4: "end", 5: "start", 6: "breaks", 7: "paid_minutes"}, got, "%+v", problems)
	assert.Empty(t, calendar.Check(start, end, []calendar.Shift{good}, nil))
}

func TestTimeOffSpanFollowsLocalDaysAcrossDST(t *testing.T) {
	lisbon, _ := time.LoadLocation("Europe/Lisbon")
	sydney, _ := time.LoadLocation("Australia/Sydney")
	cases := []struct {
		name        string
		loc         *time.Location
		first, last string
		from, to    string
		hours       float64
		field       string
	}{
		{"spring forward in Lisbon is 23 h", lisbon, "2026-03-29", "", "", "", 23, ""},
		{"autumn back in Sydney is 25 h", sydney, "2026-04-05", "", "", "", 25, ""},
		{"three ordinary days", lisbon, "2026-07-01", "2026-07-03", "", "", 72, ""},
		{"partial day", sydney, "2026-07-01", "", "09:30", "13:00", 3.5, ""},
		{"last before first", lisbon, "2026-07-03", "2026-07-01", "", "", 0, "last_date"},
		{"bad date", lisbon, "2026-02-30", "", "", "", 0, "first_date"},
		{"partial over two days", lisbon, "2026-07-01", "2026-07-02", "09:00", "10:00", 0, "last_date"},
		{"backwards clock", lisbon, "2026-07-01", "", "13:00", "09:00", 0, "to"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start, end, field, err := calendar.TimeOffSpan(c.loc, c.first, c.last, c.from, c.to)
			if c.field != "" {
				assert.Error(t, err)
				assert.Equal(t, c.field, field)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.hours, end.Sub(start).Hours())
			if c.from == "" {
				assert.Equal(t, 0, start.In(c.loc).Hour(), "starts at local midnight")
				assert.Equal(t, 0, end.In(c.loc).Hour(), "ends at local midnight")
			}
		})
	}
}

func TestTimeOffStates(t *testing.T) {
	r := calendar.TimeOff{ID: 1, AgentID: 1, Start: t0, End: t0.Add(24 * time.Hour), Status: calendar.TimeOffPending}
	approved, err := calendar.Decide(r, true, 9, t0.Add(-48*time.Hour), "ok")
	require.NoError(t, err)
	assert.Equal(t, calendar.TimeOffApproved, approved.Status)
	_, err = calendar.Decide(approved, false, 9, t0, "")
	assert.Error(t, err, "a decided request cannot be decided again")
	_, err = calendar.Cancel(approved, t0.Add(time.Hour))
	assert.Error(t, err, "started time off cannot be cancelled")
	c, err := calendar.Cancel(approved, t0.Add(-time.Hour))
	require.NoError(t, err)
	assert.Equal(t, calendar.TimeOffCancelled, c.Status)
	_, err = calendar.Cancel(c, t0.Add(-time.Hour))
	assert.Error(t, err)
	conflicts := calendar.Conflicts(r, []calendar.Shift{shift(1, t0.Add(2*time.Hour), 8), shift(1, t0.Add(30*time.Hour), 8), shift(2, t0, 8)})
	assert.Len(t, conflicts, 1)
}

func TestCheckContract(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	c := calendar.Contract{MinWeekHours: 20, MaxWeekHours: 40, MaxShiftsPerWeek: 5, MinRestHours: 11, MaxConsecutiveDays: 5}
	mon := time.Date(2026, 3, 2, 9, 0, 0, 0, ny)
	var shifts []calendar.Shift
	for d := 0; d < 6; d++ { // six 8-hour days Monday..Saturday: 48 h, 6 shifts, 6 days in a row
		s := shift(1, mon.AddDate(0, 0, d), 8)
		s.UID = fmt.Sprint("d", d)
		shifts = append(shifts, s)
	}
	short := shift(1, time.Date(2026, 3, 9, 22, 0, 0, 0, ny), 8)   // Monday 22:00-06:00
	short2 := shift(1, time.Date(2026, 3, 10, 14, 0, 0, 0, ny), 8) // Tuesday 14:00: 8 h rest
	short.UID, short2.UID = "n1", "n2"
	shifts = append(shifts, short, short2)
	v := calendar.CheckContract(1, c, ny, shifts, time.Date(2026, 3, 2, 0, 0, 0, 0, ny), time.Date(2026, 3, 16, 0, 0, 0, 0, ny))
	rules := map[string]int{}
	for _, x := range v {
		rules[x.Rule]++
	}
	assert.Equal(t, 1, rules["max_week_hours"], "%+v", v)
	assert.Equal(t, 1, rules["max_shifts_per_week"])
	assert.Equal(t, 1, rules["max_consecutive_days"])
	assert.Equal(t, 1, rules["min_rest"])
	assert.Equal(t, 1, rules["min_week_hours"], "the second week has 16 h")
	for _, x := range v {
		if x.Rule == "min_rest" {
			assert.Equal(t, "n2", x.UID)
			assert.Contains(t, x.Message, "8h00")
		}
	}
}

func TestSwapStates(t *testing.T) {
	to := int64(2)
	s := calendar.Swap{ID: 1, FromAgentID: 1, ToAgentID: &to, Status: calendar.SwapOffered, ExpiresAt: t0}
	_, err := calendar.Accept(s, 1, t0.Add(-time.Hour))
	assert.Error(t, err, "the giver cannot take their own shift")
	_, err = calendar.Accept(s, 3, t0.Add(-time.Hour))
	assert.Error(t, err, "addressed to someone else")
	_, err = calendar.Accept(s, 2, t0)
	assert.ErrorContains(t, err, "expired")
	acc, err := calendar.Accept(s, 2, t0.Add(-time.Hour))
	require.NoError(t, err)
	assert.Equal(t, calendar.SwapAccepted, acc.Status)
	ok, err := calendar.DecideSwap(acc, true, 9, t0.Add(-time.Minute), "")
	require.NoError(t, err)
	assert.Equal(t, calendar.SwapApproved, ok.Status)
	_, err = calendar.CancelSwap(ok, t0.Add(-time.Minute))
	assert.Error(t, err, "an approved swap is final")

	shifts := []calendar.Shift{{ID: 5, UID: "x", AgentID: 1}, {ID: 6, UID: "y", AgentID: 1}}
	next, err := calendar.Reassign(shifts, "x", 2)
	require.NoError(t, err)
	assert.Equal(t, int64(2), next[0].AgentID)
	assert.Equal(t, int64(1), next[1].AgentID)
	assert.Zero(t, next[1].ID, "copies are new rows")
	assert.Equal(t, int64(1), shifts[0].AgentID, "the input is not modified")
	_, err = calendar.Reassign(shifts, "z", 2)
	assert.Error(t, err)
}

func TestCoverageCountsBreaksAsFractions(t *testing.T) {
	s := shift(1, t0.Add(15*time.Minute), 2) // 08:15-10:15
	s.Breaks = []calendar.Break{{Name: "b", Start: t0.Add(60 * time.Minute), End: t0.Add(75 * time.Minute)}}
	other := shift(2, t0, 1) // 08:00-09:00
	got := calendar.Coverage([]calendar.Shift{s, other}, t0, 30*time.Minute, 6)
	assert.InDeltaSlice(t, []float64{1.5, 2, 0.5, 1, 0.5, 0}, got, 1e-12)
}

func TestCheckDoubleBooking(t *testing.T) {
	at := time.Date(2026, 3, 23, 9, 0, 0, 0, time.UTC)
	mine := []calendar.Shift{
		{AgentID: 1, UID: "a", Start: at, End: at.Add(8 * time.Hour)},
		{AgentID: 1, UID: "b", Start: at.Add(24 * time.Hour), End: at.Add(32 * time.Hour)},
		{AgentID: 2, UID: "c", Start: at, End: at.Add(8 * time.Hour)},
		{UID: "headcount", Start: at, End: at.Add(8 * time.Hour)},
	}
	others := []calendar.Shift{
		{AgentID: 1, Start: at.Add(7 * time.Hour), End: at.Add(9 * time.Hour)},   // overlaps a by an hour
		{AgentID: 1, Start: at.Add(32 * time.Hour), End: at.Add(40 * time.Hour)}, // touches b's end: no overlap
		{AgentID: 3, Start: at, End: at.Add(8 * time.Hour)},                      // someone else
	}
	got := calendar.CheckDoubleBooking(mine, others)
	require.Len(t, got, 1)
	assert.Equal(t, "a", got[0].UID)
	assert.Equal(t, "double_booked", got[0].Rule)
	assert.EqualValues(t, 1, got[0].AgentID)
}
