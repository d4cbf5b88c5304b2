package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// childArgs, when set, makes the test binary a `peakwise` process (see
// TestMain): the replica tests start real `serve` processes this way, so they
// can kill one with SIGKILL.
const childArgs = "PEAKWISE_TEST_CHILD_ARGS"

func TestMain(m *testing.M) {
	if args := os.Getenv(childArgs); args != "" {
		env := &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
		os.Exit(run(context.Background(), env, strings.Fields(args)))
	}
	os.Exit(m.Run())
}

// replica is one `peakwise serve` process of a test.
type replica struct {
	cmd  *exec.Cmd
	url  string
	log  string
	dead bool
}

// TestReplicasSurviveAKilledReplicaAndALostDatabase runs three `serve`
// processes on one PostgreSQL schema. A forecast run fans out one item per
// queue; the replica working an item is killed with SIGKILL, and then every
// database connection of the replicas is cut. River's rescuer hands the
// killed replica's item to a survivor: the run finishes with every queue
// forecast, exactly one forecast version per queue, and nothing failed. The
// three replicas also share a cron slot of the nightly re-forecast, which
// runs once.
func TestReplicasSurviveAKilledReplicaAndALostDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three servers and waits for River's rescuer (about a minute)")
	}
	cfg := storetest.Config(t, store.Postgres)
	u, err := url.Parse(cfg.DatabaseURL)
	require.NoError(t, err)
	app := "pwreplicas" + strconv.Itoa(os.Getpid())
	q := u.Query()
	q.Set("application_name", app) // the replicas' connections, not the test's
	u.RawQuery = q.Encode()
	replicaURL := u.String()

	ctx := context.Background()
	st, err := store.Open(ctx, cfg)
	require.NoError(t, err)
	defer st.Close()
	require.NoError(t, st.Migrate(ctx))
	const queues = 8
	queueIDs := seedReplicaCenter(t, st, queues)
	token := adminToken(t, st)
	db, err := st.SQL()
	require.NoError(t, err)

	// One cron slot for all three replicas, after they have started.
	slot := time.Now().UTC().Add(35 * time.Second).Truncate(time.Minute).Add(time.Minute)
	cron := fmt.Sprintf("%d %d * * *", slot.Minute(), slot.Hour())
	var reps []*replica
	for i := 0; i < 3; i++ {
		reps = append(reps, startReplica(t, replicaURL, cron))
	}
	defer func() {
		for _, r := range reps {
			if !r.dead {
				_ = r.cmd.Process.Kill()
				_ = r.cmd.Wait()
			}
		}
		if t.Failed() {
			for i, r := range reps {
				b, _ := os.ReadFile(r.log)
				t.Logf("replica %d log (tail):\n%s", i, tail(string(b), 4000))
			}
		}
	}()
	for _, r := range reps {
		waitHealthy(t, r)
	}

	var runID int64
	res := call(t, http.MethodPost, reps[0].url+"/api/v1/forecast-runs", token, `{"horizon":"7d"}`)
	require.Equal(t, http.StatusAccepted, res.status, "%s", res.body)
	runID = int64(res.json(t)["id"].(float64))

	// Kill the replica that works an item of the run.
	var victim *replica
	var item string
	deadline := time.Now().Add(60 * time.Second)
	for victim == nil && time.Now().Before(deadline) {
		var by string
		err := db.QueryRowContext(ctx, `SELECT args->>'item', attempted_by[array_length(attempted_by, 1)] FROM river_job
			WHERE kind = 'peakwise_item' AND state = 'running' AND (args->>'run_id')::bigint = $1 LIMIT 1`, runID).Scan(&item, &by)
		if err == sql.ErrNoRows {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		require.NoError(t, err)
		for _, r := range reps {
			if strings.Contains(by, fmt.Sprintf("-%d-", r.cmd.Process.Pid)) {
				victim = r
			}
		}
		require.NotNil(t, victim, "item %q is worked by %q, none of the replicas", item, by)
	}
	require.NotNil(t, victim, "no item of the run was seen running")
	require.NoError(t, victim.cmd.Process.Kill())
	_ = victim.cmd.Wait()
	victim.dead = true
	killedAt := time.Now()
	t.Logf("killed replica pid %d while it worked %s", victim.cmd.Process.Pid, item)

	// Then the database goes away for everyone: every connection is cut, or
	// with PEAKWISE_TEST_PG_RESTART (a command, e.g. "pg_ctlcluster
	// --skip-systemctl-redirect 15 main restart") the server itself restarts.
	// The restart is not run in CI, where other packages' tests share the
	// server.
	time.Sleep(500 * time.Millisecond)
	if restart := os.Getenv("PEAKWISE_TEST_PG_RESTART"); restart != "" {
		f := strings.Fields(restart)
		out, err := exec.Command(f[0], f[1:]...).CombinedOutput()
		require.NoError(t, err, "%s", out)
		t.Logf("restarted PostgreSQL: %s", restart)
		require.Eventually(t, func() bool { return db.PingContext(ctx) == nil }, 30*time.Second, 200*time.Millisecond)
	} else {
		var cut int
		require.NoError(t, db.QueryRowContext(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&cut))
		t.Logf("cut %d database connections", cut)
	}

	var survivor *replica
	for _, r := range reps {
		if !r.dead {
			survivor = r
		}
	}
	var run map[string]any
	deadline = time.Now().Add(150 * time.Second)
	for time.Now().Before(deadline) {
		res := call(t, http.MethodGet, fmt.Sprintf("%s/api/v1/jobs/runs/%d", survivor.url, runID), token, "")
		if res.status == http.StatusOK {
			run = res.json(t)
			if run["status"] != string(store.JobRunning) {
				break
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	require.NotNil(t, run)
	t.Logf("the run ended %s after the kill", time.Since(killedAt).Round(time.Second))
	assert.Equal(t, string(store.JobSucceeded), run["status"], "run: %v", run)
	var workers int
	require.NoError(t, db.QueryRowContext(ctx, `SELECT count(DISTINCT w) FROM river_job, unnest(attempted_by) AS w
		WHERE kind = 'peakwise_item' AND (args->>'run_id')::bigint = $1 AND args->>'item' = $2`, runID, item).Scan(&workers))
	assert.GreaterOrEqual(t, workers, 2, "the killed replica's item was worked again elsewhere")
	assert.EqualValues(t, queues, run["total"])
	assert.EqualValues(t, queues, run["done"])
	assert.EqualValues(t, 0, run["failed"])
	for _, id := range queueIDs {
		var n int
		require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM forecasts WHERE queue_id = $1 AND job_run_id = $2`, id, runID).Scan(&n))
		assert.Equal(t, 1, n, "queue %d: one forecast version of the run", id)
	}

	// The shared cron slot: one run, whichever replicas were alive.
	wantSlot := slot.Format(time.RFC3339)
	var runs int
	for deadline = time.Now().Add(150 * time.Second); time.Now().Before(deadline); time.Sleep(time.Second) {
		require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM job_runs WHERE job = 'forecast' AND slot = $1`, wantSlot).Scan(&runs))
		if runs > 0 && time.Now().After(slot.Add(10*time.Second)) {
			break
		}
	}
	assert.Equal(t, 1, runs, "runs of the cron slot %s", wantSlot)
}

// seedReplicaCenter makes n voice queues with 20 weeks of half-hourly
// history each (what the nightly forecast reads) and returns their ids.
func seedReplicaCenter(t *testing.T, st *store.Store, n int) []int64 {
	ctx := context.Background()
	ch, err := st.CreateChannel(ctx, org.Channel{Key: "voice", Name: "Voice", Kind: org.Realtime})
	require.NoError(t, err)
	end := time.Now().UTC().Truncate(24 * time.Hour)
	start := end.AddDate(0, 0, -20*7)
	var ids []int64
	for i := 0; i < n; i++ {
		q, err := st.CreateQueue(ctx, org.Queue{Name: fmt.Sprintf("Voice %d", i), ChannelID: ch.ID, Timezone: "Europe/Berlin", ServiceLevelPct: 80,
			AnswerWithinSec: 20, DefaultAHTSec: 300, ChatConcurrency: 1, IntervalMin: 30})
		require.NoError(t, err)
		var pts []store.HistoryPoint
		for at := start; at.Before(end); at = at.Add(30 * time.Minute) {
			h := float64(at.Hour()) + float64(at.Minute())/60
			v := 40 * math.Exp(-(h-11)*(h-11)/18) * (1 + 0.1*float64(i%3))
			if at.Weekday() == time.Sunday {
				v *= 0.4
			}
			pts = append(pts, store.HistoryPoint{QueueID: q.ID, StartAt: at, IntervalMin: 30, Contacts: math.Round(v)})
		}
		require.NoError(t, st.ReplaceHistory(ctx, q.ID, pts))
		ids = append(ids, q.ID)
	}
	return ids
}

func adminToken(t testing.TB, st *store.Store) string {
	ctx := context.Background()
	hash, err := auth.HashPassword("a long enough password")
	require.NoError(t, err)
	u, err := st.CreateUser(ctx, org.User{Email: "admin@example.com", Name: "Admin", Role: org.RoleAdmin}, hash)
	require.NoError(t, err)
	secret, rec, h, err := auth.NewAPIToken(u.ID, "replicas")
	require.NoError(t, err)
	_, err = st.CreateAPIToken(ctx, rec, h)
	require.NoError(t, err)
	return secret
}

// startReplica starts `peakwise serve` on the database with one worker, a
// short job timeout and rescue, and the nightly re-forecast at cron.
func startReplica(t *testing.T, databaseURL, cron string) *replica {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childArgs+"=serve", "PEAKWISE_WORKERS=1",
		"PEAKWISE_JOB_TIMEOUT=20s", "PEAKWISE_JOB_RESCUE_AFTER=25s", "PEAKWISE_FORECAST_CRON="+cron, "PEAKWISE_JOBS_TIMEZONE=UTC",
		"PEAKWISE_LOG_FORMAT=text")
	return startServe(t, cmd, databaseURL)
}

// startServe starts cmd, a `peakwise serve` process, on the database and a
// free loopback port, its output in a log file.
func startServe(t testing.TB, cmd *exec.Cmd, databaseURL string) *replica {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	logPath := filepath.Join(t.TempDir(), "serve.log")
	f, err := os.Create(logPath)
	require.NoError(t, err)
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, "PEAKWISE_DATABASE_URL="+databaseURL, "PEAKWISE_ADDR="+addr)
	cmd.Stdout, cmd.Stderr = f, f
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = f.Close() })
	return &replica{cmd: cmd, url: "http://" + addr, log: logPath}
}

func waitHealthy(t testing.TB, r *replica) {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(r.url + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	b, _ := os.ReadFile(r.log)
	t.Fatalf("replica at %s did not become ready:\n%s", r.url, tail(string(b), 4000))
}

type httpResult struct {
	status int
	body   []byte
}

func (r httpResult) json(t testing.TB) map[string]any {
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), "%s", r.body)
	return m
}

func call(t testing.TB, method, u, token, body string) httpResult {
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return httpResult{status: 0, body: []byte(err.Error())}
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return httpResult{status: res.StatusCode, body: b}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
