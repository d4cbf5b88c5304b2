package store

import (
	"context"
	"time"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
)

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

func (r apiTokenRow) domain() auth.APIToken {
	return auth.APIToken{ID: r.ID, UserID: r.UserID, Name: r.Name, Prefix: r.Prefix, CreatedAt: r.CreatedAt.UTC(),
		LastUsedAt: utcPtr(r.LastUsedAt), RevokedAt: utcPtr(r.RevokedAt)}
}

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
