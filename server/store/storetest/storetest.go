// Package storetest opens fresh, migrated databases for tests: an SQLite file
// always, and PostgreSQL when PEAKWISE_TEST_DATABASE_URL is set, each test in
// its own schema so packages can run in parallel. With PEAKWISE_REQUIRE_POSTGRES=1
// a missing or unreachable PostgreSQL fails the test instead of skipping it.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/peakwise/peakwise/server/store"
)

// Each runs fn as a subtest against every database available: "sqlite", and
// "postgres" when configured.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, OpenSQLite(t)) })
	t.Run("postgres", func(t *testing.T) {
		s := OpenPostgres(t)
		fn(t, s)
	})
}

// Config returns a store.Config for a fresh database of the given dialect,
// for tests that open the store themselves (several server instances on one
// database). For PostgreSQL it creates a new schema, dropped at cleanup.
func Config(t testing.TB, dialect store.Dialect) store.Config {
	t.Helper()
	if dialect == store.SQLite {
		return store.Config{SQLitePath: filepath.Join(t.TempDir(), "peakwise.db")}
	}
	base := os.Getenv("PEAKWISE_TEST_DATABASE_URL")
	if base == "" {
		if os.Getenv("PEAKWISE_REQUIRE_POSTGRES") == "1" {
			t.Fatal("PEAKWISE_REQUIRE_POSTGRES=1 but PEAKWISE_TEST_DATABASE_URL is not set")
		}
		t.Skip("PostgreSQL tests skipped: set PEAKWISE_TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	admin, err := gorm.Open(postgres.Open(base), &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	if err != nil {
		failOrSkip(t, err)
	}
	sqlDB, _ := admin.DB()
	if err := sqlDB.Ping(); err != nil {
		_ = sqlDB.Close()
		failOrSkip(t, err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		_ = sqlDB.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("PEAKWISE_TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return store.Config{DatabaseURL: u.String(), MaxOpenConns: 5}
}

func failOrSkip(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("PEAKWISE_REQUIRE_POSTGRES") == "1" {
		t.Fatalf("PostgreSQL required but unreachable: %v", err)
	}
	t.Skipf("PostgreSQL unreachable, skipped: %v", err)
}

// OpenSQLite returns a migrated store on a fresh SQLite file.
func OpenSQLite(t testing.TB) *store.Store { return Open(t, store.SQLite) }

// OpenPostgres returns a migrated store in a fresh PostgreSQL schema, or skips
// (fails when required) if PostgreSQL is not configured.
func OpenPostgres(t testing.TB) *store.Store { return Open(t, store.Postgres) }

// Open returns a migrated store on a fresh database of the given dialect.
func Open(t testing.TB, dialect store.Dialect) *store.Store { return open(t, Config(t, dialect)) }

func open(t testing.TB, cfg store.Config) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}
