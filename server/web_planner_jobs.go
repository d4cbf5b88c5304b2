package server

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/jobs"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
)

func (s *Server) jobWebRoutes(g *echo.Group) {
	g.GET("/planner/jobs", s.webJobs)
	g.POST("/planner/jobs/:name/runs", s.webTriggerJob)
}

// jobRunRow is a run with its errors split into lines.
type jobRunRow struct {
	store.JobRun
	ErrorLines []string
	Duration   string
}

func (s *Server) webJobs(c echo.Context) error {
	if err := plannerOnly(c); err != nil {
		return err
	}
	p := principal(c)
	if err := p.Allow(auth.Jobs, auth.Read); err != nil {
		return err
	}
	ctx := c.Request().Context()
	pg := s.newPage(c, "Jobs")
	filter := store.JobRunFilter{Job: c.QueryParam("job"), Page: store.Page{Limit: 50}}
	if filter.Job != "" {
		if _, ok := s.jobDefs[filter.Job]; !ok && filter.Job != "generate-schedule" {
			pg.Fields["job"] = "Choose a job from the list."
			filter.Job = ""
		}
	}
	runs, total, err := s.store.FindJobRuns(ctx, filter)
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
			rows[i].Duration = r.FinishedAt.Sub(r.StartedAt).Round(100 * time.Millisecond).String()
		}
	}
	defs := make([]Job, 0, len(s.jobDefs))
	for _, j := range s.jobDefs {
		defs = append(defs, j)
	}
	sort.Slice(defs, func(i, k int) bool { return defs[i].Name < defs[k].Name })
	pg.Data["Jobs"] = defs
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
func (s *Server) webTriggerJob(c echo.Context) error {
	p := principal(c)
	if err := p.Allow(auth.Jobs, auth.Create); err != nil {
		return err
	}
	j, ok := s.jobDefs[c.Param("name")]
	if !ok {
		return fault.Errorf(fault.NotFound, "no job named %q", c.Param("name"))
	}
	run, err := s.runner.Start(c.Request().Context(), jobs.Request{Job: j.Name, Slot: "manual-" + service.RandomHex(8), TriggeredBy: &p.User.ID}, j.fn)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/planner/runs/"+itoa64(run.ID))
}

// runNext is the page a succeeded run leads to: the draft a generation or
// rostering run left, or the queue a one-queue forecast run forecast; "" for
// the others.
func runNext(run store.JobRun, draft runDraft) string {
	if draft.ScheduleID != 0 {
		return "/planner/schedules/" + itoa64(draft.ScheduleID)
	}
	var res service.ForecastRunResult
	if run.Job == "forecast" && run.Status == store.JobSucceeded && json.Unmarshal([]byte(run.Result), &res) == nil && len(res.Forecasts) == 1 {
		for id := range res.Forecasts {
			return "/planner/queues/" + itoa64(id)
		}
	}
	return ""
}
