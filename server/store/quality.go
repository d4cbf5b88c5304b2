package store

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server/fault"
)

// --- scorecards

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

// --- interactions

type contactRow struct {
	ID                int64
	ExternalID        string
	Channel           string
	QueueID           *int64
	AgentID           int64
	TeamID            *int64
	Customer          string
	StartedAt         time.Time
	HandleSeconds     int
	ResolutionSeconds *int
	Resolved          *bool
	Link              string
	Transcript        string
	CSAT              *int `gorm:"column:csat"`
	NPS               *int `gorm:"column:nps"`
	CES               *int `gorm:"column:ces"`
	LocalWeek         string
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

func (contactRow) TableName() string { return "interactions" }

func (r contactRow) domain() qa.Contact {
	return qa.Contact{ID: r.ID, ExternalID: r.ExternalID, Channel: r.Channel, QueueID: r.QueueID, AgentID: r.AgentID, TeamID: r.TeamID,
		Customer: r.Customer, StartedAt: r.StartedAt.UTC(), HandleSeconds: r.HandleSeconds, ResolutionSeconds: r.ResolutionSeconds,
		Resolved: r.Resolved, Link: r.Link, Transcript: r.Transcript, CSAT: r.CSAT, NPS: r.NPS, CES: r.CES}
}

// UpsertContacts stores interactions, replacing those whose external id is
// already known (so re-importing a file changes nothing twice). Call it in a
// transaction with the validation of the whole batch. Returns how many were
// new.
func (s *Store) UpsertContacts(ctx context.Context, cs []qa.Contact) (created int, err error) {
	if len(cs) == 0 {
		return 0, nil
	}
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ExternalID
	}
	known := map[string]bool{}
	for start := 0; start < len(ids); start += 500 {
		end := min(start+500, len(ids))
		var found []string
		if err := s.conn(ctx).Model(&contactRow{}).Where("external_id IN ?", ids[start:end]).Pluck("external_id", &found).Error; err != nil {
			return 0, translate(err, "interaction")
		}
		for _, id := range found {
			known[id] = true
		}
	}
	agentIDs := make([]int64, len(cs))
	for i, c := range cs {
		agentIDs[i] = c.AgentID
	}
	zones, err := s.agentZones(ctx, agentIDs)
	if err != nil {
		return 0, err
	}
	now := s.now()
	rows := make([]contactRow, len(cs))
	for i, c := range cs {
		rows[i] = contactRow{LocalWeek: qa.WeekOf(c.StartedAt, zones[c.AgentID]), ExternalID: c.ExternalID, Channel: c.Channel, QueueID: c.QueueID, AgentID: c.AgentID, TeamID: c.TeamID,
			Customer: c.Customer, StartedAt: c.StartedAt.UTC(), HandleSeconds: c.HandleSeconds, ResolutionSeconds: c.ResolutionSeconds,
			Resolved: c.Resolved, Link: c.Link, Transcript: c.Transcript, CSAT: c.CSAT, NPS: c.NPS, CES: c.CES, CreatedAt: now, UpdatedAt: now}
		if !known[c.ExternalID] {
			created++
		}
	}
	err = s.conn(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "external_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"channel", "queue_id", "agent_id", "team_id", "customer", "started_at", "handle_seconds",
			"resolution_seconds", "resolved", "link", "transcript", "csat", "nps", "ces", "local_week", "updated_at"}),
	}).CreateInBatches(&rows, 200).Error
	return created, translate(err, "interaction")
}

// FindContactByID returns the interaction. Returns NotFound.
func (s *Store) FindContactByID(ctx context.Context, id int64) (qa.Contact, error) {
	r, err := findByID[contactRow](ctx, s, id, "interaction")
	return r.domain(), err
}

// ContactFilter narrows FindContacts. AgentIDs nil means any agent.
type ContactFilter struct {
	AgentIDs []int64
	QueueIDs []int64
	Channel  string
	From, To time.Time // started_at in [From, To)
	Page     Page
	All      bool // every match, no paging (metrics)
}

