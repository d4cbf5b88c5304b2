package store

import (
	"context"
	"time"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
)

type sessionRow struct {
	ID         string
	UserID     int64
	CSRFToken  string `gorm:"column:csrf_token"`
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastSeenAt time.Time
}

func (sessionRow) TableName() string { return "sessions" }

// CreateSession stores a session.
func (s *Store) CreateSession(ctx context.Context, sess auth.Session) error {
	r := sessionRow(sess)
	return translate(s.conn(ctx).Create(&r).Error, "session")
}

// FindSession returns the unexpired session with the given id (hash).
// Returns Unauthenticated when there is none or it has expired.
func (s *Store) FindSession(ctx context.Context, id string, now time.Time) (auth.Session, error) {
	var r sessionRow
	err := s.conn(ctx).Where("id = ? AND expires_at > ?", id, now).Take(&r).Error
	if fault.Is(translate(err, "session"), fault.NotFound) {
		return auth.Session{}, fault.Errorf(fault.Unauthenticated, "your session has ended; sign in again")
	}
	return auth.Session(r), translate(err, "session")
}

// TouchSession moves the session's expiry and last-seen time.
func (s *Store) TouchSession(ctx context.Context, id string, lastSeen, expires time.Time) error {
	err := s.conn(ctx).Model(&sessionRow{}).Where("id = ?", id).
		Updates(map[string]any{"last_seen_at": lastSeen, "expires_at": expires}).Error
	return translate(err, "session")
}

// DeleteSession ends one session; ending a missing session is not an error.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	return translate(s.conn(ctx).Where("id = ?", id).Delete(&sessionRow{}).Error, "session")
}

// DeleteUserSessions ends every session of a user.
func (s *Store) DeleteUserSessions(ctx context.Context, userID int64) error {
	return translate(s.conn(ctx).Where("user_id = ?", userID).Delete(&sessionRow{}).Error, "session")
}

// DeleteExpiredSessions removes sessions that expired before now and returns how many.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	res := s.conn(ctx).Where("expires_at <= ?", now).Delete(&sessionRow{})
	return int(res.RowsAffected), translate(res.Error, "session")
}
