package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/qa"
	"github.com/peakwise/peakwise/server"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/service"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// BenchmarkQATrends measures the agent and team trend queries on PostgreSQL
// holding 1,000,000 counted evaluations (2,000 agents in 100 teams, five
// years, one interaction each, 8-criterion results stored with each row).
// It logs the EXPLAIN ANALYZE of both queries and reports p50/p99 latency of
// GET /api/v1/qa/trends. Needs PEAKWISE_TEST_DATABASE_URL; seeding takes
// about a minute.
func BenchmarkQATrends(b *testing.B) {
	if os.Getenv("PEAKWISE_TEST_DATABASE_URL") == "" {
		b.Skip("set PEAKWISE_TEST_DATABASE_URL to run this PostgreSQL benchmark")
	}
	const agents, teams, evaluations = 2000, 100, 1_000_000
	st := storetest.Open(b, store.Postgres)
	ctx := context.Background()
	site, err := st.CreateSite(ctx, org.Site{Name: "Bench", Timezone: "Europe/Lisbon"})
	require.NoError(b, err)
	teamIDs := make([]int64, teams)
	for i := range teamIDs {
		t, err := st.CreateTeam(ctx, org.Team{SiteID: site.ID, Name: fmt.Sprint("team ", i)})
		require.NoError(b, err)
		teamIDs[i] = t.ID
	}
	firstAgent := int64(0)
	for i := 0; i < agents; i++ {
		a, err := st.CreateAgent(ctx, org.Agent{Name: fmt.Sprint("agent ", i), Email: fmt.Sprintf("a%d@bench.test", i), Timezone: "Europe/Lisbon",
			TeamID: &teamIDs[i%teams], Contract: org.DefaultContract})
		require.NoError(b, err)
		if i == 0 {
			firstAgent = a.ID
		}
	}
	reviewer, err := st.CreateUser(ctx, org.User{Email: "qa@bench.test", Name: "qa", Role: org.RoleQAReviewer}, "")
	require.NoError(b, err)
	sc := qa.Scorecard{Name: "Bench", PassThreshold: 80, Sections: []qa.Section{
		{Key: "a", Title: "A", Weight: 1, Criteria: []qa.Criterion{{Key: "a1", Title: "a1", Weight: 1, Scale: qa.YesNo}, {Key: "a2", Title: "a2", Weight: 2, Scale: qa.YesNo, Critical: true}}},
		{Key: "b", Title: "B", Weight: 3, Criteria: []qa.Criterion{{Key: "b1", Title: "b1", Weight: 2, Scale: qa.Points5}, {Key: "b2", Title: "b2", Weight: 3, Scale: qa.Points4},
			{Key: "b3", Title: "b3", Weight: 2, Scale: qa.YesNo, AutoFail: true}}},
		{Key: "c", Title: "C", Weight: 2, Criteria: []qa.Criterion{{Key: "c1", Title: "c1", Weight: 1, Scale: qa.Points5}, {Key: "c2", Title: "c2", Weight: 1, Scale: qa.Points3, AllowNA: true},
			{Key: "c3", Title: "c3", Weight: 1, Scale: qa.YesNo}}},
	}}
	sc, err = st.CreateScorecard(ctx, sc)
	require.NoError(b, err)
	v := func(x int) *int { return &x }
	answers := []qa.Answer{{Criterion: "a1", Value: v(1)}, {Criterion: "a2", Value: v(1)}, {Criterion: "b1", Value: v(4)}, {Criterion: "b2", Value: v(3)},
		{Criterion: "b3", Value: v(1)}, {Criterion: "c1", Value: v(4)}, {Criterion: "c2", Value: nil}, {Criterion: "c3", Value: v(1)}}
	res, err := qa.Score(sc, answers)
	require.NoError(b, err)
	answersJSON, _ := json.Marshal(answers)
	criteriaJSON, _ := json.Marshal(map[string]any{"result": res})

	db, err := st.SQL()
	require.NoError(b, err)
	start := time.Now()
	// Five years of interactions, one every 157 seconds, agents in turn.
	_, err = db.ExecContext(ctx, `INSERT INTO interactions (external_id, channel, agent_id, team_id, customer, started_at, handle_seconds, csat, nps, local_week, created_at, updated_at)
		SELECT 'I' || g, 'voice', a.id, a.team_id, 'C' || (g % 300000), t, 120 + g % 600,
		       CASE WHEN g % 3 = 0 THEN 1 + g % 5 END, CASE WHEN g % 4 = 0 THEN g % 11 END,
		       to_char(date_trunc('week', t AT TIME ZONE 'Europe/Lisbon'), 'YYYY-MM-DD'), now(), now()
		FROM generate_series(1, $1::int) g JOIN agents a ON a.id = $2::bigint + (g % $3::int),
		     LATERAL (SELECT TIMESTAMPTZ '2021-11-01 00:00:00+00' + g * INTERVAL '157 seconds' AS t) ts`, evaluations, firstAgent, agents)
	require.NoError(b, err)
	_, err = db.ExecContext(ctx, `INSERT INTO evaluations (interaction_id, scorecard_id, agent_id, team_id, reviewer_id, state, answers, comments, comment,
		    total, outcome, critical_failed, auto_failed, criteria, scored_at, local_week, released_at, created_at, updated_at, version)
		SELECT i.id, $1::bigint, i.agent_id, i.team_id, $2::bigint, 'released', $3, '{}', '',
		       50 + (i.id * 37) % 51, CASE WHEN 50 + (i.id * 37) % 51 >= 80 THEN 'pass' ELSE 'fail' END, i.id % 53 = 0, i.id % 71 = 0, $4,
		       i.started_at + INTERVAL '1 day', to_char(date_trunc('week', (i.started_at + INTERVAL '1 day') AT TIME ZONE 'Europe/Lisbon'), 'YYYY-MM-DD'),
		       i.started_at + INTERVAL '26 hours', now(), now(), 1
		FROM interactions i`, sc.ID, reviewer.ID, string(answersJSON), string(criteriaJSON))
	require.NoError(b, err)
	// Every evaluation's eight criterion scores, as the store writes them.
	_, err = db.ExecContext(ctx, `INSERT INTO evaluation_scores (evaluation_id, agent_id, team_id, scored_at, local_week, criterion, score)
		SELECT e.id, e.agent_id, e.team_id, e.scored_at, e.local_week, k, (e.id * 13 + length(k)) % 101
		FROM evaluations e CROSS JOIN unnest(ARRAY['a1','a2','b1','b2','b3','c1','c2','c3']) k`)
	require.NoError(b, err)
	for _, table := range []string{"interactions", "evaluations", "evaluation_scores"} {
		_, err = db.ExecContext(ctx, "VACUUM ANALYZE "+table) // as autovacuum would, before the reads
		require.NoError(b, err)
	}
	b.Logf("seeded %d evaluations in %s", evaluations, time.Since(start).Round(time.Second))

	to := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for _, q := range []struct{ name, where string }{
		{"agent", fmt.Sprintf("agent_id IN (%d)", firstAgent+7)},
		{"team", fmt.Sprintf("team_id IN (%d)", teamIDs[7])},
	} {
		for _, sql := range []string{
			`SELECT local_week, COUNT(*), COUNT(total), SUM(total), SUM(CASE WHEN outcome = 'pass' THEN 1 ELSE 0 END) FROM evaluations
			 WHERE ` + q.where + ` AND calibration_id IS NULL AND state IN ('submitted','released','acknowledged','disputed','resolved')
			 AND scored_at >= $1 AND scored_at < $2 GROUP BY local_week ORDER BY local_week`,
			`SELECT criterion, local_week, COUNT(*), SUM(score) FROM evaluation_scores WHERE ` + q.where + `
			 AND scored_at >= $1 AND scored_at < $2 GROUP BY criterion, local_week ORDER BY criterion, local_week`,
		} {
			rows, err := db.QueryContext(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+sql, to.AddDate(-5, 0, 0), to)
			require.NoError(b, err)
			var plan []string
			for rows.Next() {
				var line string
				require.NoError(b, rows.Scan(&line))
				plan = append(plan, line)
			}
			rows.Close()
			b.Logf("EXPLAIN %s trend, five years:\n%s\n%s", q.name, sql, strings.Join(plan, "\n"))
		}
	}

	secret, rec, hash, err := auth.NewAPIToken(reviewer.ID, "bench")
	require.NoError(b, err)
	_, err = st.CreateAPIToken(ctx, rec, hash)
	require.NoError(b, err)
	now := to
	srv := httptest.NewServer(server.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{Now: func() time.Time { return now }}).Handler())
	defer srv.Close()
	fiveYears := "&from=2021-11-01&to=2026-11-01"
	for _, c := range []struct{ name, path string }{
		{"agent-12-weeks", fmt.Sprintf("/api/v1/qa/trends?agent_id=%d", firstAgent+7)},
		{"agent-5-years", fmt.Sprintf("/api/v1/qa/trends?agent_id=%d%s", firstAgent+7, fiveYears)},
		{"team-12-weeks", fmt.Sprintf("/api/v1/qa/trends?team_id=%d", teamIDs[7])},
		{"team-5-years", fmt.Sprintf("/api/v1/qa/trends?team_id=%d%s", teamIDs[7], fiveYears)},
	} {
		b.Run(c.name, func(b *testing.B) {
			req, _ := http.NewRequest("GET", srv.URL+c.path, nil)
			req.Header.Set("Authorization", "Bearer "+secret)
			lat := make([]time.Duration, 0, b.N)
			var weeks int
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				var body service.Trends
				err = json.NewDecoder(res.Body).Decode(&body)
				res.Body.Close()
				if err != nil || res.StatusCode != 200 {
					b.Fatalf("status %d: %v", res.StatusCode, err)
				}
				weeks = len(body.Weeks)
				lat = append(lat, time.Since(t0))
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[(len(lat)*99)/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(weeks), "weeks")
		})
	}
}
