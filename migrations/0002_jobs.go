package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
)

// jobs0002 records background job runs. The unique (job, slot) pair lets
// exactly one replica claim a scheduled run.
func jobs0002() *gormigrate.Migration {
	type jobRun struct {
		ID          int64     `gorm:"primaryKey"`
		Job         string    `gorm:"size:64;not null;uniqueIndex:job_runs_job_slot;index:job_runs_job_started"`
		Slot        string    `gorm:"size:64;not null;uniqueIndex:job_runs_job_slot"`
		Status      string    `gorm:"size:16;not null"`
		Params      string    `gorm:"type:text;not null;default:''"`
		Result      string    `gorm:"type:text;not null;default:''"`
		Owner       string    `gorm:"size:128;not null"`
		TriggeredBy *int64    `gorm:""`
		Total       int       `gorm:"not null;default:0"`
		Done        int       `gorm:"not null;default:0"`
		Failed      int       `gorm:"not null;default:0"`
		Errors      string    `gorm:"type:text;not null;default:''"`
		StartedAt   time.Time `gorm:"not null;index:job_runs_job_started"`
		HeartbeatAt time.Time `gorm:"not null"`
		FinishedAt  *time.Time
	}
	return createTables("0002_jobs", &jobRun{})
}
