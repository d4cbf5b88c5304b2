package qa

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
)

// Answer rates one criterion; a nil Value means N/A.
type Answer struct {
	Criterion string `json:"criterion"`
	Value     *int   `json:"value"`
}

// Outcome is an evaluation's verdict.
type Outcome string

const (
	Pass      Outcome = "pass"
	Fail      Outcome = "fail"
	NotScored Outcome = "not_scored" // every counting criterion was N/A, and nothing failed
)

// CriterionResult is one criterion's part of the score.
type CriterionResult struct {
	Key    string   `json:"key"`
	Value  *int     `json:"value"`
	Score  *float64 `json:"score"` // 0-100, rounded to 2 decimals; nil for N/A
	Failed bool     `json:"failed"`
}

// SectionResult is one section's score.
type SectionResult struct {
	Key      string            `json:"key"`
	Score    *float64          `json:"score"` // nil when no counting criterion was rated
	Criteria []CriterionResult `json:"criteria"`
}

// Result is an evaluation's score.
type Result struct {
	Total          *float64        `json:"total"` // 0-100, rounded half up to 2 decimals; nil when not scored
	Outcome        Outcome         `json:"outcome"`
	CriticalFailed []string        `json:"critical_failed"`
	AutoFailed     []string        `json:"auto_failed"`
	Sections       []SectionResult `json:"sections"`
}

// Score applies the one scoring formula (docs/qa-scoring.md):
//
//	criterion = (value - min) / (max - min) x 100; N/A criteria are left out
//	section   = weighted mean of its rated criteria (weights > 0)
//	total     = weighted mean of the sections that have a score (weights > 0)
//	a failed critical criterion makes the total 0; outcome Pass when the total
//	reaches the threshold and no auto-fail or critical criterion failed.
//
// It computes with exact rationals and rounds half up to 2 decimals only what
// it reports; the total is computed from unrounded section scores. It returns
// FieldErrors for missing, unknown, out-of-scale or not-allowed N/A answers.
func Score(sc Scorecard, answers []Answer) (Result, error) {
	return Compile(sc).Score(answers)
}

// Compiled is a scorecard prepared for scoring many evaluations.
type Compiled struct {
	sc    Scorecard
	index map[string]int // criterion key -> position in scorecard order
	n     int
}

// Compile prepares sc for Score; sc should be valid (see Validate).
func Compile(sc Scorecard) *Compiled {
	c := &Compiled{sc: sc, index: map[string]int{}}
	for _, s := range sc.Sections {
		for _, cr := range s.Criteria {
			c.index[cr.Key] = c.n
			c.n++
		}
	}
	return c
}

