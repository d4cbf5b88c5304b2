package server

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
)

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// maxRequestIDLen bounds a client's X-Request-Id; longer ones are replaced.
const maxRequestIDLen = 128

// validRequestID reports whether a client's X-Request-Id may be echoed and
// logged as given: 1 to 128 characters of letters, digits and "-_.:".
// Anything else could forge log fields or bloat every log line.
func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}

// dropUnsafeRequestID removes a client's X-Request-Id that validRequestID
// rejects, so the request-id middleware after it makes a fresh one.
func dropUnsafeRequestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header
		if id := h.Get(echo.HeaderXRequestID); id != "" && !validRequestID(id) {
			h.Del(echo.HeaderXRequestID)
		}
		return next(c)
	}
}

// secretParams are route parameters that carry a secret (a calendar feed's
// token); a request to such a route is logged by its route, not its path.
var secretParams = map[string]bool{"token": true}

// loggedPath returns the request's path for the log, or its route when the
// path holds a secret.
func loggedPath(c echo.Context) string {
	for _, name := range c.ParamNames() {
		if secretParams[name] {
			return c.Path()
		}
	}
	return c.Request().URL.Path
}

// contentSecurityPolicy fits what the pages use: their own stylesheet, two
// small inline scripts (the run page's progress poll, the evaluation form's
// live total), inline style attributes of the schedule grid, and forms and
// fetches to this origin only. No other origin may frame, script or style.
const contentSecurityPolicy = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the policy headers on every answer: the CSP above,
// no framing (clickjacking) and no content-type sniffing.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		return next(c)
	}
}

// recoverPanics turns a panic into an internal error with the stack logged.
func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				err = fault.Wrap(fault.Internal, fmt.Errorf("panic: %v\n%s", r, debug.Stack()), "internal error")
			}
		}()
		return next(c)
	}
}

// observe logs every request with its id and records its latency by route and status.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		status := c.Response().Status
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		elapsed := time.Since(start)
		s.metrics.requests.WithLabelValues(c.Request().Method, route, strconv.Itoa(status)).Observe(elapsed.Seconds())
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		if route != "/healthz" && route != "/readyz" && route != "/metrics" {
			s.log.LogAttrs(c.Request().Context(), level, "request",
				slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)),
				slog.String("method", c.Request().Method), slog.String("route", route),
				slog.String("path", loggedPath(c)), slog.Int("status", status),
				slog.Duration("duration", elapsed), slog.String("ip", c.RealIP()))
		}
		return nil
	}
}

const (
	csrfHeader    = "X-CSRF-Token"
	csrfFormField = "csrf_token"
)

// authenticate resolves the caller from an API token (Authorization: Bearer) or
// the session cookie, and checks CSRF for cookie-authenticated unsafe requests.
// It does not reject anonymous callers; requireAuth does.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		if h := c.Request().Header.Get("Authorization"); h != "" {
			secret, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				return fault.Errorf(fault.Unauthenticated, "Authorization header must be \"Bearer <token>\"")
			}
			p, err := s.svc.PrincipalFromToken(ctx, strings.TrimSpace(secret))
			if err != nil {
				return err
			}
			c.Set(httpx.PrincipalKey, p)
			return next(c)
		}
		ck, err := c.Cookie(httpx.SessionCookie)
		if err != nil || ck.Value == "" {
			return next(c)
		}
		sess, p, err := s.svc.PrincipalFromSession(ctx, ck.Value)
		if err != nil {
			if fault.Is(err, fault.Unauthenticated) {
				httpx.ClearSessionCookie(c, s.cfg.SecureCookies)
				return next(c) // an expired cookie is the same as none
			}
			return err
		}
		if !safeMethod(c.Request().Method) {
			token := c.Request().Header.Get(csrfHeader)
			if token == "" {
				token = c.FormValue(csrfFormField)
			}
			if !auth.EqualSecrets(token, sess.CSRFToken) {
				return fault.Errorf(fault.Forbidden, "missing or wrong CSRF token; reload the page and try again")
			}
		}
		c.Set(httpx.PrincipalKey, p)
		c.Set(httpx.SessionKey, sess)
		return next(c)
	}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
