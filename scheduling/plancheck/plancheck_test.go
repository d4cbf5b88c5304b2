package plancheck

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var berlin, _ = time.LoadLocation("Europe/Berlin")
var seoul, _ = time.LoadLocation("Asia/Seoul")

func allDays() []time.Weekday {
	return []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}
}

// ft8 is 08:30 with an unpaid 30-minute lunch 210-300 min after the start,
// starting 06:00-10:00 every 30 minutes, every day.
func ft8() Template {
	return Template{Name: "FT8", SpanMin: 510, PaidMin: 480, StartFromMin: 360, StartToMin: 600, StartStepMin: 30, Days: allDays(),
		Breaks: []BreakRule{{Name: "lunch", LengthMin: 30, EarliestStartMin: 210, LatestStartMin: 300, StepMin: 30}}}
}

// shift is an FT8 for agent starting at local time on the agent's clock,
// lunch 240 min after the start.
func shift(agent string, loc *time.Location, y int, m time.Month, d, h, min int) Shift {
	st := time.Date(y, m, d, h, min, 0, 0, loc)
	return Shift{Agent: agent, Template: "FT8", Start: st, End: st.Add(510 * time.Minute), PaidMinutes: 480, Queue: "voice",
		Breaks: []Break{{Name: "lunch", Start: st.Add(240 * time.Minute), End: st.Add(270 * time.Minute)}}}
}

func agent(id string, loc *time.Location) Agent {
	return Agent{ID: id, Location: loc, Skills: map[string]int{"voice": 3}, MaxWeekHours: 40, MaxShiftsPerWeek: 5, MinRestHours: 11, MaxConsecutiveDays: 6}
}

// week is a plan of one Berlin week from Monday 2026-03-23 (the DST change
// to summer time is on Sunday 29 March: the week has 167 hours).
func week(shifts ...Shift) Input {
	start := time.Date(2026, 3, 23, 0, 0, 0, 0, berlin)
	return Input{Location: berlin, Start: start, End: start.AddDate(0, 0, 7), WholeShifts: true,
		Templates: []Template{ft8()}, Agents: []Agent{agent("ann", berlin)}, Queues: []Queue{{Name: "voice"}}, Shifts: shifts}
}

func rules(bs []Breach) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.Rule)
	}
	return out
}

// fiveDays is Mon-Fri 08:00 for ann: 40 h, within every rule.
func fiveDays() []Shift {
	var out []Shift
	for d := 23; d <= 27; d++ {
		out = append(out, shift("ann", berlin, 2026, 3, d, 8, 0))
	}
	return out
}

func TestAPlanThatKeepsEveryRuleHasNoBreach(t *testing.T) {
	assert.Empty(t, Check(week(fiveDays()...)))
}

