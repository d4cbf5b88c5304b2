// Package jobs runs Peakwise's background work: cron-scheduled jobs such as
// the nightly re-forecast, and long requests run asynchronously. Every run is
// recorded in the database with its progress, so any replica can report on it,
// and a scheduled run is claimed by exactly one replica.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/store"
)

// heartbeatEvery is how often a running job proves it is alive; a run silent
// for staleAfter is taken as abandoned (its process died).
const (
	heartbeatEvery = 10 * time.Second
	staleAfter     = 2 * time.Minute
	maxErrors      = 50
)

// Func is a job's body. It reports per-item progress through p and returns a
// result (stored as JSON) or an error that fails the whole run.
type Func func(ctx context.Context, p *Progress) (result any, err error)

// Runner starts job runs and records them.
type Runner struct {
	store *store.Store
	log   *slog.Logger
	now   func() time.Time
	owner string
	wg    sync.WaitGroup
}

// NewRunner returns a runner; owner names this process in job records.
func NewRunner(st *store.Store, log *slog.Logger, now func() time.Time) *Runner {
	host, _ := os.Hostname()
	if now == nil {
		now = func() time.Time { return time.Now().UTC() }
	}
	return &Runner{store: st, log: log, now: now, owner: fmt.Sprintf("%s/%d", host, os.Getpid())}
}

// Request describes a run to start.
type Request struct {
	Job         string
	Slot        string // unique per job; two replicas using the same slot run it once
	Params      any
	TriggeredBy *int64
}

// Start claims the run and executes fn in the background. It returns the
// claimed run at once. Returns Conflict if the slot was claimed already.
func (r *Runner) Start(ctx context.Context, req Request, fn Func) (store.JobRun, error) {
	run, err := r.claim(ctx, req)
	if err != nil {
		return store.JobRun{}, err
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		// The run outlives the request that started it, but not the process.
		r.execute(context.WithoutCancel(ctx), run, fn)
	}()
	return run, nil
}

// Run claims the run and executes fn, returning when it is done.
// Returns Conflict if the slot was claimed already.
func (r *Runner) Run(ctx context.Context, req Request, fn Func) (store.JobRun, error) {
	run, err := r.claim(ctx, req)
	if err != nil {
		return store.JobRun{}, err
	}
	r.execute(ctx, run, fn)
	return r.store.FindJobRunByID(context.WithoutCancel(ctx), run.ID)
}

// Wait blocks until background runs started by Start have finished.
func (r *Runner) Wait() { r.wg.Wait() }

func (r *Runner) claim(ctx context.Context, req Request) (store.JobRun, error) {
	now := r.now()
	if _, err := r.store.AbandonStaleJobRuns(ctx, req.Job, now.Add(-staleAfter), now); err != nil {
		return store.JobRun{}, err
	}
	params := ""
	if req.Params != nil {
		b, err := json.Marshal(req.Params)
		if err != nil {
			return store.JobRun{}, err
		}
		params = string(b)
	}
	return r.store.ClaimJobRun(ctx, store.JobRun{Job: req.Job, Slot: req.Slot, Params: params, Owner: r.owner,
		TriggeredBy: req.TriggeredBy, StartedAt: now, HeartbeatAt: now})
}

func (r *Runner) execute(ctx context.Context, run store.JobRun, fn Func) {
	p := &Progress{runner: r, id: run.ID, lastBeat: r.now()}
	log := r.log.With("job", run.Job, "run", run.ID)
	log.Info("job started", "slot", run.Slot)
	result, err := safeCall(ctx, fn, p)
	status := store.JobSucceeded
	switch {
	case err != nil:
		status = store.JobFailed
		p.Fail("", err)
	case p.failed > 0 && p.done == 0 && p.total > 0:
		status = store.JobFailed
	case p.failed > 0:
		status = store.JobPartial
	}
	res := ""
	if result != nil {
		if b, jerr := json.Marshal(result); jerr == nil {
			res = string(b)
		}
	}
	p.mu.Lock()
	total, done, failed, errs := p.total, p.done, p.failed, strings.Join(p.errors, "\n")
	p.mu.Unlock()
	// Record the end even if ctx was cancelled (shutdown): the run did stop.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if ferr := r.store.FinishJobRun(fctx, run.ID, status, total, done, failed, errs, res, r.now()); ferr != nil {
		log.Error("recording job end failed", "error", ferr)
	}
	log.Info("job finished", "status", status, "done", done, "failed", failed)
}

