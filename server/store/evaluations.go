package store

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/peakwise/peakwise/qa"
)

type evaluationRow struct {
	ID             int64
	InteractionID  int64
	ScorecardID    int64
	AgentID        int64
	TeamID         *int64
	ReviewerID     int64 `gorm:"column:reviewer_id"`
	CalibrationID  *int64
	State          string
	Answers        string
	Comments       string
	Comment        string
	Total          *float64
	Outcome        string
	CriticalFailed bool
	AutoFailed     bool
	Criteria       string
	ScoredAt       *time.Time
	LocalWeek      string
	DueAt          *time.Time
	ReleasedAt     *time.Time
	AcknowledgedAt *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Version        int
}

func (evaluationRow) TableName() string { return "evaluations" }

// evaluationDetail is what an evaluation keeps of its score beyond the total.
type evaluationDetail struct {
	Result *qa.Result `json:"result"`
}

func (r evaluationRow) domain() qa.Evaluation {
	e := qa.Evaluation{ID: r.ID, InteractionID: r.InteractionID, ScorecardID: r.ScorecardID, AgentID: r.AgentID, TeamID: r.TeamID,
		ReviewerID: r.ReviewerID, CalibrationID: r.CalibrationID, State: qa.EvalState(r.State), Comment: r.Comment,
		ScoredAt: utcPtr(r.ScoredAt), DueAt: utcPtr(r.DueAt), ReleasedAt: utcPtr(r.ReleasedAt), AckAt: utcPtr(r.AcknowledgedAt),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	_ = json.Unmarshal([]byte(r.Answers), &e.Answers)
	_ = json.Unmarshal([]byte(r.Comments), &e.Comments)
	var d evaluationDetail
	if json.Unmarshal([]byte(r.Criteria), &d) == nil {
		e.Result = d.Result
	}
	if e.Answers == nil {
		e.Answers = []qa.Answer{}
	}
	if e.Comments == nil {
		e.Comments = map[string]string{}
	}
	return e
}

func evaluationFrom(e qa.Evaluation) evaluationRow {
	r := evaluationRow{ID: e.ID, InteractionID: e.InteractionID, ScorecardID: e.ScorecardID, AgentID: e.AgentID, TeamID: e.TeamID,
		ReviewerID: e.ReviewerID, CalibrationID: e.CalibrationID, State: string(e.State), Answers: jsonText(e.Answers),
		Comments: jsonText(e.Comments), Comment: e.Comment, Criteria: jsonText(evaluationDetail{Result: e.Result}),
		ScoredAt: utcPtr(e.ScoredAt), DueAt: utcPtr(e.DueAt), ReleasedAt: utcPtr(e.ReleasedAt), AcknowledgedAt: utcPtr(e.AckAt),
		CreatedAt: e.CreatedAt, Version: e.Version}
	if e.Answers == nil {
		r.Answers = "[]"
	}
	if e.Comments == nil {
		r.Comments = "{}"
	}
	if res := e.Result; res != nil {
		r.Total = res.Total
		r.Outcome = string(res.Outcome)
		r.CriticalFailed = len(res.CriticalFailed) > 0
		r.AutoFailed = len(res.AutoFailed) > 0
	}
	return r
}

// CreateEvaluations stores new evaluations (drafts or calibration entries).
func (s *Store) CreateEvaluations(ctx context.Context, es []qa.Evaluation) ([]qa.Evaluation, error) {
	if len(es) == 0 {
		return []qa.Evaluation{}, nil
	}
	agentIDs := make([]int64, len(es))
	for i, e := range es {
		agentIDs[i] = e.AgentID
	}
	zones, err := s.agentZones(ctx, agentIDs)
	if err != nil {
		return nil, err
	}
	rows := make([]evaluationRow, len(es))
	for i, e := range es {
		e.ID, e.Version = 0, 1
		rows[i] = evaluationFrom(e)
		rows[i].CreatedAt, rows[i].UpdatedAt = s.now(), s.now()
		if e.ScoredAt != nil {
			rows[i].LocalWeek = qa.WeekOf(*e.ScoredAt, zones[e.AgentID])
		}
	}
	if err := s.conn(ctx).CreateInBatches(&rows, 200).Error; err != nil {
		return nil, translate(err, "evaluation")
	}
	out := mapRows[evaluationRow, qa.Evaluation](rows)
	if err := s.writeScores(ctx, out, rows, false); err != nil {
		return nil, err
	}
	return out, nil
}

// FindEvaluationByID returns the evaluation. Returns NotFound.
func (s *Store) FindEvaluationByID(ctx context.Context, id int64) (qa.Evaluation, error) {
	r, err := findByID[evaluationRow](ctx, s, id, "evaluation")
	return r.domain(), err
}

// EvaluationFilter narrows FindEvaluations. AgentIDs nil means any agent;
// zero TeamID, ScorecardFamilyID, From and To mean any. Calibration evaluations
// are left out unless CalibrationID names a session.
type EvaluationFilter struct {
	AgentIDs          []int64
	TeamID            int64
	ReviewerID        int64
	InteractionID     int64
	CalibrationID     int64
	ScorecardFamilyID int64 // any version of the scorecard whose family this is
	States            []qa.EvalState
	From, To          time.Time // created_at in [From, To)
	// ByDue orders a page soonest due first, those without a due time
	// last, instead of by id.
	ByDue bool
	Page  Page
}

// FindEvaluations returns one page of evaluations, by id unless f orders
// them otherwise, and the total count.
func (s *Store) FindEvaluations(ctx context.Context, f EvaluationFilter) ([]qa.Evaluation, int, error) {
	q := s.conn(ctx)
	if f.CalibrationID != 0 {
		q = q.Where("calibration_id = ?", f.CalibrationID)
	} else {
		q = q.Where("calibration_id IS NULL")
	}
	if f.AgentIDs != nil {
		q = q.Where("agent_id IN ?", nonEmpty(f.AgentIDs))
	}
	if f.ReviewerID != 0 {
		q = q.Where("reviewer_id = ?", f.ReviewerID)
	}
	if f.InteractionID != 0 {
		q = q.Where("interaction_id = ?", f.InteractionID)
	}
	if f.TeamID != 0 {
		q = q.Where("team_id = ?", f.TeamID)
	}
	if f.ScorecardFamilyID != 0 {
		q = q.Where("scorecard_id IN (?)", s.conn(ctx).Model(&scorecardRow{}).Select("id").Where("family_id = ?", f.ScorecardFamilyID))
	}
	if !f.From.IsZero() {
		q = q.Where("created_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("created_at < ?", f.To.UTC())
	}
	if len(f.States) > 0 {
		states := make([]string, len(f.States))
		for i, st := range f.States {
			states[i] = string(st)
		}
		q = q.Where("state IN ?", states)
	}
	if f.ByDue {
		q = q.Order("due_at IS NULL, due_at")
	}
	rows, n, err := findPage[evaluationRow](q, f.Page, "evaluation")
	return mapRows[evaluationRow, qa.Evaluation](rows), n, err
}

// SaveEvaluation writes e if e.Version is still the stored version and bumps
// it, together with its criterion scores (one transaction, so a later save
// never has its scores overwritten by an earlier one's). Returns NotFound or
// Conflict.
func (s *Store) SaveEvaluation(ctx context.Context, e qa.Evaluation) (qa.Evaluation, error) {
	var out qa.Evaluation
	err := s.Tx(ctx, func(tx *Store) error {
		var err error
		out, err = tx.saveEvaluation(ctx, e)
		return err
	})
	return out, err
}

func (s *Store) saveEvaluation(ctx context.Context, e qa.Evaluation) (qa.Evaluation, error) {
	row := evaluationFrom(e)
	row.UpdatedAt = s.now()
	row.Version = e.Version + 1
	if e.ScoredAt != nil {
		zones, err := s.agentZones(ctx, []int64{e.AgentID})
		if err != nil {
			return qa.Evaluation{}, err
		}
		row.LocalWeek = qa.WeekOf(*e.ScoredAt, zones[e.AgentID])
	}
	res := s.conn(ctx).Model(&evaluationRow{}).Where("id = ? AND version = ?", e.ID, e.Version).Select("*").Omit("id", "created_at").Updates(&row)
	if res.Error != nil {
		return qa.Evaluation{}, translate(res.Error, "evaluation")
	}
	if res.RowsAffected == 0 {
		if _, err := s.FindEvaluationByID(ctx, e.ID); err != nil {
			return qa.Evaluation{}, err
		}
		return qa.Evaluation{}, staleVersion("evaluation", e.Version)
	}
	saved, err := s.FindEvaluationByID(ctx, e.ID)
	if err != nil {
		return saved, err
	}
	return saved, s.writeScores(ctx, []qa.Evaluation{saved}, []evaluationRow{row}, true)
}

// agentZones returns the time zone of each agent (UTC when unknown).
func (s *Store) agentZones(ctx context.Context, ids []int64) (map[int64]*time.Location, error) {
	seen := map[int64]bool{}
	var distinct []int64
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			distinct = append(distinct, id)
		}
	}
	out := map[int64]*time.Location{}
	for start := 0; start < len(distinct); start += 500 {
		var rows []struct {
			ID       int64
			Timezone string
		}
		if err := s.conn(ctx).Table("agents").Select("id, timezone").Where("id IN ?", distinct[start:min(start+500, len(distinct))]).Scan(&rows).Error; err != nil {
			return nil, translate(err, "agent")
		}
		for _, r := range rows {
			if loc, err := time.LoadLocation(r.Timezone); err == nil {
				out[r.ID] = loc
			}
		}
	}
	for _, id := range distinct {
		if out[id] == nil {
			out[id] = time.UTC
		}
	}
	return out, nil
}

