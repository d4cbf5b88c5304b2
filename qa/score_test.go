package qa

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// supportCall is the scorecard of docs/qa-scoring.md.
func supportCall() Scorecard {
	return Scorecard{Name: "Support call", Version: 1, PassThreshold: 80, Sections: []Section{
		{Key: "opening", Title: "Opening", Weight: 20, Criteria: []Criterion{
			{Key: "greeting", Title: "Greeting", Weight: 1, Scale: YesNo},
			{Key: "verification", Title: "Verification", Weight: 2, Scale: Points5},
		}},
		{Key: "resolution", Title: "Resolution", Weight: 50, Criteria: []Criterion{
			{Key: "answer", Title: "Correct answer", Weight: 3, Scale: Points5},
			{Key: "process", Title: "Followed process", Weight: 1, Scale: Points4, AllowNA: true},
		}},
		{Key: "compliance", Title: "Compliance", Weight: 30, Criteria: []Criterion{
			{Key: "data", Title: "Data protection", Weight: 1, Scale: YesNo, Critical: true},
			{Key: "disclosure", Title: "Recording disclosure", Weight: 1, Scale: YesNo, AutoFail: true, AllowNA: true},
		}},
	}}
}

func v(n int) *int { return &n }

func answers(kv map[string]*int) []Answer {
	var out []Answer
	for _, k := range []string{"greeting", "verification", "answer", "process", "data", "disclosure"} {
		if val, ok := kv[k]; ok {
			out = append(out, Answer{Criterion: k, Value: val})
		}
	}
	return out
}

func TestWorkedExamples(t *testing.T) {
	full := map[string]*int{"greeting": v(1), "verification": v(4), "answer": v(5), "process": v(3), "data": v(1), "disclosure": v(1)}
	with := func(changes map[string]*int) map[string]*int {
		m := map[string]*int{}
		for k, x := range full {
			m[k] = x
		}
		for k, x := range changes {
			m[k] = x
		}
		return m
	}
	cases := []struct {
		name     string
		sc       func(*Scorecard)
		answers  map[string]*int
		total    *float64
		outcome  Outcome
		sections []float64 // -1 for no score
	}{
		{"1 all rated", nil, full, f(92.50), Pass, []float64{83.33, 91.67, 100}},
		{"2 N/A left out", nil, with(map[string]*int{"verification": v(2), "answer": v(3), "process": nil, "disclosure": nil}), f(65.00), Fail, []float64{50, 50, 100}},
		{"3 critical fail", nil, with(map[string]*int{"data": v(0)}), f(0), Fail, []float64{83.33, 91.67, 50}},
		{"4 auto-fail keeps the score", nil, with(map[string]*int{"disclosure": v(0)}), f(77.50), Fail, []float64{83.33, 91.67, 50}},
		{"5 auto-fail zeroes by policy", func(s *Scorecard) { s.AutoFailZeroes = true }, with(map[string]*int{"disclosure": v(0)}), f(0), Fail, []float64{83.33, 91.67, 50}},
		{"6 a zero-weight section is shown, not counted", func(s *Scorecard) { s.Sections[2].Weight = 0 }, full, f(89.29), Pass, []float64{83.33, 91.67, 100}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sc := supportCall()
			if c.sc != nil {
				c.sc(&sc)
			}
			require.NoError(t, sc.Validate())
			r, err := Score(sc, answers(c.answers))
			require.NoError(t, err)
			require.NotNil(t, r.Total)
			assert.Equal(t, *c.total, *r.Total)
			assert.Equal(t, c.outcome, r.Outcome)
			for i, want := range c.sections {
				require.NotNil(t, r.Sections[i].Score)
				assert.Equal(t, want, *r.Sections[i].Score, "section %s", r.Sections[i].Key)
			}
		})
	}
}

func f(x float64) *float64 { return &x }

func TestRoundingIsHalfUpOnExactValues(t *testing.T) {
	// (1 x 100 + 7 x 25) / 8 = 34.375 exactly: half up gives 34.38 (a float
	// computation of 34.375 can land on either side).
	sc := Scorecard{Name: "r", Sections: []Section{{Key: "s", Title: "S", Weight: 1, Criteria: []Criterion{
		{Key: "a", Title: "A", Weight: 1, Scale: YesNo}, {Key: "b", Title: "B", Weight: 7, Scale: Points5}}}}}
	r, err := Score(sc, []Answer{{"a", v(1)}, {"b", v(2)}})
	require.NoError(t, err)
	assert.Equal(t, 34.38, *r.Total)
}

