// Package fault is Peakwise's small error vocabulary. Store, auth and services
// return these codes; server maps them to HTTP statuses in exactly one table.
package fault

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Code classifies an error for the caller. The set is closed on purpose.
type Code string

// The vocabulary. Anything that is not one of these is Internal.
const (
	Invalid         Code = "invalid"         // the request itself is malformed or a field is wrong
	Unauthenticated Code = "unauthenticated" // no or bad credentials
	Forbidden       Code = "forbidden"       // authenticated but not allowed
	NotFound        Code = "not_found"       // no such record, or not visible to the caller
	Conflict        Code = "conflict"        // duplicate, stale version, record in use
	Unprocessable   Code = "unprocessable"   // well-formed but cannot be processed (bad rows, rule violations)
	TooLarge        Code = "too_large"       // request body over the limit
	RateLimited     Code = "rate_limited"    // too many attempts
	Internal        Code = "internal"        // a bug or an outage; details are logged, not shown
)

// Error is an error with a code, a message safe to show the client, and
// optional per-field reasons (field name or "line 12" -> reason).
type Error struct {
	Code    Code
	Message string
	Fields  map[string]string
	Err     error // the cause, logged but never shown
	// RetryAfter, when set, is sent as the Retry-After header.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s: %s", k, e.Fields[k])
	}
	if e.Err != nil {
		fmt.Fprintf(&b, " (%v)", e.Err)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an error with the given code and a formatted client-safe message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error with the code and message that keeps err as its cause.
func Wrap(code Code, err error, message string) *Error {
	return &Error{Code: code, Message: message, Err: err}
}

// Fields collects per-field validation problems; Err returns nil when there are none.
type Fields map[string]string

// Add records a problem with a field; the first problem per field wins.
func (f Fields) Add(field, format string, args ...any) {
	if _, ok := f[field]; !ok {
		f[field] = fmt.Sprintf(format, args...)
	}
}

// Err returns an Invalid error listing the fields, or nil if there are no problems.
func (f Fields) Err(message string) error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: message, Fields: map[string]string(f)}
}

// CodeOf returns the code of the first *Error in err's chain, or Internal.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Is reports whether err carries the given code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }

// NotFoundField turns a NotFound error about a record the request refers to
// into Unprocessable, naming the request field that refers to it: the
// request is at fault, not the URL. Other errors are returned as they are.
func NotFoundField(err error, field string) error {
	var fe *Error
	if errors.As(err, &fe) && fe.Code == NotFound {
		return &Error{Code: Unprocessable, Message: fe.Message, Fields: map[string]string{field: "names no record you can use"}}
	}
	return err
}
