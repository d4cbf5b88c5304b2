package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/peakwise/peakwise/server/fault"
)

// JobStatus is the state of a job run.
type JobStatus string

const (
	JobRunning   JobStatus = "running"
	JobSucceeded JobStatus = "succeeded"
	JobPartial   JobStatus = "partial" // finished, but some items failed
	JobFailed    JobStatus = "failed"
	JobAbandoned JobStatus = "abandoned" // its process stopped without finishing (before the job queue)
	JobCancelled JobStatus = "cancelled" // stopped on request
)

// JobRun is one run of a background job, with its progress. Params and Result
// are JSON documents owned by the job.
type JobRun struct {
	ID          int64      `json:"id"`
	Job         string     `json:"job"`
	Slot        string     `json:"slot"`
	Status      JobStatus  `json:"status"`
	Params      string     `json:"params,omitempty"`
	Result      string     `json:"result,omitempty"`
	Owner       string     `json:"owner"`
	TriggeredBy *int64     `json:"triggered_by"`
	Total       int        `json:"total"`
	Done        int        `json:"done"`
	Failed      int        `json:"failed"`
	Errors      string     `json:"errors,omitempty"`
	StartedAt   time.Time  `json:"started_at"`
	HeartbeatAt time.Time  `json:"heartbeat_at"`
	FinishedAt  *time.Time `json:"finished_at"`
	// RiverJobID is the run's job in the job queue, for cancelling it.
	RiverJobID *int64 `json:"-"`
}

func (JobRun) TableName() string { return "job_runs" }

// ClaimJobRun inserts a running job run. Returns Conflict if a run with the
// same job and slot exists: another replica claimed it.
func (s *Store) ClaimJobRun(ctx context.Context, r JobRun) (JobRun, error) {
	r.ID = 0
	r.Status = JobRunning
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return JobRun{}, translate(err, "job run")
	}
	return r, nil
}

// UpdateJobProgress records counts and a heartbeat for a running job.
func (s *Store) UpdateJobProgress(ctx context.Context, id int64, total, done, failed int, errors string, at time.Time) error {
	err := s.conn(ctx).Model(&JobRun{}).Where("id = ? AND status = ?", id, JobRunning).
		Updates(map[string]any{"total": total, "done": done, "failed": failed, "errors": errors, "heartbeat_at": at}).Error
	return translate(err, "job run")
}

// FinishJobRun records the final state of a running run. Returns Conflict
// when the run is no longer running (cancelled, or finished by another
// worker), leaving it as it is.
func (s *Store) FinishJobRun(ctx context.Context, id int64, status JobStatus, total, done, failed int, errors, result string, at time.Time) error {
	res := s.conn(ctx).Model(&JobRun{}).Where("id = ? AND status = ?", id, JobRunning).Updates(map[string]any{
		"status": status, "total": total, "done": done, "failed": failed, "errors": errors, "result": result,
		"heartbeat_at": at, "finished_at": at,
	})
	if res.Error != nil {
		return translate(res.Error, "job run")
	}
	if res.RowsAffected == 0 {
		return fault.Errorf(fault.Conflict, "job run %d is no longer running", id)
	}
	return nil
}

// SetJobRunRiverID remembers the run's job in the job queue.
func (s *Store) SetJobRunRiverID(ctx context.Context, id, riverJobID int64) error {
	return translate(s.conn(ctx).Model(&JobRun{}).Where("id = ?", id).Update("river_job_id", riverJobID).Error, "job run")
}

// FindJobRunBySlot returns the run of job in slot. Returns NotFound.
func (s *Store) FindJobRunBySlot(ctx context.Context, job, slot string) (JobRun, error) {
	var r JobRun
	err := s.conn(ctx).Where("job = ? AND slot = ?", job, slot).Take(&r).Error
	return r, translate(err, "job run")
}

// JobRunItem is one item of a run fanned out into items (one queue's
// forecast of a nightly run): done, or failed after its last attempt.
type JobRunItem struct {
	ID         int64
	RunID      int64
	Item       string
	Status     JobStatus
	Error      string
	FinishedAt time.Time
}

func (JobRunItem) TableName() string { return "job_run_items" }

// RecordJobRunItem records an item's outcome once (a second record of the
// same item, from a rescued retry, is ignored) and returns the run's counts
// of done and failed items and the errors of the failed ones (up to 50).
func (s *Store) RecordJobRunItem(ctx context.Context, it JobRunItem) (done, failed int, errs []string, err error) {
	it.ID = 0
	it.FinishedAt = it.FinishedAt.UTC()
	if err := s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "run_id"}, {Name: "item"}}, DoNothing: true}).Create(&it).Error; err != nil {
		return 0, 0, nil, translate(err, "job run item")
	}
	var counts []struct {
		Status JobStatus
		N      int
	}
	if err := s.conn(ctx).Model(&JobRunItem{}).Select("status, COUNT(*) AS n").Where("run_id = ?", it.RunID).Group("status").Scan(&counts).Error; err != nil {
		return 0, 0, nil, translate(err, "job run item")
	}
	for _, c := range counts {
		if c.Status == JobSucceeded {
			done += c.N
		} else {
			failed += c.N
		}
	}
	if failed > 0 {
		var rows []JobRunItem
		if err := s.conn(ctx).Where("run_id = ? AND status <> ?", it.RunID, JobSucceeded).Order("id").Limit(50).Find(&rows).Error; err != nil {
			return 0, 0, nil, translate(err, "job run item")
		}
		for _, r := range rows {
			errs = append(errs, r.Item+": "+r.Error)
		}
	}
	return done, failed, errs, nil
}

// HasJobRunItem reports whether the run has recorded the item already.
func (s *Store) HasJobRunItem(ctx context.Context, runID int64, item string) (bool, error) {
	var n int64
	err := s.conn(ctx).Model(&JobRunItem{}).Where("run_id = ? AND item = ?", runID, item).Count(&n).Error
	return n > 0, translate(err, "job run item")
}

// FindJobRunByID returns the run. Returns NotFound if it does not exist.
func (s *Store) FindJobRunByID(ctx context.Context, id int64) (JobRun, error) {
	return findByID[JobRun](ctx, s, id, "job run")
}

// JobRunFilter narrows FindJobRuns.
type JobRunFilter struct {
	Job  string
	Page Page
}

// FindJobRuns returns runs, newest first, and the total count.
func (s *Store) FindJobRuns(ctx context.Context, f JobRunFilter) ([]JobRun, int, error) {
	q := s.conn(ctx).Model(&JobRun{})
	if f.Job != "" {
		q = q.Where("job = ?", f.Job)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "job run")
	}
	p := f.Page.Normalize()
	var runs []JobRun
	err := q.Order("started_at DESC, id DESC").Limit(p.Limit).Offset(p.Offset).Find(&runs).Error
	return runs, int(total), translate(err, "job run")
}
