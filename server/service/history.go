package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"time"

	"github.com/peakwise/peakwise/forecasting"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// HistoryRecord is one interval of observed volume, as an ACD integration sends it.
type HistoryRecord struct {
	// Line is the record's line in a file, 0 when it came from the API.
	Line       int
	QueueID    int64
	Start      time.Time // interval start, RFC 3339 with offset
	Contacts   float64
	AHTSeconds *float64
}

// ImportSummary says what an import stored.
type ImportSummary struct {
	Queues    int                    `json:"queues"`
	Intervals int                    `json:"intervals"`
	PerQueue  map[int64]int          `json:"intervals_per_queue"`
	Ranges    map[int64][2]time.Time `json:"ranges"`
}

// ImportHistory validates every record, rolls records finer than their
// queue's interval up into it (contacts summed, AHT weighted by contacts; the
// interval grid is the queue's local clock), and replaces each queue's stored
// range in one transaction. Returns Unprocessable listing bad records by index.
func (s *Service) ImportHistory(ctx context.Context, records []HistoryRecord) (ImportSummary, error) {
	if len(records) == 0 {
		return ImportSummary{}, &fault.Error{Code: fault.Invalid, Message: "nothing to import", Fields: map[string]string{"records": "is empty"}}
	}
	queues := map[int64]org.Queue{}
	locs := map[int64]*time.Location{}
	problems := map[string]string{}
	type bucket struct{ contacts, ahtWork, ahtContacts float64 }
	buckets := map[int64]map[time.Time]*bucket{}
	starts := map[int64][]time.Time{}
	type slotKey struct {
		queue int64
		start time.Time
	}
	first := map[slotKey]string{}
	now := s.now()
	for i, r := range records {
		where := fmt.Sprintf("records[%d]", i)
		if r.Line > 0 {
			where = fmt.Sprintf("line %d", r.Line)
		}
		q, ok := queues[r.QueueID]
		if !ok {
			var err error
			if q, err = s.store.FindQueueByID(ctx, r.QueueID); fault.Is(err, fault.NotFound) {
				problems[where+".queue_id"] = fmt.Sprintf("no queue %d", r.QueueID)
				continue
			} else if err != nil {
				return ImportSummary{}, err
			}
			loc, err := time.LoadLocation(q.Timezone)
			if err != nil {
				return ImportSummary{}, fault.Wrap(fault.Internal, err, "queue has a bad time zone")
			}
			queues[q.ID], locs[q.ID] = q, loc
			buckets[q.ID] = map[time.Time]*bucket{}
		}
		switch {
		case r.Start.IsZero():
			problems[where+".start"] = "is required"
			continue
		case forecasting.StartProblem(r.Start, now) != "":
			problems[where+".start"] = forecasting.StartProblem(r.Start, now)
			continue
		case forecasting.ContactsProblem(r.Contacts) != "":
			problems[where+".contacts"] = forecasting.ContactsProblem(r.Contacts)
			continue
		case r.AHTSeconds != nil && forecasting.AHTProblem(*r.AHTSeconds) != "":
			problems[where+".aht_seconds"] = forecasting.AHTProblem(*r.AHTSeconds)
			continue
		}
		// The same interval twice is a mistake in the export (summing it would
		// double the volume), not finer data: name both.
		k := slotKey{q.ID, r.Start.UTC()}
		if prev, dup := first[k]; dup {
			problems[where+".start"] = fmt.Sprintf("repeats %s: queue %d at %s is already in this import", prev, q.ID, r.Start.Format(time.RFC3339))
			continue
		}
		first[k] = where
		local := r.Start.In(locs[q.ID])
		if local.Second() != 0 || local.Nanosecond() != 0 {
			problems[where+".start"] = fmt.Sprintf("%s does not start on a whole minute", r.Start.Format(time.RFC3339))
			continue
		}
		starts[q.ID] = append(starts[q.ID], r.Start)
		minuteOfDay := local.Hour()*60 + local.Minute()
		slot := local.Add(-time.Duration(minuteOfDay%q.IntervalMin) * time.Minute).UTC()
		b := buckets[q.ID][slot]
		if b == nil {
			b = &bucket{}
			buckets[q.ID][slot] = b
		}
		b.contacts += r.Contacts
		if r.AHTSeconds != nil && r.Contacts > 0 {
			b.ahtWork += *r.AHTSeconds * r.Contacts
			b.ahtContacts += r.Contacts
		}
	}
	for qid, ts := range starts {
		// Records may be finer than the queue's interval (they are summed), never coarser.
		sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
		gap := time.Duration(0)
		for i := 1; i < len(ts); i++ {
			if d := ts[i].Sub(ts[i-1]); d > 0 && (gap == 0 || d < gap) {
				gap = d
			}
		}
		if q := queues[qid]; gap > time.Duration(q.IntervalMin)*time.Minute {
			problems[fmt.Sprintf("queue %d", qid)] = fmt.Sprintf("records are %s apart but queue %q plans in %d-minute intervals; send finer data or change the queue's interval", gap, q.Name, q.IntervalMin)
		}
	}
	if len(problems) > 0 {
		return ImportSummary{}, &fault.Error{Code: fault.Unprocessable, Message: fmt.Sprintf("%d problem(s) in the records; nothing was imported", len(problems)), Fields: problems}
	}
	sum := ImportSummary{PerQueue: map[int64]int{}, Ranges: map[int64][2]time.Time{}}
	err := s.store.Tx(ctx, func(tx *store.Store) error {
		for qid, bs := range buckets {
			q := queues[qid]
			pts := make([]store.HistoryPoint, 0, len(bs))
			for start, b := range bs {
				p := store.HistoryPoint{StartAt: start, IntervalMin: q.IntervalMin, Contacts: b.contacts}
				if b.ahtContacts > 0 {
					aht := b.ahtWork / b.ahtContacts
					p.AHTSeconds = &aht
				}
				pts = append(pts, p)
			}
			sort.Slice(pts, func(i, j int) bool { return pts[i].StartAt.Before(pts[j].StartAt) })
			if err := tx.ReplaceHistory(ctx, qid, pts); err != nil {
				return err
			}
			sum.Queues++
			sum.Intervals += len(pts)
			sum.PerQueue[qid] = len(pts)
			sum.Ranges[qid] = [2]time.Time{pts[0].StartAt, pts[len(pts)-1].StartAt}
		}
		return nil
	})
	return sum, err
}

