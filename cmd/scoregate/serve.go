package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/scoregate/scoregate/batch"
	"github.com/scoregate/scoregate/gateway"
	"github.com/scoregate/scoregate/scoring"
	"github.com/scoregate/scoregate/scoring/pmml"
	"github.com/scoregate/scoregate/store"
)

// Main is the gateway process: configuration, store, blobs and HTTP server.
// The end-to-end test boots it whole on a temporary data directory.
type Main struct {
	Config Config

	env    func(string) string
	stdout io.Writer
	stderr io.Writer
	logger *slog.Logger

	db      *store.DB
	blobs   *store.Bucket
	live    *scoring.Registry
	jobs    *batch.Runner
	server  *gateway.Server
	ln      net.Listener
	baseURL string
	// serveDone is closed when Serve returns, with its error in serveErr.
	serveDone chan struct{}
	serveErr  error
}

// NewMain returns a Main reading the environment through env and writing its
// banner to stdout and its logs to stderr.
func NewMain(env func(string) string, stdout, stderr io.Writer) *Main {
	return &Main{env: env, stdout: stdout, stderr: stderr}
}

// ParseFlags reads the serve flags (and their environment fallbacks).
func (m *Main) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("scoregate serve", flag.ContinueOnError)
	fs.SetOutput(m.stderr)
	m.Config.bindFlags(fs, m.env)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return m.Config.validate()
}

// Run opens the store (migrating a new database), seeds the default
// workspace on first start and starts serving in the background.
func (m *Main) Run(ctx context.Context) error {
	m.logger = newLogger(m.Config, m.stderr)
	if err := m.open(ctx); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.Addr, err)
	}
	m.ln = ln
	m.baseURL = m.Config.baseURL(ln.Addr().String())
	// Publishing compiles the document, so a model the engine cannot score
	// is refused at upload, naming the element.
	models := scoring.Checker{Limits: pmml.Limits{MaxBytes: m.Config.MaxModelBytes}}
	var boot *firstStart
	if m.Config.Bootstrap {
		if boot, err = bootstrap(ctx, m.Config, m.db, m.blobs, models, m.logger); err != nil {
			return err
		}
	}
	m.live = scoring.New(scoring.Config{Store: m.db, Blobs: m.blobs, Changes: m.db,
		PollInterval: m.Config.ChangePoll, Logger: m.logger})
	if err := m.live.Start(ctx); err != nil {
		return err
	}
	m.jobs, err = batch.NewRunner(batch.RunnerConfig{
		DB: m.db.SQL(), Dialect: m.db.Dialect(), Store: m.db, Blobs: m.blobs, Models: m.live,
		Workers: m.Config.BatchWorkers, Lease: m.Config.JobLease,
		TempDir: filepath.Join(m.Config.DataDir, "tmp"), Logger: m.logger,
		Schedules: m.db, Settle: m.Config.DropSettle,
	})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(m.Config.DataDir, "tmp"), 0o700); err != nil {
		return fmt.Errorf("create temporary folder: %w", err)
	}
	m.server = gateway.New(gateway.Config{
		BaseURL:          m.baseURL,
		MaxModelBytes:    m.Config.MaxModelBytes,
		MaxRequestBytes:  m.Config.MaxRequestBytes,
		MaxRows:          m.Config.MaxRows,
		MaxUploadBytes:   m.Config.MaxUploadBytes,
		MaxWorkbookRows:  m.Config.MaxWorkbookRows,
		ScoreTimeout:     m.Config.ScoreTimeout,
		MaxLogBodyBytes:  m.Config.LogBodyBytes,
		LogRetention:     m.Config.LogRetention,
		UsageRetention:   m.Config.UsageRetention,
		MetricsEndpoints: m.Config.MetricsEndpoints,
		Version:          version,
		Logger:           m.logger,
	}, gateway.Deps{Store: m.db, Blobs: m.blobs, Models: models, Endpoints: m.live, Logs: m.db, Usage: m.db, Jobs: m.jobs,
		Schedules: &batch.ScheduleService{Store: m.db, Runner: m.jobs}})
	m.jobs.Observe(m.server.ObserveBatch)
	m.jobs.ObserveDrops(m.server.ObserveDrop)
	if err := m.jobs.Start(ctx); err != nil {
		return err
	}
	srv, done := m.server, make(chan struct{})
	m.serveDone = done
	go func() {
		m.serveErr = srv.Serve(ln)
		close(done)
	}()
	m.logger.Info("serving", "addr", ln.Addr().String(), "base_url", m.baseURL, "version", buildVersion())
	fmt.Fprintf(m.stdout, "scoregate %s is serving on %s\n", buildVersion(), m.baseURL)
	if boot != nil {
		boot.print(m.stdout, m.baseURL)
	}
	return nil
}

