package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
)

// swaps0007 adds shift swap offers between agents.
func swaps0007() *gormigrate.Migration {
	type agent struct {
		ID int64 `gorm:"primaryKey"`
	}
	type swapOffer struct {
		ID           int64     `gorm:"primaryKey"`
		ShiftUID     string    `gorm:"size:64;not null;index"`
		PlanID       int64     `gorm:"not null"`
		FromAgentID  int64     `gorm:"not null;index"`
		FromAgent    *agent    `gorm:"constraint:OnDelete:CASCADE"`
		ToAgentID    *int64    `gorm:"index"` // nil: open to any agent who can work the shift
		TakerAgentID *int64    `gorm:"index"`
		Status       string    `gorm:"size:16;not null;index"`
		Note         string    `gorm:"size:500;not null;default:''"`
		ExpiresAt    time.Time `gorm:"not null"`
		CreatedAt    time.Time `gorm:"not null"`
		AcceptedAt   *time.Time
		DecidedByID  *int64 `gorm:"column:decided_by_id"`
		DecidedAt    *time.Time
		DecisionNote string `gorm:"size:500;not null;default:''"`
		Version      int    `gorm:"not null;default:1"`
	}
	return createTables("0007_swaps", &swapOffer{})
}
