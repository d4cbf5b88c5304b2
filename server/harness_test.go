package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server"
	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

// world is a running server on a fresh database with one user per role.
type world struct {
	t      *testing.T
	st     *store.Store
	srv    *httptest.Server
	tokens map[org.Role]string
	users  map[org.Role]org.User
	// The supervisor supervises teamA; the agent user is agentA1, in teamA.
	site                      org.Site
	teamA, teamB              org.Team
	agentA1, agentA2, agentB1 org.Agent
	channel                   org.Channel
	queue                     org.Queue
}

const testPassword = "correct horse battery"

func newWorld(t *testing.T, st *store.Store) *world { return newWorldAt(t, st, nil) }

// newWorldAt is newWorld with the server's clock set (nil: the real clock).
func newWorldAt(t *testing.T, st *store.Store, now func() time.Time) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{t: t, st: st, tokens: map[org.Role]string{}, users: map[org.Role]org.User{}}
	var err error
	w.site, err = st.CreateSite(ctx, org.Site{Name: "Porto", Timezone: "Europe/Lisbon"})
	require.NoError(t, err)
	hash, err := auth.HashPassword(testPassword)
	require.NoError(t, err)
	for _, r := range []org.Role{org.RoleAdmin, org.RolePlanner, org.RoleQAReviewer, org.RoleSupervisor} {
		u, err := st.CreateUser(ctx, org.User{Email: string(r) + "@example.com", Name: string(r), Role: r}, hash)
		require.NoError(t, err)
		w.users[r] = u
	}
	sup := w.users[org.RoleSupervisor].ID
	w.teamA, err = st.CreateTeam(ctx, org.Team{SiteID: w.site.ID, Name: "A", SupervisorID: &sup})
	require.NoError(t, err)
	w.teamB, err = st.CreateTeam(ctx, org.Team{SiteID: w.site.ID, Name: "B"})
	require.NoError(t, err)
	mk := func(name string, team org.Team) org.Agent {
		a, err := st.CreateAgent(ctx, org.Agent{Name: name, Email: name + "@agents.example.com", Timezone: "Europe/Lisbon", TeamID: &team.ID, Contract: org.DefaultContract})
		require.NoError(t, err)
		return a
	}
	w.agentA1, w.agentA2, w.agentB1 = mk("a1", w.teamA), mk("a2", w.teamA), mk("b1", w.teamB)
	u, err := st.CreateUser(ctx, org.User{Email: "agent@example.com", Name: "a1", Role: org.RoleAgent, AgentID: &w.agentA1.ID}, hash)
	require.NoError(t, err)
	w.users[org.RoleAgent] = u
	w.channel, err = st.CreateChannel(ctx, org.Channel{Key: "voice", Name: "Voice", Kind: org.Realtime})
	require.NoError(t, err)
	w.queue, err = st.CreateQueue(ctx, org.Queue{Name: "Voice PT", ChannelID: w.channel.ID, Timezone: "Europe/Lisbon", ServiceLevelPct: 80,
		AnswerWithinSec: 20, DefaultAHTSec: 300, ChatConcurrency: 1, IntervalMin: 30})
	require.NoError(t, err)
	for r, u := range w.users {
		secret, rec, h, err := auth.NewAPIToken(u.ID, "test")
		require.NoError(t, err)
		_, err = st.CreateAPIToken(ctx, rec, h)
		require.NoError(t, err)
		w.tokens[r] = secret
	}
	w.srv = httptest.NewServer(newServer(t, st, server.Config{Now: now}).Handler())
	t.Cleanup(w.srv.Close)
	return w
}

// response is a decoded HTTP answer.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &m), "body: %s", r.Body)
	return m
}

// errorCode returns error.code of an error body, or "".
func (r response) errorCode() string {
	var m struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &m)
	return m.Error.Code
}

func do(t *testing.T, client *http.Client, method, url string, body any, headers map[string]string) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		require.NoError(t, err)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, url, rd)
	require.NoError(t, err)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return response{Status: res.StatusCode, Header: res.Header, Body: data}
}

// as calls the API with the API token of a role.
func (w *world) as(role org.Role, method, path string, body any, headers ...map[string]string) response {
	h := map[string]string{"Authorization": "Bearer " + w.tokens[role]}
	for _, extra := range headers {
		for k, v := range extra {
			h[k] = v
		}
	}
	return do(w.t, nil, method, w.srv.URL+path, body, h)
}

// browser returns an HTTP client with a cookie jar.
func browser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{Jar: jar}
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

func jsonUnmarshalBytes(b []byte, v any) error { return json.Unmarshal(b, v) }

func authNewToken(userID int64) (string, auth.APIToken, string, error) {
	return auth.NewAPIToken(userID, "test")
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// newServer builds a server on st whose job queue stops before the test's
// store closes.
func newServer(t testing.TB, st *store.Store, cfg server.Config) *server.Server {
	srv := server.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), cfg)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Close(ctx)
	})
	return srv
}
