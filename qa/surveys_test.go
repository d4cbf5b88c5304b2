package qa

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func bp(b bool) *bool { return &b }

// metricsExample is the data set of docs/qa-metrics.md.
func metricsExample() []Interaction {
	mon := time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	at := func(day, hour int) time.Time { return mon.AddDate(0, 0, day).Add(time.Duration(hour) * time.Hour) }
	return []Interaction{
		{ExternalID: "c1", Channel: "voice", Queue: "q1", Agent: "ann", Customer: "A", StartedAt: at(0, 9), HandleSeconds: 300, ResolutionSeconds: v(300), Resolved: bp(true), CSAT: v(5), NPS: v(10), CES: v(7)},
		{ExternalID: "c2", Channel: "chat", Queue: "q1", Agent: "bob", Customer: "B", StartedAt: at(0, 10), HandleSeconds: 600, Resolved: bp(false), CSAT: v(2), NPS: v(6), CES: v(3)},
		{ExternalID: "c3", Channel: "voice", Queue: "q2", Agent: "bob", Customer: "A", StartedAt: at(2, 9), HandleSeconds: 420, CSAT: v(4), NPS: v(8), CES: v(5)},
		{ExternalID: "c4", Channel: "email", Queue: "q1", Agent: "ann", Customer: "C", StartedAt: at(0, 11), HandleSeconds: 0, ResolutionSeconds: v(86400), Resolved: bp(true), NPS: v(9)},
		{ExternalID: "c5", Channel: "voice", Queue: "q1", Agent: "ann", StartedAt: at(0, 12), HandleSeconds: 240, CSAT: v(3)},
		{ExternalID: "c6", Channel: "voice", Queue: "q2", Agent: "ann", Customer: "B", StartedAt: at(7, 10), HandleSeconds: 360, CSAT: v(4)},
	}
}

func TestSummarize(t *testing.T) {
	week := 7 * 24 * time.Hour
	q1 := func(in Interaction) bool { return in.Queue == "q1" }
	type want struct {
		n, csatN, npsN, cesN, fcrN, resN                        int
		csat, nps, cesMean, cesHigh, fcr, resolved, aht, avgRes *float64
	}
	cases := []struct {
		name   string
		all    []Interaction
		keep   func(Interaction) bool
		window time.Duration
		want   want
	}{
		{"everything, 7-day window", metricsExample(), nil, week, want{
			n: 6, csatN: 5, npsN: 4, cesN: 3, fcrN: 5, resN: 3,
			csat: f(60), nps: f(25), cesMean: f(5), cesHigh: f(200.0 / 3), fcr: f(60), resolved: f(200.0 / 3),
			aht: f(320), avgRes: f(43350)}},
		// c2's follow-up c6 is 7 days later: outside a 3-day window, so c2 counts as resolved.
		{"everything, 3-day window", metricsExample(), nil, 72 * time.Hour, want{
			n: 6, csatN: 5, npsN: 4, cesN: 3, fcrN: 5, resN: 3,
			csat: f(60), nps: f(25), cesMean: f(5), cesHigh: f(200.0 / 3), fcr: f(80), resolved: f(200.0 / 3),
			aht: f(320), avgRes: f(43350)}},
		// Follow-ups in q2 still count against the q1 contacts they follow.
		{"queue q1 only", metricsExample(), q1, week, want{
			n: 4, csatN: 3, npsN: 3, cesN: 2, fcrN: 3, resN: 3,
			csat: f(100.0 / 3), nps: f(100.0 / 3), cesMean: f(5), cesHigh: f(50), fcr: f(100.0 / 3), resolved: f(200.0 / 3),
			aht: f(285), avgRes: f(43350)}},
		{"no FCR without a window", metricsExample(), nil, 0, want{
			n: 6, csatN: 5, npsN: 4, cesN: 3, fcrN: 0, resN: 3,
			csat: f(60), nps: f(25), cesMean: f(5), cesHigh: f(200.0 / 3), resolved: f(200.0 / 3),
			aht: f(320), avgRes: f(43350)}},
		{"nothing kept", metricsExample(), func(Interaction) bool { return false }, week, want{}},
		{"no data", nil, nil, week, want{}},
		{"answers off the scale are ignored", []Interaction{
			{ExternalID: "x", Agent: "a", StartedAt: time.Unix(0, 0), HandleSeconds: 10, CSAT: v(9), NPS: v(-1), CES: v(0)},
			{ExternalID: "y", Agent: "a", StartedAt: time.Unix(60, 0), HandleSeconds: 20, CSAT: v(4), NPS: v(0), CES: v(1)},
		}, nil, week, want{
			n: 2, csatN: 1, npsN: 1, cesN: 1, csat: f(100), nps: f(-100), cesMean: f(1), cesHigh: f(0), aht: f(15)}},
		// Same customer, same start: neither is the other's follow-up.
		{"simultaneous contacts", []Interaction{
			{ExternalID: "x", Agent: "a", Customer: "K", StartedAt: time.Unix(0, 0)},
			{ExternalID: "y", Agent: "b", Customer: "K", StartedAt: time.Unix(0, 0)},
		}, nil, week, want{n: 2, fcrN: 2, fcr: f(100), aht: f(0)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := Summarize(c.all, c.keep, c.window)
			w := c.want
			assert.Equal(t, w.n, m.Interactions, "interactions")
			assert.Equal(t, w.csatN, m.CSATResponses, "csat responses")
			assert.Equal(t, w.npsN, m.NPSResponses, "nps responses")
			assert.Equal(t, w.cesN, m.CESResponses, "ces responses")
			assert.Equal(t, w.fcrN, m.FCRInteractions, "fcr interactions")
			assert.Equal(t, w.resN, m.ResolvedResponses, "resolved responses")
			for _, p := range []struct {
				name      string
				want, got *float64
			}{
				{"csat", w.csat, m.CSAT}, {"nps", w.nps, m.NPS}, {"ces mean", w.cesMean, m.CESMean},
				{"ces high", w.cesHigh, m.CESHigh}, {"fcr", w.fcr, m.FCR}, {"resolved", w.resolved, m.ResolvedRate},
				{"aht", w.aht, m.AHTSeconds}, {"avg resolution", w.avgRes, m.AvgResolutionSeconds},
			} {
				if p.want == nil {
					assert.Nil(t, p.got, p.name)
					continue
				}
				if assert.NotNil(t, p.got, p.name) {
					assert.InDelta(t, *p.want, *p.got, 1e-9, p.name)
				}
			}
		})
	}
}

