package store

import (
	"context"
	"time"
)

// AdherenceException excuses an agent's adherence for a stretch of time (a
// system outage, an unplanned meeting). Who recorded it and when is kept, and
// the audit log has the record too.
type AdherenceException struct {
	ID          int64     `json:"id"`
	AgentID     int64     `json:"agent_id"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	Reason      string    `json:"reason"`
	CreatedByID int64     `json:"created_by_id"`
	CreatedAt   time.Time `json:"created_at"`
}

type adherenceExceptionRow struct {
	ID          int64
	AgentID     int64
	StartAt     time.Time
	EndAt       time.Time
	Reason      string
	CreatedByID int64 `gorm:"column:created_by_id"`
	CreatedAt   time.Time
}

func (adherenceExceptionRow) TableName() string { return "adherence_exceptions" }

func (r adherenceExceptionRow) domain() AdherenceException {
	return AdherenceException{ID: r.ID, AgentID: r.AgentID, Start: r.StartAt.UTC(), End: r.EndAt.UTC(), Reason: r.Reason, CreatedByID: r.CreatedByID,
		CreatedAt: r.CreatedAt.UTC()}
}

// CreateAdherenceException stores the exception. Returns Conflict for a missing agent.
func (s *Store) CreateAdherenceException(ctx context.Context, x AdherenceException) (AdherenceException, error) {
	row := adherenceExceptionRow{AgentID: x.AgentID, StartAt: x.Start.UTC(), EndAt: x.End.UTC(), Reason: x.Reason, CreatedByID: x.CreatedByID, CreatedAt: s.now()}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return AdherenceException{}, translate(err, "adherence exception")
	}
	return row.domain(), nil
}

// FindAdherenceExceptions returns the exceptions of the agents (nil: all)
// that overlap [from, to), by start.
func (s *Store) FindAdherenceExceptions(ctx context.Context, agentIDs []int64, from, to time.Time) ([]AdherenceException, error) {
	q := s.conn(ctx).Where("start_at < ? AND end_at > ?", to.UTC(), from.UTC())
	if agentIDs != nil {
		q = q.Where("agent_id IN ?", agentIDs)
	}
	var rows []adherenceExceptionRow
	err := q.Order("start_at, id").Find(&rows).Error
	return mapRows[adherenceExceptionRow, AdherenceException](rows), translate(err, "adherence exception")
}
