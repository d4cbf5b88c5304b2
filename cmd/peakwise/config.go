package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/peakwise/peakwise/server/store"
)

// dbFlags are the database settings every database-using subcommand shares.
// Flags win over PEAKWISE_* environment variables.
type dbFlags struct {
	databaseURL string
	dataDir     string
}

func (d *dbFlags) register(fs *flag.FlagSet, env *Env) {
	fs.StringVar(&d.databaseURL, "database-url", env.Getenv("PEAKWISE_DATABASE_URL"),
		"PostgreSQL URL (postgres://...); empty uses the embedded SQLite file [PEAKWISE_DATABASE_URL]")
	dir := env.Getenv("PEAKWISE_DATA_DIR")
	if dir == "" {
		dir = "."
	}
	fs.StringVar(&d.dataDir, "data-dir", dir, "directory of the embedded SQLite database peakwise.db [PEAKWISE_DATA_DIR]")
}

func (d *dbFlags) config() store.Config {
	return store.Config{DatabaseURL: d.databaseURL, SQLitePath: filepath.Join(d.dataDir, "peakwise.db")}
}

// open opens and migrates the configured database.
func (d *dbFlags) open(ctx context.Context) (*store.Store, error) {
	st, err := store.Open(ctx, d.config())
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return st, nil
}

// newLogger returns a text logger on a terminal and a JSON logger otherwise,
// unless PEAKWISE_LOG_FORMAT says which.
func newLogger(env *Env, w io.Writer) *slog.Logger {
	level := slog.LevelInfo
	if strings.EqualFold(env.Getenv("PEAKWISE_LOG_LEVEL"), "debug") {
		level = slog.LevelDebug
	}
	opts := &slog.HandlerOptions{Level: level}
	format := strings.ToLower(env.Getenv("PEAKWISE_LOG_FORMAT"))
	if format == "" {
		format = "json"
		if isTerminal(w) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
