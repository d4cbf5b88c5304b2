package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/peakwise/peakwise/forecasting"
)

const forecastSynopsis = `--history H.csv --horizon 7d [--interval 30m] [--method auto] [--out F.csv]
       peakwise forecast backtest --history H.csv --horizon 7d [--origins 8]

The history CSV has the header timestamp,channel,timezone,contacts (any order),
optionally aht_seconds and queue; timestamp is the interval start in RFC 3339.
The forecast CSV has one row per interval per series, from the first interval
after the history's last row through the horizon, times on the local clock.`

func runForecast(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 && args[0] == "backtest" {
		return runBacktest(ctx, env, args[1:])
	}
	fs := newFlagSet(env, "forecast", forecastSynopsis)
	history := fs.String("history", "", "history CSV file (- for standard input)")
	horizon := fs.String("horizon", "7d", "how far ahead: 7d, 2w, 36h")
	interval := fs.Duration("interval", 0, "forecast interval (5m..60m); default: the history's own")
	method := fs.String("method", "auto", "auto or one of: "+methodNames())
	out := fs.String("out", "", "output CSV file (default standard output)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	h, err := forecasting.ParseHorizon(*horizon)
	if err != nil {
		return usageErrorf("--horizon: %v", err)
	}
	if *method != "auto" {
		if _, ok := forecasting.MethodByName(*method); !ok {
			return usageErrorf("--method: unknown method %q (use auto or one of: %s)", *method, methodNames())
		}
	}
	series, hasAHT, hasQueue, err := readHistory(env, *history, *interval)
	if err != nil {
		return err
	}
	w, closeOut, err := output(env, *out)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	header := []string{"timestamp", "channel", "timezone", "forecast", "lower", "upper"}
	if hasAHT {
		header = append(header, "aht_seconds")
	}
	if hasQueue {
		header = append(header, "queue")
	}
	_ = cw.Write(header)
	progress := newProgress(env, len(series))
	for i, s := range series {
		if err := ctx.Err(); err != nil {
			return err
		}
		r, err := forecasting.Forecast(s, forecasting.Options{Horizon: h, Method: *method})
		if err != nil {
			return fmt.Errorf("%s/%s: %w", s.Key.Channel, s.Key.Timezone, err)
		}
		for _, iv := range r.Intervals {
			row := []string{iv.Start.In(s.Location).Format(time.RFC3339), s.Key.Channel, s.Key.Timezone, num(iv.Forecast), num(iv.Lower), num(iv.Upper)}
			if hasAHT {
				row = append(row, num(iv.AHT))
			}
			if hasQueue {
				row = append(row, s.Key.Queue)
			}
			_ = cw.Write(row)
		}
		progress.step(i+1, fmt.Sprintf("%s/%s: %s, backtest WAPE %s", s.Key.Channel, s.Key.Timezone, r.Method, num(r.WAPE)))
	}
	cw.Flush()
	progress.done()
	if err := cw.Error(); err != nil {
		return err
	}
	return closeOut()
}

func runBacktest(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "forecast backtest", forecastSynopsis)
	history := fs.String("history", "", "history CSV file (- for standard input)")
	horizon := fs.String("horizon", "7d", "horizon in whole days: 7d, 2w")
	origins := fs.Int("origins", 8, "number of nightly origins (the most recent ones)")
	interval := fs.Duration("interval", 0, "interval to forecast at; default: the history's own")
	if err := fs.Parse(args); err != nil {
		return err
	}
	h, err := forecasting.ParseHorizon(*horizon)
	if err != nil || h%(24*time.Hour) != 0 {
		return usageErrorf("--horizon: give whole days, such as 7d")
	}
	if *origins < 1 {
		return usageErrorf("--origins must be at least 1")
	}
	series, _, _, err := readHistory(env, *history, *interval)
	if err != nil {
		return err
	}
	tw := bufio.NewWriter(env.Stdout)
	for _, s := range series {
		if err := ctx.Err(); err != nil {
			return err
		}
		scores, err := forecasting.Backtest(s, int(h/(24*time.Hour)), *origins, forecasting.Methods)
		if err != nil {
			return fmt.Errorf("%s/%s: %w (need at least two weeks before the origins plus the horizon)", s.Key.Channel, s.Key.Timezone, err)
		}
		name := s.Key.Channel + "/" + s.Key.Timezone
		if s.Key.Queue != "" {
			name += "/" + s.Key.Queue
		}
		fmt.Fprintf(tw, "%s: %d nightly origins, %s horizon, %s intervals\n", name, scores[0].Origins, *horizon, s.Step)
		fmt.Fprintf(tw, "  %-13s %8s %8s %8s\n", "method", "WAPE", "day-1", "MASE")
		for _, sc := range scores {
			fmt.Fprintf(tw, "  %-13s %8.4f %8.4f %8.4f\n", sc.Method, sc.WAPE, sc.WAPEDay1, sc.MASE)
		}
	}
	return tw.Flush()
}

func methodNames() string {
	names := make([]string, len(forecasting.Methods))
	for i, m := range forecasting.Methods {
		names[i] = m.Name
	}
	return strings.Join(names, ", ")
}

// readHistory reads and groups a history file; bad lines are all reported.
func readHistory(env *Env, path string, interval time.Duration) ([]forecasting.Series, bool, bool, error) {
	if path == "" {
		return nil, false, false, usageErrorf("--history is required")
	}
	var r io.Reader = env.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, false, false, err
		}
		defer f.Close()
		r = f
	}
	recs, err := forecasting.ReadHistoryCSV(r)
	if err != nil {
		return nil, false, false, fmt.Errorf("%s: %w", path, err)
	}
	if interval != 0 && !validInterval(interval) {
		return nil, false, false, usageErrorf("--interval must be 5m, 6m, 10m, 15m, 30m or 60m")
	}
	series, err := forecasting.BuildSeries(recs, interval)
	if err != nil {
		return nil, false, false, fmt.Errorf("%s: %w", path, err)
	}
	hasAHT, hasQueue := false, false
	for _, rec := range recs {
		hasAHT = hasAHT || !math.IsNaN(rec.AHT)
		hasQueue = hasQueue || rec.Queue != ""
	}
	return series, hasAHT, hasQueue, nil
}

func validInterval(d time.Duration) bool {
	for _, ok := range forecasting.Intervals {
		if d == ok {
			return true
		}
	}
	return false
}

func output(env *Env, path string) (io.Writer, func() error, error) {
	if path == "" || path == "-" {
		return env.Stdout, func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	return f, f.Close, nil
}

// num writes a number with up to 4 decimals; NaN as empty.
func num(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	return strconv.FormatFloat(math.Round(v*1e4)/1e4, 'f', -1, 64)
}

// progress prints a one-line progress report on stderr when it is a terminal.
type progress struct {
	w     io.Writer
	total int
	on    bool
}

func newProgress(env *Env, total int) *progress {
	return &progress{w: env.Stderr, total: total, on: isTerminal(env.Stderr) && total > 0}
}

func (p *progress) step(i int, msg string) {
	if p.on {
		fmt.Fprintf(p.w, "\r\033[K[%d/%d] %s", i, p.total, msg)
	}
}

func (p *progress) done() {
	if p.on {
		fmt.Fprintln(p.w)
	}
}
