// Command peakwise is the Peakwise workforce management and quality monitoring server
// and its command-line tools.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"

	_ "time/tzdata" // IANA zones must resolve on machines without a zoneinfo database.
)

// command is one subcommand of the peakwise binary.
type command struct {
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

// Env is what a subcommand may touch of the outside world, so tests can run
// subcommands in-process.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}

// commands lists every subcommand. Each lives in the file named after it.
var commands = map[string]command{
	"serve":    {"run the web server and API (--demo seeds a demo contact center)", runServe},
	"migrate":  {"apply database migrations and exit", runMigrate},
	"demo":     {"seed the demo contact center into the database and exit", runDemo},
	"user":     {"manage users: create, set-role, reset-password, list", runUser},
	"token":    {"manage API tokens: create, revoke", runToken},
	"history":  {"import contact history (the forecast CSV) into the database", runHistory},
	"forecast": {"forecast contact volume from a history CSV (offline), or backtest methods", runForecast},
	"staff":    {"compute staffing requirements from a forecast CSV (Erlang C/A, offline)", runStaff},
	"schedule": {"generate shifts and breaks that cover requirements (offline)", runSchedule},
	"acd":      {"replay a day of agent states and queue actuals from the published plan to a server", runACD},
}

// errUsage marks an error caused by how the command was called; main prints usage for it.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	os.Exit(run(ctx, env, os.Args[1:]))
}

// run dispatches to a subcommand and returns the process exit code:
// 0 on success, 2 for usage errors, 1 for anything else.
func run(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(env.Stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "peakwise: unknown command %q\n\n", args[0])
		printUsage(env.Stderr)
		return 2
	}
	if err := cmd.run(ctx, env, args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(env.Stderr, "peakwise %s: %v\n", args[0], err)
		if errors.Is(err, errUsage) {
			return 2
		}
		return 1
	}
	return 0
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Peakwise: workforce management and quality monitoring for contact centers.")
	fmt.Fprintln(w, "\nUsage: peakwise <command> [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-9s %s\n", name, commands[name].summary)
	}
	fmt.Fprintln(w, "\nRun 'peakwise <command> --help' for the flags of a command.")
}

// newFlagSet returns a flag set that reports errors instead of exiting and
// prints its usage to the command's stderr.
func newFlagSet(env *Env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("peakwise "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: peakwise %s %s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// usageErrorf wraps a message as a usage error.
func usageErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errUsage}, args...)...)
}
