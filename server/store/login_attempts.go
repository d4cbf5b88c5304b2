package store

import (
	"context"
	"time"
)

type loginAttemptRow struct {
	ID          int64
	Key         string
	AttemptedAt time.Time
}

func (loginAttemptRow) TableName() string { return "login_attempts" }

// RecordLoginFailure notes a failed login under key (an email or a client address).
func (s *Store) RecordLoginFailure(ctx context.Context, key string, at time.Time) error {
	return translate(s.conn(ctx).Create(&loginAttemptRow{Key: key, AttemptedAt: at}).Error, "login attempt")
}

// ReserveLoginAttempt records an attempt under key (an email, a client
// address, or the pair) before the password is checked, and returns the
// attempt's id and how many attempts the key has since the given time, this
// one included. The insert commits before the count, so of any number of
// concurrent attempts at most max see a count of max or less, on PostgreSQL as
// on SQLite: the limit needs no lock. A successful sign-in releases its
// reservation (ReleaseLoginAttempt) or clears the key (ClearLoginFailures).
func (s *Store) ReserveLoginAttempt(ctx context.Context, key string, at, since time.Time) (int64, int, error) {
	row := loginAttemptRow{Key: key, AttemptedAt: at}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return 0, 0, translate(err, "login attempt")
	}
	n, err := s.CountLoginFailures(ctx, key, since)
	return row.ID, n, err
}

// ReleaseLoginAttempt forgets one reserved attempt.
func (s *Store) ReleaseLoginAttempt(ctx context.Context, id int64) error {
	return translate(s.conn(ctx).Delete(&loginAttemptRow{}, id).Error, "login attempt")
}

// CountLoginFailures returns the failures recorded under key since the given time.
func (s *Store) CountLoginFailures(ctx context.Context, key string, since time.Time) (int, error) {
	var n int64
	err := s.conn(ctx).Model(&loginAttemptRow{}).Where("key = ? AND attempted_at > ?", key, since).Count(&n).Error
	return int(n), translate(err, "login attempt")
}

// ClearLoginFailures forgets the failures under key (after a successful login) and
// every failure older than before.
func (s *Store) ClearLoginFailures(ctx context.Context, key string, before time.Time) error {
	err := s.conn(ctx).Where("key = ? OR attempted_at < ?", key, before).Delete(&loginAttemptRow{}).Error
	return translate(err, "login attempt")
}
