package server

import (
	"context"

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
	for _, d := range j.s.api.Jobs() {
		if d.Name == name {
			return true
		}
	}
	return false
}

func (j jobCatalog) List() []web.JobInfo {
	defs := j.s.api.Jobs()
	out := make([]web.JobInfo, len(defs))
	for i, d := range defs {
		out[i] = web.JobInfo{Name: d.Name, Description: d.Description, Spec: d.Spec}
	}
	return out
}

func (j jobCatalog) Start(ctx context.Context, name string, by int64) (service.JobRun, error) {
	return j.s.api.StartJob(ctx, name, by)
}
