// Package service holds Peakwise's use cases: they own transactions, call the
// store and the pure domain packages, and take and return plain Go values.
// The JSON API (server/api) and the pages (server/web) share them; nothing
// here knows about HTTP, so a rule lives in one place whichever door a
// request comes through.
package service

import (
	"log/slog"
	"time"

	"github.com/peakwise/peakwise/server/jobs"
	"github.com/peakwise/peakwise/server/store"
)

// Service carries what the use cases need between calls. Everything else
// lives in the database, so any number of replicas can share the same users.
type Service struct {
	store *store.Store
	log   *slog.Logger
	now   func() time.Time
	// runner runs background jobs once across replicas.
	runner *jobs.Runner
	// forecaster is the forecasting engine; nil refuses forecast runs.
	forecaster Forecaster
	// requirements caches QueueRequirements per queue targets, forecast
	// version and range.
	requirements *requirementsCache
}

// New builds the use cases on st; now is the clock (UTC), runner runs their
// background jobs and forecaster forecasts queues.
func New(st *store.Store, log *slog.Logger, now func() time.Time, runner *jobs.Runner, forecaster Forecaster) *Service {
	return &Service{store: st, log: log, now: now, runner: runner, forecaster: forecaster, requirements: newRequirementsCache(32)}
}
