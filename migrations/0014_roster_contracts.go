package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// rosterContracts0014 adds the contract's name to agents (shift templates
// may be limited to contracts) and the least proficiency a queue asks of
// its agents, in its channel and in its language (1: anyone with the skill).
func rosterContracts0014() *gormigrate.Migration {
	type agent struct {
		ContractName string `gorm:"size:32;not null;default:''"`
	}
	type queue struct {
		MinProficiency         int `gorm:"not null;default:1"`
		MinLanguageProficiency int `gorm:"not null;default:1"`
	}
	type column struct {
		model any
		name  string
	}
	cols := []column{{&agent{}, "ContractName"}, {&queue{}, "MinProficiency"}, {&queue{}, "MinLanguageProficiency"}}
	return &gormigrate.Migration{
		ID: "0014_roster_contracts",
		Migrate: func(tx *gorm.DB) error {
			m := tx.Migrator()
			for _, c := range cols {
				if !m.HasColumn(c.model, c.name) {
					if err := m.AddColumn(c.model, c.name); err != nil {
						return err
					}
				}
			}
			return nil
		},
		Rollback: func(tx *gorm.DB) error {
			var errs []error
			for _, c := range cols {
				errs = append(errs, tx.Migrator().DropColumn(c.model, c.name))
			}
			return errorsJoin(errs...)
		},
	}
}
