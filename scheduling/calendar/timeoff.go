package calendar

import (
	"fmt"
	"time"
)

// TimeOffStatus is where a time-off request stands.
type TimeOffStatus string

const (
	TimeOffPending   TimeOffStatus = "pending"
	TimeOffApproved  TimeOffStatus = "approved"
	TimeOffDenied    TimeOffStatus = "denied"
	TimeOffCancelled TimeOffStatus = "cancelled"
)

// TimeOff is an agent's request to be off between two instants.
type TimeOff struct {
	ID           int64         `json:"id"`
	AgentID      int64         `json:"agent_id"`
	Start        time.Time     `json:"start"`
	End          time.Time     `json:"end"`
	FullDays     bool          `json:"full_days"`
	Reason       string        `json:"reason"`
	Status       TimeOffStatus `json:"status"`
	CreatedByID  int64         `json:"created_by_id"`
	CreatedAt    time.Time     `json:"created_at"`
	DecidedByID  *int64        `json:"decided_by_id"`
	DecidedAt    *time.Time    `json:"decided_at"`
	DecisionNote string        `json:"decision_note"`
	Version      int           `json:"version"`
}

// TimeOffSpan turns a request into instants. Full days run from local midnight
// of the first date to local midnight after the last date, so a day off on a
// DST day is 23 or 25 hours long. Partial requests take two local clock times
// on one date. Returns an error naming the bad field.
func TimeOffSpan(loc *time.Location, firstDate, lastDate, fromClock, toClock string) (start, end time.Time, field string, err error) {
	d1, err := time.ParseInLocation(time.DateOnly, firstDate, loc)
	if err != nil {
		return start, end, "first_date", fmt.Errorf("must be a date like 2026-07-01, got %q", firstDate)
	}
	if fromClock == "" && toClock == "" {
		d2 := d1
		if lastDate != "" {
			if d2, err = time.ParseInLocation(time.DateOnly, lastDate, loc); err != nil {
				return start, end, "last_date", fmt.Errorf("must be a date like 2026-07-03, got %q", lastDate)
			}
		}
		if d2.Before(d1) {
			return start, end, "last_date", fmt.Errorf("is before the first day")
		}
		if d2.Sub(d1) > 366*24*time.Hour {
			return start, end, "last_date", fmt.Errorf("a request covers at most a year")
		}
		end = time.Date(d2.Year(), d2.Month(), d2.Day()+1, 0, 0, 0, 0, loc)
		return d1, end, "", nil
	}
	if lastDate != "" && lastDate != firstDate {
		return start, end, "last_date", fmt.Errorf("part of a day covers one date; leave the last day empty")
	}
	from, err1 := time.Parse("15:04", fromClock)
	to, err2 := time.Parse("15:04", toClock)
	if err1 != nil {
		return start, end, "from", fmt.Errorf("must be a clock time like 09:30, got %q", fromClock)
	}
	if err2 != nil {
		return start, end, "to", fmt.Errorf("must be a clock time like 13:00, got %q", toClock)
	}
	start = time.Date(d1.Year(), d1.Month(), d1.Day(), from.Hour(), from.Minute(), 0, 0, loc)
	end = time.Date(d1.Year(), d1.Month(), d1.Day(), to.Hour(), to.Minute(), 0, 0, loc)
	if !end.After(start) {
		return start, end, "to", fmt.Errorf("must be after the start time")
	}
	return start, end, "", nil
}

// Decide moves a pending request to approved or denied. Returns an error if
// the request is not pending or the decision is not one of those two.
func Decide(r TimeOff, approve bool, by int64, at time.Time, note string) (TimeOff, error) {
	if r.Status != TimeOffPending {
		return r, fmt.Errorf("the request is %s; only pending requests can be decided", r.Status)
	}
	r.Status = TimeOffDenied
	if approve {
		r.Status = TimeOffApproved
	}
	r.DecidedByID, r.DecidedAt, r.DecisionNote = &by, &at, note
	return r, nil
}

// Cancel withdraws a pending or approved request that has not started yet.
func Cancel(r TimeOff, at time.Time) (TimeOff, error) {
	if r.Status != TimeOffPending && r.Status != TimeOffApproved {
		return r, fmt.Errorf("the request is %s and cannot be cancelled", r.Status)
	}
	if !r.Start.After(at) {
		return r, fmt.Errorf("the time off has already started; ask your supervisor")
	}
	r.Status = TimeOffCancelled
	return r, nil
}

// Conflicts returns the shifts that overlap the request.
func Conflicts(r TimeOff, shifts []Shift) []Shift {
	var out []Shift
	for _, s := range shifts {
		if s.AgentID == r.AgentID && s.Start.Before(r.End) && r.Start.Before(s.End) {
			out = append(out, s)
		}
	}
	return out
}
