package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// scheduleRevisions0012 makes two wrong states of a plan impossible: two
// revisions with the same number, and more than one published revision.
// Concurrent swap approvals and publications on PostgreSQL could leave both
// before the store took the plan's lock, so the step first repairs such
// plans: the newest published revision (highest revision, then id) stays
// published and the others become superseded; a plan with a repeated
// revision number has its revisions renumbered 1, 2, ... in (revision, id)
// order.
func scheduleRevisions0012() *gormigrate.Migration {
	return &gormigrate.Migration{
		ID: "0012_schedule_revisions",
		Migrate: func(tx *gorm.DB) error {
			var twicePublished []int64
			if err := tx.Raw(`SELECT plan_id FROM schedules WHERE status = 'published' GROUP BY plan_id HAVING COUNT(*) > 1`).
				Scan(&twicePublished).Error; err != nil {
				return err
			}
			for _, plan := range twicePublished {
				var newest int64
				if err := tx.Raw(`SELECT id FROM schedules WHERE plan_id = ? AND status = 'published' ORDER BY revision DESC, id DESC LIMIT 1`, plan).
					Scan(&newest).Error; err != nil {
					return err
				}
				if err := tx.Exec(`UPDATE schedules SET status = 'superseded' WHERE plan_id = ? AND status = 'published' AND id <> ?`, plan, newest).Error; err != nil {
					return err
				}
			}
			var renumber []int64
			if err := tx.Raw(`SELECT DISTINCT plan_id FROM schedules GROUP BY plan_id, revision HAVING COUNT(*) > 1`).Scan(&renumber).Error; err != nil {
				return err
			}
			for _, plan := range renumber {
				var ids []int64
				if err := tx.Raw(`SELECT id FROM schedules WHERE plan_id = ? ORDER BY revision, id`, plan).Scan(&ids).Error; err != nil {
					return err
				}
				for i, id := range ids {
					if err := tx.Exec(`UPDATE schedules SET revision = ? WHERE id = ?`, i+1, id).Error; err != nil {
						return err
					}
				}
			}
			return errorsJoin(
				tx.Exec(`CREATE UNIQUE INDEX schedules_plan_revision ON schedules (plan_id, revision)`).Error,
				tx.Exec(`CREATE UNIQUE INDEX schedules_one_published ON schedules (plan_id) WHERE status = 'published'`).Error,
			)
		},
		Rollback: func(tx *gorm.DB) error {
			return errorsJoin(
				tx.Exec(`DROP INDEX IF EXISTS schedules_one_published`).Error,
				tx.Exec(`DROP INDEX IF EXISTS schedules_plan_revision`).Error,
			)
		},
	}
}
