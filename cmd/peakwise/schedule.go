package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/peakwise/peakwise/scheduling"
	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/scheduling/plancheck"
	"github.com/peakwise/peakwise/scheduling/planinput"
	"github.com/peakwise/peakwise/scheduling/roster"
)

const scheduleSynopsis = `--requirements R.csv --shifts S.json --start 2026-01-05 [--weeks 1] [--cyclic]
       [--agents A.csv] [--timezone ZONE] [--time-limit 10s] [--stress-budget 0.02]
       [--peak-share 0.25] [--max-peak-stretch 2h] [--max-break-share 0.2]
       --out schedule.csv [--report report.json]

R.csv has timestamp and required (or the staff command's output: required_staff is
used; rows of several queues at one time are added up). --start is a local date in
the plan's time zone: --timezone, else the timezone column, else the one UTC offset
all timestamps carry (several offsets need --timezone). Headcount mode:
schedule.csv has one row per shift with an empty agent column: the stress-aware
plan, which may pay up to --stress-budget more than the cheapest plan found;
report.json's stress_comparison sets the two side by side.

Rostering mode (--agents A.csv): R.csv needs a queue (or channel) column, each row
is that queue's requirement; the agents' skills name those queues. schedule.csv has
one row per shift with the agent filled, times on the agent's clock, and a trailing
queue column (the queue the shift is assigned to; it covers only that queue).
The period holds every agent's and queue's weeks whole on their own clocks: from
--start's date at 00:00 in the zone furthest east to the end of its last week in
the zone furthest west, each queue asking only for its own weeks (give R.csv rows
for that span). --pro-rata plans --start's weeks on the plan's clock instead, and
a week it cuts owes its share of the contract's minimum. --shortfall-allowance
lets a small share of the requirement (0.4% by default) go uncovered where
covering it would cost more than 4 paid hours an hour; the report gives it in
hours (shortfall_allowance_hours).

Both modes re-check the plan with the plan validator (plancheck) and write its
breaches into report.json ("breaches"); the command exits 1 if there are any.
peakwise schedule check re-checks any schedule.csv (see peakwise schedule check -h).`