type evaluationScoreRow struct {
	ID           int64
	EvaluationID int64
	AgentID      int64
	TeamID       *int64
	ScoredAt     time.Time
	LocalWeek    string
	Criterion    string
	Score        float64
}

func (evaluationScoreRow) TableName() string { return "evaluation_scores" }

// counts reports whether an evaluation's score counts in results: scored,
// not a calibration entry, in a counted state.
func counts(e qa.Evaluation) bool {
	return e.ScoredAt != nil && e.CalibrationID == nil && e.Result != nil && slices.Contains(CountedStates, string(e.State))
}

// writeScores keeps evaluation_scores equal to the criterion points of the
// counted evaluations among es (rows carry their local weeks); replace
// first removes what the evaluations had.
func (s *Store) writeScores(ctx context.Context, es []qa.Evaluation, rows []evaluationRow, replace bool) error {
	var stale []int64
	var fresh []evaluationScoreRow
	for i, e := range es {
		if replace {
			stale = append(stale, e.ID)
		}
		if !counts(e) {
			continue
		}
		for _, sec := range e.Result.Sections {
			for _, cr := range sec.Criteria {
				if cr.Score != nil {
					fresh = append(fresh, evaluationScoreRow{EvaluationID: e.ID, AgentID: e.AgentID, TeamID: e.TeamID, ScoredAt: e.ScoredAt.UTC(),
						LocalWeek: rows[i].LocalWeek, Criterion: cr.Key, Score: *cr.Score})
				}
			}
		}
	}
	if len(stale) > 0 {
		if err := s.conn(ctx).Where("evaluation_id IN ?", stale).Delete(&evaluationScoreRow{}).Error; err != nil {
			return translate(err, "evaluation score")
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	return translate(s.conn(ctx).CreateInBatches(&fresh, 500).Error, "evaluation score")
}
