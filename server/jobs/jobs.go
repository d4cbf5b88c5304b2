// Package jobs runs Peakwise's background work on River
// (github.com/riverqueue/river), the job queue for Go on PostgreSQL, with its
// SQLite driver on the embedded database. River claims jobs, retries them,
// rescues the jobs of replicas that died, keeps periodic jobs unique per
// slot and spreads work over every replica that runs workers. This package
// adds what users see: every run is a row in job_runs with its progress and
// result, so any replica can report on it, and a run can fan out into items
// (one forecast per queue) that replicas work at once.
package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"
	"github.com/robfig/cron/v3"

	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/store"
)

// heartbeatEvery is how often a running job writes its progress.
const (
	heartbeatEvery = 10 * time.Second
	maxErrors      = 50
)

// Func is a job's body. It reports per-item progress through p and returns a
// result (stored as JSON) or an error that fails the whole run.
type Func func(ctx context.Context, p *Progress) (result any, err error)

// Handler is the body of a named job, run from its stored run (its Params).
type Handler func(ctx context.Context, run store.JobRun, p *Progress) (result any, err error)

// ItemHandler works one item of a run that fanned out (see Progress.FanOut).
// An error is retried with backoff; after the last attempt the item counts
// as failed with the error.
type ItemHandler func(ctx context.Context, run store.JobRun, item string) error

// errFannedOut is what a handler's run returns after FanOut: its items
// finish the run.
var errFannedOut = errors.New("the run goes on in its items")

// fetchCooldown is the pause between River's fetches of new jobs.
const fetchCooldown = 5 * time.Millisecond

// Config sets the job queue up for one replica.
type Config struct {
	// Workers is how many jobs this replica works at once; 0 means the number of cores.
	Workers int
	// NoWorker makes an API-only replica: it queues jobs but works none.
	NoWorker bool
	// JobTimeout bounds one attempt of a job (0: 20 minutes).
	JobTimeout time.Duration
	// RescueAfter is how long a job may stay running before it is taken as
	// lost with its replica and worked again (0: 30 minutes); it must exceed JobTimeout.
	RescueAfter time.Duration
	// ItemAttempts is how often a fanned-out item is tried (0: 5).
	ItemAttempts int
	// PollInterval is how often idle workers look for jobs (0: 1 second).
	PollInterval time.Duration
	// Location is where cron specs of periodic jobs are read (nil: UTC).
	Location *time.Location
	// ID names this replica in the queue's records (a job's attempted_by);
	// empty lets River make one of the host name and the start time.
	ID string
}

func (c Config) withDefaults() Config {
	if c.Workers <= 0 {
		c.Workers = runtime.NumCPU()
	}
	if c.JobTimeout <= 0 {
		c.JobTimeout = 20 * time.Minute
	}
	if c.RescueAfter <= 0 {
		c.RescueAfter = 30 * time.Minute
	}
	if c.ItemAttempts <= 0 {
		c.ItemAttempts = 5
	}
	if c.PollInterval <= 0 {
		c.PollInterval = time.Second
	}
	if c.Location == nil {
		c.Location = time.UTC
	}
	return c
}

// client is what the runner uses of a River client, whichever its driver.
type client interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	InsertMany(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
	JobCancel(ctx context.Context, jobID int64) (*rivertype.JobRow, error)
	Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func())
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// Runner starts job runs and records them.
type Runner struct {
	store *store.Store
	log   *slog.Logger
	now   func() time.Time
	owner string
	cfg   Config

	mu       sync.Mutex
	handlers map[string]Handler
	items    map[string]ItemHandler
	periodic []periodicJob
	client   client
	started  bool
	metrics  *metrics
	wg       sync.WaitGroup // inline runs (Run)

	// progressMu guards progressAt: when this replica last wrote each
	// fanned-out run's progress (see recordItem).
	progressMu sync.Mutex
	progressAt map[int64]time.Time
}

type periodicJob struct {
	job      string
	schedule cron.Schedule
}

