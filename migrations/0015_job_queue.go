package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// jobQueue0015 ties job runs to the job queue (River, which keeps its own
// tables): a run remembers its queue job, so it can be cancelled from any
// replica, and a run fanned out into items (one forecast per queue) records
// each item once, however often a rescued item is worked again.
func jobQueue0015() *gormigrate.Migration {
	type jobRun struct {
		RiverJobID *int64
	}
	type jobRunItem struct {
		ID         int64     `gorm:"primaryKey"`
		RunID      int64     `gorm:"not null;uniqueIndex:job_run_items_run_item"`
		Item       string    `gorm:"size:64;not null;uniqueIndex:job_run_items_run_item"`
		Status     string    `gorm:"size:16;not null"`
		Error      string    `gorm:"type:text;not null;default:''"`
		FinishedAt time.Time `gorm:"not null"`
	}
	return &gormigrate.Migration{
		ID: "0015_job_queue",
		Migrate: func(tx *gorm.DB) error {
			if !tx.Migrator().HasColumn(&jobRun{}, "RiverJobID") {
				if err := tx.Table("job_runs").Migrator().AddColumn(&jobRun{}, "RiverJobID"); err != nil {
					return err
				}
			}
			return tx.AutoMigrate(&jobRunItem{})
		},
		Rollback: func(tx *gorm.DB) error {
			return errorsJoin(tx.Migrator().DropTable(&jobRunItem{}), tx.Migrator().DropColumn(&jobRun{}, "RiverJobID"))
		},
	}
}
