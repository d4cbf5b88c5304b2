package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/peakwise/peakwise/server/store"
	"github.com/peakwise/peakwise/server/store/storetest"
)

// A burst of attempts on one key lets at most the limit through: each
// reservation commits before it counts, so the k-th to commit sees at least
// k. (A burst may block itself whole: its members count each other. It is
// automated by definition, so that is fine.)
func TestReserveLoginAttemptHoldsTheLimitUnderABurst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
		const burst, limit = 40, 5
		var wg sync.WaitGroup
		counts := make([]int, burst)
		errs := make([]error, burst)
		start := make(chan struct{})
		for i := range burst {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, counts[i], errs[i] = s.ReserveLoginAttempt(ctx, "pair:a@example.com|203.0.113.9", now, now.Add(-15*time.Minute))
			}()
		}
		close(start)
		wg.Wait()
		allowed := 0
		seen := map[int]bool{}
		for i := range burst {
			require.NoError(t, errs[i])
			if counts[i] <= limit {
				allowed++
			}
			seen[counts[i]] = true
		}
		assert.LessOrEqual(t, allowed, limit, "at most the limit gets a password check")
		n, err := s.CountLoginFailures(ctx, "pair:a@example.com|203.0.113.9", now.Add(-15*time.Minute))
		require.NoError(t, err)
		assert.Equal(t, burst, n, "every attempt is counted")
		for i := 1; i <= limit+1; i++ {
			_, n, err := s.ReserveLoginAttempt(ctx, "pair:a@example.com|198.51.100.1", now, now.Add(-15*time.Minute))
			require.NoError(t, err)
			assert.Equal(t, i, n, "attempts one after another count 1, 2, ...; another key is not touched")
		}
		id, n, err := s.ReserveLoginAttempt(ctx, "ip:198.51.100.1", now, now.Add(-15*time.Minute))
		require.NoError(t, err)
		require.Equal(t, 1, n)
		require.NoError(t, s.ReleaseLoginAttempt(ctx, id))
		n, err = s.CountLoginFailures(ctx, "ip:198.51.100.1", now.Add(-15*time.Minute))
		require.NoError(t, err)
		assert.Zero(t, n, "a released attempt no longer counts")
	})
}
