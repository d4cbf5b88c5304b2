package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/peakwise/peakwise/server"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/jobs"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

func runServe(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "serve", "[--addr :8080] [--demo] [--database-url URL | --data-dir DIR]")
	var db dbFlags
	db.register(fs, env)
	addr := fs.String("addr", envOr(env, "PEAKWISE_ADDR", ":8080"), "address to listen on [PEAKWISE_ADDR]")
	demoMode := fs.Bool("demo", envBool(env, "PEAKWISE_DEMO"), "seed a demo contact center on first start and print its sign-ins [PEAKWISE_DEMO]")
	secure := fs.Bool("secure-cookies", envBool(env, "PEAKWISE_SECURE_COOKIES"), "always mark cookies Secure (set behind a TLS proxy) [PEAKWISE_SECURE_COOKIES]")
	jobsTZ := fs.String("jobs-timezone", envOr(env, "PEAKWISE_JOBS_TIMEZONE", "UTC"), "IANA time zone in which job schedules (cron specs) are read [PEAKWISE_JOBS_TIMEZONE]")
	forecastCron := fs.String("forecast-cron", envOr(env, "PEAKWISE_FORECAST_CRON", "0 2 * * *"), "when the nightly re-forecast runs (cron spec, read in --jobs-timezone) [PEAKWISE_FORECAST_CRON]")
	noScheduler := fs.Bool("no-scheduler", envBool(env, "PEAKWISE_NO_SCHEDULER"), "do not fire scheduled jobs in this process [PEAKWISE_NO_SCHEDULER]")
	workers := fs.Int("workers", envInt(env, "PEAKWISE_WORKERS", runtime.NumCPU()), "background jobs this process works at once [PEAKWISE_WORKERS]")
	metricsAddr := fs.String("metrics-addr", env.Getenv("PEAKWISE_METRICS_ADDR"), "serve /metrics on this address instead of the main one (e.g. 127.0.0.1:9090) [PEAKWISE_METRICS_ADDR]")
	metricsToken := fs.String("metrics-token", env.Getenv("PEAKWISE_METRICS_TOKEN"), "bearer token /metrics asks for on the main address; without it only loopback may read it [PEAKWISE_METRICS_TOKEN]")
	noWorker := fs.Bool("no-worker", envBool(env, "PEAKWISE_NO_WORKER"), "work no background jobs here: an API-only replica that only queues them [PEAKWISE_NO_WORKER]")
	proxies := fs.String("trusted-proxies", env.Getenv("PEAKWISE_TRUSTED_PROXIES"), "comma-separated CIDRs of proxies whose X-Forwarded-For names the client; empty trusts none [PEAKWISE_TRUSTED_PROXIES]")
	jobTimeout := fs.Duration("job-timeout", envDuration(env, "PEAKWISE_JOB_TIMEOUT", 20*time.Minute), "longest one attempt of a background job may run [PEAKWISE_JOB_TIMEOUT]")
	rescueAfter := fs.Duration("job-rescue-after", envDuration(env, "PEAKWISE_JOB_RESCUE_AFTER", 30*time.Minute), "a job running this long is taken as lost with its replica and worked again; more than --job-timeout [PEAKWISE_JOB_RESCUE_AFTER]")
	ttl := fs.Duration("session-ttl", envDuration(env, "PEAKWISE_SESSION_TTL", 12*time.Hour), "idle lifetime of a browser session [PEAKWISE_SESSION_TTL]")
	if err := fs.Parse(args); err != nil {
		return err
	}
	trusted, err := server.ParseTrustedProxies(*proxies)
	if err != nil {
		return usageErrorf("--trusted-proxies: %v", err)
	}
	loc, err := time.LoadLocation(*jobsTZ)
	if err != nil {
		return usageErrorf("--jobs-timezone: unknown time zone %q", *jobsTZ)
	}
	log := newLogger(env, env.Stderr)
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	log.Info("database ready", "dialect", st.Dialect())

	if err := ensureAdmin(ctx, env, st); err != nil {
		return err
	}
	if *workers < 1 || *workers > 1024 {
		return usageErrorf("--workers must be 1 to 1024, got %d", *workers)
	}
	if *jobTimeout < time.Second || *rescueAfter <= *jobTimeout {
		return usageErrorf("--job-timeout must be at least 1s and --job-rescue-after longer than it (got %s and %s)", *jobTimeout, *rescueAfter)
	}
	srv := server.New(st, log, server.Config{SessionTTL: *ttl, SecureCookies: *secure, ForecastCron: *forecastCron, TrustedProxies: trusted,
		Jobs: jobs.Config{Workers: *workers, NoWorker: *noWorker, Location: loc,
			JobTimeout: *jobTimeout, RescueAfter: *rescueAfter, ID: replicaID()}, MetricsToken: *metricsToken, MetricsElsewhere: *metricsAddr != ""})
	if *metricsAddr != "" {
		ml, err := net.Listen("tcp", *metricsAddr)
		if err != nil {
			return fmt.Errorf("listen on %s for /metrics: %w", *metricsAddr, err)
		}
		ms := &http.Server{Handler: srv.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = ms.Serve(ml) }()
		defer ms.Close()
		log.Info("metrics", "addr", ml.Addr().String())
	}
	if *demoMode {
		logins, fresh, err := seedDemo(ctx, st)
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		if fresh {
			if err := forecastDemo(ctx, srv); err != nil {
				return err
			}
		}
		printLogins(env.Stdout, logins)
		go srv.ReplayDemo(ctx) // the live board's day: agents' states from the published plan
	}
	if err := srv.StartJobs(ctx, !*noScheduler && !*noWorker); err != nil {
		return err
	}
	defer func() {
		// Running jobs get 30 seconds to finish; the queue works the rest
		// again later, here or on another replica.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := srv.Close(sctx); err != nil {
			log.Warn("stopping the job queue", "error", err)
		}
	}()
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	fmt.Fprintf(env.Stdout, "Peakwise is serving on %s\n", browseURL(l.Addr()))
	log.Info("serving", "addr", l.Addr().String())
	return srv.Serve(ctx, l)
}

