package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

var allRoles = []org.Role{org.RoleAdmin, org.RolePlanner, org.RoleQAReviewer, org.RoleSupervisor, org.RoleAgent}

// allowed lists the roles that may take an action; the rest must get 403.
func allowed(roles ...org.Role) map[org.Role]bool {
	m := map[org.Role]bool{}
	for _, r := range roles {
		m[r] = true
	}
	return m
}

func TestRoleTable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		ctx := context.Background()
		n := 0
		uniq := func() int { n++; return n }
		type row struct {
			name    string
			method  string
			path    func() string
			body    func() any
			allowed map[org.Role]bool
			okCode  int
		}
		everyone := allowed(allRoles...)
		planners := allowed(org.RoleAdmin, org.RolePlanner)
		admins := allowed(org.RoleAdmin)
		newSite := func() string {
			s, err := st.CreateSite(ctx, org.Site{Name: fmt.Sprintf("tmp%d", uniq()), Timezone: "UTC"})
			require.NoError(t, err)
			return fmt.Sprint(s.ID)
		}
		newQueue := func() string {
			q, err := st.CreateQueue(ctx, org.Queue{Name: fmt.Sprintf("tmpq%d", uniq()), ChannelID: w.channel.ID, Timezone: "UTC",
				ServiceLevelPct: 80, AnswerWithinSec: 20, DefaultAHTSec: 300, ChatConcurrency: 1, IntervalMin: 30})
			require.NoError(t, err)
			return fmt.Sprint(q.ID)
		}
		newAgent := func() string {
			a, err := st.CreateAgent(ctx, org.Agent{Name: "tmp", Email: fmt.Sprintf("tmp%d@example.com", uniq()), Timezone: "UTC", Contract: org.DefaultContract})
			require.NoError(t, err)
			return fmt.Sprint(a.ID)
		}
		rows := []row{
			{"list sites", "GET", func() string { return "/sites" }, nil, everyone, 200},
			{"create site", "POST", func() string { return "/sites" }, func() any { return map[string]any{"name": fmt.Sprintf("S%d", uniq()), "timezone": "UTC"} }, admins, 201},
			{"update site", "PATCH", func() string { return "/sites/" + newSite() }, func() any { return map[string]any{"name": fmt.Sprintf("R%d", uniq()), "version": 1} }, admins, 200},
			{"delete site", "DELETE", func() string { return "/sites/" + newSite() }, nil, admins, 204},
			{"list teams", "GET", func() string { return "/teams" }, nil, everyone, 200},
			{"create team", "POST", func() string { return "/teams" }, func() any { return map[string]any{"name": fmt.Sprintf("T%d", uniq()), "site_id": w.site.ID} }, admins, 201},
			{"list channels", "GET", func() string { return "/channels" }, nil, everyone, 200},
			{"create channel", "POST", func() string { return "/channels" }, func() any {
				return map[string]any{"key": fmt.Sprintf("c%d", uniq()), "name": "C", "kind": "realtime"}
			}, planners, 201},
			{"list queues", "GET", func() string { return "/queues" }, nil, everyone, 200},
			{"read queue", "GET", func() string { return fmt.Sprintf("/queues/%d", w.queue.ID) }, nil, everyone, 200},
			{"create queue", "POST", func() string { return "/queues" }, func() any {
				return map[string]any{"name": fmt.Sprintf("Q%d", uniq()), "channel_id": w.channel.ID, "timezone": "America/New_York",
					"service_level_pct": 80, "answer_within_seconds": 20, "default_aht_seconds": 240, "chat_concurrency": 1, "interval_minutes": 30}
			}, planners, 201},
			{"update queue", "PATCH", func() string { return "/queues/" + newQueue() }, func() any { return map[string]any{"default_aht_seconds": 200, "version": 1} }, planners, 200},
			{"delete queue", "DELETE", func() string { return "/queues/" + newQueue() }, nil, planners, 204},
			{"list agents", "GET", func() string { return "/agents" }, nil, everyone, 200},
			{"create agent", "POST", func() string { return "/agents" }, func() any {
				return map[string]any{"name": "New", "email": fmt.Sprintf("n%d@example.com", uniq()), "timezone": "Asia/Manila", "contract": org.DefaultContract}
			}, planners, 201},
			{"update agent", "PATCH", func() string { return "/agents/" + newAgent() }, func() any { return map[string]any{"name": "Renamed", "version": 1} }, planners, 200},
			{"delete agent", "DELETE", func() string { return "/agents/" + newAgent() }, nil, admins, 204},
			{"list users", "GET", func() string { return "/users" }, nil, admins, 200},
			{"create user", "POST", func() string { return "/users" }, func() any {
				return map[string]any{"email": fmt.Sprintf("u%d@example.com", uniq()), "name": "U", "role": "planner", "password": "a long enough password"}
			}, admins, 201},
			{"read me", "GET", func() string { return "/me" }, nil, everyone, 200},
			{"list tokens", "GET", func() string { return "/tokens" }, nil, everyone, 200},
			{"create token", "POST", func() string { return "/tokens" }, func() any { return map[string]any{"name": "script"} }, everyone, 201},
			{"list special days", "GET", func() string { return "/special-days" }, nil, everyone, 200},
			{"create special day", "POST", func() string { return "/special-days" }, func() any {
				return map[string]any{"queue_id": w.queue.ID, "date": fmt.Sprintf("2026-12-%02d", uniq()%28+1), "factor": 1.4, "note": "launch"}
			}, planners, 201},
			{"list schedules", "GET", func() string { return "/schedules" }, nil, allowed(org.RoleAdmin, org.RolePlanner, org.RoleSupervisor), 200},
			{"create schedule", "POST", func() string { return "/schedules" }, func() any {
				return map[string]any{"name": "W", "timezone": "UTC", "period_start": "2026-01-05T00:00:00Z", "period_end": "2026-01-12T00:00:00Z", "shifts": []any{}}
			}, planners, 201},
			{"list jobs", "GET", func() string { return "/jobs" }, nil, planners, 200},
			{"list job runs", "GET", func() string { return "/jobs/runs" }, nil, planners, 200},
			{"trigger a job", "POST", func() string { return "/jobs/housekeeping/runs" }, nil, admins, 202},
		}
		for _, r := range rows {
			for _, role := range allRoles {
				t.Run(r.name+"/"+string(role), func(t *testing.T) {
					var body any
					if r.body != nil {
						body = r.body()
					}
					res := w.as(role, r.method, "/api/v1"+r.path(), body)
					if r.allowed[role] {
						assert.Equal(t, r.okCode, res.Status, "%s", res.Body)
					} else {
						assert.Equal(t, http.StatusForbidden, res.Status, "%s", res.Body)
						assert.Equal(t, "forbidden", res.errorCode())
					}
				})
			}
		}
		res := do(t, nil, "GET", w.srv.URL+"/api/v1/sites", nil, nil)
		assert.Equal(t, http.StatusUnauthorized, res.Status, "anonymous")
		res = do(t, nil, "GET", w.srv.URL+"/api/v1/sites", nil, map[string]string{"Authorization": "Bearer pwk_not-a-token"})
		assert.Equal(t, http.StatusUnauthorized, res.Status, "unknown token")
	})
}

