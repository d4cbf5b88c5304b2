package store

import (
	"context"
	"time"

	"gorm.io/gorm"
)

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
