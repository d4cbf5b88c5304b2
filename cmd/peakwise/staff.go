package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/peakwise/peakwise/scheduling/erlang"
)

const staffSynopsis = "--forecast F.csv --aht 300s (--sl 0.80 --answer-within 20s | --asa 30s) " +
	"[--max-occupancy 0.85] [--shrinkage 0.30] [--patience 180s] [--concurrency 1] [--agents N] [--interval 30m] [--out R.csv]\n" +
	"       peakwise staff --forecast F.csv --aht 6m --response-within 24h [--backlog 0] [--max-occupancy 0.85] [--shrinkage 0.30] (deferred work: email, social)"

// staffDefaultInterval is the interval assumed when the forecast has no two
// timestamps of one series to measure it from and --interval is not given.
const staffDefaultInterval = 30 * time.Minute

// staffDuration is a flag holding a duration written as Go duration ("300s",
// "5m") or as plain seconds ("300"); set records whether it was given.
type staffDuration struct {
	d   time.Duration
	set bool
}

func (f *staffDuration) String() string { return f.d.String() }

func (f *staffDuration) Set(s string) error {
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		f.d, f.set = time.Duration(math.Round(v*float64(time.Second))), true
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration such as 300s, 5m or 300", s)
	}
	f.d, f.set = d, true
	return nil
}

