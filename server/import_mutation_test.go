package server_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// TestMutatedImportsNeverFailOrWritePartly posts mutated copies of a good
// file to every import endpoint, on both databases: no answer is a 500, a
// refused file changes nothing stored, and after every answer the reads of
// what was imported still work. PEAKWISE_MUTATIONS sets the files per
// endpoint (default 60; the check ran a few hundred).
func TestMutatedImportsNeverFailOrWritePartly(t *testing.T) {
	n := 60
	if v, err := strconv.Atoi(os.Getenv("PEAKWISE_MUTATIONS")); err == nil && v > 0 {
		n = v
	}
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newQAWorld(t, st, time.Now().UTC())
		day := time.Now().UTC().AddDate(0, 0, -3).Truncate(24 * time.Hour)
		ts := func(h float64) string { return day.Add(time.Duration(h * float64(time.Hour))).Format(time.RFC3339) }
		csvType := map[string]string{"Content-Type": "text/csv"}
		jsonType := map[string]string{"Content-Type": "application/json"}
		monday := day.AddDate(0, 0, 10)
		monday = monday.AddDate(0, 0, -int((monday.Weekday()+6)%7))
		sched := fmt.Sprintf("/api/v1/schedules?name=Upload&timezone=UTC&period_start=%s&period_end=%s",
			monday.Format(time.RFC3339), monday.AddDate(0, 0, 7).Format(time.RFC3339))
		shift := func(d, h int) string {
			s := monday.AddDate(0, 0, d).Add(time.Duration(h) * time.Hour)
			return fmt.Sprintf("%s,FT8,%s,%s,450,%s/%s", "a1@agents.example.com", s.Format(time.RFC3339), s.Add(8*time.Hour).Format(time.RFC3339),
				s.Add(4*time.Hour).Format(time.RFC3339), s.Add(4*time.Hour+30*time.Minute).Format(time.RFC3339))
		}
		endpoints := []struct {
			name, path string
			role       org.Role
			headers    map[string]string
			seed       string
		}{
			{"history csv", "/api/v1/history", org.RolePlanner, csvType,
				"timestamp,channel,timezone,contacts,aht_seconds\n" +
					ts(9) + ",voice,Europe/Lisbon,12,200\n" + ts(9.5) + ",voice,Europe/Lisbon,14,\n" + ts(10) + ",voice,Europe/Lisbon,9,310.5\n"},
			{"history json", "/api/v1/history/records", org.RolePlanner, jsonType,
				fmt.Sprintf(`{"records":[{"queue_id":%d,"start":%q,"contacts":10,"aht_seconds":200},{"queue_id":%d,"start":%q,"contacts":3}]}`,
					w.queue.ID, ts(12), w.queue.ID, ts(12.5))},
			{"schedule csv", sched, org.RolePlanner, csvType,
				"agent,template,start,end,paid_minutes,breaks\n" + shift(0, 8) + "\n" + shift(1, 9) + "\n" + shift(2, 8) + "\n"},
			{"interactions csv", "/api/v1/qa/interactions", org.RoleQAReviewer, csvType,
				"external_id,channel,agent_email,customer,started_at,handle_seconds,csat,nps,ces,resolved\n" +
					"m-1,voice,a1@agents.example.com,cust-1," + ts(10) + ",420,4,9,6,true\n" +
					"m-2,chat,a2@agents.example.com,cust-2," + ts(11) + ",200,,,,\n"},
			{"interactions json", "/api/v1/qa/interactions", org.RoleQAReviewer, jsonType,
				`{"interactions":[{"external_id":"j-1","channel":"voice","agent_email":"a1@agents.example.com","started_at":"` + ts(9) +
					`","handle_seconds":100,"csat":5},{"external_id":"j-2","channel":"chat","agent_email":"a2@agents.example.com","started_at":"` + ts(9) + `","handle_seconds":90}]}`},
			{"queue intervals csv", "/api/v1/acd/queue-intervals", org.RolePlanner, csvType,
				"queue,start,interval_minutes,offered,handled,abandoned,handle_seconds,answered_within_target\n" +
					"Voice PT," + ts(9) + ",30,40,37,3,10360,30\nVoice PT," + ts(10) + ",30,20,20,0,5000,19\n"},
			{"agent events json", "/api/v1/acd/agent-events", org.RolePlanner, jsonType,
				`{"events":[{"event_id":"m-e1","agent":"a1@agents.example.com","state":"available","at":"` + ts(9) + `"},` +
					`{"event_id":"m-e2","agent":"a1@agents.example.com","state":"on_contact","queue":"Voice PT","channel":"voice","at":"` + ts(9.1) + `"}]}`},
			{"agent json", "/api/v1/agents", org.RoleAdmin, jsonType,
				fmt.Sprintf(`{"name":"Mia","email":"mia@agents.example.com","timezone":"America/Chicago","team_id":%d,"skills":[{"kind":"channel","value":"voice","proficiency":4}],`+
					`"contract":{"name":"FT","min_week_hours":30,"max_week_hours":40,"max_shifts_per_week":5,"min_rest_hours":11,"max_consecutive_days":5}}`, w.teamA.ID)},
		}
		reads := map[string]org.Role{
			fmt.Sprintf("/api/v1/queues/%d/history", w.queue.ID): org.RolePlanner, "/api/v1/history": org.RolePlanner,
			"/api/v1/schedules": org.RolePlanner, "/api/v1/agents": org.RolePlanner, "/api/v1/adherence": org.RolePlanner,
			"/api/v1/qa/interactions": org.RoleQAReviewer,
		}
		for _, ep := range endpoints {
			t.Run(ep.name, func(t *testing.T) {
				res := w.as(ep.role, http.MethodPost, ep.path, ep.seed, ep.headers)
				require.Less(t, res.Status, 300, "the seed file is good: %s", res.Body)
				rng := rand.New(rand.NewPCG(uint64(len(ep.name)), 42))
				statuses := map[int]int{}
				for i := 0; i < n; i++ {
					file := mutate(rng, ep.seed)
					before := fingerprint(t, st)
					res := w.as(ep.role, http.MethodPost, ep.path, file, ep.headers)
					statuses[res.Status]++
					require.NotEqual(t, http.StatusInternalServerError, res.Status, "mutation %d:\n%s\nanswer: %s", i, file, res.Body)
					require.Less(t, res.Status, 500, "mutation %d: %s", i, res.Body)
					if res.Status >= 400 {
						require.Equal(t, before, fingerprint(t, st), "mutation %d was refused (%d) but changed what is stored:\n%s", i, res.Status, file)
					}
					for path, role := range reads {
						r := w.as(role, http.MethodGet, path, nil)
						require.Equal(t, http.StatusOK, r.Status, "after mutation %d, GET %s: %s\nfile:\n%s", i, path, r.Body, file)
					}
				}
				t.Logf("%s: %d files, answers %v", ep.name, n, statuses)
			})
		}
	})
}

