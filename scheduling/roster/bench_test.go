package roster

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peakwise/peakwise/scheduling"
	"github.com/peakwise/peakwise/scheduling/calendar"
)

// benchTemplates are the shifts of the benchmark: a full-time 8.5-hour shift
// (two paid 15-minute breaks and an unpaid 30-minute lunch), a 6-hour one and
// a 4-hour part-time one, on 15-minute intervals.
func benchTemplates(start, end string) scheduling.Templates {
	all := []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	ft := scheduling.Template{Name: "FT8", SpanMin: 510, PaidMin: 480, Start: scheduling.StartWindow{From: scheduling.Clock(start), To: scheduling.Clock(end), StepMin: 30}, Days: all,
		Breaks: []scheduling.BreakRule{
			{Name: "break1", LengthMin: 15, Paid: true, EarliestStart: 90, LatestStart: 150, StepMin: 15},
			{Name: "lunch", LengthMin: 30, Paid: false, EarliestStart: 210, LatestStart: 300, StepMin: 15},
			{Name: "break2", LengthMin: 15, Paid: true, EarliestStart: 360, LatestStart: 450, StepMin: 15}}}
	mid := scheduling.Template{Name: "FT6", SpanMin: 375, PaidMin: 360, Start: scheduling.StartWindow{From: scheduling.Clock(start), To: scheduling.Clock(end), StepMin: 30}, Days: all,
		Breaks: []scheduling.BreakRule{{Name: "lunch", LengthMin: 15, Paid: false, EarliestStart: 150, LatestStart: 240, StepMin: 15}}}
	pt := scheduling.Template{Name: "PT4", SpanMin: 240, PaidMin: 240, Start: scheduling.StartWindow{From: scheduling.Clock(start), To: scheduling.Clock(end), StepMin: 30}, Days: all,
		Breaks: []scheduling.BreakRule{{Name: "break", LengthMin: 15, Paid: true, EarliestStart: 90, LatestStart: 150, StepMin: 15}}}
	return scheduling.Templates{IntervalMin: 15, Templates: []scheduling.Template{ft, mid, pt}}
}

type benchRegion struct {
	zone   string
	queues []string // the region's own queues; "email" is shared by all
	agents int
}

// benchProblem builds the benchmark: agents in three zones (two with DST
// changes inside March 2026, one southern), six queues with a double daily
// peak on their region's clock (10:00 and 15:00, quieter weekends, closed at
// night) and a shared email queue open 07:00-22:00 Berlin time. Staffing is
// sized so the agents can cover it with some slack.
func benchProblem(tb testing.TB, agents, weeks int, seed uint64) Problem {
	rng := rand.New(rand.NewPCG(seed, 1))
	regions := []benchRegion{
		{"Europe/Berlin", []string{"voice_de", "chat_de"}, agents * 36 / 100},
		{"America/New_York", []string{"voice_us", "chat_us"}, agents * 36 / 100},
		{"Australia/Sydney", []string{"voice_au"}, 0},
	}
	regions[2].agents = agents - regions[0].agents - regions[1].agents
	queues := []string{"voice_de", "chat_de", "voice_us", "chat_us", "voice_au", "email"}
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) // four weeks over New York's (8 Mar) and Berlin's (29 Mar) changes
	step := 15 * time.Minute
	n := weeks * 7 * 96
	p := Problem{Start: start, Step: step, Location: time.UTC, Queues: queues, Required: make([][]float64, len(queues)),
		Templates: benchTemplates("06:00", "15:00"), Seed: seed}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	homeOf := map[string]*time.Location{"email": berlin}
	scale := map[string]float64{"email": float64(agents) / 100 * 1.2}
	for _, r := range regions {
		loc, err := time.LoadLocation(r.zone)
		if err != nil {
			tb.Fatal(err)
		}
		for k, q := range r.queues {
			homeOf[q] = loc
			// Voice carries more than chat; the Sydney region has one queue.
			scale[q] = float64(r.agents) / 100 * []float64{2.6, 1.4}[k]
			if len(r.queues) == 1 {
				scale[q] = float64(r.agents) / 100 * 3.4
			}
		}
	}
	for qi, q := range queues {
		p.Required[qi] = make([]float64, n)
		for i := range n {
			l := start.Add(time.Duration(i) * step).In(homeOf[q])
			h := float64(l.Hour()) + float64(l.Minute())/60
			if h < 7 || h >= 21 || (q == "email" && h >= 22) {
				continue
			}
			v := 3 + 14*math.Exp(-math.Pow(h-10, 2)/4) + 11*math.Exp(-math.Pow(h-15, 2)/5)
			if l.Weekday() == time.Saturday || l.Weekday() == time.Sunday {
				v *= 0.6
			}
			p.Required[qi][i] = math.Round(v * scale[q] * 0.55)
		}
	}
	id := 0
	for _, r := range regions {
		loc, _ := time.LoadLocation(r.zone)
		for k := 0; k < r.agents; k++ {
			id++
			a := Agent{ID: fmt.Sprintf("agent%03d@example.com", id), Location: loc, Skills: map[string]int{}}
			// Everyone serves one of the region's queues; many serve both, some email too.
			a.Skills[r.queues[rng.IntN(len(r.queues))]] = 3 + rng.IntN(3)
			for _, q := range r.queues {
				if rng.Float64() < 0.5 {
					a.Skills[q] = 1 + rng.IntN(5)
				}
			}
			if rng.Float64() < 0.3 {
				a.Skills["email"] = 1 + rng.IntN(5)
			}
			if rng.Float64() < 0.7 {
				a.Contract = calendar.Contract{MinWeekHours: 32, MaxWeekHours: 40, MaxShiftsPerWeek: 5, MinRestHours: 11, MaxConsecutiveDays: 6}
				a.Availability = []Window{}
				if rng.Float64() < 0.5 {
					a.Availability, _ = parseAvailability("mon-fri 06:00-20:00;sat 08:00-16:00")
				}
			} else {
				a.Contract = calendar.Contract{MinWeekHours: 12, MaxWeekHours: 24, MaxShiftsPerWeek: 4, MinRestHours: 11, MaxConsecutiveDays: 5}
				a.Availability, _ = parseAvailability([]string{"mon-fri 08:00-15:00;sat,sun 09:00-18:00", "mon-sun 13:00-23:00", "tue-sat 07:00-21:00"}[rng.IntN(3)])
			}
			switch x := rng.Float64(); {
			case x < 0.08: // a week of leave
				d := time.Date(2026, 3, 2+7*rng.IntN(weeks), 0, 0, 0, 0, loc)
				a.TimeOff = []Interval{{d.UTC(), d.AddDate(0, 0, 7).UTC()}}
			case x < 0.2: // a day off
				d := time.Date(2026, 3, 2+rng.IntN(7*weeks), 0, 0, 0, 0, loc)
				a.TimeOff = []Interval{{d.UTC(), d.AddDate(0, 0, 1).UTC()}}
			}
			a.Prefer = []Preference{NoPreference, NoPreference, PreferEarly, PreferLate}[rng.IntN(4)]
			if rng.Float64() < 0.3 {
				a.DaysOff = []time.Weekday{time.Saturday, time.Sunday}
			}
			p.Agents = append(p.Agents, a)
		}
	}
	return p
}

