package web

import (
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
)

func (s *Handler) webCreateToken(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.Tokens, auth.Create); err != nil {
		return err
	}
	userID, err := strconv.ParseInt(c.FormValue("user_id"), 10, 64)
	if err != nil {
		userID = p.User.ID
	}
	if userID != p.User.ID && p.ScopeOf(auth.Tokens, auth.Create) != auth.All {
		return fault.Errorf(fault.Forbidden, "you may make tokens only for yourself")
	}
	secret, tok, err := s.svc.CreateToken(c.Request().Context(), userID, strings.TrimSpace(c.FormValue("name")))
	if err != nil {
		return s.adminFault(c, err)
	}
	return s.redirectShowingOnce(c, onceToken, "/admin", secret, "Token "+tok.Name+" made. Copy it now; it is not shown again.")
}

func (s *Handler) webRevokeToken(c echo.Context) error {
	p := httpx.Principal(c)
	id, err := httpx.AuthorizedID(c, auth.Tokens, auth.Delete)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	tok, err := s.svc.FindAPITokenByID(ctx, id)
	if err != nil {
		return err
	}
	if err := p.AllowObject(auth.Tokens, auth.Delete, auth.Owner{UserID: &tok.UserID}); err != nil {
		return err
	}
	if err := s.svc.RevokeAPIToken(ctx, id, s.now()); err != nil {
		return err
	}
	return adminDone(c, "Token "+tok.Name+" revoked; scripts using it are refused from now on.")
}
