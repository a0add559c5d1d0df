package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/scoregate/scoregate/gateway"
	"github.com/scoregate/scoregate/scoring"
)

// Config is the effective configuration of the binary. Every field has a
// flag and a SCOREGATE_* environment variable; the flag wins.
type Config struct {
	Addr        string
	DataDir     string
	DatabaseURL string
	BlobURL     string
	BaseURL     string
	Secret      string
	LogFormat   string
	LogLevel    string
	// Migrate lets serve apply pending migrations to a database that has a
	// schema already; a database without any schema is always migrated.
	Migrate bool
	// Bootstrap creates the default workspace (and its token file) when the
	// database has none. Replicas beyond the first turn it off so that two
	// first starts cannot race.
	Bootstrap bool
	// Demo seeds the demo web service when the default workspace is created.
	Demo                   bool
	MaxModelBytes          int64
	MaxEndpointsPerService int
	ShutdownTimeout        time.Duration
	// Scoring API limits and telemetry (gateway.Config has the meaning and
	// the defaults).
	MaxRequestBytes  int64
	MaxRows          int
	ScoreTimeout     time.Duration
	LogBodyBytes     int
	LogRetention     time.Duration
	UsageRetention   time.Duration
	MetricsEndpoints int
	// ChangePoll is how often a replica reads the store's change feed.
	ChangePoll time.Duration
	// Batch jobs (package batch's RunnerConfig has the meaning).
	MaxUploadBytes int64
	BatchWorkers   int
	// MaxWorkbookRows is the most rows a workbook round trip scores at
	// once; a larger workbook becomes a batch job.
	MaxWorkbookRows int
	JobLease        time.Duration
	DropSettle      time.Duration
	ConfigDump      bool
}

