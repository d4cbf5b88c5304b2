package service

import (
	"context"
	"time"

	"github.com/peakwise/peakwise/server/fault"
)

// hashGate bounds the password checks that run at once. Each argon2id pass
// takes 32 MiB and a core for tens of milliseconds; unbounded, a burst of
// sign-ins took the process from 0.5 to 1.4 GB and every other request to
// seconds. At most len(slots) run, at most len(queue) wait, and the rest are
// turned away at once with RateLimited.
type hashGate struct {
	slots chan struct{}
	queue chan struct{}
}

func newHashGate(running, waiting int) *hashGate {
	return &hashGate{slots: make(chan struct{}, running), queue: make(chan struct{}, running+waiting)}
}

// do runs check when a slot is free. Returns RateLimited when too many checks
// already wait, and the context's error if it ends first.
func (g *hashGate) do(ctx context.Context, check func()) error {
	select {
	case g.queue <- struct{}{}:
	default:
		return &fault.Error{Code: fault.RateLimited, RetryAfter: 5 * time.Second,
			Message: "the server is busy checking sign-ins; try again in a few seconds"}
	}
	defer func() { <-g.queue }()
	select {
	case g.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-g.slots }()
	check()
	return nil
}
