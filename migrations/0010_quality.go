package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
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
		ID                int64     `gorm:"primaryKey"`
		ExternalID        string    `gorm:"size:200;not null;uniqueIndex"`
		Channel           string    `gorm:"size:64;not null"`
		QueueID           *int64    `gorm:"index"`
		AgentID           int64     `gorm:"not null;index:interactions_agent_started"`
		Agent             *agent    `gorm:"constraint:OnDelete:RESTRICT"`
		TeamID            *int64    `gorm:"index"`
		Customer          string    `gorm:"size:200;not null;default:'';index:interactions_customer_started"`
		StartedAt         time.Time `gorm:"not null;index:interactions_agent_started;index:interactions_customer_started"`
		HandleSeconds     int       `gorm:"not null"`
		ResolutionSeconds *int
		Resolved          *bool
		Link              string `gorm:"size:2000;not null;default:''"`
		Transcript        string `gorm:"type:text;not null;default:''"`
		CSAT              *int   `gorm:"column:csat"`
		NPS               *int   `gorm:"column:nps"`
		CES               *int   `gorm:"column:ces"`
		CreatedAt         time.Time
		UpdatedAt         time.Time
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
		AgentID       int64               `gorm:"not null;index:evaluations_agent_scored"`
		TeamID        *int64              `gorm:"index:evaluations_team_scored"`
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
		ScoredAt       *time.Time `gorm:"index:evaluations_agent_scored;index:evaluations_team_scored"`
		DueAt          *time.Time
		ReleasedAt     *time.Time
		AcknowledgedAt *time.Time
		CreatedAt      time.Time `gorm:"not null"`
		UpdatedAt      time.Time `gorm:"not null"`
		Version        int       `gorm:"not null;default:1"`
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
		CreatedAt    time.Time  `gorm:"not null"`
		UpdatedAt    time.Time  `gorm:"not null"`
		Version      int        `gorm:"not null;default:1"`
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
	return createTables("0010_quality", &scorecard{}, &interaction{}, &calibrationSession{}, &evaluation{}, &dispute{}, &coachingSession{}, &coachingNote{})
}
