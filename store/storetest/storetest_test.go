package storetest

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { Main(m) }

func TestNewSQLite(t *testing.T) {
	t.Parallel()
	db := NewSQLite(t, WithMaxEndpoints(3))
	if n, err := db.Pending(t.Context()); err != nil || n != 0 {
		t.Fatalf("Pending = %d, %v; want a migrated database", n, err)
	}
	if db.Dialect() != "sqlite" {
		t.Fatalf("Dialect = %q", db.Dialect())
	}
}

// TestPostgresURL checks that each call gets a database of its own and that
// it is dropped when its test ends.
func TestPostgresURL(t *testing.T) {
	t.Parallel()
	var first, second string
	t.Run("owner", func(t *testing.T) {
		first, second = PostgresURL(t), PostgresURL(t)
		if first == second {
			t.Fatal("two calls returned one database")
		}
		db := NewPostgres(t)
		if err := db.Ready(t.Context()); err != nil {
			t.Fatal(err)
		}
	})
	if first == "" {
		return // skipped: no Postgres
	}
	server, err := serverURL()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, u := range []string{first, second} {
		parsed, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(parsed.Path, "/")
		if !strings.HasPrefix(name, "scoregate_t_") {
			t.Fatalf("database %q lacks the scoregate_t_ prefix", name)
		}
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("database %s outlived its test", name)
		}
	}
}
