package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/peakwise/peakwise/qa"
)

type calibrationRow struct {
	ID           int64
	Name         string
	ScorecardID  int64
	Interactions string
	Reviewers    string
	CalibratorID *int64 `gorm:"column:calibrator_id"`
	State        string
	CreatedByID  int64 `gorm:"column:created_by_id"`
	CreatedAt    time.Time
	ClosedAt     *time.Time
	Version      int
}

func (calibrationRow) TableName() string { return "calibration_sessions" }

func (r calibrationRow) domain() qa.CalibrationSession {
	c := qa.CalibrationSession{ID: r.ID, Name: r.Name, ScorecardID: r.ScorecardID, CalibratorID: r.CalibratorID,
		State: qa.CalibrationState(r.State), CreatedByID: r.CreatedByID, CreatedAt: r.CreatedAt.UTC(), ClosedAt: utcPtr(r.ClosedAt), Version: r.Version}
	_ = json.Unmarshal([]byte(r.Interactions), &c.InteractionIDs)
	_ = json.Unmarshal([]byte(r.Reviewers), &c.ReviewerIDs)
	return c
}

// CreateCalibration stores an open calibration session.
func (s *Store) CreateCalibration(ctx context.Context, c qa.CalibrationSession) (qa.CalibrationSession, error) {
	row := calibrationRow{Name: c.Name, ScorecardID: c.ScorecardID, Interactions: jsonText(c.InteractionIDs), Reviewers: jsonText(c.ReviewerIDs),
		CalibratorID: c.CalibratorID, State: string(qa.CalibrationOpen), CreatedByID: c.CreatedByID, CreatedAt: s.now(), Version: 1}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return qa.CalibrationSession{}, translate(err, "calibration session")
	}
	return row.domain(), nil
}

// FindCalibrationByID returns the session. Returns NotFound.
func (s *Store) FindCalibrationByID(ctx context.Context, id int64) (qa.CalibrationSession, error) {
	r, err := findByID[calibrationRow](ctx, s, id, "calibration session")
	return r.domain(), err
}

// FindCalibrations returns one page of sessions, by id, and the total count.
func (s *Store) FindCalibrations(ctx context.Context, p Page) ([]qa.CalibrationSession, int, error) {
	rows, n, err := findPage[calibrationRow](s.conn(ctx), p, "calibration session")
	return mapRows[calibrationRow, qa.CalibrationSession](rows), n, err
}

// CloseCalibration closes the session if c.Version is current. Returns NotFound or Conflict.
func (s *Store) CloseCalibration(ctx context.Context, c qa.CalibrationSession) (qa.CalibrationSession, error) {
	if err := updateState[calibrationRow](ctx, s, c.ID, c.Version, map[string]any{"state": string(qa.CalibrationClosed), "closed_at": s.now()},
		"calibration session"); err != nil {
		return qa.CalibrationSession{}, err
	}
	return s.FindCalibrationByID(ctx, c.ID)
}
