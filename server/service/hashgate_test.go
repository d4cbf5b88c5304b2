package service

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/peakwise/peakwise/server/fault"
)

func TestHashGateBoundsRunningAndWaitingChecks(t *testing.T) {
	g := newHashGate(2, 3)
	release := make(chan struct{})
	var running, most atomic.Int32
	var wg sync.WaitGroup
	var turnedAway atomic.Int32
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := g.do(context.Background(), func() {
				n := running.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				<-release
				running.Add(-1)
			})
			if err != nil {
				var fe *fault.Error
				if assert.ErrorAs(t, err, &fe) {
					assert.Equal(t, fault.RateLimited, fe.Code)
					assert.Positive(t, fe.RetryAfter, "a shed sign-in says when to come back")
				}
				turnedAway.Add(1)
			}
		}()
	}
	// Every goroutine has either a place (2 running + 3 waiting) or an answer.
	assert.Eventually(t, func() bool { return turnedAway.Load() == 7 }, 5*time.Second, time.Millisecond)
	close(release)
	wg.Wait()
	assert.EqualValues(t, 2, most.Load(), "no more checks run at once than slots")
}
