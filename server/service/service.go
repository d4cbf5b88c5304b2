// Package service holds Peakwise's use cases: they own transactions, call the
// store and the pure domain packages, and take and return plain Go values.
// The JSON API (server/api) and the pages (server/web) share them; nothing
// here knows about HTTP, so a rule lives in one place whichever door a
// request comes through.
package service

import (
	"log/slog"
	"runtime"
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
	// sessionTTL is how long an idle browser session lives.
	sessionTTL time.Duration
	// requirements caches QueueRequirements per queue targets, forecast
	// version and range.
	requirements *requirementsCache
	// passwords bounds the password checks that run at once.
	passwords *hashGate
	// live tells the live board's watchers of changes.
	live *liveHub
}

// Config is what the use cases need beyond the store.
type Config struct {
	// Now is the clock (UTC).
	Now func() time.Time
	// Runner runs background jobs once across replicas.
	Runner *jobs.Runner
	// Forecaster is the forecasting engine; nil refuses forecast runs.
	Forecaster Forecaster
	// SessionTTL is how long an idle browser session lives.
	SessionTTL time.Duration
}

// New builds the use cases on st.
func New(st *store.Store, log *slog.Logger, cfg Config) *Service {
	// Password checks take all cores but one, so a sign-in flood leaves a core
	// to every other request (docs/benchmarks/signin.md).
	return &Service{store: st, log: log, now: cfg.Now, runner: cfg.Runner, forecaster: cfg.Forecaster, sessionTTL: cfg.SessionTTL,
		requirements: newRequirementsCache(32), passwords: newHashGate(max(1, runtime.NumCPU()-1), 4*runtime.NumCPU()), live: &liveHub{}}
}
