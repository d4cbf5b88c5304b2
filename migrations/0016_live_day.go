package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
)

// liveDay0016 adds the live day: agents' state events from the contact
// center platform (one row per source event id, so a resent event is stored
// once), queue interval actuals (one row per queue and interval, the latest
// report wins), and exceptions that excuse adherence.
func liveDay0016() *gormigrate.Migration {
	type agent struct {
		ID int64 `gorm:"primaryKey"`
	}
	type queue struct {
		ID int64 `gorm:"primaryKey"`
	}
	type agentEvent struct {
		ID         int64     `gorm:"primaryKey"`
		SourceID   string    `gorm:"size:200;not null;uniqueIndex"`
		AgentID    int64     `gorm:"not null;index:agent_events_agent_at"`
		Agent      *agent    `gorm:"constraint:OnDelete:CASCADE"`
		State      string    `gorm:"size:32;not null"`
		Code       string    `gorm:"size:200;not null;default:''"`
		QueueID    *int64    `gorm:"index"`
		Queue      *queue    `gorm:"constraint:OnDelete:SET NULL"`
		Channel    string    `gorm:"size:200;not null;default:''"`
		At         time.Time `gorm:"not null;index:agent_events_agent_at"`
		ReceivedAt time.Time `gorm:"not null"`
	}
	type queueActual struct {
		ID            int64     `gorm:"primaryKey"`
		QueueID       int64     `gorm:"not null;uniqueIndex:queue_actuals_queue_start"`
		Queue         *queue    `gorm:"constraint:OnDelete:CASCADE"`
		StartAt       time.Time `gorm:"not null;uniqueIndex:queue_actuals_queue_start"`
		IntervalMin   int       `gorm:"not null"`
		Offered       int       `gorm:"not null"`
		Handled       int       `gorm:"not null"`
		Abandoned     int       `gorm:"not null"`
		HandleSeconds float64   `gorm:"not null"` // total handle time of the handled contacts
		AnsweredInSL  int       `gorm:"column:answered_in_sl;not null"`
		UpdatedAt     time.Time `gorm:"not null"`
	}
	type adherenceException struct {
		ID          int64     `gorm:"primaryKey"`
		AgentID     int64     `gorm:"not null;index:adherence_exceptions_agent_start"`
		Agent       *agent    `gorm:"constraint:OnDelete:CASCADE"`
		StartAt     time.Time `gorm:"not null;index:adherence_exceptions_agent_start"`
		EndAt       time.Time `gorm:"not null"`
		Reason      string    `gorm:"size:500;not null"`
		CreatedByID int64     `gorm:"column:created_by_id;not null"`
		CreatedAt   time.Time `gorm:"not null"`
	}
	return createTables("0016_live_day", &agentEvent{}, &queueActual{}, &adherenceException{})
}
