package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/peakwise/peakwise/server/fault"
)

// LiveSettings is the stored row of the live day's settings; Mapping and
// ConnectStatuses are JSON. Version 0 means none are stored (defaults).
type LiveSettings struct {
	ID              int64     `json:"-"`
	GraceSeconds    int       `json:"grace_seconds"`
	Mapping         string    `json:"mapping"`
	ConnectStatuses string    `json:"connect_statuses"`
	Version         int       `json:"version"`
	UpdatedAt       time.Time `json:"updated_at"`
}

func (LiveSettings) TableName() string { return "live_settings" }

// FindLiveSettings returns the stored settings, or a zero row (Version 0)
// when an admin never saved any.
func (s *Store) FindLiveSettings(ctx context.Context) (LiveSettings, error) {
	var ls LiveSettings
	err := s.conn(ctx).Where("id = 1").Take(&ls).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return LiveSettings{}, nil
	}
	return ls, translate(err, "live settings")
}

// SaveLiveSettings stores ls as read at version (0: none stored yet) and
// returns it with the next version; a stale version is a Conflict.
func (s *Store) SaveLiveSettings(ctx context.Context, ls LiveSettings, version int) (LiveSettings, error) {
	ls.ID, ls.Version, ls.UpdatedAt = 1, version+1, s.now()
	if version == 0 {
		if err := s.conn(ctx).Create(&ls).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return LiveSettings{}, fault.Errorf(fault.Conflict, "the live settings were saved by someone else meanwhile; reload them")
			}
			return LiveSettings{}, translate(err, "live settings")
		}
		return ls, nil
	}
	res := s.conn(ctx).Model(&LiveSettings{}).Where("id = 1 AND version = ?", version).
		Updates(map[string]any{"grace_seconds": ls.GraceSeconds, "mapping": ls.Mapping, "connect_statuses": ls.ConnectStatuses, "version": ls.Version, "updated_at": ls.UpdatedAt})
	if res.Error != nil {
		return LiveSettings{}, translate(res.Error, "live settings")
	}
	if res.RowsAffected != 1 {
		return LiveSettings{}, fault.Errorf(fault.Conflict, "the live settings were saved by someone else meanwhile; reload them")
	}
	return ls, nil
}
