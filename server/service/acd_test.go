package service_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/intraday"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

type liveWorld struct {
	st    *store.Store
	svc   *service.Service
	now   time.Time
	agent org.Agent
	queue org.Queue
}

func newLiveWorld(t *testing.T, st *store.Store) *liveWorld {
	ctx := context.Background()
	w := &liveWorld{st: st, now: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)}
	var err error
	w.agent, err = st.CreateAgent(ctx, org.Agent{Name: "Ann", Email: "Ann@Example.com", Timezone: "Europe/Lisbon", Contract: org.DefaultContract})
	require.NoError(t, err)
	ch, err := st.CreateChannel(ctx, org.Channel{Key: "voice", Name: "Voice", Kind: org.Realtime})
	require.NoError(t, err)
	w.queue, err = st.CreateQueue(ctx, org.Queue{Name: "Voice PT", ChannelID: ch.ID, Timezone: "Europe/Lisbon", Language: "pt", ServiceLevelPct: 80,
		AnswerWithinSec: 20, DefaultAHTSec: 300, ChatConcurrency: 1, IntervalMin: 30, MaxOccupancy: 0.85})
	require.NoError(t, err)
	w.svc = service.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), service.Config{Now: func() time.Time { return w.now }})
	return w
}

// TestIngestAgentEventsKeepsTheGoodOnesAndStoresEachOnce: bad events are
// refused one by one with their reasons, good ones stored, resent ones
// counted as duplicates, on both databases.
func TestIngestAgentEventsKeepsTheGoodOnesAndStoresEachOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newLiveWorld(t, st)
		evs := []intraday.Event{
			{ID: "e1", Agent: "ann@example.com", State: intraday.Available, At: w.now.Add(-time.Hour)},
			{ID: "e2", Agent: fmt.Sprint(w.agent.ID), State: intraday.OnContact, Queue: "voice pt", Channel: "VOICE", At: w.now.Add(-50 * time.Minute)},
			{ID: "e3", Agent: "nobody@example.com", State: intraday.Break, At: w.now},
			{ID: "e4", Agent: "ann@example.com", State: "dancing", At: w.now.Add(time.Hour)},
			{ID: "e5", Agent: "ann@example.com", State: intraday.OnContact, Queue: "Nowhere", At: w.now},
			{ID: "e1", Agent: "ann@example.com", State: intraday.Available, At: w.now.Add(-time.Hour)},
		}
		res, err := w.svc.IngestAgentEvents(ctx, evs)
		require.NoError(t, err)
		assert.Equal(t, service.IngestResult{Received: 6, Stored: 2, Duplicates: 1, Rejected: 3, Errors: []service.EventError{
			{Index: 2, EventID: "e3", Field: "agent", Reason: `"nobody@example.com" is neither the id nor the email of an agent`},
			{Index: 3, EventID: "e4", Field: "state", Reason: `must be one of available, on_contact, after_contact_work, break, lunch, meeting, training, coaching, offline, logged_out, got "dancing"`},
			{Index: 3, EventID: "e4", Field: "at", Reason: "2026-12-07T13:00:00Z is in the future (clocks more than 5 minutes apart?)"},
			{Index: 4, EventID: "e5", Field: "queue", Reason: `"Nowhere" is neither the id nor the name of a queue`},
		}}, res)

		again, err := w.svc.IngestAgentEvents(ctx, evs[:2])
		require.NoError(t, err)
		assert.Equal(t, 0, again.Stored)
		assert.Equal(t, 2, again.Duplicates, "a resent batch changes nothing")

		stored, err := st.FindAgentEvents(ctx, store.AgentEventFilter{From: w.now.Add(-24 * time.Hour), To: w.now.Add(time.Hour)})
		require.NoError(t, err)
		require.Len(t, stored, 2)
		assert.Equal(t, intraday.OnContact, stored[1].State)
		assert.Equal(t, w.queue.ID, *stored[1].QueueID)
		assert.Equal(t, "voice", stored[1].Channel)

		_, err = w.svc.IngestAgentEvents(ctx, nil)
		assert.Equal(t, fault.Invalid, fault.CodeOf(err))
		_, err = w.svc.IngestAgentEvents(ctx, make([]intraday.Event, service.MaxEventBatch+1))
		assert.Equal(t, fault.Invalid, fault.CodeOf(err))
	})
}

