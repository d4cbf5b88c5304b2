package qa

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// matrix turns a reliability data matrix (rows = reviewers, columns = items, NaN = missing)
// into ratings; reviewers are A, B, C...; items are u1, u2...
func matrix(rows ...[]float64) []Rating {
	var out []Rating
	for r, row := range rows {
		for u, x := range row {
			rt := Rating{Reviewer: string(rune('A' + r)), Item: fmt.Sprintf("u%d", u+1)}
			if !math.IsNaN(x) {
				rt.Value = fp(x)
			}
			out = append(out, rt)
		}
	}
	return out
}

func fp(x float64) *float64 { return &x }

var na = math.NaN()

// krippendorff2011 is the 4 observers x 12 units reliability data matrix of Krippendorff
// (2011), "Computing Krippendorff's Alpha-Reliability", section C (values 1-5, "." = missing).
func krippendorff2011() []Rating {
	return matrix(
		[]float64{1, 2, 3, 3, 2, 1, 4, 1, 2, na, na, na},
		[]float64{1, 2, 3, 3, 2, 2, 4, 1, 2, 5, na, 3},
		[]float64{na, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, na},
		[]float64{1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, na},
	)
}

func TestKrippendorffAlpha(t *testing.T) {
	cases := []struct {
		name    string
		ratings []Rating
		level   Level
		want    float64
		tol     float64
	}{
		// The published values, given to 3 decimals.
		{"Krippendorff 2011, nominal", krippendorff2011(), Nominal, 0.743, 0.0005},
		{"Krippendorff 2011, ordinal", krippendorff2011(), Ordinal, 0.815, 0.0005},
		{"Krippendorff 2011, interval", krippendorff2011(), Interval, 0.849, 0.0005},
		// Hand-computed from the coincidence matrix: items (1,2), (1,1), (3,3).
		// n = 6, n_1 = 3, n_2 = 1, n_3 = 2, o_12 = o_21 = 1.
		// Nominal: 1 - 5 x 2 / (36 - 9 - 1 - 4) = 12/22.
		{"hand, nominal", matrix([]float64{1, 1, 3}, []float64{2, 1, 3}), Nominal, 12.0 / 22, 1e-12},
		// Interval: D_o = 2/6, D_e = (2 x (3x1x1 + 3x2x4 + 1x2x1)) / 30 = 58/30, alpha = 24/29.
		{"hand, interval", matrix([]float64{1, 1, 3}, []float64{2, 1, 3}), Interval, 24.0 / 29, 1e-12},
		// Ordinal: delta_12 = 2, delta_13 = 3.5, delta_23 = 1.5; D_o = 8/6, D_e = 180/30, alpha = 7/9.
		{"hand, ordinal", matrix([]float64{1, 1, 3}, []float64{2, 1, 3}), Ordinal, 7.0 / 9, 1e-12},
		// Systematic swap: (1,2), (2,1): nominal and interval both 1 - 3 x 4/8 = -0.5.
		{"swapped, nominal", matrix([]float64{1, 2}, []float64{2, 1}), Nominal, -0.5, 1e-12},
		{"swapped, interval", matrix([]float64{1, 2}, []float64{2, 1}), Interval, -0.5, 1e-12},
		{"perfect agreement", matrix([]float64{10, 20, 30}, []float64{10, 20, 30}, []float64{10, 20, na}), Interval, 1, 1e-12},
		// A single-valued item (the third) is dropped: same as the hand case without it.
		{"unpairable item dropped", matrix([]float64{1, 1, 3, 7}, []float64{2, 1, 3, na}), Interval, 24.0 / 29, 1e-12},
		// Interval alpha does not change when every value is shifted or scaled.
		{"interval is affine invariant", matrix([]float64{1e6 + 10, 1e6 + 10, 1e6 + 30}, []float64{1e6 + 20, 1e6 + 10, 1e6 + 30}), Interval, 24.0 / 29, 1e-9},
		// Ordinal depends only on the order: 1, 2, 3 relabelled 0, 50, 100.
		{"ordinal uses ranks only", matrix([]float64{0, 0, 100}, []float64{50, 0, 100}), Ordinal, 7.0 / 9, 1e-12},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := KrippendorffAlpha(c.ratings, c.level)
			require.NoError(t, err)
			assert.InDelta(t, c.want, got, c.tol)
		})
	}
}

