package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
)

// shiftTemplates0011 stores named sets of shift templates, so planners keep
// the shift kinds they generate plans from instead of pasting them each time.
func shiftTemplates0011() *gormigrate.Migration {
	type shiftTemplateSet struct {
		ID          int64     `gorm:"primaryKey"`
		Name        string    `gorm:"size:200;not null;uniqueIndex"`
		Description string    `gorm:"size:2000;not null;default:''"`
		Templates   string    `gorm:"type:text;not null"` // JSON: scheduling.Templates
		Version     int       `gorm:"not null;default:1"`
		CreatedAt   time.Time `gorm:"not null"`
		UpdatedAt   time.Time `gorm:"not null"`
	}
	return createTables("0011_shift_templates", &shiftTemplateSet{})
}
