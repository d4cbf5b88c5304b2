package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/peakwise/peakwise/scheduling"
	"github.com/peakwise/peakwise/server/fault"
)

// TemplateSet is a named, stored set of shift templates that headcount
// generation can start from. Name is unique; Version counts edits for
// optimistic concurrency.
type TemplateSet struct {
	ID          int64                `json:"id"`
	Name        string               `json:"name"`
	Description string               `json:"description"`
	Templates   scheduling.Templates `json:"templates"`
	Version     int                  `json:"version"`
	CreatedAt   time.Time            `json:"created_at"`
	UpdatedAt   time.Time            `json:"updated_at"`
}

type templateSetRow struct {
	ID          int64
	Name        string
	Description string
	Templates   string
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (templateSetRow) TableName() string { return "shift_template_sets" }

func (r templateSetRow) domain() TemplateSet {
	ts := TemplateSet{ID: r.ID, Name: r.Name, Description: r.Description, Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	// The column only ever holds what templateSetFrom wrote.
	_ = json.Unmarshal([]byte(r.Templates), &ts.Templates)
	return ts
}

func templateSetFrom(ts TemplateSet) templateSetRow {
	return templateSetRow{ID: ts.ID, Name: strings.TrimSpace(ts.Name), Description: strings.TrimSpace(ts.Description),
		Templates: jsonText(ts.Templates), Version: ts.Version}
}

// templateSetWhat names the record in error messages.
const templateSetWhat = "shift template set"

// FindTemplateSetByID returns the template set. Returns NotFound if it does
// not exist.
func (s *Store) FindTemplateSetByID(ctx context.Context, id int64) (TemplateSet, error) {
	r, err := findByID[templateSetRow](ctx, s, id, templateSetWhat)
	return r.domain(), err
}

// FindTemplateSets returns one page of template sets, by id, and the total count.
func (s *Store) FindTemplateSets(ctx context.Context, p Page) ([]TemplateSet, int, error) {
	rows, n, err := findPage[templateSetRow](s.conn(ctx), p, templateSetWhat)
	return mapRows[templateSetRow, TemplateSet](rows), n, err
}

// CreateTemplateSet stores a new template set at version 1 and returns it with
// its id. The caller validates the templates. Returns Conflict when the name
// is taken.
func (s *Store) CreateTemplateSet(ctx context.Context, ts TemplateSet) (TemplateSet, error) {
	r := templateSetFrom(ts)
	r.ID, r.Version = 0, 1
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return TemplateSet{}, nameTaken(translate(err, templateSetWhat), r.Name)
	}
	return r.domain(), nil
}

// UpdateTemplateSet overwrites the name, description and templates of the set
// ts.ID if ts.Version is still its current version, and bumps the version.
// Returns NotFound, or Conflict for a stale version or a name that another
// set has.
func (s *Store) UpdateTemplateSet(ctx context.Context, ts TemplateSet) (TemplateSet, error) {
	r := templateSetFrom(ts)
	r.Version = ts.Version + 1
	if err := updateVersioned(ctx, s, ts.ID, ts.Version, &r, templateSetWhat); err != nil {
		return TemplateSet{}, nameTaken(err, r.Name)
	}
	return s.FindTemplateSetByID(ctx, ts.ID)
}

// DeleteTemplateSet removes the template set. Drafts generated from it keep
// their shifts. Returns NotFound if it does not exist.
func (s *Store) DeleteTemplateSet(ctx context.Context, id int64) error {
	return deleteByID[templateSetRow](ctx, s, id, templateSetWhat)
}

// nameTaken turns a duplicate-key Conflict into one that names the taken
// name and the field to fix; other errors pass through.
func nameTaken(err error, name string) error {
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Code != fault.Conflict || !errors.Is(fe.Err, gorm.ErrDuplicatedKey) {
		return err
	}
	return &fault.Error{Code: fault.Conflict, Message: fmt.Sprintf("a shift template set named %q already exists", name), Err: fe.Err,
		Fields: map[string]string{"name": "is taken; choose another name"}}
}
