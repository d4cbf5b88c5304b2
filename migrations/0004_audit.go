package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
)

// audit0004 adds the append-only audit trail: who changed what, when, from
// what to what, and why.
func audit0004() *gormigrate.Migration {
	type auditEvent struct {
		ID       int64     `gorm:"primaryKey"`
		At       time.Time `gorm:"not null;index"`
		ActorID  *int64    `gorm:"index"`
		Entity   string    `gorm:"size:64;not null;index:audit_events_entity"`
		EntityID int64     `gorm:"not null;index:audit_events_entity"`
		Action   string    `gorm:"size:64;not null"`
		Before   string    `gorm:"type:text;not null;default:''"`
		After    string    `gorm:"type:text;not null;default:''"`
		Reason   string    `gorm:"type:text;not null;default:''"`
	}
	return createTables("0004_audit", &auditEvent{})
}
