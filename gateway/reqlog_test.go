package gateway

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/store/storetest"
)

// memLogStore is an in-memory scoregate.RequestLogStore. With Block set,
// AppendRequestLogs signals Entered and waits until Block is closed.
type memLogStore struct {
	Block   chan struct{}
	Entered chan struct{}

	mu      sync.Mutex
	logs    []scoregate.RequestLog
	batches []int
	deleted []time.Time
}

func (m *memLogStore) AppendRequestLogs(ctx context.Context, logs []scoregate.RequestLog) error {
	if m.Block != nil {
		select {
		case m.Entered <- struct{}{}:
		default:
		}
		select {
		case <-m.Block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, l := range logs {
		l.ID = int64(len(m.logs) + 1)
		m.logs = append(m.logs, l)
	}
	m.batches = append(m.batches, len(logs))
	return nil
}

func (m *memLogStore) RequestLogs(_ context.Context, q scoregate.RequestLogQuery) ([]scoregate.RequestLog, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []scoregate.RequestLog
	for _, l := range m.logs {
		switch {
		case l.EndpointID != q.EndpointID,
			!q.From.IsZero() && l.At.Before(q.From),
			!q.To.IsZero() && !l.At.Before(q.To),
			q.Status >= 100 && l.Status != q.Status,
			q.Status > 0 && q.Status < 10 && l.Status/100 != q.Status:
			continue
		}
		out = append(out, l)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

func (m *memLogStore) DeleteRequestLogsBefore(_ context.Context, before time.Time) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.deleted = append(m.deleted, before)
	return 0, nil
}

// Logs returns what was appended so far.
func (m *memLogStore) Logs() []scoregate.RequestLog {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]scoregate.RequestLog(nil), m.logs...)
}

func (m *memLogStore) batchSizes() []int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]int(nil), m.batches...)
}

// CloseTelemetry stops the telemetry loops of s, as Server.Shutdown does,
// for tests in package gateway_test.
func (s *Server) CloseTelemetry(ctx context.Context) error { return s.tel.close(ctx) }

// testTelemetry starts telemetry over the given stores with short
// intervals, and closes it when the test ends.
func testTelemetry(t testing.TB, logs scoregate.RequestLogStore, usage scoregate.UsageStore,
	adjust func(*Config, *telemetryOptions)) (*telemetry, *storetest.LogBuffer) {
	t.Helper()
	cfg := Config{}
	cfg.setDefaults()
	tm := defaultOptions()
	tm.logFlush = 5 * time.Millisecond
	tm.ioTimeout = 5 * time.Second
	if adjust != nil {
		adjust(&cfg, &tm)
	}
	buf := &storetest.LogBuffer{}
	log := slog.New(slog.NewJSONHandler(buf, nil))
	tel := makeTelemetry(cfg, log, logs, usage, tm)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := tel.close(ctx); err != nil {
			t.Errorf("close telemetry: %v", err)
		}
	})
	return tel, buf
}

func testEndpoint(id, level string) *scoregate.Endpoint {
	return &scoregate.Endpoint{ID: id, WorkspaceID: "ws-" + id, Name: "ep-" + id, DiagnosticsTraceLevel: level}
}

