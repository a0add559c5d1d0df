// Package storetest builds store databases for tests: a migrated SQLite file
// in t.TempDir(), a migrated database of its own on a real Postgres, and Each,
// which runs one test against both. Other packages' tests (the gateway's,
// cmd's) use it to get a real scoregate.Store.
//
// Postgres comes from SCOREGATE_TEST_DATABASE_URL, the URL of a server on
// which the tests may create and drop databases, such as
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable. Without it,
// storetest starts a throw-away cluster with the machine's initdb and pg_ctl,
// once per test binary, and the package's TestMain must call Main to stop it:
//
//	func TestMain(m *testing.M) { storetest.Main(m) }
//
// With neither, Postgres tests skip with a message starting "POSTGRES
// SKIPPED"; with SCOREGATE_REQUIRE_POSTGRES=1 (as in CI) they fail instead.
package storetest

import (
	"io"
	"log/slog"
	"testing"

	"github.com/scoregate/scoregate/store"
)

// Option adjusts the databases this package builds.
type Option func(*options)

type options struct {
	maxEndpoints int
	logger       *slog.Logger
}

// WithMaxEndpoints sets store.Config.MaxEndpointsPerService, so limit tests
// need not create 10,000 endpoints.
func WithMaxEndpoints(n int) Option { return func(o *options) { o.maxEndpoints = n } }

// WithLogger sends the store's log to l (discarded by default).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// secret is the server secret of every test database.
var secret = []byte("storetest: a server secret of at least 32 bytes")

// Secret returns the server secret the databases of this package use, for
// tests that open one again with store.Open.
func Secret() []byte { return append([]byte(nil), secret...) }

// Open opens the database at databaseURL without migrating it ("" is a new
// SQLite file in t.TempDir()), and closes it when the test ends.
func Open(t testing.TB, databaseURL string, opts ...Option) *store.DB {
	t.Helper()
	o := options{logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, opt := range opts {
		opt(&o)
	}
	db, err := store.Open(t.Context(), store.Config{
		DatabaseURL:            databaseURL,
		DataDir:                t.TempDir(),
		Secret:                 secret,
		MaxEndpointsPerService: o.maxEndpoints,
		Logger:                 o.logger,
	})
	if err != nil {
		t.Fatalf("storetest: open %s database: %v", dialectOf(databaseURL), err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("storetest: close database: %v", err)
		}
	})
	return db
}

// NewSQLite returns a migrated SQLite database in t.TempDir().
func NewSQLite(t testing.TB, opts ...Option) *store.DB {
	t.Helper()
	return migrated(t, Open(t, "", opts...))
}

// NewPostgres returns a migrated database of its own on the test Postgres,
// dropped when the test ends. It skips or fails the test when there is no
// Postgres (see the package comment).
func NewPostgres(t testing.TB, opts ...Option) *store.DB {
	t.Helper()
	return migrated(t, Open(t, PostgresURL(t), opts...))
}

// Each runs fn as the parallel subtests "sqlite" and "postgres", each with a
// fresh migrated database built with opts.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB), opts ...Option) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, NewSQLite(t, opts...))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, NewPostgres(t, opts...))
	})
}

func migrated(t testing.TB, db *store.DB) *store.DB {
	t.Helper()
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("storetest: migrate %s database: %v", db.Dialect(), err)
	}
	return db
}

func dialectOf(databaseURL string) string {
	if databaseURL == "" {
		return "sqlite"
	}
	return "postgres"
}
