package roster

import "time"

// WholeWeeks is the period that holds, on every one of zones' clocks, the
// weeks local weeks from 00:00 of day's date (read as a calendar date, in
// whatever zone day carries): from the earliest of those midnights to the
// latest of their ends. Planned over it, every agent in those zones has his
// weeks whole on his own clock, so his contract's weekly minimum applies
// whole instead of pro rata, and each queue can ask for its own weeks whole
// (OwnWeeks). The edges hold pieces of the neighbouring weeks of the zones
// furthest apart (under a day each, for zones less than a day apart): those
// belong to the neighbouring plans, and an agent's minimum there is
// PlanWeekMinimum's share of the whole dates it holds (none, for a piece of
// less than a day).
//
// With step > 0 the period is widened to whole steps of the grid that
// starts at day itself (the plan's midnight, where its requirements lie):
// a zone whose offset is off that grid (Kathmandu's +5:45 on a 30-minute
// grid) then still has its weeks whole, inside a period whose intervals
// meet the requirements' own.
func WholeWeeks(day time.Time, weeks int, step time.Duration, zones []*time.Location) (start, end time.Time) {
	for _, loc := range zones {
		if loc == nil {
			continue
		}
		s := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
		e := s.AddDate(0, 0, 7*weeks)
		if start.IsZero() || s.Before(start) {
			start = s
		}
		if end.IsZero() || e.After(end) {
			end = e
		}
	}
	if step > 0 && !start.IsZero() {
		start = day.Add(floorSteps(start.Sub(day), step))
		end = day.Add(-floorSteps(day.Sub(end), step))
	}
	return start, end
}

// floorSteps is d rounded down to a whole number of steps.
func floorSteps(d, step time.Duration) time.Duration {
	r := d % step
	if r < 0 {
		r += step
	}
	return d - r
}

// OwnWeeks zeroes the requirement of each queue outside its own weeks: the
// weeks local weeks from 00:00 of day's date on the queue's clock
// (QueueLocations, or the plan's Location). In a WholeWeeks period every
// queue then asks for exactly its own weeks, and the pieces of the
// neighbouring weeks at the edges are left to the neighbouring plans.
func (p *Problem) OwnWeeks(day time.Time, weeks int) {
	for q := range p.Required {
		loc := p.Location
		if q < len(p.QueueLocations) && p.QueueLocations[q] != nil {
			loc = p.QueueLocations[q]
		}
		from := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
		to := from.AddDate(0, 0, 7*weeks)
		for i := range p.Required[q] {
			at := p.Start.Add(time.Duration(i) * p.Step)
			if at.Before(from) || !at.Before(to) {
				p.Required[q][i] = 0
			}
		}
	}
}