// eventually polls cond until it holds or a generous deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestRecordCallLevels(t *testing.T) {
	t.Parallel()
	statuses := []int{200, 400, 404, 408, 500, 503}
	for _, tc := range []struct {
		level string
		want  []int
	}{
		{scoregate.TraceNone, nil},
		{"", nil},
		{scoregate.TraceError, []int{400, 404, 408, 500, 503}},
		{scoregate.TraceAll, statuses},
	} {
		t.Run("level "+tc.level, func(t *testing.T) {
			t.Parallel()
			logs := &memLogStore{}
			tel, _ := testTelemetry(t, logs, nil, nil)
			e := testEndpoint("e1", tc.level)
			for _, st := range statuses {
				tel.record(&callRecord{Endpoint: e, At: time.Now(), Status: st, Method: "POST", Path: "/p"})
			}
			tel.record(&callRecord{Status: 401}) // no endpoint: never logged
			if err := tel.logs.flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, l := range logs.Logs() {
				got = append(got, l.Status)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("recorded statuses %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRequestLogRecord(t *testing.T) {
	t.Parallel()
	logs := &memLogStore{}
	tel, _ := testTelemetry(t, logs, nil, func(c *Config, _ *telemetryOptions) { c.MaxLogBodyBytes = 8 })
	e := testEndpoint("e1", scoregate.TraceAll)
	at := time.Date(2026, 11, 30, 6, 15, 0, 0, time.FixedZone("CET", 3600))
	for _, tc := range []struct {
		name, req, resp, wantReq, wantResp string
		truncated                          bool
	}{
		{"fits", "12345678", "{}", "12345678", "{}", false},
		{"request cut", "0123456789", "{}", "01234567", "{}", true},
		{"response cut", "{}", "abcdefghij", "{}", "abcdefgh", true},
		{"cut before a split rune", "ééééé", "", "éééé", "", true}, // 2 bytes each: 8 bytes keep 4
		{"cut before a split 3-byte rune", "a€€€", "", "a€€", "", true},
	} {
		req, resp := []byte(tc.req), []byte(tc.resp)
		tel.record(&callRecord{Endpoint: e, At: at, RequestID: tc.name, Method: "POST", Path: "/x?api-version=2.0",
			Status: 200, Latency: 1500 * time.Microsecond, Rows: 3, Request: req, Response: resp})
		// The caller reuses its buffers once recordCall returns.
		for i := range req {
			req[i] = 'X'
		}
		for i := range resp {
			resp[i] = 'X'
		}
	}
	if err := tel.logs.flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := logs.Logs()
	if len(got) != 5 {
		t.Fatalf("%d records, want 5", len(got))
	}
	for i, want := range []struct{ req, resp string }{
		{"12345678", "{}"}, {"01234567", "{}"}, {"{}", "abcdefgh"}, {"éééé", ""}, {"a€€", ""},
	} {
		l := got[i]
		if l.Request != want.req || l.Response != want.resp {
			t.Errorf("%s: bodies %q %q, want %q %q", l.RequestID, l.Request, l.Response, want.req, want.resp)
		}
		if l.Truncated != (i > 0) {
			t.Errorf("%s: Truncated = %v", l.RequestID, l.Truncated)
		}
	}
	l := got[0]
	if l.EndpointID != "e1" || l.WorkspaceID != "ws-e1" || !l.At.Equal(at) || l.At.Location() != time.UTC ||
		l.Method != "POST" || l.Path != "/x?api-version=2.0" || l.Status != 200 || l.Rows != 3 ||
		l.Latency != 1500*time.Microsecond {
		t.Errorf("record = %+v", l)
	}
}

func TestRequestLogBatching(t *testing.T) {
	t.Parallel()
	logs := &memLogStore{}
	tel, _ := testTelemetry(t, logs, nil, func(_ *Config, tm *telemetryOptions) {
		tm.logBatch = 4
		tm.logFlush = time.Hour // only full batches, until close
	})
	e := testEndpoint("e1", scoregate.TraceAll)
	for range 10 {
		tel.record(&callRecord{Endpoint: e, Status: 200})
	}
	eventually(t, "two full batches", func() bool { return len(logs.batchSizes()) == 2 })
	if err := tel.close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := logs.batchSizes(); !slices.Equal(got, []int{4, 4, 2}) {
		t.Errorf("batches %v, want [4 4 2]: close writes the rest", got)
	}
	tel.record(&callRecord{Endpoint: e, Status: 200})
	if n := tel.logs.dropped.Load(); n != 1 {
		t.Errorf("a record after close: dropped = %d, want 1", n)
	}
}

func TestRequestLogInterval(t *testing.T) {
	t.Parallel()
	logs := &memLogStore{}
	tel, _ := testTelemetry(t, logs, nil, func(_ *Config, tm *telemetryOptions) { tm.logFlush = 10 * time.Millisecond })
	tel.record(&callRecord{Endpoint: testEndpoint("e1", scoregate.TraceAll), Status: 200})
	eventually(t, "the interval flush", func() bool { return len(logs.Logs()) == 1 })
}

func TestRequestLogDrops(t *testing.T) {
	t.Parallel()
	logs := &memLogStore{Block: make(chan struct{}), Entered: make(chan struct{}, 1)}
	tel, buf := testTelemetry(t, logs, nil, func(_ *Config, tm *telemetryOptions) {
		tm.logQueue = 2
		tm.logBatch = 1
	})
	e := testEndpoint("e1", scoregate.TraceAll)
	secret := "body-with-s3cr3t"
	tel.record(&callRecord{Endpoint: e, Status: 200, Request: []byte(secret)})
	<-logs.Entered // the writer holds one record, blocked in the store
	for range 5 {
		tel.record(&callRecord{Endpoint: e, Status: 200, Request: []byte(secret)})
	}
	if n := tel.logs.dropped.Load(); n != 3 {
		t.Errorf("dropped = %d, want 3 (queue of 2 full)", n)
	}
	if got := tel.droppedLogs(); got != 3 {
		t.Errorf("metric value %v, want 3", got)
	}
	close(logs.Block)
	if err := tel.close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(logs.Logs()); n != 3 {
		t.Errorf("%d written, want 3", n)
	}
	out := buf.String()
	if c := strings.Count(out, "request log records dropped"); c != 1 {
		t.Errorf("%d warnings, want 1 (at most one a minute):\n%s", c, out)
	}
	if strings.Contains(out, secret) {
		t.Errorf("a body reached the log:\n%s", out)
	}
}

func TestRequestLogByteBudget(t *testing.T) {
	t.Parallel()
	logs := &memLogStore{Block: make(chan struct{}), Entered: make(chan struct{}, 1)}
	tel, _ := testTelemetry(t, logs, nil, func(_ *Config, tm *telemetryOptions) { tm.logQueueBytes = 10 })
	e := testEndpoint("e1", scoregate.TraceAll)
	tel.record(&callRecord{Endpoint: e, Status: 200, Request: []byte("123456")})
	tel.record(&callRecord{Endpoint: e, Status: 200, Request: []byte("123456")}) // 12 bytes pending: dropped
	tel.record(&callRecord{Endpoint: e, Status: 200, Request: []byte("1234")})
	if n := tel.logs.dropped.Load(); n != 1 {
		t.Errorf("dropped = %d, want 1", n)
	}
	close(logs.Block)
	if err := tel.logs.flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := tel.logs.pendingBytes.Load(); n != 0 {
		t.Errorf("pending bytes after the flush = %d", n)
	}
}

func TestRequestLogStoreError(t *testing.T) {
	t.Parallel()
	tel, buf := testTelemetry(t, &failingLogs{}, nil, nil)
	tel.record(&callRecord{Endpoint: testEndpoint("e1", scoregate.TraceAll), Status: 200})
	if err := tel.logs.flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := tel.logs.dropped.Load(); n != 1 {
		t.Errorf("dropped = %d, want 1", n)
	}
	if !strings.Contains(buf.String(), "database is down") {
		t.Errorf("the store error was not logged:\n%s", buf.String())
	}
}

type failingLogs struct{ memLogStore }

func (*failingLogs) AppendRequestLogs(context.Context, []scoregate.RequestLog) error {
	return errors.New("database is down")
}

func TestRetention(t *testing.T) {
	t.Parallel()
	logs, usage := &memLogStore{}, &memUsageStore{}
	now := time.Date(2026, 11, 30, 6, 30, 0, 0, time.UTC)
	tel, _ := testTelemetry(t, logs, usage, func(c *Config, tm *telemetryOptions) {
		c.LogRetention = time.Hour
		c.UsageRetention = 48 * time.Hour
		tm.now = func() time.Time { return now }
	})
	tel.record(&callRecord{Endpoint: testEndpoint("e1", scoregate.TraceNone), Status: 200}) // starts the loops
	eventually(t, "the first retention run", func() bool {
		usage.mu.Lock()
		defer usage.mu.Unlock()
		return len(usage.deleted) == 1
	})
	logs.mu.Lock()
	defer logs.mu.Unlock()
	usage.mu.Lock()
	defer usage.mu.Unlock()
	if len(logs.deleted) != 1 || !logs.deleted[0].Equal(now.Add(-time.Hour)) {
		t.Errorf("logs deleted before %v, want now-1h", logs.deleted)
	}
	if !usage.deleted[0].Equal(now.Add(-48 * time.Hour)) {
		t.Errorf("usage deleted before %v, want now-48h", usage.deleted)
	}
}

func TestParseStatusFilter(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int{"404": 404, "4": 4, "4xx": 4, "5XX": 5, "200": 200} {
		if got, err := parseStatusFilter(in); err != nil || got != want {
			t.Errorf("parseStatusFilter(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"0", "6", "6xx", "99", "600", "40", "40xx", "404xx", "x", "-4", "+404"} {
		if _, err := parseStatusFilter(in); err == nil {
			t.Errorf("parseStatusFilter(%q) accepted", in)
		}
	}
}

// authOnlyStore admits any credential as the token of workspace "ws".
type authOnlyStore struct{ scoregate.Store }

func (authOnlyStore) Authenticate(context.Context, string) (scoregate.Principal, error) {
	return scoregate.Principal{WorkspaceID: "ws"}, nil
}

// TestTelemetryWithoutStores checks a gateway started without request log
// and usage stores: their routes answer 503 (after checking parameters),
// metrics work, and no goroutine is started.
func TestTelemetryWithoutStores(t *testing.T) {
	t.Parallel()
	s := New(Config{}, Deps{Store: authOnlyStore{}})
	t.Cleanup(func() { _ = s.tel.close(context.Background()) })
	s.recordCall(&callRecord{Endpoint: testEndpoint("e1", scoregate.TraceAll), Status: 200})
	if s.tel.started.Load() {
		t.Errorf("loops started without stores")
	}
	const a = "/workspaces/ws/webservices/demo/endpoints/a"
	for _, tc := range []struct {
		path   string
		status int
		want   string
	}{
		{a + "/logs", 503, `"FeatureNotConfigured"`},
		{a + "/usage", 503, `"FeatureNotConfigured"`},
		{a + "/logs?limit=x", 400, `"target":"limit"`},
		{a + "/usage?from=x", 400, `"target":"from"`},
		{"/metrics", 200, `scoregate_requests_total{code="2xx",endpoint="e1"} 1`},
	} {
		req := httptest.NewRequest("GET", tc.path, nil)
		req.Header.Set("Authorization", "Bearer anything")
		res, err := s.app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.status || !strings.Contains(string(body), tc.want) {
			t.Errorf("GET %s: %d %s; want %d with %s", tc.path, res.StatusCode, body, tc.status, tc.want)
		}
	}
}

func TestLoopsStartWithTheFirstCall(t *testing.T) {
	t.Parallel()
	tel, _ := testTelemetry(t, &memLogStore{}, &memUsageStore{}, nil)
	if tel.started.Load() {
		t.Fatal("loops started before any call")
	}
	if err := tel.logs.flush(context.Background()); err != nil {
		t.Errorf("flush before any call: %v", err)
	}
	tel.record(&callRecord{Status: 401})
	if tel.started.Load() {
		t.Fatal("loops started by a call without an endpoint")
	}
	tel.record(&callRecord{Endpoint: testEndpoint("e1", scoregate.TraceNone), Status: 200})
	if !tel.started.Load() {
		t.Fatal("loops not started by the first call of an endpoint")
	}
}
