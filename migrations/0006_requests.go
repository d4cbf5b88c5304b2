package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
)

// requests0006 adds agents' time-off requests. A request is immutable once
// made: an agent cancels and makes a new one; a planner or supervisor decides it.
func requests0006() *gormigrate.Migration {
	type agent struct {
		ID int64 `gorm:"primaryKey"`
	}
	type timeOffRequest struct {
		ID           int64     `gorm:"primaryKey"`
		AgentID      int64     `gorm:"not null;index:time_off_agent_start"`
		Agent        *agent    `gorm:"constraint:OnDelete:CASCADE"`
		StartAt      time.Time `gorm:"not null;index:time_off_agent_start"`
		EndAt        time.Time `gorm:"not null"`
		FullDays     bool      `gorm:"not null"`
		Reason       string    `gorm:"size:500;not null;default:''"`
		Status       string    `gorm:"size:16;not null;index"`
		CreatedByID  int64     `gorm:"column:created_by_id;not null"`
		CreatedAt    time.Time `gorm:"not null"`
		DecidedByID  *int64    `gorm:"column:decided_by_id"`
		DecidedAt    *time.Time
		DecisionNote string `gorm:"size:500;not null;default:''"`
		Version      int    `gorm:"not null;default:1"`
	}
	return createTables("0006_requests", &timeOffRequest{})
}
