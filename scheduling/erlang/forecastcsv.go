package erlang

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ForecastRow is one interval of a forecast CSV.
type ForecastRow struct {
	// Line is the 1-based line of the row in the file (the header is line 1).
	Line int
	// Timestamp is the interval start; RawTimestamp is the cell as written,
	// so output can copy it byte for byte.
	Timestamp    time.Time
	RawTimestamp string
	Channel      string
	Timezone     string
	Queue        string
	// Contacts is the forecast column: contacts offered in the interval.
	Contacts float64
	// AHT is the row's aht_seconds, or 0 when the column is absent or empty.
	AHT time.Duration
}

// Forecast is a parsed forecast file.
type Forecast struct {
	Rows []ForecastRow
	// HasQueue is true when the file has a queue column.
	HasQueue bool
}

// ReadForecast parses the forecast CLI's output:
// timestamp,channel,timezone,forecast,lower,upper[,aht_seconds][,queue] in any
// column order (header names are case-insensitive; unknown columns are
// ignored). Only timestamp and forecast are required; a file without a
// forecast column but with a contacts column (a history file) uses contacts. It returns InputErrors
// listing every bad cell with its line: a missing required column, a
// timestamp that is not RFC 3339, a forecast that is not a finite number >= 0,
// an aht_seconds that is not a number > 0, a row with the wrong number of
// cells, or a timestamp repeated within one channel and queue.
func ReadForecast(r io.Reader) (Forecast, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // checked here, to report the line and carry on
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return Forecast{}, InputErrors{{Line: 1, Field: "header", Reason: "the file is empty; expected a header with timestamp and forecast columns"}}
	}
	if err != nil {
		return Forecast{}, InputErrors{csvError(err)}
	}
	col := map[string]int{}
	var errs InputErrors
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := col[h]; dup && h != "" {
			errs = append(errs, &InputError{Line: 1, Field: h, Reason: "column appears twice"})
		}
		col[h] = i
	}
	// A history file (timestamp,channel,timezone,contacts) is accepted too:
	// without a forecast column, contacts is the volume.
	volume := "forecast"
	if _, ok := col["forecast"]; !ok {
		if _, ok := col["contacts"]; ok {
			volume = "contacts"
		}
	}
	for _, need := range []string{"timestamp", volume} {
		if _, ok := col[need]; !ok {
			errs = append(errs, &InputError{Line: 1, Field: need, Reason: "required column is missing (header: " + strings.Join(header, ",") + ")"})
		}
	}
	if len(errs) > 0 {
		return Forecast{}, errs
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	_, hasAHT := col["aht_seconds"]
	_, hasQueue := col["queue"]
	fc := Forecast{HasQueue: hasQueue}
	type key struct {
		channel, queue string
		unix           int64
	}
	seen := map[key]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, csvError(err))
			var pe *csv.ParseError
			if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
				continue
			}
			if errors.As(err, &pe) {
				continue // a quoting error spoils one record; keep reading
			}
			break
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			errs = append(errs, &InputError{Line: line, Field: "row", Reason: fmt.Sprintf("has %d cells, the header has %d", len(rec), len(header))})
			continue
		}
		row := ForecastRow{Line: line, RawTimestamp: get(rec, "timestamp"), Channel: get(rec, "channel"), Timezone: get(rec, "timezone"), Queue: get(rec, "queue")}
		ts, err := time.Parse(time.RFC3339, row.RawTimestamp)
		if err != nil {
			errs = append(errs, &InputError{Line: line, Field: "timestamp", Reason: fmt.Sprintf("%q is not an RFC 3339 time such as 2026-01-05T08:30:00+01:00", row.RawTimestamp)})
		}
		row.Timestamp = ts
		v, err := strconv.ParseFloat(get(rec, volume), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			errs = append(errs, &InputError{Line: line, Field: volume, Reason: fmt.Sprintf("%q is not a finite number >= 0", get(rec, volume))})
		}
		row.Contacts = v
		if s := get(rec, "aht_seconds"); hasAHT && s != "" {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || !(v > 0) || math.IsInf(v, 0) {
				errs = append(errs, &InputError{Line: line, Field: "aht_seconds", Reason: fmt.Sprintf("%q is not a number of seconds > 0", s)})
			} else {
				row.AHT = time.Duration(math.Round(v * float64(time.Second)))
			}
		}
		if !ts.IsZero() {
			k := key{row.Channel, row.Queue, ts.UnixNano()}
			if first, dup := seen[k]; dup {
				errs = append(errs, &InputError{Line: line, Field: "timestamp", Reason: fmt.Sprintf("%s repeats the interval of line %d (same channel and queue)", row.RawTimestamp, first)})
			} else {
				seen[k] = line
			}
		}
		fc.Rows = append(fc.Rows, row)
	}
	if len(errs) > 0 {
		return Forecast{}, errs
	}
	return fc, nil
}

func csvError(err error) *InputError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &InputError{Line: pe.Line, Field: "csv", Reason: pe.Err.Error()}
	}
	return &InputError{Field: "csv", Reason: err.Error()}
}

// DetectInterval returns the interval length of a forecast: the smallest gap
// between consecutive timestamps of one channel and queue. Closed hours only
// make some gaps longer, so the smallest gap is the interval. It returns an
// error when no series has two intervals to compare.
func DetectInterval(rows []ForecastRow) (time.Duration, error) {
	type key struct{ channel, queue string }
	series := map[key][]time.Time{}
	for _, r := range rows {
		k := key{r.Channel, r.Queue}
		series[k] = append(series[k], r.Timestamp)
	}
	var best time.Duration
	for _, ts := range series {
		sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
		for i := 1; i < len(ts); i++ {
			if d := ts[i].Sub(ts[i-1]); d > 0 && (best == 0 || d < best) {
				best = d
			}
		}
	}
	if best == 0 {
		return 0, errors.New("cannot detect the interval length: no channel has two timestamps; give it explicitly")
	}
	return best, nil
}
