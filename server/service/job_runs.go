package service

import (
	"context"

	"github.com/peakwise/peakwise/server/store"
)

// FindJobRunByID reads through the store; the caller has checked the principal may.
func (s *Service) FindJobRunByID(ctx context.Context, id int64) (store.JobRun, error) {
	return s.store.FindJobRunByID(ctx, id)
}

// FindJobRuns reads through the store; the caller has checked the principal may.
func (s *Service) FindJobRuns(ctx context.Context, f store.JobRunFilter) ([]store.JobRun, int, error) {
	return s.store.FindJobRuns(ctx, f)
}
