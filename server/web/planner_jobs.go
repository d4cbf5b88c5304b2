package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/ui"
)

// Jobs are the background jobs the server knows (server/jobs_routes.go).
type Jobs interface {
	// Known reports whether a job of that name exists.
	Known(name string) bool
	// List is every job, by name.
	List() []JobInfo
	// Start runs the named job now for user by; NotFound for an unknown name.
	Start(ctx context.Context, name string, by int64) (service.JobRun, error)
}

// JobInfo is a job as the jobs page lists it.
type JobInfo struct {
	Name        string
	Description string
	Spec        string // cron spec; empty means manual only
}

// jobRunRow is a run with its errors split into lines.
type jobRunRow struct {
	service.JobRun
	ErrorLines []string
	Duration   string
}

func (s *Handler) webJobs(c echo.Context) error {
	p, err := plannerMay(c, auth.Jobs, auth.Read)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	pg := s.newPage(c, "Jobs")
	filter := service.JobRunFilter{Job: c.QueryParam("job"), Page: service.Page{Limit: 50}}
	if filter.Job != "" {
		if !s.jobs.Known(filter.Job) && filter.Job != "generate-schedule" {
			pg.Fields["job"] = "Choose a job from the list."
			filter.Job = ""
		}
	}
	runs, total, err := s.svc.FindJobRuns(ctx, filter)
	if err != nil {
		return err
	}
	rows := make([]jobRunRow, len(runs))
	for i, r := range runs {
		rows[i] = jobRunRow{JobRun: r}
		if r.Errors != "" {
			rows[i].ErrorLines = strings.Split(r.Errors, "\n")
		}
		if r.FinishedAt != nil {
			rows[i].Duration = ui.Duration(r.FinishedAt.Sub(r.StartedAt))
		}
	}
	pg.Data["Jobs"] = s.jobs.List()
	pg.Data["Runs"] = rows
	pg.Data["Total"] = total
	pg.Data["Filter"] = filter.Job
	pg.Data["CanTrigger"] = p.Allow(auth.Jobs, auth.Create) == nil
	status := http.StatusOK
	if len(pg.Fields) > 0 {
		status = http.StatusBadRequest
	}
	return s.render(c, status, "planner_jobs", pg)
}

// webTriggerJob runs a job now, for admins, as the API's trigger does.
func (s *Handler) webTriggerJob(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.Jobs, auth.Create); err != nil {
		return err
	}
	run, err := s.jobs.Start(c.Request().Context(), c.Param("name"), p.User.ID)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/planner/runs/"+strconv.FormatInt(run.ID, 10))
}

// runNext is the page a succeeded run leads to: the draft a generation or
// rostering run left, or the queue a one-queue forecast run forecast; "" for
// the others.
func runNext(run service.JobRun, draft runDraft) string {
	if draft.ScheduleID != 0 {
		return "/planner/schedules/" + strconv.FormatInt(draft.ScheduleID, 10)
	}
	var req service.ForecastRun
	if run.Job == service.ForecastJob && run.Status == service.JobSucceeded && json.Unmarshal([]byte(run.Params), &req) == nil && len(req.QueueIDs) == 1 {
		return "/planner/queues/" + strconv.FormatInt(req.QueueIDs[0], 10)
	}
	return ""
}
