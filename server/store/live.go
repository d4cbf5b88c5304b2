package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The live day's change signal: a write that changes the live board (agent
// states, queue actuals, adherence exceptions) calls NotifyLive after it
// commits, and every replica's WatchLive hears of it. On PostgreSQL that is
// NOTIFY/LISTEN on a channel of this schema, so replicas on one database tell
// each other; on the embedded database, where one process serves, WatchLive
// looks for new rows every few seconds (writes of this process are signalled
// in process by the caller).

// liveChannel is the NOTIFY channel of the store's schema, so stores on
// other schemas of one database (tests) do not hear each other.
func (s *Store) liveChannel(ctx context.Context) (string, error) {
	if ch, ok := s.liveCh.Load().(string); ok {
		return ch, nil
	}
	var schema string
	if err := s.pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return "", err
	}
	ch := "peakwise_live_" + schema
	s.liveCh.Store(ch)
	return ch, nil
}

// NotifyLive tells every replica's WatchLive that the live board changed.
// On the embedded database it does nothing (see WatchLive).
func (s *Store) NotifyLive(ctx context.Context) error {
	if s.pool == nil {
		return nil
	}
	ch, err := s.liveChannel(ctx)
	if err != nil {
		return translate(err, "live notification")
	}
	_, err = s.pool.Exec(ctx, `SELECT pg_notify($1, '')`, ch)
	return translate(err, "live notification")
}

// WatchLive calls changed whenever the live board may have changed, until
// ctx ends: on PostgreSQL for every NotifyLive of any replica (and once
// after each reconnection, since a notification may have been missed), on
// the embedded database when its live rows change. Lost connections are
// retried with a growing pause, each reported to lost; it returns ctx's
// error.
func (s *Store) WatchLive(ctx context.Context, changed func(), lost func(error)) error {
	if s.pool == nil {
		return s.pollLive(ctx, changed, 3*time.Second)
	}
	pause := 100 * time.Millisecond
	for {
		err := s.listenLive(ctx, changed)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		lost(err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, 5*time.Second)
	}
}

func (s *Store) listenLive(ctx context.Context, changed func()) error {
	ch, err := s.liveChannel(ctx)
	if err != nil {
		return err
	}
	// A connection of its own, outside the pool: it waits for ever.
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
		return err
	}
	changed() // anything sent while nobody listened
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return ctx.Err()
			}
			return fmt.Errorf("waiting for live notifications: %w", err)
		}
		changed()
	}
}

// pollLive calls changed when the live rows' stamp moves.
func (s *Store) pollLive(ctx context.Context, changed func(), every time.Duration) error {
	last := ""
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		var stamp string
		err := s.conn(ctx).Raw(`SELECT (SELECT coalesce(max(id), 0) FROM agent_events) || '-' ||
			(SELECT coalesce(max(id), 0) FROM adherence_exceptions) || '-' ||
			(SELECT count(*) || '-' || coalesce(sum(offered + handled + abandoned), 0) FROM queue_actuals)`).Scan(&stamp).Error
		if err == nil && stamp != last {
			if last != "" {
				changed()
			}
			last = stamp
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