func runSchedule(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 && args[0] == "check" {
		return runScheduleCheck(ctx, env, args[1:])
	}
	fs := newFlagSet(env, "schedule", scheduleSynopsis)
	reqPath := fs.String("requirements", "", "requirements CSV")
	shiftsPath := fs.String("shifts", "", "shift templates JSON")
	startDate := fs.String("start", "", "first local date of the plan, YYYY-MM-DD")
	weeks := fs.Int("weeks", 1, "plan length in weeks (1-6)")
	cyclic := fs.Bool("cyclic", false, "plan one repeating week: shifts past its end wrap to its start")
	zoneName := fs.String("timezone", "", "IANA time zone of the plan (default: the requirements' timezone column, else their one UTC offset)")
	limit := fs.Duration("time-limit", 0, "stop improving after this long (default: 10s a planned week; 30s when rostering named agents)")
	out := fs.String("out", "", "schedule CSV to write")
	reportPath := fs.String("report", "", "report JSON to write (cost, coverage, stress)")
	stressBudget := fs.Float64("stress-budget", 0.02, "share of extra paid time stress relief may take (0 to 1, headcount mode)")
	peakShare := fs.Float64("peak-share", 0.25, "share of each local day's busiest intervals that count as peak (headcount mode)")
	maxStretch := fs.Duration("max-peak-stretch", 2*time.Hour, "longest a shift should work through peak without a break (headcount mode)")
	maxBreakShare := fs.Float64("max-break-share", 0.2, "largest share of on-shift staff on break at once (headcount mode)")
	agents := fs.String("agents", "", "agents CSV: roster these named agents (rostering mode, see docs/scheduling.md)")
	minLevel := fs.String("min-level", "", "rostering: queues' minimum proficiency, e.g. voice_en=3,chat_de=2")
	proRata := fs.Bool("pro-rata", false, "rostering: plan --start's weeks on the plan's clock; weeks it cuts owe their share (default: every agent's and queue's weeks whole on their own clocks)")
	shortfall := fs.Float64("shortfall-allowance", 100*roster.DefaultShortfallAllowance, "rostering: percent of the required agent-hours (0 to 5) that may stay uncovered where covering an hour costs more than 4 paid hours (0: none)")
	published := fs.String("published", "", "rostering: schedule CSV of the agents' already published shifts (count toward their weeks, rest and days in a row)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *limit == 0 {
		*limit = time.Duration(*weeks) * 10 * time.Second
		if *agents != "" {
			*limit = 30 * time.Second
		}
	}
	switch {
	case *limit < 0:
		return usageErrorf("--time-limit must be a positive duration, e.g. 10s")
	case *agents != "":
		return runRoster(ctx, env, rosterArgs{reqPath: *reqPath, shiftsPath: *shiftsPath, agentsPath: *agents, startDate: *startDate,
			zoneName: *zoneName, out: *out, reportPath: *reportPath, weeks: *weeks, cyclic: *cyclic, limit: *limit, minLevel: *minLevel, publishedPath: *published, proRata: *proRata, shortfallPct: *shortfall})
	case *reqPath == "", *shiftsPath == "", *startDate == "", *out == "":
		return usageErrorf("--requirements, --shifts, --start and --out are required")
	case *weeks < 1 || *weeks > 6:
		return usageErrorf("--weeks must be 1 to 6")
	case *cyclic && *weeks != 1:
		return usageErrorf("--cyclic plans one repeating week; leave --weeks at 1")
	case *stressBudget < 0 || *stressBudget > 1:
		return usageErrorf("--stress-budget must be between 0 and 1 (0.02 = at most 2%% more paid hours)")
	case *peakShare <= 0 || *peakShare > 1:
		return usageErrorf("--peak-share must be above 0 and at most 1 (0.25 = the top quartile of each day)")
	case *maxStretch <= 0:
		return usageErrorf("--max-peak-stretch must be a positive duration, e.g. 2h")
	case *maxBreakShare <= 0 || *maxBreakShare > 1:
		return usageErrorf("--max-break-share must be above 0 and at most 1 (0.2 = a fifth of on-shift staff)")
	}
	ts, err := readTemplatesFile(*shiftsPath)
	if err != nil {
		return err
	}
	step := time.Duration(ts.IntervalMin) * time.Minute
	req, err := readRequirementRows(*reqPath, false)
	if err != nil {
		return err
	}
	loc, err := req.location(*zoneName)
	if err != nil {
		return err
	}
	d, err := time.ParseInLocation(time.DateOnly, *startDate, loc)
	if err != nil {
		return usageErrorf("--start must be a date like 2026-01-05")
	}
	end := d.AddDate(0, 0, 7**weeks)
	p := scheduling.Plan{Location: loc, Start: d, Step: step, Cyclic: *cyclic, StressBudget: *stressBudget,
		PeakShare: *peakShare, MaxPeakStretch: *maxStretch, MaxBreakShare: *maxBreakShare}
	required, used, offGrid := onGrid(req.byQueue[""], d, end, step)
	p.Required = required
	if !offGrid.IsZero() {
		return fmt.Errorf("%s: the requirement at %s is not on the templates' %d-minute grid", *reqPath, offGrid.In(loc).Format(time.RFC3339), ts.IntervalMin)
	}
	if used == 0 {
		return fmt.Errorf("%s: no requirement falls in the plan (%s to %s)", *reqPath, d.Format(time.DateOnly), end.AddDate(0, 0, -1).Format(time.DateOnly))
	}
	sctx, cancel := withinLimit(ctx, *limit)
	defer cancel()
	began := time.Now()
	plans, err := scheduling.GeneratePlans(sctx, p, ts)
	if err != nil {
		return err
	}
	shifts := plans.StressAware
	report := scheduling.Measure(p, shifts)
	report.SolveSeconds = time.Since(began).Seconds()
	cmp := scheduling.CompareStress(p, plans)
	report.StressComparison = &cmp
	report.CapShortfall = plans.CapShortfall
	// The plan is re-checked rule by rule by the validator, which shares
	// no code with the generator.
	breaches := plancheck.Check(planinput.Headcount(p, ts, shifts))
	if err := writeSchedule(*out, loc, shifts); err != nil {
		return err
	}
	if *reportPath != "" {
		b, err := json.MarshalIndent(checkedReport[scheduling.Report]{report, nonNil(breaches)}, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*reportPath, b, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.Stderr, "%d shifts, %.1f paid hours for %.1f required; under-coverage %.1f h, over %.1f h; longest peak stretch %.0f min; %.2f s\n",
		report.Shifts, report.PaidAgentHours, report.RequiredAgentHours, report.UnderAgentHours, report.OverAgentHours, report.Stress.LongestPeakStretchMin, report.SolveSeconds)
	fmt.Fprintf(env.Stderr, "cheapest plan %.1f paid hours (longest peak stretch %.0f min, %.0f%% of break minutes in peaks); stress-aware %+.1f%%\n",
		cmp.Cheapest.PaidAgentHours, cmp.Cheapest.Stress.LongestPeakStretchMin, 100*cmp.Cheapest.Stress.BreakMinutesInPeakShare, 100*cmp.ExtraPaidShare)
	for _, cs := range plans.CapShortfall {
		fmt.Fprintf(env.Stderr, "under-covered because of max_agents: %.1f agent-hours in %d intervals (from %s) only %s could cover, and %s at its cap\n",
			cs.UnderAgentHours, cs.Intervals, cs.First.In(loc).Format(time.RFC3339), strings.Join(cs.Templates, " or "), isAre(len(cs.Templates)))
	}
	return breachError(breaches)
}

func isAre(n int) string {
	if n == 1 {
		return "it is"
	}
	return "they are"
}

// checkedReport is a report with the validator's breaches beside it.
type checkedReport[R any] struct {
	Report R
	// Breaches are the rules the plan breaks, found by plancheck; the
	// command exits non-zero when there are any.
	Breaches []plancheck.Breach `json:"breaches"`
}

// MarshalJSON writes the report's fields, in their order, then "breaches",
// in one object.
func (c checkedReport[R]) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(c.Report)
	if err != nil {
		return nil, err
	}
	br, err := json.Marshal(c.Breaches)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimSuffix(bytes.TrimSpace(b), []byte("}"))
	if len(bytes.TrimSpace(b)) > 1 { // not "{"
		b = append(b, ',')
	}
	return append(append(append(b, `"breaches":`...), br...), '}'), nil
}