// headcountReference plans the summed requirements in headcount mode with
// scheduling.Generate: the same templates, but free to start at any UTC
// quarter hour, with no agents, contracts, zones or skills. It is the
// relaxation the roster is compared with.
func headcountReference(p Problem, limit time.Duration) scheduling.Report {
	n := len(p.Required[0])
	plan := scheduling.Plan{Location: time.UTC, Start: p.Start, Step: p.Step, Required: make([]float64, n)}
	for q := range p.Queues {
		for i, v := range p.Required[q] {
			plan.Required[i] += v
		}
	}
	ts := benchTemplates("00:00", "23:45")
	for k := range ts.Templates {
		ts.Templates[k].Start.StepMin = 15
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	shifts, err := scheduling.Generate(ctx, plan, ts)
	if err != nil {
		panic(err)
	}
	return scheduling.Measure(plan, shifts)
}

// solveTimed solves p within limit and measures the roster, with the solve
// time, rounds and stop reason filled in; it returns the assignments too.
func solveTimed(b *testing.B, p Problem, limit time.Duration) (Report, []Assignment) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	began := time.Now()
	r, err := Solve(ctx, p)
	if err != nil {
		b.Fatal(err)
	}
	secs := time.Since(began).Seconds()
	rep, err := Measure(p, r.Assignments)
	if err != nil {
		b.Fatal(err)
	}
	rep.SolveSeconds, rep.Rounds, rep.Stopped = secs, r.Rounds, r.Stopped
	return rep, r.Assignments
}

var (
	refOnce sync.Once
	ref     scheduling.Report
)

// setShortfall sets p's shortfall allowance from PEAKWISE_ROSTER_SHORTFALL,
// a percent of the required agent-hours (0: none); unset, the default.
func setShortfall(b *testing.B, p *Problem) {
	v := os.Getenv("PEAKWISE_ROSTER_SHORTFALL")
	if v == "" {
		return
	}
	pct, err := strconv.ParseFloat(v, 64)
	allowance, ok := ShortfallAllowanceFromPercent(pct)
	if err != nil || !ok {
		b.Fatalf("PEAKWISE_ROSTER_SHORTFALL: want a percent from 0 to %g, got %q", 100*MaxShortfallAllowance, v)
	}
	p.ShortfallAllowance = allowance
}

