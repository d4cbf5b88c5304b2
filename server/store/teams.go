package store

import (
	"context"
	"strings"
	"time"

	"github.com/peakwise/peakwise/server/org"
)

type teamRow struct {
	ID           int64
	SiteID       int64
	Name         string
	SupervisorID *int64
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (teamRow) TableName() string { return "teams" }

func (r teamRow) domain() org.Team {
	return org.Team{ID: r.ID, SiteID: r.SiteID, Name: r.Name, SupervisorID: r.SupervisorID, Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func teamFrom(t org.Team) teamRow {
	return teamRow{ID: t.ID, SiteID: t.SiteID, Name: strings.TrimSpace(t.Name), SupervisorID: t.SupervisorID, Version: t.Version}
}

// TeamFilter narrows FindTeams. Zero values match everything.
type TeamFilter struct {
	SupervisorID *int64
	Page         Page
}

// FindTeamByID returns the team. Returns NotFound if it does not exist.
func (s *Store) FindTeamByID(ctx context.Context, id int64) (org.Team, error) {
	r, err := findByID[teamRow](ctx, s, id, "team")
	return r.domain(), err
}

// FindTeams returns one page of teams and the total count.
func (s *Store) FindTeams(ctx context.Context, f TeamFilter) ([]org.Team, int, error) {
	q := s.conn(ctx)
	if f.SupervisorID != nil {
		q = q.Where("supervisor_id = ?", *f.SupervisorID)
	}
	rows, n, err := findPage[teamRow](q, f.Page, "team")
	return mapRows[teamRow, org.Team](rows), n, err
}

// CreateTeam stores a new team. Returns Conflict for a duplicate name in the site or a missing site.
func (s *Store) CreateTeam(ctx context.Context, t org.Team) (org.Team, error) {
	r := teamFrom(t)
	r.ID, r.Version = 0, 1
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return org.Team{}, translate(err, "team")
	}
	return r.domain(), nil
}

// UpdateTeam overwrites the team if t.Version is still current. Returns NotFound or Conflict.
func (s *Store) UpdateTeam(ctx context.Context, t org.Team) (org.Team, error) {
	r := teamFrom(t)
	r.Version = t.Version + 1
	if err := updateVersioned(ctx, s, t.ID, t.Version, &r, "team"); err != nil {
		return org.Team{}, err
	}
	return s.FindTeamByID(ctx, t.ID)
}

// DeleteTeam removes the team. Returns NotFound, or Conflict while agents belong to it.
func (s *Store) DeleteTeam(ctx context.Context, id int64) error {
	return deleteByID[teamRow](ctx, s, id, "team")
}

// SupervisedTeamIDs returns the ids of the teams userID supervises.
func (s *Store) SupervisedTeamIDs(ctx context.Context, userID int64) ([]int64, error) {
	var ids []int64
	err := s.conn(ctx).Model(&teamRow{}).Where("supervisor_id = ?", userID).Order("id").Pluck("id", &ids).Error
	return ids, translate(err, "team")
}