// ensureAdmin creates the first admin from PEAKWISE_ADMIN_EMAIL and
// PEAKWISE_ADMIN_PASSWORD when both are set and no such user exists.
func ensureAdmin(ctx context.Context, env *Env, st *store.Store) error {
	email, password := env.Getenv("PEAKWISE_ADMIN_EMAIL"), env.Getenv("PEAKWISE_ADMIN_PASSWORD")
	if email == "" && password == "" {
		return nil
	}
	if email == "" || password == "" {
		return errors.New("set both PEAKWISE_ADMIN_EMAIL and PEAKWISE_ADMIN_PASSWORD, or neither")
	}
	if _, _, err := st.FindUserByEmail(ctx, email); err == nil {
		return nil
	} else if !fault.Is(err, fault.NotFound) {
		return err
	}
	u := org.User{Email: strings.ToLower(email), Name: "Administrator", Role: org.RoleAdmin}
	if err := errors.Join(u.Validate(), org.CheckPassword(password)); err != nil {
		return fmt.Errorf("PEAKWISE_ADMIN_*: %w", err)
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	_, err = st.CreateUser(ctx, u, hash)
	if fault.Is(err, fault.Conflict) {
		return nil // another replica created it first
	}
	return err
}

func browseURL(a net.Addr) string {
	host, port, _ := net.SplitHostPort(a.String())
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func envOr(env *Env, key, def string) string {
	if v := env.Getenv(key); v != "" {
		return v
	}
	return def
}

func envInt(env *Env, key string, def int) int {
	if v, err := strconv.Atoi(env.Getenv(key)); err == nil {
		return v
	}
	return def
}

func envBool(env *Env, key string) bool {
	b, _ := strconv.ParseBool(env.Getenv(key))
	return b
}

func envDuration(env *Env, key string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(env.Getenv(key)); err == nil && d > 0 {
		return d
	}
	return def
}

// replicaID names this process in the job queue's records: host and
// process id, so an operator (or a test) can tell which replica works a job.
func replicaID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "peakwise"
	}
	if len(host) > 60 {
		host = host[:60]
	}
	return fmt.Sprintf("%s-%d-%d", host, os.Getpid(), time.Now().Unix())
}
