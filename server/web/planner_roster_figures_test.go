package web

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling/roster"
	"github.com/peakwise/peakwise/server/service"
)

func TestSignedShowsTheDifferencesSign(t *testing.T) {
	for _, tc := range []struct {
		v      float64
		digits int
		want   string
	}{
		{4, 1, "+4.0"}, {-0.0123, 3, "−0.012"}, {0, 0, "0"}, {-0.0004, 3, "0.000"}, {0.0004, 3, "0.000"}, {-12, 0, "−12"},
	} {
		assert.Equal(t, tc.want, signed(tc.v, tc.digits), "%g", tc.v)
	}
}

func TestRosterFiguresOfSetsTheShortfallAgainstItsAllowance(t *testing.T) {
	assert.Nil(t, rosterFiguresOf(nil), "a draft that was not rostered has no figures")
	f := &service.RosterFigures{RequiredHours: 1000, ShortfallAllowanceHours: 4, Stopped: "deadline", Kindness: *roster.CompareKindness(
		roster.Report{Total: roster.QueueReport{PaidHours: 1210, UnderHours: 5}, PeakShareGini: 0.09},
		roster.PlanFigures{PaidHours: 1200, UnderHours: 3, PeakShareGini: 0.15, ShiftsOverStretch: 7})}
	v := rosterFiguresOf(f)
	require.NotNil(t, v)
	assert.False(t, v.WithinAllowance, "5 h short is beyond 4 h")
	assert.InDelta(t, 0.005, v.UnderShare, 1e-12)
	assert.InDelta(t, 0.004, v.AllowanceShare, 1e-12)
	assert.Equal(t, "The search ran to its time limit", v.Search)
	assert.Equal(t, kindnessRow{"Paid hours", "1210.0", "1200.0", "+10.0"}, v.Rows[0])
	assert.Equal(t, kindnessRow{"Agent-hours short", "5.0", "3.0", "+2.0"}, v.Rows[1])
	assert.Equal(t, kindnessRow{"Shifts over the stretch limit", "0", "7", "−7"}, v.Rows[3])
	assert.Equal(t, kindnessRow{"Peak work per paid hour, Gini", "0.090", "0.150", "−0.060"}, v.Rows[5])
	f.Kindness.Kind.UnderHours = 4
	assert.True(t, rosterFiguresOf(f).WithinAllowance, "the allowance itself is within")
	assert.Empty(t, rosterFiguresOf(f).Short, "no reasons, no table")
	f.Shortfalls = []roster.ShortfallNote{{Queue: "chat_de", UnderHours: 3, AtMaximumHours: 2.5, PricedHours: 0.5}, {Queue: "voice_kr", UnderHours: 1.25, NoAgentHours: 1.25}}
	short := rosterFiguresOf(f).Short
	require.Len(t, short, 3)
	assert.Equal(t, shortRow{"chat_de", "3.00", "0.00", "0.00", "2.50", "0.00", "0.50", "0.00"}, short[0])
	assert.Equal(t, shortRow{"All queues", "4.25", "1.25", "0.00", "2.50", "0.00", "0.50", "0.00"}, short[2])
}
