package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/peakwise/peakwise/server"
	"github.com/peakwise/peakwise/server/demo"
	"github.com/peakwise/peakwise/server/fault"
	"github.com/peakwise/peakwise/server/store"
)

func runDemo(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "demo", "[--database-url URL | --data-dir DIR]")
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
	logins, fresh, err := seedDemo(ctx, st)
	if err != nil {
		return err
	}
	if fresh {
		if err := forecastDemo(ctx, server.New(st, newLogger(env, env.Stderr), server.Config{})); err != nil {
			return err
		}
	}
	printLogins(env.Stdout, logins)
	return nil
}

// forecastDemo forecasts every demo queue from its seeded history, so the
// planner's screens and the requirements have numbers on first start.
func forecastDemo(ctx context.Context, srv *server.Server) error {
	run, err := srv.ForecastAll(ctx, "demo-seed")
	if err != nil {
		return fmt.Errorf("demo forecasts: %w", err)
	}
	if run.Status != store.JobSucceeded && run.Status != store.JobPartial {
		return fmt.Errorf("demo forecasts %s: %s", run.Status, run.Errors)
	}
	return nil
}

// seedDemo seeds the demo on first use (fresh is true); on later runs it keeps
// the data and gives the demo users new passwords, since only hashes are stored.
func seedDemo(ctx context.Context, st *store.Store) (logins []demo.Login, fresh bool, err error) {
	seeded, err := demo.Seeded(ctx, st)
	if err != nil {
		return nil, false, err
	}
	if seeded {
		logins, err = demo.ResetPasswords(ctx, st)
		return logins, false, err
	}
	logins, err = demo.Seed(ctx, st, uint64(time.Now().UnixNano()), time.Now())
	if fault.CodeOf(err) == fault.Conflict {
		// Another replica seeded it between our check and our turn.
		logins, err = demo.ResetPasswords(ctx, st)
		return logins, false, err
	}
	return logins, true, err
}

func printLogins(w io.Writer, logins []demo.Login) {
	fmt.Fprintln(w, "Demo sign-ins (new passwords each start):")
	for _, l := range logins {
		fmt.Fprintf(w, "  %-12s %-30s %s\n", l.Role, l.Email, l.Password)
	}
}
