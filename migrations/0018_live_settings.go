package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// liveSettings0018 keeps the live day's settings an admin edits: the grace
// before a stretch out of adherence counts, which agent states keep each
// scheduled activity in adherence, and how Amazon Connect's custom statuses
// map onto states. One row (id 1); absent means the built-in defaults.
func liveSettings0018() *gormigrate.Migration {
	type liveSetting struct {
		ID              int64     `gorm:"primaryKey;autoIncrement:false"`
		GraceSeconds    int       `gorm:"not null"`
		Mapping         string    `gorm:"type:text;not null"`
		ConnectStatuses string    `gorm:"type:text;not null"`
		Version         int       `gorm:"not null"`
		UpdatedAt       time.Time `gorm:"not null"`
	}
	return &gormigrate.Migration{
		ID: "0018_live_settings",
		Migrate: func(tx *gorm.DB) error {
			return tx.AutoMigrate(&liveSetting{})
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable(&liveSetting{})
		},
	}
}
