package server_test

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// TestLiveBoardIsPushedAcrossServers: a browser watching /live/events gets
// a "board" event soon after an agent state arrives, on both databases; on
// PostgreSQL also when the state was sent to another server (replica) on
// the same database, through NOTIFY/LISTEN.
func TestLiveBoardIsPushedAcrossServers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		w := newWorld(t, st)
		c, _ := signIn(t, w, "planner@example.com")
		events := watchLive(t, c, w.srv.URL)
		n := 0
		send := func(base string) {
			n++
			at := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
			body := `{"events":[{"event_id":"push-` + itoa(int64(n)) + `","agent":"a1@agents.example.com","state":"available","at":"` + at + `"}]}`
			res := do(t, nil, http.MethodPost, base+"/api/v1/acd/agent-events", body, map[string]string{"Authorization": "Bearer " + w.tokens[org.RolePlanner]})
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		}
		drain(events)
		send(w.srv.URL)
		waitBoard(t, events, "a state sent to this server")
		if st.Dialect() != store.Postgres {
			return
		}
		other := httptest.NewServer(newServer(t, st, server.Config{}).Handler())
		t.Cleanup(other.Close)
		time.Sleep(1100 * time.Millisecond) // past the one-a-second coalescing
		drain(events)
		send(other.URL)
		waitBoard(t, events, "a state sent to another replica")
	})
}

// watchLive opens the live stream with the browser client c and returns its
// event names; the stream ends with the test.
func watchLive(t *testing.T, c *http.Client, base string) <-chan string {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/live/events", nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "text/event-stream")
	res, err := c.Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "text/event-stream", res.Header.Get("Content-Type"))
	out := make(chan string, 16)
	go func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if name, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				out <- name
			}
		}
	}()
	return out
}

func drain(ch <-chan string) {
	for {
		select {
		case <-ch:
		case <-time.After(300 * time.Millisecond):
			return
		}
	}
}

func waitBoard(t *testing.T, ch <-chan string, what string) {
	t.Helper()
	select {
	case name := <-ch:
		require.Equal(t, "board", name)
	case <-time.After(5 * time.Second):
		t.Fatalf("no board event within 5 s after %s", what)
	}
}
