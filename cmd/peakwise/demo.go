package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/peakwise/peakwise/server/demo"
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
	logins, err := seedDemo(ctx, st)
	if err != nil {
		return err
	}
	printLogins(env.Stdout, logins)
	return nil
}

// seedDemo seeds the demo on first use; on later runs it keeps the data and
// gives the demo users new passwords, since only hashes are stored.
func seedDemo(ctx context.Context, st *store.Store) ([]demo.Login, error) {
	seeded, err := demo.Seeded(ctx, st)
	if err != nil {
		return nil, err
	}
	if seeded {
		return demo.ResetPasswords(ctx, st)
	}
	return demo.Seed(ctx, st, uint64(time.Now().UnixNano()), time.Now())
}

func printLogins(w io.Writer, logins []demo.Login) {
	fmt.Fprintln(w, "Demo sign-ins (new passwords each start):")
	for _, l := range logins {
		fmt.Fprintf(w, "  %-12s %-30s %s\n", l.Role, l.Email, l.Password)
	}
}
