package forecasting

import (
	"fmt"
	"math"
	"time"
)

// Plausible ranges of one history interval. A value outside them is a unit or
// export mistake (seconds for contacts, a spreadsheet's overflow), and stored it
// would wreck every forecast and chart of its queue, so imports reject it.
const (
	// MaxContactsPerInterval bounds one interval's contacts: the largest
	// centers take a few thousand contacts in 15 minutes on one queue.
	MaxContactsPerInterval = 100_000
	// MaxAHTSeconds bounds an average handle time: one working day.
	MaxAHTSeconds = 86_400
	// MaxHistoryLead is how far past the import's clock an interval may start:
	// one day, for sources whose clocks run ahead or that stamp the interval's end.
	MaxHistoryLead = 24 * time.Hour
)

// HistoryFloor is the earliest interval start accepted: a mistyped year (0026,
// 1926) lands before it, while real archives (such as 2003's bank call
// center data) stay importable.
var HistoryFloor = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// ContactsProblem says why c is not a plausible number of contacts for one
// interval, or "" when it is.
func ContactsProblem(c float64) string {
	if math.IsNaN(c) || math.IsInf(c, 0) || c < 0 || c > MaxContactsPerInterval {
		return fmt.Sprintf("%v is not a number of contacts from 0 to %d", c, MaxContactsPerInterval)
	}
	return ""
}

// AHTProblem says why a is not a plausible average handle time in seconds, or
// "" when it is.
func AHTProblem(a float64) string {
	if math.IsNaN(a) || math.IsInf(a, 0) || a < 0 || a > MaxAHTSeconds {
		return fmt.Sprintf("%v is not a handle time in seconds from 0 to %d", a, MaxAHTSeconds)
	}
	return ""
}

// StartProblem says why an interval starting at start cannot be history
// imported at now (before HistoryFloor or more than MaxHistoryLead ahead), or
// "" when it can.
func StartProblem(start, now time.Time) string {
	switch {
	case start.Before(HistoryFloor):
		return fmt.Sprintf("%s is before 2000-01-01; history that old is not accepted", start.Format(time.RFC3339))
	case start.After(now.Add(MaxHistoryLead)):
		return fmt.Sprintf("%s is in the future; history records what has happened", start.Format(time.RFC3339))
	}
	return ""
}

// CheckStarts lists the records that start outside the accepted window at now,
// by line.
func CheckStarts(recs []Record, now time.Time) InputErrors {
	var errs InputErrors
	for _, r := range recs {
		if p := StartProblem(r.Start, now); p != "" {
			errs = append(errs, &InputError{Line: r.Line, Field: "timestamp", Reason: p})
		}
	}
	return errs
}
