package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// queueStaffing0009 adds the staffing inputs a queue needs beyond its service
// level: an ASA target, the occupancy cap, shrinkage and customers' patience.
func queueStaffing0009() *gormigrate.Migration {
	type queue struct {
		ASATargetSec int     `gorm:"column:asa_target_sec;not null;default:0"`
		MaxOccupancy float64 `gorm:"not null;default:0.85"`
		Shrinkage    float64 `gorm:"not null;default:0.3"`
		PatienceSec  int     `gorm:"not null;default:0"`
	}
	cols := []string{"ASATargetSec", "MaxOccupancy", "Shrinkage", "PatienceSec"}
	return &gormigrate.Migration{
		ID: "0009_queue_staffing",
		Migrate: func(tx *gorm.DB) error {
			m := tx.Migrator()
			for _, c := range cols {
				if !m.HasColumn(&queue{}, c) {
					if err := m.AddColumn(&queue{}, c); err != nil {
						return err
					}
				}
			}
			return nil
		},
		Rollback: func(tx *gorm.DB) error {
			var errs []error
			for _, c := range cols {
				errs = append(errs, tx.Migrator().DropColumn(&queue{}, c))
			}
			return errorsJoin(errs...)
		},
	}
}