func TestAllNotApplicable(t *testing.T) {
	sc := Scorecard{Name: "n", PassThreshold: 50, Sections: []Section{{Key: "s", Title: "S", Weight: 1, Criteria: []Criterion{
		{Key: "a", Title: "A", Weight: 1, Scale: Points3, AllowNA: true}, {Key: "b", Title: "B", Weight: 1, Scale: YesNo, AllowNA: true}}}}}
	r, err := Score(sc, []Answer{{"a", nil}, {"b", nil}})
	require.NoError(t, err)
	assert.Nil(t, r.Total, "nothing rated: no score, not a zero")
	assert.Equal(t, NotScored, r.Outcome)
	assert.Nil(t, r.Sections[0].Score)
}

func TestZeroWeightCriterionIsShownNotCounted(t *testing.T) {
	sc := Scorecard{Name: "z", PassThreshold: 50, Sections: []Section{{Key: "s", Title: "S", Weight: 1, Criteria: []Criterion{
		{Key: "a", Title: "A", Weight: 1, Scale: YesNo}, {Key: "tone", Title: "Tone (coaching only)", Weight: 0, Scale: Points5}}}}}
	r, err := Score(sc, []Answer{{"a", v(1)}, {"tone", v(1)}})
	require.NoError(t, err)
	assert.Equal(t, 100.0, *r.Total)
	assert.Equal(t, 0.0, *r.Sections[0].Criteria[1].Score, "its own score is still shown")
	assert.True(t, r.Sections[0].Criteria[1].Failed)
}

func TestBadAnswersAreAllReported(t *testing.T) {
	_, err := Score(supportCall(), []Answer{{"greeting", v(2)}, {"verification", nil}, {"answer", v(5)}, {"answer", v(4)}, {"bogus", v(1)}, {"process", nil}, {"data", v(1)}})
	var fe FieldErrors
	require.True(t, errors.As(err, &fe), "%v", err)
	fields := map[string]bool{}
	for _, e := range fe {
		fields[e.Field] = true
	}
	for _, want := range []string{"answers.greeting", "answers.verification", "answers[3]", "answers[4]", "answers.disclosure"} {
		assert.True(t, fields[want], "missing %s in %v", want, fe)
	}
}

func TestScorecardValidation(t *testing.T) {
	sc := supportCall()
	sc.PassThreshold = 120
	sc.Sections[0].Criteria[1].Key = "greeting"
	sc.Sections[1].Criteria[0].Scale = "1-10"
	sc.Sections[2].Weight = -1
	var fe FieldErrors
	require.True(t, errors.As(sc.Validate(), &fe))
	fields := map[string]bool{}
	for _, e := range fe {
		fields[e.Field] = true
	}
	for _, want := range []string{"pass_threshold", "sections[0].criteria[1].key", "sections[1].criteria[0].scale", "sections[2].weight"} {
		assert.True(t, fields[want], "missing %s in %v", want, fe)
	}
	nothing := Scorecard{Name: "x", Sections: []Section{{Key: "s", Title: "S", Weight: 0, Criteria: []Criterion{{Key: "a", Title: "A", Weight: 1, Scale: YesNo}}}}}
	assert.ErrorContains(t, nothing.Validate(), "no criterion counts")

	ver, fresh := NextVersion(supportCall(), false)
	assert.Equal(t, 1, ver)
	assert.False(t, fresh)
	ver, fresh = NextVersion(supportCall(), true)
	assert.Equal(t, 2, ver)
	assert.True(t, fresh, "evaluations keep the version they were scored on")
}

// BenchmarkScore is the target: 10,000 evaluations of a 40-criterion scorecard.
func BenchmarkScore(b *testing.B) {
	sc := Scorecard{Name: "big", PassThreshold: 80}
	var ans []Answer
	for s := 0; s < 8; s++ {
		sec := Section{Key: string(rune('a' + s)), Title: "S", Weight: 10 + s}
		for c := 0; c < 5; c++ {
			k := sec.Key + string(rune('0'+c))
			sec.Criteria = append(sec.Criteria, Criterion{Key: k, Title: "C", Weight: 1 + c, Scale: Points5, AllowNA: true})
			val := 1 + (s+c)%5
			ans = append(ans, Answer{k, &val})
		}
		sc.Sections = append(sc.Sections, sec)
	}
	compiled := Compile(sc)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for e := 0; e < 10000; e++ {
			if _, err := compiled.Score(ans); err != nil {
				b.Fatal(err)
			}
		}
	}
}
