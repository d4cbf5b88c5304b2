// Package qa is Peakwise's quality monitoring domain: scorecards and the one
// scoring formula, calibration statistics, survey and handling metrics, review
// sampling, and the evaluation, dispute and coaching workflows. It is pure: no
// database, no clock (instants are passed in).
package qa

import (
	"fmt"
	"regexp"
	"strings"
)

// Scale is how a criterion is rated.
type Scale string

const (
	YesNo   Scale = "yes_no" // 0 = no, 1 = yes
	Points3 Scale = "1-3"
	Points4 Scale = "1-4"
	Points5 Scale = "1-5"
)

// Bounds returns the lowest and highest value of the scale, and false for an unknown scale.
func (s Scale) Bounds() (lo, hi int, ok bool) {
	switch s {
	case YesNo:
		return 0, 1, true
	case Points3:
		return 1, 3, true
	case Points4:
		return 1, 4, true
	case Points5:
		return 1, 5, true
	}
	return 0, 0, false
}

// Criterion is one thing a reviewer rates.
type Criterion struct {
	Key      string `json:"key"` // stable across versions, for trends per criterion
	Title    string `json:"title"`
	Guidance string `json:"guidance"`
	Weight   int    `json:"weight"` // 0 means shown but not counted
	Scale    Scale  `json:"scale"`
	AllowNA  bool   `json:"allow_na"`
	// Critical: a fail zeroes the whole evaluation. AutoFail: a fail makes the
	// outcome Fail (and zeroes the score when the scorecard says so). A
	// criterion fails when rated at its scale's lowest value ("no" on yes/no).
	Critical bool `json:"critical"`
	AutoFail bool `json:"auto_fail"`
}

// Section groups criteria and has its own weight.
type Section struct {
	Key      string      `json:"key"`
	Title    string      `json:"title"`
	Weight   int         `json:"weight"`
	Criteria []Criterion `json:"criteria"`
}

// Scorecard is one version of a scorecard.
type Scorecard struct {
	ID int64 `json:"id"`
	// FamilyID is the id of the scorecard's first version; all its versions share it.
	FamilyID int64     `json:"family_id"`
	Name     string    `json:"name"`
	Version  int       `json:"version"`
	Sections []Section `json:"sections"`
	// PassThreshold is the lowest passing total, in points out of 100.
	PassThreshold int `json:"pass_threshold"`
	// AutoFailZeroes says whether an auto-fail also sets the score to 0.
	AutoFailZeroes bool `json:"auto_fail_zeroes"`
	Archived       bool `json:"archived"`
	// Latest is false on versions an edit has superseded.
	Latest bool `json:"latest"`
	// Revision counts saves of this record, for optimistic concurrency (If-Match).
	Revision int `json:"revision"`
}

// MaxWeight bounds weights so sums stay small and exact.
const MaxWeight = 1000

var keyPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// FieldError names a bad field of a scorecard or an answer sheet.
type FieldError struct {
	Field  string
	Reason string
}

// FieldErrors lists every problem found.
type FieldErrors []FieldError

func (fe FieldErrors) Error() string {
	parts := make([]string, len(fe))
	for i, e := range fe {
		parts[i] = e.Field + ": " + e.Reason
	}
	return strings.Join(parts, "; ")
}

// Validate lists every problem with the scorecard: names, keys (unique),
// weights (0 to 1000, at least one counting criterion), scales and the threshold.
func (sc Scorecard) Validate() error {
	var errs FieldErrors
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{field, fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(sc.Name) == "" {
		add("name", "is required")
	}
	if sc.PassThreshold < 0 || sc.PassThreshold > 100 {
		add("pass_threshold", "must be between 0 and 100, got %d", sc.PassThreshold)
	}
	if len(sc.Sections) == 0 {
		add("sections", "a scorecard needs at least one section")
	}
	sectionKeys, criterionKeys := map[string]bool{}, map[string]bool{}
	counting := false
	for i, s := range sc.Sections {
		sf := fmt.Sprintf("sections[%d]", i)
		if !keyPattern.MatchString(s.Key) {
			add(sf+".key", "must be 1-64 lower-case letters, digits, '-' or '_'")
		} else if sectionKeys[s.Key] {
			add(sf+".key", "duplicate section key %q", s.Key)
		}
		sectionKeys[s.Key] = true
		if strings.TrimSpace(s.Title) == "" {
			add(sf+".title", "is required")
		}
		if s.Weight < 0 || s.Weight > MaxWeight {
			add(sf+".weight", "must be between 0 and %d", MaxWeight)
		}
		if len(s.Criteria) == 0 {
			add(sf+".criteria", "a section needs at least one criterion")
		}
		for j, c := range s.Criteria {
			cf := fmt.Sprintf("%s.criteria[%d]", sf, j)
			if !keyPattern.MatchString(c.Key) {
				add(cf+".key", "must be 1-64 lower-case letters, digits, '-' or '_'")
			} else if criterionKeys[c.Key] {
				add(cf+".key", "duplicate criterion key %q", c.Key)
			}
			criterionKeys[c.Key] = true
			if strings.TrimSpace(c.Title) == "" {
				add(cf+".title", "is required")
			}
			if c.Weight < 0 || c.Weight > MaxWeight {
				add(cf+".weight", "must be between 0 and %d", MaxWeight)
			}
			if _, _, ok := c.Scale.Bounds(); !ok {
				add(cf+".scale", "must be yes_no, 1-3, 1-4 or 1-5")
			}
			if s.Weight > 0 && c.Weight > 0 {
				counting = true
			}
		}
	}
	if len(sc.Sections) > 0 && !counting {
		add("sections", "no criterion counts: give at least one criterion and its section a weight above 0")
	}
	if errs != nil {
		return errs
	}
	return nil
}

// NextVersion returns the version an edit of sc must be saved as: the same
// version while nobody has scored on it, a new one (with a new id assigned by
// the store) once evaluations exist, so each evaluation keeps the version it
// was scored on.
func NextVersion(sc Scorecard, hasEvaluations bool) (version int, newRecord bool) {
	if hasEvaluations {
		return sc.Version + 1, true
	}
	return sc.Version, false
}
