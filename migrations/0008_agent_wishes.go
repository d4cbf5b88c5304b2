package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// agentWishes0008 adds agents' availability windows and shift preferences, as JSON.
func agentWishes0008() *gormigrate.Migration {
	type agent struct {
		Availability string `gorm:"type:text;not null;default:''"`
		Preferences  string `gorm:"type:text;not null;default:''"`
	}
	return &gormigrate.Migration{
		ID: "0008_agent_wishes",
		Migrate: func(tx *gorm.DB) error {
			m := tx.Migrator()
			for _, col := range []string{"Availability", "Preferences"} {
				if !m.HasColumn(&agent{}, col) {
					if err := m.AddColumn(&agent{}, col); err != nil {
						return err
					}
				}
			}
			return nil
		},
		Rollback: func(tx *gorm.DB) error {
			m := tx.Migrator()
			return errorsJoin(m.DropColumn(&agent{}, "Availability"), m.DropColumn(&agent{}, "Preferences"))
		},
	}
}