// NewRunner returns a runner on st's database; owner names this process in
// job records. Register handlers and periodic jobs, then call Open.
func NewRunner(st *store.Store, log *slog.Logger, now func() time.Time, cfg Config) *Runner {
	host, _ := os.Hostname()
	if now == nil {
		now = func() time.Time { return time.Now().UTC() }
	}
	return &Runner{store: st, log: log, now: now, owner: fmt.Sprintf("%s/%d", host, os.Getpid()), cfg: cfg.withDefaults(),
		handlers: map[string]Handler{}, items: map[string]ItemHandler{}}
}

// Register makes job runnable by Start and periodic schedules.
func (r *Runner) Register(job string, h Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.handlers[job] = h
}

// RegisterItems sets how the items of job's fanned-out runs are worked.
func (r *Runner) RegisterItems(job string, h ItemHandler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.items[job] = h
}

// Periodic runs job on a standard 5-field cron spec read in the configured
// location; each firing runs once across replicas. Returns Invalid for a
// bad spec. Call before Open.
func (r *Runner) Periodic(job, spec string) error {
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return fault.Errorf(fault.Invalid, "bad cron spec %q for %s: %v", spec, job, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.periodic = append(r.periodic, periodicJob{job: job, schedule: sched})
	return nil
}

// Open builds the River client and, unless NoWorker, starts working jobs.
// Call it once, after registering handlers and periodic jobs.
func (r *Runner) Open(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.client != nil {
		return nil
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &runWorker{r: r})
	river.AddWorker(workers, &periodicWorker{r: r})
	river.AddWorker(workers, &itemWorker{r: r})
	cfg := &river.Config{
		Workers:              workers,
		JobTimeout:           r.cfg.JobTimeout,
		RescueStuckJobsAfter: r.cfg.RescueAfter,
		FetchPollInterval:    r.cfg.PollInterval,
		// River waits this long after each fetch; at its default (100 ms) a
		// replica starts at most ten times its workers in jobs a second, which
		// starves a fan-out of many small items (docs/benchmarks/jobs.md).
		FetchCooldown: fetchCooldown,
		Logger:        r.log.With("component", "river"),
		ErrorHandler:  &errorLog{log: r.log},
		ID:            r.cfg.ID,
	}
	if !r.cfg.NoWorker {
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: r.cfg.Workers}}
		for _, p := range r.periodic {
			cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(zoned{p.schedule, r.cfg.Location},
				func() (river.JobArgs, *river.InsertOpts) {
					return periodicArgs{Job: p.job, Slot: SlotFor(r.now())}, &river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByArgs: true}}
				}, &river.PeriodicJobOpts{ID: p.job}))
		}
	}
	var (
		c   client
		err error
	)
	if pool := r.store.Pgx(); pool != nil {
		c, err = newClient[pgx.Tx](riverpgxv5.New(pool), cfg)
	} else {
		var db *sql.DB
		if db, err = r.store.SQL(); err == nil {
			c, err = newClient[*sql.Tx](riversqlite.New(db), cfg)
		}
	}
	if err != nil {
		return fmt.Errorf("job queue: %w", err)
	}
	if !r.cfg.NoWorker {
		if r.metrics != nil {
			events, _ := c.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled)
			go r.metrics.watch(events) // ends when the client stops and closes the channel
		}
		if err := c.Start(ctx); err != nil {
			return fmt.Errorf("start the job queue: %w", err)
		}
		r.started = true
	}
	r.client = c
	return nil
}

func newClient[TTx any](d riverdriver.Driver[TTx], cfg *river.Config) (client, error) {
	return river.NewClient(d, cfg)
}

// Close stops working jobs: running ones get until ctx ends to finish, then
// are cancelled (River works them again later, here or on another replica).
func (r *Runner) Close(ctx context.Context) error {
	r.mu.Lock()
	c, started := r.client, r.started
	r.started = false
	r.mu.Unlock()
	r.wg.Wait()
	if c == nil || !started {
		return nil
	}
	return c.Stop(ctx)
}

