package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/store"
)

// runArgs is the queue job of a run started by Start.
type runArgs struct {
	RunID int64 `json:"run_id"`
}

func (runArgs) Kind() string { return "peakwise_run" }

type runWorker struct {
	river.WorkerDefaults[runArgs]
	r *Runner
}

// Work runs the run unless it has ended (cancelled before it started, or
// finished by an attempt that died before River heard of it). A rescued
// attempt runs it again from the start.
func (w *runWorker) Work(ctx context.Context, job *river.Job[runArgs]) error {
	run, ok, err := w.r.runningRun(ctx, job.Args.RunID)
	if ok {
		w.r.execute(ctx, run)
	}
	return err
}

// runningRun reads the run a queue job belongs to; ok is false when it has
// ended (cancelled, or finished by an earlier attempt), and a run that is
// gone cancels the queue job for good.
func (r *Runner) runningRun(ctx context.Context, id int64) (store.JobRun, bool, error) {
	run, err := r.store.FindJobRunByID(ctx, id)
	if fault.Is(err, fault.NotFound) {
		return run, false, river.JobCancel(err)
	}
	if err != nil {
		return run, false, err
	}
	return run, run.Status == store.JobRunning, nil
}

// periodicArgs is the queue job of one firing of a periodic job.
type periodicArgs struct {
	Job  string `json:"job"`
	Slot string `json:"slot"`
}

func (periodicArgs) Kind() string { return "peakwise_periodic" }

type periodicWorker struct {
	river.WorkerDefaults[periodicArgs]
	r *Runner
}

// Work claims the slot's run and runs it; a slot claimed already is done,
// unless this is a rescued attempt of the run it claimed.
func (w *periodicWorker) Work(ctx context.Context, job *river.Job[periodicArgs]) error {
	run, err := w.r.claim(ctx, Request{Job: job.Args.Job, Slot: job.Args.Slot})
	if fault.Is(err, fault.Conflict) {
		if job.Attempt == 1 {
			return nil // another firing of the same slot ran it
		}
		if run, err = w.r.store.FindJobRunBySlot(ctx, job.Args.Job, job.Args.Slot); err != nil {
			return err
		}
		if run.Status != store.JobRunning {
			return nil
		}
	} else if err != nil {
		return err
	}
	w.r.execute(ctx, run)
	return nil
}

// itemArgs is the queue job of one item of a fanned-out run.
type itemArgs struct {
	RunID int64  `json:"run_id"`
	Item  string `json:"item"`
}

func (itemArgs) Kind() string { return "peakwise_item" }

type itemWorker struct {
	river.WorkerDefaults[itemArgs]
	r *Runner
}

// Work works one item. An error is retried with backoff until the last
// attempt, which records the item as failed; the item that completes the
// run's count finishes the run.
func (w *itemWorker) Work(ctx context.Context, job *river.Job[itemArgs]) error {
	r := w.r
	run, ok, err := r.runningRun(ctx, job.Args.RunID)
	if !ok {
		return err // cancelled, or finished: skip the rest
	}
	if seen, err := r.store.HasJobRunItem(ctx, run.ID, job.Args.Item); err != nil || seen {
		return err // a rescued attempt of an item already recorded
	}
	r.mu.Lock()
	h := r.items[run.Job]
	r.mu.Unlock()
	if h == nil {
		err = fmt.Errorf("no item handler for %q in this server", run.Job)
	} else {
		_, err = safeCall(func() (any, error) { return nil, h(ctx, run, job.Args.Item) })
	}
	status, msg := store.JobSucceeded, ""
	if err != nil {
		if job.Attempt < job.MaxAttempts && ctx.Err() == nil && transient(err) {
			return err // River retries it with backoff
		}
		status, msg = store.JobFailed, err.Error()
	}
	return r.recordItem(context.WithoutCancel(ctx), run, job.Args.Item, status, msg)
}

// transient reports whether an item's error may go away on a retry: not
// when the item itself is wrong (invalid, unprocessable, gone, refused).
func transient(err error) bool {
	switch fault.CodeOf(err) {
	case fault.Invalid, fault.Unprocessable, fault.NotFound, fault.Forbidden, fault.Conflict:
		return false
	}
	return true
}

