// Package server is Peakwise's HTTP app: New builds the Echo app, its
// middleware and error handler, and mounts the JSON API (server/api) and the
// pages (server/web) over the use cases (server/service); Serve runs it.
package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/peakwise/peakwise/server/api"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/jobs"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
)

// Config holds what the server needs beyond the store.
type Config struct {
	// SessionTTL is how long an idle browser session lives; 0 means 12 hours.
	SessionTTL time.Duration
	// SecureCookies forces the Secure flag; otherwise it is set when the request came over HTTPS.
	SecureCookies bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// ForecastCron schedules the nightly re-forecast; empty means "0 2 * * *".
	ForecastCron string
	// Forecaster is the forecasting engine; nil means service.EngineForecaster.
	Forecaster service.Forecaster
	// TrustedProxies are the proxies whose X-Forwarded-For names the client;
	// empty means none, and the client is the connection's peer.
	TrustedProxies []*net.IPNet
	// Jobs sets up the job queue for this replica (workers, an API-only replica).
	Jobs jobs.Config
	// MetricsToken, when set, is the bearer token /metrics asks for; without
	// it /metrics answers only the loopback address (a scraper beside the
	// process), unless MetricsElsewhere.
	MetricsToken string
	// MetricsElsewhere: /metrics is served on its own listener (see
	// MetricsHandler), not on the main one.
	MetricsElsewhere bool
}

// Server is the HTTP application. Everything it keeps between requests lives in
// the database, so any number of replicas can serve the same users.
type Server struct {
	echo    *echo.Echo
	store   *store.Store
	log     *slog.Logger
	cfg     Config
	now     func() time.Time
	metrics *metrics
	runner  *jobs.Runner
	// api serves /api/v1 and knows the background jobs.
	api *api.API

	// svc holds the use cases the API and the pages share.
	svc *service.Service

	// renderErrorPage, when set by the UI, renders errors for browsers.
	renderErrorPage func(c echo.Context, status int, message string) error
}

// New builds the server and registers every route.
func New(st *store.Store, log *slog.Logger, cfg Config) *Server {
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.Forecaster == nil {
		cfg.Forecaster = service.EngineForecaster
	}
	if cfg.ForecastCron == "" {
		cfg.ForecastCron = "0 2 * * *"
	}
	now := cfg.Now
	if now == nil {
		now = func() time.Time { return time.Now().UTC() }
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	s := &Server{echo: e, store: st, log: log, cfg: cfg, now: now}
	s.runner = jobs.NewRunner(st, log, now, cfg.Jobs)
	s.svc = service.New(st, log, service.Config{Now: now, Runner: s.runner, Forecaster: cfg.Forecaster, SessionTTL: cfg.SessionTTL})
	s.svc.RegisterJobs(s.runner)
	s.metrics = newMetrics(prometheus.NewRegistry(), st)
	s.metrics.registry.MustRegister(s.runner.Collector())
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = ipExtractor(cfg.TrustedProxies)
	e.Use(securityHeaders, dropUnsafeRequestID)
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{Generator: newRequestID}))
	e.Use(s.recoverPanics, s.observe)
	e.GET("/healthz", s.handleHealthz)
	e.GET("/readyz", s.handleReadyz)
	if !cfg.MetricsElsewhere {
		e.GET("/metrics", s.metrics.handler(), s.guardMetrics)
	}
	s.api = api.New(s.svc, log, api.Config{Now: now, SecureCookies: cfg.SecureCookies, ForecastCron: cfg.ForecastCron, Runner: s.runner})
	s.api.Mount(e, s.authenticate)
	s.mountPages()
	return s
}

// ipExtractor reads the client's address from X-Forwarded-For only when the
// peer is a configured proxy: trusting any private-network peer let anyone
// inside the network pick the address that sign-in limits count.
func ipExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// ParseTrustedProxies reads a comma-separated list of CIDRs or addresses.
func ParseTrustedProxies(list string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			ip := net.ParseIP(f)
			if ip == nil {
				return nil, fmt.Errorf("%q is not an IP address or CIDR", f)
			}
			bits := 32
			if ip.To4() == nil {
				bits = 128
			}
			f = fmt.Sprintf("%s/%d", f, bits)
		}
		_, n, err := net.ParseCIDR(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not an IP address or CIDR", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// Handler returns the HTTP handler, for tests and custom listeners.
func (s *Server) Handler() http.Handler { return s.echo }

// Serve accepts connections on l until ctx is done, then shuts down gracefully,
// letting requests in flight finish for up to 20 seconds.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	srv := &http.Server{Handler: s.echo, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	srv.RegisterOnShutdown(s.svc.StopLive) // ends the live board's open streams
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down: finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// guardMetrics keeps /metrics (which tells the queue depth, request rates
// and routes) from the public: a bearer token when one is set, else the
// loopback address only.
func (s *Server) guardMetrics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.cfg.MetricsToken != "" {
			got := strings.TrimPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
			if subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.MetricsToken)) != 1 {
				return fault.Errorf(fault.Unauthenticated, "/metrics needs its bearer token (PEAKWISE_METRICS_TOKEN)")
			}
			return next(c)
		}
		if ip := net.ParseIP(c.RealIP()); ip == nil || !ip.IsLoopback() {
			return fault.Errorf(fault.NotFound, "not found")
		}
		return next(c)
	}
}

// MetricsHandler serves /metrics for a listener of its own
// (PEAKWISE_METRICS_ADDR), e.g. on a port only the scraper reaches.
func (s *Server) MetricsHandler() http.Handler {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/metrics", s.metrics.handler())
	return e
}

// StartJobs opens the job queue for this replica: it works jobs (unless the
// replica is API-only) and, with periodic, takes part in firing the
// scheduled jobs (the nightly re-forecast), each firing once across replicas.
func (s *Server) StartJobs(ctx context.Context, periodic bool) error {
	if periodic {
		if err := s.api.SchedulePeriodic(); err != nil {
			return err
		}
	}
	return s.runner.Open(ctx)
}

// ReplayDemo keeps the demo's live day going until ctx ends: every minute it
// replays yesterday's and today's published shifts up to now into agent
// states (service.ReplayDay), so the live board has something to show.
func (s *Server) ReplayDemo(ctx context.Context) {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		now := s.now()
		for _, day := range []time.Time{now.AddDate(0, 0, -1), now} {
			if _, err := s.svc.ReplayDay(ctx, day, now); err != nil && ctx.Err() == nil {
				s.log.Warn("demo replay", "day", day.Format(time.DateOnly), "error", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Close stops working jobs, giving running ones until ctx ends to finish
// (the queue works them again later, here or on another replica).
func (s *Server) Close(ctx context.Context) error {
	s.svc.StopLive()
	return s.runner.Close(ctx)
}

// ForecastAll forecasts every queue now and waits for the run to finish, for
// the demo's first start. Returns Conflict if the slot was taken.
func (s *Server) ForecastAll(ctx context.Context, slot string) (store.JobRun, error) {
	return s.svc.ForecastAll(ctx, slot)
}

// ImportHistoryCSV imports a history CSV for the command line; see
// service.ImportHistoryCSV.
func (s *Server) ImportHistoryCSV(ctx context.Context, r io.Reader) (service.ImportSummary, error) {
	return s.svc.ImportHistoryCSV(ctx, r)
}
