package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/peakwise/peakwise/server/auth"
)

const tokenSynopsis = `create --email E [--name NAME]    prints a new API token on stdout, nothing else
       peakwise token revoke --id ID`

func runToken(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		newFlagSet(env, "token", tokenSynopsis).Usage()
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return usageErrorf("name a subcommand: create or revoke")
	}
	sub := args[0]
	fs := newFlagSet(env, "token "+sub, tokenSynopsis)
	var db dbFlags
	db.register(fs, env)
	email := fs.String("email", "", "the user the token acts for")
	name := fs.String("name", "cli", "a name to recognise the token by")
	id := fs.Int64("id", 0, "the token's id (revoke)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch sub {
	case "create":
		if *email == "" {
			return usageErrorf("--email is required")
		}
	case "revoke":
		if *id <= 0 {
			return usageErrorf("--id is required")
		}
	default:
		return usageErrorf("unknown subcommand %q: use create or revoke", sub)
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if sub == "revoke" {
		if err := st.RevokeAPIToken(ctx, *id, time.Now().UTC()); err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "token %d revoked\n", *id)
		return nil
	}
	u, _, err := st.FindUserByEmail(ctx, *email)
	if err != nil {
		return err
	}
	secret, rec, hash, err := auth.NewAPIToken(u.ID, *name)
	if err != nil {
		return err
	}
	if _, err := st.CreateAPIToken(ctx, rec, hash); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, secret)
	return nil
}
