package main

import (
	"context"
	"errors"
)

// runStaff is filled in by its issue; until then it says so instead of pretending.
func runStaff(ctx context.Context, env *Env, args []string) error {
	return errors.New("not implemented yet")
}
