package web

import (
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
)

// tokenForm is the "make an API token" form of admin.html. A missing or
// unreadable user means the caller; the use case checks the name.
type tokenForm struct {
	UserID *int64 // nil: the caller
	Name   string
}

func parseTokenForm(c echo.Context) tokenForm {
	f := tokenForm{Name: strings.TrimSpace(c.FormValue("name"))}
	if id, err := strconv.ParseInt(c.FormValue("user_id"), 10, 64); err == nil {
		f.UserID = &id
	}
	return f
}

// webCreateToken handles the "POST /admin/tokens" route.
func (s *Handler) webCreateToken(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.Tokens, auth.Create); err != nil {
		return err
	}
	form := parseTokenForm(c)
	userID := p.User.ID
	if form.UserID != nil {
		userID = *form.UserID
	}
	if userID != p.User.ID && p.ScopeOf(auth.Tokens, auth.Create) != auth.All {
		return fault.Errorf(fault.Forbidden, "you may make tokens only for yourself")
	}
	secret, tok, err := s.svc.CreateToken(c.Request().Context(), userID, form.Name)
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