// TestEachRule breaks one rule at a time, starting from fiveDays, and
// expects exactly that rule.
func TestEachRule(t *testing.T) {
	one := 1
	cases := []struct {
		name string
		edit func(in *Input)
		want []string
	}{
		{"unknown template", func(in *Input) { in.Shifts[0].Template = "XX" }, []string{RuleTemplate}},
		{"templates not known", func(in *Input) { in.Templates = nil; in.Shifts[0].Template = "XX" }, nil},
		{"max_agents", func(in *Input) { in.Templates[0].MaxAgents = &one }, []string{RuleMaxAgents}},
		{"max_agents kept", func(in *Input) { five := 5; in.Templates[0].MaxAgents = &five }, nil},
		{"start off the step", func(in *Input) { moveShift(&in.Shifts[0], 10*time.Minute) }, []string{RuleStartWindow}},
		{"start after the window", func(in *Input) { moveShift(&in.Shifts[0], 3*time.Hour) }, []string{RuleStartWindow}},
		{"start on a day the template does not run", func(in *Input) { in.Templates[0].Days = allDays()[1:] }, []string{RuleStartWindow}},
		{"span", func(in *Input) { in.Shifts[0].End = in.Shifts[0].End.Add(30 * time.Minute) }, []string{RuleSpan}},
		{"paid minutes", func(in *Input) { in.Shifts[0].PaidMinutes = 450 }, []string{RulePaid}},
		{"break missing", func(in *Input) { in.Shifts[0].Breaks = nil }, []string{RuleBreaks}},
		{"break outside its window", func(in *Input) { moveBreak(&in.Shifts[0].Breaks[0], 90*time.Minute) }, []string{RuleBreaks}},
		{"break off its step", func(in *Input) { moveBreak(&in.Shifts[0].Breaks[0], 15*time.Minute) }, []string{RuleBreaks}},
		{"break length", func(in *Input) { in.Shifts[0].Breaks[0].End = in.Shifts[0].Breaks[0].End.Add(15 * time.Minute) }, []string{RuleBreaks}},
		{"break paid flag", func(in *Input) { in.Shifts[0].Breaks[0].Paid = true }, []string{RuleBreaks}},
		{"break paid flag unknown", func(in *Input) { in.Shifts[0].Breaks[0].Paid, in.Shifts[0].Breaks[0].PaidUnknown = true, true }, nil},
		{"outside the period", func(in *Input) { in.Shifts[0] = shift("ann", berlin, 2026, 3, 22, 8, 0) }, []string{RulePeriod}},
		{"starts before the earliest start", func(in *Input) { in.NotBefore = in.Shifts[0].Start.Add(time.Minute) }, []string{RulePeriod}},
		{"starts at the earliest start", func(in *Input) { in.NotBefore = in.Shifts[0].Start }, nil},
		{"unknown agent", func(in *Input) { in.Shifts[0].Agent = "bob" }, []string{RuleAgent}},
		{"template for another contract", func(in *Input) { in.Templates[0].Contracts = []string{"FT"}; in.Agents[0].Contract = "PT" }, []string{RuleContract, RuleContract, RuleContract, RuleContract, RuleContract}},
		{"template for the agent's contract", func(in *Input) { in.Templates[0].Contracts = []string{"FT"}; in.Agents[0].Contract = "FT" }, nil},
		{"no queue", func(in *Input) { in.Shifts[0].Queue = "" }, []string{RuleQueue}},
		{"unknown queue", func(in *Input) { in.Shifts[0].Queue = "chat" }, []string{RuleQueue}},
		{"no skill", func(in *Input) { in.Queues = append(in.Queues, Queue{Name: "chat"}); in.Shifts[0].Queue = "chat" }, []string{RuleSkill}},
		{"level below the queue's minimum", func(in *Input) { in.Queues[0].MinLevel = 4 }, []string{RuleSkill, RuleSkill, RuleSkill, RuleSkill, RuleSkill}},
		{"level at the queue's minimum", func(in *Input) { in.Queues[0].MinLevel = 3 }, nil},
		{"overlap", func(in *Input) { in.Shifts = append(in.Shifts, shift("ann", berlin, 2026, 3, 23, 10, 0)) },
			[]string{RuleOneADay, RuleOverlap, RuleMaxWeekHours, RuleMaxShiftsWeek}},
		{"rest", func(in *Input) {
			// Mon 10:00-18:30, then Tue 06:00: 11.5 h of rest, 12 asked.
			in.Agents[0].MinRestHours = 12
			in.Shifts[1] = shift("ann", berlin, 2026, 3, 24, 6, 0)
			moveShift(&in.Shifts[0], 2*time.Hour)
		}, []string{RuleMinRest}},
		{"rest kept", func(in *Input) { in.Shifts[1] = shift("ann", berlin, 2026, 3, 24, 6, 0) }, nil},
		{"max week hours", func(in *Input) { in.Agents[0].MaxWeekHours = 39 }, []string{RuleMaxWeekHours}},
		{"max shifts a week", func(in *Input) { in.Agents[0].MaxShiftsPerWeek = 4 }, []string{RuleMaxShiftsWeek}},
		{"min week hours", func(in *Input) { in.Agents[0].MinWeekHours = 41 }, []string{RuleMinWeekHours}},
		{"min week hours met", func(in *Input) { in.Agents[0].MinWeekHours = 40 }, nil},
		{"min week hours with a day off", func(in *Input) {
			// 52 h in five shifts with Saturday off credits 10.4 h and
			// needs 41.6 h; 40 h is short.
			in.Agents[0].MinWeekHours = 52
			in.Agents[0].TimeOff = []Span{{time.Date(2026, 3, 28, 0, 0, 0, 0, berlin), time.Date(2026, 3, 29, 0, 0, 0, 0, berlin)}}
		}, []string{RuleMinWeekHours}},
		{"min week hours less time off", func(in *Input) {
			// 46 h in five shifts with Saturday off needs 36.8 h: 40 h is enough.
			in.Agents[0].MinWeekHours = 46
			in.Agents[0].TimeOff = []Span{{time.Date(2026, 3, 28, 0, 0, 0, 0, berlin), time.Date(2026, 3, 29, 0, 0, 0, 0, berlin)}}
		}, nil},
		{"time off", func(in *Input) {
			in.Agents[0].TimeOff = []Span{{time.Date(2026, 3, 23, 12, 0, 0, 0, berlin), time.Date(2026, 3, 23, 13, 0, 0, 0, berlin)}}
		}, []string{RuleTimeOff}},
		{"availability", func(in *Input) { in.Agents[0].Availability = weekdays(8*60, 16*60) }, []string{RuleAvailability, RuleAvailability, RuleAvailability, RuleAvailability, RuleAvailability}},
		{"availability kept", func(in *Input) { in.Agents[0].Availability = weekdays(8*60, 16*60+30) }, nil},
		{"consecutive days", func(in *Input) {
			in.Agents[0].MaxConsecutiveDays = 4
		}, []string{RuleConsecutiveDays}},
		{"consecutive days across the plan's start", func(in *Input) {
			// Published Thu-Sun before, then Mon-Fri: 9 dates in a row.
			for d := 19; d <= 22; d++ {
				in.Agents[0].Published = append(in.Agents[0].Published, shift("ann", berlin, 2026, 3, d, 8, 0))
			}
		}, []string{RuleConsecutiveDays}},
		{"rest across the plan's start", func(in *Input) {
			in.Agents[0].Published = []Shift{shift("ann", berlin, 2026, 3, 22, 15, 0)}
		}, []string{RuleMinRest}},
		{"overlap with a published shift", func(in *Input) {
			p := shift("ann", berlin, 2026, 3, 27, 12, 0)
			in.Agents[0].Published = []Shift{p}
		}, []string{RuleOneADay, RuleOverlap, RuleMaxWeekHours, RuleMaxShiftsWeek}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := week(fiveDays()...)
			tc.edit(&in)
			got := Check(in)
			assert.ElementsMatch(t, tc.want, rules(got), "%v", got)
			for _, b := range got {
				assert.NotEmpty(t, b.Where)
				assert.NotEmpty(t, b.Why)
			}
		})
	}
}

