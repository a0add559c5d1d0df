package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/scoregate/scoregate"
)

// Dialects a DB can speak, as Dialect reports them.
const (
	DialectSQLite   = "sqlite"
	DialectPostgres = "postgres"
)

// sqliteParams make the embedded database fit for a server: WAL so readers
// never wait for the writer, a busy timeout and immediate transactions so
// that concurrent writers queue for the lock instead of failing half way
// through, and enforced foreign keys. (The driver stops reading parameters
// at _time_format, so that one must never be added before _txlock.)
const sqliteParams = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
	"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_txlock=immediate"

// maxPostgresConns caps one replica's connections to Postgres, well under
// the server's default max_connections of 100 for a few replicas.
const maxPostgresConns = 32

// Config says which database to open and how to protect credentials in it.
type Config struct {
	// DatabaseURL selects the database: "" is the SQLite file
	// {DataDir}/scoregate.db; "postgres://…" or "postgresql://…" is
	// Postgres; "sqlite:///abs/path.db" or "file:path.db" is SQLite at that
	// path.
	DatabaseURL string
	// DataDir holds the default SQLite file; it is created when missing.
	DataDir string
	// Secret is the server secret, at least MinSecretLength bytes. The keys
	// that encrypt and digest credentials are derived from it: changing it
	// makes every stored key and token unusable.
	Secret []byte
	// MaxEndpointsPerService caps the endpoints of one web service; 0 means
	// scoregate.DefaultMaxEndpointsPerWeb.
	MaxEndpointsPerService int
	// Logger receives the store's events; nil discards them.
	Logger *slog.Logger
}

// DB is the scoregate.Store over SQLite or Postgres.
type DB struct {
	gorm         *gorm.DB
	sql          *sql.DB
	dialect      string
	sealer       *sealer
	migrations   []migration
	maxEndpoints int
	// logBatch is how many recorded requests one INSERT carries: few on
	// SQLite, whose driver binds parameters in time quadratic in their
	// number, many on Postgres, where a statement is a round trip.
	logBatch int
	log      *slog.Logger
}

var _ scoregate.Store = (*DB)(nil)

// Open connects to the database cfg names. It does not migrate: call
// Migrate, or let Ready report how far behind the schema is.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	seal, err := newSealer(cfg.Secret)
	if err != nil {
		return nil, err
	}
	dialect, dsn, err := cfg.source()
	if err != nil {
		return nil, err
	}
	migs, err := loadMigrations(dialect)
	if err != nil {
		return nil, err
	}
	var dialector gorm.Dialector
	if dialect == DialectSQLite {
		if err := os.MkdirAll(filepath.Dir(dsn), 0o750); err != nil {
			return nil, fmt.Errorf("store: create the database folder: %w", err)
		}
		dialector = sqlite.Open(dsn + "?" + sqliteParams)
	} else {
		dialector = postgres.Open(dsn)
	}
	g, err := gorm.Open(dialector, &gorm.Config{
		TranslateError:         true,
		SkipDefaultTransaction: true, // writes run in explicit transactions
		DisableAutomaticPing:   true, // pinged below, under ctx
		Logger:                 logger.Discard,
		NowFunc:                now,
	})
	if err != nil {
		return nil, fmt.Errorf("store: open %s database: %w", dialect, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, fmt.Errorf("store: open %s database: %w", dialect, err)
	}
	if dialect == DialectPostgres {
		// Enough for a replica's request and job concurrency, and kept
		// warm: a connection costs a round trip and a backend process.
		sqlDB.SetMaxOpenConns(maxPostgresConns)
		sqlDB.SetMaxIdleConns(maxPostgresConns / 2)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("store: connect to the %s database: %w", dialect, err)
	}
	db := &DB{
		gorm:         g,
		sql:          sqlDB,
		dialect:      dialect,
		sealer:       seal,
		migrations:   migs,
		maxEndpoints: cfg.MaxEndpointsPerService,
		logBatch:     batchSize,
		log:          cfg.Logger,
	}
	if dialect == DialectSQLite {
		db.logBatch = 16
	}
	if db.maxEndpoints <= 0 {
		db.maxEndpoints = scoregate.DefaultMaxEndpointsPerWeb
	}
	if db.log == nil {
		db.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	db.log.InfoContext(ctx, "store: database opened", "dialect", dialect, "database", describe(dialect, dsn))
	return db, nil
}

// source parses cfg.DatabaseURL into a dialect and what its driver opens:
// a file path for SQLite, the URL itself for Postgres. Error messages never
// repeat a Postgres URL, which may hold a password.
func (cfg Config) source() (dialect, dsn string, err error) {
	u := cfg.DatabaseURL
	lower := strings.ToLower(u)
	var path string
	switch {
	case u == "":
		if cfg.DataDir == "" {
			return "", "", errors.New("store: Config.DataDir is required when DatabaseURL is empty")
		}
		return DialectSQLite, filepath.Join(cfg.DataDir, "scoregate.db"), nil
	case strings.HasPrefix(lower, "postgres://"), strings.HasPrefix(lower, "postgresql://"):
		return DialectPostgres, u, nil
	case strings.HasPrefix(lower, "sqlite:"):
		path = u[len("sqlite:"):]
	case strings.HasPrefix(lower, "file:"):
		path = u[len("file:"):]
	default:
		scheme, _, _ := strings.Cut(u, ":")
		if len(scheme) > 16 {
			scheme = scheme[:16] + "…"
		}
		return "", "", fmt.Errorf("store: database URL scheme %q is not supported; use postgres://…, sqlite:///path or file:path", scheme)
	}
	// sqlite:///abs/x.db and file:///abs/x.db carry an empty host.
	path = strings.TrimPrefix(path, "//")
	if path == "" || strings.ContainsAny(path, "?#") {
		return "", "", fmt.Errorf("store: SQLite database URL %q must name a file and carry no parameters", u)
	}
	return DialectSQLite, filepath.Clean(path), nil
}

// describe names a database for a log line without its credentials.
func describe(dialect, dsn string) string {
	if dialect == DialectSQLite {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres"
	}
	return u.Host + u.Path
}

// now is the clock of every row: UTC, at the microsecond precision both
// databases keep, so a value read back equals the value written.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// Dialect returns DialectSQLite or DialectPostgres.
func (db *DB) Dialect() string { return db.dialect }

// Close closes the connection pool.
func (db *DB) Close() error { return db.sql.Close() }

// Ready returns nil when the database answers and every migration this
// binary knows has been applied.
func (db *DB) Ready(ctx context.Context) error {
	if err := db.sql.PingContext(ctx); err != nil {
		return fmt.Errorf("store: the %s database does not answer: %w", db.dialect, err)
	}
	n, err := db.Pending(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("store: %d of %d migrations pending; run `scoregate migrate`", n, len(db.migrations))
	}
	return nil
}
