package service

import (
	"context"
	"strings"
	"time"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// Login rate limits, counted in the database so every replica sees the same
// numbers. The tight limit is per (email, address) pair, so a guesser locks
// out only their own address; the per-email limit is a loose backstop against
// guessing one account from many addresses, and the per-address limit stops
// one address trying many accounts.
const (
	loginWindow         = 15 * time.Minute
	maxAttemptsPerPair  = 5
	maxAttemptsPerEmail = 50
	maxAttemptsPerIP    = 30
)

// PrincipalFor is who u acts as: the user with, for a supervisor, the teams
// they supervise. Returns Unauthenticated for a disabled account.
func (s *Service) PrincipalFor(ctx context.Context, u org.User) (auth.Principal, error) {
	if u.Disabled {
		return auth.Principal{}, fault.Errorf(fault.Unauthenticated, "this account is disabled")
	}
	p := auth.Principal{User: u}
	if u.Role == org.RoleSupervisor {
		ids, err := s.store.SupervisedTeamIDs(ctx, u.ID)
		if err != nil {
			return auth.Principal{}, err
		}
		p.TeamIDs = ids
	}
	return p, nil
}

// PrincipalFromToken finds the principal of an API token secret and notes
// the token's use. Returns NotFound for an unknown or revoked token.
func (s *Service) PrincipalFromToken(ctx context.Context, secret string) (auth.Principal, error) {
	tok, err := s.store.FindAPITokenByHash(ctx, auth.HashSecret(secret))
	if err != nil {
		return auth.Principal{}, err
	}
	u, err := s.store.FindUserByID(ctx, tok.UserID)
	if err != nil {
		return auth.Principal{}, err
	}
	p, err := s.PrincipalFor(ctx, u)
	if err != nil {
		return auth.Principal{}, err
	}
	p.ViaToken = true
	if err := s.store.TouchAPIToken(ctx, tok.ID, s.now()); err != nil {
		return auth.Principal{}, err
	}
	return p, nil
}

// PrincipalFromSession finds the live session of a cookie secret and its
// principal, sliding the session's expiry. Returns NotFound when there is
// no such live session.
func (s *Service) PrincipalFromSession(ctx context.Context, secret string) (auth.Session, auth.Principal, error) {
	now := s.now()
	sess, err := s.store.FindSession(ctx, auth.HashSecret(secret), now)
	if err != nil {
		return auth.Session{}, auth.Principal{}, err
	}
	u, err := s.store.FindUserByID(ctx, sess.UserID)
	if err != nil {
		return auth.Session{}, auth.Principal{}, err
	}
	p, err := s.PrincipalFor(ctx, u)
	if err != nil {
		return auth.Session{}, auth.Principal{}, err
	}
	// Slide the expiry, but write at most once a minute per session.
	if now.Sub(sess.LastSeenAt) > time.Minute {
		if err := s.store.TouchSession(ctx, sess.ID, now, now.Add(s.sessionTTL)); err != nil {
			return auth.Session{}, auth.Principal{}, err
		}
	}
	return sess, p, nil
}

// Login checks the credentials and opens a session. It returns the cookie
// secret, the session and the user. Returns Unauthenticated for bad
// credentials (never saying which part was wrong) and RateLimited after too
// many attempts for the (email, address) pair, the email or the address, or
// when too many password checks already wait (see hashGate).
func (s *Service) Login(ctx context.Context, email, password, clientIP string) (string, auth.Session, org.User, error) {
	now := s.now()
	email = strings.ToLower(strings.TrimSpace(email))
	pairKey, emailKey, ipKey := "pair:"+email+"|"+clientIP, "email:"+email, "ip:"+clientIP
	since := now.Add(-loginWindow)
	// A flood beyond what the password checks can take is turned away before
	// it costs a database write.
	if err := s.passwords.enter(); err != nil {
		return "", auth.Session{}, org.User{}, err
	}
	defer s.passwords.leave()
	// Each attempt is reserved before its password is checked, so parallel
	// attempts cannot all pass a count taken before any of them is recorded.
	var ipAttempt int64
	for _, l := range []struct {
		key string
		max int
	}{{pairKey, maxAttemptsPerPair}, {emailKey, maxAttemptsPerEmail}, {ipKey, maxAttemptsPerIP}} {
		id, n, err := s.store.ReserveLoginAttempt(ctx, l.key, now, since)
		if l.key == ipKey {
			ipAttempt = id
		}
		if err != nil {
			return "", auth.Session{}, org.User{}, err
		}
		if n > l.max {
			return "", auth.Session{}, org.User{}, &fault.Error{Code: fault.RateLimited, RetryAfter: loginWindow,
				Message: "too many failed sign-ins; wait 15 minutes and try again"}
		}
	}
	u, hash, err := s.store.FindUserByEmail(ctx, email)
	if err != nil && !fault.Is(err, fault.NotFound) {
		return "", auth.Session{}, org.User{}, err
	}
	ok := false
	if err := s.passwords.run(ctx, func() {
		if u.ID == 0 {
			auth.BurnPasswordCheck(password)
			return
		}
		ok = !u.Disabled && auth.VerifyPassword(hash, password)
	}); err != nil {
		return "", auth.Session{}, org.User{}, err
	}
	if !ok {
		return "", auth.Session{}, org.User{}, fault.Errorf(fault.Unauthenticated, "wrong email or password")
	}
	secret, err := auth.NewSecret("")
	if err != nil {
		return "", auth.Session{}, org.User{}, err
	}
	csrf, err := auth.NewSecret("")
	if err != nil {
		return "", auth.Session{}, org.User{}, err
	}
	sess := auth.Session{ID: auth.HashSecret(secret), UserID: u.ID, CSRFToken: csrf, CreatedAt: now, ExpiresAt: now.Add(s.sessionTTL), LastSeenAt: now}
	err = s.store.Tx(ctx, func(tx *store.Store) error {
		if err := tx.CreateSession(ctx, sess); err != nil {
			return err
		}
		// The pair and the email start afresh; the address forgets only this
		// attempt: a correct password on a shared address must not erase the
		// failures of others there.
		if err := tx.ReleaseLoginAttempt(ctx, ipAttempt); err != nil {
			return err
		}
		if err := tx.ClearLoginFailures(ctx, pairKey, since); err != nil {
			return err
		}
		return tx.ClearLoginFailures(ctx, emailKey, since)
	})
	if err != nil {
		return "", auth.Session{}, org.User{}, err
	}
	return secret, sess, u, nil
}

// CreateToken issues a new API token for the user and returns its secret, which
// is shown once and never stored. Returns NotFound if the user does not exist.
func (s *Service) CreateToken(ctx context.Context, userID int64, name string) (string, auth.APIToken, error) {
	if _, err := s.store.FindUserByID(ctx, userID); err != nil {
		return "", auth.APIToken{}, err
	}
	secret, rec, hash, err := auth.NewAPIToken(userID, name)
	if err != nil {
		return "", auth.APIToken{}, (fault.Fields{"name": err.Error()}).Err("invalid token")
	}
	t, err := s.store.CreateAPIToken(ctx, rec, hash)
	return secret, t, err
}

// DeleteSession writes through the store; the caller has checked the principal may.
func (s *Service) DeleteSession(ctx context.Context, id string) error {
	return s.store.DeleteSession(ctx, id)
}

// FindAPITokenByID reads through the store; the caller has checked the principal may.
func (s *Service) FindAPITokenByID(ctx context.Context, id int64) (auth.APIToken, error) {
	return s.store.FindAPITokenByID(ctx, id)
}

// FindAPITokens reads through the store; the caller has checked the principal may.
func (s *Service) FindAPITokens(ctx context.Context, f store.APITokenFilter) ([]auth.APIToken, int, error) {
	return s.store.FindAPITokens(ctx, f)
}

// RevokeAPIToken writes through the store; the caller has checked the principal may.
func (s *Service) RevokeAPIToken(ctx context.Context, id int64, at time.Time) error {
	return s.store.RevokeAPIToken(ctx, id, at)
}