func nonNil(bs []plancheck.Breach) []plancheck.Breach {
	if bs == nil {
		return []plancheck.Breach{}
	}
	return bs
}

// breachError is nil for a plan without breaches, else an error listing the
// first ten (the report lists all): a plan that breaks a rule it was given
// is never a silent success.
func breachError(bs []plancheck.Breach) error {
	if len(bs) == 0 {
		return nil
	}
	var msgs []string
	for k, b := range bs {
		if k == 10 {
			msgs = append(msgs, fmt.Sprintf("... and %d more (see the report)", len(bs)-10))
			break
		}
		msgs = append(msgs, b.String())
	}
	return fmt.Errorf("the plan breaks %d rule(s) (plancheck):\n  %s", len(bs), strings.Join(msgs, "\n  "))
}

// readTemplatesFile reads and validates a templates JSON file; its
// errors name the file.
func readTemplatesFile(path string) (scheduling.Templates, error) {
	f, err := os.Open(path)
	if err != nil {
		return scheduling.Templates{}, err
	}
	defer f.Close()
	ts, err := scheduling.ReadTemplates(f)
	if err != nil {
		return ts, fmt.Errorf("%s: %w", path, err)
	}
	return ts, nil
}

// onGrid lays requirement rows (staff per instant) on the plan's intervals
// from d to end, and counts the rows used. Rows come at the requirements'
// own interval, the smallest gap between two of them; when that is a whole
// multiple of the plan's step (30-minute rows for 15-minute templates), a
// row holds for every interval it spans, not only its first. offGrid is
// the first row found off the plan's grid (zero if none).
func onGrid(rows map[int64]float64, d, end time.Time, step time.Duration) (req []float64, used int, offGrid time.Time) {
	var at []int64
	for u := range rows {
		if t := time.Unix(u, 0); !t.Before(d) && t.Before(end) {
			at = append(at, u)
		}
	}
	sort.Slice(at, func(i, j int) bool { return at[i] < at[j] })
	span := 1
	if len(at) > 1 {
		gap := time.Duration(math.MaxInt64)
		for i := 1; i < len(at); i++ {
			gap = min(gap, time.Duration(at[i]-at[i-1])*time.Second)
		}
		if gap > step && gap%step == 0 {
			span = int(gap / step)
		}
	}
	req = make([]float64, int(end.Sub(d)/step))
	for _, u := range at {
		t := time.Unix(u, 0)
		off := t.Sub(d)
		if off%step != 0 {
			return nil, 0, t
		}
		for k := int(off / step); k < min(int(off/step)+span, len(req)); k++ {
			req[k] += rows[u]
		}
		used++
	}
	return req, used, time.Time{}
}