// Score scores one evaluation with the formula documented on the package-level Score.
func (cp *Compiled) Score(answers []Answer) (Result, error) {
	sc := cp.sc
	values := make([]*int, cp.n)
	answered := make([]bool, cp.n)
	var errs FieldErrors
	for i, a := range answers {
		k, ok := cp.index[a.Criterion]
		switch {
		case !ok:
			errs = append(errs, FieldError{fmt.Sprintf("answers[%d]", i), fmt.Sprintf("no criterion %q on this scorecard", a.Criterion)})
		case answered[k]:
			errs = append(errs, FieldError{fmt.Sprintf("answers[%d]", i), fmt.Sprintf("criterion %q is answered twice", a.Criterion)})
		default:
			values[k], answered[k] = a.Value, true
		}
	}
	res := Result{CriticalFailed: []string{}, AutoFailed: []string{}}
	// Criterion scores are kept as exact integers in units of 1/12 of a point:
	// (max - min) is 1, 2, 3 or 4, and 12 is divisible by each. Section sums
	// stay in int64; the weighted mean of sections is an exact fraction too.
	var total fraction
	var weights int64
	nCrit := 0
	for _, s := range sc.Sections {
		nCrit += len(s.Criteria)
	}
	pool := make([]float64, 0, nCrit+len(sc.Sections)) // one allocation for every reported score
	keep := func(x float64) *float64 {
		pool = append(pool, x)
		return &pool[len(pool)-1]
	}
	pos := 0
	res.Sections = make([]SectionResult, 0, len(sc.Sections))
	for _, s := range sc.Sections {
		sr := SectionResult{Key: s.Key, Criteria: make([]CriterionResult, 0, len(s.Criteria))}
		var secNum, secDen int64
		for _, c := range s.Criteria {
			v, ok := values[pos], answered[pos]
			pos++
			lo, hi, _ := c.Scale.Bounds()
			cr := CriterionResult{Key: c.Key, Value: v}
			switch {
			case !ok:
				errs = append(errs, FieldError{"answers." + c.Key, "is missing (rate it, or mark it N/A where allowed)"})
			case v == nil && !c.AllowNA:
				errs = append(errs, FieldError{"answers." + c.Key, "cannot be N/A on this scorecard"})
			case v != nil && (*v < lo || *v > hi):
				errs = append(errs, FieldError{"answers." + c.Key, fmt.Sprintf("must be between %d and %d (%s), got %d", lo, hi, c.Scale, *v)})
			case v != nil:
				twelfths := int64(*v-lo) * 100 * 12 / int64(hi-lo)
				cr.Score = keep(roundFrac(twelfths, 12))
				cr.Failed = *v == lo
				if cr.Failed && c.Critical {
					res.CriticalFailed = append(res.CriticalFailed, c.Key)
				}
				if cr.Failed && c.AutoFail {
					res.AutoFailed = append(res.AutoFailed, c.Key)
				}
				secNum += int64(c.Weight) * twelfths
				secDen += int64(c.Weight)
			}
			sr.Criteria = append(sr.Criteria, cr)
		}
		if secDen > 0 {
			sr.Score = keep(roundFrac(secNum, 12*secDen))
			if s.Weight > 0 {
				total.add(int64(s.Weight)*secNum, secDen)
				weights += int64(s.Weight)
			}
		}
		res.Sections = append(res.Sections, sr)
	}
	if errs != nil {
		return Result{}, errs
	}
	zero := 0.0
	if weights > 0 {
		t := total.value()
		t.Quo(t, big.NewRat(12*weights, 1))
		x := roundBig(t.Num(), t.Denom())
		res.Total = &x
	}
	failed := len(res.CriticalFailed) > 0 || len(res.AutoFailed) > 0
	if len(res.CriticalFailed) > 0 || (len(res.AutoFailed) > 0 && sc.AutoFailZeroes) {
		res.Total = &zero
	}
	switch {
	case failed:
		res.Outcome = Fail
	case res.Total == nil:
		res.Outcome = NotScored
	case *res.Total >= float64(sc.PassThreshold):
		res.Outcome = Pass
	default:
		res.Outcome = Fail
	}
	return res, nil
}

// roundFrac returns num/den rounded half up to 2 decimals (num >= 0, den > 0).
func roundFrac(num, den int64) float64 {
	return float64((2*num*100+den)/(2*den)) / 100
}

// roundBig is roundFrac for big integers.
func roundBig(num, den *big.Int) float64 {
	n := new(big.Int).Mul(num, big.NewInt(200))
	n.Add(n, den)
	n.Quo(n, new(big.Int).Mul(den, big.NewInt(2)))
	return float64(n.Int64()) / 100
}

// fraction is an exact non-negative sum of fractions: int64 while it fits,
// big.Rat once it would overflow (many sections with unrelated weight sums).
type fraction struct {
	num, den int64 // den == 0 means zero so far
	big      *big.Rat
}

func (f *fraction) add(num, den int64) {
	if f.big == nil {
		if f.den == 0 {
			f.num, f.den = num, den
			return
		}
		hi1, n1 := bits.Mul64(uint64(f.num), uint64(den))
		hi2, n2 := bits.Mul64(uint64(num), uint64(f.den))
		hi3, d := bits.Mul64(uint64(f.den), uint64(den))
		sum, carry := bits.Add64(n1, n2, 0)
		if hi1 == 0 && hi2 == 0 && hi3 == 0 && carry == 0 && sum <= math.MaxInt64 && d <= math.MaxInt64 {
			g := gcd(sum, d)
			f.num, f.den = int64(sum/g), int64(d/g)
			return
		}
		f.big = big.NewRat(f.num, f.den)
	}
	f.big.Add(f.big, big.NewRat(num, den))
}

func (f *fraction) value() *big.Rat {
	if f.big != nil {
		return new(big.Rat).Set(f.big)
	}
	if f.den == 0 {
		return new(big.Rat)
	}
	return big.NewRat(f.num, f.den)
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	if a == 0 {
		return 1
	}
	return a
}
