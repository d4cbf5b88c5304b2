package roster

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const agentsHeader = "agent,timezone,skills,min_week_hours,max_week_hours,max_shifts_week,min_rest_hours,max_consecutive_days,availability,time_off,prefer,days_off\n"

func TestReadAgentsReadsEveryColumnAndDefaults(t *testing.T) {
	in := agentsHeader +
		`ana@example.com,Europe/Berlin,voice:5;chat:3,30,38,5,12,5,mon-fri 07:00-19:00;sat 22:00-02:00,2026-01-07T00:00:00+01:00/2026-01-08T00:00:00+01:00,early,sat;sun` + "\n" +
		`7,Australia/Sydney,email,,,,,,,,,` + "\n"
	agents, err := ReadAgents(strings.NewReader(in))
	require.NoError(t, err)
	require.Len(t, agents, 2)
	a := agents[0]
	assert.Equal(t, "ana@example.com", a.ID)
	assert.Equal(t, "Europe/Berlin", a.Location.String())
	assert.Equal(t, map[string]int{"voice": 5, "chat": 3}, a.Skills)
	assert.Equal(t, 30.0, a.Contract.MinWeekHours)
	assert.Equal(t, 38.0, a.Contract.MaxWeekHours)
	assert.Equal(t, 5, a.Contract.MaxShiftsPerWeek)
	assert.Equal(t, 12.0, a.Contract.MinRestHours)
	assert.Equal(t, 5, a.Contract.MaxConsecutiveDays)
	assert.Len(t, a.Availability, 7, "five weekdays, Saturday night and its Sunday morning")
	assert.Contains(t, a.Availability, Window{time.Saturday, 22 * 60, 1440})
	assert.Contains(t, a.Availability, Window{time.Sunday, 0, 120})
	require.Len(t, a.TimeOff, 1)
	assert.Equal(t, time.Date(2026, 1, 6, 23, 0, 0, 0, time.UTC), a.TimeOff[0].Start)
	assert.Equal(t, PreferEarly, a.Prefer)
	assert.Equal(t, []time.Weekday{time.Saturday, time.Sunday}, a.DaysOff)

	b := agents[1]
	assert.Equal(t, map[string]int{"email": 3}, b.Skills, "a skill without a level is level 3")
	assert.Equal(t, 0.0, b.Contract.MinWeekHours)
	assert.Equal(t, float64(DefaultMaxWeekHours), b.Contract.MaxWeekHours)
	assert.Equal(t, DefaultMaxShiftsPerWeek, b.Contract.MaxShiftsPerWeek)
	assert.Equal(t, float64(DefaultMinRestHours), b.Contract.MinRestHours)
	assert.Equal(t, DefaultMaxConsecutiveDays, b.Contract.MaxConsecutiveDays)
	assert.Empty(t, b.Availability, "empty availability is always available")
	assert.True(t, b.AvailableFor(time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 3, 16, 0, 0, 0, time.UTC)))
}