func TestObjectLevelAccessToAgents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		path := func(a org.Agent) string { return fmt.Sprintf("/api/v1/agents/%d", a.ID) }

		assert.Equal(t, 200, w.as(org.RoleAgent, "GET", path(w.agentA1), nil).Status, "an agent reads their own record")
		for _, other := range []org.Agent{w.agentA2, w.agentB1} {
			res := w.as(org.RoleAgent, "GET", path(other), nil)
			assert.Equal(t, 404, res.Status, "an agent must not see another agent: %s", res.Body)
			assert.NotContains(t, string(res.Body), other.Email)
		}
		list := w.as(org.RoleAgent, "GET", "/api/v1/agents", nil).json(t)
		assert.EqualValues(t, 1, list["total"], "an agent's list holds only themself")

		assert.Equal(t, 200, w.as(org.RoleSupervisor, "GET", path(w.agentA2), nil).Status, "a supervisor reads their team")
		assert.Equal(t, 404, w.as(org.RoleSupervisor, "GET", path(w.agentB1), nil).Status, "but not another team")
		list = w.as(org.RoleSupervisor, "GET", "/api/v1/agents", nil).json(t)
		assert.EqualValues(t, 2, list["total"])

		list = w.as(org.RolePlanner, "GET", "/api/v1/agents", nil).json(t)
		assert.EqualValues(t, 3, list["total"])
		assert.Equal(t, 404, w.as(org.RolePlanner, "GET", "/api/v1/agents/999999", nil).Status)
	})
}

func TestOptimisticConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		p := fmt.Sprintf("/api/v1/queues/%d", w.queue.ID)
		got := w.as(org.RolePlanner, "GET", p, nil)
		require.Equal(t, 200, got.Status)
		assert.Equal(t, `"1"`, got.Header.Get("ETag"))

		res := w.as(org.RolePlanner, "PATCH", p, map[string]any{"default_aht_seconds": 250})
		assert.Equal(t, 400, res.Status, "an edit without a version is refused: %s", res.Body)
		assert.Contains(t, res.json(t)["error"].(map[string]any)["fields"], "version")

		res = w.as(org.RolePlanner, "PATCH", p, map[string]any{"default_aht_seconds": 250}, map[string]string{"If-Match": `"1"`})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		assert.EqualValues(t, 2, res.json(t)["version"])
		assert.Equal(t, `"2"`, res.Header.Get("ETag"))

		res = w.as(org.RoleAdmin, "PATCH", p, map[string]any{"default_aht_seconds": 999, "version": 1})
		assert.Equal(t, 409, res.Status, "a stale edit gets 409: %s", res.Body)
		assert.Equal(t, "conflict", res.errorCode())
		after := w.as(org.RolePlanner, "GET", p, nil).json(t)
		assert.EqualValues(t, 250, after["default_aht_seconds"], "the stale edit wrote nothing")
	})
}

func TestBadInputGetsDocumentedErrorsAndWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		ctx := context.Background()
		_, before, err := st.FindSites(ctx, store.Page{})
		require.NoError(t, err)

		cases := []struct {
			name   string
			body   any
			status int
			code   string
			field  string
		}{
			{"malformed JSON", `{"name": "X", "timezone": `, 400, "invalid", ""},
			{"not an object", `[1,2]`, 400, "invalid", ""},
			{"wrong type", `{"name": 5, "timezone": "UTC"}`, 400, "invalid", "name"},
			{"unknown field", `{"name": "X", "timezone": "UTC", "colour": "red"}`, 400, "invalid", "colour"},
			{"unknown time zone", `{"name": "X", "timezone": "Mars/Base"}`, 400, "invalid", "timezone"},
			{"missing name", `{"timezone": "UTC"}`, 400, "invalid", "name"},
			{"trailing data", `{"name": "X", "timezone": "UTC"} {}`, 400, "invalid", ""},
			{"oversized body", `{"name": "` + strings.Repeat("x", 2<<20) + `", "timezone": "UTC"}`, 413, "too_large", ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res := w.as(org.RoleAdmin, "POST", "/api/v1/sites", c.body)
				assert.Equal(t, c.status, res.Status, "%.300s", res.Body)
				assert.Equal(t, c.code, res.errorCode())
				if c.field != "" {
					fields, _ := res.json(t)["error"].(map[string]any)["fields"].(map[string]any)
					assert.Contains(t, fields, c.field, "%s", res.Body)
				}
			})
		}
		res := w.as(org.RoleAdmin, "POST", "/api/v1/sites", `{"name": "X", "timezone": "Mars/Base"}`)
		assert.JSONEq(t, `{"timezone": "unknown time zone \"Mars/Base\""}`,
			string(mustJSON(t, res.json(t)["error"].(map[string]any)["fields"])))

		res = w.as(org.RolePlanner, "POST", "/api/v1/agents", map[string]any{"name": "Dup", "email": w.agentA1.Email, "timezone": "UTC", "contract": org.DefaultContract})
		assert.Equal(t, 409, res.Status, "duplicate email: %s", res.Body)
		res = w.as(org.RolePlanner, "POST", "/api/v1/agents", map[string]any{"name": "Neg", "email": "neg@example.com", "timezone": "UTC",
			"contract": map[string]any{"min_week_hours": -5, "max_week_hours": 40, "max_shifts_per_week": 5, "min_rest_hours": 11, "max_consecutive_days": 5}})
		assert.Equal(t, 400, res.Status)
		assert.Contains(t, string(res.Body), "contract.min_week_hours")

		_, after, err := st.FindSites(ctx, store.Page{})
		require.NoError(t, err)
		assert.Equal(t, before, after, "no bad request wrote a site")
		_, agents, err := st.FindAgents(ctx, store.AgentFilter{})
		require.NoError(t, err)
		assert.Equal(t, 3, agents, "no bad request wrote an agent")
	})
}

func TestSessionsLoginLogoutAcrossReplicas(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			cfg := storetest.Config(t, d)
			ctx := context.Background()
			open := func() *store.Store {
				st, err := store.Open(ctx, cfg)
				require.NoError(t, err)
				t.Cleanup(func() { st.Close() })
				require.NoError(t, st.Migrate(ctx))
				return st
			}
			st1, st2 := open(), open()
			w := newWorld(t, st1)
			replica := httptest.NewServer(newServer(t, st2, server.Config{}).Handler())
			defer replica.Close()

			c := browser(t)
			res := do(t, c, "POST", w.srv.URL+"/api/v1/auth/login", map[string]any{"email": "planner@example.com", "password": "wrong password!"}, nil)
			assert.Equal(t, 401, res.Status)
			res = do(t, c, "POST", w.srv.URL+"/api/v1/auth/login", map[string]any{"email": "planner@example.com", "password": testPassword}, nil)
			require.Equal(t, 200, res.Status, "%s", res.Body)
			csrf := res.json(t)["csrf_token"].(string)
			setCookie := res.Header.Get("Set-Cookie")
			assert.Contains(t, setCookie, "HttpOnly")
			assert.Contains(t, setCookie, "SameSite=Lax")

			// The cookie jar ignores ports, so the replica receives the same session cookie.
			me := do(t, c, "GET", replica.URL+"/api/v1/me", nil, nil)
			require.Equal(t, 200, me.Status, "the other replica knows the session: %s", me.Body)
			assert.Equal(t, "planner@example.com", me.json(t)["user"].(map[string]any)["email"])

			body := map[string]any{"name": "Created via session", "channel_id": w.channel.ID, "timezone": "UTC", "service_level_pct": 80,
				"answer_within_seconds": 20, "default_aht_seconds": 300, "chat_concurrency": 1, "interval_minutes": 30}
			res = do(t, c, "POST", replica.URL+"/api/v1/queues", body, nil)
			assert.Equal(t, 403, res.Status, "a cookie-authenticated write without the CSRF token is refused")
			res = do(t, c, "POST", replica.URL+"/api/v1/queues", body, map[string]string{"X-CSRF-Token": csrf})
			assert.Equal(t, 201, res.Status, "%s", res.Body)

			res = do(t, c, "POST", replica.URL+"/api/v1/auth/logout", nil, map[string]string{"X-CSRF-Token": csrf})
			assert.Equal(t, 204, res.Status, "%s", res.Body)
			// Replay the old cookie on the first instance: the session is gone everywhere.
			replay := do(t, nil, "GET", w.srv.URL+"/api/v1/me", nil, map[string]string{"Cookie": strings.Split(setCookie, ";")[0]})
			assert.Equal(t, 401, replay.Status, "logout on one replica ends the session on all")
		})
	}
}

