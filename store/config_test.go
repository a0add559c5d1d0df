package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigSource(t *testing.T) {
	t.Parallel()
	cases := []struct {
		url, dataDir    string
		dialect, dsn    string
		err, mustNotSay string
	}{
		{url: "", dataDir: "/srv/data", dialect: "sqlite", dsn: "/srv/data/scoregate.db"},
		{url: "", err: "DataDir"},
		{url: "postgres://u:pw@db/x", dialect: "postgres", dsn: "postgres://u:pw@db/x"},
		{url: "postgresql://db/x?sslmode=require", dialect: "postgres", dsn: "postgresql://db/x?sslmode=require"},
		{url: "POSTGRES://db/x", dialect: "postgres", dsn: "POSTGRES://db/x"},
		{url: "sqlite:///var/lib/sg.db", dialect: "sqlite", dsn: "/var/lib/sg.db"},
		{url: "sqlite://rel/sg.db", dialect: "sqlite", dsn: "rel/sg.db"},
		{url: "file:/var/lib/sg.db", dialect: "sqlite", dsn: "/var/lib/sg.db"},
		{url: "file:///var/lib/sg.db", dialect: "sqlite", dsn: "/var/lib/sg.db"},
		{url: "file:sg.db", dialect: "sqlite", dsn: "sg.db"},
		{url: "sqlite:///var/lib/sg.db?mode=ro", err: "no parameters"},
		{url: "sqlite://", err: "must name a file"},
		{url: "mysql://root:hunter2@db/x", err: "not supported", mustNotSay: "hunter2"},
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			dialect, dsn, err := Config{DatabaseURL: c.url, DataDir: c.dataDir}.source()
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error = %v, want one saying %q", err, c.err)
				}
				if c.mustNotSay != "" && strings.Contains(err.Error(), c.mustNotSay) {
					t.Fatalf("error %q repeats %q", err, c.mustNotSay)
				}
				return
			}
			if err != nil || dialect != c.dialect || dsn != c.dsn {
				t.Fatalf("source = %q, %q, %v; want %q, %q", dialect, dsn, err, c.dialect, c.dsn)
			}
		})
	}
}

func TestOpenSQLite(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	if _, err := Open(ctx, Config{DataDir: t.TempDir(), Secret: []byte("short")}); err == nil ||
		!strings.Contains(err.Error(), "at least 32") {
		t.Fatalf("Open with a short secret: %v, want a clear refusal", err)
	}
	path := filepath.Join(t.TempDir(), "nested", "sg.db")
	db, err := Open(ctx, Config{DatabaseURL: "file:" + path, Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if db.Dialect() != DialectSQLite || db.maxEndpoints != 10000 {
		t.Fatalf("dialect %q, endpoint limit %d", db.Dialect(), db.maxEndpoints)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database file is not where the URL says: %v", err)
	}
	for pragma, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "10000"} {
		var got string
		if err := db.gorm.Raw("PRAGMA " + pragma).Scan(&got).Error; err != nil || got != want {
			t.Errorf("PRAGMA %s = %q (%v), want %q", pragma, got, err, want)
		}
	}
}

func TestMigrationFiles(t *testing.T) {
	t.Parallel()
	lite, err := loadMigrations(DialectSQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := loadMigrations(DialectPostgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) < 2 || len(lite) != len(pg) {
		t.Fatalf("%d SQLite and %d Postgres migrations; want the same number, at least 2", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].name != pg[i].name {
			t.Errorf("migration %d is %s for SQLite but %s for Postgres", i+1, lite[i].name, pg[i].name)
		}
		if strings.Contains(strings.ToLower(lite[i].sql), "river_") {
			t.Errorf("%s touches river_* tables, which belong to the job queue", lite[i].name)
		}
	}
}
