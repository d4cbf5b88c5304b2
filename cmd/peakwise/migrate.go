package main

import (
	"context"
	"fmt"
)

func runMigrate(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "migrate", "[--database-url URL | --data-dir DIR]")
	var db dbFlags
	db.register(fs, env)
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(env.Stdout, "database (%s) is up to date\n", st.Dialect())
	return nil
}
