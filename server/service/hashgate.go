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

// enter takes a place in the queue, or returns RateLimited at once when too
// many checks already wait. Sign-in calls it before it records the attempt,
// so a flood the gate turns away costs no database writes. Call leave when
// done.
func (g *hashGate) enter() error {
	select {
	case g.queue <- struct{}{}:
		return nil
	default:
		return &fault.Error{Code: fault.RateLimited, RetryAfter: 5 * time.Second,
			Message: "the server is busy checking sign-ins; try again in a few seconds"}
	}
}

func (g *hashGate) leave() { <-g.queue }

// run runs check when a slot is free (after enter), or returns the
// context's error if it ends first.
func (g *hashGate) run(ctx context.Context, check func()) error {
	select {
	case g.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-g.slots }()
	check()
	return nil
}

// do is enter, run and leave.
func (g *hashGate) do(ctx context.Context, check func()) error {
	if err := g.enter(); err != nil {
		return err
	}
	defer g.leave()
	return g.run(ctx, check)
}
