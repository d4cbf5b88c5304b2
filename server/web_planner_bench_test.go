package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server"
	"github.com/peakwise/peakwise/server/demo"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// signedInHandler seeds the demo into a fresh SQLite file, forecasts it and
// returns the server's handler with a planner's session cookie.
func signedInHandler(b *testing.B) (*store.Store, http.Handler, *http.Cookie) {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{SQLitePath: filepath.Join(b.TempDir(), "bench.db")})
	require.NoError(b, err)
	b.Cleanup(func() { st.Close() })
	require.NoError(b, st.Migrate(ctx))
	logins, err := demo.Seed(ctx, st, 7, time.Now())
	require.NoError(b, err)
	srv := server.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{})
	_, err = srv.ForecastAll(ctx, "bench")
	require.NoError(b, err)
	h := srv.Handler()
	var pw string
	for _, l := range logins {
		if l.Role == org.RolePlanner {
			pw = l.Password
		}
	}
	form := url.Values{"email": {"planner@demo.peakwise.dev"}, "password": {pw}}
	req := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(b, http.StatusSeeOther, rec.Code, rec.Body.String())
	cookies := rec.Result().Cookies()
	require.NotEmpty(b, cookies)
	return st, h, cookies[0]
}

// timePage renders path b.N times through the handler and reports p50 and
// p95 latency in milliseconds.
func timePage(b *testing.B, h http.Handler, ck *http.Cookie, path string) {
	b.Helper()
	var took []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Accept", "text/html")
		req.AddCookie(ck)
		rec := httptest.NewRecorder()
		began := time.Now()
		h.ServeHTTP(rec, req)
		took = append(took, time.Since(began))
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: status %d: %.300s", path, rec.Code, rec.Body.String())
		}
	}
	b.StopTimer()
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	q := func(p float64) float64 { return float64(took[int(p*float64(len(took)-1))].Microseconds()) / 1000 }
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.95), "p95-ms")
}

// BenchmarkPlannerPages renders every planner page with the demo data
// (3 sites, 6 queues, 60 agents, 12 weeks of history, the seeded fortnight)
// on SQLite. The target is p95 under 100 ms per page.
func BenchmarkPlannerPages(b *testing.B) {
	st, h, ck := signedInHandler(b)
	next := seedNextRevision(b, st, 1)
	for _, p := range []struct{ name, path string }{
		{"home", "/planner"},
		{"queue", "/planner/queues/1"},
		{"history", "/planner/history"},
		{"coverage", "/planner/coverage?queue_id=1"},
		{"schedules", "/planner/schedules"},
		{"grid-week", "/planner/schedules/1?view=week"},
		{"grid-period", "/planner/schedules/1?view=period"},
		{"compare", "/planner/compare?left=1&right=1&queue_id=1"},
		{"compare-two", fmt.Sprintf("/planner/compare?left=1&right=%d&queue_id=1", next)},
		{"jobs", "/planner/jobs"},
	} {
		b.Run(p.name, func(b *testing.B) { timePage(b, h, ck, p.path) })
	}
}

// BenchmarkPlannerGrid500 renders the whole-period grid of a 4-week plan for
// 500 agents (5 shifts a week each with a lunch break: 10,000 shifts).
func BenchmarkPlannerGrid500(b *testing.B) {
	st, h, ck := signedInHandler(b)
	id := storetest.SeedGridPlan(b, st, 500, 4, []org.Skill{{Kind: "channel", Value: "voice", Proficiency: 3}, {Kind: "language", Value: "en", Proficiency: 5}})
	timePage(b, h, ck, fmt.Sprintf("/planner/schedules/%d?view=period&queue_id=1", id))
}

// seedNextRevision drafts the next revision of a plan with every other
// shift half an hour later, for comparing two different plans.
func seedNextRevision(b *testing.B, st *store.Store, id int64) int64 {
	ctx := context.Background()
	sch, err := st.FindScheduleByID(ctx, id)
	require.NoError(b, err)
	shifts, err := st.FindShifts(ctx, store.ShiftFilter{ScheduleID: id})
	require.NoError(b, err)
	for i := range shifts {
		if i%2 == 0 {
			shifts[i].Start, shifts[i].End = shifts[i].Start.Add(30*time.Minute), shifts[i].End.Add(30*time.Minute)
			for k := range shifts[i].Breaks {
				shifts[i].Breaks[k].Start, shifts[i].Breaks[k].End = shifts[i].Breaks[k].Start.Add(30*time.Minute), shifts[i].Breaks[k].End.Add(30*time.Minute)
			}
		}
		shifts[i].ID = 0
	}
	next, err := st.CreateScheduleDraft(ctx, store.Schedule{PlanID: sch.PlanID, Name: sch.Name, Timezone: sch.Timezone, PeriodStart: sch.PeriodStart, PeriodEnd: sch.PeriodEnd}, shifts)
	require.NoError(b, err)
	return next.ID
}
