package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/store"
)

// crud describes a resource with the five standard endpoints. The handlers
// below do authorization, decoding and optimistic concurrency once for every
// such resource; create and update are use cases that check the record's
// rules themselves (an Invalid error names the fields), and create, update
// and del audit the change as the act of the principal they are given.
type crud[T any] struct {
	res    auth.Resource
	what   string // singular name for messages and docs
	find   func(ctx context.Context, id int64) (T, error)
	list   func(ctx context.Context, p auth.Principal, page store.Page) ([]T, int, error)
	create func(ctx context.Context, p auth.Principal, v T) (T, error)
	update func(ctx context.Context, p auth.Principal, v T) (T, error)
	del    func(ctx context.Context, p auth.Principal, id int64) error
	// owner says whose a record is; nil for shared reference data.
	owner func(v T) auth.Owner
	// meta points at the record's id and version fields.
	meta func(v *T) (id *int64, version *int)
	// defaults, if set, fills fields a client may leave out of a create.
	defaults func(v T) T
}

func (r crud[T]) ownerOf(v T) auth.Owner {
	if r.owner == nil {
		return auth.Owner{}
	}
	return r.owner(v)
}

// register adds the routes under path to g and documents them.
func (r crud[T]) register(s *API, g *echo.Group, path string) {
	var zero T
	s.api.add(g, http.MethodGet, path, r.handleList, doc{Summary: "List " + string(r.res), Tag: string(r.res), Response: List[T]{}, Resource: r.res, Action: auth.Read})
	s.api.add(g, http.MethodPost, path, r.handleCreate, doc{Summary: "Create a " + r.what, Tag: string(r.res), Request: zero, Response: zero, Status: http.StatusCreated, Resource: r.res, Action: auth.Create})
	s.api.add(g, http.MethodGet, path+"/:id", r.handleGet, doc{Summary: "Read a " + r.what, Tag: string(r.res), Response: zero, Resource: r.res, Action: auth.Read})
	s.api.add(g, http.MethodPatch, path+"/:id", r.handleUpdate, doc{Summary: "Change a " + r.what + " (send its version or If-Match)", Tag: string(r.res), Request: zero, Response: zero, Resource: r.res, Action: auth.Update})
	s.api.add(g, http.MethodDelete, path+"/:id", r.handleDelete, doc{Summary: "Delete a " + r.what, Tag: string(r.res), Status: http.StatusNoContent, Resource: r.res, Action: auth.Delete})
}

func (r crud[T]) handleList(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(r.res, auth.Read); err != nil {
		return err
	}
	page := pageOf(c)
	items, total, err := r.list(c.Request().Context(), p, page)
	return sendList(c, page, items, total, err)
}

// load finds the record and checks that p may read it and take action on it.
func (r crud[T]) load(c echo.Context, action auth.Action) (T, error) {
	var zero T
	p := httpx.Principal(c)
	if err := p.Allow(r.res, action); err != nil {
		return zero, err
	}
	id, err := httpx.IDParam(c)
	if err != nil {
		return zero, err
	}
	v, err := r.find(c.Request().Context(), id)
	if err != nil {
		return zero, err
	}
	o := r.ownerOf(v)
	if err := p.AllowObject(r.res, auth.Read, o); err != nil {
		return zero, err
	}
	if err := p.AllowObject(r.res, action, o); err != nil {
		return zero, err
	}
	return v, nil
}

func (r crud[T]) handleGet(c echo.Context) error {
	v, err := r.load(c, auth.Read)
	if err != nil {
		return err
	}
	_, version := r.meta(&v)
	setETag(c, *version)
	return c.JSON(http.StatusOK, v)
}

func (r crud[T]) handleCreate(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(r.res, auth.Create); err != nil {
		return err
	}
	var v T
	if err := decodeJSON(c, &v); err != nil {
		return err
	}
	if r.defaults != nil {
		v = r.defaults(v)
	}
	id, version := r.meta(&v)
	*id, *version = 0, 0
	if err := p.AllowObject(r.res, auth.Create, r.ownerOf(v)); err != nil {
		return err
	}
	out, err := r.create(c.Request().Context(), p, v)
	if err != nil {
		return err
	}
	id, version = r.meta(&out)
	setETag(c, *version)
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("%s/%d", c.Request().URL.Path, *id))
	return c.JSON(http.StatusCreated, out)
}

func (r crud[T]) handleUpdate(c echo.Context) error {
	v, err := r.load(c, auth.Update)
	if err != nil {
		return err
	}
	id, version := r.meta(&v)
	keepID := *id
	*version = 0 // so a body without a version is noticed
	if err := decodeJSON(c, &v); err != nil {
		return err
	}
	id, version = r.meta(&v)
	*id = keepID
	expected, err := expectedVersion(c, *version)
	if err != nil {
		return err
	}
	*version = expected
	p := httpx.Principal(c)
	if err := p.AllowObject(r.res, auth.Update, r.ownerOf(v)); err != nil {
		return err // e.g. a supervisor moving an agent to a team they do not supervise
	}
	out, err := r.update(c.Request().Context(), p, v)
	if err != nil {
		return err
	}
	_, version = r.meta(&out)
	setETag(c, *version)
	return c.JSON(http.StatusOK, out)
}

func (r crud[T]) handleDelete(c echo.Context) error {
	v, err := r.load(c, auth.Delete)
	if err != nil {
		return err
	}
	id, _ := r.meta(&v)
	if err := r.del(c.Request().Context(), httpx.Principal(c), *id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