func safeCall(ctx context.Context, fn Func, p *Progress) (result any, err error) {
	defer func() {
		if rec := recover(); rec != nil {
			err = fmt.Errorf("job panicked: %v", rec)
		}
	}()
	return fn(ctx, p)
}

// Progress counts a run's items. Safe for concurrent use by a job's workers.
type Progress struct {
	runner   *Runner
	id       int64
	mu       sync.Mutex
	total    int
	done     int
	failed   int
	errors   []string
	lastBeat time.Time
}

// RunID returns the id of the run, for records the job writes.
func (p *Progress) RunID() *int64 {
	id := p.id
	return &id
}

// SetTotal says how many items the run will process.
func (p *Progress) SetTotal(n int) {
	p.mu.Lock()
	p.total = n
	p.mu.Unlock()
	p.flush(true)
}

// Set reports progress as done out of total, for jobs that measure their
// own progress (a solver's rounds) rather than count items.
func (p *Progress) Set(done, total int) {
	p.mu.Lock()
	p.done, p.total = done, total
	p.mu.Unlock()
	p.flush(false)
}

// Done records a finished item.
func (p *Progress) Done() {
	p.mu.Lock()
	p.done++
	p.mu.Unlock()
	p.flush(false)
}

// Fail records a failed item (item may be empty for the run itself) and its error.
func (p *Progress) Fail(item string, err error) {
	msg := err.Error()
	if item != "" {
		msg = item + ": " + msg
	}
	var fe *fault.Error
	if errors.As(err, &fe) && fe.Code == fault.Internal && fe.Err != nil {
		msg += " (" + fe.Err.Error() + ")"
	}
	p.mu.Lock()
	if item != "" {
		p.failed++
	}
	if len(p.errors) < maxErrors {
		p.errors = append(p.errors, msg)
	}
	p.mu.Unlock()
	p.flush(false)
}

// flush writes progress at most every heartbeatEvery unless forced.
func (p *Progress) flush(force bool) {
	now := p.runner.now()
	p.mu.Lock()
	if !force && now.Sub(p.lastBeat) < heartbeatEvery {
		p.mu.Unlock()
		return
	}
	p.lastBeat = now
	total, done, failed, errs := p.total, p.done, p.failed, strings.Join(p.errors, "\n")
	p.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.runner.store.UpdateJobProgress(ctx, p.id, total, done, failed, errs, now); err != nil {
		p.runner.log.Warn("recording job progress failed", "run", p.id, "error", err)
	}
}

// Scheduler fires jobs on cron specs. Every replica runs a scheduler; the
// (job, slot) claim makes each firing run once across them.
type Scheduler struct {
	cron   *cron.Cron
	runner *Runner
	log    *slog.Logger
}

// NewScheduler returns a scheduler that evaluates specs in loc.
func NewScheduler(runner *Runner, log *slog.Logger, loc *time.Location) *Scheduler {
	return &Scheduler{cron: cron.New(cron.WithLocation(loc)), runner: runner, log: log}
}

// Add schedules fn under job with a standard 5-field cron spec.
// Returns Invalid for a bad spec.
func (s *Scheduler) Add(job, spec string, fn Func) error {
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return fault.Errorf(fault.Invalid, "bad cron spec %q for %s: %v", spec, job, err)
	}
	s.cron.Schedule(sched, cron.FuncJob(func() {
		slot := SlotFor(s.runner.now())
		_, err := s.runner.Run(context.Background(), Request{Job: job, Slot: slot}, fn)
		if fault.Is(err, fault.Conflict) {
			s.log.Info("scheduled run already claimed by another replica", "job", job, "slot", slot)
		} else if err != nil {
			s.log.Error("scheduled run could not start", "job", job, "error", err)
		}
	}))
	return nil
}

// SlotFor names the scheduled slot of a firing at t: the minute, in UTC, so
// replicas whose clocks fire within the same minute agree.
func SlotFor(t time.Time) string { return t.UTC().Truncate(time.Minute).Format(time.RFC3339) }

// Start begins firing scheduled jobs.
func (s *Scheduler) Start() { s.cron.Start() }

// Stop stops firing and waits for running scheduled jobs to end.
func (s *Scheduler) Stop() { <-s.cron.Stop().Done() }
