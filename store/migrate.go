package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"gorm.io/gorm"
)

// Each dialect has its own plain SQL files, numbered from 0001 without gaps;
// both folders hold the same versions. A file is applied once, in its own
// transaction, and recorded in schema_migrations. Applied files are never
// edited: a change of schema is a new file.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// migrationLock is the Postgres advisory lock that serialises replicas
// migrating at the same time ("scoregat" in ASCII).
const migrationLock int64 = 0x73636f7265676174

// migration is one numbered SQL file.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the embedded migrations of a dialect in order.
func loadMigrations(dialect string) ([]migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("store: read migrations: %w", err)
	}
	var migs []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || len(num) != 4 || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("store: migration %s/%s is not named NNNN_what.sql", dir, e.Name())
		}
		text, err := fs.ReadFile(migrationFiles, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("store: read migration %s: %w", e.Name(), err)
		}
		migs = append(migs, migration{version: v, name: e.Name(), sql: string(text)})
	}
	sort.Slice(migs, func(i, j int) bool { return migs[i].version < migs[j].version })
	for i, m := range migs {
		if m.version != i+1 {
			return nil, fmt.Errorf("store: migration %s/%s is out of sequence; expected version %d", dir, m.name, i+1)
		}
	}
	return migs, nil
}

// Migrate applies every pending migration.
func (db *DB) Migrate(ctx context.Context) error {
	return db.MigrateTo(ctx, len(db.migrations))
}

// MigrateTo applies the pending migrations up to and including version. It
// never rolls back: migrations past version that are applied stay applied.
// Tests use it to build a database as an older release left it.
func (db *DB) MigrateTo(ctx context.Context, version int) error {
	if version < 0 || version > len(db.migrations) {
		return fmt.Errorf("store: no migration %d; this build knows 1 to %d", version, len(db.migrations))
	}
	if err := db.createMigrationsTable(ctx); err != nil {
		return err
	}
	applied, err := db.applied(ctx)
	if err != nil {
		return err
	}
	for _, m := range db.migrations[:version] {
		if applied[m.version] {
			continue
		}
		if err := db.apply(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// Pending returns how many known migrations the database lacks.
func (db *DB) Pending(ctx context.Context) (int, error) {
	exists, err := db.hasMigrationsTable(ctx)
	if err != nil || !exists {
		return len(db.migrations), err
	}
	applied, err := db.applied(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range db.migrations {
		if !applied[m.version] {
			n++
		}
	}
	return n, nil
}

// SchemaVersion returns the highest migration version applied to the
// database, 0 for one never migrated. It may exceed what this build knows
// when a newer release migrated the database.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	exists, err := db.hasMigrationsTable(ctx)
	if err != nil || !exists {
		return 0, err
	}
	applied, err := db.applied(ctx)
	if err != nil {
		return 0, err
	}
	v := 0
	for a := range applied {
		v = max(v, a)
	}
	return v, nil
}

// apply runs one migration and records it, in one transaction. It checks
// again under the lock, so replicas migrating together apply it once.
func (db *DB) apply(ctx context.Context, m migration) error {
	done := false
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := db.lockMigrations(tx); err != nil {
			return err
		}
		var n int64
		if err := tx.Raw("SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.version).Scan(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			done = true
			return nil
		}
		if err := tx.Exec(m.sql).Error; err != nil {
			return err
		}
		return tx.Exec("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", m.version, now()).Error
	})
	if err != nil {
		return fmt.Errorf("store: apply migration %s/%s: %w", db.dialect, m.name, err)
	}
	if !done {
		db.log.InfoContext(ctx, "store: migration applied", "version", m.version, "migration", m.name)
	}
	return nil
}

func (db *DB) createMigrationsTable(ctx context.Context) error {
	ts := "DATETIME"
	if db.dialect == DialectPostgres {
		ts = "TIMESTAMPTZ"
	}
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := db.lockMigrations(tx); err != nil {
			return err
		}
		return tx.Exec("CREATE TABLE IF NOT EXISTS schema_migrations (" +
			"version INTEGER PRIMARY KEY, applied_at " + ts + " NOT NULL)").Error
	})
	if err != nil {
		return fmt.Errorf("store: create schema_migrations: %w", err)
	}
	return nil
}

// lockMigrations holds the Postgres advisory lock until tx ends. SQLite
// needs none: its transactions begin immediate and so run one at a time.
func (db *DB) lockMigrations(tx *gorm.DB) error {
	if db.dialect != DialectPostgres {
		return nil
	}
	return tx.Exec("SELECT pg_advisory_xact_lock(?)", migrationLock).Error
}

func (db *DB) hasMigrationsTable(ctx context.Context) (bool, error) {
	q := "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
	if db.dialect == DialectPostgres {
		q = "SELECT COUNT(*) FROM information_schema.tables " +
			"WHERE table_schema = current_schema() AND table_name = 'schema_migrations'"
	}
	var n int64
	if err := db.gorm.WithContext(ctx).Raw(q).Scan(&n).Error; err != nil {
		return false, fmt.Errorf("store: look for schema_migrations: %w", err)
	}
	return n > 0, nil
}

func (db *DB) applied(ctx context.Context) (map[int]bool, error) {
	var versions []int
	if err := db.gorm.WithContext(ctx).Raw("SELECT version FROM schema_migrations").Scan(&versions).Error; err != nil {
		return nil, fmt.Errorf("store: read schema_migrations: %w", err)
	}
	applied := make(map[int]bool, len(versions))
	for _, v := range versions {
		applied[v] = true
	}
	return applied, nil
}