func TestKrippendorffAlphaIgnoresInputOrder(t *testing.T) {
	base := krippendorff2011()
	for _, level := range []Level{Nominal, Ordinal, Interval} {
		want, err := KrippendorffAlpha(base, level)
		require.NoError(t, err)
		rng := rand.New(rand.NewPCG(1, 2))
		for i := 0; i < 5; i++ {
			shuffled := append([]Rating(nil), base...)
			rng.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
			got, err := KrippendorffAlpha(shuffled, level)
			require.NoError(t, err)
			assert.Equal(t, want, got, "%s, shuffle %d", level, i)
		}
	}
}

func TestKrippendorffAlphaErrors(t *testing.T) {
	cases := []struct {
		name     string
		ratings  []Rating
		level    Level
		sentinel error
		contains string
	}{
		{"no ratings", nil, Nominal, ErrNoPairableItems, ""},
		{"every item single-valued", matrix([]float64{1, 2, 3}, []float64{na, na, na}), Interval, ErrNoPairableItems, ""},
		{"all values equal", matrix([]float64{4, 4}, []float64{4, 4}, []float64{na, 4}), Interval, ErrNoVariation, ""},
		{"all values equal, nominal", matrix([]float64{4, 4}, []float64{4, 4}), Nominal, ErrNoVariation, ""},
		{"all values equal, ordinal", matrix([]float64{4, 4}, []float64{4, 4}), Ordinal, ErrNoVariation, ""},
		{"duplicate rating", append(matrix([]float64{1, 2}, []float64{1, 2}), Rating{Reviewer: "A", Item: "u1", Value: fp(3)}), Nominal, nil, `reviewer "A" rated item "u1" twice`},
		{"NaN value", []Rating{{"A", "u1", fp(1)}, {"B", "u1", fp(math.NaN())}}, Interval, nil, "ratings[1]"},
		{"infinite value", []Rating{{"A", "u1", fp(math.Inf(1))}, {"B", "u1", fp(1)}}, Interval, nil, "ratings[0]"},
		{"unknown level", krippendorff2011(), Level(7), nil, "unknown level"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := KrippendorffAlpha(c.ratings, c.level)
			require.Error(t, err)
			assert.True(t, math.IsNaN(got), "NaN with an error, got %v", got)
			if c.sentinel != nil {
				assert.ErrorIs(t, err, c.sentinel)
			} else {
				assert.Contains(t, err.Error(), c.contains)
				assert.False(t, errors.Is(err, ErrNoPairableItems) || errors.Is(err, ErrNoVariation))
			}
		})
	}
}

func TestDeviations(t *testing.T) {
	ref := map[string]float64{"i1": 80, "i2": 60, "i3": 100, "i4": 3.05}
	cases := []struct {
		name   string
		scores []Rating
		want   []Deviation
	}{
		{"one reviewer", []Rating{{"ann", "i1", fp(85)}, {"ann", "i2", fp(50)}, {"ann", "i3", fp(100)}},
			// deviations +5, -10, 0: mean -5/3, mean abs 15/3 = 5, within 5: 2 of 3.
			[]Deviation{{Reviewer: "ann", N: 3, MeanDeviation: -5.0 / 3, MeanAbsDeviation: 5, Within5: 200.0 / 3}}},
		{"sorted by reviewer, skips nil, unknown items and NaN", []Rating{
			{"zoe", "i1", fp(70)}, {"bob", "i2", fp(65.5)}, {"bob", "i1", nil}, {"bob", "x9", fp(1)},
			{"zoe", "i3", fp(math.NaN())}, {"cid", "i1", nil},
		}, []Deviation{
			{Reviewer: "bob", N: 1, MeanDeviation: 5.5, MeanAbsDeviation: 5.5, Within5: 0},
			{Reviewer: "zoe", N: 1, MeanDeviation: -10, MeanAbsDeviation: 10, Within5: 0},
		}},
		// 8.05 - 3.05 is 5.000000000000001 in floating point: still within 5 points.
		{"exactly 5 points counts as within, despite float noise", []Rating{{"ann", "i4", fp(8.05)}, {"ann", "i2", fp(55)}, {"ann", "i3", fp(94.99)}},
			[]Deviation{{Reviewer: "ann", N: 3, MeanDeviation: (5 - 5 - 5.01) / 3, MeanAbsDeviation: 15.01 / 3, Within5: 200.0 / 3}}},
		{"nothing comparable", []Rating{{"ann", "i7", fp(1)}}, []Deviation{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Deviations(c.scores, ref)
			require.Len(t, got, len(c.want))
			for i, w := range c.want {
				assert.Equal(t, w.Reviewer, got[i].Reviewer)
				assert.Equal(t, w.N, got[i].N)
				assert.InDelta(t, w.MeanDeviation, got[i].MeanDeviation, 1e-9)
				assert.InDelta(t, w.MeanAbsDeviation, got[i].MeanAbsDeviation, 1e-9)
				assert.InDelta(t, w.Within5, got[i].Within5, 1e-9)
			}
		})
	}
}

