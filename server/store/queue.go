package store

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// migrateQueue applies the job queue's (River's) own migrations to the
// database: its tables live beside ours.
func (s *Store) migrateQueue(ctx context.Context) error {
	var err error
	if s.pool != nil {
		err = migrateRiver(ctx, riverpgxv5.New(s.pool))
	} else {
		db, derr := s.db.DB()
		if derr != nil {
			return derr
		}
		// SQLite has no advisory lock: a process migrating at the same time
		// may apply a step between our check and our write. Its step is
		// then done; look again.
		for attempt := 0; attempt < 5; attempt++ {
			if err = migrateRiver(ctx, riversqlite.New(db)); err == nil {
				break
			}
			time.Sleep(time.Duration(50*(attempt+1)) * time.Millisecond)
		}
	}
	if err != nil {
		return fmt.Errorf("migrate the job queue: %w", err)
	}
	return nil
}

func migrateRiver[TTx any](ctx context.Context, d riverdriver.Driver[TTx]) error {
	m, err := rivermigrate.New(d, nil)
	if err != nil {
		return err
	}
	_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	return err
}

// QueueDepth counts the job queue's jobs by state.
func (s *Store) QueueDepth(ctx context.Context) (map[string]int, error) {
	var rows []struct {
		State string
		N     int
	}
	err := s.conn(ctx).Raw("SELECT state, COUNT(*) AS n FROM river_job WHERE state IN ('available', 'scheduled', 'retryable', 'running') GROUP BY state").Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "job queue")
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.State] = r.N
	}
	return out, nil
}