func TestTokenRevocation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		res := w.as(org.RoleAgent, "POST", "/api/v1/tokens", map[string]any{"name": "my script"})
		require.Equal(t, 201, res.Status, "%s", res.Body)
		m := res.json(t)
		secret := m["token"].(string)
		id := int64(m["record"].(map[string]any)["id"].(float64))
		bearer := map[string]string{"Authorization": "Bearer " + secret}
		assert.Equal(t, 200, do(t, nil, "GET", w.srv.URL+"/api/v1/me", nil, bearer).Status)

		other := w.as(org.RolePlanner, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", id), nil)
		assert.Equal(t, 404, other.Status, "someone else's token is invisible: %s", other.Body)
		tokens := w.as(org.RolePlanner, "GET", "/api/v1/tokens", nil).json(t)
		assert.EqualValues(t, 1, tokens["total"], "a planner lists only their own tokens")

		assert.Equal(t, 204, w.as(org.RoleAgent, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", id), nil).Status)
		res = do(t, nil, "GET", w.srv.URL+"/api/v1/me", nil, bearer)
		assert.Equal(t, 401, res.Status, "a revoked token stops working")
		assert.Equal(t, "unauthenticated", res.errorCode())
	})
}

func TestLoginRateLimit(t *testing.T) {
	w := newWorld(t, storetest.OpenSQLite(t))
	for i := 0; i < 5; i++ {
		res := do(t, nil, "POST", w.srv.URL+"/api/v1/auth/login", map[string]any{"email": "admin@example.com", "password": fmt.Sprintf("guess number %d", i)}, nil)
		require.Equal(t, 401, res.Status)
	}
	res := do(t, nil, "POST", w.srv.URL+"/api/v1/auth/login", map[string]any{"email": "admin@example.com", "password": testPassword}, nil)
	assert.Equal(t, 429, res.Status, "even the right password waits after 5 failures: %s", res.Body)
	assert.Equal(t, "rate_limited", res.errorCode())
	assert.Equal(t, "900", res.Header.Get("Retry-After"), "a 429 says when to come back")
	res = do(t, nil, "POST", w.srv.URL+"/api/v1/auth/login", map[string]any{"email": "planner@example.com", "password": testPassword}, nil)
	assert.Equal(t, 200, res.Status, "other accounts are not locked out")
}

func TestOpenAPIListsEveryRoute(t *testing.T) {
	srv, res := serveOpenAPI(t)
	doc := res.json(t)
	assert.Equal(t, "3.0.3", doc["openapi"])
	paths := doc["paths"].(map[string]any)
	e := srv.Handler().(*echo.Echo)
	checked := 0
	for _, r := range e.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1") || r.Method == echo.RouteNotFound {
			continue
		}
		p := r.Path
		for _, part := range strings.Split(p, "/") {
			if strings.HasPrefix(part, ":") {
				p = strings.Replace(p, part, "{"+part[1:]+"}", 1)
			}
		}
		ops, ok := paths[p].(map[string]any)
		if assert.True(t, ok, "route %s %s is missing from openapi.json", r.Method, r.Path) {
			assert.Contains(t, ops, strings.ToLower(r.Method), "route %s %s is missing from openapi.json", r.Method, r.Path)
		}
		checked++
	}
	assert.Greater(t, checked, 30)
}