// ImportHistoryCSV imports the history CSV format (the forecast CLI's
// input): rows go to queues by their queue column, or by channel and time
// zone; overlapping intervals are replaced. All or nothing: a bad file is an
// Unprocessable error naming every bad line, and nothing is written.
func (s *Service) ImportHistoryCSV(ctx context.Context, r io.Reader) (ImportSummary, error) {
	recs, err := forecasting.ReadHistoryCSV(r)
	if err != nil {
		return ImportSummary{}, CSVFault(err)
	}
	records, err := s.RecordsForQueues(ctx, recs)
	if err != nil {
		return ImportSummary{}, err
	}
	return s.ImportHistory(ctx, records)
}

// CSVFault turns a file's line errors into one Unprocessable error.
func CSVFault(err error) error {
	var ie forecasting.InputErrors
	if !errors.As(err, &ie) {
		return err
	}
	fe := &fault.Error{Code: fault.Unprocessable, Message: fmt.Sprintf("%d problem(s) in the file; nothing was imported", len(ie)), Fields: map[string]string{}}
	for _, e := range ie {
		key := fmt.Sprintf("line %d", e.Line)
		if e.Field != "" {
			key += "." + e.Field
		}
		fe.Fields[key] = e.Reason
	}
	return fe
}

// RecordsForQueues finds the queue of each file row: by the queue column when
// the file has one, else the one queue of that channel in that time zone.
func (s *Service) RecordsForQueues(ctx context.Context, recs []forecasting.Record) ([]HistoryRecord, error) {
	queues, _, err := s.store.FindQueues(ctx, store.Page{Limit: 500})
	if err != nil {
		return nil, err
	}
	channels, _, err := s.store.FindChannels(ctx, store.Page{Limit: 500})
	if err != nil {
		return nil, err
	}
	channelKey := map[int64]string{}
	for _, ch := range channels {
		channelKey[ch.ID] = ch.Key
	}
	type key struct{ channel, zone, queue string }
	resolved := map[key]int64{}
	problems := map[string]string{}
	out := make([]HistoryRecord, 0, len(recs))
	for _, r := range recs {
		k := key{r.Channel, r.Timezone, r.Queue}
		qid, ok := resolved[k]
		if !ok {
			var matches []org.Queue
			for _, q := range queues {
				if channelKey[q.ChannelID] == r.Channel && q.Timezone == r.Timezone && (r.Queue == "" || q.Name == r.Queue) {
					matches = append(matches, q)
				}
			}
			switch len(matches) {
			case 1:
				qid = matches[0].ID
			case 0:
				problems[fmt.Sprintf("line %d", r.Line)] = fmt.Sprintf("no queue serves channel %q in %s%s; create it first", r.Channel, r.Timezone, queueSuffix(r.Queue))
			default:
				problems[fmt.Sprintf("line %d", r.Line)] = fmt.Sprintf("%d queues serve channel %q in %s; add a queue column to say which", len(matches), r.Channel, r.Timezone)
			}
			resolved[k] = qid
		}
		if qid == 0 {
			continue
		}
		rec := HistoryRecord{Line: r.Line, QueueID: qid, Start: r.Start, Contacts: r.Contacts}
		if !math.IsNaN(r.AHT) {
			aht := r.AHT
			rec.AHTSeconds = &aht
		}
		out = append(out, rec)
	}
	if len(problems) > 0 {
		return nil, &fault.Error{Code: fault.Unprocessable, Message: "some rows name no queue; nothing was imported", Fields: problems}
	}
	return out, nil
}

func queueSuffix(q string) string {
	if q == "" {
		return ""
	}
	return fmt.Sprintf(" named %q", q)
}

// FindHistory reads through the store; the caller has checked the principal may.
func (s *Service) FindHistory(ctx context.Context, queueID int64, from, to time.Time) ([]store.HistoryPoint, error) {
	return s.store.FindHistory(ctx, queueID, from, to)
}

// SummarizeHistory reads through the store; the caller has checked the principal may.
func (s *Service) SummarizeHistory(ctx context.Context) ([]store.HistorySummary, error) {
	return s.store.SummarizeHistory(ctx)
}

// LastHistoryStart returns the start of a queue's newest history point, or
// the zero time when it has none.
func (s *Service) LastHistoryStart(ctx context.Context, queueID int64) (time.Time, error) {
	return s.store.LastHistoryStart(ctx, queueID)
}
