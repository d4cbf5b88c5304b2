package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/jobs"
	"github.com/peakwise/peakwise/server/store"
)

// The background jobs, by name.
const (
	// ForecastJob forecasts some or all queues: the nightly re-forecast and
	// the planner's runs. It fans out, one item per queue.
	ForecastJob = "forecast"
	// HousekeepingJob deletes expired sessions and old login failures.
	HousekeepingJob = "housekeeping"
)

// RegisterJobs tells the runner how to run every job of the use cases.
func (s *Service) RegisterJobs(r *jobs.Runner) {
	r.Register(ForecastJob, s.fanOutForecasts)
	r.RegisterItems(ForecastJob, s.forecastItem)
	r.Register(GenerateJob, s.runGeneration)
	r.Register(RosterJob, s.runRoster)
	r.Register(HousekeepingJob, func(ctx context.Context, _ store.JobRun, p *jobs.Progress) (any, error) {
		return s.Housekeeping(ctx, p)
	})
}

// runParams reads a run's parameters into v and returns the principal of
// the user who started it, as they are now (a user disabled since cannot
// have their run go on).
func (s *Service) runParams(ctx context.Context, run store.JobRun, v any) (auth.Principal, error) {
	if err := json.Unmarshal([]byte(run.Params), v); err != nil {
		return auth.Principal{}, fmt.Errorf("the run's parameters: %w", err)
	}
	if run.TriggeredBy == nil {
		return auth.Principal{}, fmt.Errorf("the run names no user to act for")
	}
	u, err := s.store.FindUserByID(ctx, *run.TriggeredBy)
	if err != nil {
		return auth.Principal{}, err
	}
	return s.PrincipalFor(ctx, u)
}

// CancelRun stops a running job run for p (see jobs.Runner.Cancel).
func (s *Service) CancelRun(ctx context.Context, p auth.Principal, id int64) (store.JobRun, error) {
	if err := p.Allow(auth.Jobs, auth.Update); err != nil {
		return store.JobRun{}, err
	}
	return s.runner.Cancel(ctx, id, p.User.ID)
}

// RandomHex returns n random bytes in hex: the slot of a manually started
// job run, so two manual runs never claim the same slot.
func RandomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Housekeeping deletes expired sessions and old login failures.
func (s *Service) Housekeeping(ctx context.Context, p *jobs.Progress) (any, error) {
	now := s.now()
	n, err := s.store.DeleteExpiredSessions(ctx, now)
	if err != nil {
		return nil, err
	}
	if err := s.store.ClearLoginFailures(ctx, "", now.Add(-loginWindow)); err != nil {
		return nil, err
	}
	return map[string]int{"expired_sessions_deleted": n}, nil
}
