package api

import (
	"context"
	"net/http"
	"sort"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/jobs"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
)

// Job is a background job the server knows: it can be scheduled and triggered by an admin.
type Job struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Spec        string `json:"spec"` // cron spec; empty means manual only
	// ownEndpoint: the job starts from its own endpoint with its parameters,
	// not from POST /jobs/{name}/runs.
	ownEndpoint bool
}

// addJob makes a job known to the jobs endpoints.
func (s *API) addJob(j Job) { s.jobDefs[j.Name] = j }

// SchedulePeriodic registers the jobs with a cron spec as periodic jobs of
// the runner (before it opens): each firing runs once across replicas.
func (s *API) SchedulePeriodic() error {
	for _, j := range s.jobDefs {
		if j.Spec == "" {
			continue
		}
		if err := s.runner.Periodic(j.Name, j.Spec); err != nil {
			return err
		}
	}
	return nil
}

func (s *API) handleListJobs(c echo.Context) error {
	if err := httpx.Principal(c).Allow(auth.Jobs, auth.Read); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.Jobs())
}

func (s *API) handleListJobRuns(c echo.Context) error {
	if err := httpx.Principal(c).Allow(auth.Jobs, auth.Read); err != nil {
		return err
	}
	f := store.JobRunFilter{Job: c.QueryParam("job"), Page: pageOf(c)}
	runs, total, err := s.svc.FindJobRuns(c.Request().Context(), f)
	return sendList(c, f.Page, runs, total, err)
}

func (s *API) handleGetJobRun(c echo.Context) error {
	id, err := httpx.AuthorizedID(c, auth.Jobs, auth.Read)
	if err != nil {
		return err
	}
	run, err := s.svc.FindJobRunByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, run)
}

func (s *API) handleTriggerJob(c echo.Context) error {
	p := httpx.Principal(c)
	if err := p.Allow(auth.Jobs, auth.Create); err != nil {
		return err
	}
	j, ok := s.jobDefs[c.Param("name")]
	if !ok {
		return fault.Errorf(fault.NotFound, "no job named %q", c.Param("name"))
	}
	if j.ownEndpoint {
		return fault.Errorf(fault.Conflict, "job %q is started from its own endpoint with its parameters, not from here", j.Name)
	}
	run, err := s.runner.Start(c.Request().Context(), jobs.Request{Job: j.Name, Slot: "manual-" + service.RandomHex(8), TriggeredBy: &p.User.ID})
	return acceptedRun(c, run, err)
}

// acceptedRun answers a request that started a background job: 202 with the
// run, and its address in Location; or err when the job did not start.
func acceptedRun(c echo.Context, run store.JobRun, err error) error {
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/jobs/runs/"+itoa64(run.ID))
	return c.JSON(http.StatusAccepted, run)
}

// Jobs lists the background jobs, by name.
func (s *API) Jobs() []Job {
	out := make([]Job, 0, len(s.jobDefs))
	for _, j := range s.jobDefs {
		out = append(out, j)
	}
	sort.Slice(out, func(i, k int) bool { return out[i].Name < out[k].Name })
	return out
}

// StartJob runs the named job now for user by, as the jobs page's button
// does; NotFound for an unknown name.
func (s *API) StartJob(ctx context.Context, name string, by int64) (store.JobRun, error) {
	j, ok := s.jobDefs[name]
	if !ok {
		return store.JobRun{}, fault.Errorf(fault.NotFound, "no job named %q", name)
	}
	if j.ownEndpoint {
		return store.JobRun{}, fault.Errorf(fault.Conflict, "job %q is started from its own page with its parameters", j.Name)
	}
	return s.runner.Start(ctx, jobs.Request{Job: j.Name, Slot: "manual-" + service.RandomHex(8), TriggeredBy: &by})
}

// handleCancelRun stops a running job run: a generation, a rostering or a
// forecast run.
func (s *API) handleCancelRun(c echo.Context) error {
	id, err := httpx.IDParam(c)
	if err != nil {
		return err
	}
	run, err := s.svc.CancelRun(c.Request().Context(), httpx.Principal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, run)
}

// defineJobs makes the background jobs known to the scheduler and to the
// jobs endpoints; some start only from their own endpoint (no fn).
func (s *API) defineJobs() {
	s.addJob(Job{Name: service.HousekeepingJob, Description: "delete expired sessions and old login failures", Spec: "17 * * * *"})
	s.addJob(Job{Name: service.ForecastJob, Description: "re-forecast every queue from its stored history and store a new forecast version",
		Spec: s.cfg.ForecastCron})
	s.addJob(Job{Name: service.RosterJob, Description: "roster agents onto queues' requirements into a draft (started from POST /api/v1/schedules/roster)",
		ownEndpoint: true})
}
