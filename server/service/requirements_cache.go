package service

import (
	"container/list"
	"sync"
	"time"

	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// requirementsKey names one computation of QueueRequirements by everything it
// reads: the queue's targets (the whole queue but its timestamps), the
// channel's kind, the forecast version and the range. Forecast versions are
// never changed once stored, so an entry cannot go stale; the forecast's
// creation time is in the key too, in case SQLite reuses the id of a
// forecast deleted with its queue.
type requirementsKey struct {
	queue      org.Queue
	kind       org.ChannelKind
	forecastID int64
	created    int64 // the forecast's, Unix nanoseconds
	from, to   int64 // Unix nanoseconds; 0 for an open end
}

func newRequirementsKey(q org.Queue, kind org.ChannelKind, f store.Forecast, from, to time.Time) requirementsKey {
	q.CreatedAt, q.UpdatedAt = time.Time{}, time.Time{}
	k := requirementsKey{queue: q, kind: kind, forecastID: f.ID, created: f.CreatedAt.UnixNano()}
	if !from.IsZero() {
		k.from = from.UnixNano()
	}
	if !to.IsZero() {
		k.to = to.UnixNano()
	}
	return k
}

// requirementsCache keeps the most recently used requirements in this
// process, so the grid, compare and coverage pages do not run Erlang for
// every interval of a period on every view. It holds only values derived
// from stored, immutable rows: another replica computes its own.
type requirementsCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // of *requirementsEntry, most recent first
	byKey map[requirementsKey]*list.Element
}

type requirementsEntry struct {
	key requirementsKey
	req Requirements
}

func newRequirementsCache(max int) *requirementsCache {
	return &requirementsCache{max: max, order: list.New(), byKey: map[requirementsKey]*list.Element{}}
}

// get returns a copy of the cached requirements, whose interval slice the
// caller may change.
func (c *requirementsCache) get(k requirementsKey) (Requirements, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[k]
	if !ok {
		return Requirements{}, false
	}
	c.order.MoveToFront(e)
	r := e.Value.(*requirementsEntry).req
	r.Intervals = append([]RequirementInterval(nil), r.Intervals...)
	return r, true
}

// put stores a copy of r under k, evicting the least recently used entry
// beyond the bound.
func (c *requirementsCache) put(k requirementsKey, r Requirements) {
	r.Intervals = append([]RequirementInterval(nil), r.Intervals...)
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[k]; ok {
		e.Value.(*requirementsEntry).req = r
		c.order.MoveToFront(e)
		return
	}
	c.byKey[k] = c.order.PushFront(&requirementsEntry{key: k, req: r})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.byKey, last.Value.(*requirementsEntry).key)
	}
}
