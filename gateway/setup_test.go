package gateway_test

import (
	"context"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/batch"
	"github.com/scoregate/scoregate/gateway"
	"github.com/scoregate/scoregate/scoring"
	"github.com/scoregate/scoregate/store"
	"github.com/scoregate/scoregate/store/storetest"
)

const baseURL = "http://gw.test"

// env is one gateway over a fresh store, a workspace with its token, and a
// second workspace whose token must not reach the first.
type env struct {
	srv   *gateway.Server
	store scoregate.Store
	blobs scoregate.Blobs
	logs  *storetest.LogBuffer
	live  *scoring.Registry

	mu      sync.Mutex
	vars    map[string]string // expanded as {name} in paths, bodies and expectations
	secrets map[string]bool   // credentials that must never show in an error or a log
}

// settings are what options adjust before an env's server is built.
type settings struct {
	cfg       gateway.Config
	storeOpts []storetest.Option
	// wrapStore lets a test put a faulty store in front of the real one.
	wrapStore func(scoregate.Store) scoregate.Store
	// loader compiles models for scoring (PMML by default).
	loader scoring.Loader
}

type option func(*settings)

func withConfig(f func(*gateway.Config)) option {
	return func(s *settings) { f(&s.cfg) }
}

func withStoreOptions(opts ...storetest.Option) option {
	return func(s *settings) { s.storeOpts = append(s.storeOpts, opts...) }
}

func withLoader(l scoring.Loader) option {
	return func(s *settings) { s.loader = l }
}

func withStoreWrapper(wrap func(scoregate.Store) scoregate.Store) option {
	return func(s *settings) { s.wrapStore = wrap }
}

// database opens a fresh store of one kind; see eachDB.
type database func(t testing.TB, opts ...storetest.Option) scoregate.Store

func sqlite(t testing.TB, opts ...storetest.Option) scoregate.Store {
	return storetest.NewSQLite(t, opts...)
}

func postgres(t testing.TB, opts ...storetest.Option) scoregate.Store {
	return storetest.NewPostgres(t, opts...)
}

// eachDB runs a scenario table on SQLite and on Postgres (skipped by
// storetest when no Postgres is at hand).
func eachDB(t *testing.T, fn func(t *testing.T, db database)) {
	t.Helper()
	for name, db := range map[string]database{"sqlite": sqlite, "postgres": postgres} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, db)
		})
	}
}

// setup builds an env: the real store, blobs in a temporary folder, the
// real PMML inspector, a logger writing JSON into a buffer. Its cleanup
// asserts that no credential the test saw reached a log line.
func setup(t testing.TB, db database, opts ...option) *env {
	t.Helper()
	ctx := context.Background()
	set := settings{cfg: gateway.Config{BaseURL: baseURL, Version: "test"}}
	for _, o := range opts {
		o(&set)
	}
	st := db(t, set.storeOpts...)
	blobs, err := store.OpenBlobs(ctx, "", t.TempDir())
	if err != nil {
		t.Fatalf("open blobs: %v", err)
	}
	deps := gateway.Deps{Store: st, Blobs: blobs, Models: scoring.Checker{}}
	if set.wrapStore != nil {
		deps.Store = set.wrapStore(st)
	}
	// The real store implements the change feed, request logs and usage.
	live := scoring.New(scoring.Config{Store: deps.Store, Blobs: blobs, Changes: st.(scoregate.ChangeFeed),
		Load: set.loader, PollInterval: 20 * time.Millisecond})
	if err := live.Start(ctx); err != nil {
		t.Fatalf("start the registry: %v", err)
	}
	t.Cleanup(func() { _ = live.Close() })
	deps.Endpoints = live
	deps.Logs, _ = st.(scoregate.RequestLogStore)
	deps.Usage, _ = st.(scoregate.UsageStore)
	if ss, ok := st.(batch.ScheduleStores); ok {
		deps.Schedules = &batch.ScheduleService{Store: ss}
	}
	cfg := set.cfg
	logs := &storetest.LogBuffer{}
	cfg.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := &env{
		srv:     gateway.New(cfg, deps),
		store:   st,
		blobs:   blobs,
		logs:    logs,
		live:    live,
		vars:    map[string]string{},
		secrets: map[string]bool{},
	}
	for _, name := range []string{"ws", "other"} {
		w, err := st.CreateWorkspace(ctx, name)
		if err != nil {
			t.Fatalf("create workspace: %v", err)
		}
		e.vars[name] = w.ID
		for kt, suffix := range map[scoregate.KeyType]string{scoregate.KeyPrimary: "token", scoregate.KeySecondary: "token2"} {
			tok, err := st.WorkspaceToken(ctx, w.ID, kt)
			if err != nil {
				t.Fatalf("workspace token: %v", err)
			}
			e.setSecret(name+"."+suffix, tok)
		}
	}
	e.vars["token"] = e.vars["ws.token"]
	t.Cleanup(func() { _ = e.srv.Shutdown(context.Background()) })
	t.Cleanup(func() { e.assertNoSecretsIn(t, "the log", e.logs.String()) })
	return e
}

// setSecret records a credential under a variable name; the value it
// replaces stays reachable as name.prev.
func (e *env) setSecret(name, value string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if old, ok := e.vars[name]; ok && old != value {
		e.vars[name+".prev"] = old
	}
	e.vars[name] = value
	e.secrets[value] = true
}

// expand replaces {name} with the variable's value.
func (e *env) expand(s string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	keys := make([]string, 0, len(e.vars))
	for k := range e.vars {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	var pairs []string
	for _, k := range keys {
		pairs = append(pairs, "{"+k+"}", e.vars[k])
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

func (e *env) assertNoSecretsIn(t testing.TB, where, text string) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	for s := range e.secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s contains a credential", where)
		}
	}
}

// TestMain stops the throw-away Postgres storetest may have started.
func TestMain(m *testing.M) { storetest.Main(m) }