// Fire queues a firing of a periodic job for the slot of now, as the
// schedule does (an operator's "run the nightly job now", and tests): the
// firings of one slot from every replica make one run.
func (r *Runner) Fire(ctx context.Context, job string) error {
	if err := r.Open(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	r.mu.Lock()
	c := r.client
	r.mu.Unlock()
	_, err := c.Insert(ctx, periodicArgs{Job: job, Slot: SlotFor(r.now())}, &river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByArgs: true}})
	return err
}

// Wait blocks until inline runs started by Run have finished.
func (r *Runner) Wait() { r.wg.Wait() }

// Request describes a run to start.
type Request struct {
	Job         string
	Slot        string // unique per job; two starts with the same slot run it once
	Params      any
	TriggeredBy *int64
}

// Start records the run and queues it; any replica with workers runs it.
// It returns the run at once. Returns Conflict if the slot was taken.
//
// A runner not opened yet opens on its first Start, with workers unless
// NoWorker and without periodic jobs (tests, commands).
func (r *Runner) Start(ctx context.Context, req Request) (store.JobRun, error) {
	r.mu.Lock()
	known := r.handlers[req.Job] != nil
	r.mu.Unlock()
	if !known {
		return store.JobRun{}, fault.Errorf(fault.NotFound, "no job named %q", req.Job)
	}
	if err := r.Open(context.WithoutCancel(ctx)); err != nil {
		return store.JobRun{}, fault.Wrap(fault.Internal, err, "the job queue could not open")
	}
	r.mu.Lock()
	c := r.client
	r.mu.Unlock()
	run, err := r.claim(ctx, req)
	if err != nil {
		return store.JobRun{}, err
	}
	res, err := c.Insert(ctx, runArgs{RunID: run.ID}, &river.InsertOpts{MaxAttempts: 3})
	if err != nil {
		r.finish(ctx, run, nil, fmt.Errorf("could not queue the run: %w", err), nil)
		return store.JobRun{}, err
	}
	if err := r.store.SetJobRunRiverID(ctx, run.ID, res.Job.ID); err != nil {
		return store.JobRun{}, err
	}
	id := res.Job.ID
	run.RiverJobID = &id
	return run, nil
}

// Run records the run and executes fn in the caller, returning when it is
// done: for a command that must wait (the demo's first forecasts) and works
// without the queue. Returns Conflict if the slot was taken.
func (r *Runner) Run(ctx context.Context, req Request, fn Func) (store.JobRun, error) {
	run, err := r.claim(ctx, req)
	if err != nil {
		return store.JobRun{}, err
	}
	r.wg.Add(1)
	defer r.wg.Done()
	p := r.progress(run)
	result, err := safeCall(func() (any, error) { return fn(ctx, p) })
	r.finish(ctx, run, result, err, p)
	return r.store.FindJobRunByID(context.WithoutCancel(ctx), run.ID)
}

// Cancel stops a running run: it is recorded as cancelled at once, its job
// is cancelled in the queue (a replica working it sees its context end),
// and items not yet worked are skipped. Returns Conflict for a run that has
// finished.
func (r *Runner) Cancel(ctx context.Context, runID int64, by int64) (store.JobRun, error) {
	run, err := r.store.FindJobRunByID(ctx, runID)
	if err != nil {
		return store.JobRun{}, err
	}
	if run.Status != store.JobRunning {
		return store.JobRun{}, fault.Errorf(fault.Conflict, "the run has ended (%s)", run.Status)
	}
	now := r.now()
	msg := fmt.Sprintf("cancelled by user %d at %s", by, now.Format(time.RFC3339))
	if run.Errors != "" {
		msg = run.Errors + "\n" + msg
	}
	if err := r.store.FinishJobRun(ctx, run.ID, store.JobCancelled, run.Total, run.Done, run.Failed, msg, run.Result, now); err != nil {
		return store.JobRun{}, err
	}
	r.mu.Lock()
	c := r.client
	r.mu.Unlock()
	if c != nil && run.RiverJobID != nil {
		if _, err := c.JobCancel(ctx, *run.RiverJobID); err != nil && !errors.Is(err, river.ErrNotFound) {
			r.log.Warn("cancelling the queued job failed", "run", run.ID, "error", err)
		}
	}
	return r.store.FindJobRunByID(ctx, run.ID)
}

