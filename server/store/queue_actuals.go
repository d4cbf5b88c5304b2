package store

import (
	"context"
	"sort"
	"time"

	"gorm.io/gorm/clause"
)

// QueueActual is what happened on a queue in one interval, as the contact
// center platform reports it. A later report of the same interval replaces
// the earlier one (an interval's figures grow until it ends).
type QueueActual struct {
	QueueID     int64     `json:"queue_id"`
	Start       time.Time `json:"start"`
	IntervalMin int       `json:"interval_minutes"`
	Offered     int       `json:"offered"`
	Handled     int       `json:"handled"`
	Abandoned   int       `json:"abandoned"`
	// HandleSeconds is the total handle time of the handled contacts.
	HandleSeconds float64 `json:"handle_seconds"`
	// AnsweredInSL counts the contacts answered within the queue's target.
	AnsweredInSL int       `json:"answered_within_target"`
	UpdatedAt    time.Time `json:"updated_at"`
}

type queueActualRow struct {
	ID            int64
	QueueID       int64
	StartAt       time.Time
	IntervalMin   int
	Offered       int
	Handled       int
	Abandoned     int
	HandleSeconds float64
	AnsweredInSL  int `gorm:"column:answered_in_sl"`
	UpdatedAt     time.Time
}

func (queueActualRow) TableName() string { return "queue_actuals" }

func (r queueActualRow) domain() QueueActual {
	return QueueActual{QueueID: r.QueueID, Start: r.StartAt.UTC(), IntervalMin: r.IntervalMin, Offered: r.Offered, Handled: r.Handled,
		Abandoned: r.Abandoned, HandleSeconds: r.HandleSeconds, AnsweredInSL: r.AnsweredInSL, UpdatedAt: r.UpdatedAt.UTC()}
}

// UpsertQueueActuals stores the intervals, replacing earlier reports of the
// same queue and interval.
func (s *Store) UpsertQueueActuals(ctx context.Context, as []QueueActual) error {
	if len(as) == 0 {
		return nil
	}
	now := s.now()
	rows := make([]queueActualRow, len(as))
	for i, a := range as {
		rows[i] = queueActualRow{QueueID: a.QueueID, StartAt: a.Start.UTC(), IntervalMin: a.IntervalMin, Offered: a.Offered, Handled: a.Handled,
			Abandoned: a.Abandoned, HandleSeconds: a.HandleSeconds, AnsweredInSL: a.AnsweredInSL, UpdatedAt: now}
	}
	// One key order for every writer: two reports sharing intervals then
	// queue behind each other on PostgreSQL instead of deadlocking.
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].QueueID != rows[j].QueueID {
			return rows[i].QueueID < rows[j].QueueID
		}
		return rows[i].StartAt.Before(rows[j].StartAt)
	})
	err := s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "queue_id"}, {Name: "start_at"}},
		DoUpdates: clause.AssignmentColumns([]string{"interval_min", "offered", "handled", "abandoned", "handle_seconds", "answered_in_sl", "updated_at"}),
	}).CreateInBatches(&rows, 300).Error
	return translate(err, "queue interval")
}

// FindQueueActuals returns the queue's intervals starting in [from, to), in time order.
func (s *Store) FindQueueActuals(ctx context.Context, queueID int64, from, to time.Time) ([]QueueActual, error) {
	var rows []queueActualRow
	err := s.conn(ctx).Where("queue_id = ? AND start_at >= ? AND start_at < ?", queueID, from.UTC(), to.UTC()).Order("start_at").Find(&rows).Error
	return mapRows[queueActualRow, QueueActual](rows), translate(err, "queue interval")
}
