package service

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/store"
)

// ValidateTemplateSet returns Invalid listing every bad field: a missing or
// too long name or description, and each problem of the templates (as
// templates.<field>, e.g. templates.templates[0] (FT8).breaks[1].latest_start_min).
func ValidateTemplateSet(ts store.TemplateSet) error {
	bad := fault.Fields{}
	switch name := strings.TrimSpace(ts.Name); {
	case name == "":
		bad.Add("name", "is required")
	case utf8.RuneCountInString(name) > 200:
		bad.Add("name", "must be at most 200 characters")
	}
	if utf8.RuneCountInString(strings.TrimSpace(ts.Description)) > 2000 {
		bad.Add("description", "must be at most 2000 characters")
	}
	if err := TemplateFields(bad, "templates", ts.Templates); err != nil {
		return err
	}
	return bad.Err("the shift template set is not valid")
}

// FindTemplateSetByID reads one shift template set. Returns NotFound.
func (s *Service) FindTemplateSetByID(ctx context.Context, id int64) (store.TemplateSet, error) {
	return s.store.FindTemplateSetByID(ctx, id)
}

// CreateTemplateSet checks the set (ValidateTemplateSet) and stores it,
// audited as p's act; the caller has checked p may. Returns Invalid naming
// the bad fields, Conflict for a duplicate name.
func (s *Service) CreateTemplateSet(ctx context.Context, p auth.Principal, ts store.TemplateSet) (store.TemplateSet, error) {
	if err := ValidateTemplateSet(ts); err != nil {
		return store.TemplateSet{}, err
	}
	return templateSetTrail.createBy(ctx, s.store, p, ts)
}

// UpdateTemplateSet checks the set (ValidateTemplateSet) and replaces it at
// its version, audited as p's act; the caller has checked p may. Returns
// Invalid naming the bad fields, NotFound, Conflict for a stale version or a
// duplicate name.
func (s *Service) UpdateTemplateSet(ctx context.Context, p auth.Principal, ts store.TemplateSet) (store.TemplateSet, error) {
	if err := ValidateTemplateSet(ts); err != nil {
		return store.TemplateSet{}, err
	}
	return templateSetTrail.updateBy(ctx, s.store, p, ts)
}

// DeleteTemplateSet removes the set, audited as p's act. Returns NotFound.
func (s *Service) DeleteTemplateSet(ctx context.Context, p auth.Principal, id int64) error {
	return templateSetTrail.deleteBy(ctx, s.store, p, id)
}