func (r *Runner) claim(ctx context.Context, req Request) (store.JobRun, error) {
	params := ""
	if req.Params != nil {
		b, err := json.Marshal(req.Params)
		if err != nil {
			return store.JobRun{}, err
		}
		params = string(b)
	}
	now := r.now()
	return r.store.ClaimJobRun(ctx, store.JobRun{Job: req.Job, Slot: req.Slot, Params: params, Owner: r.owner,
		TriggeredBy: req.TriggeredBy, StartedAt: now, HeartbeatAt: now})
}

// execute runs the run's handler and records its end, unless it fanned out.
func (r *Runner) execute(ctx context.Context, run store.JobRun) {
	r.mu.Lock()
	h := r.handlers[run.Job]
	r.mu.Unlock()
	p := r.progress(run)
	if h == nil {
		r.finish(ctx, run, nil, fmt.Errorf("no job named %q in this server", run.Job), p)
		return
	}
	log := r.log.With("job", run.Job, "run", run.ID)
	log.Info("job started", "slot", run.Slot)
	result, err := safeCall(func() (any, error) { return h(ctx, run, p) })
	if errors.Is(err, errFannedOut) {
		log.Info("job fanned out", "items", p.total)
		return
	}
	r.finish(ctx, run, result, err, p)
}

// finish records the end of a run that is still running.
func (r *Runner) finish(ctx context.Context, run store.JobRun, result any, err error, p *Progress) {
	if p == nil {
		p = r.progress(run)
	}
	status := store.JobSucceeded
	switch {
	case err != nil && ctx.Err() != nil:
		status = store.JobCancelled
		p.Fail("", err)
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
	// Record the end even if ctx ended (shutdown, cancel): the run did stop.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	ferr := r.store.FinishJobRun(fctx, run.ID, status, total, done, failed, errs, res, r.now())
	switch {
	case fault.Is(ferr, fault.Conflict):
		// Cancelled meanwhile: the cancel is the record.
	case ferr != nil:
		r.log.Error("recording job end failed", "run", run.ID, "error", ferr)
	default:
		r.log.Info("job finished", "job", run.Job, "run", run.ID, "status", status, "done", done, "failed", failed)
	}
}

func safeCall(fn func() (any, error)) (result any, err error) {
	defer func() {
		if rec := recover(); rec != nil {
			err = fmt.Errorf("job panicked: %v", rec)
		}
	}()
	return fn()
}

// SlotFor names the scheduled slot of a firing at t: the minute, in UTC, so
// replicas whose clocks fire within the same minute agree.
func SlotFor(t time.Time) string { return t.UTC().Truncate(time.Minute).Format(time.RFC3339) }

// zoned reads a cron schedule on loc's clock, so "0 2 * * *" is 02:00 there.
type zoned struct {
	s   cron.Schedule
	loc *time.Location
}

func (z zoned) Next(t time.Time) time.Time { return z.s.Next(t.In(z.loc)) }

type errorLog struct{ log *slog.Logger }

func (e *errorLog) HandleError(ctx context.Context, job *rivertype.JobRow, err error) *river.ErrorHandlerResult {
	e.log.Warn("job attempt failed", "kind", job.Kind, "attempt", job.Attempt, "error", err)
	return nil
}

func (e *errorLog) HandlePanic(ctx context.Context, job *rivertype.JobRow, panicVal any, trace string) *river.ErrorHandlerResult {
	e.log.Error("job attempt panicked", "kind", job.Kind, "attempt", job.Attempt, "panic", panicVal)
	return nil
}