// BenchmarkRoster500 rosters 500 agents for 4 weeks of 15-minute intervals
// (3 zones, 6 queues) and reports the roster's figures next to the headcount
// reference's (computed once, untimed).
func BenchmarkRoster500(b *testing.B) {
	p := benchProblem(b, 500, 4, 1)
	setShortfall(b, &p)
	refOnce.Do(func() { ref = headcountReference(p, 120*time.Second) })
	var rep Report
	var peakSys uint64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, _ = solveTimed(b, p, 55*time.Second)
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peakSys = max(peakSys, ms.Sys)
	}
	b.StopTimer()
	if len(rep.Violations) > 0 {
		var msgs []string
		for k, v := range rep.Violations {
			if k == 10 {
				break
			}
			msgs = append(msgs, v.Rule+": "+v.Message)
		}
		b.Fatalf("%d hard-rule violations:\n%s", len(rep.Violations), strings.Join(msgs, "\n"))
	}
	b.ReportMetric(rep.SolveSeconds, "solve-s")
	b.ReportMetric(float64(rep.Rounds), "rounds")
	b.ReportMetric(rep.Total.RequiredHours, "required-h")
	b.ReportMetric(rep.Total.PaidHours, "paid-h")
	b.ReportMetric(rep.Total.UnderHours, "under-h")
	b.ReportMetric(rep.Total.OverHours, "over-h")
	b.ReportMetric(ref.PaidAgentHours, "headcount-paid-h")
	b.ReportMetric(ref.UnderAgentHours, "headcount-under-h")
	b.ReportMetric(100*(rep.Total.UnderHours-ref.UnderAgentHours)/rep.Total.RequiredHours, "under-gap-%req")
	b.ReportMetric(rep.PeakHoursGini, "peak-gini")
	b.ReportMetric(rep.PeakShareGini, "peak-share-gini")
	b.ReportMetric(rep.WeekendShareGini, "weekend-share-gini")
	b.ReportMetric(rep.NightShareGini, "night-share-gini")
	b.ReportMetric(contractMinimum(p), "contract-min-h")
	b.ReportMetric(float64(peakSys)/(1<<20), "sys-MiB")
	b.Logf("stopped: %s; queues: %+v", rep.Stopped, rep.Queues)
}

// BenchmarkRoster2000 rosters 2,000 agents for 4 weeks of 15-minute
// intervals (benchProblem's 3 zones and 6 queues, scaled) with a 240 s
// deadline, and reports the roster's figures and the process's memory.
func BenchmarkRoster2000(b *testing.B) {
	p := benchProblem(b, 2000, 4, 1)
	setShortfall(b, &p)
	var rep Report
	var peakSys uint64
	for i := 0; i < b.N; i++ {
		rep, _ = solveTimed(b, p, 240*time.Second)
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peakSys = max(peakSys, ms.Sys)
	}
	b.StopTimer()
	b.ReportMetric(float64(len(rep.Violations)), "violations")
	b.ReportMetric(rep.SolveSeconds, "solve-s")
	b.ReportMetric(float64(rep.Rounds), "rounds")
	b.ReportMetric(rep.Total.RequiredHours, "required-h")
	b.ReportMetric(100*rep.Total.UnderHours/rep.Total.RequiredHours, "under-%req")
	b.ReportMetric(100*rep.ShortfallAllowanceHours/rep.Total.RequiredHours, "shortfall-allowance-%req")
	b.ReportMetric(rep.Total.PaidHours, "paid-h")
	b.ReportMetric(contractMinimum(p), "contract-min-h")
	b.ReportMetric(float64(peakSys)/(1<<20), "sys-MiB")
}

// BenchmarkMeasure2000 times Measure, with the reasons it gives (why each
// shift over the stretch limit is, why hours stay short), on the 2,000-agent
// 4-week roster after a 20 s solve (not timed), against measure without
// them. PEAKWISE_MEASURE_LOAD scales the requirement (2: a center short of
// a third of what it needs, so most intervals need a reason).
func BenchmarkMeasure2000(b *testing.B) {
	p := benchProblem(b, 2000, 4, 1)
	if v := os.Getenv("PEAKWISE_MEASURE_LOAD"); v != "" {
		scale, err := strconv.ParseFloat(v, 64)
		if err != nil || !(scale > 0) {
			b.Fatalf("PEAKWISE_MEASURE_LOAD: want a factor above 0, got %q", v)
		}
		for q := range p.Required {
			for i := range p.Required[q] {
				p.Required[q][i] *= scale
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r, err := Solve(ctx, p)
	if err != nil {
		b.Fatal(err)
	}
	began := time.Now()
	bare, err := measure(p, r.Assignments, false)
	if err != nil {
		b.Fatal(err)
	}
	without := time.Since(began)
	b.ResetTimer()
	var rep Report
	for i := 0; i < b.N; i++ {
		if rep, err = Measure(p, r.Assignments); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	short := SumShortfalls(rep.Shortfalls)
	b.ReportMetric(without.Seconds(), "without-reasons-s")
	b.ReportMetric(100*bare.Total.UnderHours/bare.Total.RequiredHours, "under-%req")
	b.ReportMetric(short.AtMaximumHours, "under-at-maximum-h")
	b.ReportMetric(short.PricedHours+short.SpareHours, "under-priced-or-spare-h")
	b.ReportMetric(float64(len(rep.OverStretch)), "over-stretch-notes")
}
