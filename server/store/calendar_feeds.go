package store

import (
	"context"
	"time"

	"github.com/peakwise/peakwise/server/fault"
)

type calendarFeedRow struct {
	AgentID   int64 `gorm:"primaryKey;autoIncrement:false"`
	TokenHash string
	CreatedAt time.Time
}

func (calendarFeedRow) TableName() string { return "calendar_feeds" }

// SetCalendarFeed gives the agent a feed under a new token hash; the old URL
// stops working at once.
func (s *Store) SetCalendarFeed(ctx context.Context, agentID int64, tokenHash string) error {
	return s.Tx(ctx, func(tx *Store) error {
		if err := tx.conn(ctx).Where("agent_id = ?", agentID).Delete(&calendarFeedRow{}).Error; err != nil {
			return translate(err, "calendar feed")
		}
		return translate(tx.conn(ctx).Create(&calendarFeedRow{AgentID: agentID, TokenHash: tokenHash, CreatedAt: tx.now()}).Error, "calendar feed")
	})
}

// DeleteCalendarFeed revokes the agent's feed; revoking a missing feed is not an error.
func (s *Store) DeleteCalendarFeed(ctx context.Context, agentID int64) error {
	return translate(s.conn(ctx).Where("agent_id = ?", agentID).Delete(&calendarFeedRow{}).Error, "calendar feed")
}

// FindCalendarFeedAgent returns the agent whose feed has that token hash.
// Returns NotFound if no feed has it.
func (s *Store) FindCalendarFeedAgent(ctx context.Context, tokenHash string) (int64, error) {
	var r calendarFeedRow
	err := s.conn(ctx).Where("token_hash = ?", tokenHash).Take(&r).Error
	return r.AgentID, translate(err, "calendar feed")
}

// LatestPublication returns the newest publication time and revision among
// published revisions that have shifts for the agent, for feed stamps.
func (s *Store) LatestPublication(ctx context.Context, agentID int64) (time.Time, int, error) {
	var sch Schedule
	// Only the two columns: a revision's report and change list can be megabytes.
	err := s.conn(ctx).Select("published_at", "revision").Where("status = ? AND id IN (?)", SchedulePublished,
		s.conn(ctx).Model(&shiftRow{}).Select("schedule_id").Where("agent_id = ?", agentID)).
		Order("published_at DESC").Take(&sch).Error
	if fault.Is(translate(err, "schedule"), fault.NotFound) {
		return time.Time{}, 0, nil
	}
	if err != nil {
		return time.Time{}, 0, translate(err, "schedule")
	}
	return sch.PublishedAt.UTC(), sch.Revision, nil
}
