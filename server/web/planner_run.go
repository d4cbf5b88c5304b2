package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/httpx"
	"github.com/peakwise/peakwise/server/service"
)

// runStatus is what the progress bar polls.
type runStatus struct {
	ID       int64  `json:"id"`
	Status   string `json:"status"`
	Total    int    `json:"total"`
	Done     int    `json:"done"`
	Failed   int    `json:"failed"`
	Errors   string `json:"errors"`
	Elapsed  int    `json:"elapsed_seconds"`
	Next     string `json:"next,omitempty"` // where to go when it succeeded
	Finished bool   `json:"finished"`
}

func (s *Handler) webRun(c echo.Context) error {
	_, id, err := plannerRecord(c, auth.Jobs, auth.Read)
	if err != nil {
		return err
	}
	run, err := s.svc.FindJobRunByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	st := runStatus{ID: run.ID, Status: string(run.Status), Total: run.Total, Done: run.Done, Failed: run.Failed, Errors: run.Errors,
		Elapsed: int(s.now().Sub(run.StartedAt).Seconds()), Finished: run.Status != service.JobRunning}
	if run.FinishedAt != nil {
		st.Elapsed = int(run.FinishedAt.Sub(run.StartedAt).Seconds())
	}
	res := draftSummary(run)
	st.Next = runNext(run, res)
	if c.QueryParam("format") == "json" {
		return c.JSON(http.StatusOK, st)
	}
	pg := s.newPage(c, "Job run")
	pg.Data["Run"] = run
	pg.Data["State"] = st
	pg.Data["Result"] = res
	pg.Data["Drafting"] = run.Job == service.GenerateJob || run.Job == service.RosterJob
	return s.render(c, http.StatusOK, "planner_run", pg)
}

// webCancelRun stops a running run, as POST /api/v1/jobs/runs/{id}/cancel
// does, and shows it again.
func (s *Handler) webCancelRun(c echo.Context) error {
	id, err := plannerID(c)
	if err != nil {
		return err
	}
	if _, err := s.svc.CancelRun(c.Request().Context(), httpx.Principal(c), id); err != nil && !fault.Is(err, fault.Conflict) {
		return err // a run that ended meanwhile is shown as it ended
	}
	return c.Redirect(http.StatusSeeOther, "/planner/runs/"+strconv.FormatInt(id, 10))
}
