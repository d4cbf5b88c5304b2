package service

import (
	"context"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server/store"
)

// CreateTimeOff writes through the store; the caller has checked the principal may.
func (s *Service) CreateTimeOff(ctx context.Context, r calendar.TimeOff) (calendar.TimeOff, error) {
	return s.store.CreateTimeOff(ctx, r)
}

// FindTimeOff reads through the store; the caller has checked the principal may.
func (s *Service) FindTimeOff(ctx context.Context, f store.TimeOffFilter) ([]calendar.TimeOff, int, error) {
	return s.store.FindTimeOff(ctx, f)
}

// SaveTimeOffState writes through the store; the caller has checked the principal may.
func (s *Service) SaveTimeOffState(ctx context.Context, r calendar.TimeOff) (calendar.TimeOff, error) {
	return s.store.SaveTimeOffState(ctx, r)
}
