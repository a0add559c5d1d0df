package batch

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// The database dialects the queue runs on, as store.DB.Dialect names them.
const (
	DialectSQLite   = "sqlite"
	DialectPostgres = "postgres"
)

// queueName is the River queue batch jobs run on.
const queueName = "batch"

// riverMigrationLock is the Postgres advisory lock replicas take turns on
// while they migrate River's tables ("riverq" + 2).
const riverMigrationLock int64 = 0x7269766572710002

// driverFor returns River's driver for the pool: riversqlite on SQLite,
// riverdatabasesql on Postgres. Both run their transactions as *sql.Tx, the
// type the store hands to an Enqueue, so one Client type serves both.
// (riverdatabasesql has no LISTEN/NOTIFY: the queue polls, which its
// FetchPollInterval bounds.)
func driverFor(db *sql.DB, dialect string) (riverdriver.Driver[*sql.Tx], error) {
	switch dialect {
	case DialectSQLite:
		return riversqlite.New(db), nil
	case DialectPostgres:
		return riverdatabasesql.New(db), nil
	}
	return nil, fmt.Errorf("batch: no job queue for database dialect %q", dialect)
}

// Migrate creates or updates River's tables in db. It is safe to run from
// several replicas at once on Postgres (they take turns on an advisory
// lock) and does nothing when the tables are current.
func Migrate(ctx context.Context, db *sql.DB, dialect string, logger *slog.Logger) error {
	driver, err := driverFor(db, dialect)
	if err != nil {
		return err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if dialect == DialectPostgres {
		conn, err := db.Conn(ctx)
		if err != nil {
			return fmt.Errorf("batch: migrate the job queue: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", riverMigrationLock); err != nil {
			return fmt.Errorf("batch: migrate the job queue: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", riverMigrationLock) //nolint:errcheck // the session ends with conn anyway
	}
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: logger})
	if err != nil {
		return fmt.Errorf("batch: migrate the job queue: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("batch: migrate the job queue: %w", err)
	}
	return nil
}

// scoreArgs is the queue's record of a batch job: its id, and for a job
// queued again after its executor died, the attempt it replaces (so that
// replicas noticing the same dead executor queue it once). Everything else
// is in the job's row in the store.
type scoreArgs struct {
	JobID string `json:"job_id"`
	After int    `json:"after,omitempty"`
}

// Kind names the job kind in River's tables.
func (scoreArgs) Kind() string { return "scoregate_score_file" }

// InsertOpts puts every score job on the batch queue, once per job and
// attempt replaced.
func (scoreArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       queueName,
		MaxAttempts: maxAttempts,
		UniqueOpts:  river.UniqueOpts{ByArgs: true},
	}
}

// maxAttempts bounds the executions of one job that end in a transient
// error (the database or blob store unreachable, a replica stopping); the
// last one records the job as Failed.
const maxAttempts = 5
