package gateway

import (
	"context"
	"log/slog"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/scoregate/scoregate"
)

// Limits of GET …/logs.
const (
	defaultLogLimit = 100
	maxLogLimit     = 1000
)

// logWriter hands recorded requests to the store in batches, from one
// goroutine, so a scoring call never waits for the database. The queue is
// bounded in records and in body bytes; what does not fit is dropped and
// counted, never blocked on.
type logWriter struct {
	t       *telemetry
	store   scoregate.RequestLogStore
	queue   chan scoregate.RequestLog
	flushes chan chan struct{}

	pendingBytes atomic.Int64 // body bytes queued or being written
	dropped      atomic.Int64
	lastWarn     atomic.Int64 // unix nanoseconds of the last warning about drops
}

func newLogWriter(t *telemetry, store scoregate.RequestLogStore) *logWriter {
	return &logWriter{
		t:       t,
		store:   store,
		queue:   make(chan scoregate.RequestLog, t.opts.logQueue),
		flushes: make(chan chan struct{}),
	}
}

// droppedLogs is the value of scoregate_request_logs_dropped_total.
func (t *telemetry) droppedLogs() float64 {
	if t.logs == nil {
		return 0
	}
	return float64(t.logs.dropped.Load())
}

// enqueue copies what rec's log keeps and queues it, or drops it when the
// queue is full.
func (w *logWriter) enqueue(rec *callRecord) {
	if w.t.stopped() {
		w.drop(1, "gateway stopping")
		return
	}
	if len(w.queue) == cap(w.queue) {
		w.drop(1, "queue full")
		return
	}
	r := newRequestLog(rec, w.t.cfg.MaxLogBodyBytes)
	size := int64(len(r.Request) + len(r.Response))
	if w.pendingBytes.Add(size) > w.t.opts.logQueueBytes {
		w.pendingBytes.Add(-size)
		w.drop(1, "queue full")
		return
	}
	select {
	case w.queue <- r:
	default:
		w.pendingBytes.Add(-size)
		w.drop(1, "queue full")
	}
}

// drop counts lost records and warns at most once a minute. The warning
// carries counts only, never a body.
func (w *logWriter) drop(n int64, reason string) {
	total := w.dropped.Add(n)
	now := time.Now().UnixNano()
	last := w.lastWarn.Load()
	if now-last < int64(time.Minute) || !w.lastWarn.CompareAndSwap(last, now) {
		return
	}
	w.t.log.Warn("request log records dropped", slog.String("reason", reason), slog.Int64("dropped_total", total))
}

// newRequestLog converts a call to its log record, copying every byte and
// string the caller may reuse.
func newRequestLog(rec *callRecord, maxBody int) scoregate.RequestLog {
	req, cutReq := truncateBody(rec.Request, maxBody)
	resp, cutResp := truncateBody(rec.Response, maxBody)
	at := rec.At
	if at.IsZero() {
		at = time.Now()
	}
	return scoregate.RequestLog{
		EndpointID:  rec.Endpoint.ID,
		WorkspaceID: rec.Endpoint.WorkspaceID,
		At:          at.UTC(),
		RequestID:   strings.Clone(rec.RequestID),
		Method:      methodName(rec.Method),
		Path:        strings.Clone(rec.Path),
		Status:      rec.Status,
		Latency:     rec.Latency,
		Rows:        rec.Rows,
		ErrorCode:   strings.Clone(rec.ErrorCode),
		Request:     req,
		Response:    resp,
		Truncated:   cutReq || cutResp,
	}
}

// methodName returns the method as a string of its own without allocating
// for the methods the scoring routes serve.
func methodName(m string) string {
	switch m {
	case fiber.MethodPost:
		return fiber.MethodPost
	case fiber.MethodGet:
		return fiber.MethodGet
	}
	return strings.Clone(m)
}

// truncateBody copies at most limit bytes of b. It cuts before a split
// UTF-8 sequence, so a truncated JSON body is still valid text.
func truncateBody(b []byte, limit int) (string, bool) {
	if len(b) <= limit {
		return string(b), false
	}
	cut := limit
	for cut > 0 && cut > limit-utf8.UTFMax && !utf8.RuneStart(b[cut]) {
		cut--
	}
	return string(b[:cut]), true
}

// run is the writer goroutine: it writes when logBatch records are
// pending, every logFlush, when a reader asks for a flush, and once more
// at close.
func (w *logWriter) run() {
	defer w.t.wg.Done()
	tick := time.NewTicker(w.t.opts.logFlush)
	defer tick.Stop()
	batch := make([]scoregate.RequestLog, 0, w.t.opts.logBatch)
	for {
		select {
		case r := <-w.queue:
			batch = append(batch, r)
			if len(batch) >= w.t.opts.logBatch {
				batch = w.write(batch)
			}
		case <-tick.C:
			batch = w.write(batch)
		case ack := <-w.flushes:
			batch = w.write(w.drain(batch, len(w.queue)))
			close(ack)
		case <-w.t.stop:
			w.write(w.drain(batch, len(w.queue)))
			return
		}
	}
}

// drain moves n queued records into batch, writing full batches on the
// way. n is the queue length when the drain began, so a steady stream of
// calls cannot keep a flush from returning.
func (w *logWriter) drain(batch []scoregate.RequestLog, n int) []scoregate.RequestLog {
	for range n {
		select {
		case r := <-w.queue:
			batch = append(batch, r)
			if len(batch) >= w.t.opts.logBatch {
				batch = w.write(batch)
			}
		default:
			return batch
		}
	}
	return batch
}

