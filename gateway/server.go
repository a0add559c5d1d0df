package gateway

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/scoregate/scoregate"
)

// Default body limits, used when the Config leaves a limit at zero.
const (
	DefaultMaxModelBytes int64 = 256 << 20
	DefaultMaxJSONBytes  int64 = 1 << 20
	DefaultMaxBlobBytes  int64 = 256 << 20
	// DefaultMaxUploadBytes bounds a file sent to score as a batch job.
	DefaultMaxUploadBytes int64 = 2 << 30
	// DefaultMaxWorkbookBytes bounds a workbook sent for a round trip
	// (scored in memory).
	DefaultMaxWorkbookBytes int64 = 64 << 20
	// DefaultMaxWorkbookRows is the most rows a round trip scores at once;
	// a larger workbook becomes a batch job.
	DefaultMaxWorkbookRows = 100_000
)

// Defaults of the scoring API and its telemetry, used when the Config
// leaves a value at zero.
const (
	DefaultMaxRequestBytes  int64 = 4 << 20
	DefaultMaxRows                = 10_000
	DefaultScoreTimeout           = 30 * time.Second
	DefaultMaxLogBodyBytes        = 64 << 10
	DefaultLogRetention           = 30 * 24 * time.Hour
	DefaultUsageRetention         = 400 * 24 * time.Hour
	DefaultMetricsEndpoints       = 1000
)

// Connection and handler timeouts. Reads are generous because a model or a
// blob of the default size limit takes minutes over a slow uplink; the
// handler deadline bounds the domain calls a request makes.
const (
	readTimeout    = 5 * time.Minute
	writeTimeout   = 2 * time.Minute
	idleTimeout    = 2 * time.Minute
	handlerTimeout = 2 * time.Minute
)

// Config configures a Server. Zero values take the documented defaults.
type Config struct {
	// BaseURL is the public base URL without a trailing slash, e.g.
	// "http://localhost:8080". It prefixes ApiLocation, HelpLocation and
	// BaseLocation in responses.
	BaseURL string
	// MaxModelBytes limits the body of PUT …/webservices/{svc}
	// (default DefaultMaxModelBytes).
	MaxModelBytes int64
	// MaxJSONBytes limits management JSON bodies (default DefaultMaxJSONBytes).
	MaxJSONBytes int64
	// MaxBlobBytes limits blob uploads (default DefaultMaxBlobBytes).
	MaxBlobBytes int64
	// MaxUploadBytes limits a file sent as a batch job (default
	// DefaultMaxUploadBytes). It is streamed to the blob store, never held
	// in memory.
	MaxUploadBytes int64
	// MaxWorkbookBytes limits a workbook sent for a round trip (default
	// DefaultMaxWorkbookBytes); MaxWorkbookRows is the most rows it may
	// have before it becomes a batch job (default DefaultMaxWorkbookRows).
	MaxWorkbookBytes int64
	MaxWorkbookRows  int
	// MaxRequestBytes limits the body of a scoring request (default
	// DefaultMaxRequestBytes); a larger one gets 413.
	MaxRequestBytes int64
	// MaxRows limits the rows of a scoring request (default
	// DefaultMaxRows); more get 400.
	MaxRows int
	// ScoreTimeout bounds the scoring of one request (default
	// DefaultScoreTimeout); a request over it gets 408
	// ScoreRequestTimeout.
	ScoreTimeout time.Duration
	// MaxLogBodyBytes truncates the request and response bodies recorded
	// for endpoints with DiagnosticsTraceLevel Error or All (default
	// DefaultMaxLogBodyBytes).
	MaxLogBodyBytes int
	// LogRetention is how long recorded requests are kept (default
	// DefaultLogRetention); UsageRetention the same for hourly usage.
	LogRetention   time.Duration
	UsageRetention time.Duration
	// MetricsEndpoints bounds the endpoints /metrics labels by id (default
	// DefaultMetricsEndpoints); calls of endpoints beyond it are counted
	// under endpoint="other".
	MetricsEndpoints int
	// Replica names this process in hourly usage rows (default: random).
	Replica string
	// Version is the binary's version. It is logged by Serve; it is not sent
	// to clients, so a scan of the Server header does not tell an attacker
	// which release to target.
	Version string
	// Logger receives one line per request and the causes of internal
	// errors. Nil discards them.
	Logger *slog.Logger
}

