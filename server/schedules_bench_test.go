package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/scheduling/calendar"
	"github.com/peakwise/peakwise/server"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// BenchmarkAgentScheduleReads measures an agent's week and their iCalendar feed
// on PostgreSQL holding 2,000 agents x 1 year of published shifts (52 weekly
// plans, 5 shifts per agent per week: 520,000 shifts). It reports p50 and p99
// latency over the benchmark's requests. Needs PEAKWISE_TEST_DATABASE_URL;
// seeding takes a few minutes.
func BenchmarkAgentScheduleReads(b *testing.B) {
	if os.Getenv("PEAKWISE_TEST_DATABASE_URL") == "" {
		b.Skip("set PEAKWISE_TEST_DATABASE_URL to run this PostgreSQL benchmark")
	}
	const agents, weeks = 2000, 52
	st := storetest.Open(b, store.Postgres)
	ctx := context.Background()
	site, err := st.CreateSite(ctx, org.Site{Name: "Bench", Timezone: "America/New_York"})
	require.NoError(b, err)
	team, err := st.CreateTeam(ctx, org.Team{SiteID: site.ID, Name: "All"})
	require.NoError(b, err)
	ids := make([]int64, agents)
	for i := range ids {
		a, err := st.CreateAgent(ctx, org.Agent{Name: fmt.Sprint("agent ", i), Email: fmt.Sprintf("a%d@bench.test", i), Timezone: "America/New_York", TeamID: &team.ID, Contract: org.DefaultContract})
		require.NoError(b, err)
		ids[i] = a.ID
	}
	ny, _ := time.LoadLocation("America/New_York")
	year := time.Date(2026, 1, 5, 0, 0, 0, 0, ny)
	for w := 0; w < weeks; w++ {
		monday := year.AddDate(0, 0, 7*w)
		shifts := make([]calendar.Shift, 0, agents*5)
		for i, id := range ids {
			for d := 0; d < 5; d++ {
				start := time.Date(monday.Year(), monday.Month(), monday.Day()+d, 7+i%6, 0, 0, 0, ny)
				shifts = append(shifts, calendar.Shift{AgentID: id, Template: "FT8", Start: start, End: start.Add(8*time.Hour + 30*time.Minute), PaidMinutes: 480,
					Breaks: []calendar.Break{{Name: "lunch", Start: start.Add(4 * time.Hour), End: start.Add(4*time.Hour + 30*time.Minute)}}})
			}
		}
		sch, err := st.CreateScheduleDraft(ctx, store.Schedule{Name: fmt.Sprint("week ", w), Timezone: "America/New_York", PeriodStart: monday, PeriodEnd: monday.AddDate(0, 0, 7)}, shifts)
		require.NoError(b, err)
		_, _, err = st.PublishSchedule(ctx, sch.ID, sch.Version, 0, monday.Add(-72*time.Hour))
		require.NoError(b, err)
	}
	agentID := ids[agents/2]
	u, err := st.CreateUser(ctx, org.User{Email: "bench-agent@bench.test", Name: "x", Role: org.RoleAgent, AgentID: &agentID}, "")
	require.NoError(b, err)
	secret, rec, hash, err := auth.NewAPIToken(u.ID, "bench")
	require.NoError(b, err)
	_, err = st.CreateAPIToken(ctx, rec, hash)
	require.NoError(b, err)
	feed, err := auth.NewSecret("cal_")
	require.NoError(b, err)
	require.NoError(b, st.SetCalendarFeed(ctx, agentID, auth.HashSecret(feed)))
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	srv := httptest.NewServer(server.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{Now: func() time.Time { return now }}).Handler())
	defer srv.Close()

	for _, c := range []struct{ name, path string }{
		{"my-week", "/api/v1/me/shifts"},
		{"ical-feed", "/calendar/" + feed + ".ics"},
	} {
		b.Run(c.name, func(b *testing.B) {
			req, _ := http.NewRequest("GET", srv.URL+c.path, nil)
			req.Header.Set("Authorization", "Bearer "+secret)
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					b.Fatalf("status %d", res.StatusCode)
				}
				lat = append(lat, time.Since(t0))
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[(len(lat)*99)/100].Microseconds())/1000, "p99-ms")
		})
	}
}