// write stores batch and returns it emptied for reuse; the store must not
// keep the slice. A failed batch is dropped and counted: retrying would
// let an outage of the database grow the queue without bound.
func (w *logWriter) write(batch []scoregate.RequestLog) []scoregate.RequestLog {
	if len(batch) == 0 {
		return batch
	}
	ctx, cancel := w.t.ioContext()
	err := w.store.AppendRequestLogs(ctx, batch)
	cancel()
	if err != nil {
		w.t.log.Warn("write request logs", slog.Int("count", len(batch)), slog.Any("error", err))
		w.drop(int64(len(batch)), "store error")
	}
	var size int64
	for i := range batch {
		size += int64(len(batch[i].Request) + len(batch[i].Response))
	}
	w.pendingBytes.Add(-size)
	clear(batch)
	return batch[:0]
}

// flush returns once every record queued before it was called has been
// handed to the store, so a caller reads its own requests back.
func (w *logWriter) flush(ctx context.Context) error {
	if !w.t.started.Load() {
		return nil // nothing was recorded yet
	}
	ack := make(chan struct{})
	select {
	case w.flushes <- ack:
	case <-w.t.stop:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-ack:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// logsQuery is the decoded query of GET …/logs.
type logsQuery struct {
	from, to time.Time
	status   int
	limit    int
}

// parseLogsQuery reads from and to (RFC 3339, unbounded when absent),
// status (an exact code such as 404, or a class written 4 or 4xx) and limit
// (1-1000, default 100).
func parseLogsQuery(c *fiber.Ctx) (logsQuery, error) {
	q := logsQuery{limit: defaultLogLimit}
	var err error
	if q.from, err = queryTime(c, "from"); err != nil {
		return q, err
	}
	if q.to, err = queryTime(c, "to"); err != nil {
		return q, err
	}
	if !q.from.IsZero() && !q.to.IsZero() && !q.from.Before(q.to) {
		return q, badParam("from", "from must be before to")
	}
	if v := c.Query("status"); v != "" {
		if q.status, err = parseStatusFilter(v); err != nil {
			return q, err
		}
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLogLimit {
			return q, badParam("limit", "limit must be a number from 1 to %d, not %q", maxLogLimit, v)
		}
		q.limit = n
	}
	return q, nil
}

// parseStatusFilter reads the status parameter: 404 (exact), 4 or 4xx
// (class).
func parseStatusFilter(v string) (int, error) {
	s := strings.TrimSuffix(strings.ToLower(v), "xx")
	n, err := strconv.Atoi(s)
	switch {
	case err != nil:
	case len(s) == 1 && n >= 1 && n <= 5:
		return n, nil
	case len(s) == 3 && s == v && n >= 100 && n <= 599:
		return n, nil
	}
	return 0, badParam("status", "status must be an HTTP status (404) or a class (4xx), not %q", v)
}

// queryTime reads an optional RFC 3339 query parameter; zero when absent.
func queryTime(c *fiber.Ctx, name string) (time.Time, error) {
	v := c.Query(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, badParam(name, "%s must be a time in RFC 3339 format (2026-11-30T06:00:00Z), not %q", name, v)
	}
	return t.UTC(), nil
}

// badParam is the 400 of a query parameter, named as the target.
func badParam(name, format string, args ...any) error {
	return scoregate.Errorf(scoregate.BadArgument, scoregate.CodeInvalidValue, name, format, args...)
}

// errNotConfigured is the answer of a telemetry route whose store the
// gateway was started without.
func errNotConfigured(what string) error {
	return scoregate.Errorf(scoregate.ServiceUnavailable, codeNotConfigured, "",
		"%s are not recorded by this gateway: it was started without a store for them", what)
}

// requestLogsJSON is the body of GET …/logs.
type requestLogsJSON struct {
	Value []requestLogJSON
}

type requestLogJSON struct {
	Time      time.Time
	RequestID string `json:"RequestId"`
	Method    string
	Path      string
	Status    int
	LatencyMs float64
	Rows      int
	ErrorCode string
	Request   string
	Response  string
	Truncated bool
}

func toRequestLogJSON(r *scoregate.RequestLog) requestLogJSON {
	return requestLogJSON{
		Time:      r.At.UTC(),
		RequestID: r.RequestID,
		Method:    r.Method,
		Path:      r.Path,
		Status:    r.Status,
		LatencyMs: millis(r.Latency.Seconds()),
		Rows:      r.Rows,
		ErrorCode: r.ErrorCode,
		Request:   r.Request,
		Response:  r.Response,
		Truncated: r.Truncated,
	}
}

// millis converts seconds to milliseconds, rounded to the microsecond.
func millis(seconds float64) float64 {
	return math.Round(seconds*1e6) / 1e3
}

// handleEndpointLogs answers the recorded requests of an endpoint, newest
// first. Pending records are flushed first, so a client sees the request it
// just made.
func (s *Server) handleEndpointLogs(c *fiber.Ctx) error {
	q, err := parseLogsQuery(c)
	if err != nil {
		return err
	}
	if s.tel.logs == nil {
		return errNotConfigured("request logs")
	}
	ctx := c.UserContext()
	e, err := s.store.Endpoint(ctx, param(c, "ws"), param(c, "svc"), param(c, "name"))
	if err != nil {
		return err
	}
	if err := s.tel.logs.flush(ctx); err != nil {
		return err
	}
	list, err := s.tel.logStore.RequestLogs(ctx, scoregate.RequestLogQuery{
		EndpointID: e.ID, From: q.from, To: q.to, Status: q.status, Limit: q.limit,
	})
	if err != nil {
		return err
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].At.After(list[j].At) })
	list = list[:min(len(list), q.limit)]
	out := requestLogsJSON{Value: make([]requestLogJSON, 0, len(list))}
	for i := range list {
		out.Value = append(out.Value, toRequestLogJSON(&list[i]))
	}
	return writeJSON(c, fiber.StatusOK, out)
}