// Deps are the root-package interfaces the gateway works through, wired in
// cmd/scoregate.
type Deps struct {
	Store  scoregate.Store
	Blobs  scoregate.Blobs
	Models scoregate.ModelInspector
	// Endpoints resolves scoring calls to endpoints and models.
	Endpoints scoregate.EndpointResolver
	// Logs and Usage keep recorded requests and hourly usage.
	Logs  scoregate.RequestLogStore
	Usage scoregate.UsageStore
	// Jobs runs batch jobs; nil answers the job routes with 503.
	Jobs scoregate.Jobs
	// Schedules keeps schedules; nil answers their routes with 503.
	Schedules scoregate.Schedules
}

// Server is the HTTP gateway: a Fiber app with scoregate's routes.
type Server struct {
	cfg    Config
	store  scoregate.Store
	blobs  scoregate.Blobs
	models scoregate.ModelInspector
	live   scoregate.EndpointResolver
	jobs   scoregate.Jobs
	// schedules is the schedule service (Deps.Schedules).
	schedules scoregate.Schedules
	log       *slog.Logger
	app       *fiber.App
	gates     gates
	tel       *telemetry
}

// New returns a Server with every route registered. It does not listen;
// call Serve.
func New(cfg Config, deps Deps) *Server {
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	cfg.setDefaults()
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Server{
		cfg:       cfg,
		store:     deps.Store,
		blobs:     deps.Blobs,
		models:    deps.Models,
		live:      deps.Endpoints,
		jobs:      deps.Jobs,
		schedules: deps.Schedules,
		log:       log,
	}
	s.tel = newTelemetry(s, deps)
	s.app = fiber.New(fiber.Config{
		AppName:      "scoregate",
		ServerHeader: "scoregate",
		// Bodies are streamed: the server reads at most 8 KiB ahead
		// (prefetched) and the handler the rest, so that a file upload
		// never sits whole in memory. Routes enforce their own limits
		// (readBody, bodyStream); BodyLimit only decides which bodies
		// fasthttp calls too large, and those are streamed as well.
		BodyLimit:             int(max(cfg.MaxJSONBytes, cfg.MaxRequestBytes)),
		StreamRequestBody:     true,
		ReadTimeout:           readTimeout,
		WriteTimeout:          writeTimeout,
		IdleTimeout:           idleTimeout,
		DisableStartupMessage: true,
		// Multipart forms are parsed by the handlers that take them, after
		// authentication and the route's size limit, not by the server for
		// anyone who sends one.
		DisablePreParseMultipartForm: true,
		ErrorHandler:                 s.handleError,
	})
	s.app.Use(s.observe)
	s.routes()
	return s
}

// routes registers every route, one resource at a time. Unknown paths and
// methods fall through to Fiber's 404 and 405, which handleError turns into
// classic bodies.
func (s *Server) routes() {
	s.app.Get("/healthz", s.handleHealth)
	s.app.Get("/readyz", s.handleReady)
	s.workspaceRoutes()
	s.webServiceRoutes()
	s.endpointRoutes()
	s.blobRoutes()
	s.jobRoutes()
	s.workbookRoutes()
	s.dropRoutes()
	s.scheduleRoutes()
	s.scoringRoutes()
	s.predictRoutes()
	s.helpRoutes()
	s.telemetryRoutes()
}

// App returns the Fiber app, for app.Test in tests.
func (s *Server) App() *fiber.App { return s.app }

// Serve serves HTTP on ln until Shutdown is called.
func (s *Server) Serve(ln net.Listener) error {
	s.log.Info("gateway serving", slog.String("addr", ln.Addr().String()),
		slog.String("base_url", s.cfg.BaseURL), slog.String("version", s.cfg.Version))
	return s.app.Listener(ln)
}

// Shutdown stops accepting connections, waits for in-flight requests to
// finish (or for ctx to be done), then writes the request logs and usage
// still in memory.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.app.ShutdownWithContext(ctx)
	// The calls that finished are recorded: flush them last.
	return errors.Join(err, s.tel.close(ctx))
}

// handleHealth answers liveness probes: the process serves HTTP.
func (s *Server) handleHealth(c *fiber.Ctx) error {
	return writeJSON(c, fiber.StatusOK, statusJSON{Status: "ok"})
}

// handleReady answers readiness probes: the store answers and its schema is
// current. The cause of a failure is logged, not shown.
func (s *Server) handleReady(c *fiber.Ctx) error {
	if err := s.store.Ready(c.UserContext()); err != nil {
		s.log.Warn("not ready", slog.String("request_id", requestID(c)), slog.Any("error", err))
		return scoregate.Errorf(scoregate.ServiceUnavailable, codeNotReady, "", "the gateway is not ready to serve")
	}
	return writeJSON(c, fiber.StatusOK, statusJSON{Status: "ok"})
}

// statusJSON is the body of the health checks.
type statusJSON struct {
	Status string
}