func TestConsensusAndCriterionDeviations(t *testing.T) {
	sc := supportCall()
	// Three reviewers score interaction "c-1"; the consensus is the reference.
	sheets := map[string][]Answer{
		"ann": {{"greeting", v(1)}, {"verification", v(4)}, {"answer", v(5)}, {"process", v(3)}, {"data", v(1)}, {"disclosure", v(1)}},
		"bob": {{"greeting", v(1)}, {"verification", v(2)}, {"answer", v(5)}, {"process", nil}, {"data", v(1)}, {"disclosure", v(1)}},
		"cid": {{"greeting", v(0)}, {"verification", v(3)}, {"answer", v(5)}, {"process", v(3)}, {"data", v(1)}, {"disclosure", v(1)}},
	}
	var ratings []Rating
	for _, name := range []string{"ann", "bob", "cid"} {
		res, err := Score(sc, sheets[name])
		require.NoError(t, err)
		ratings = append(ratings, RatingsFromResult(name, "c-1", res)...)
	}
	require.Len(t, ratings, 3*7)

	ref := Consensus(ratings)
	cases := []struct {
		item string
		want float64
	}{
		{"c-1/verification", (75 + 25 + 50) / 3.0},
		{"c-1/greeting", 200 / 3.0},
		{"c-1/process", 200 / 3.0}, // bob's N/A is left out: (66.67 + 66.67) / 2
		{"c-1/answer", 100},
	}
	for _, c := range cases {
		t.Run(c.item, func(t *testing.T) {
			assert.InDelta(t, c.want, ref[c.item], 0.01)
		})
	}
	_, hasTotal := ref["c-1"]
	assert.True(t, hasTotal)

	byCrit := DeviationsByCriterion(ratings, ref)
	assert.NotContains(t, byCrit, "", "the total is not a criterion")
	require.Len(t, byCrit["verification"], 3)
	assert.Equal(t, "bob", byCrit["verification"][1].Reviewer)
	assert.InDelta(t, -25.0, byCrit["verification"][1].MeanDeviation, 1e-9)
	require.Len(t, byCrit["process"], 2, "bob rated process N/A")
	assert.InDelta(t, 200.0/3, byCrit["greeting"][2].MeanAbsDeviation, 0.01, "cid said no where the others said yes")

	// Consensus of an empty and an all-N/A item.
	assert.Empty(t, Consensus([]Rating{{"ann", "x", nil}}))
}

func TestSplitItem(t *testing.T) {
	cases := []struct{ item, id, crit string }{
		{"c-1", "c-1", ""},
		{"c-1/greeting", "c-1", "greeting"},
		{"tenant/c-1/greeting", "tenant/c-1", "greeting"},
	}
	for _, c := range cases {
		id, crit := SplitItem(c.item)
		assert.Equal(t, c.id, id, c.item)
		assert.Equal(t, c.crit, crit, c.item)
	}
	assert.Equal(t, "c-1/greeting", CriterionItem("c-1", "greeting"))
}

// BenchmarkKrippendorffAlpha: 50 reviewers x 200 items, totals with 2 decimals, 5% missing.
func BenchmarkKrippendorffAlpha(b *testing.B) {
	rng := rand.New(rand.NewPCG(42, 7))
	var ratings []Rating
	for u := 0; u < 200; u++ {
		truth := 40 + 60*rng.Float64()
		for r := 0; r < 50; r++ {
			rt := Rating{Reviewer: fmt.Sprintf("r%02d", r), Item: fmt.Sprintf("i%03d", u)}
			if rng.Float64() >= 0.05 {
				x := math.Round(math.Min(100, math.Max(0, truth+rng.NormFloat64()*8))*100) / 100
				rt.Value = &x
			}
			ratings = append(ratings, rt)
		}
	}
	for _, level := range []Level{Nominal, Ordinal, Interval} {
		b.Run(level.String(), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := KrippendorffAlpha(ratings, level); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
