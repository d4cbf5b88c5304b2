package server

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// Login rate limits, counted in the database so every replica sees the same numbers.
const (
	loginWindow         = 15 * time.Minute
	maxFailuresPerEmail = 5
	maxFailuresPerIP    = 30
)

func (s *Server) principalFor(ctx context.Context, u org.User) (auth.Principal, error) {
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

func (s *Server) principalFromToken(ctx context.Context, secret string) (auth.Principal, error) {
	tok, err := s.store.FindAPITokenByHash(ctx, auth.HashSecret(secret))
	if err != nil {
		return auth.Principal{}, err
	}
	u, err := s.store.FindUserByID(ctx, tok.UserID)
	if err != nil {
		return auth.Principal{}, err
	}
	p, err := s.principalFor(ctx, u)
	if err != nil {
		return auth.Principal{}, err
	}
	p.ViaToken = true
	if err := s.store.TouchAPIToken(ctx, tok.ID, s.now()); err != nil {
		return auth.Principal{}, err
	}
	return p, nil
}

func (s *Server) principalFromSession(ctx context.Context, secret string) (auth.Session, auth.Principal, error) {
	now := s.now()
	sess, err := s.store.FindSession(ctx, auth.HashSecret(secret), now)
	if err != nil {
		return auth.Session{}, auth.Principal{}, err
	}
	u, err := s.store.FindUserByID(ctx, sess.UserID)
	if err != nil {
		return auth.Session{}, auth.Principal{}, err
	}
	p, err := s.principalFor(ctx, u)
	if err != nil {
		return auth.Session{}, auth.Principal{}, err
	}
	// Slide the expiry, but write at most once a minute per session.
	if now.Sub(sess.LastSeenAt) > time.Minute {
		if err := s.store.TouchSession(ctx, sess.ID, now, now.Add(s.cfg.SessionTTL)); err != nil {
			return auth.Session{}, auth.Principal{}, err
		}
	}
	return sess, p, nil
}

// Login checks the credentials and opens a session. It returns the cookie
// secret, the session and the user. Returns Unauthenticated for bad
// credentials (never saying which part was wrong) and RateLimited after too
// many failures for the email or the client address.
func (s *Server) Login(ctx context.Context, email, password, clientIP string) (string, auth.Session, org.User, error) {
	now := s.now()
	email = strings.ToLower(strings.TrimSpace(email))
	emailKey, ipKey := "email:"+email, "ip:"+clientIP
	since := now.Add(-loginWindow)
	for key, max := range map[string]int{emailKey: maxFailuresPerEmail, ipKey: maxFailuresPerIP} {
		n, err := s.store.CountLoginFailures(ctx, key, since)
		if err != nil {
			return "", auth.Session{}, org.User{}, err
		}
		if n >= max {
			return "", auth.Session{}, org.User{}, fault.Errorf(fault.RateLimited, "too many failed sign-ins; wait 15 minutes and try again")
		}
	}
	u, hash, err := s.store.FindUserByEmail(ctx, email)
	ok := err == nil && !u.Disabled && auth.VerifyPassword(hash, password)
	if err != nil && !fault.Is(err, fault.NotFound) {
		return "", auth.Session{}, org.User{}, err
	}
	if err != nil {
		auth.BurnPasswordCheck(password)
	}
	if !ok {
		for _, key := range []string{emailKey, ipKey} {
			if err := s.store.RecordLoginFailure(ctx, key, now); err != nil {
				return "", auth.Session{}, org.User{}, err
			}
		}
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
	sess := auth.Session{ID: auth.HashSecret(secret), UserID: u.ID, CSRFToken: csrf, CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL), LastSeenAt: now}
	err = s.store.Tx(ctx, func(tx *store.Store) error {
		if err := tx.CreateSession(ctx, sess); err != nil {
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
func (s *Server) CreateToken(ctx context.Context, userID int64, name string) (string, auth.APIToken, error) {
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

func (s *Server) setSessionCookie(c echo.Context, secret string, expires time.Time) {
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.secureCookies(c), Expires: expires})
}

func (s *Server) clearSessionCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.secureCookies(c), MaxAge: -1})
}

func (s *Server) secureCookies(c echo.Context) bool {
	return s.cfg.SecureCookies || c.Scheme() == "https"
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type loginResponse struct {
	User      org.User  `json:"user"`
	CSRFToken string    `json:"csrf_token"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (s *Server) handleLogin(c echo.Context) error {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	f := fault.Fields{}
	if req.Email == "" {
		f.Add("email", "is required")
	}
	if req.Password == "" {
		f.Add("password", "is required")
	}
	if err := f.Err("email and password are required"); err != nil {
		return err
	}
	secret, sess, u, err := s.Login(c.Request().Context(), req.Email, req.Password, c.RealIP())
	if err != nil {
		return err
	}
	s.setSessionCookie(c, secret, sess.ExpiresAt)
	return c.JSON(http.StatusOK, loginResponse{User: u, CSRFToken: sess.CSRFToken, ExpiresAt: sess.ExpiresAt})
}

func (s *Server) handleLogout(c echo.Context) error {
	if sess, ok := c.Get(sessionKey).(auth.Session); ok {
		if err := s.store.DeleteSession(c.Request().Context(), sess.ID); err != nil {
			return err
		}
	}
	s.clearSessionCookie(c)
	return c.NoContent(http.StatusNoContent)
}

type meResponse struct {
	User      org.User `json:"user"`
	TeamIDs   []int64  `json:"team_ids"`
	CSRFToken string   `json:"csrf_token,omitempty"`
}

func (s *Server) handleMe(c echo.Context) error {
	p := principal(c)
	resp := meResponse{User: p.User, TeamIDs: p.TeamIDs}
	if sess, ok := c.Get(sessionKey).(auth.Session); ok {
		resp.CSRFToken = sess.CSRFToken
	}
	if resp.TeamIDs == nil {
		resp.TeamIDs = []int64{}
	}
	return c.JSON(http.StatusOK, resp)
}

type createTokenRequest struct {
	Name   string `json:"name"`
	UserID *int64 `json:"user_id"` // admins may issue tokens for others
}

type createTokenResponse struct {
	Token  string        `json:"token"`
	Record auth.APIToken `json:"record"`
}

func (s *Server) handleCreateToken(c echo.Context) error {
	p := principal(c)
	var req createTokenRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	userID := p.User.ID
	if req.UserID != nil {
		userID = *req.UserID
	}
	if err := p.AllowObject(auth.Tokens, auth.Create, auth.Owner{UserID: &userID}); err != nil {
		return err
	}
	secret, t, err := s.CreateToken(c.Request().Context(), userID, req.Name)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, createTokenResponse{Token: secret, Record: t})
}

func (s *Server) handleListTokens(c echo.Context) error {
	p := principal(c)
	if err := p.Allow(auth.Tokens, auth.Read); err != nil {
		return err
	}
	f := store.APITokenFilter{Page: pageOf(c)}
	if p.ScopeOf(auth.Tokens, auth.Read) != auth.All {
		f.UserID = &p.User.ID
	}
	items, total, err := s.store.FindAPITokens(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(items, total, f.Page))
}

func (s *Server) handleRevokeToken(c echo.Context) error {
	p := principal(c)
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	t, err := s.store.FindAPITokenByID(ctx, id)
	if err != nil {
		return err
	}
	if err := p.AllowObject(auth.Tokens, auth.Delete, auth.Owner{UserID: &t.UserID}); err != nil {
		return err
	}
	if err := s.store.RevokeAPIToken(ctx, id, s.now()); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
