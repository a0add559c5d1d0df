package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Environment variables that choose the test Postgres.
const (
	EnvDatabaseURL     = "SCOREGATE_TEST_DATABASE_URL"
	EnvRequirePostgres = "SCOREGATE_REQUIRE_POSTGRES"
)

var (
	mainCalled atomic.Bool
	cluster    struct {
		once sync.Once
		url  string
		err  error
		stop func()
	}
	skipNotice sync.Once
)

// Main runs the tests of a package, then stops the throw-away Postgres
// cluster if one was started. Call it from TestMain.
func Main(m *testing.M) {
	mainCalled.Store(true)
	code := m.Run()
	if cluster.stop != nil {
		cluster.stop()
	}
	os.Exit(code)
}

// PostgresURL returns the URL of a new, empty database on the test Postgres,
// dropped (WITH (FORCE)) when the test ends.
func PostgresURL(t testing.TB) string {
	t.Helper()
	server, err := serverURL()
	if err != nil {
		unavailable(t, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		unavailable(t, fmt.Errorf("connect to the test Postgres server: %w", err))
	}
	defer conn.Close(ctx)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "scoregate_t_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("storetest: create database %s: %v", name, err)
	}
	t.Cleanup(func() { dropDatabase(t, server, name) })
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("storetest: %s is not a URL: %v", EnvDatabaseURL, err)
	}
	u.Path = "/" + name
	return u.String()
}

func dropDatabase(t testing.TB, server, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Errorf("storetest: drop database %s: %v", name, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		t.Errorf("storetest: drop database %s: %v", name, err)
	}
}

// serverURL returns the URL of the test Postgres server, starting the
// throw-away cluster on first use when no URL is configured.
func serverURL() (string, error) {
	if u := os.Getenv(EnvDatabaseURL); u != "" {
		return u, nil
	}
	if !mainCalled.Load() {
		return "", errors.New("no " + EnvDatabaseURL + ", and a throw-away cluster needs " +
			"func TestMain(m *testing.M) { storetest.Main(m) } in this package to be stopped")
	}
	cluster.once.Do(func() {
		cluster.url, cluster.stop, cluster.err = startCluster()
	})
	return cluster.url, cluster.err
}

// unavailable skips the test loudly, or fails it when Postgres is required.
func unavailable(t testing.TB, err error) {
	t.Helper()
	if os.Getenv(EnvRequirePostgres) == "1" {
		t.Fatalf("POSTGRES REQUIRED (%s=1) but unavailable: %v", EnvRequirePostgres, err)
	}
	skipNotice.Do(func() {
		fmt.Fprintf(os.Stderr, "\n*** POSTGRES SKIPPED: %v\n*** set %s or install PostgreSQL (initdb, pg_ctl)\n\n",
			err, EnvDatabaseURL)
	})
	t.Skipf("POSTGRES SKIPPED: %v", err)
}

// startCluster runs initdb and pg_ctl in a temporary folder: trust auth for
// user postgres, 127.0.0.1 on a free port, the socket in the folder, and no
// fsync (the data dies with the test binary anyway).
func startCluster() (string, func(), error) {
	bin, err := postgresBin()
	if err != nil {
		return "", nil, err
	}
	dir, err := os.MkdirTemp("", "scoregate-pg-")
	if err != nil {
		return "", nil, err
	}
	var as []string
	if os.Geteuid() == 0 { // postgres refuses to run as root
		if err := chownToPostgres(dir); err != nil {
			os.RemoveAll(dir)
			return "", nil, err
		}
		as = []string{"runuser", "-u", "postgres", "--"}
	}
	data := filepath.Join(dir, "data")
	if err := run(dir, as, filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres",
		"-A", "trust", "-E", "UTF8", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off "+
		"-c synchronous_commit=off -c full_page_writes=off -c max_connections=200", port, dir)
	pgctl := filepath.Join(bin, "pg_ctl")
	if err := run(dir, as, pgctl, "-D", data, "-l", filepath.Join(dir, "postgres.log"),
		"-w", "-t", "60", "-o", opts, "start"); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	stop := func() {
		_ = run(dir, as, pgctl, "-D", data, "-m", "immediate", "-w", "stop")
		os.RemoveAll(dir)
	}
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port), stop, nil
}

// postgresBin finds the folder of initdb and pg_ctl: the newest
// /usr/lib/postgresql/N/bin (Debian keeps them off PATH), else PATH.
func postgresBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return major(dirs[i]) > major(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
			return d, nil
		}
	}
	p, err := exec.LookPath("initdb")
	if err != nil {
		return "", errors.New("initdb not found in /usr/lib/postgresql/*/bin or on PATH")
	}
	return filepath.Dir(p), nil
}

func major(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func chownToPostgres(dir string) error {
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("running as root and there is no postgres user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return os.Chown(dir, uid, gid)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func run(dir string, as []string, name string, args ...string) error {
	argv := append(append(append([]string(nil), as...), name), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w\n%s", filepath.Base(name), strings.Join(args, " "), err, out.String())
	}
	return nil
}
