// Package store is the only package that talks to the database through GORM.
// It maps rows to the domain types of server/org and friends and turns driver
// errors into the fault vocabulary at its boundary.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"

	"github.com/peakwise/peakwise/migrations"
	"github.com/peakwise/peakwise/server/fault"
)

// Dialect names the database kind behind a Store.
type Dialect string

const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// Store wraps the database. It is safe for concurrent use.
type Store struct {
	db      *gorm.DB
	dialect Dialect
	now     func() time.Time
	// pool is the pgx pool behind GORM on PostgreSQL, shared with the job
	// queue (River), so one database config serves both; nil on SQLite.
	pool *pgxpool.Pool
	// liveCh caches the live board's NOTIFY channel (see live.go).
	liveCh *atomic.Value
}

// Config says which database to open.
type Config struct {
	// DatabaseURL selects PostgreSQL when it starts with postgres:// or postgresql://.
	DatabaseURL string
	// SQLitePath is the embedded database file used when DatabaseURL is empty.
	SQLitePath string
	// MaxOpenConns caps the connection pool (PostgreSQL); 0 means 20.
	MaxOpenConns int
}

// Open connects to the configured database. It does not migrate; call Migrate.
// Returns an Invalid error for an unsupported URL.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	gcfg := &gorm.Config{
		TranslateError: true,
		Logger:         logger.Default.LogMode(logger.Silent),
		NowFunc:        func() time.Time { return time.Now().UTC() },
	}
	var (
		db      *gorm.DB
		err     error
		dialect Dialect
		pool    *pgxpool.Pool
	)
	switch {
	case strings.HasPrefix(cfg.DatabaseURL, "postgres://"), strings.HasPrefix(cfg.DatabaseURL, "postgresql://"):
		dialect = Postgres
		pcfg, perr := pgxpool.ParseConfig(cfg.DatabaseURL)
		if perr != nil {
			return nil, fault.Errorf(fault.Invalid, "database URL: %v", perr)
		}
		n := cfg.MaxOpenConns
		if n == 0 {
			n = 20
		}
		pcfg.MaxConns = int32(n)
		pcfg.MaxConnIdleTime = 5 * time.Minute
		if pool, err = pgxpool.NewWithConfig(ctx, pcfg); err != nil {
			return nil, fmt.Errorf("open postgres database: %w", err)
		}
		// GORM works through database/sql on the same pool (pgx's stdlib
		// adapter); the pool's limits hold for both.
		db, err = gorm.Open(postgres.New(postgres.Config{Conn: stdlib.OpenDBFromPool(pool)}), gcfg)
	case cfg.DatabaseURL != "":
		return nil, fault.Errorf(fault.Invalid, "database URL must start with postgres:// (leave it empty for the embedded SQLite database)")
	default:
		dialect = SQLite
		path := cfg.SQLitePath
		if path == "" {
			path = "peakwise.db"
		}
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("create data directory: %w", err)
			}
		}
		db, err = openSQLite(ctx, path, gcfg)
	}
	if err != nil {
		if pool != nil {
			pool.Close()
		}
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	if dialect == SQLite {
		// One writer at a time is SQLite's nature; a small pool avoids lock churn.
		sqlDB.SetMaxOpenConns(4)
	}
	s := &Store{db: db, dialect: dialect, now: func() time.Time { return time.Now().UTC() }, pool: pool, liveCh: new(atomic.Value)}
	if err := s.Ping(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, err
	}
	return s, nil
}

// openSQLite opens the file, retrying for a few seconds while another
// process holds it: switching a fresh file to WAL can answer SQLITE_BUSY at
// once, without waiting out the busy timeout, when two processes (a migrate
// and a serve, say) open it at the same moment.
func openSQLite(ctx context.Context, path string, gcfg *gorm.Config) (*gorm.DB, error) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		db, err := gorm.Open(sqlite.Open(sqliteDSN(path)), gcfg)
		if err == nil || !strings.Contains(err.Error(), "SQLITE_BUSY") || time.Now().After(deadline) {
			return db, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func sqliteDSN(path string) string {
	q := url.Values{}
	// The pragmas run in this order on every new connection: the busy timeout
	// first, so that switching a fresh file to WAL waits for another process
	// opening it at the same moment instead of failing with SQLITE_BUSY.
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate") // writers queue at BEGIN instead of failing mid-transaction
	return "file:" + path + "?" + q.Encode()
}

// Dialect reports which database this store uses.
func (s *Store) Dialect() Dialect { return s.dialect }

// Pgx returns the pgx pool behind the store on PostgreSQL (nil on SQLite),
// for the job queue.
func (s *Store) Pgx() *pgxpool.Pool { return s.pool }

// SQL returns the underlying pool, for health checks and metrics.
func (s *Store) SQL() (*sql.DB, error) { return s.db.DB() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fault.Wrap(fault.Internal, err, "database unreachable")
	}
	return nil
}

