package qa

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
)

// Rating is one reviewer's value for one item in a calibration session. Item is an
// interaction id (for the total score) or "interactionID/criterionKey" (for one criterion,
// see CriterionItem); a nil Value is missing or N/A.
type Rating struct {
	Reviewer string   `json:"reviewer"`
	Item     string   `json:"item"`
	Value    *float64 `json:"value"`
}

// CriterionItem returns the item key of one criterion of one interaction.
func CriterionItem(interactionID, criterion string) string {
	return interactionID + "/" + criterion
}

// SplitItem splits an item key into its interaction id and criterion key; the criterion is
// "" for a whole-interaction item. The split is at the last "/", since criterion keys have
// no "/" (see Scorecard.Validate) while interaction ids may.
func SplitItem(item string) (interactionID, criterion string) {
	i := strings.LastIndexByte(item, '/')
	if i < 0 {
		return item, ""
	}
	return item[:i], item[i+1:]
}

// RatingsFromResult turns one reviewer's scored evaluation of an interaction into ratings:
// the total under the interaction id and each criterion score (0-100, nil for N/A) under
// CriterionItem. Using scores rather than raw scale values puts every criterion on the same
// 0-100 scale, which Deviations' "within 5 points" needs.
func RatingsFromResult(reviewer, interactionID string, res Result) []Rating {
	out := []Rating{{Reviewer: reviewer, Item: interactionID, Value: copyFloat(res.Total)}}
	for _, s := range res.Sections {
		for _, c := range s.Criteria {
			out = append(out, Rating{Reviewer: reviewer, Item: CriterionItem(interactionID, c.Key), Value: copyFloat(c.Score)})
		}
	}
	return out
}

// Level is the level of measurement Krippendorff's alpha compares values at.
type Level int

const (
	// Nominal: values are categories; any two different values disagree equally.
	Nominal Level = iota
	// Ordinal: values are ranked; disagreement grows with how many pairable values lie between them.
	Ordinal
	// Interval: disagreement is the squared difference of the values.
	Interval
)