// runStaff turns a forecast CSV into staffing requirements per interval (or,
// with --agents, into the metrics a fixed number of agents achieves). The maths
// lives in scheduling/erlang; this is flags and CSV only.
func runStaff(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "staff", staffSynopsis)
	forecastPath := fs.String("forecast", "", "forecast CSV (the forecast command's output); - reads stdin")
	var aht, within, asa, patience, interval staffDuration
	fs.Var(&aht, "aht", "average handle time, e.g. 300s; an aht_seconds column overrides it per row")
	sl := fs.Float64("sl", 0, "service level target: share answered within --answer-within, e.g. 0.80 (80 also accepted)")
	fs.Var(&within, "answer-within", "service level threshold, e.g. 20s")
	fs.Var(&asa, "asa", "average speed of answer target, e.g. 30s")
	maxOcc := fs.Float64("max-occupancy", erlang.DefaultMaxOccupancy, "maximum agent occupancy, in (0, 1]")
	shrinkage := fs.Float64("shrinkage", 0, "share of paid time not on the queue, in [0, 1)")
	fs.Var(&patience, "patience", "mean patience of waiting contacts; given, the model is Erlang A (abandonment)")
	concurrency := fs.Int("concurrency", 1, "contacts one agent handles at once (chat)")
	agents := fs.Int("agents", -1, "report the metrics of this many agents instead of solving")
	fs.Var(&interval, "interval", "interval length, e.g. 30m (default: detected from the timestamps; 30m, with a warning, when there is only one)")
	outPath := fs.String("out", "", "output CSV (default stdout)")
	var respond staffDuration
	fs.Var(&respond, "response-within", "deferred work (email, social): handle every item within this, e.g. 24h; replaces --sl/--asa")
	backlog := fs.Float64("backlog", 0, "deferred work: items already waiting at the first interval (per channel and queue)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return usageErrorf("unexpected argument %q", fs.Arg(0))
	}
	if *forecastPath == "" {
		return usageErrorf("--forecast is required")
	}
	whatIf := *agents >= 0
	if respond.set {
		if *sl != 0 || asa.set || patience.set || whatIf {
			return usageErrorf("--response-within (deferred work) cannot be combined with --sl, --asa, --patience or --agents")
		}
		if *backlog < 0 {
			return usageErrorf("--backlog must be >= 0")
		}
	} else if *backlog != 0 {
		return usageErrorf("--backlog only applies with --response-within")
	}
	if *sl > 1 && *sl <= 100 {
		*sl /= 100 // "--sl 80" means 80%
	}
	if *sl != 0 && !within.set {
		return usageErrorf("--sl needs --answer-within (the X seconds of 'X%% within Y seconds')")
	}
	if !whatIf && !respond.set && *sl == 0 && !asa.set {
		return usageErrorf("give a target: --sl with --answer-within, or --asa, or both (or --agents N for a what-if)")
	}
	if asa.set && asa.d <= 0 {
		return usageErrorf("--asa must be > 0")
	}
	if patience.set && patience.d <= 0 {
		return usageErrorf("--patience must be > 0 (omit it for Erlang C)")
	}
	if interval.set && interval.d <= 0 {
		return usageErrorf("--interval must be > 0")
	}
	if aht.set && aht.d <= 0 {
		return usageErrorf("--aht must be > 0")
	}
	if *concurrency < 1 {
		return usageErrorf("--concurrency must be >= 1")
	}
	targets := erlang.Targets{ServiceLevel: *sl, AnswerWithin: within.d, ASA: asa.d, MaxOccupancy: *maxOcc, Shrinkage: *shrinkage}
	if *maxOcc <= 0 {
		return usageErrorf("--max-occupancy must be in (0, 1], got %v", *maxOcc)
	}
	if err := targets.Validate(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}

	var in io.Reader = env.Stdin
	if *forecastPath != "-" {
		f, err := os.Open(*forecastPath)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	fc, err := erlang.ReadForecast(bufio.NewReader(in))
	if err != nil {
		return fmt.Errorf("%s: %w", *forecastPath, err)
	}
	length := interval.d
	if !interval.set && len(fc.Rows) > 0 {
		if length, err = erlang.DetectInterval(fc.Rows); err != nil {
			// A one-row forecast (a single published case) has no gap to
			// measure; 30 minutes is the usual planning interval. Say so.
			length = staffDefaultInterval
			fmt.Fprintf(env.Stderr, "peakwise staff: warning: %v; assuming --interval %v\n", err, length)
		}
	}
	var missing erlang.InputErrors
	for _, r := range fc.Rows {
		if r.AHT == 0 && !aht.set {
			missing = append(missing, &erlang.InputError{Line: r.Line, Field: "aht_seconds", Reason: "no handle time: the cell is empty or the column absent, and --aht is not given"})
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s: %w", *forecastPath, missing)
	}

	var deferred map[int]erlang.DeferredInterval // by row index
	if respond.set {
		params := erlang.DeferredParams{Interval: length, AHT: aht.d, ResponseTarget: respond.d, MaxOccupancy: *maxOcc, Shrinkage: *shrinkage, InitialBacklog: *backlog}
		if !aht.set && len(fc.Rows) > 0 {
			params.AHT = fc.Rows[0].AHT // every row has its own; this one only sizes --backlog
		}
		if deferred, err = staffDeferred(fc.Rows, params); err != nil {
			return fmt.Errorf("%s: %w", *forecastPath, err)
		}
	}

	// Compute every row before writing, so a failure leaves no partial file.
	header := []string{"timestamp", "channel", "timezone", "contacts", "required_agents", "required_staff", "service_level", "asa_seconds", "occupancy"}
	if fc.HasQueue {
		header = append(header, "queue") // kept so several queues in one file stay apart
	}
	records := make([][]string, 0, len(fc.Rows)+1)
	records = append(records, header)
	for i, r := range fc.Rows {
		if i%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		rec := []string{r.RawTimestamp, r.Channel, r.Timezone, strconv.FormatFloat(r.Contacts, 'f', -1, 64)}
		if respond.set {
			d := deferred[i]
			// SL and ASA are queue measures; deferred work has none.
			rec = append(rec, strconv.Itoa(d.Agents), strconv.Itoa(d.Staff), "", "", staffNumber(d.Occupancy, 4))
		} else {
			load := erlang.Load{Contacts: r.Contacts, Interval: length, AHT: aht.d, Patience: patience.d, Concurrency: *concurrency}
			if r.AHT > 0 {
				load.AHT = r.AHT
			}
			var req erlang.Requirement
			if whatIf {
				req.Metrics, err = erlang.Evaluate(load, *agents, within.d)
				req.Staff = erlang.StaffFor(*agents, *shrinkage)
			} else {
				req, err = erlang.Solve(load, targets)
			}
			if err != nil {
				return fmt.Errorf("%s: line %d: %w", *forecastPath, r.Line, err)
			}
			sl := staffNumber(req.ServiceLevel, 4)
			if !within.set {
				sl = "" // a service level needs a threshold; none was given
			}
			rec = append(rec, strconv.Itoa(req.Agents), strconv.Itoa(req.Staff), sl, staffNumber(req.ASA, 2), staffNumber(req.Occupancy, 4))
		}
		if fc.HasQueue {
			rec = append(rec, r.Queue)
		}
		records = append(records, rec)
	}

	var out io.Writer = env.Stdout
	var file *os.File
	if *outPath != "" {
		if file, err = os.Create(*outPath); err != nil {
			return err
		}
		defer file.Close()
		out = file
	}
	bw := bufio.NewWriter(out)
	w := csv.NewWriter(bw)
	if err := w.WriteAll(records); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if file != nil {
		return file.Close()
	}
	return nil
}

// staffNumber formats a metric with fixed decimals; an infinite ASA (an
// unstable queue or nobody answered) is written as "inf", which strconv and
// most CSV readers parse back.
func staffNumber(v float64, decimals int) string {
	if math.IsNaN(v) {
		return "" // no value, e.g. the occupancy of no agents
	}
	if math.IsInf(v, 1) {
		return "inf"
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if strings.HasPrefix(s, "-0.") && strings.Trim(s[3:], "0") == "" {
		s = s[1:]
	}
	return s
}

// staffDeferred sizes deferred work per channel and queue. Each series is laid
// on a grid of the interval length from its first to its last timestamp;
// grid intervals missing from the forecast are closed (nobody works, the
// response target keeps running). It returns the plan by row index, or
// InputErrors with the forecast's line numbers.
func staffDeferred(rows []erlang.ForecastRow, p erlang.DeferredParams) (map[int]erlang.DeferredInterval, error) {
	type key struct{ channel, queue string }
	series := map[key][]int{}
	var order []key
	for i, r := range rows {
		k := key{r.Channel, r.Queue}
		if _, ok := series[k]; !ok {
			order = append(order, k)
		}
		series[k] = append(series[k], i)
	}
	plan := map[int]erlang.DeferredInterval{}
	var errs erlang.InputErrors
	for _, k := range order {
		idx := series[k]
		first := rows[idx[0]].Timestamp
		last := first
		for _, i := range idx {
			if t := rows[i].Timestamp; t.Before(first) {
				first = t
			} else if t.After(last) {
				last = t
			}
		}
		n := int(last.Sub(first)/p.Interval) + 1
		vols := make([]float64, n)
		ahts := make([]time.Duration, n)
		closed := make([]bool, n)
		for j := range closed {
			closed[j] = true
		}
		slot := map[int]int{} // grid index -> row index
		for _, i := range idx {
			off := rows[i].Timestamp.Sub(first)
			if off%p.Interval != 0 {
				errs = append(errs, &erlang.InputError{Line: rows[i].Line, Field: "timestamp", Reason: fmt.Sprintf("%s is not on the %v grid that starts at %s", rows[i].RawTimestamp, p.Interval, rows[idx[0]].RawTimestamp)})
				continue
			}
			j := int(off / p.Interval)
			vols[j], ahts[j], closed[j] = rows[i].Contacts, rows[i].AHT, false
			slot[j] = i
		}
		if len(errs) > 0 {
			continue
		}
		res, err := erlang.SolveDeferred(vols, erlang.DeferredParams{Interval: p.Interval, AHT: p.AHT, ResponseTarget: p.ResponseTarget,
			MaxOccupancy: p.MaxOccupancy, Shrinkage: p.Shrinkage, InitialBacklog: p.InitialBacklog, AHTs: ahts, Closed: closed})
		var ies erlang.InputErrors
		if errors.As(err, &ies) {
			for _, e := range ies {
				if e.Line > 0 { // a grid position: report the forecast's line
					if i, ok := slot[e.Line-1]; ok {
						e.Line = rows[i].Line
					}
				}
				errs = append(errs, e)
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		for j, i := range slot {
			plan[i] = res[j]
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return plan, nil
}