func moveShift(s *Shift, d time.Duration) {
	s.Start, s.End = s.Start.Add(d), s.End.Add(d)
	for k := range s.Breaks {
		s.Breaks[k].Start, s.Breaks[k].End = s.Breaks[k].Start.Add(d), s.Breaks[k].End.Add(d)
	}
}

func moveBreak(b *Break, d time.Duration) { b.Start, b.End = b.Start.Add(d), b.End.Add(d) }

func weekdays(from, to int) []Window {
	var out []Window
	for _, d := range allDays() {
		out = append(out, Window{d, from, to})
	}
	return out
}

// TestStartTimesAreOnTheAgentsClockAcrossDST: the Sunday of the change to
// summer time has 23 hours; an 08:00 start is 08:00 CEST that day and the
// validator reads it on the agent's clock, not the plan's.
func TestStartTimesAreOnTheAgentsClockAcrossDST(t *testing.T) {
	in := week(shift("ann", berlin, 2026, 3, 29, 8, 0))
	assert.Empty(t, Check(in))
	assert.Equal(t, 7*time.Hour, in.Shifts[0].Start.Sub(time.Date(2026, 3, 29, 0, 0, 0, 0, berlin)),
		"08:00 local is 7 hours after midnight on the 23-hour day")

	// The same instant for an agent in Seoul is 15:00: outside 06:00-10:00.
	in.Agents[0].Location = seoul
	got := Check(in)
	require.Len(t, got, 1, "%v", got)
	assert.Equal(t, RuleStartWindow, got[0].Rule)
	assert.Contains(t, got[0].Why, "15:00")

	// A headcount plan reads starts on the plan's clock.
	in = week(shift("", berlin, 2026, 3, 29, 8, 0))
	in.Agents, in.Queues = nil, nil
	in.Shifts[0].Queue = ""
	assert.Empty(t, Check(in))
}

