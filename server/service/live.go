package service

import (
	"context"
	"sync"

	"github.com/peakwise/peakwise/server/store"
)

// liveHub fans the live board's change signal out to this replica's
// watchers (the browsers on /live/events). One store watcher feeds it,
// started with the first subscriber and stopped by StopLive.
type liveHub struct {
	mu     sync.Mutex
	subs   map[chan struct{}]struct{}
	cancel context.CancelFunc // the store watcher's; nil until started
}

func (h *liveHub) publish() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- struct{}{}:
		default: // a signal is already waiting: one is enough
		}
	}
}

// SubscribeLive returns a channel that receives a signal whenever the live
// board may have changed, on any replica (closed when the server stops),
// and a function that ends the subscription.
func (s *Service) SubscribeLive() (<-chan struct{}, func()) {
	h := s.live
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs == nil {
		h.subs = map[chan struct{}]struct{}{}
	}
	h.subs[ch] = struct{}{}
	if h.cancel == nil {
		ctx, cancel := context.WithCancel(context.Background())
		h.cancel = cancel
		go func() {
			_ = s.store.WatchLive(ctx, h.publish, func(err error) {
				s.log.Warn("the live board's listener lost the database; retrying", "error", err)
			})
		}()
	}
	return ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(h.subs, ch)
	}
}

// StopLive stops watching for live changes and closes every subscriber's
// channel, so open streams end (on shutdown).
func (s *Service) StopLive() {
	h := s.live
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cancel != nil {
		h.cancel()
		h.cancel = nil
	}
	for ch := range h.subs {
		close(ch)
		delete(h.subs, ch)
	}
}

// liveChanged signals a committed change of the live board: through the
// database to every replica (PostgreSQL), and at once to this replica's
// watchers on the embedded database, whose watcher only polls.
func (s *Service) liveChanged(ctx context.Context) {
	if s.store.Dialect() != store.Postgres {
		s.live.publish()
		return
	}
	if err := s.store.NotifyLive(context.WithoutCancel(ctx)); err != nil {
		s.log.Warn("could not signal a live board change", "error", err)
	}
}
