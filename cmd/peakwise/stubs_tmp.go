package main

import (
	"context"
	"errors"
)

func runServe(ctx context.Context, env *Env, args []string) error {
	return errors.New("not implemented yet")
}
func runMigrate(ctx context.Context, env *Env, args []string) error {
	return errors.New("not implemented yet")
}
func runDemo(ctx context.Context, env *Env, args []string) error {
	return errors.New("not implemented yet")
}
func runUser(ctx context.Context, env *Env, args []string) error {
	return errors.New("not implemented yet")
}
func runToken(ctx context.Context, env *Env, args []string) error {
	return errors.New("not implemented yet")
}