// Wait blocks until ctx is done or the server stops by itself.
func (m *Main) Wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case <-m.serveDone:
		return fmt.Errorf("server stopped: %w", m.serveErr)
	}
}

// open connects the store and the blobs, migrating when allowed.
func (m *Main) open(ctx context.Context) error {
	if err := os.MkdirAll(m.Config.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	db, err := openStore(ctx, m.Config, m.logger)
	if err != nil {
		return err
	}
	m.db = db
	if err := migrateIfAllowed(ctx, db, m.Config.Migrate, m.logger); err != nil {
		return err
	}
	// River's tables follow its own migrations, which are additive: they
	// are applied at every start (replicas take turns).
	if err := batch.Migrate(ctx, db.SQL(), db.Dialect(), m.logger); err != nil {
		return err
	}
	blobs, err := store.OpenBlobs(ctx, m.Config.BlobURL, m.Config.DataDir)
	if err != nil {
		return fmt.Errorf("open blob storage: %w", err)
	}
	m.blobs = blobs
	return nil
}

// BaseURL returns the public base URL, once Run has returned.
func (m *Main) BaseURL() string { return m.baseURL }

// Close shuts the server down gracefully (in-flight requests finish within
// the shutdown timeout), then closes the blobs and the store, in that order.
func (m *Main) Close() error {
	var errs []error
	if m.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), m.Config.ShutdownTimeout)
		defer cancel()
		errs = append(errs, m.server.Shutdown(ctx))
		m.server = nil
	}
	if m.ln != nil {
		// Shutdown closes the listener it serves; closing it here as well
		// ends a Serve that had not started when Shutdown ran.
		if err := m.ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
		m.ln = nil
	}
	if m.serveDone != nil {
		<-m.serveDone
		m.serveDone = nil
	}
	if m.jobs != nil {
		// Jobs executing here go back on the queue for another replica
		// (or this one, restarted) to run again from their first row.
		ctx, cancel := context.WithTimeout(context.Background(), m.Config.ShutdownTimeout)
		defer cancel()
		errs = append(errs, m.jobs.Stop(ctx))
		m.jobs = nil
	}
	if m.live != nil {
		errs = append(errs, m.live.Close())
		m.live = nil
	}
	if m.blobs != nil {
		errs = append(errs, m.blobs.Close())
		m.blobs = nil
	}
	if m.db != nil {
		errs = append(errs, m.db.Close())
		m.db = nil
	}
	if m.logger != nil {
		m.logger.Info("stopped")
	}
	return errors.Join(errs...)
}

// openStore opens the configured database with the server secret.
func openStore(ctx context.Context, cfg Config, logger *slog.Logger) (*store.DB, error) {
	secret, err := serverSecret(cfg)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, store.Config{
		DatabaseURL:            cfg.DatabaseURL,
		DataDir:                cfg.DataDir,
		Secret:                 secret,
		MaxEndpointsPerService: cfg.MaxEndpointsPerService,
		Logger:                 logger,
	})
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return db, nil
}

// serverSecret returns the configured secret or, with the embedded SQLite
// database, the one kept in {data dir}/server-secret, generated (mode 0600)
// on first use. Postgres deployments share one database across replicas, so
// there the secret must be configured explicitly.
func serverSecret(cfg Config) ([]byte, error) {
	if cfg.Secret != "" {
		return []byte(cfg.Secret), nil
	}
	if cfg.usesPostgres() {
		return nil, errors.New("a server secret is required with Postgres")
	}
	path := filepath.Join(cfg.DataDir, "server-secret")
	b, err := os.ReadFile(path)
	if err == nil {
		s := strings.TrimSpace(string(b))
		if len(s) < 32 {
			return nil, fmt.Errorf("%s holds fewer than 32 characters", path)
		}
		return []byte(s), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read server secret: %w", err)
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, err
	}
	s := base64.RawURLEncoding.EncodeToString(raw[:])
	if err := writePrivateFile(path, s+"\n"); err != nil {
		return nil, fmt.Errorf("write server secret: %w", err)
	}
	return []byte(s), nil
}

// writePrivateFile writes content to path with mode 0600, atomically.
func writePrivateFile(path, content string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.WriteString(content); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// newLogger returns the process logger in the configured format.
func newLogger(cfg Config, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
