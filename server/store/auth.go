package store

import (
	"context"
	"strings"
	"time"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
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

type apiTokenRow struct {
	ID         int64
	UserID     int64
	Name       string
	Prefix     string
	Hash       string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

func (apiTokenRow) TableName() string { return "api_tokens" }

type loginAttemptRow struct {
	ID          int64
	Key         string
	AttemptedAt time.Time
}

func (loginAttemptRow) TableName() string { return "login_attempts" }

func (r apiTokenRow) domain() auth.APIToken {
	return auth.APIToken{ID: r.ID, UserID: r.UserID, Name: r.Name, Prefix: r.Prefix, CreatedAt: r.CreatedAt.UTC(),
		LastUsedAt: utcPtr(r.LastUsedAt), RevokedAt: utcPtr(r.RevokedAt)}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// --- users

// UserFilter narrows FindUsers.
type UserFilter struct {
	Role *org.Role
	Page Page
}

// FindUserByID returns the user. Returns NotFound if it does not exist.
func (s *Store) FindUserByID(ctx context.Context, id int64) (org.User, error) {
	r, err := findByID[userRow](ctx, s, id, "user")
	return r.domain(), err
}

// FindUserByEmail returns the user and their password hash. Returns NotFound if there is none.
func (s *Store) FindUserByEmail(ctx context.Context, email string) (org.User, string, error) {
	var r userRow
	err := s.conn(ctx).Where("email = ?", strings.ToLower(strings.TrimSpace(email))).Take(&r).Error
	return r.domain(), r.PasswordHash, translate(err, "user")
}

// FindUsers returns one page of users and the total count.
func (s *Store) FindUsers(ctx context.Context, f UserFilter) ([]org.User, int, error) {
	q := s.conn(ctx)
	if f.Role != nil {
		q = q.Where("role = ?", string(*f.Role))
	}
	rows, n, err := findPage[userRow](q, f.Page, "user")
	return mapRows[userRow, org.User](rows), n, err
}

// CreateUser stores a new user with a password hash (empty: cannot log in yet).
// Returns Conflict on a duplicate email or an agent already linked to another user.
func (s *Store) CreateUser(ctx context.Context, u org.User, passwordHash string) (org.User, error) {
	if err := s.checkAgentExists(ctx, u.AgentID); err != nil {
		return org.User{}, err
	}
	r := userRow{Email: strings.ToLower(u.Email), Name: strings.TrimSpace(u.Name), Role: string(u.Role), PasswordHash: passwordHash,
		AgentID: u.AgentID, Disabled: u.Disabled, Version: 1}
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return org.User{}, translate(err, "user")
	}
	return r.domain(), nil
}

func (s *Store) checkAgentExists(ctx context.Context, agentID *int64) error {
	if agentID == nil {
		return nil
	}
	var n int64
	if err := s.conn(ctx).Model(&agentRow{}).Where("id = ?", *agentID).Count(&n).Error; err != nil {
		return translate(err, "agent")
	}
	if n == 0 {
		return &fault.Error{Code: fault.Invalid, Message: "invalid user", Fields: map[string]string{"agent_id": "no such agent"}}
	}
	return nil
}

// UpdateUser overwrites name, email, role, agent link and disabled flag if
// u.Version is current; the password is untouched. Disabling a user ends their
// sessions. Returns NotFound or Conflict.
func (s *Store) UpdateUser(ctx context.Context, u org.User) (org.User, error) {
	if err := s.checkAgentExists(ctx, u.AgentID); err != nil {
		return org.User{}, err
	}
	var out org.User
	err := s.Tx(ctx, func(tx *Store) error {
		res := tx.conn(ctx).Model(&userRow{}).Where("id = ? AND version = ?", u.ID, u.Version).Updates(map[string]any{
			"email": strings.ToLower(u.Email), "name": strings.TrimSpace(u.Name), "role": string(u.Role),
			"agent_id": u.AgentID, "disabled": u.Disabled, "version": u.Version + 1, "updated_at": tx.now(),
		})
		if res.Error != nil {
			return translate(res.Error, "user")
		}
		if res.RowsAffected == 0 {
			if _, err := tx.FindUserByID(ctx, u.ID); err != nil {
				return err
			}
			return staleVersion("user", u.Version)
		}
		if u.Disabled {
			if err := tx.DeleteUserSessions(ctx, u.ID); err != nil {
				return err
			}
		}
		var err error
		out, err = tx.FindUserByID(ctx, u.ID)
		return err
	})
	return out, err
}

// SetPasswordHash replaces the user's password hash and ends their sessions.
// Returns NotFound if the user does not exist.
func (s *Store) SetPasswordHash(ctx context.Context, userID int64, hash string) error {
	return s.Tx(ctx, func(tx *Store) error {
		res := tx.conn(ctx).Model(&userRow{}).Where("id = ?", userID).
			Updates(map[string]any{"password_hash": hash, "version": gormExpr("version + 1"), "updated_at": tx.now()})
		if res.Error != nil {
			return translate(res.Error, "user")
		}
		if res.RowsAffected == 0 {
			return fault.Errorf(fault.NotFound, "user not found")
		}
		return tx.DeleteUserSessions(ctx, userID)
	})
}

// DeleteUser removes the user, their sessions and tokens. Returns NotFound.
func (s *Store) DeleteUser(ctx context.Context, id int64) error {
	return deleteByID[userRow](ctx, s, id, "user")
}

// CountUsers returns how many users exist.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int64
	err := s.conn(ctx).Model(&userRow{}).Count(&n).Error
	return int(n), translate(err, "user")
}

// --- sessions

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

// --- API tokens

// CreateAPIToken stores a token by the hash of its secret.
func (s *Store) CreateAPIToken(ctx context.Context, t auth.APIToken, hash string) (auth.APIToken, error) {
	r := apiTokenRow{UserID: t.UserID, Name: t.Name, Prefix: t.Prefix, Hash: hash}
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return auth.APIToken{}, translate(err, "API token")
	}
	return r.domain(), nil
}