// Close releases the connections.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	err = sqlDB.Close()
	if s.pool != nil {
		s.pool.Close()
	}
	return err
}

// migrationLockKey is the PostgreSQL advisory lock that serialises migrations
// when several replicas start at once.
const migrationLockKey = 7_300_001

// Migrate applies every pending migration. Safe when several processes call it
// at once: PostgreSQL serialises them with an advisory lock, SQLite with its
// immediate write transaction.
//
// The job queue's own tables (River's migrations) are migrated after ours,
// under the same lock.
func (s *Store) Migrate(ctx context.Context) error {
	db := s.db.WithContext(ctx)
	run := func(conn *gorm.DB) error {
		if err := migrations.Apply(conn); err != nil {
			return err
		}
		return s.migrateQueue(ctx)
	}
	if s.dialect != Postgres {
		return run(db)
	}
	// The advisory lock belongs to one connection, so the whole run stays on it.
	return db.Connection(func(conn *gorm.DB) error {
		if err := conn.Exec("SELECT pg_advisory_lock(?)", migrationLockKey).Error; err != nil {
			return fmt.Errorf("take migration lock: %w", err)
		}
		defer conn.Exec("SELECT pg_advisory_unlock(?)", migrationLockKey)
		return run(conn)
	})
}

// Tx runs fn in one transaction; fn's store sees only that transaction.
// An error from fn, or a panic, rolls everything back.
func (s *Store) Tx(ctx context.Context, fn func(tx *Store) error) error {
	return s.db.WithContext(ctx).Transaction(func(gtx *gorm.DB) error {
		return fn(&Store{db: gtx, dialect: s.dialect, now: s.now, liveCh: s.liveCh})
	})
}

// Advisory lock keys of work that must run once across replicas.
const (
	// DemoSeedLock serialises seeding the demo when replicas start together.
	DemoSeedLock int64 = 7_300_002
)

// LockTx holds the advisory lock key until the surrounding transaction ends,
// so a check-then-write across replicas (is the demo seeded? then seed it)
// runs one at a time. Call it first inside Tx. On PostgreSQL it is
// pg_advisory_xact_lock; an SQLite transaction already holds the database's
// write lock from BEGIN (sqliteDSN), so there it does nothing.
func (s *Store) LockTx(ctx context.Context, key int64) error {
	if s.dialect != Postgres {
		return nil
	}
	return translate(s.conn(ctx).Exec("SELECT pg_advisory_xact_lock(?)", key).Error, "lock")
}

// IsBusy reports whether err is SQLite's "database is locked": another
// writer held the file for longer than the busy timeout. The caller may try
// again.
func IsBusy(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "SQLITE_BUSY") || strings.Contains(err.Error(), "database is locked"))
}

// conn returns the GORM handle bound to ctx.
func (s *Store) conn(ctx context.Context) *gorm.DB { return s.db.WithContext(ctx) }

