package server_test

import (
	"bytes"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// lockedBuffer is a log sink the server's goroutines may write to at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func loggingServer(t *testing.T) (*httptest.Server, *lockedBuffer) {
	t.Helper()
	logs := &lockedBuffer{}
	srv := server.New(storetest.OpenSQLite(t), slog.New(slog.NewTextHandler(logs, nil)), server.Config{})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts, logs
}

func TestRequestLogOmitsCalendarFeedSecret(t *testing.T) {
	ts, logs := loggingServer(t)
	const secret = "s3cr3tFeedTokenValue"
	do(t, nil, "GET", ts.URL+"/calendar/"+secret+".ics", nil, nil)
	require.Contains(t, logs.String(), "route=/calendar/:token", "the request is logged by its route")
	assert.NotContains(t, logs.String(), secret, "the feed's secret is not written to the log")
}

func TestClientRequestIDIsValidated(t *testing.T) {
	ts, logs := loggingServer(t)
	for _, tc := range []struct {
		name, id string
		kept     bool
	}{
		{"plain", "abc-123_DEF.7", true},
		{"too long", strings.Repeat("a", 129), false},
		{"spaces and quotes", `abc "def" x=1`, false},
		{"non-ASCII", "abcé", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := do(t, nil, "GET", ts.URL+"/healthz", nil, map[string]string{"X-Request-Id": tc.id})
			got := res.Header.Get("X-Request-Id")
			if tc.kept {
				assert.Equal(t, tc.id, got)
				return
			}
			assert.NotEqual(t, tc.id, got, "an unsafe request id is replaced")
			assert.Regexp(t, `^[0-9a-f]{16}$`, got, "by a fresh one")
		})
	}
	do(t, nil, "GET", ts.URL+"/api/v1/sites", nil, map[string]string{"X-Request-Id": `evil" injected=1`})
	assert.NotContains(t, logs.String(), "injected", "the client's unsafe id is not logged")
}

func TestPagesCarrySecurityHeaders(t *testing.T) {
	ts, _ := loggingServer(t)
	for _, path := range []string{"/login", "/static/peakwise.css", "/api/v1/sites"} {
		res := do(t, nil, "GET", ts.URL+path, nil, nil)
		assert.Equal(t, "DENY", res.Header.Get("X-Frame-Options"), path)
		assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"), path)
		csp := res.Header.Get("Content-Security-Policy")
		assert.Contains(t, csp, "frame-ancestors 'none'", path)
		assert.Contains(t, csp, "object-src 'none'", path)
	}
}