// FindAPITokenByHash returns the unrevoked token with that hash.
// Returns Unauthenticated when there is none or it was revoked.
func (s *Store) FindAPITokenByHash(ctx context.Context, hash string) (auth.APIToken, error) {
	var r apiTokenRow
	err := s.conn(ctx).Where("hash = ? AND revoked_at IS NULL", hash).Take(&r).Error
	if fault.Is(translate(err, "token"), fault.NotFound) {
		return auth.APIToken{}, fault.Errorf(fault.Unauthenticated, "the API token is unknown or revoked")
	}
	return r.domain(), translate(err, "API token")
}

// FindAPITokenByID returns the token. Returns NotFound if it does not exist.
func (s *Store) FindAPITokenByID(ctx context.Context, id int64) (auth.APIToken, error) {
	r, err := findByID[apiTokenRow](ctx, s, id, "API token")
	return r.domain(), err
}

// APITokenFilter narrows FindAPITokens; a nil UserID lists every user's tokens.
type APITokenFilter struct {
	UserID *int64
	Page   Page
}

// FindAPITokens returns one page of tokens (newest last) and the total count.
func (s *Store) FindAPITokens(ctx context.Context, f APITokenFilter) ([]auth.APIToken, int, error) {
	q := s.conn(ctx)
	if f.UserID != nil {
		q = q.Where("user_id = ?", *f.UserID)
	}
	rows, n, err := findPage[apiTokenRow](q, f.Page, "API token")
	return mapRows[apiTokenRow, auth.APIToken](rows), n, err
}

// TouchAPIToken records that the token was used at t. Used at most once a minute
// per token, so a busy script does not turn every read into a write.
func (s *Store) TouchAPIToken(ctx context.Context, id int64, t time.Time) error {
	err := s.conn(ctx).Model(&apiTokenRow{}).
		Where("id = ? AND (last_used_at IS NULL OR last_used_at < ?)", id, t.Add(-time.Minute)).
		Update("last_used_at", t).Error
	return translate(err, "API token")
}

// RevokeAPIToken marks the token revoked; it stops working at once on every replica.
// Returns NotFound if it does not exist. Revoking twice keeps the first time.
func (s *Store) RevokeAPIToken(ctx context.Context, id int64, at time.Time) error {
	if _, err := s.FindAPITokenByID(ctx, id); err != nil {
		return err
	}
	err := s.conn(ctx).Model(&apiTokenRow{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", at).Error
	return translate(err, "API token")
}

// --- login attempts

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