// FindContacts returns matching interactions, oldest first, and the total count.
func (s *Store) FindContacts(ctx context.Context, f ContactFilter) ([]qa.Contact, int, error) {
	q := s.conn(ctx).Omit("transcript")
	if f.AgentIDs != nil {
		q = q.Where("agent_id IN ?", nonEmpty(f.AgentIDs))
	}
	if f.QueueIDs != nil {
		q = q.Where("queue_id IN ?", nonEmpty(f.QueueIDs))
	}
	if f.Channel != "" {
		q = q.Where("channel = ?", f.Channel)
	}
	if !f.From.IsZero() {
		q = q.Where("started_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("started_at < ?", f.To.UTC())
	}
	if f.All {
		var rows []contactRow
		err := q.Order("started_at, id").Find(&rows).Error
		return mapRows[contactRow, qa.Contact](rows), len(rows), translate(err, "interaction")
	}
	rows, n, err := findPage[contactRow](q, f.Page, "interaction")
	return mapRows[contactRow, qa.Contact](rows), n, err
}

// --- evaluations

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

// EvaluationFilter narrows FindEvaluations. AgentIDs nil means any agent.
// Calibration evaluations are left out unless CalibrationID names a session.
type EvaluationFilter struct {
	AgentIDs      []int64
	ReviewerID    int64
	InteractionID int64
	CalibrationID int64
	States        []qa.EvalState
	Page          Page
}

// FindEvaluations returns one page of evaluations, by id, and the total count.
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
	if len(f.States) > 0 {
		states := make([]string, len(f.States))
		for i, st := range f.States {
			states[i] = string(st)
		}
		q = q.Where("state IN ?", states)
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

// TrendFilter selects counted evaluations (submitted or later, not
// calibration) scored in [From, To), and interactions started then. Nil id
// lists mean any.
type TrendFilter struct {
	AgentIDs []int64
	TeamIDs  []int64
	From, To time.Time
}

// CountedStates are the evaluation states whose scores count in results.
var CountedStates = []string{"submitted", "released", "acknowledged", "disputed", "resolved"}

// WeekTotals sums one local week of counted evaluations.
type WeekTotals struct {
	Week          string
	Evaluations   int
	Scored        int
	SumTotal      float64
	Passed        int
	Decided       int
	CriticalFails int
	AutoFails     int
}

// CriterionWeekTotals sums one criterion's points over one local week.
type CriterionWeekTotals struct {
	Criterion string
	Week      string
	N         int
	Sum       float64
}

// SurveyWeekTotals counts one local week's survey answers.
type SurveyWeekTotals struct {
	Week          string
	CSAT          int
	CSATHigh      int
	NPS           int
	NPSPromoters  int
	NPSDetractors int
}

func scopeTrend(q *gorm.DB, f TrendFilter) *gorm.DB {
	if f.AgentIDs != nil {
		q = q.Where("agent_id IN ?", nonEmpty(f.AgentIDs))
	}
	if f.TeamIDs != nil {
		q = q.Where("team_id IN ?", nonEmpty(f.TeamIDs))
	}
	return q
}

// TrendTotals aggregates the filter's counted evaluations, criterion points
// and survey answers per agent-local week, in the database.
func (s *Store) TrendTotals(ctx context.Context, f TrendFilter) ([]WeekTotals, []CriterionWeekTotals, []SurveyWeekTotals, error) {
	var weeks []WeekTotals
	err := scopeTrend(s.conn(ctx).Model(&evaluationRow{}), f).
		Select(`local_week AS week, COUNT(*) AS evaluations, COUNT(total) AS scored, COALESCE(SUM(total), 0) AS sum_total,
			SUM(CASE WHEN outcome = 'pass' THEN 1 ELSE 0 END) AS passed,
			SUM(CASE WHEN outcome IN ('pass', 'fail') THEN 1 ELSE 0 END) AS decided,
			SUM(CASE WHEN critical_failed THEN 1 ELSE 0 END) AS critical_fails,
			SUM(CASE WHEN auto_failed THEN 1 ELSE 0 END) AS auto_fails`).
		Where("calibration_id IS NULL AND state IN ? AND scored_at >= ? AND scored_at < ?", CountedStates, f.From.UTC(), f.To.UTC()).
		Group("local_week").Order("local_week").Scan(&weeks).Error
	if err != nil {
		return nil, nil, nil, translate(err, "evaluation")
	}
	var crit []CriterionWeekTotals
	err = scopeTrend(s.conn(ctx).Model(&evaluationScoreRow{}), f).
		Select("criterion, local_week AS week, COUNT(*) AS n, SUM(score) AS sum").
		Where("scored_at >= ? AND scored_at < ?", f.From.UTC(), f.To.UTC()).
		Group("criterion, local_week").Order("criterion, local_week").Scan(&crit).Error
	if err != nil {
		return nil, nil, nil, translate(err, "evaluation score")
	}
	var surveys []SurveyWeekTotals
	err = scopeTrend(s.conn(ctx).Model(&contactRow{}), f).
		Select(`local_week AS week, COUNT(csat) AS csat, SUM(CASE WHEN csat >= 4 THEN 1 ELSE 0 END) AS csat_high,
			COUNT(nps) AS nps, SUM(CASE WHEN nps >= 9 THEN 1 ELSE 0 END) AS nps_promoters, SUM(CASE WHEN nps <= 6 THEN 1 ELSE 0 END) AS nps_detractors`).
		Where("started_at >= ? AND started_at < ? AND (csat IS NOT NULL OR nps IS NOT NULL)", f.From.UTC(), f.To.UTC()).
		Group("local_week").Order("local_week").Scan(&surveys).Error
	return weeks, crit, surveys, translate(err, "interaction")
}

// ReviewerTotals sums one reviewer's counted evaluations.
type ReviewerTotals struct {
	ReviewerID int64
	Volume     int
	Scored     int
	SumTotal   float64
}

// FindReviewerTotals aggregates counted evaluations scored in [from, to) per reviewer.
func (s *Store) FindReviewerTotals(ctx context.Context, from, to time.Time) ([]ReviewerTotals, error) {
	var out []ReviewerTotals
	err := s.conn(ctx).Model(&evaluationRow{}).
		Select("reviewer_id, COUNT(*) AS volume, COUNT(total) AS scored, COALESCE(SUM(total), 0) AS sum_total").
		Where("calibration_id IS NULL AND state IN ? AND scored_at >= ? AND scored_at < ?", CountedStates, from.UTC(), to.UTC()).
		Group("reviewer_id").Order("reviewer_id").Scan(&out).Error
	return out, translate(err, "evaluation")
}

// --- disputes

type disputeRow struct {
	ID           int64
	EvaluationID int64
	AgentID      int64
	Items        string
	Comment      string
	State        string
	Decision     string
	Reason       string
	CreatedByID  int64 `gorm:"column:created_by_id"`
	CreatedAt    time.Time
	DecidedByID  *int64 `gorm:"column:decided_by_id"`
	DecidedAt    *time.Time
	Version      int
}

func (disputeRow) TableName() string { return "disputes" }

func (r disputeRow) domain() qa.Dispute {
	d := qa.Dispute{ID: r.ID, EvaluationID: r.EvaluationID, AgentID: r.AgentID, Comment: r.Comment, State: qa.DisputeState(r.State),
		Decision: r.Decision, Reason: r.Reason, CreatedByID: r.CreatedByID, CreatedAt: r.CreatedAt.UTC(), DecidedByID: r.DecidedByID,
		DecidedAt: utcPtr(r.DecidedAt), Version: r.Version}
	_ = json.Unmarshal([]byte(r.Items), &d.Items)
	return d
}

// CreateDispute stores an open dispute.
func (s *Store) CreateDispute(ctx context.Context, d qa.Dispute) (qa.Dispute, error) {
	row := disputeRow{EvaluationID: d.EvaluationID, AgentID: d.AgentID, Items: jsonText(d.Items), Comment: d.Comment,
		State: string(qa.DisputeOpen), CreatedByID: d.CreatedByID, CreatedAt: s.now(), Version: 1}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return qa.Dispute{}, translate(err, "dispute")
	}
	return row.domain(), nil
}

// FindDisputeByID returns the dispute. Returns NotFound.
func (s *Store) FindDisputeByID(ctx context.Context, id int64) (qa.Dispute, error) {
	r, err := findByID[disputeRow](ctx, s, id, "dispute")
	return r.domain(), err
}

// DisputeFilter narrows FindDisputes. AgentIDs nil means any agent.
type DisputeFilter struct {
	AgentIDs     []int64
	EvaluationID int64
	State        qa.DisputeState
	Page         Page
}

// FindDisputes returns one page of disputes and the total count.
func (s *Store) FindDisputes(ctx context.Context, f DisputeFilter) ([]qa.Dispute, int, error) {
	q := s.conn(ctx)
	if f.AgentIDs != nil {
		q = q.Where("agent_id IN ?", nonEmpty(f.AgentIDs))
	}
	if f.EvaluationID != 0 {
		q = q.Where("evaluation_id = ?", f.EvaluationID)
	}
	if f.State != "" {
		q = q.Where("state = ?", string(f.State))
	}
	rows, n, err := findPage[disputeRow](q, f.Page, "dispute")
	return mapRows[disputeRow, qa.Dispute](rows), n, err
}

// SaveDisputeDecision writes a decision if d.Version is current. Returns
// NotFound or Conflict.
func (s *Store) SaveDisputeDecision(ctx context.Context, d qa.Dispute) (qa.Dispute, error) {
	if err := updateState[disputeRow](ctx, s, d.ID, d.Version, map[string]any{"state": string(d.State), "decision": d.Decision, "reason": d.Reason,
		"decided_by_id": d.DecidedByID, "decided_at": utcPtr(d.DecidedAt)}, "dispute"); err != nil {
		return qa.Dispute{}, err
	}
	return s.FindDisputeByID(ctx, d.ID)
}

// --- coaching

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

// --- calibration

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