func (l Level) String() string {
	switch l {
	case Nominal:
		return "nominal"
	case Ordinal:
		return "ordinal"
	case Interval:
		return "interval"
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// Calibration errors, wrapped with details by KrippendorffAlpha.
var (
	// ErrNoPairableItems: no item has values from at least two reviewers.
	ErrNoPairableItems = errors.New("no item was rated by two or more reviewers")
	// ErrNoVariation: every pairable value is the same, so the expected disagreement is 0
	// and alpha is 0/0. Reviewers agreed perfectly, but on data that cannot show otherwise.
	ErrNoVariation = errors.New("all pairable values are equal, alpha is undefined")
)

// KrippendorffAlpha returns Krippendorff's alpha for the ratings at the given level, as
// defined by the coincidence matrix in Krippendorff (2011), "Computing Krippendorff's
// Alpha-Reliability": alpha = 1 - D_o / D_e, with
//
//	o_ck = sum over items u of (number of c-k pairs of values in u) / (m_u - 1)
//	n_c  = sum_k o_ck,   n = sum_c n_c
//	D_o  = 1/n            sum_c sum_k o_ck    delta²_ck
//	D_e  = 1/(n (n - 1))  sum_c sum_k n_c n_k delta²_ck
//
// where m_u is the number of values of item u. Nil values are ignored; items with fewer than
// 2 values are not pairable and are dropped. delta² is 1 for c != k (Nominal), (c - k)²
// (Interval), and (sum of n_g for g from c to k - (n_c + n_k)/2)² (Ordinal). It runs in
// O(N log N) for N ratings, without building the matrix: the interval sums are computed
// from per-item variances, and the ordinal metric equals the interval metric on the values'
// mid-ranks among the pairable values.
//
// Errors: a plain error when a reviewer rated an item twice, a value is NaN or infinite, or
// the level is unknown; ErrNoPairableItems (wrapped) when no item is pairable; ErrNoVariation
// (wrapped) when the expected disagreement is 0. With an error the value returned is NaN,
// which must not be stored or serialized (encoding/json rejects it).
func KrippendorffAlpha(ratings []Rating, level Level) (float64, error) {
	if level != Nominal && level != Ordinal && level != Interval {
		return math.NaN(), fmt.Errorf("krippendorff alpha: unknown level %v", level)
	}
	units, err := pairableUnits(ratings)
	if err != nil {
		return math.NaN(), err
	}
	if len(units) == 0 {
		return math.NaN(), fmt.Errorf("krippendorff alpha: %w (%d ratings)", ErrNoPairableItems, len(ratings))
	}
	var observed, expected float64 // both scaled by the same factor: alpha = 1 - (n-1) * observed / expected
	var n float64
	switch level {
	case Nominal:
		observed, expected, n = nominalSums(units)
	case Interval:
		observed, expected, n = intervalSums(units)
	case Ordinal:
		observed, expected, n = intervalSums(midRanks(units))
	}
	if expected == 0 {
		return math.NaN(), fmt.Errorf("krippendorff alpha (%s): %w (%d pairable items)", level, ErrNoVariation, len(units))
	}
	return 1 - (n-1)*observed/expected, nil
}

// pairableUnits groups the non-nil values by item, in item order, keeping items with at
// least two values.
func pairableUnits(ratings []Rating) ([][]float64, error) {
	byItem := map[string][]float64{}
	type key struct{ reviewer, item string }
	seen := make(map[key]bool, len(ratings))
	for i, r := range ratings {
		k := key{r.Reviewer, r.Item}
		if seen[k] {
			return nil, fmt.Errorf("krippendorff alpha: ratings[%d]: reviewer %q rated item %q twice", i, r.Reviewer, r.Item)
		}
		seen[k] = true
		if r.Value == nil {
			continue
		}
		if math.IsNaN(*r.Value) || math.IsInf(*r.Value, 0) {
			return nil, fmt.Errorf("krippendorff alpha: ratings[%d]: value of reviewer %q for item %q is %v", i, r.Reviewer, r.Item, *r.Value)
		}
		byItem[r.Item] = append(byItem[r.Item], *r.Value)
	}
	items := make([]string, 0, len(byItem))
	for it, vals := range byItem {
		if len(vals) >= 2 {
			items = append(items, it)
		}
	}
	sort.Strings(items) // a fixed summation order: the same result whatever the input order
	units := make([][]float64, len(items))
	for i, it := range items {
		units[i] = byItem[it]
		sort.Float64s(units[i])
	}
	return units, nil
}

// nominalSums returns sum_c sum_k o_ck delta²_ck, sum_c sum_k n_c n_k delta²_ck and n for
// the nominal metric: within an item with value counts n_uc, the c != k pairs number
// m_u² - sum_c n_uc².
func nominalSums(units [][]float64) (observed, expected, n float64) {
	total := map[float64]float64{}
	for _, u := range units {
		m := float64(len(u))
		var same float64
		for i := 0; i < len(u); { // u is sorted: equal values are adjacent
			j := i
			for j < len(u) && u[j] == u[i] {
				j++
			}
			c := float64(j - i)
			same += c * c
			total[u[i]] += c
			i = j
		}
		observed += (m*m - same) / (m - 1)
		n += m
	}
	var sq float64
	for _, c := range total {
		sq += c * c
	}
	return observed, n*n - sq, n
}

// intervalSums returns the sums of nominalSums for the interval metric. Over the values x_i
// of an item, sum_{i,j} (x_i - x_j)² = 2 m sum_i (x_i - mean)², and likewise over all n
// pairable values for the expected disagreement; the common factor 2 cancels.
func intervalSums(units [][]float64) (observed, expected, n float64) {
	var sum float64
	for _, u := range units {
		m := float64(len(u))
		observed += m * sumSquares(u) / (m - 1)
		n += m
		for _, x := range u {
			sum += x
		}
	}
	mean := sum / n
	var ss float64
	for _, u := range units {
		for _, x := range u {
			ss += (x - mean) * (x - mean)
		}
	}
	return observed, n * ss, n
}

// sumSquares returns the sum of squared deviations from the mean of u.
func sumSquares(u []float64) float64 {
	var s float64
	for _, x := range u {
		s += x
	}
	mean := s / float64(len(u))
	var ss float64
	for _, x := range u {
		ss += (x - mean) * (x - mean)
	}
	return ss
}

// midRanks replaces each value by its mid-rank among all pairable values, r_c = sum of n_g
// for g < c + n_c/2. For c < k, r_k - r_c = sum of n_g for g from c to k - (n_c + n_k)/2,
// which is Krippendorff's ordinal delta, so ordinal alpha is interval alpha on mid-ranks.
func midRanks(units [][]float64) [][]float64 {
	counts := map[float64]float64{}
	for _, u := range units {
		for _, x := range u {
			counts[x]++
		}
	}
	values := make([]float64, 0, len(counts))
	for x := range counts {
		values = append(values, x)
	}
	sort.Float64s(values)
	rank := make(map[float64]float64, len(values))
	var below float64
	for _, x := range values {
		rank[x] = below + counts[x]/2
		below += counts[x]
	}
	out := make([][]float64, len(units))
	for i, u := range units {
		out[i] = make([]float64, len(u))
		for j, x := range u {
			out[i][j] = rank[x]
		}
	}
	return out
}

// Deviation summarizes how far one reviewer's ratings are from the reference values.
type Deviation struct {
	Reviewer string `json:"reviewer"`
	// N is the number of the reviewer's ratings compared: non-nil values of items that
	// have a reference value.
	N int `json:"n"`
	// MeanDeviation is the mean of value - reference: positive means the reviewer scores
	// higher (more lenient) than the reference.
	MeanDeviation float64 `json:"mean_deviation"`
	// MeanAbsDeviation is the mean of |value - reference|.
	MeanAbsDeviation float64 `json:"mean_abs_deviation"`
	// Within5 is the percentage (0-100) of compared ratings with |value - reference| <= 5
	// points (with a tolerance of 1e-9 for floating-point noise).
	Within5 float64 `json:"within5"`
}

// Deviations compares each reviewer's ratings with reference (item -> reference value, from
// the calibrator's ratings or Consensus) and returns one Deviation per reviewer with at least
// one compared rating, sorted by reviewer. Ratings with a nil value, with a NaN or infinite
// value, or of an item without a reference value are not compared. For per-criterion
// deviations pass criterion items (see CriterionItem, RatingsFromResult), or use
// DeviationsByCriterion.
func Deviations(scores []Rating, reference map[string]float64) []Deviation {
	type acc struct {
		n              int
		sum, abs, near float64
	}
	by := map[string]*acc{}
	for _, r := range scores {
		ref, ok := reference[r.Item]
		if !ok || r.Value == nil || math.IsNaN(*r.Value) || math.IsInf(*r.Value, 0) || math.IsNaN(ref) || math.IsInf(ref, 0) {
			continue
		}
		a := by[r.Reviewer]
		if a == nil {
			a = &acc{}
			by[r.Reviewer] = a
		}
		d := *r.Value - ref
		a.n++
		a.sum += d
		a.abs += math.Abs(d)
		if math.Abs(d) <= 5+1e-9 {
			a.near++
		}
	}
	out := make([]Deviation, 0, len(by))
	for _, name := range sortedKeys(by) {
		a := by[name]
		n := float64(a.n)
		out = append(out, Deviation{Reviewer: name, N: a.n, MeanDeviation: a.sum / n, MeanAbsDeviation: a.abs / n, Within5: 100 * a.near / n})
	}
	return out
}

// DeviationsByCriterion returns Deviations per criterion key: the ratings of criterion items
// (see CriterionItem) are grouped by their criterion and compared with reference.
// Whole-interaction items are left out.
func DeviationsByCriterion(scores []Rating, reference map[string]float64) map[string][]Deviation {
	groups := map[string][]Rating{}
	for _, r := range scores {
		if _, c := SplitItem(r.Item); c != "" {
			groups[c] = append(groups[c], r)
		}
	}
	out := make(map[string][]Deviation, len(groups))
	for c, rs := range groups {
		if d := Deviations(rs, reference); len(d) > 0 {
			out[c] = d
		}
	}
	return out
}

// Consensus returns the mean of the non-nil, finite values of each item: the reference for
// Deviations when a calibration session names no calibrator. Items without such a value are
// absent from the map.
func Consensus(ratings []Rating) map[string]float64 {
	values := map[string][]float64{}
	for _, r := range ratings {
		if r.Value == nil || math.IsNaN(*r.Value) || math.IsInf(*r.Value, 0) {
			continue
		}
		values[r.Item] = append(values[r.Item], *r.Value)
	}
	out := make(map[string]float64, len(values))
	for it, vs := range values {
		sort.Float64s(vs) // the same sum, to the last bit, whatever the input order
		var s float64
		for _, x := range vs {
			s += x
		}
		out[it] = s / float64(len(vs))
	}
	return out
}

func copyFloat(p *float64) *float64 {
	if p == nil {
		return nil
	}
	x := *p
	return &x
}