func TestReadAgentsNamesLineAndColumnOfEveryBadCell(t *testing.T) {
	cases := []struct {
		name, row, column string
	}{
		{"no id", `,UTC,voice:3,,,,,,,,,`, "agent"},
		{"unknown zone", `a,Mars/Olympus,voice:3,,,,,,,,,`, "timezone"},
		{"no skills", `a,UTC,,,,,,,,,,`, "skills"},
		{"level out of range", `a,UTC,voice:6,,,,,,,,,`, "skills"},
		{"negative hours", `a,UTC,voice,-1,,,,,,,,`, "min_week_hours"},
		{"min above max", `a,UTC,voice,30,20,,,,,,,`, "min_week_hours"},
		{"fractional shift count", `a,UTC,voice,,,4.5,,,,,,`, "max_shifts_week"},
		{"bad day", `a,UTC,voice,,,,,,funday 07:00-19:00,,,`, "availability"},
		{"bad clock", `a,UTC,voice,,,,,,mon 7-19,,,`, "availability"},
		{"time off backwards", `a,UTC,voice,,,,,,,2026-01-08T00:00:00Z/2026-01-07T00:00:00Z,,`, "time_off"},
		{"time off not RFC 3339", `a,UTC,voice,,,,,,,2026-01-07/2026-01-08,,`, "time_off"},
		{"bad preference", `a,UTC,voice,,,,,,,,nights,`, "prefer"},
		{"bad day off", `a,UTC,voice,,,,,,,,,someday`, "days_off"},
		{"implausible hours", `a,UTC,voice,1e308,,,,,,,,`, "min_week_hours"},
		{"too many shifts", `a,UTC,voice,,,15,,,,,,`, "max_shifts_week"},
		{"rest beyond two days", `a,UTC,voice,,,,49,,,,,`, "min_rest_hours"},
		{"days in a row beyond a month", `a,UTC,voice,,,,,32,,,,`, "max_consecutive_days"},
		{"time off centuries ahead", `a,UTC,voice,,,,,,,3026-01-07T00:00:00Z/3026-01-08T00:00:00Z,,`, "time_off"},
		{"long id", strings.Repeat("x", 255) + `,UTC,voice,,,,,,,,,`, "agent"},
		{"control character in id", "\"a\tb\",UTC,voice,,,,,,,,,", "agent"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := agentsHeader + "ok,UTC,voice,,,,,,,,,\n" + c.row + "\n"
			_, err := ReadAgents(strings.NewReader(in))
			var le LineErrors
			require.True(t, errors.As(err, &le), "%v", err)
			require.Len(t, le, 1, "%v", le)
			assert.Equal(t, 3, le[0].Line)
			assert.Equal(t, c.column, le[0].Column)
			assert.Contains(t, err.Error(), "line 3, "+c.column)
		})
	}
	_, err := ReadAgents(strings.NewReader("agent,timezone\na,UTC\n"))
	assert.ErrorContains(t, err, `lacks the "skills" column`)
	_, err = ReadAgents(strings.NewReader(agentsHeader + "a,UTC,voice,,,,,,,,,\na,UTC,voice,,,,,,,,,\n"))
	assert.ErrorContains(t, err, `line 3, agent: "a" is already on line 2`)
	_, err = ReadAgents(strings.NewReader(""))
	assert.ErrorContains(t, err, "empty")
	// A quoted cell spanning lines: the next record's line is its own.
	_, err = ReadAgents(strings.NewReader(agentsHeader + "a,UTC,\"voice\n\",,,,,,,,,\nb,UTC,voice,-1,,,,,,,,\n"))
	assert.ErrorContains(t, err, "line 4, min_week_hours")
}

func TestAvailabilityFollowsTheWallClockAcrossMidnightAndDST(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	ws, reason := parseAvailability("fri-mon 22:00-06:00;tue 08:00-12:00;tue 12:00-16:00")
	require.Empty(t, reason)
	a := Agent{Location: berlin, Availability: ws}
	at := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, berlin) }
	cases := []struct {
		name     string
		from, to time.Time
		want     bool
	}{
		{"Saturday night into Sunday", at(28, 22, 0), at(29, 6, 0), true}, // 29 March: clocks jump 02:00 -> 03:00
		{"past the window's end", at(28, 22, 0), at(29, 6, 30), false},
		{"joined windows on Tuesday", at(31, 8, 0), at(31, 16, 0), true},
		{"Tuesday before the window", at(31, 7, 45), at(31, 12, 0), false},
		{"Monday night runs into Tuesday 06:00", at(30, 23, 0), at(31, 5, 0), true},
		{"Tuesday night is not in a window", at(31, 23, 0), at(32, 5, 0), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, a.AvailableFor(c.from, c.to))
		})
	}
}

func TestReadAgentsReadsTheOptionalContractColumn(t *testing.T) {
	in := "agent,timezone,skills,contract,min_week_hours,max_week_hours,max_shifts_week,min_rest_hours,max_consecutive_days,availability,time_off,prefer,days_off\n" +
		"ana,Asia/Seoul,voice:5,FT,40,40,5,11,6,,,,\n" +
		"bo,Asia/Seoul,voice:2,,,,,,,,,,\n"
	agents, err := ReadAgents(strings.NewReader(in))
	require.NoError(t, err)
	assert.Equal(t, "FT", agents[0].Contract.Name)
	assert.Equal(t, "", agents[1].Contract.Name)

	// Without the column every agent has no contract name.
	agents, err = ReadAgents(strings.NewReader(agentsHeader + "ana,UTC,voice,,,,,,,,,\n"))
	require.NoError(t, err)
	assert.Equal(t, "", agents[0].Contract.Name)

	_, err = ReadAgents(strings.NewReader(strings.Replace(in, ",FT,", ","+strings.Repeat("x", 33)+",", 1)))
	assert.ErrorContains(t, err, "line 2, contract: ")
}
