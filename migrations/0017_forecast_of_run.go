package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// forecastOfRun0017 lets a job run store at most one forecast per queue: an
// item worked twice (rescued from a replica that died after storing its
// forecast, or running on two replicas at once) cannot add a second version.
// Earlier duplicates keep their data but lose their tie to the run.
func forecastOfRun0017() *gormigrate.Migration {
	return &gormigrate.Migration{
		ID: "0017_forecast_of_run",
		Migrate: func(tx *gorm.DB) error {
			if err := tx.Exec(`UPDATE forecasts SET job_run_id = NULL WHERE job_run_id IS NOT NULL AND id <> (
				SELECT min(f.id) FROM forecasts f WHERE f.queue_id = forecasts.queue_id AND f.job_run_id = forecasts.job_run_id)`).Error; err != nil {
				return err
			}
			return tx.Exec(`CREATE UNIQUE INDEX IF NOT EXISTS forecasts_queue_run ON forecasts (queue_id, job_run_id) WHERE job_run_id IS NOT NULL`).Error
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Exec(`DROP INDEX IF EXISTS forecasts_queue_run`).Error
		},
	}
}
