package plancheck

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkCheck2000Agents4Weeks checks the size of the largest roster the
// issue asks for: 2,000 agents in three zones over four weeks, five FT8
// shifts a week each (40,000 shifts), with availability, a day of time off
// and a week of published shifts before the period.
func BenchmarkCheck2000Agents4Weeks(b *testing.B) {
	ny, _ := time.LoadLocation("America/New_York")
	zones := []*time.Location{berlin, seoul, ny}
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, ny)
	in := Input{Location: ny, Start: start, End: start.AddDate(0, 0, 28), WholeShifts: true,
		Templates: []Template{ft8()}, Queues: []Queue{{Name: "voice", MinLevel: 2}}}
	for k := 0; k < 2000; k++ {
		loc := zones[k%3]
		a := agent(fmt.Sprintf("a%d", k), loc)
		a.MinWeekHours = 32
		a.Availability = weekdays(6*60, 20*60)
		first := time.Date(2026, 3, 3, 0, 0, 0, 0, loc) // the first whole local Tuesday
		a.TimeOff = []Span{{first.AddDate(0, 0, 20), first.AddDate(0, 0, 21)}}
		for d := -7; d < 0; d++ {
			if (d+7)%7 < 5 {
				a.Published = append(a.Published, shift(a.ID, loc, 2026, 3, 3+d, 8, 0))
			}
		}
		in.Agents = append(in.Agents, a)
		for w := 0; w < 4; w++ {
			for d := 0; d < 5; d++ {
				in.Shifts = append(in.Shifts, shift(a.ID, loc, 2026, 3, 3+7*w+d, 8, 0))
			}
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		bs := Check(in)
		b.ReportMetric(float64(len(bs)), "breaches")
	}
}

// BenchmarkCoverage2000Agents4Weeks recounts the cover of the same size of
// roster: 40,000 FT8 shifts on one queue against four weeks of 15-minute
// requirements (2,688 intervals).
func BenchmarkCoverage2000Agents4Weeks(b *testing.B) {
	ny, _ := time.LoadLocation("America/New_York")
	zones := []*time.Location{berlin, seoul, ny}
	var shifts []Shift
	for k := 0; k < 2000; k++ {
		loc := zones[k%3]
		for w := 0; w < 4; w++ {
			for d := 0; d < 5; d++ {
				shifts = append(shifts, shift(fmt.Sprintf("a%d", k), loc, 2026, 3, 3+7*w+d, 8, 0))
			}
		}
	}
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, ny)
	var reqs []Requirement
	for at := start; at.Before(start.AddDate(0, 0, 28)); at = at.Add(15 * time.Minute) {
		reqs = append(reqs, Requirement{Queue: "voice", Start: at, End: at.Add(15 * time.Minute), Staff: 400})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := Coverage(shifts, reqs)
		b.ReportMetric(c[0].CoveredHours, "covered-h")
	}
}
