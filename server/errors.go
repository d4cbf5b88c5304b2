package server

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
)

// codeOfStatus maps statuses produced by Echo itself (routing, body limit) back to the vocabulary.
var codeOfStatus = map[int]fault.Code{
	http.StatusBadRequest:            fault.Invalid,
	http.StatusUnauthorized:          fault.Unauthenticated,
	http.StatusForbidden:             fault.Forbidden,
	http.StatusNotFound:              fault.NotFound,
	http.StatusMethodNotAllowed:      fault.NotFound,
	http.StatusRequestEntityTooLarge: fault.TooLarge,
	http.StatusUnsupportedMediaType:  fault.Invalid,
	http.StatusTooManyRequests:       fault.RateLimited,
}

// errorBody is the JSON shape of every API error.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code      fault.Code        `json:"code"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
}

// asFault turns any error into a *fault.Error, keeping Echo's own statuses meaningful.
func asFault(err error) *fault.Error {
	var fe *fault.Error
	if errors.As(err, &fe) {
		return fe
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		if code, ok := codeOfStatus[he.Code]; ok {
			msg := http.StatusText(he.Code)
			if s, ok := he.Message.(string); ok && he.Code != http.StatusRequestEntityTooLarge {
				msg = s
			}
			if he.Code == http.StatusRequestEntityTooLarge {
				msg = "request body is larger than this endpoint accepts"
			}
			return &fault.Error{Code: code, Message: msg, Err: he.Internal}
		}
	}
	return &fault.Error{Code: fault.Internal, Message: "internal error", Err: err}
}

// handleError is Echo's error handler: one JSON shape, one status table, and
// internal details logged with the request id but never shown.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	fe := asFault(err)
	status := httpx.StatusOf[fe.Code]
	if status == 0 {
		status = http.StatusInternalServerError
	}
	httpx.SetRetryAfter(c, fe)
	rid := c.Response().Header().Get(echo.HeaderXRequestID)
	msg := fe.Message
	if fe.Code == fault.Internal {
		s.log.ErrorContext(c.Request().Context(), "internal error", slog.String("request_id", rid),
			slog.String("path", c.Path()), slog.Any("error", err))
		msg = "internal error; quote request id " + rid + " when you report it"
	}
	if s.renderErrorPage != nil && wantsHTML(c) {
		if s.renderErrorPage(c, status, msg) == nil {
			return
		}
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	_ = c.JSON(status, errorBody{Error: errorDetail{Code: fe.Code, Message: msg, Fields: fe.Fields, RequestID: rid}})
}

func wantsHTML(c echo.Context) bool {
	return !strings.HasPrefix(c.Request().URL.Path, "/api/") && strings.Contains(c.Request().Header.Get("Accept"), "text/html")
}
