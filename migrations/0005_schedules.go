package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
)

// schedules0005 stores shift plans (drafts and published revisions), their
// shifts and breaks, and the agents' calendar feeds.
func schedules0005() *gormigrate.Migration {
	type user struct {
		ID int64 `gorm:"primaryKey"`
	}
	type agent struct {
		ID int64 `gorm:"primaryKey"`
	}
	type queue struct {
		ID int64 `gorm:"primaryKey"`
	}
	type schedule struct {
		ID            int64     `gorm:"primaryKey"`
		PlanID        int64     `gorm:"not null;index"` // the first revision's id; revisions of one plan share it
		Revision      int       `gorm:"not null"`
		Name          string    `gorm:"size:200;not null"`
		Status        string    `gorm:"size:16;not null;index"` // draft, published, superseded
		PeriodStart   time.Time `gorm:"not null"`
		PeriodEnd     time.Time `gorm:"not null"`
		Timezone      string    `gorm:"size:64;not null"`
		CreatedByID   *int64    `gorm:"column:created_by_id"`
		CreatedBy     *user     `gorm:"constraint:OnDelete:SET NULL"`
		CreatedAt     time.Time `gorm:"not null"`
		PublishedAt   *time.Time
		PublishedByID *int64 `gorm:"column:published_by_id"`
		Report        string `gorm:"type:text;not null;default:''"`
		Changes       string `gorm:"type:text;not null;default:''"` // JSON: what changed for whom against the previous published revision
		Version       int    `gorm:"not null;default:1"`
	}
	type shift struct {
		ID          int64     `gorm:"primaryKey"`
		ScheduleID  int64     `gorm:"not null;index:shifts_schedule_agent_start"`
		Schedule    *schedule `gorm:"constraint:OnDelete:CASCADE"`
		UID         string    `gorm:"column:uid;size:64;not null;index"` // stable across revisions, for calendars
		AgentID     *int64    `gorm:"index:shifts_schedule_agent_start;index:shifts_agent_start"`
		Agent       *agent    `gorm:"constraint:OnDelete:RESTRICT"`
		QueueID     *int64    `gorm:""`
		Queue       *queue    `gorm:"constraint:OnDelete:SET NULL"`
		Template    string    `gorm:"size:64;not null"`
		StartAt     time.Time `gorm:"not null;index:shifts_schedule_agent_start;index:shifts_agent_start"`
		EndAt       time.Time `gorm:"not null"`
		PaidMinutes int       `gorm:"not null"`
		Breaks      string    `gorm:"type:text;not null;default:''"` // JSON list of {name,start,end,paid}
		Note        string    `gorm:"size:500;not null;default:''"`
		ShortNotice bool      `gorm:"not null;default:false"` // its publication changed it within 48 hours of its start
	}
	type calendarFeed struct {
		AgentID   int64  `gorm:"primaryKey;autoIncrement:false"`
		Agent     *agent `gorm:"constraint:OnDelete:CASCADE"`
		TokenHash string `gorm:"size:64;not null;uniqueIndex"`
		CreatedAt time.Time
	}
	return createTables("0005_schedules", &schedule{}, &shift{}, &calendarFeed{})
}
