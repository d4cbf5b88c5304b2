package store

import (
	"context"
	"time"
)

// JobStatus is the state of a job run.
type JobStatus string

const (
	JobRunning   JobStatus = "running"
	JobSucceeded JobStatus = "succeeded"
	JobPartial   JobStatus = "partial" // finished, but some items failed
	JobFailed    JobStatus = "failed"
	JobAbandoned JobStatus = "abandoned" // its process stopped without finishing
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

// FinishJobRun records the final state of a run.
func (s *Store) FinishJobRun(ctx context.Context, id int64, status JobStatus, total, done, failed int, errors, result string, at time.Time) error {
	err := s.conn(ctx).Model(&JobRun{}).Where("id = ?", id).Updates(map[string]any{
		"status": status, "total": total, "done": done, "failed": failed, "errors": errors, "result": result,
		"heartbeat_at": at, "finished_at": at,
	}).Error
	return translate(err, "job run")
}

// AbandonStaleJobRuns marks running runs of job whose heartbeat is older than
// before as abandoned, and returns how many.
func (s *Store) AbandonStaleJobRuns(ctx context.Context, job string, before, at time.Time) (int, error) {
	res := s.conn(ctx).Model(&JobRun{}).Where("job = ? AND status = ? AND heartbeat_at < ?", job, JobRunning, before).
		Updates(map[string]any{"status": JobAbandoned, "finished_at": at})
	return int(res.RowsAffected), translate(res.Error, "job run")
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