// bindFlags registers the configuration flags on fs, with defaults taken from
// the environment so that a flag, when given, overrides its variable.
func (c *Config) bindFlags(fs *flag.FlagSet, env func(string) string) {
	str := func(p *string, name, envName, def, usage string) {
		if v := env(envName); v != "" {
			def = v
		}
		fs.StringVar(p, name, def, usage+" ("+envName+")")
	}
	str(&c.Addr, "addr", "SCOREGATE_ADDR", ":8080", "listen address")
	str(&c.DataDir, "data-dir", "SCOREGATE_DATA_DIR", "./data", "data directory (SQLite database, blobs, secret, workspace token)")
	str(&c.DatabaseURL, "database-url", "SCOREGATE_DATABASE_URL", "", "database URL: postgres://… or empty for SQLite in the data directory")
	str(&c.BlobURL, "blob-url", "SCOREGATE_BLOB_URL", "", "blob storage URL: s3://…, azblob://…, file:///… or empty for a folder in the data directory")
	str(&c.BaseURL, "base-url", "SCOREGATE_BASE_URL", "", "public base URL used in ApiLocation (default from the listen address)")
	str(&c.Secret, "secret", "SCOREGATE_SECRET", "", "server secret, at least 32 characters (generated into the data directory when empty with SQLite; required with Postgres)")
	str(&c.LogFormat, "log-format", "SCOREGATE_LOG_FORMAT", "text", "log format: text or json")
	str(&c.LogLevel, "log-level", "SCOREGATE_LOG_LEVEL", "info", "log level: debug, info, warn or error")
	c.Migrate = envBool(env, "SCOREGATE_MIGRATE", false)
	fs.BoolVar(&c.Migrate, "migrate", c.Migrate, "apply pending database migrations before serving (SCOREGATE_MIGRATE)")
	c.Bootstrap = envBool(env, "SCOREGATE_BOOTSTRAP", true)
	fs.BoolVar(&c.Bootstrap, "bootstrap", c.Bootstrap, "create the default workspace and its token file when there is none (SCOREGATE_BOOTSTRAP)")
	c.Demo = envBool(env, "SCOREGATE_DEMO", true)
	fs.BoolVar(&c.Demo, "demo", c.Demo, "publish the demo web service when the default workspace is first created (SCOREGATE_DEMO)")
	c.MaxModelBytes = int64(envInt(env, "SCOREGATE_MAX_MODEL_BYTES", 256<<20))
	fs.Int64Var(&c.MaxModelBytes, "max-model-bytes", c.MaxModelBytes, "largest model document accepted by publish (SCOREGATE_MAX_MODEL_BYTES)")
	c.MaxEndpointsPerService = envInt(env, "SCOREGATE_MAX_ENDPOINTS_PER_SERVICE", 10000)
	fs.IntVar(&c.MaxEndpointsPerService, "max-endpoints-per-service", c.MaxEndpointsPerService, "endpoint limit per web service (SCOREGATE_MAX_ENDPOINTS_PER_SERVICE)")
	dur := func(p *time.Duration, name, envName string, def time.Duration, usage string) {
		if d, err := time.ParseDuration(env(envName)); err == nil {
			def = d
		}
		fs.DurationVar(p, name, def, usage+" ("+envName+")")
	}
	num := func(p *int, name, envName string, def int, usage string) {
		fs.IntVar(p, name, envInt(env, envName, def), usage+" ("+envName+")")
	}
	dur(&c.ShutdownTimeout, "shutdown-timeout", "SCOREGATE_SHUTDOWN_TIMEOUT", 30*time.Second, "how long a graceful shutdown waits for in-flight requests")
	c.MaxRequestBytes = int64(envInt(env, "SCOREGATE_MAX_REQUEST_BYTES", int(gateway.DefaultMaxRequestBytes)))
	fs.Int64Var(&c.MaxRequestBytes, "max-request-bytes", c.MaxRequestBytes, "largest scoring request body; larger ones get 413 (SCOREGATE_MAX_REQUEST_BYTES)")
	num(&c.MaxRows, "max-rows", "SCOREGATE_MAX_ROWS", gateway.DefaultMaxRows, "most rows one scoring request may carry; more get 400 TooManyRows")
	dur(&c.ScoreTimeout, "score-timeout", "SCOREGATE_SCORE_TIMEOUT", gateway.DefaultScoreTimeout, "longest a scoring request may score; longer ones get 408 ScoreRequestTimeout")
	num(&c.LogBodyBytes, "log-body-bytes", "SCOREGATE_LOG_BODY_BYTES", gateway.DefaultMaxLogBodyBytes, "request and response bodies recorded for endpoints with DiagnosticsTraceLevel Error or All are cut to this size")
	dur(&c.LogRetention, "log-retention", "SCOREGATE_LOG_RETENTION", gateway.DefaultLogRetention, "how long recorded requests are kept")
	dur(&c.UsageRetention, "usage-retention", "SCOREGATE_USAGE_RETENTION", gateway.DefaultUsageRetention, "how long hourly usage is kept")
	num(&c.MetricsEndpoints, "metrics-endpoints", "SCOREGATE_METRICS_ENDPOINTS", gateway.DefaultMetricsEndpoints, "most endpoints /metrics labels by id; the rest count as endpoint=\"other\"")
	dur(&c.ChangePoll, "change-poll", "SCOREGATE_CHANGE_POLL", scoring.DefaultPollInterval, "how often this replica reads the store's change feed (keys, settings and models changed by any replica)")
	c.MaxUploadBytes = int64(envInt(env, "SCOREGATE_MAX_UPLOAD_BYTES", int(gateway.DefaultMaxUploadBytes)))
	fs.Int64Var(&c.MaxUploadBytes, "max-upload-bytes", c.MaxUploadBytes, "largest file sent to score as a batch job; larger ones get 413 (SCOREGATE_MAX_UPLOAD_BYTES)")
	num(&c.MaxWorkbookRows, "max-workbook-rows", "SCOREGATE_MAX_WORKBOOK_ROWS", gateway.DefaultMaxWorkbookRows, "most rows a workbook sent for a round trip is scored at once; a larger one becomes a batch job")
	num(&c.BatchWorkers, "batch-workers", "SCOREGATE_BATCH_WORKERS", 2, "batch jobs this replica executes at once (each scores on every core)")
	dur(&c.JobLease, "job-lease", "SCOREGATE_JOB_LEASE", 30*time.Second, "how long a replica's claim on a batch job holds without a checkpoint; another replica restarts a dead one's job after twice this")
	dur(&c.DropSettle, "drop-settle", "SCOREGATE_DROP_SETTLE", 10*time.Second, "how long a file copied into a drop folder must stay unchanged before a schedule takes it (files uploaded through the API are taken at once)")
	fs.BoolVar(&c.ConfigDump, "config-dump", false, "print the effective configuration, secrets masked, and exit")
}

