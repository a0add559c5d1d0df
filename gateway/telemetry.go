package gateway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scoregate/scoregate"
)

// callRecord is what the scoring routes report of each call, for the
// request log, hourly usage and /metrics.
type callRecord struct {
	// Endpoint is the endpoint called; nil when the call was refused
	// before one was known (no or wrong key).
	Endpoint  *scoregate.Endpoint
	At        time.Time // arrival
	RequestID string
	Method    string
	Path      string // path and query, credentials redacted
	Status    int
	Latency   time.Duration
	Rows      int    // rows scored
	ErrorCode string // detail code of a failure; empty on success
	Throttled bool
	// Request and Response are the bodies; recordCall copies what it
	// keeps, the caller may reuse them once it returns.
	Request, Response []byte
}

// codeNotConfigured is the detail code of the 503 the logs and usage routes
// answer when the gateway was started without the store they read.
const codeNotConfigured = "FeatureNotConfigured"

// telemetryOptions are the intervals and sizes of the background work,
// and its clock. Tests shorten them; the server uses defaultOptions.
type telemetryOptions struct {
	logBatch      int           // records per AppendRequestLogs
	logFlush      time.Duration // longest wait of a record before it is written
	logQueue      int           // records waiting for the writer
	logQueueBytes int64         // body bytes waiting for the writer
	usageFlush    time.Duration // interval of PutUsage
	retention     time.Duration // interval of the retention deletes
	ioTimeout     time.Duration // bound of one background store call
	now           func() time.Time
}

func defaultOptions() telemetryOptions {
	return telemetryOptions{
		logBatch:      256,
		logFlush:      200 * time.Millisecond,
		logQueue:      8192,
		logQueueBytes: 64 << 20,
		usageFlush:    10 * time.Second,
		retention:     time.Hour,
		ioTimeout:     30 * time.Second,
		now:           time.Now,
	}
}

// telemetry records scoring calls three ways: Prometheus metrics (always),
// hourly usage (when Deps.Usage is set) and the request log (when Deps.Logs
// is set). Recording touches only memory; background loops do the store
// calls and stop, after a last flush, in close.
type telemetry struct {
	cfg     Config
	log     *slog.Logger
	replica string
	opts    telemetryOptions

	metrics *metrics
	unknown *endpointMetrics // calls without an endpoint

	// endpoints maps endpoint id to *endpointStats. Entries are never
	// removed: a deleted endpoint keeps its counters, like any Prometheus
	// series, until the process restarts.
	endpoints sync.Map
	createMu  sync.Mutex // serialises the creation of endpointStats
	labeled   int        // endpoints with their own metrics label; guarded by createMu

	logs       *logWriter // nil: request logs disabled
	logStore   scoregate.RequestLogStore
	usageStore scoregate.UsageStore // nil: usage disabled

	startOnce sync.Once
	started   atomic.Bool // the loops run (or ran)
	stop      chan struct{}
	closeOnce sync.Once
	closeCtx  context.Context // set before stop is closed
	wg        sync.WaitGroup
}

// endpointStats is everything recordCall touches for one endpoint, found
// with one sync.Map lookup.
type endpointStats struct {
	metrics *endpointMetrics
	usage   endpointUsage
}

// newTelemetry returns the telemetry of s. Its loops start with the first
// scoring call and run until close.
func newTelemetry(s *Server, deps Deps) *telemetry {
	return makeTelemetry(s.cfg, s.log, deps.Logs, deps.Usage, defaultOptions())
}

// makeTelemetry returns telemetry over the given stores (either may be
// nil).
func makeTelemetry(cfg Config, log *slog.Logger, logs scoregate.RequestLogStore, usage scoregate.UsageStore,
	opts telemetryOptions) *telemetry {
	t := &telemetry{
		cfg:        cfg,
		log:        log,
		replica:    cfg.Replica,
		opts:       opts,
		logStore:   logs,
		usageStore: usage,
		stop:       make(chan struct{}),
	}
	if t.replica == "" {
		t.replica = randomReplica()
	}
	if logs != nil {
		t.logs = newLogWriter(t, logs)
	}
	t.metrics = newMetrics(t.droppedLogs)
	t.unknown = t.metrics.forEndpoint(endpointUnknown)
	return t
}

// startLoops starts the loops the stores need, at the first call of an
// endpoint rather than in New: a Server that never scores (most tests, a
// replica behind a management-only route) runs no goroutine, and none
// outlives it when it is dropped without close. It does nothing after
// close.
func (t *telemetry) startLoops() {
	t.startOnce.Do(func() {
		if t.logStore == nil && t.usageStore == nil {
			return
		}
		t.started.Store(true)
		if t.logs != nil {
			t.wg.Add(1)
			go t.logs.run()
		}
		if t.usageStore != nil {
			t.wg.Add(1)
			go t.usageLoop()
		}
		t.wg.Add(1)
		go t.retentionLoop()
	})
}

