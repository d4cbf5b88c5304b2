package store

import (
	"encoding/json"
	"time"

	"github.com/peakwise/peakwise/server/org"
)

// Each entity's file holds its live GORM model, whose shape must match the
// migrations, and the mappers that are the only way its rows become domain
// values. This file holds what they share, and the users row (its queries
// are in auth.go).

type userRow struct {
	ID           int64
	Email        string
	Name         string
	Role         string
	PasswordHash string
	AgentID      *int64
	Disabled     bool
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (userRow) TableName() string { return "users" }

// jsonText stores a value as JSON text; marshalling plain structs and slices cannot fail.
func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func (r userRow) domain() org.User {
	return org.User{ID: r.ID, Email: r.Email, Name: r.Name, Role: org.Role(r.Role), AgentID: r.AgentID, Disabled: r.Disabled,
		Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// mapRows maps rows to domain values.
func mapRows[R interface{ domain() D }, D any](rows []R) []D {
	out := make([]D, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out
}

// utcPtr is t in UTC, or nil.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