func TestHealthReadyMetrics(t *testing.T) {
	st := storetest.OpenSQLite(t)
	srv := server.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	assert.Equal(t, 200, do(t, nil, "GET", ts.URL+"/healthz", nil, nil).Status)
	assert.Equal(t, 200, do(t, nil, "GET", ts.URL+"/readyz", nil, nil).Status)
	do(t, nil, "GET", ts.URL+"/api/v1/sites", nil, nil)
	m := do(t, nil, "GET", ts.URL+"/metrics", nil, nil)
	require.Equal(t, 200, m.Status)
	assert.Contains(t, string(m.Body), `peakwise_http_request_duration_seconds_bucket{method="GET",route="/api/v1/sites",status="401"`)
	assert.Contains(t, string(m.Body), `go_sql_max_open_connections{db_name="peakwise"}`, "DB pool gauges")
	require.NoError(t, st.Close())
	assert.Equal(t, 503, do(t, nil, "GET", ts.URL+"/readyz", nil, nil).Status, "readyz fails when the database is gone")
}

// /metrics is not for the public: a token when one is set, else loopback
// only (a client behind a trusted proxy is not loopback), or a listener of
// its own.
func TestMetricsAreNotPublic(t *testing.T) {
	st := storetest.OpenSQLite(t)
	trusted, err := server.ParseTrustedProxies("127.0.0.0/8")
	require.NoError(t, err)
	open := httptest.NewServer(server.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{TrustedProxies: trusted}).Handler())
	defer open.Close()
	assert.Equal(t, 200, do(t, nil, "GET", open.URL+"/metrics", nil, nil).Status, "a scraper on the same machine")
	assert.Equal(t, 404, do(t, nil, "GET", open.URL+"/metrics", nil, map[string]string{"X-Forwarded-For": "203.0.113.5"}).Status, "a client through the proxy")

	tok := httptest.NewServer(server.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{MetricsToken: "s3cret"}).Handler())
	defer tok.Close()
	assert.Equal(t, 401, do(t, nil, "GET", tok.URL+"/metrics", nil, nil).Status)
	assert.Equal(t, 401, do(t, nil, "GET", tok.URL+"/metrics", nil, map[string]string{"Authorization": "Bearer nope"}).Status)
	assert.Equal(t, 200, do(t, nil, "GET", tok.URL+"/metrics", nil, map[string]string{"Authorization": "Bearer s3cret"}).Status)

	srv := server.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{MetricsElsewhere: true})
	main, side := httptest.NewServer(srv.Handler()), httptest.NewServer(srv.MetricsHandler())
	defer main.Close()
	defer side.Close()
	assert.NotContains(t, string(do(t, nil, "GET", main.URL+"/metrics", nil, nil).Body), "peakwise_http_request", "not on the main listener")
	m := do(t, nil, "GET", side.URL+"/metrics", nil, nil)
	assert.Equal(t, 200, m.Status)
	assert.Contains(t, string(m.Body), "peakwise_jobs_queue_depth")
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := jsonMarshal(v)
	require.NoError(t, err)
	return b
}

func TestAdminTriggersJobAndWatchesIt(t *testing.T) {
	w := newWorld(t, storetest.OpenSQLite(t))
	res := w.as(org.RoleAdmin, "POST", "/api/v1/jobs/housekeeping/runs", nil)
	require.Equal(t, 202, res.Status, "%s", res.Body)
	loc := res.Header.Get("Location")
	require.NotEmpty(t, loc)
	var run map[string]any
	require.Eventually(t, func() bool {
		run = w.as(org.RolePlanner, "GET", loc, nil).json(t)
		return run["status"] != "running"
	}, 10*time.Second, 20*time.Millisecond)
	assert.Equal(t, "succeeded", run["status"], "%v", run)
	assert.Contains(t, run["result"], "expired_sessions_deleted")
	assert.Equal(t, 404, w.as(org.RoleAdmin, "POST", "/api/v1/jobs/nope/runs", nil).Status)
}
