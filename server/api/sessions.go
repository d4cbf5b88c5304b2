package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type loginResponse struct {
	User      org.User  `json:"user"`
	CSRFToken string    `json:"csrf_token"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (s *API) handleLogin(c echo.Context) error {
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
	secret, sess, u, err := s.svc.Login(c.Request().Context(), req.Email, req.Password, c.RealIP())
	if err != nil {
		return err
	}
	httpx.SetSessionCookie(c, s.cfg.SecureCookies, secret, sess.ExpiresAt)
	return c.JSON(http.StatusOK, loginResponse{User: u, CSRFToken: sess.CSRFToken, ExpiresAt: sess.ExpiresAt})
}

func (s *API) handleLogout(c echo.Context) error {
	if sess, ok := c.Get(httpx.SessionKey).(auth.Session); ok {
		if err := s.svc.DeleteSession(c.Request().Context(), sess.ID); err != nil {
			return err
		}
	}
	httpx.ClearSessionCookie(c, s.cfg.SecureCookies)
	return c.NoContent(http.StatusNoContent)
}

type meResponse struct {
	User      org.User `json:"user"`
	TeamIDs   []int64  `json:"team_ids"`
	CSRFToken string   `json:"csrf_token,omitempty"`
}

func (s *API) handleMe(c echo.Context) error {
	p := httpx.Principal(c)
	resp := meResponse{User: p.User, TeamIDs: p.TeamIDs}
	if sess, ok := c.Get(httpx.SessionKey).(auth.Session); ok {
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

func (s *API) handleCreateToken(c echo.Context) error {
	p := httpx.Principal(c)
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
	secret, t, err := s.svc.CreateToken(c.Request().Context(), userID, req.Name)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, createTokenResponse{Token: secret, Record: t})
}

func (s *API) handleListTokens(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.Tokens, auth.Read); err != nil {
		return err
	}
	f := store.APITokenFilter{Page: pageOf(c)}
	if p.ScopeOf(auth.Tokens, auth.Read) != auth.All {
		f.UserID = &p.User.ID
	}
	items, total, err := s.svc.FindAPITokens(c.Request().Context(), f)
	return sendList(c, f.Page, items, total, err)
}

func (s *API) handleRevokeToken(c echo.Context) error {
	p := httpx.Principal(c)
	id, err := httpx.IDParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	t, err := s.svc.FindAPITokenByID(ctx, id)
	if err != nil {
		return err
	}
	if err := p.AllowObject(auth.Tokens, auth.Delete, auth.Owner{UserID: &t.UserID}); err != nil {
		return err
	}
	if err := s.svc.RevokeAPIToken(ctx, id, s.now()); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
