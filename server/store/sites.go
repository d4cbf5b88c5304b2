package store

import (
	"context"
	"strings"
	"time"

	"github.com/peakwise/peakwise/server/org"
)

type siteRow struct {
	ID        int64
	Name      string
	Timezone  string
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (siteRow) TableName() string { return "sites" }

func (r siteRow) domain() org.Site {
	return org.Site{ID: r.ID, Name: r.Name, Timezone: r.Timezone, Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func siteFrom(s org.Site) siteRow {
	return siteRow{ID: s.ID, Name: strings.TrimSpace(s.Name), Timezone: s.Timezone, Version: s.Version}
}

// FindSiteByID returns the site. Returns NotFound if it does not exist.
func (s *Store) FindSiteByID(ctx context.Context, id int64) (org.Site, error) {
	r, err := findByID[siteRow](ctx, s, id, "site")
	return r.domain(), err
}

// FindSites returns one page of sites and the total count.
func (s *Store) FindSites(ctx context.Context, p Page) ([]org.Site, int, error) {
	rows, n, err := findPage[siteRow](s.conn(ctx), p, "site")
	return mapRows[siteRow, org.Site](rows), n, err
}

// CreateSite stores a new site and returns it with its id. Returns Conflict on a duplicate name.
func (s *Store) CreateSite(ctx context.Context, site org.Site) (org.Site, error) {
	r := siteFrom(site)
	r.ID, r.Version = 0, 1
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return org.Site{}, translate(err, "site")
	}
	return r.domain(), nil
}

// UpdateSite overwrites the site if site.Version is still current.
// Returns NotFound, or Conflict for a stale version or a duplicate name.
func (s *Store) UpdateSite(ctx context.Context, site org.Site) (org.Site, error) {
	r := siteFrom(site)
	r.Version = site.Version + 1
	if err := updateVersioned(ctx, s, site.ID, site.Version, &r, "site"); err != nil {
		return org.Site{}, err
	}
	return s.FindSiteByID(ctx, site.ID)
}

// DeleteSite removes the site. Returns NotFound, or Conflict while teams use it.
func (s *Store) DeleteSite(ctx context.Context, id int64) error {
	return deleteByID[siteRow](ctx, s, id, "site")
}