// TestIngestBurstStoresEachEventOnce: 20 platform connections send
// overlapping batches at once; every event is stored exactly once, and every
// sender's tally adds up.
func TestIngestBurstStoresEachEventOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newLiveWorld(t, st)
		const senders, events = 20, 60
		batch := func(offset int) []intraday.Event {
			var evs []intraday.Event
			for i := 0; i < events; i++ {
				n := (i + offset) % events
				evs = append(evs, intraday.Event{ID: fmt.Sprintf("ev-%03d", n), Agent: "ann@example.com", State: intraday.States[n%len(intraday.States)],
					Queue: "Voice PT", At: w.now.Add(-time.Duration(events-n) * time.Minute)})
			}
			return evs
		}
		var wg sync.WaitGroup
		results := make([]service.IngestResult, senders)
		errs := make([]error, senders)
		for i := range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = w.svc.IngestAgentEvents(ctx, batch(i*3))
			}()
		}
		wg.Wait()
		total := 0
		for i := range senders {
			require.NoError(t, errs[i])
			assert.Equal(t, events, results[i].Stored+results[i].Duplicates, "sender %d: every event is stored or a duplicate", i)
			total += results[i].Stored
		}
		assert.Equal(t, events, total, "each event is stored by exactly one sender")
		stored, err := st.FindAgentEvents(ctx, store.AgentEventFilter{From: w.now.Add(-24 * time.Hour), To: w.now.Add(time.Hour)})
		require.NoError(t, err)
		assert.Len(t, stored, events, "nothing duplicated, nothing lost")
	})
}

func TestIngestQueueIntervals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newLiveWorld(t, st)
		start := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
		res, err := w.svc.IngestQueueIntervals(ctx, []service.QueueInterval{
			{Queue: "Voice PT", Start: start, IntervalMin: 30, Offered: 40, Handled: 35, Abandoned: 5, HandleSeconds: 35 * 280, AnsweredInSL: 30},
			{Queue: "Voice PT", Start: start.Add(7 * time.Minute), IntervalMin: 30, Offered: -1, Handled: 1, AnsweredInSL: 2, HandleSeconds: 1e12},
			{Queue: "Voice PT", Start: start, IntervalMin: 30, Offered: 42, Handled: 37, Abandoned: 5, HandleSeconds: 37 * 280, AnsweredInSL: 31},
		})
		require.NoError(t, err)
		assert.Equal(t, 1, res.Stored)
		assert.Equal(t, 1, res.Rejected)
		assert.Equal(t, 1, res.Duplicates, "a later report of the same interval in the batch replaces the earlier")
		fields := map[string]bool{}
		for _, e := range res.Errors {
			assert.Equal(t, 1, e.Index)
			fields[e.Field] = true
		}
		assert.Equal(t, map[string]bool{"start": true, "offered": true, "answered_within_target": true, "handle_seconds": true}, fields)

		_, err = w.svc.IngestQueueIntervals(ctx, []service.QueueInterval{{Queue: fmt.Sprint(w.queue.ID), Start: start, IntervalMin: 30, Offered: 45, Handled: 40, HandleSeconds: 40 * 280}})
		require.NoError(t, err)
		got, err := st.FindQueueActuals(ctx, w.queue.ID, start, start.Add(time.Hour))
		require.NoError(t, err)
		require.Len(t, got, 1, "one row per queue and interval")
		assert.Equal(t, 45, got[0].Offered, "the latest report wins")
	})
}

// TestIngestQueueIntervalBurstKeepsOneRowPerInterval: 20 platform connections
// report the same day's intervals at once, each in its own order and with its
// own counts; afterwards every interval is one row, whole from one report.
func TestIngestQueueIntervalBurstKeepsOneRowPerInterval(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w := newLiveWorld(t, st)
		const senders, intervals = 20, 48
		day := w.now.Add(-36 * time.Hour).Truncate(24 * time.Hour)
		report := func(sender int) []service.QueueInterval {
			var ivs []service.QueueInterval
			for i := range intervals {
				n := (i + sender*5) % intervals
				handled := 10 + sender
				ivs = append(ivs, service.QueueInterval{Queue: "Voice PT", Start: day.Add(time.Duration(n) * 30 * time.Minute), IntervalMin: 30,
					Offered: handled + 1, Handled: handled, Abandoned: 1, HandleSeconds: float64(handled * 300), AnsweredInSL: sender})
			}
			return ivs
		}
		var wg sync.WaitGroup
		errs := make([]error, senders)
		for i := range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = w.svc.IngestQueueIntervals(ctx, report(i))
			}()
		}
		wg.Wait()
		for i, err := range errs {
			require.NoError(t, err, "sender %d", i)
		}
		got, err := st.FindQueueActuals(ctx, w.queue.ID, day, day.Add(24*time.Hour))
		require.NoError(t, err)
		require.Len(t, got, intervals, "one row per interval, nothing lost or duplicated")
		for _, a := range got {
			sender := a.AnsweredInSL
			assert.Equal(t, 10+sender, a.Handled, "interval %s: handled from the report that set answered", a.Start)
			assert.Equal(t, 11+sender, a.Offered, "interval %s", a.Start)
		}
	})
}
