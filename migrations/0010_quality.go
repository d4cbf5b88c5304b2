package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// quality0010 adds quality monitoring: versioned scorecards, interactions with
// their survey answers, evaluations (also those of calibration sessions),
// disputes and coaching sessions with their notes.
func quality0010() *gormigrate.Migration {
	type agent struct {
		ID int64 `gorm:"primaryKey"`
	}
	type user struct {
		ID int64 `gorm:"primaryKey"`
	}
	type scorecard struct {
		ID int64 `gorm:"primaryKey"`
		// FamilyID is the id of the first version; every version of one
		// scorecard shares it.
		FamilyID       *int64    `gorm:"uniqueIndex:scorecards_family_version"`
		Version        int       `gorm:"not null;uniqueIndex:scorecards_family_version"`
		Name           string    `gorm:"size:200;not null"`
		Sections       string    `gorm:"type:text;not null"` // JSON
		PassThreshold  int       `gorm:"not null"`
		AutoFailZeroes bool      `gorm:"not null"`
		Archived       bool      `gorm:"not null;default:false"`
		Latest         bool      `gorm:"not null;default:true;index"`
		CreatedAt      time.Time `gorm:"not null"`
		UpdatedAt      time.Time `gorm:"not null"`
		RowVersion     int       `gorm:"not null;default:1"`
	}
	type interaction struct {
		ID                int64  `gorm:"primaryKey"`
		ExternalID        string `gorm:"size:200;not null;uniqueIndex"`
		Channel           string `gorm:"size:64;not null"`
		QueueID           *int64 `gorm:"index"`
		AgentID           int64  `gorm:"not null"`
		Agent             *agent `gorm:"constraint:OnDelete:RESTRICT"`
		TeamID            *int64
		Customer          string    `gorm:"size:200;not null;default:'';index:interactions_customer_started"`
		StartedAt         time.Time `gorm:"not null;index:interactions_customer_started"`
		HandleSeconds     int       `gorm:"not null"`
		ResolutionSeconds *int
		Resolved          *bool
		Link              string `gorm:"size:2000;not null;default:''"`
		Transcript        string `gorm:"type:text;not null;default:''"`
		CSAT              *int   `gorm:"column:csat"`
		NPS               *int   `gorm:"column:nps"`
		CES               *int   `gorm:"column:ces"`
		// LocalWeek is the Monday (YYYY-MM-DD) of the agent's local week the
		// interaction started in: trends group by it in SQL.
		LocalWeek string `gorm:"size:10;not null;default:''"`
		CreatedAt time.Time
		UpdatedAt time.Time
	}
	type calibrationSession struct {
		ID           int64      `gorm:"primaryKey"`
		Name         string     `gorm:"size:200;not null"`
		ScorecardID  int64      `gorm:"not null"`
		Scorecard    *scorecard `gorm:"constraint:OnDelete:RESTRICT"`
		Interactions string     `gorm:"type:text;not null"` // JSON ids
		Reviewers    string     `gorm:"type:text;not null"` // JSON user ids
		CalibratorID *int64     `gorm:"column:calibrator_id"`
		State        string     `gorm:"size:16;not null"`
		CreatedByID  int64      `gorm:"column:created_by_id;not null"`
		CreatedAt    time.Time  `gorm:"not null"`
		ClosedAt     *time.Time
		Version      int `gorm:"not null;default:1"`
	}
	type evaluation struct {
		ID            int64        `gorm:"primaryKey"`
		InteractionID int64        `gorm:"not null;index"`
		Interaction   *interaction `gorm:"constraint:OnDelete:RESTRICT"`
		ScorecardID   int64        `gorm:"not null;index"`
		Scorecard     *scorecard   `gorm:"constraint:OnDelete:RESTRICT"`
		// AgentID and TeamID are the evaluated agent and their team when the
		// interaction happened, copied so trends need no join.
		AgentID       int64 `gorm:"not null"`
		TeamID        *int64
		ReviewerID    int64               `gorm:"column:reviewer_id;not null;index:evaluations_reviewer_state"`
		Reviewer      *user               `gorm:"constraint:OnDelete:RESTRICT"`
		CalibrationID *int64              `gorm:"column:calibration_id;index"`
		Calibration   *calibrationSession `gorm:"constraint:OnDelete:CASCADE"`
		State         string              `gorm:"size:16;not null;index:evaluations_reviewer_state"`
		Answers       string              `gorm:"type:text;not null"` // JSON
		Comments      string              `gorm:"type:text;not null"` // JSON criterion -> comment
		Comment       string              `gorm:"type:text;not null;default:''"`
		// The score, kept with the answers so trends read one row.
		Total          *float64
		Outcome        string `gorm:"size:16;not null;default:''"`
		CriticalFailed bool   `gorm:"not null;default:false"`
		AutoFailed     bool   `gorm:"not null;default:false"`
		Criteria       string `gorm:"type:text;not null;default:'{}'"` // JSON criterion -> score
		// ScoredAt is when the score was first submitted: trends count by it.
		ScoredAt *time.Time
		// LocalWeek is the Monday of the agent's local week of ScoredAt.
		LocalWeek      string `gorm:"size:10;not null;default:''"`
		DueAt          *time.Time
		ReleasedAt     *time.Time
		AcknowledgedAt *time.Time
		CreatedAt      time.Time `gorm:"not null"`
		UpdatedAt      time.Time `gorm:"not null"`
		Version        int       `gorm:"not null;default:1"`
	}
	// evaluationScore is one criterion's points of a counted evaluation,
	// rewritten with every score change, for per-criterion trends in SQL.
	type evaluationScore struct {
		ID           int64       `gorm:"primaryKey"`
		EvaluationID int64       `gorm:"not null;index"`
		Evaluation   *evaluation `gorm:"constraint:OnDelete:CASCADE"`
		AgentID      int64       `gorm:"not null"`
		TeamID       *int64
		ScoredAt     time.Time `gorm:"not null"`
		LocalWeek    string    `gorm:"size:10;not null"`
		Criterion    string    `gorm:"size:64;not null"`
		Score        float64   `gorm:"not null"`
	}
	type dispute struct {
		ID           int64       `gorm:"primaryKey"`
		EvaluationID int64       `gorm:"not null;index"`
		Evaluation   *evaluation `gorm:"constraint:OnDelete:CASCADE"`
		AgentID      int64       `gorm:"not null;index"`
		Items        string      `gorm:"type:text;not null"` // JSON
		Comment      string      `gorm:"type:text;not null;default:''"`
		State        string      `gorm:"size:16;not null;index"`
		Decision     string      `gorm:"size:16;not null;default:''"`
		Reason       string      `gorm:"type:text;not null;default:''"`
		CreatedByID  int64       `gorm:"column:created_by_id;not null"`
		CreatedAt    time.Time   `gorm:"not null"`
		DecidedByID  *int64      `gorm:"column:decided_by_id"`
		DecidedAt    *time.Time
		Version      int `gorm:"not null;default:1"`
	}
	type coachingSession struct {
		ID           int64            `gorm:"primaryKey"`
		AgentID      int64            `gorm:"not null;index"`
		Agent        *agent           `gorm:"constraint:OnDelete:CASCADE"`
		TeamID       *int64           `gorm:"index"`
		CoachID      int64            `gorm:"column:coach_id;not null"`
		EvaluationID *int64           `gorm:"index"`
		Criteria     string           `gorm:"type:text;not null;default:'[]'"` // JSON keys
		FollowUpOf   *int64           `gorm:"column:follow_up_of"`
		Parent       *coachingSession `gorm:"foreignKey:FollowUpOf;constraint:OnDelete:SET NULL"`
		Topic        string           `gorm:"size:200;not null"`
		Goals        string           `gorm:"type:text;not null;default:''"`
		State        string           `gorm:"size:16;not null;index"`
		DueAt        time.Time        `gorm:"not null;index"`
		HeldAt       *time.Time
		AckAt        *time.Time `gorm:"column:acknowledged_at"`
		// The booking in the agent's published schedule, if any.
		BookedStart    *time.Time
		BookedEnd      *time.Time
		BookedShiftUID string    `gorm:"column:booked_shift_uid;size:64;not null;default:''"`
		CreatedAt      time.Time `gorm:"not null"`
		UpdatedAt      time.Time `gorm:"not null"`
		Version        int       `gorm:"not null;default:1"`
	}
	type coachingNote struct {
		ID        int64            `gorm:"primaryKey"`
		SessionID int64            `gorm:"not null;index"`
		Session   *coachingSession `gorm:"constraint:OnDelete:CASCADE"`
		AuthorID  int64            `gorm:"column:author_id;not null"`
		Body      string           `gorm:"type:text;not null"`
		Shared    bool             `gorm:"not null"`
		CreatedAt time.Time        `gorm:"not null"`
	}
	m := createTables("0010_quality", &scorecard{}, &interaction{}, &calibrationSession{}, &evaluation{}, &evaluationScore{}, &dispute{}, &coachingSession{}, &coachingNote{})
	create := m.Migrate
	m.Migrate = func(tx *gorm.DB) error {
		if err := create(tx); err != nil {
			return err
		}
		// Trend queries read only these indexes (index-only scans): the rows
		// of one agent or team are scattered over the table, so reading the
		// table itself would cost a page per evaluation.
		for _, ix := range []string{
			"CREATE INDEX evaluations_agent_trend ON evaluations (agent_id, scored_at, calibration_id, state, local_week, total, outcome, critical_failed, auto_failed)",
			"CREATE INDEX evaluations_team_trend ON evaluations (team_id, scored_at, calibration_id, state, local_week, total, outcome, critical_failed, auto_failed)",
			"CREATE INDEX evaluations_reviewer_trend ON evaluations (reviewer_id, scored_at, calibration_id, state, total)",
			"CREATE INDEX evaluation_scores_agent_trend ON evaluation_scores (agent_id, scored_at, criterion, local_week, score)",
			"CREATE INDEX evaluation_scores_team_trend ON evaluation_scores (team_id, scored_at, criterion, local_week, score)",
			"CREATE INDEX interactions_agent_trend ON interactions (agent_id, started_at, local_week, csat, nps)",
			"CREATE INDEX interactions_team_trend ON interactions (team_id, started_at, local_week, csat, nps)",
		} {
			if err := tx.Exec(ix).Error; err != nil {
				return err
			}
		}
		return nil
	}
	return m
}
