package store

import (
	"context"
	"time"

	"github.com/peakwise/peakwise/scheduling/calendar"
)

type timeOffRow struct {
	ID           int64
	AgentID      int64
	StartAt      time.Time
	EndAt        time.Time
	FullDays     bool
	Reason       string
	Status       string
	CreatedByID  int64 `gorm:"column:created_by_id"`
	CreatedAt    time.Time
	DecidedByID  *int64 `gorm:"column:decided_by_id"`
	DecidedAt    *time.Time
	DecisionNote string
	Version      int
}

func (timeOffRow) TableName() string { return "time_off_requests" }

func (r timeOffRow) domain() calendar.TimeOff {
	return calendar.TimeOff{ID: r.ID, AgentID: r.AgentID, Start: r.StartAt.UTC(), End: r.EndAt.UTC(), FullDays: r.FullDays, Reason: r.Reason,
		Status: calendar.TimeOffStatus(r.Status), CreatedByID: r.CreatedByID, CreatedAt: r.CreatedAt.UTC(), DecidedByID: r.DecidedByID,
		DecidedAt: utcPtr(r.DecidedAt), DecisionNote: r.DecisionNote, Version: r.Version}
}

// CreateTimeOff stores a new pending request.
func (s *Store) CreateTimeOff(ctx context.Context, r calendar.TimeOff) (calendar.TimeOff, error) {
	row := timeOffRow{AgentID: r.AgentID, StartAt: r.Start.UTC(), EndAt: r.End.UTC(), FullDays: r.FullDays, Reason: r.Reason,
		Status: string(calendar.TimeOffPending), CreatedByID: r.CreatedByID, CreatedAt: s.now(), Version: 1}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return calendar.TimeOff{}, translate(err, "time-off request")
	}
	return row.domain(), nil
}

// FindTimeOffByID returns the request. Returns NotFound if it does not exist.
func (s *Store) FindTimeOffByID(ctx context.Context, id int64) (calendar.TimeOff, error) {
	r, err := findByID[timeOffRow](ctx, s, id, "time-off request")
	return r.domain(), err
}

// TimeOffFilter narrows FindTimeOff. AgentIDs nil means any agent.
type TimeOffFilter struct {
	AgentIDs []int64
	Status   calendar.TimeOffStatus
	From, To time.Time
	Page     Page
}

// FindTimeOff returns one page of requests, ordered by id, and the total count.
func (s *Store) FindTimeOff(ctx context.Context, f TimeOffFilter) ([]calendar.TimeOff, int, error) {
	q := s.conn(ctx)
	if f.AgentIDs != nil {
		q = q.Where("agent_id IN ?", nonEmpty(f.AgentIDs))
	}
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	if !f.To.IsZero() {
		q = q.Where("start_at < ?", f.To.UTC())
	}
	if !f.From.IsZero() {
		q = q.Where("end_at > ?", f.From.UTC())
	}
	rows, n, err := findPage[timeOffRow](q, f.Page, "time-off request")
	return mapRows[timeOffRow, calendar.TimeOff](rows), n, err
}

// SaveTimeOffState writes a decision or cancellation if r.Version is current.
// Returns NotFound or Conflict.
func (s *Store) SaveTimeOffState(ctx context.Context, r calendar.TimeOff) (calendar.TimeOff, error) {
	if err := updateState[timeOffRow](ctx, s, r.ID, r.Version, map[string]any{"status": string(r.Status), "decided_by_id": r.DecidedByID,
		"decided_at": r.DecidedAt, "decision_note": r.DecisionNote}, "time-off request"); err != nil {
		return calendar.TimeOff{}, err
	}
	return s.FindTimeOffByID(ctx, r.ID)
}
