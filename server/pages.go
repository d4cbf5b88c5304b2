package server

import (
	"context"
	"sort"

	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/jobs"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/web"
)

// mountPages builds the pages (server/web) and mounts them beside the API;
// errors of browser requests then render as pages.
func (s *Server) mountPages() {
	h, err := web.New(s.svc, s.log, web.Config{Now: s.now, SecureCookies: s.cfg.SecureCookies, Jobs: jobCatalog{s}})
	if err != nil {
		panic(err) // templates are embedded; a broken one fails every test
	}
	s.renderErrorPage = h.ErrorPage
	h.Mount(s.echo, s.authenticate)
}

// jobCatalog shows the server's jobs to the jobs page.
type jobCatalog struct{ s *Server }

func (j jobCatalog) Known(name string) bool {
	_, ok := j.s.jobDefs[name]
	return ok
}

func (j jobCatalog) List() []web.JobInfo {
	out := make([]web.JobInfo, 0, len(j.s.jobDefs))
	for _, d := range j.s.jobDefs {
		out = append(out, web.JobInfo{Name: d.Name, Description: d.Description, Spec: d.Spec})
	}
	sort.Slice(out, func(i, k int) bool { return out[i].Name < out[k].Name })
	return out
}

func (j jobCatalog) Start(ctx context.Context, name string, by int64) (service.JobRun, error) {
	d, ok := j.s.jobDefs[name]
	if !ok {
		return service.JobRun{}, fault.Errorf(fault.NotFound, "no job named %q", name)
	}
	return j.s.runner.Start(ctx, jobs.Request{Job: d.Name, Slot: "manual-" + service.RandomHex(8), TriggeredBy: &by}, d.fn)
}
