package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/peakwise/peakwise/qa"
)

type coachingRow struct {
	ID           int64
	AgentID      int64
	TeamID       *int64
	CoachID      int64 `gorm:"column:coach_id"`
	EvaluationID *int64
	Criteria     string
	FollowUpOf   *int64 `gorm:"column:follow_up_of"`
	Topic        string
	Goals        string
	State        string
	DueAt        time.Time
	HeldAt       *time.Time
	AckAt        *time.Time `gorm:"column:acknowledged_at"`
	BookedStart  *time.Time
	BookedEnd    *time.Time
	BookedShift  string `gorm:"column:booked_shift_uid"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Version      int
}

func (coachingRow) TableName() string { return "coaching_sessions" }

func (r coachingRow) domain() qa.CoachingSession {
	c := qa.CoachingSession{ID: r.ID, AgentID: r.AgentID, TeamID: r.TeamID, CoachID: r.CoachID, EvaluationID: r.EvaluationID,
		FollowUpOf: r.FollowUpOf, Topic: r.Topic, Goals: r.Goals, State: qa.CoachingState(r.State), DueAt: r.DueAt.UTC(),
		HeldAt: utcPtr(r.HeldAt), AckAt: utcPtr(r.AckAt), BookedStart: utcPtr(r.BookedStart), BookedEnd: utcPtr(r.BookedEnd), BookedShift: r.BookedShift,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		Version: r.Version, Notes: []qa.CoachingNote{}}
	_ = json.Unmarshal([]byte(r.Criteria), &c.Criteria)
	if c.Criteria == nil {
		c.Criteria = []string{}
	}
	return c
}

type coachingNoteRow struct {
	ID        int64
	SessionID int64
	AuthorID  int64 `gorm:"column:author_id"`
	Body      string
	Shared    bool
	CreatedAt time.Time
}

func (coachingNoteRow) TableName() string { return "coaching_notes" }

func (r coachingNoteRow) domain() qa.CoachingNote {
	return qa.CoachingNote{ID: r.ID, SessionID: r.SessionID, AuthorID: r.AuthorID, Body: r.Body, Shared: r.Shared, CreatedAt: r.CreatedAt.UTC()}
}

// CreateCoaching stores a planned session with its first notes.
func (s *Store) CreateCoaching(ctx context.Context, c qa.CoachingSession) (qa.CoachingSession, error) {
	var out qa.CoachingSession
	err := s.Tx(ctx, func(tx *Store) error {
		row := coachingRow{AgentID: c.AgentID, TeamID: c.TeamID, CoachID: c.CoachID, EvaluationID: c.EvaluationID, Criteria: jsonText(c.Criteria),
			FollowUpOf: c.FollowUpOf, Topic: c.Topic, Goals: c.Goals, State: string(c.State), DueAt: c.DueAt.UTC(),
			CreatedAt: tx.now(), UpdatedAt: tx.now(), Version: 1}
		if c.Criteria == nil {
			row.Criteria = "[]"
		}
		if err := tx.conn(ctx).Create(&row).Error; err != nil {
			return translate(err, "coaching session")
		}
		for _, n := range c.Notes {
			n.SessionID = row.ID
			if _, err := tx.AddCoachingNote(ctx, n); err != nil {
				return err
			}
		}
		var err error
		out, err = tx.FindCoachingByID(ctx, row.ID)
		return err
	})
	return out, err
}

// AddCoachingNote appends a note to a session.
func (s *Store) AddCoachingNote(ctx context.Context, n qa.CoachingNote) (qa.CoachingNote, error) {
	row := coachingNoteRow{SessionID: n.SessionID, AuthorID: n.AuthorID, Body: n.Body, Shared: n.Shared, CreatedAt: s.now()}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return qa.CoachingNote{}, translate(err, "coaching note")
	}
	return row.domain(), nil
}

// FindCoachingByID returns the session with all its notes. Returns NotFound.
func (s *Store) FindCoachingByID(ctx context.Context, id int64) (qa.CoachingSession, error) {
	r, err := findByID[coachingRow](ctx, s, id, "coaching session")
	if err != nil {
		return qa.CoachingSession{}, err
	}
	c := r.domain()
	var notes []coachingNoteRow
	if err := s.conn(ctx).Where("session_id = ?", id).Order("created_at, id").Find(&notes).Error; err != nil {
		return c, translate(err, "coaching note")
	}
	c.Notes = mapRows[coachingNoteRow, qa.CoachingNote](notes)
	return c, nil
}

// CoachingFilter narrows FindCoaching. AgentIDs nil means any agent.
type CoachingFilter struct {
	AgentIDs  []int64
	CoachID   int64
	States    []qa.CoachingState
	DueBefore time.Time
	Page      Page
}

// FindCoaching returns one page of sessions (without notes) and the total count.
func (s *Store) FindCoaching(ctx context.Context, f CoachingFilter) ([]qa.CoachingSession, int, error) {
	q := s.conn(ctx)
	if f.AgentIDs != nil {
		q = q.Where("agent_id IN ?", nonEmpty(f.AgentIDs))
	}
	if f.CoachID != 0 {
		q = q.Where("coach_id = ?", f.CoachID)
	}
	if len(f.States) > 0 {
		states := make([]string, len(f.States))
		for i, st := range f.States {
			states[i] = string(st)
		}
		q = q.Where("state IN ?", states)
	}
	if !f.DueBefore.IsZero() {
		q = q.Where("due_at < ?", f.DueBefore.UTC())
	}
	rows, n, err := findPage[coachingRow](q, f.Page, "coaching session")
	return mapRows[coachingRow, qa.CoachingSession](rows), n, err
}

// SaveCoachingState writes a session's state, goals and times if c.Version
// is current. Returns NotFound or Conflict.
func (s *Store) SaveCoachingState(ctx context.Context, c qa.CoachingSession) (qa.CoachingSession, error) {
	if err := updateState[coachingRow](ctx, s, c.ID, c.Version, map[string]any{"state": string(c.State), "goals": c.Goals, "due_at": c.DueAt.UTC(),
		"held_at": utcPtr(c.HeldAt), "acknowledged_at": utcPtr(c.AckAt), "updated_at": s.now()}, "coaching session"); err != nil {
		return qa.CoachingSession{}, err
	}
	return s.FindCoachingByID(ctx, c.ID)
}

// SaveCoachingBooking records where the session is booked if c.Version is
// current. Returns NotFound or Conflict.
func (s *Store) SaveCoachingBooking(ctx context.Context, c qa.CoachingSession) (qa.CoachingSession, error) {
	if err := updateState[coachingRow](ctx, s, c.ID, c.Version, map[string]any{"booked_start": utcPtr(c.BookedStart), "booked_end": utcPtr(c.BookedEnd),
		"booked_shift_uid": c.BookedShift, "updated_at": s.now()}, "coaching session"); err != nil {
		return qa.CoachingSession{}, err
	}
	return s.FindCoachingByID(ctx, c.ID)
}
