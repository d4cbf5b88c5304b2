package store

import (
	"context"
	"encoding/json"
	"time"
)

// AuditEvent is one entry of the append-only audit trail. Before and After are
// JSON snapshots of what changed.
type AuditEvent struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	ActorID  *int64    `json:"actor_id"`
	Entity   string    `json:"entity"`
	EntityID int64     `json:"entity_id"`
	Action   string    `json:"action"`
	Before   string    `json:"before,omitempty"`
	After    string    `json:"after,omitempty"`
	Reason   string    `json:"reason,omitempty"`
}

func (AuditEvent) TableName() string { return "audit_events" }

// Snapshot renders v as JSON for an audit event; nil gives "".
func Snapshot(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// AppendAudit records events. Use it in the same transaction as the change it
// describes, so a change and its audit entry exist together or not at all.
func (s *Store) AppendAudit(ctx context.Context, events ...AuditEvent) error {
	if len(events) == 0 {
		return nil
	}
	for i := range events {
		events[i].ID = 0
		if events[i].At.IsZero() {
			events[i].At = s.now()
		}
		events[i].At = events[i].At.UTC()
	}
	return translate(s.conn(ctx).Create(&events).Error, "audit event")
}

// FindAudit returns the trail of one entity, oldest first.
func (s *Store) FindAudit(ctx context.Context, entity string, entityID int64) ([]AuditEvent, error) {
	var evs []AuditEvent
	err := s.conn(ctx).Where("entity = ? AND entity_id = ?", entity, entityID).Order("at, id").Find(&evs).Error
	for i := range evs {
		evs[i].At = evs[i].At.UTC()
	}
	return evs, translate(err, "audit event")
}
