package store

import (
	"context"
	"strings"
	"time"

	"github.com/peakwise/peakwise/server/org"
)

type specialDayRow struct {
	ID        int64
	QueueID   *int64
	Date      string
	Closed    bool
	Factor    float64
	Note      string
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (specialDayRow) TableName() string { return "special_days" }

func (r specialDayRow) domain() org.SpecialDay {
	return org.SpecialDay{ID: r.ID, QueueID: r.QueueID, Date: r.Date, Closed: r.Closed, Factor: r.Factor, Note: r.Note,
		Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func specialDayFrom(d org.SpecialDay) specialDayRow {
	factor := d.Factor
	if d.Closed {
		factor = 0
	}
	return specialDayRow{ID: d.ID, QueueID: d.QueueID, Date: d.Date, Closed: d.Closed, Factor: factor, Note: strings.TrimSpace(d.Note), Version: d.Version}
}

// SpecialDayFilter narrows FindSpecialDays. QueueID keeps that queue's days and
// the days of every queue; From and To (YYYY-MM-DD, inclusive) bound the dates.
type SpecialDayFilter struct {
	QueueID  *int64
	From, To string
	Page     Page
}

// FindSpecialDayByID returns the special day. Returns NotFound if it does not exist.
func (s *Store) FindSpecialDayByID(ctx context.Context, id int64) (org.SpecialDay, error) {
	r, err := findByID[specialDayRow](ctx, s, id, "special day")
	return r.domain(), err
}

// FindSpecialDays returns one page of special days and the total count.
func (s *Store) FindSpecialDays(ctx context.Context, f SpecialDayFilter) ([]org.SpecialDay, int, error) {
	q := s.conn(ctx)
	if f.QueueID != nil {
		q = q.Where("queue_id = ? OR queue_id IS NULL", *f.QueueID)
	}
	if f.From != "" {
		q = q.Where("date >= ?", f.From)
	}
	if f.To != "" {
		q = q.Where("date <= ?", f.To)
	}
	rows, n, err := findPage[specialDayRow](q, f.Page, "special day")
	return mapRows[specialDayRow, org.SpecialDay](rows), n, err
}

// CreateSpecialDay stores a special day. Returns Conflict for a missing queue.
func (s *Store) CreateSpecialDay(ctx context.Context, d org.SpecialDay) (org.SpecialDay, error) {
	r := specialDayFrom(d)
	r.ID, r.Version = 0, 1
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return org.SpecialDay{}, translate(err, "special day")
	}
	return r.domain(), nil
}

// UpdateSpecialDay overwrites the day if d.Version is still current. Returns NotFound or Conflict.
func (s *Store) UpdateSpecialDay(ctx context.Context, d org.SpecialDay) (org.SpecialDay, error) {
	r := specialDayFrom(d)
	r.Version = d.Version + 1
	if err := updateVersioned(ctx, s, d.ID, d.Version, &r, "special day"); err != nil {
		return org.SpecialDay{}, err
	}
	return s.FindSpecialDayByID(ctx, d.ID)
}

// DeleteSpecialDay removes the day. Returns NotFound.
func (s *Store) DeleteSpecialDay(ctx context.Context, id int64) error {
	return deleteByID[specialDayRow](ctx, s, id, "special day")
}
