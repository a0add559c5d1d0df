package gateway

import (
	"context"
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
}

// Server is the HTTP gateway: a Fiber app with scoregate's routes.
type Server struct {
	cfg    Config
	store  scoregate.Store
	blobs  scoregate.Blobs
	models scoregate.ModelInspector
	log    *slog.Logger
	app    *fiber.App
}

// New returns a Server with every route registered. It does not listen;
// call Serve.
func New(cfg Config, deps Deps) *Server {
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.MaxModelBytes <= 0 {
		cfg.MaxModelBytes = DefaultMaxModelBytes
	}
	if cfg.MaxJSONBytes <= 0 {
		cfg.MaxJSONBytes = DefaultMaxJSONBytes
	}
	if cfg.MaxBlobBytes <= 0 {
		cfg.MaxBlobBytes = DefaultMaxBlobBytes
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Server{
		cfg:    cfg,
		store:  deps.Store,
		blobs:  deps.Blobs,
		models: deps.Models,
		log:    log,
	}
	s.app = fiber.New(fiber.Config{
		AppName:      "scoregate",
		ServerHeader: "scoregate",
		// The app-wide limit is the largest route limit; routes enforce
		// their own (see readBody).
		BodyLimit:             int(max(cfg.MaxModelBytes, cfg.MaxJSONBytes, cfg.MaxBlobBytes)),
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
}

// App returns the Fiber app, for app.Test in tests.
func (s *Server) App() *fiber.App { return s.app }

// Serve serves HTTP on ln until Shutdown is called.
func (s *Server) Serve(ln net.Listener) error {
	s.log.Info("gateway serving", slog.String("addr", ln.Addr().String()),
		slog.String("base_url", s.cfg.BaseURL), slog.String("version", s.cfg.Version))
	return s.app.Listener(ln)
}

// Shutdown stops accepting connections and waits for in-flight requests to
// finish, or for ctx to be done.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.app.ShutdownWithContext(ctx)
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
