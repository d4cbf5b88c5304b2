package store

import (
	"context"
	"strings"
	"time"

	"github.com/peakwise/peakwise/server/org"
)

type queueRow struct {
	ID                int64
	Name              string
	ChannelID         int64
	Timezone          string
	Language          string
	ServiceLevelPct   float64
	AnswerWithinSec   int
	ResponseWithinSec int
	DefaultAHTSec     int `gorm:"column:default_aht_sec"`
	ChatConcurrency   int
	IntervalMin       int
	ASATargetSec      int `gorm:"column:asa_target_sec"`
	MaxOccupancy      float64
	Shrinkage         float64
	PatienceSec       int
	// MinProficiency and MinLanguageProficiency: migration 0014.
	MinProficiency         int
	MinLanguageProficiency int
	Version                int
	CreatedAt              time.Time
	UpdatedAt              time.Time
}

func (queueRow) TableName() string { return "queues" }

func (r queueRow) domain() org.Queue {
	return org.Queue{ID: r.ID, Name: r.Name, ChannelID: r.ChannelID, Timezone: r.Timezone, Language: r.Language,
		ServiceLevelPct: r.ServiceLevelPct, AnswerWithinSec: r.AnswerWithinSec, ResponseWithinSec: r.ResponseWithinSec,
		DefaultAHTSec: r.DefaultAHTSec, ChatConcurrency: r.ChatConcurrency, IntervalMin: r.IntervalMin,
		ASATargetSec: r.ASATargetSec, MaxOccupancy: r.MaxOccupancy, Shrinkage: r.Shrinkage, PatienceSec: r.PatienceSec,
		MinProficiency: max(1, r.MinProficiency), MinLanguageProficiency: max(1, r.MinLanguageProficiency),
		Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func queueFrom(q org.Queue) queueRow {
	return queueRow{ID: q.ID, Name: strings.TrimSpace(q.Name), ChannelID: q.ChannelID, Timezone: q.Timezone, Language: q.Language,
		ServiceLevelPct: q.ServiceLevelPct, AnswerWithinSec: q.AnswerWithinSec, ResponseWithinSec: q.ResponseWithinSec,
		DefaultAHTSec: q.DefaultAHTSec, ChatConcurrency: q.ChatConcurrency, IntervalMin: q.IntervalMin,
		ASATargetSec: q.ASATargetSec, MaxOccupancy: q.MaxOccupancy, Shrinkage: q.Shrinkage, PatienceSec: q.PatienceSec,
		MinProficiency: q.MinProficiency, MinLanguageProficiency: q.MinLanguageProficiency, Version: q.Version}
}

// FindQueueByID returns the queue. Returns NotFound if it does not exist.
func (s *Store) FindQueueByID(ctx context.Context, id int64) (org.Queue, error) {
	r, err := findByID[queueRow](ctx, s, id, "queue")
	return r.domain(), err
}

// FindQueues returns one page of queues and the total count.
func (s *Store) FindQueues(ctx context.Context, p Page) ([]org.Queue, int, error) {
	rows, n, err := findPage[queueRow](s.conn(ctx), p, "queue")
	return mapRows[queueRow, org.Queue](rows), n, err
}

// CreateQueue stores a new queue. Returns Conflict on a duplicate name or a missing channel.
func (s *Store) CreateQueue(ctx context.Context, q org.Queue) (org.Queue, error) {
	r := queueFrom(q.WithDefaults())
	r.ID, r.Version = 0, 1
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return org.Queue{}, translate(err, "queue")
	}
	return r.domain(), nil
}

// UpdateQueue overwrites the queue if q.Version is still current. Returns NotFound or Conflict.
func (s *Store) UpdateQueue(ctx context.Context, q org.Queue) (org.Queue, error) {
	r := queueFrom(q)
	r.Version = q.Version + 1
	if err := updateVersioned(ctx, s, q.ID, q.Version, &r, "queue"); err != nil {
		return org.Queue{}, err
	}
	return s.FindQueueByID(ctx, q.ID)
}

// DeleteQueue removes the queue. Returns NotFound, or Conflict while records use it.
func (s *Store) DeleteQueue(ctx context.Context, id int64) error {
	return deleteByID[queueRow](ctx, s, id, "queue")
}
