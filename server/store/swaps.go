package store

import (
	"context"
	"time"

	"github.com/peakwise/peakwise/scheduling/calendar"
)

type swapRow struct {
	ID           int64
	ShiftUID     string
	PlanID       int64
	FromAgentID  int64
	ToAgentID    *int64
	TakerAgentID *int64
	Status       string
	Note         string
	ExpiresAt    time.Time
	CreatedAt    time.Time
	AcceptedAt   *time.Time
	DecidedByID  *int64 `gorm:"column:decided_by_id"`
	DecidedAt    *time.Time
	DecisionNote string
	Version      int
}

func (swapRow) TableName() string { return "swap_offers" }

func (r swapRow) domain() calendar.Swap {
	return calendar.Swap{ID: r.ID, ShiftUID: r.ShiftUID, PlanID: r.PlanID, FromAgentID: r.FromAgentID, ToAgentID: r.ToAgentID,
		TakerAgentID: r.TakerAgentID, Status: calendar.SwapStatus(r.Status), Note: r.Note, ExpiresAt: r.ExpiresAt.UTC(),
		CreatedAt: r.CreatedAt.UTC(), AcceptedAt: utcPtr(r.AcceptedAt), DecidedByID: r.DecidedByID, DecidedAt: utcPtr(r.DecidedAt),
		DecisionNote: r.DecisionNote, Version: r.Version}
}

// CreateSwap stores a new offer.
func (s *Store) CreateSwap(ctx context.Context, sw calendar.Swap) (calendar.Swap, error) {
	r := swapRow{ShiftUID: sw.ShiftUID, PlanID: sw.PlanID, FromAgentID: sw.FromAgentID, ToAgentID: sw.ToAgentID,
		Status: string(calendar.SwapOffered), Note: sw.Note, ExpiresAt: sw.ExpiresAt.UTC(), CreatedAt: s.now(), Version: 1}
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return calendar.Swap{}, translate(err, "swap offer")
	}
	return r.domain(), nil
}

// FindSwapByID returns the offer. Returns NotFound if it does not exist.
func (s *Store) FindSwapByID(ctx context.Context, id int64) (calendar.Swap, error) {
	r, err := findByID[swapRow](ctx, s, id, "swap offer")
	return r.domain(), err
}

// SwapFilter narrows FindSwaps. AgentIDs (nil: any) matches giver, addressee or taker;
// OpenTo also shows open offers (no addressee) to everyone.
type SwapFilter struct {
	AgentIDs []int64
	OpenToo  bool
	Status   calendar.SwapStatus
	Page     Page
}

// FindSwaps returns one page of offers and the total count.
func (s *Store) FindSwaps(ctx context.Context, f SwapFilter) ([]calendar.Swap, int, error) {
	q := s.conn(ctx)
	if f.AgentIDs != nil {
		ids := nonEmpty(f.AgentIDs)
		cond := "from_agent_id IN ? OR to_agent_id IN ? OR taker_agent_id IN ?"
		if f.OpenToo {
			q = q.Where(cond+" OR (to_agent_id IS NULL AND status = ?)", ids, ids, ids, string(calendar.SwapOffered))
		} else {
			q = q.Where(cond, ids, ids, ids)
		}
	}
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	rows, n, err := findPage[swapRow](q, f.Page, "swap offer")
	return mapRows[swapRow, calendar.Swap](rows), n, err
}

// SaveSwapState writes a new state of the offer if sw.Version is current.
// Returns NotFound or Conflict.
func (s *Store) SaveSwapState(ctx context.Context, sw calendar.Swap) (calendar.Swap, error) {
	res := s.conn(ctx).Model(&swapRow{}).Where("id = ? AND version = ?", sw.ID, sw.Version).Updates(map[string]any{
		"status": string(sw.Status), "taker_agent_id": sw.TakerAgentID, "accepted_at": sw.AcceptedAt, "decided_by_id": sw.DecidedByID,
		"decided_at": sw.DecidedAt, "decision_note": sw.DecisionNote, "version": sw.Version + 1,
	})
	if res.Error != nil {
		return calendar.Swap{}, translate(res.Error, "swap offer")
	}
	if res.RowsAffected == 0 {
		if _, err := s.FindSwapByID(ctx, sw.ID); err != nil {
			return calendar.Swap{}, err
		}
		return calendar.Swap{}, staleVersion("offer", sw.Version)
	}
	return s.FindSwapByID(ctx, sw.ID)
}

// FindPublishedShiftByUID returns the published shift with that UID and its revision.
// Returns NotFound if no published revision has it.
func (s *Store) FindPublishedShiftByUID(ctx context.Context, uid string) (calendar.Shift, Schedule, error) {
	var r shiftRow
	err := s.conn(ctx).Where("uid = ? AND schedule_id IN (?)", uid,
		s.conn(ctx).Model(&Schedule{}).Select("id").Where("status = ?", SchedulePublished)).Take(&r).Error
	if err != nil {
		return calendar.Shift{}, Schedule{}, translate(err, "shift")
	}
	sch, err := s.FindScheduleByID(ctx, r.ScheduleID)
	return r.domain(), sch, err
}
