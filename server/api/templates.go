package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/store"
)

// templateSets is the CRUD description of stored shift template sets.
func (s *API) templateSets() crud[store.TemplateSet] {
	st := s.svc
	return crud[store.TemplateSet]{
		res: auth.ShiftTemplates, what: "shift template set",
		find: st.FindTemplateSetByID, create: st.CreateTemplateSet, update: st.UpdateTemplateSet, del: st.DeleteTemplateSet,
		list: func(ctx context.Context, _ auth.Principal, p store.Page) ([]store.TemplateSet, int, error) {
			return st.FindTemplateSets(ctx, p)
		},
		meta: func(v *store.TemplateSet) (*int64, *int) { return &v.ID, &v.Version },
	}
}

// replaceTemplateSet is PUT: the body replaces the set as a whole (a field
// left out is emptied, not kept), based on the version the client read.
func replaceTemplateSet(c echo.Context, r crud[store.TemplateSet]) error {
	cur, err := r.load(c, auth.Update)
	if err != nil {
		return err
	}
	var v store.TemplateSet
	if err := decodeJSON(c, &v); err != nil {
		return err
	}
	expected, err := expectedVersion(c, v.Version)
	if err != nil {
		return err
	}
	v.ID, v.Version = cur.ID, expected
	out, err := r.update(c.Request().Context(), httpx.Principal(c), v)
	return sendTagged(c, http.StatusOK, out.Version, out, err)
}
