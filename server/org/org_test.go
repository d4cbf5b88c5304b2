package org_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
)

func fieldsOf(err error) map[string]string {
	if fe, ok := err.(*fault.Error); ok {
		return fe.Fields
	}
	return nil
}

func TestAgentValidation(t *testing.T) {
	good := org.Agent{Name: "Ana", Email: "ana@example.com", Timezone: "Australia/Sydney", Contract: org.DefaultContract,
		Skills: []org.Skill{{Kind: "channel", Value: "voice", Proficiency: 3}}}
	assert.NoError(t, good.Validate())

	cases := []struct {
		name  string
		edit  func(a *org.Agent)
		field string
	}{
		{"unknown zone", func(a *org.Agent) { a.Timezone = "Mars/Base" }, "timezone"},
		{"Local is not a zone", func(a *org.Agent) { a.Timezone = "Local" }, "timezone"},
		{"bad email", func(a *org.Agent) { a.Email = "Ana <ana@example.com>" }, "email"},
		{"negative hours", func(a *org.Agent) { a.Contract.MinWeekHours = -1 }, "contract.min_week_hours"},
		{"min above max", func(a *org.Agent) { a.Contract.MinWeekHours = 50 }, "contract.min_week_hours"},
		{"too much rest", func(a *org.Agent) { a.Contract.MinRestHours = 72 }, "contract.min_rest_hours"},
		{"skill kind", func(a *org.Agent) { a.Skills[0].Kind = "magic" }, "skills[0].kind"},
		{"proficiency", func(a *org.Agent) { a.Skills[0].Proficiency = 9 }, "skills[0].proficiency"},
		{"duplicate skill", func(a *org.Agent) { a.Skills = append(a.Skills, a.Skills[0]) }, "skills[1]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := good
			a.Skills = append([]org.Skill{}, good.Skills...)
			c.edit(&a)
			err := a.Validate()
			assert.Equal(t, fault.Invalid, fault.CodeOf(err))
			assert.Contains(t, fieldsOf(err), c.field, "%v", err)
		})
	}
}

func TestQueueTargetsDependOnChannelKind(t *testing.T) {
	q := org.Queue{Name: "Email", ChannelID: 1, Timezone: "Europe/London", ServiceLevelPct: 90, DefaultAHTSec: 300, IntervalMin: 60}.WithDefaults()
	assert.NoError(t, q.Validate())
	assert.Contains(t, fieldsOf(q.CheckTarget(org.Deferred)), "response_within_seconds")
	assert.Contains(t, fieldsOf(q.CheckTarget(org.Realtime)), "answer_within_seconds")
	q.ResponseWithinSec = 86400
	assert.NoError(t, q.CheckTarget(org.Deferred))
	q.IntervalMin = 20
	assert.Contains(t, fieldsOf(q.Validate()), "interval_minutes")
}

func TestUserNeedsAgentForAgentRole(t *testing.T) {
	u := org.User{Email: "a@example.com", Name: "A", Role: org.RoleAgent}
	assert.Contains(t, fieldsOf(u.Validate()), "agent_id")
	assert.Contains(t, fieldsOf(org.User{Email: "a@example.com", Name: "A", Role: "root"}.Validate()), "role")
	assert.Error(t, org.CheckPassword("short"))
	assert.NoError(t, org.CheckPassword("long enough pass"))
}

func TestCheckPasswordCountsCharactersAndNeedsUTF8(t *testing.T) {
	assert.Error(t, org.CheckPassword("ééééé"), "five characters are too few, though they are ten bytes")
	assert.NoError(t, org.CheckPassword("éééééééééé"), "ten characters are enough")
	assert.NoError(t, org.CheckPassword(strings.Repeat("é", 256)), "256 characters are allowed, though they are 512 bytes")
	assert.Error(t, org.CheckPassword(strings.Repeat("é", 257)))
	err := org.CheckPassword("long enough \xff pass")
	require.Error(t, err, "invalid UTF-8 could never be typed at the sign-in form")
	assert.Contains(t, fieldsOf(err)["password"], "UTF-8")
}

func TestAgentWishesValidation(t *testing.T) {
	a := org.Agent{Name: "A", Email: "a@example.com", Timezone: "UTC", Contract: org.DefaultContract,
		Availability: []org.Window{{Day: "monday", From: "8:00", To: "25:00"}}, Preferences: org.Preferences{ShiftTime: "noon", DaysOff: []string{"xyz"}}}
	f := fieldsOf(a.Validate())
	for _, k := range []string{"availability[0].day", "availability[0].from", "availability[0].to", "preferences.shift_time", "preferences.days_off[0]"} {
		assert.Contains(t, f, k)
	}
	a.Availability = []org.Window{{Day: "fri", From: "22:00", To: "24:00"}}
	a.Preferences = org.Preferences{ShiftTime: "late", DaysOff: []string{"sat", "sun"}}
	assert.NoError(t, a.Validate())
}

func TestQueueStaffingInputs(t *testing.T) {
	q := org.Queue{Name: "Voice", ChannelID: 1, Timezone: "UTC", ServiceLevelPct: 80, AnswerWithinSec: 20, DefaultAHTSec: 300}.WithDefaults()
	assert.Equal(t, 0.85, q.MaxOccupancy)
	assert.Equal(t, 30, q.IntervalMin)
	assert.NoError(t, q.Validate())
	q.Shrinkage, q.MaxOccupancy, q.PatienceSec = 1, 1.2, -1
	f := fieldsOf(q.Validate())
	assert.Contains(t, f, "shrinkage")
	assert.Contains(t, f, "max_occupancy")
	assert.Contains(t, f, "patience_seconds")
}
