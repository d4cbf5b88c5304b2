package jobs

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
)

// metrics are the job queue's figures on /metrics: how many jobs wait, how
// long they waited before a worker took them, how long they ran, and how
// attempts ended, as this replica saw them.
type metrics struct {
	r       *Runner
	depth   *prometheus.Desc
	wait    *prometheus.HistogramVec
	run     *prometheus.HistogramVec
	outcome *prometheus.CounterVec
}

// Collector returns the job queue's Prometheus metrics; register it once.
// The wait and run times and outcomes are of the jobs this replica worked;
// the queue depth is the whole queue's.
func (r *Runner) Collector() prometheus.Collector {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.metrics == nil {
		buckets := []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 1800}
		r.metrics = &metrics{r: r,
			depth: prometheus.NewDesc("peakwise_jobs_queue_depth", "Jobs in the queue by state (available, scheduled, retryable, running).", []string{"state"}, nil),
			wait: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "peakwise_jobs_wait_seconds",
				Help: "Time from a job being available to a worker starting it, by kind.", Buckets: buckets}, []string{"kind"}),
			run: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "peakwise_jobs_run_seconds",
				Help: "Time a job attempt ran, by kind.", Buckets: buckets}, []string{"kind"}),
			outcome: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "peakwise_jobs_attempts_total",
				Help: "Job attempts worked here, by kind and how they ended (completed, failed, cancelled)."}, []string{"kind", "outcome"}),
		}
	}
	return r.metrics
}

func (m *metrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- m.depth
	m.wait.Describe(ch)
	m.run.Describe(ch)
	m.outcome.Describe(ch)
}

func (m *metrics) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if depth, err := m.r.store.QueueDepth(ctx); err == nil {
		for _, state := range []string{"available", "scheduled", "retryable", "running"} {
			ch <- prometheus.MustNewConstMetric(m.depth, prometheus.GaugeValue, float64(depth[state]), state)
		}
	}
	m.wait.Collect(ch)
	m.run.Collect(ch)
	m.outcome.Collect(ch)
}

// watch records the events of the jobs this replica works until stop.
func (m *metrics) watch(events <-chan *river.Event) {
	for ev := range events {
		if ev == nil || ev.Job == nil {
			continue
		}
		kind := ev.Job.Kind
		if ev.JobStats != nil {
			m.wait.WithLabelValues(kind).Observe(ev.JobStats.QueueWaitDuration.Seconds())
			m.run.WithLabelValues(kind).Observe(ev.JobStats.RunDuration.Seconds())
		}
		switch ev.Kind {
		case river.EventKindJobCompleted:
			m.outcome.WithLabelValues(kind, "completed").Inc()
		case river.EventKindJobFailed:
			m.outcome.WithLabelValues(kind, "failed").Inc()
		case river.EventKindJobCancelled:
			m.outcome.WithLabelValues(kind, "cancelled").Inc()
		}
	}
}