// withinLimit is the context generation runs under for --time-limit:
// starting the command and writing the plan and the report take a moment
// (0.2-0.3 s measured), so it ends half a second early (a tenth of a short
// limit) and the command ends within the limit.
func withinLimit(ctx context.Context, limit time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, limit-min(limit/10, 500*time.Millisecond))
}

// requirementsFile is a requirements CSV as read: the staff per queue and
// instant (all under "" when not read by queue), the timezone column's one
// value if it has one, and the UTC offsets its timestamps carry.
type requirementsFile struct {
	byQueue map[string]map[int64]float64
	zone    string
	offsets map[int]bool
	// queueZone is each queue's own clock when rostering (the timezone
	// column may differ between queues, never within one).
	queueZone map[string]string
}

// location is the plan's time zone: the --timezone flag, else the file's
// timezone column, else the one UTC offset every timestamp carries (a plain
// timestamp,required file in UTC or at a fixed offset). Timestamps at
// several offsets (a DST change) without a zone name are refused: guessing
// the zone could move every shift by an hour.
func (f requirementsFile) location(flag string) (*time.Location, error) {
	zone := f.zone
	if zone == "" && len(f.queueZone) > 0 && flag == "" {
		zones := map[string]bool{}
		for _, z := range f.queueZone {
			zones[z] = true
		}
		if len(zones) > 1 {
			return nil, usageErrorf("the queues are on %d clocks (timezone column); name the plan's clock with --timezone, e.g. --timezone America/New_York", len(zones))
		}
		for z := range zones {
			zone = z
		}
	}
	if flag != "" {
		zone = flag
	}
	if zone != "" {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			return nil, usageErrorf("unknown time zone %q", zone)
		}
		return loc, nil
	}
	if len(f.offsets) != 1 {
		return nil, usageErrorf("the requirements' timestamps carry %d UTC offsets (a DST change?) and no timezone column: give --timezone, e.g. --timezone Europe/Berlin", len(f.offsets))
	}
	off := 0
	for o := range f.offsets {
		off = o
	}
	if off == 0 {
		return time.UTC, nil
	}
	// Named like the offset itself, e.g. "+05:30".
	return time.FixedZone(time.Unix(0, 0).In(time.FixedZone("", off)).Format("-07:00"), off), nil
}