// recordItem records an item's outcome and finishes the run when it was the
// last one. run is as the item read it: its total was written before the
// items were queued. Progress is written only while the run is running, and
// only the first finisher's FinishJobRun succeeds.
func (r *Runner) recordItem(ctx context.Context, run store.JobRun, item string, status store.JobStatus, msg string) error {
	done, failed, errs, err := r.store.RecordJobRunItem(ctx, store.JobRunItem{RunID: run.ID, Item: item, Status: status, Error: msg, FinishedAt: r.now()})
	if err != nil {
		return err
	}
	joined := strings.Join(errs, "\n")
	if done+failed < run.Total {
		// The items' rows are the count; the run's row shows it for the
		// progress bar. Every worker writing that one row after each item
		// makes them queue on its lock, so a replica writes it at most every
		// progressEvery (and at the end, below).
		if !r.progressDue(run.ID, status != store.JobSucceeded) {
			return nil
		}
		return r.store.UpdateJobProgress(ctx, run.ID, run.Total, done, failed, joined, r.now())
	}
	r.progressDone(run.ID)
	final := store.JobSucceeded
	switch {
	case failed > 0 && done == 0:
		final = store.JobFailed
	case failed > 0:
		final = store.JobPartial
	}
	err = r.store.FinishJobRun(ctx, run.ID, final, run.Total, done, failed, joined, run.Result, r.now())
	if fault.Is(err, fault.Conflict) {
		return nil // another item finished it
	}
	if err == nil {
		r.log.Info("job finished", "job", run.Job, "run", run.ID, "status", final, "done", done, "failed", failed)
	}
	return err
}

// Progress counts a run's items. Safe for concurrent use by a job's workers.
type Progress struct {
	runner   *Runner
	run      store.JobRun
	mu       sync.Mutex
	total    int
	done     int
	failed   int
	errors   []string
	lastBeat time.Time
}

func (r *Runner) progress(run store.JobRun) *Progress {
	return &Progress{runner: r, run: run, lastBeat: r.now()}
}

// RunID returns the id of the run, for records the job writes.
func (p *Progress) RunID() *int64 {
	id := p.run.ID
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
	first := p.total != total // a new total is shown at once, not at the next heartbeat
	p.done, p.total = done, total
	p.mu.Unlock()
	p.flush(first)
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

// FanOut hands the run's items to the queue, one job each, so every replica
// with workers takes some; the items finish the run (see ItemHandler). The
// handler returns what FanOut returns. With no items the run finishes at once.
func (p *Progress) FanOut(ctx context.Context, items []string) error {
	r := p.runner
	r.mu.Lock()
	c := r.client
	r.mu.Unlock()
	if len(items) == 0 {
		return nil
	}
	if c == nil {
		return fault.Errorf(fault.Internal, "the job queue is not open")
	}
	p.SetTotal(len(items))
	params := make([]river.InsertManyParams, len(items))
	for i, it := range items {
		params[i] = river.InsertManyParams{Args: itemArgs{RunID: p.run.ID, Item: it}, InsertOpts: &river.InsertOpts{MaxAttempts: r.cfg.ItemAttempts}}
	}
	if _, err := c.InsertMany(ctx, params); err != nil {
		return fmt.Errorf("queue the run's items: %w", err)
	}
	return errFannedOut
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
	if err := p.runner.store.UpdateJobProgress(ctx, p.run.ID, total, done, failed, errs, now); err != nil {
		p.runner.log.Warn("recording job progress failed", "run", p.run.ID, "error", err)
	}
}

// progressEvery is how often a replica writes a fanned-out run's progress.
const progressEvery = 250 * time.Millisecond

// progressDue reports whether this replica should write run id's progress
// now: at most every progressEvery, and always for a failure (so its error
// shows at once).
func (r *Runner) progressDue(id int64, failure bool) bool {
	r.progressMu.Lock()
	defer r.progressMu.Unlock()
	if r.progressAt == nil {
		r.progressAt = map[int64]time.Time{}
	}
	now := time.Now()
	if !failure && now.Sub(r.progressAt[id]) < progressEvery {
		return false
	}
	r.progressAt[id] = now
	return true
}

// progressDone forgets a finished run's progress clock.
func (r *Runner) progressDone(id int64) {
	r.progressMu.Lock()
	defer r.progressMu.Unlock()
	delete(r.progressAt, id)
}