// TestAvailabilityAcrossMidnightAndDST: a night shift 22:00-06:30 in windows
// 22:00-24:00 and 00:00-07:00 on the night the clocks go forward (the shift
// lasts 8.5 hours of elapsed time, ending 07:30 local).
func TestAvailabilityAcrossMidnightAndDST(t *testing.T) {
	night := Template{Name: "N", SpanMin: 510, PaidMin: 510, StartFromMin: 22 * 60, StartToMin: 22 * 60, StartStepMin: 30, Days: allDays()}
	st := time.Date(2026, 3, 28, 22, 0, 0, 0, berlin)
	s := Shift{Agent: "ann", Template: "N", Start: st, End: st.Add(510 * time.Minute), PaidMinutes: 510, Queue: "voice"}
	in := week(s)
	in.Templates = []Template{night}
	in.Agents[0].Availability = []Window{{time.Saturday, 22 * 60, 1440}, {time.Sunday, 0, 8 * 60}}
	assert.Empty(t, Check(in))
	assert.Equal(t, "07:30", s.End.In(berlin).Format("15:04"))
	in.Agents[0].Availability = []Window{{time.Saturday, 22 * 60, 1440}, {time.Sunday, 0, 7 * 60}}
	got := Check(in)
	require.Len(t, got, 1)
	assert.Equal(t, RuleAvailability, got[0].Rule)
	assert.Contains(t, got[0].Why, "07:00")
}

// TestWeeksAreTheAgentsOwnAndCutWeeksArePaidProRata: a week planned on
// Berlin's clock is, for an agent in Seoul, Monday 07:00 to the next Monday
// 06:00 (DST in Berlin): his Monday is only partly in the period, so his
// first week counts 6 whole dates (Tue-Sun) of 7, and his second week's
// Monday is partly in the period: no whole date, nothing needed.
func TestWeeksAreTheAgentsOwnAndCutWeeksArePaidProRata(t *testing.T) {
	a := agent("kim", seoul)
	a.MinWeekHours = 40
	start := time.Date(2026, 3, 23, 0, 0, 0, 0, berlin)
	in := Input{Location: berlin, Start: start, End: start.AddDate(0, 0, 7), WholeShifts: true, Templates: []Template{ft8()},
		Agents: []Agent{a}, Queues: []Queue{{Name: "voice"}}}
	need, d, _ := WeekMinimum(a, time.Date(2026, 3, 23, 0, 0, 0, 0, seoul), in.Start, in.End, 0)
	assert.Equal(t, 6, d)
	assert.InDelta(t, 40*6.0/7, need, 1e-9)
	need, d, _ = WeekMinimum(a, time.Date(2026, 3, 30, 0, 0, 0, 0, seoul), in.Start, in.End, 0)
	assert.Equal(t, 0, d)
	assert.Zero(t, need)

	// Four shifts (32 h) Tue-Fri are short of 34.3 h; five (Tue-Sat, 40 h) are not.
	for dd := 24; dd <= 27; dd++ {
		in.Shifts = append(in.Shifts, shift("kim", seoul, 2026, 3, dd, 8, 0))
	}
	got := Check(in)
	require.Len(t, got, 1, "%v", got)
	assert.Equal(t, RuleMinWeekHours, got[0].Rule)
	assert.Contains(t, got[0].Why, "34.29")
	in.Shifts = append(in.Shifts, shift("kim", seoul, 2026, 3, 28, 8, 0))
	assert.Empty(t, Check(in))

	// Published hours in the week count: 8 h published on his Monday leave
	// 32 h of the week's 40 to reach, less than the 34.3 h pro-rata share.
	in.Shifts = in.Shifts[:4]
	in.Agents[0].Published = []Shift{shift("kim", seoul, 2026, 3, 23, 6, 0)}
	assert.Empty(t, Check(in))

	// A week's maximum counts published shifts: a sixth shift is one too many.
	in.Shifts = append(in.Shifts, shift("kim", seoul, 2026, 3, 28, 8, 0))
	assert.ElementsMatch(t, []string{RuleMaxWeekHours, RuleMaxShiftsWeek}, rules(Check(in)))
}