// readRequirementRows reads a requirements CSV: timestamp, required_staff (or
// required), an optional timezone column, and, when byQueue, a queue (or
// channel) column naming each row's queue. Without byQueue the timezone column
// must hold one zone; with it, the column is each queue's own clock (its
// peaks are judged on it) and may differ between queues but not within one. Rows of one
// queue (all rows, when not byQueue, under "") at one instant are added up.
// Every bad line is reported, at most ten of them, and nothing is returned
// then.
func readRequirementRows(path string, byQueue bool) (requirementsFile, error) {
	var ts, val, qc, tz int
	var hasTZ bool
	out := requirementsFile{byQueue: map[string]map[int64]float64{}, offsets: map[int]bool{}, queueZone: map[string]string{}}
	header := func(col map[string]int) error {
		var ok, okR, okQ bool
		ts, ok = col["timestamp"]
		val, okR = col["required_staff"]
		if !okR {
			val, okR = col["required"]
		}
		qc, okQ = col["queue"]
		if !okQ {
			qc, okQ = col["channel"]
		}
		tz, hasTZ = col["timezone"]
		switch {
		case byQueue && (!ok || !okR || !okQ):
			return errors.New("rostering needs timestamp, queue (or channel) and required (or required_staff) columns")
		case !ok || !okR:
			return errors.New("the header needs timestamp and required (or required_staff)")
		}
		return nil
	}
	row := func(line int, get func(int) string) string {
		t, err := time.Parse(time.RFC3339, get(ts))
		if err != nil {
			return fmt.Sprintf("timestamp %q is not RFC 3339", get(ts))
		}
		v, err := strconv.ParseFloat(get(val), 64)
		if err != nil || v < 0 {
			return fmt.Sprintf("%q is not a staff count >= 0", get(val))
		}
		q := ""
		if byQueue {
			if q = get(qc); q == "" {
				return "the queue is empty"
			}
		}
		if hasTZ && byQueue {
			z := get(tz)
			if _, err := time.LoadLocation(z); err != nil || z == "" {
				return fmt.Sprintf("timezone %q is not a time zone name such as Europe/Berlin", z)
			}
			if was, ok := out.queueZone[q]; ok && was != z {
				return fmt.Sprintf("queue %s is on %s here but on %s above; a queue keeps one clock", q, z, was)
			}
			out.queueZone[q] = z
		} else if hasTZ {
			z := get(tz)
			if out.zone != "" && z != out.zone {
				return fmt.Sprintf("time zone %s differs from %s; plan one zone at a time", z, out.zone)
			}
			out.zone = z
		}
		if out.byQueue[q] == nil {
			out.byQueue[q] = map[int64]float64{}
		}
		out.byQueue[q][t.Unix()] += v
		_, off := t.Zone()
		out.offsets[off] = true
		return ""
	}
	if err := walkCSV(path, header, row); err != nil {
		return requirementsFile{}, err
	}
	return out, nil
}

// walkCSV reads a CSV file with a header line: header gets the columns by
// lower-case name and refuses a header without the ones needed; row gets
// each later line's number and a getter by column index (trimmed, "" past
// the line's end) and returns what is wrong with the line ("" if nothing;
// several problems joined by "; "). Every bad line is reported, at most ten
// of them.
func walkCSV(path string, header func(col map[string]int) error, row func(line int, get func(int) string) string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	names, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s: line 1: %v", path, err)
	}
	col := map[string]int{}
	for i, h := range names {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	if err := header(col); err != nil {
		return fmt.Errorf("%s: line 1: %v", path, err)
	}
	var problems []string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return fmt.Errorf("%s: %v", path, err)
			}
			problems = append(problems, pe.Error()) // names its line; FieldPos is not valid after an error
			continue
		}
		line, _ := r.FieldPos(0) // the record's first line: a quoted cell may span several
		get := func(i int) string {
			if i >= 0 && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if p := row(line, get); p != "" {
			problems = append(problems, fmt.Sprintf("line %d: %s", line, p))
		}
	}
	if len(problems) > 0 {
		n := len(problems)
		if n > 10 {
			problems = append(problems[:10], fmt.Sprintf("... and %d more", n-10))
		}
		return fmt.Errorf("%s: %d bad line(s):\n  %s", path, n, strings.Join(problems, "\n  "))
	}
	return nil
}

func writeSchedule(path string, loc *time.Location, shifts []calendar.Shift) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"agent", "template", "start", "end", "paid_minutes", "breaks"})
	for _, s := range shifts {
		var bs []string
		for _, b := range s.Breaks {
			bs = append(bs, b.Start.In(loc).Format(time.RFC3339)+"/"+b.End.In(loc).Format(time.RFC3339))
		}
		_ = w.Write([]string{"", s.Template, s.Start.In(loc).Format(time.RFC3339), s.End.In(loc).Format(time.RFC3339), strconv.Itoa(s.PaidMinutes), strings.Join(bs, ";")})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