// randomReplica names a replica that was not given a name: 8 hex digits,
// enough that replicas restarted over a year do not collide in usage rows.
func randomReplica() string {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// recordCall records one scoring call. It does no I/O and takes no lock
// except when an endpoint is seen for the first time (or its usage moves to
// a new hour); with DiagnosticsTraceLevel None it does not allocate.
func (s *Server) recordCall(rec *callRecord) { s.tel.record(rec) }

func (t *telemetry) record(rec *callRecord) {
	if rec.Endpoint == nil {
		t.metrics.observe(t.unknown, rec)
		return
	}
	st := t.statsOf(rec.Endpoint)
	t.metrics.observe(st.metrics, rec)
	if t.usageStore != nil {
		st.usage.add(rec)
	}
	if t.logs != nil && wantsLog(rec.Endpoint.DiagnosticsTraceLevel, rec.Status) {
		t.logs.enqueue(rec)
	}
}

// wantsLog reports whether an endpoint's trace level records a call.
func wantsLog(level string, status int) bool {
	switch level {
	case scoregate.TraceAll:
		return true
	case scoregate.TraceError:
		return status >= 400
	}
	return false
}

// statsOf returns the counters of e, creating them on its first call.
func (t *telemetry) statsOf(e *scoregate.Endpoint) *endpointStats {
	if v, ok := t.endpoints.Load(e.ID); ok {
		return v.(*endpointStats)
	}
	t.createMu.Lock()
	defer t.createMu.Unlock()
	if v, ok := t.endpoints.Load(e.ID); ok {
		return v.(*endpointStats)
	}
	label := endpointOther
	if t.labeled < t.cfg.MetricsEndpoints {
		label = e.ID
		t.labeled++
	}
	st := &endpointStats{metrics: t.metrics.forEndpoint(label)}
	st.usage.init(e.ID, e.WorkspaceID)
	t.endpoints.Store(e.ID, st)
	t.startLoops()
	return st
}

// close stops the loops after writing what they hold: pending request logs
// and the current usage totals. The Server calls it once Fiber has stopped,
// so no call is recorded after it. ctx bounds the final writes.
func (t *telemetry) close(ctx context.Context) error {
	t.closeOnce.Do(func() {
		t.startOnce.Do(func() {}) // no loop starts after close
		t.closeCtx = ctx
		close(t.stop)
	})
	done := make(chan struct{})
	go func() {
		t.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// stopped reports whether close was called.
func (t *telemetry) stopped() bool {
	select {
	case <-t.stop:
		return true
	default:
		return false
	}
}

// retentionLoop deletes request logs and usage past their retention when
// the loops start and then every opts.retention. Replicas each run it; the
// deletes are idempotent. close cancels a delete in progress: it is not
// worth delaying a shutdown for.
func (t *telemetry) retentionLoop() {
	defer t.wg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-t.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	tick := time.NewTicker(t.opts.retention)
	defer tick.Stop()
	for {
		t.applyRetention(ctx)
		select {
		case <-tick.C:
		case <-t.stop:
			return
		}
	}
}

func (t *telemetry) applyRetention(ctx context.Context) {
	now := t.opts.now()
	if t.logStore != nil {
		ctx, cancel := context.WithTimeout(ctx, t.opts.ioTimeout)
		n, err := t.logStore.DeleteRequestLogsBefore(ctx, now.Add(-t.cfg.LogRetention))
		cancel()
		if err != nil {
			t.log.Warn("delete old request logs", slog.Any("error", err))
		} else if n > 0 {
			t.log.Debug("deleted old request logs", slog.Int64("count", n))
		}
	}
	if t.usageStore != nil {
		ctx, cancel := context.WithTimeout(ctx, t.opts.ioTimeout)
		err := t.usageStore.DeleteUsageBefore(ctx, now.Add(-t.cfg.UsageRetention))
		cancel()
		if err != nil {
			t.log.Warn("delete old usage", slog.Any("error", err))
		}
	}
}

// ioContext bounds one background store call. Once close was called it
// derives from close's context, so a shutdown deadline also cuts the final
// writes short.
func (t *telemetry) ioContext() (context.Context, context.CancelFunc) {
	parent := context.Background()
	if t.stopped() {
		parent = t.closeCtx
	}
	return context.WithTimeout(parent, t.opts.ioTimeout)
}

// telemetryRoutes registers /metrics and the logs and usage of an endpoint.
func (s *Server) telemetryRoutes() {
	own := s.authorize(ownEndpoint)
	const one = "/workspaces/:ws/webservices/:svc/endpoints/:name"
	s.app.Get(one+"/logs", own, s.handleEndpointLogs)
	s.app.Get(one+"/usage", own, s.handleEndpointUsage)
	s.metricsRoutes()
}
