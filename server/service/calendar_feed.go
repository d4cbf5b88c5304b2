package service

import (
	"context"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/store"
)

// CalendarFeed returns the feed whose secret URL ends in secret: the agent's
// published shifts from 30 days back to 90 ahead, stamped with the newest
// publication. The caller fills in the feed's Domain. Returns NotFound when
// no feed has that secret (it may have been reset).
func (s *Service) CalendarFeed(ctx context.Context, secret string) (calendar.Feed, error) {
	agentID, err := s.store.FindCalendarFeedAgent(ctx, auth.HashSecret(secret))
	if err != nil {
		return calendar.Feed{}, fault.Errorf(fault.NotFound, "no such calendar; it may have been reset")
	}
	a, err := s.store.FindAgentByID(ctx, agentID)
	if err != nil {
		return calendar.Feed{}, err
	}
	now := s.now()
	shifts, err := s.store.FindShifts(ctx, store.ShiftFilter{AgentIDs: []int64{a.ID}, From: now.AddDate(0, 0, -30), To: now.AddDate(0, 0, 90), Published: true})
	if err != nil {
		return calendar.Feed{}, err
	}
	stamp, rev, err := s.store.LatestPublication(ctx, a.ID)
	if err != nil {
		return calendar.Feed{}, err
	}
	if stamp.IsZero() {
		stamp = now
	}
	return calendar.Feed{Name: "Peakwise shifts: " + a.Name, Shifts: shifts, Revision: rev, Stamp: stamp}, nil
}

// DeleteCalendarFeed revokes the agent's feed; revoking a missing feed is not
// an error. The caller has checked the principal may.
func (s *Service) DeleteCalendarFeed(ctx context.Context, agentID int64) error {
	return s.store.DeleteCalendarFeed(ctx, agentID)
}
