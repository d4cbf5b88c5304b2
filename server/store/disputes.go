package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/peakwise/peakwise/qa"
)

type disputeRow struct {
	ID           int64
	EvaluationID int64
	AgentID      int64
	Items        string
	Comment      string
	State        string
	Decision     string
	Reason       string
	CreatedByID  int64 `gorm:"column:created_by_id"`
	CreatedAt    time.Time
	DecidedByID  *int64 `gorm:"column:decided_by_id"`
	DecidedAt    *time.Time
	Version      int
}

func (disputeRow) TableName() string { return "disputes" }

func (r disputeRow) domain() qa.Dispute {
	d := qa.Dispute{ID: r.ID, EvaluationID: r.EvaluationID, AgentID: r.AgentID, Comment: r.Comment, State: qa.DisputeState(r.State),
		Decision: r.Decision, Reason: r.Reason, CreatedByID: r.CreatedByID, CreatedAt: r.CreatedAt.UTC(), DecidedByID: r.DecidedByID,
		DecidedAt: utcPtr(r.DecidedAt), Version: r.Version}
	_ = json.Unmarshal([]byte(r.Items), &d.Items)
	return d
}

// CreateDispute stores an open dispute.
func (s *Store) CreateDispute(ctx context.Context, d qa.Dispute) (qa.Dispute, error) {
	row := disputeRow{EvaluationID: d.EvaluationID, AgentID: d.AgentID, Items: jsonText(d.Items), Comment: d.Comment,
		State: string(qa.DisputeOpen), CreatedByID: d.CreatedByID, CreatedAt: s.now(), Version: 1}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return qa.Dispute{}, translate(err, "dispute")
	}
	return row.domain(), nil
}

// FindDisputeByID returns the dispute. Returns NotFound.
func (s *Store) FindDisputeByID(ctx context.Context, id int64) (qa.Dispute, error) {
	r, err := findByID[disputeRow](ctx, s, id, "dispute")
	return r.domain(), err
}

// DisputeFilter narrows FindDisputes. AgentIDs nil means any agent.
type DisputeFilter struct {
	AgentIDs     []int64
	EvaluationID int64
	State        qa.DisputeState
	Page         Page
}

// FindDisputes returns one page of disputes and the total count.
func (s *Store) FindDisputes(ctx context.Context, f DisputeFilter) ([]qa.Dispute, int, error) {
	q := s.conn(ctx)
	if f.AgentIDs != nil {
		q = q.Where("agent_id IN ?", nonEmpty(f.AgentIDs))
	}
	if f.EvaluationID != 0 {
		q = q.Where("evaluation_id = ?", f.EvaluationID)
	}
	if f.State != "" {
		q = q.Where("state = ?", string(f.State))
	}
	rows, n, err := findPage[disputeRow](q, f.Page, "dispute")
	return mapRows[disputeRow, qa.Dispute](rows), n, err
}

// SaveDisputeDecision writes a decision if d.Version is current. Returns
// NotFound or Conflict.
func (s *Store) SaveDisputeDecision(ctx context.Context, d qa.Dispute) (qa.Dispute, error) {
	if err := updateState[disputeRow](ctx, s, d.ID, d.Version, map[string]any{"state": string(d.State), "decision": d.Decision, "reason": d.Reason,
		"decided_by_id": d.DecidedByID, "decided_at": utcPtr(d.DecidedAt)}, "dispute"); err != nil {
		return qa.Dispute{}, err
	}
	return s.FindDisputeByID(ctx, d.ID)
}
