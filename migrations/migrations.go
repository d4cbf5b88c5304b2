// Package migrations holds Peakwise's versioned schema migrations. Each step
// declares its own frozen table shapes, never the live store models, so old
// steps keep producing the same schema as the code moves on. The same steps
// run on PostgreSQL and SQLite.
package migrations

import (
	"errors"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// All returns every migration in order. Append new steps; never edit a step
// that has shipped.
func All() []*gormigrate.Migration {
	return []*gormigrate.Migration{
		core0001(),
		jobs0002(),
		forecasting0003(),
		audit0004(),
		schedules0005(),
		requests0006(),
		swaps0007(),
		agentWishes0008(),
		queueStaffing0009(),
		quality0010(),
		shiftTemplates0011(),
		scheduleRevisions0012(),
		rosterContracts0014(),
		jobQueue0015(),
		liveDay0016(),
		forecastOfRun0017(),
		liveSettings0018(),
	}
}

// Apply runs every pending migration on db.
func Apply(db *gorm.DB) error {
	opts := *gormigrate.DefaultOptions
	opts.TableName = "schema_migrations"
	opts.UseTransaction = true
	return gormigrate.New(db, &opts, All()).Migrate()
}

func errorsJoin(errs ...error) error { return errors.Join(errs...) }

// createTables is a migration that creates tables (frozen shapes) and drops
// them, in reverse order, on rollback.
func createTables(id string, tables ...any) *gormigrate.Migration {
	return &gormigrate.Migration{
		ID:      id,
		Migrate: func(tx *gorm.DB) error { return tx.AutoMigrate(tables...) },
		Rollback: func(tx *gorm.DB) error {
			for i := len(tables) - 1; i >= 0; i-- {
				if err := tx.Migrator().DropTable(tables[i]); err != nil {
					return err
				}
			}
			return nil
		},
	}
}
