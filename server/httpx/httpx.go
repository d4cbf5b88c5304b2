// Package httpx holds the few HTTP helpers the JSON API (server/api), the
// pages (server/web) and the app (server) all need: the error-to-status
// table, who the caller is, the session cookie and the :id parameter. It sits
// below all three so neither room imports the other or the app that mounts it.
package httpx

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
)

// StatusOf is THE table from the error vocabulary to HTTP statuses.
var StatusOf = map[fault.Code]int{
	fault.Invalid:         http.StatusBadRequest,
	fault.Unauthenticated: http.StatusUnauthorized,
	fault.Forbidden:       http.StatusForbidden,
	fault.NotFound:        http.StatusNotFound,
	fault.Conflict:        http.StatusConflict,
	fault.Unprocessable:   http.StatusUnprocessableEntity,
	fault.TooLarge:        http.StatusRequestEntityTooLarge,
	fault.RateLimited:     http.StatusTooManyRequests,
	fault.Internal:        http.StatusInternalServerError,
}

const (
	// SessionCookie names the browser session's cookie.
	SessionCookie = "peakwise_session"
	// PrincipalKey and SessionKey are where the authentication middleware
	// leaves the caller and, for browsers, the session.
	PrincipalKey = "principal"
	SessionKey   = "session"
)

// Principal returns the authenticated caller; only valid behind the
// middleware that requires one.
func Principal(c echo.Context) auth.Principal {
	p, _ := c.Get(PrincipalKey).(auth.Principal)
	return p
}

// SignedIn reports whether the request has an authenticated caller.
func SignedIn(c echo.Context) bool {
	_, ok := c.Get(PrincipalKey).(auth.Principal)
	return ok
}

// SetSessionCookie sends the session's secret; secure forces the Secure flag,
// which is also set when the request came over HTTPS.
func SetSessionCookie(c echo.Context, secure bool, secret string, expires time.Time) {
	c.SetCookie(&http.Cookie{Name: SessionCookie, Value: secret, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: secure || c.Scheme() == "https", Expires: expires})
}

// ClearSessionCookie tells the browser to forget its session.
func ClearSessionCookie(c echo.Context, secure bool) {
	c.SetCookie(&http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: secure || c.Scheme() == "https", MaxAge: -1})
}

// IDParam parses the :id path parameter.
func IDParam(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fault.Errorf(fault.NotFound, "no record with id %q", c.Param("id"))
	}
	return id, nil
}

// AuthorizedID checks that the caller may take action on res before
// anything else (so a role that may not act learns nothing more), then
// parses the :id path parameter.
func AuthorizedID(c echo.Context, res auth.Resource, action auth.Action) (int64, error) {
	if err := Principal(c).Allow(res, action); err != nil {
		return 0, err
	}
	return IDParam(c)
}

// SetRetryAfter sends fe's Retry-After, in whole seconds, when it has one.
func SetRetryAfter(c echo.Context, fe *fault.Error) {
	if fe.RetryAfter > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int((fe.RetryAfter+time.Second-1)/time.Second)))
	}
}

// RequireAuth rejects anonymous callers.
func RequireAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !SignedIn(c) {
			return fault.Errorf(fault.Unauthenticated, "sign in or send an API token")
		}
		return next(c)
	}
}