// TestTimeOffCountsAContractDayTowardTheWeek: approved time off is paid as
// contract days, so a 40-hour, five-shift agent with Wednesday off owes 32 h
// (four 8-hour shifts), and with an afternoon off owes 36 h: he cannot work
// that Wednesday's FT8, so five shifts on the other six dates.
func TestTimeOffCountsAContractDayTowardTheWeek(t *testing.T) {
	a := agent("ann", berlin)
	a.MinWeekHours = 40
	in := week()
	monday := in.Start
	at := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, berlin) }
	cases := []struct {
		name   string
		off    []Span
		need   float64
		credit float64
	}{
		{"no time off", nil, 40, 0},
		{"Wednesday off", []Span{{at(25, 0), at(26, 0)}}, 32, 8},
		{"Wednesday afternoon off", []Span{{at(25, 13), at(25, 17)}}, 36, 4},
		{"two requests over one afternoon count once", []Span{{at(25, 13), at(25, 16)}, {at(25, 12), at(25, 17)}}, 35, 5},
		{"a week's leave", []Span{{at(23, 0), at(30, 0)}}, 0, 56},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a.TimeOff = c.off
			need, _, credit := WeekMinimum(a, monday, in.Start, in.End, 0)
			assert.InDelta(t, c.need, need, 1e-9)
			assert.InDelta(t, c.credit, credit, 1e-9)
		})
	}

	// Four shifts with Wednesday off keep the week; three do not.
	a.TimeOff = []Span{{at(25, 0), at(26, 0)}}
	in.Agents = []Agent{a}
	for _, d := range []int{23, 24, 26, 27} {
		in.Shifts = append(in.Shifts, shift("ann", berlin, 2026, 3, d, 8, 0))
	}
	assert.Empty(t, Check(in))
	in.Shifts = in.Shifts[:3]
	got := Check(in)
	require.Len(t, got, 1, "%v", got)
	assert.Equal(t, RuleMinWeekHours, got[0].Rule)
	assert.Contains(t, got[0].Why, "8.00 h credited for time off")
}

// TestHeadcountPlansMayReachIntoThePeriod: without WholeShifts a shift from
// the evening before is fine, one wholly before is not.
func TestHeadcountPlansMayReachIntoThePeriod(t *testing.T) {
	night := Template{Name: "N", SpanMin: 480, PaidMin: 480, StartFromMin: 22 * 60, StartToMin: 22 * 60, StartStepMin: 60, Days: allDays()}
	start := time.Date(2026, 3, 23, 0, 0, 0, 0, berlin)
	st := time.Date(2026, 3, 22, 22, 0, 0, 0, berlin)
	in := Input{Location: berlin, Start: start, End: start.AddDate(0, 0, 7), Templates: []Template{night},
		Shifts: []Shift{{Template: "N", Start: st, End: st.Add(8 * time.Hour), PaidMinutes: 480}}}
	assert.Empty(t, Check(in))
	in.Shifts[0].Start, in.Shifts[0].End = st.AddDate(0, 0, -1), st.AddDate(0, 0, -1).Add(8*time.Hour)
	assert.Equal(t, []string{RulePeriod}, rules(Check(in)))
}