func TestInteractionValidate(t *testing.T) {
	ok := Interaction{ExternalID: "c1", Agent: "ann", StartedAt: time.Unix(1, 0), HandleSeconds: 0, CSAT: v(1), NPS: v(0), CES: v(7), ResolutionSeconds: v(0)}
	require.NoError(t, ok.Validate())
	cases := []struct {
		name   string
		change func(*Interaction)
		fields []string
	}{
		{"missing ids", func(in *Interaction) { in.ExternalID, in.Agent = " ", "" }, []string{"external_id", "agent"}},
		{"no start", func(in *Interaction) { in.StartedAt = time.Time{} }, []string{"started_at"}},
		{"negative times", func(in *Interaction) { in.HandleSeconds, in.ResolutionSeconds = -1, v(-5) }, []string{"handle_seconds", "resolution_seconds"}},
		{"a handle time over a day, a resolution over a year", func(in *Interaction) {
			in.HandleSeconds, in.ResolutionSeconds = MaxHandleSeconds+1, v(MaxResolutionSeconds+1)
		}, []string{"handle_seconds", "resolution_seconds"}},
		{"overflowing handle time", func(in *Interaction) { in.HandleSeconds = math.MaxInt }, []string{"handle_seconds"}},
		{"long text", func(in *Interaction) {
			in.ExternalID, in.Customer = strings.Repeat("x", MaxTextLen+1), strings.Repeat("y", MaxTextLen+1)
		}, []string{"external_id", "customer"}},
		{"CSAT 0", func(in *Interaction) { in.CSAT = v(0) }, []string{"csat"}},
		{"CSAT 6", func(in *Interaction) { in.CSAT = v(6) }, []string{"csat"}},
		{"NPS 11", func(in *Interaction) { in.NPS = v(11) }, []string{"nps"}},
		{"NPS -1", func(in *Interaction) { in.NPS = v(-1) }, []string{"nps"}},
		{"CES 8", func(in *Interaction) { in.CES = v(8) }, []string{"ces"}},
		{"everything at once", func(in *Interaction) {
			*in = Interaction{HandleSeconds: -1, CSAT: v(9), NPS: v(99), CES: v(0)}
		}, []string{"external_id", "agent", "started_at", "handle_seconds", "csat", "nps", "ces"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := ok
			c.change(&in)
			var fe FieldErrors
			require.True(t, errors.As(in.Validate(), &fe))
			assert.Equal(t, c.fields, fieldsOf(fe))
		})
	}
	err := Interaction{ExternalID: "c", Agent: "a", StartedAt: time.Unix(1, 0), CSAT: v(6)}.Validate()
	assert.EqualError(t, err, "csat: must be between 1 and 5, got 6")
}
