// Package api is Peakwise's JSON API: one file per resource, the route table
// (routes.go) and the OpenAPI document generated from it (openapi.go).
// Handlers authorize, decode the request struct (JSON tags live here),
// convert it to the use case's input and render the result.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/jobs"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
)

// API serves the JSON endpoints under /api/v1 and documents them in the
// OpenAPI document it serves.
type API struct {
	svc     *service.Service
	log     *slog.Logger
	cfg     Config
	now     func() time.Time
	api     *apiRegistry
	runner  *jobs.Runner
	jobDefs map[string]Job
}

// Config is what the JSON handlers need beside the use cases.
type Config struct {
	// Now is the clock (UTC).
	Now func() time.Time
	// SecureCookies forces the session cookie's Secure flag.
	SecureCookies bool
	// ForecastCron schedules the nightly re-forecast.
	ForecastCron string
	// Runner runs background jobs once across replicas.
	Runner *jobs.Runner
}

// New builds the JSON API over the use cases in svc.
func New(svc *service.Service, log *slog.Logger, cfg Config) *API {
	return &API{svc: svc, log: log, cfg: cfg, now: cfg.Now, api: newAPIRegistry(), runner: cfg.Runner, jobDefs: map[string]Job{}}
}

// decodeJSON reads a JSON body into v, rejecting unknown fields, trailing data
// and wrong types with an Invalid error that says where.
func decodeJSON(c echo.Context, v any) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if ct != "" && !strings.HasPrefix(ct, echo.MIMEApplicationJSON) {
		return fault.Errorf(fault.Invalid, "Content-Type must be application/json, got %q", ct)
	}
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fault.Errorf(fault.Invalid, "request body has data after the JSON value")
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return fault.Errorf(fault.TooLarge, "request body is larger than %d bytes", mbe.Limit)
	case errors.Is(err, io.EOF):
		return fault.Errorf(fault.Invalid, "request body is empty; send a JSON object")
	case errors.As(err, &syn):
		return fault.Errorf(fault.Invalid, "malformed JSON at byte %d: %v", syn.Offset, err)
	case errors.As(err, &typ):
		return &fault.Error{Code: fault.Invalid, Message: "a field has the wrong type",
			Fields: map[string]string{typ.Field: fmt.Sprintf("must be %s, got %s", typ.Type, typ.Value)}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &fault.Error{Code: fault.Invalid, Message: "unknown field", Fields: map[string]string{name: "is not a field of this resource"}}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fault.Errorf(fault.Invalid, "malformed JSON: the body ends too early")
	}
	return fault.Errorf(fault.Invalid, "malformed JSON: %v", err)
}

// pageOf reads ?limit= and ?offset=; bad values fall back to the defaults.
func pageOf(c echo.Context) store.Page {
	limit, _ := strconv.Atoi(c.QueryParam("limit"))
	offset, _ := strconv.Atoi(c.QueryParam("offset"))
	return store.Page{Limit: limit, Offset: offset}.Normalize()
}

// List is the shape of every paginated list response.
type List[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
}

func listOf[T any](items []T, total int, p store.Page) List[T] {
	if items == nil {
		items = []T{}
	}
	p = p.Normalize()
	return List[T]{Items: items, Total: total, Limit: p.Limit, Offset: p.Offset}
}

// expectedVersion returns the version a client bases its edit on: the If-Match
// header (an ETag such as "3" or W/"3") or else the body's version field.
// Returns Invalid when neither is given, so no edit is ever blind.
func expectedVersion(c echo.Context, bodyVersion int) (int, error) {
	if h := c.Request().Header.Get("If-Match"); h != "" {
		v, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(h, "W/"), `"`))
		if err != nil {
			return 0, fault.Errorf(fault.Invalid, "If-Match must be the record's ETag, such as \"3\"")
		}
		return v, nil
	}
	if bodyVersion > 0 {
		return bodyVersion, nil
	}
	return 0, &fault.Error{Code: fault.Invalid, Message: "edits must say which version they change",
		Fields: map[string]string{"version": "send the version you read, in the body or as If-Match"}}
}

func setETag(c echo.Context, version int) {
	c.Response().Header().Set("ETag", strconv.Quote(strconv.Itoa(version)))
}

func itoa64(v int64) string { return strconv.FormatInt(v, 10) }

// editRequest authorizes the action on the resource first (so a role that may
// not act learns nothing from the body's checks), then reads the :id path
// parameter, the JSON body into req and, when version is not nil, the
// version the edit is based on (If-Match, else the body's field).
func editRequest(c echo.Context, res auth.Resource, action auth.Action, req any, version *int) (int64, error) {
	if err := httpx.Principal(c).Allow(res, action); err != nil {
		return 0, err
	}
	id, err := httpx.IDParam(c)
	if err != nil {
		return 0, err
	}
	if err := decodeJSON(c, req); err != nil {
		return 0, err
	}
	if version != nil {
		if *version, err = expectedVersion(c, *version); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// transitionRequest moves a record on in its life cycle; the version may
// come as If-Match instead.
type transitionRequest struct {
	Version int `json:"version"`
}

// readTransition is editRequest for life-cycle actions, whose body may be
// empty when If-Match carries the version.
func readTransition(c echo.Context, res auth.Resource, action auth.Action) (id int64, version int, err error) {
	var req transitionRequest
	if c.Request().ContentLength == 0 {
		return authorizedVersion(c, res, action)
	}
	id, err = editRequest(c, res, action, &req, &req.Version)
	return id, req.Version, err
}

// authorizedVersion is httpx.AuthorizedID for actions whose body does not carry
// the version: it must come as If-Match.
func authorizedVersion(c echo.Context, res auth.Resource, action auth.Action) (id int64, version int, err error) {
	if id, err = httpx.AuthorizedID(c, res, action); err != nil {
		return 0, 0, err
	}
	version, err = expectedVersion(c, 0)
	return id, version, err
}

// sendList answers a page of a list, or err when the read failed.
func sendList[T any](c echo.Context, p store.Page, items []T, total int, err error) error {
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(items, total, p))
}

// sendTagged answers one record v with its version as the ETag, or err when
// reading or writing it failed.
func sendTagged(c echo.Context, status, version int, v any, err error) error {
	if err != nil {
		return err
	}
	setETag(c, version)
	return c.JSON(status, v)
}

// sendAll answers a whole list (an empty one as []), or err when the read
// failed.
func sendAll[T any](c echo.Context, items []T, err error) error {
	if err != nil {
		return err
	}
	if items == nil {
		items = []T{}
	}
	return c.JSON(http.StatusOK, items)
}

// sendFound serves the read of one record: the caller may read res, find
// reads it by the :id path parameter, and version gives its ETag.
func sendFound[T any](c echo.Context, res auth.Resource, find func(context.Context, int64) (T, error), version func(T) int) error {
	id, err := httpx.AuthorizedID(c, res, auth.Read)
	if err != nil {
		return err
	}
	v, err := find(c.Request().Context(), id)
	return sendTagged(c, http.StatusOK, version(v), v, err)
}
