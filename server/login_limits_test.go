package server_test

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server"
	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// behindProxy serves st as a replica behind a proxy on the loopback network,
// whose X-Forwarded-For names the client.
func behindProxy(t *testing.T, st *store.Store) *httptest.Server {
	trusted, err := server.ParseTrustedProxies("127.0.0.0/8, ::1")
	require.NoError(t, err)
	srv := httptest.NewServer(server.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Config{TrustedProxies: trusted}).Handler())
	t.Cleanup(srv.Close)
	return srv
}

func login(t *testing.T, url, email, password, from string) response {
	t.Helper()
	return do(t, nil, "POST", url+"/api/v1/auth/login", map[string]any{"email": email, "password": password},
		map[string]string{"X-Forwarded-For": from})
}

// Five wrong passwords lock out the address they came from, not the account:
// the real user signs in from their own address.
func TestWrongPasswordsElsewhereDoNotLockTheUserOut(t *testing.T) {
	st := storetest.OpenSQLite(t)
	newWorld(t, st)
	srv := behindProxy(t, st)
	for i := 0; i < 5; i++ {
		require.Equal(t, 401, login(t, srv.URL, "admin@example.com", "a guess", "203.0.113.9").Status)
	}
	assert.Equal(t, 429, login(t, srv.URL, "admin@example.com", testPassword, "203.0.113.9").Status, "the guessing address waits")
	assert.Equal(t, 200, login(t, srv.URL, "admin@example.com", testPassword, "198.51.100.7").Status, "the user's own address is not locked out")
}

// Without configured proxies X-Forwarded-For is ignored: a guesser cannot pick
// a fresh address for each try.
func TestForwardedForIsIgnoredWithoutTrustedProxies(t *testing.T) {
	w := newWorld(t, storetest.OpenSQLite(t))
	for i := 0; i < 5; i++ {
		require.Equal(t, 401, login(t, w.srv.URL, "admin@example.com", "a guess", "203.0.113."+string(rune('1'+i))).Status)
	}
	assert.Equal(t, 429, login(t, w.srv.URL, "admin@example.com", testPassword, "198.51.100.7").Status,
		"a forwarded address from an untrusted peer is not the client's")
}

// A burst of wrong passwords from one address gets at most five real checks
// on either database; every other attempt is turned away.
func TestLoginBurstGetsAtMostTheLimitOfChecks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		newWorld(t, st)
		srv := behindProxy(t, st)
		const burst = 40
		statuses := make([]int, burst)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range burst {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				statuses[i] = login(t, srv.URL, "admin@example.com", "a guess", "203.0.113.50").Status
			}()
		}
		close(start)
		wg.Wait()
		checked := 0
		for _, s := range statuses {
			require.Contains(t, []int{401, 429}, s)
			if s == 401 {
				checked++
			}
		}
		assert.LessOrEqual(t, checked, 5, "at most five passwords were checked")
		assert.Equal(t, 429, login(t, srv.URL, "admin@example.com", testPassword, "203.0.113.50").Status)
	})
}