func envBool(env func(string) string, name string, def bool) bool {
	if b, err := strconv.ParseBool(env(name)); err == nil {
		return b
	}
	return def
}

func envInt(env func(string) string, name string, def int) int {
	if n, err := strconv.Atoi(env(name)); err == nil {
		return n
	}
	return def
}

// validate checks the configuration values that flags cannot.
func (c *Config) validate() error {
	switch c.LogFormat {
	case "text", "json":
	default:
		return fmt.Errorf("log format %q: use text or json", c.LogFormat)
	}
	if c.MaxModelBytes <= 0 {
		return fmt.Errorf("max model bytes must be positive")
	}
	if c.MaxEndpointsPerService <= 0 {
		return fmt.Errorf("max endpoints per service must be positive")
	}
	for name, bad := range map[string]bool{
		"max request bytes": c.MaxRequestBytes <= 0, "max rows": c.MaxRows <= 0, "score timeout": c.ScoreTimeout <= 0,
		"log body bytes": c.LogBodyBytes <= 0, "log retention": c.LogRetention <= 0, "usage retention": c.UsageRetention <= 0,
		"metrics endpoints": c.MetricsEndpoints <= 0, "change poll": c.ChangePoll <= 0,
		"max upload bytes": c.MaxUploadBytes <= 0, "max workbook rows": c.MaxWorkbookRows <= 0, "batch workers": c.BatchWorkers <= 0, "job lease": c.JobLease <= 0, "drop settle": c.DropSettle <= 0,
	} {
		if bad {
			return fmt.Errorf("%s must be positive", name)
		}
	}
	if c.Secret != "" && len(c.Secret) < 32 {
		return fmt.Errorf("the server secret must be at least 32 characters long")
	}
	if c.usesPostgres() && c.Secret == "" {
		return fmt.Errorf("a server secret (--secret or SCOREGATE_SECRET) is required with a Postgres database")
	}
	return nil
}

func (c *Config) usesPostgres() bool {
	return strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://")
}

// baseURL returns the public base URL: the configured one, or one made from
// the address the server actually listens on.
func (c *Config) baseURL(listenAddr string) string {
	if c.BaseURL != "" {
		return strings.TrimRight(c.BaseURL, "/")
	}
	host, port, err := net.SplitHostPort(listenAddr)
	if err != nil {
		return "http://localhost"
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// dump writes the effective configuration as JSON with secrets masked.
func (c *Config) dump(w io.Writer) error {
	masked := *c
	masked.Secret = maskSecret(c.Secret)
	masked.DatabaseURL = maskURL(c.DatabaseURL)
	masked.BlobURL = maskURL(c.BlobURL)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Config
		ConfigDump bool `json:"-"`
	}{Config: masked})
}

func maskSecret(s string) string {
	if s == "" {
		return ""
	}
	return "***"
}

// maskURL hides a password in a URL, and query parameters that may carry
// credentials (S3 and Azure URLs can hold keys there).
func maskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || raw == "" {
		return maskSecret(raw)
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "***")
	}
	q := u.Query()
	for k := range q {
		lk := strings.ToLower(k)
		if strings.Contains(lk, "key") || strings.Contains(lk, "secret") || strings.Contains(lk, "token") ||
			strings.Contains(lk, "password") || strings.Contains(lk, "sig") {
			q.Set(k, "***")
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}
