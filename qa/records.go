package qa

import (
	"time"
)

// Contact is an interaction as Peakwise keeps it: the fields the metrics use
// plus its ids, the link to the recording or ticket and the transcript.
type Contact struct {
	ID                int64     `json:"id"`
	ExternalID        string    `json:"external_id"`
	Channel           string    `json:"channel"`
	QueueID           *int64    `json:"queue_id"`
	AgentID           int64     `json:"agent_id"`
	TeamID            *int64    `json:"team_id"`
	Customer          string    `json:"customer"`
	StartedAt         time.Time `json:"started_at"`
	HandleSeconds     int       `json:"handle_seconds"`
	ResolutionSeconds *int      `json:"resolution_seconds"`
	Resolved          *bool     `json:"resolved"`
	Link              string    `json:"link"`
	Transcript        string    `json:"transcript,omitempty"`
	CSAT              *int      `json:"csat"`
	NPS               *int      `json:"nps"`
	CES               *int      `json:"ces"`
}

// Evaluation is one reviewer's scoring of one interaction on one scorecard
// version. Calibration evaluations carry their session and never count in
// an agent's results.
type Evaluation struct {
	ID            int64             `json:"id"`
	InteractionID int64             `json:"interaction_id"`
	ScorecardID   int64             `json:"scorecard_id"`
	AgentID       int64             `json:"agent_id"`
	TeamID        *int64            `json:"team_id"`
	ReviewerID    int64             `json:"reviewer_id"`
	CalibrationID *int64            `json:"calibration_id"`
	State         EvalState         `json:"state"`
	Answers       []Answer          `json:"answers"`
	Comments      map[string]string `json:"comments"` // criterion key -> comment
	Comment       string            `json:"comment"`  // overall
	Result        *Result           `json:"result"`   // nil until answered
	ScoredAt      *time.Time        `json:"scored_at"`
	DueAt         *time.Time        `json:"due_at"`
	ReleasedAt    *time.Time        `json:"released_at"`
	AckAt         *time.Time        `json:"acknowledged_at"`
	CreatedAt     time.Time         `json:"created_at"`
	UpdatedAt     time.Time         `json:"updated_at"`
	Version       int               `json:"version"`
}

// DisputeState is where a dispute stands.
type DisputeState string

const (
	DisputeOpen    DisputeState = "open"
	DisputeDecided DisputeState = "decided"
)

// Dispute is an agent's objection to criteria of a released evaluation.
type Dispute struct {
	ID           int64         `json:"id"`
	EvaluationID int64         `json:"evaluation_id"`
	AgentID      int64         `json:"agent_id"`
	Items        []DisputeItem `json:"items"`
	Comment      string        `json:"comment"`
	State        DisputeState  `json:"state"`
	Decision     string        `json:"decision"` // accept, partial or reject once decided
	Reason       string        `json:"reason"`
	CreatedByID  int64         `json:"created_by_id"`
	CreatedAt    time.Time     `json:"created_at"`
	DecidedByID  *int64        `json:"decided_by_id"`
	DecidedAt    *time.Time    `json:"decided_at"`
	Version      int           `json:"version"`
}

// CoachingSession is a coach's session with an agent, possibly born of an
// evaluation and its criteria, possibly the follow-up of an earlier one.
type CoachingSession struct {
	ID           int64         `json:"id"`
	AgentID      int64         `json:"agent_id"`
	TeamID       *int64        `json:"team_id"`
	CoachID      int64         `json:"coach_id"`
	EvaluationID *int64        `json:"evaluation_id"`
	Criteria     []string      `json:"criteria"`
	FollowUpOf   *int64        `json:"follow_up_of"`
	Topic        string        `json:"topic"`
	Goals        string        `json:"goals"`
	State        CoachingState `json:"state"`
	DueAt        time.Time     `json:"due_at"`
	HeldAt       *time.Time    `json:"held_at"`
	AckAt        *time.Time    `json:"acknowledged_at"`
	// BookedStart and BookedEnd are the off-queue time booked for the session
	// in the agent's published shift BookedShift (a shift UID), if booked.
	BookedStart *time.Time     `json:"booked_start"`
	BookedEnd   *time.Time     `json:"booked_end"`
	BookedShift string         `json:"booked_shift_uid,omitempty"`
	Notes       []CoachingNote `json:"notes"`
	CreatedAt   time.Time      `json:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
	Version     int            `json:"version"`
}

// CoachingNote is a note on a session; only shared notes reach the agent.
type CoachingNote struct {
	ID        int64     `json:"id"`
	SessionID int64     `json:"session_id"`
	AuthorID  int64     `json:"author_id"`
	Body      string    `json:"body"`
	Shared    bool      `json:"shared"`
	CreatedAt time.Time `json:"created_at"`
}

// CalibrationState is where a calibration session stands.
type CalibrationState string

const (
	CalibrationOpen   CalibrationState = "open"
	CalibrationClosed CalibrationState = "closed"
)

// CalibrationSession has several reviewers score the same interactions
// blind. The calibrator's scores, or the consensus when there is none, are
// the reference.
type CalibrationSession struct {
	ID             int64            `json:"id"`
	Name           string           `json:"name"`
	ScorecardID    int64            `json:"scorecard_id"`
	InteractionIDs []int64          `json:"interaction_ids"`
	ReviewerIDs    []int64          `json:"reviewer_ids"`
	CalibratorID   *int64           `json:"calibrator_id"`
	State          CalibrationState `json:"state"`
	CreatedByID    int64            `json:"created_by_id"`
	CreatedAt      time.Time        `json:"created_at"`
	ClosedAt       *time.Time       `json:"closed_at"`
	Version        int              `json:"version"`
}

// WeekOf returns the Monday (YYYY-MM-DD) of the week t falls in on loc's
// clock. Trends group an agent's results by the agent's own local week.
func WeekOf(t time.Time, loc *time.Location) string {
	l := t.In(loc)
	d := time.Date(l.Year(), l.Month(), l.Day(), 12, 0, 0, 0, loc)
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7)).Format(time.DateOnly)
}