// mutate returns seed with one to three random edits of the kinds that break
// imports: a changed byte, an inserted troublemaker, a cut, a repeated or
// swapped line, an extreme number.
func mutate(rng *rand.Rand, seed string) string {
	b := []byte(seed)
	troublemakers := []string{`"`, `,`, "\n", "\r\n", "1e308", "-1", "NaN", "Infinity", "\x00", "9999-12-31T00:00:00Z",
		"0001-01-01T00:00:00Z", "ä", `\u0000`, "{", "]", "null", "99999999999999999999", "-0", " ", ";", "/", ":"}
	for k := 1 + rng.IntN(3); k > 0 && len(b) > 0; k-- {
		switch rng.IntN(7) {
		case 0: // change a byte
			b[rng.IntN(len(b))] = byte(rng.IntN(256))
		case 1: // insert a troublemaker
			i := rng.IntN(len(b) + 1)
			b = append(b[:i], append([]byte(troublemakers[rng.IntN(len(troublemakers))]), b[i:]...)...)
		case 2: // cut a span
			i := rng.IntN(len(b))
			j := min(len(b), i+1+rng.IntN(12))
			b = append(b[:i], b[j:]...)
		case 3: // repeat a line
			lines := strings.SplitAfter(string(b), "\n")
			i := rng.IntN(len(lines))
			lines = append(lines[:i+1], lines[i:]...)
			b = []byte(strings.Join(lines, ""))
		case 4: // swap two lines
			lines := strings.SplitAfter(string(b), "\n")
			i, j := rng.IntN(len(lines)), rng.IntN(len(lines))
			lines[i], lines[j] = lines[j], lines[i]
			b = []byte(strings.Join(lines, ""))
		case 5: // replace a number with an extreme one
			s := string(b)
			starts := []int{}
			for i := 0; i < len(s); i++ {
				if s[i] >= '0' && s[i] <= '9' && (i == 0 || s[i-1] < '0' || s[i-1] > '9') {
					starts = append(starts, i)
				}
			}
			if len(starts) == 0 {
				continue
			}
			i := starts[rng.IntN(len(starts))]
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			ext := []string{"1e308", "1e20", "1e9", "-5", "0", "2147483648", "9223372036854775808", "0.0000001"}
			b = []byte(s[:i] + ext[rng.IntN(len(ext))] + s[j:])
		case 6: // truncate
			b = b[:rng.IntN(len(b))]
		}
	}
	return string(b)
}

// fingerprint hashes every row of every table a request can change (not
// sign-in bookkeeping or the job queue), so two equal fingerprints mean
// nothing was written.
func fingerprint(t *testing.T, st *store.Store) string {
	t.Helper()
	db, err := st.SQL()
	require.NoError(t, err)
	ctx := context.Background()
	var tables []string
	q := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if st.Dialect() == store.Postgres {
		q = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`
	}
	rows, err := db.QueryContext(ctx, q)
	require.NoError(t, err)
	for rows.Next() {
		var name string
		require.NoError(t, rows.Scan(&name))
		switch {
		case strings.HasPrefix(name, "river_"), strings.HasPrefix(name, "sqlite_"), name == "api_tokens", name == "sessions",
			name == "login_attempts", name == "migrations", name == "schema_migrations":
			continue
		}
		tables = append(tables, name)
	}
	require.NoError(t, rows.Err())
	rows.Close()
	h := sha256.New()
	for _, table := range tables {
		fmt.Fprintf(h, "table %s\n", table)
		require.NoError(t, dumpTable(ctx, db, table, h))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func dumpTable(ctx context.Context, db *sql.DB, table string, h interface{ Write([]byte) (int, error) }) error {
	rows, err := db.QueryContext(ctx, `SELECT * FROM `+table+` ORDER BY 1`)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		fmt.Fprintf(h, "%v\n", vals)
	}
	return rows.Err()
}