// translate turns driver errors into the fault vocabulary. what names the record, e.g. "queue".
func translate(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return fault.Errorf(fault.NotFound, "%s not found", what)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return fault.Wrap(fault.Conflict, err, what+" already exists")
	case errors.Is(err, gorm.ErrForeignKeyViolated), strings.Contains(err.Error(), "FOREIGN KEY constraint failed"):
		// SQLite reports ON DELETE RESTRICT as a trigger constraint, which its translator misses.
		return fault.Wrap(fault.Conflict, err, what+" refers to a missing record or is still in use")
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	var fe *fault.Error
	if errors.As(err, &fe) {
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && strings.HasPrefix(pe.Code, "22") {
		// Class 22, data exception: a value PostgreSQL cannot hold (a NUL
		// byte or invalid UTF-8 in text, a number out of range, a bad date).
		// The input is at fault, whichever check let it through.
		return fault.Wrap(fault.Unprocessable, err, what+" holds a value the database cannot store (control characters, invalid text or an out-of-range number)")
	}
	return fault.Wrap(fault.Internal, err, "database error")
}

// Page is the window of a list: Limit rows from Offset. Limit 0 means 50; it is capped at 500.
type Page struct {
	Limit  int
	Offset int
}

// Normalize returns the page with defaults and caps applied.
func (p Page) Normalize() Page {
	if p.Limit <= 0 {
		p.Limit = 50
	}
	if p.Limit > 500 {
		p.Limit = 500
	}
	if p.Offset < 0 {
		p.Offset = 0
	}
	return p
}

// findPage counts the rows q selects and returns one page of them, ordered by id.
func findPage[M any](q *gorm.DB, p Page, what string) ([]M, int, error) {
	p = p.Normalize()
	var total int64
	if err := q.Model(new(M)).Count(&total).Error; err != nil {
		return nil, 0, translate(err, what)
	}
	var rows []M
	if err := q.Order("id").Limit(p.Limit).Offset(p.Offset).Find(&rows).Error; err != nil {
		return nil, 0, translate(err, what)
	}
	return rows, int(total), nil
}

// findByID loads one row or returns NotFound.
func findByID[M any](ctx context.Context, s *Store, id int64, what string) (M, error) {
	var m M
	err := s.conn(ctx).Where("id = ?", id).Take(&m).Error
	return m, translate(err, what)
}

// findForUpdate loads one row inside a transaction and, on PostgreSQL, locks
// it until the transaction ends (SELECT ... FOR UPDATE; SQLite transactions
// hold the write lock from BEGIN), for a read whose answer decides the write
// that follows. Returns NotFound.
func findForUpdate[M any](ctx context.Context, s *Store, id int64, what string) (M, error) {
	var m M
	err := s.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Take(&m).Error
	return m, translate(err, what)
}

// updateVersioned writes row if its stored version still equals row's version,
// and bumps the version. Returns NotFound or Conflict (stale version).
func updateVersioned[M any](ctx context.Context, s *Store, id int64, version int, row *M, what string) error {
	res := s.conn(ctx).Model(row).Where("id = ? AND version = ?", id, version).
		Select("*").Omit("id", "created_at").Updates(row)
	if res.Error != nil {
		return translate(res.Error, what)
	}
	if res.RowsAffected == 1 {
		return nil
	}
	if _, err := findByID[M](ctx, s, id, what); err != nil {
		return err
	}
	return staleVersion(what, version)
}

// updateState writes some fields of row id if its stored version still
// equals version, and bumps the version: for state changes that do not
// rewrite the whole row. Returns NotFound or Conflict (stale version).
func updateState[M any](ctx context.Context, s *Store, id int64, version int, fields map[string]any, what string) error {
	fields["version"] = version + 1
	res := s.conn(ctx).Model(new(M)).Where("id = ? AND version = ?", id, version).Updates(fields)
	if res.Error != nil {
		return translate(res.Error, what)
	}
	if res.RowsAffected == 1 {
		return nil
	}
	if _, err := findByID[M](ctx, s, id, what); err != nil {
		return err
	}
	return staleVersion(what, version)
}

// staleVersion is the Conflict of an edit based on an old version.
func staleVersion(what string, version int) error {
	return fault.Errorf(fault.Conflict, "%s was changed by someone else (version %d is stale); reload and retry", what, version)
}

// deleteByID removes one row. Returns NotFound, or Conflict when other records still use it.
func deleteByID[M any](ctx context.Context, s *Store, id int64, what string) error {
	res := s.conn(ctx).Where("id = ?", id).Delete(new(M))
	if res.Error != nil {
		return translate(res.Error, what)
	}
	if res.RowsAffected == 0 {
		return fault.Errorf(fault.NotFound, "%s not found", what)
	}
	return nil
}

// gormExpr is a raw SQL expression for an UPDATE's SET clause.
func gormExpr(sql string) clause.Expr { return gorm.Expr(sql) }
