package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/fault"
)

type scorecardRow struct {
	ID             int64
	FamilyID       *int64
	Version        int
	Name           string
	Sections       string
	PassThreshold  int
	AutoFailZeroes bool
	Archived       bool
	Latest         bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
	RowVersion     int
}

func (scorecardRow) TableName() string { return "scorecards" }

func (r scorecardRow) domain() qa.Scorecard {
	sc := qa.Scorecard{ID: r.ID, Name: r.Name, Version: r.Version, PassThreshold: r.PassThreshold, AutoFailZeroes: r.AutoFailZeroes,
		Archived: r.Archived, Latest: r.Latest, Revision: r.RowVersion}
	if r.FamilyID != nil {
		sc.FamilyID = *r.FamilyID
	}
	_ = json.Unmarshal([]byte(r.Sections), &sc.Sections)
	return sc
}

func scorecardFrom(sc qa.Scorecard) scorecardRow {
	r := scorecardRow{ID: sc.ID, Version: sc.Version, Name: sc.Name, Sections: jsonText(sc.Sections), PassThreshold: sc.PassThreshold,
		AutoFailZeroes: sc.AutoFailZeroes, Archived: sc.Archived, Latest: true, RowVersion: sc.Revision}
	if sc.FamilyID != 0 {
		f := sc.FamilyID
		r.FamilyID = &f
	}
	return r
}

// CreateScorecard stores the first version of a new scorecard; its family id
// is its own id.
func (s *Store) CreateScorecard(ctx context.Context, sc qa.Scorecard) (qa.Scorecard, error) {
	var out qa.Scorecard
	err := s.Tx(ctx, func(tx *Store) error {
		sc.ID, sc.FamilyID, sc.Version, sc.Revision = 0, 0, 1, 1
		row := scorecardFrom(sc)
		row.CreatedAt, row.UpdatedAt = tx.now(), tx.now()
		if err := tx.conn(ctx).Create(&row).Error; err != nil {
			return translate(err, "scorecard")
		}
		row.FamilyID = &row.ID
		if err := tx.conn(ctx).Model(&row).Update("family_id", row.ID).Error; err != nil {
			return translate(err, "scorecard")
		}
		out = row.domain()
		return nil
	})
	return out, err
}

// FindScorecardByID returns one version. Returns NotFound if it does not exist.
func (s *Store) FindScorecardByID(ctx context.Context, id int64) (qa.Scorecard, error) {
	r, err := findByID[scorecardRow](ctx, s, id, "scorecard")
	return r.domain(), err
}

// ScorecardFilter narrows FindScorecards: by default the latest version of
// every scorecard that is not archived.
type ScorecardFilter struct {
	FamilyID        int64 // every version of this scorecard, newest first
	IncludeArchived bool
	Page            Page
}

// FindScorecards returns one page of scorecards and the total count.
func (s *Store) FindScorecards(ctx context.Context, f ScorecardFilter) ([]qa.Scorecard, int, error) {
	q := s.conn(ctx)
	if f.FamilyID != 0 {
		q = q.Where("family_id = ?", f.FamilyID)
	} else {
		q = q.Where("latest = ?", true)
	}
	if !f.IncludeArchived {
		q = q.Where("archived = ?", false)
	}
	rows, n, err := findPage[scorecardRow](q, f.Page, "scorecard")
	return mapRows[scorecardRow, qa.Scorecard](rows), n, err
}

// SaveScorecard applies an edit of the scorecard version sc.ID made from
// revision sc.Revision. While no evaluation uses that version it is edited in
// place; otherwise the edit becomes a new version (a new record in the same
// family) and the old one stays as it was for its evaluations. Only the
// latest version may be edited. Returns NotFound, or Conflict for a stale
// revision or a superseded version.
func (s *Store) SaveScorecard(ctx context.Context, sc qa.Scorecard) (qa.Scorecard, error) {
	var out qa.Scorecard
	err := s.Tx(ctx, func(tx *Store) error {
		// Locked: the checks below decide between editing in place and a
		// new version, and two edits of one revision must not both pass them.
		cur, err := findForUpdate[scorecardRow](ctx, tx, sc.ID, "scorecard")
		if err != nil {
			return err
		}
		if !cur.Latest {
			return fault.Errorf(fault.Conflict, "scorecard %d is version %d, superseded by a newer version; edit the latest", cur.ID, cur.Version)
		}
		if cur.RowVersion != sc.Revision {
			return staleVersion("scorecard", sc.Revision)
		}
		var used int64
		if err := tx.conn(ctx).Model(&evaluationRow{}).Where("scorecard_id = ?", cur.ID).Count(&used).Error; err != nil {
			return translate(err, "scorecard")
		}
		version, fresh := qa.NextVersion(cur.domain(), used > 0)
		sc.FamilyID, sc.Version, sc.Archived = *cur.FamilyID, version, cur.Archived
		row := scorecardFrom(sc)
		row.UpdatedAt = tx.now()
		if fresh {
			if err := tx.conn(ctx).Model(&cur).Updates(map[string]any{"latest": false, "row_version": cur.RowVersion + 1}).Error; err != nil {
				return translate(err, "scorecard")
			}
			row.ID, row.RowVersion, row.CreatedAt = 0, 1, tx.now()
			if err := tx.conn(ctx).Create(&row).Error; err != nil {
				return translate(err, "scorecard")
			}
		} else {
			row.RowVersion = cur.RowVersion + 1
			row.CreatedAt = cur.CreatedAt
			if err := tx.conn(ctx).Model(&scorecardRow{}).Where("id = ?", cur.ID).Select("*").Omit("id", "created_at").Updates(&row).Error; err != nil {
				return translate(err, "scorecard")
			}
		}
		out = row.domain()
		return nil
	})
	return out, err
}

// SetScorecardArchived archives (or restores) every version of the
// scorecard's family. Archived scorecards keep their evaluations but take no
// new ones. Returns NotFound.
func (s *Store) SetScorecardArchived(ctx context.Context, id int64, archived bool) (qa.Scorecard, error) {
	cur, err := s.FindScorecardByID(ctx, id)
	if err != nil {
		return cur, err
	}
	if err := s.conn(ctx).Model(&scorecardRow{}).Where("family_id = ?", cur.FamilyID).
		Updates(map[string]any{"archived": archived, "row_version": gormExpr("row_version + 1")}).Error; err != nil {
		return cur, translate(err, "scorecard")
	}
	return s.FindScorecardByID(ctx, id)
}
