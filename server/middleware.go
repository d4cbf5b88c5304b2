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
)

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
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
				slog.String("path", c.Request().URL.Path), slog.Int("status", status),
				slog.Duration("duration", elapsed), slog.String("ip", c.RealIP()))
		}
		return nil
	}
}

const (
	sessionCookie = "peakwise_session"
	csrfHeader    = "X-CSRF-Token"
	csrfFormField = "csrf_token"
	principalKey  = "principal"
	sessionKey    = "session"
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
			c.Set(principalKey, p)
			return next(c)
		}
		ck, err := c.Cookie(sessionCookie)
		if err != nil || ck.Value == "" {
			return next(c)
		}
		sess, p, err := s.svc.PrincipalFromSession(ctx, ck.Value)
		if err != nil {
			if fault.Is(err, fault.Unauthenticated) {
				s.clearSessionCookie(c)
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
		c.Set(principalKey, p)
		c.Set(sessionKey, sess)
		return next(c)
	}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// requireAuth rejects anonymous callers.
func requireAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, ok := c.Get(principalKey).(auth.Principal); !ok {
			return fault.Errorf(fault.Unauthenticated, "sign in or send an API token")
		}
		return next(c)
	}
}

// principal returns the authenticated caller; only valid behind requireAuth.
func principal(c echo.Context) auth.Principal {
	p, _ := c.Get(principalKey).(auth.Principal)
	return p
}
