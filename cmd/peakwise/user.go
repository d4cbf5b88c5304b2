package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/peakwise/peakwise/server/auth"
	"github.com/peakwise/peakwise/server/org"
	"github.com/peakwise/peakwise/server/store"
)

const userSynopsis = `create --email E --name N --role R [--agent-id ID] --password-stdin
       peakwise user set-role --email E --role R
       peakwise user reset-password --email E --password-stdin
       peakwise user list

Roles: admin, planner, qa_reviewer, supervisor, agent (an agent user needs --agent-id).
The password is read from the first line of standard input, never from a flag.`

func runUser(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		newFlagSet(env, "user", userSynopsis).Usage()
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return usageErrorf("name a subcommand: create, set-role, reset-password or list")
	}
	sub := args[0]
	fs := newFlagSet(env, "user "+sub, userSynopsis)
	var db dbFlags
	db.register(fs, env)
	email := fs.String("email", "", "the user's email")
	name := fs.String("name", "", "the user's name (create)")
	role := fs.String("role", "", "admin, planner, qa_reviewer, supervisor or agent")
	agentID := fs.Int64("agent-id", 0, "the agent this user is (required for the agent role)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	readPassword := func() (string, error) {
		if !*pwStdin {
			return "", usageErrorf("--password-stdin is required: pipe the password in")
		}
		line, err := bufio.NewReader(env.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return "", errors.New("no password on standard input")
		}
		// A byte-order mark (Windows editors write one) is not part of
		// the password anyone types at the sign-in form.
		pw := strings.TrimPrefix(strings.TrimRight(line, "\r\n"), "\uFEFF")
		return pw, org.CheckPassword(pw)
	}
	switch sub {
	case "create", "set-role", "reset-password":
		if *email == "" {
			return usageErrorf("--email is required")
		}
	case "list":
	default:
		return usageErrorf("unknown subcommand %q: use create, set-role, reset-password or list", sub)
	}
	var password string
	if sub == "create" || sub == "reset-password" {
		var err error
		if password, err = readPassword(); err != nil {
			return err
		}
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "create":
		u := org.User{Email: strings.ToLower(*email), Name: *name, Role: org.Role(*role)}
		if *agentID != 0 {
			u.AgentID = agentID
		}
		if err := u.Validate(); err != nil {
			return err
		}
		hash, err := auth.HashPassword(password)
		if err != nil {
			return err
		}
		created, err := st.CreateUser(ctx, u, hash)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "created user %d %s (%s)\n", created.ID, created.Email, created.Role)
	case "set-role":
		u, _, err := st.FindUserByEmail(ctx, *email)
		if err != nil {
			return err
		}
		u.Role = org.Role(*role)
		if *agentID != 0 {
			u.AgentID = agentID
		}
		if err := u.Validate(); err != nil {
			return err
		}
		if _, err := st.UpdateUser(ctx, u); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s is now %s\n", u.Email, u.Role)
	case "reset-password":
		u, _, err := st.FindUserByEmail(ctx, *email)
		if err != nil {
			return err
		}
		hash, err := auth.HashPassword(password)
		if err != nil {
			return err
		}
		if err := st.SetPasswordHash(ctx, u.ID, hash); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "password of %s reset; their sessions ended\n", u.Email)
	case "list":
		for offset := 0; ; offset += 500 {
			users, total, err := st.FindUsers(ctx, store.UserFilter{Page: store.Page{Limit: 500, Offset: offset}})
			if err != nil {
				return err
			}
			for _, u := range users {
				state := ""
				if u.Disabled {
					state = " (disabled)"
				}
				fmt.Fprintf(env.Stdout, "%d\t%s\t%s\t%s%s\n", u.ID, u.Email, u.Role, u.Name, state)
			}
			if offset+500 >= total {
				break
			}
		}
	}
	return nil
}
