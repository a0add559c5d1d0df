package gateway

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/scoregate/scoregate"
)

// metricsServer is a Server with only /metrics, so these tests do not
// depend on the other routes.
func metricsServer(t *testing.T, maxEndpoints int) *Server {
	t.Helper()
	cfg := Config{MetricsEndpoints: maxEndpoints}
	cfg.setDefaults()
	s := &Server{cfg: cfg, log: slog.New(slog.NewTextHandler(io.Discard, nil)), app: fiber.New()}
	s.tel = makeTelemetry(cfg, s.log, &memLogStore{}, nil, defaultOptions())
	t.Cleanup(func() { _ = s.tel.close(context.Background()) })
	s.metricsRoutes()
	return s
}

func scrape(t *testing.T, s *Server) string {
	t.Helper()
	res, err := s.app.Test(httptest.NewRequest("GET", "/metrics", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	return string(b)
}

func TestMetricsExposition(t *testing.T) {
	t.Parallel()
	s := metricsServer(t, 2)
	for _, id := range []string{"e1", "e2", "e3", "e4"} {
		e := testEndpoint(id, scoregate.TraceNone)
		s.recordCall(&callRecord{Endpoint: e, Status: 200, Latency: 3 * time.Millisecond, Rows: 10})
		s.recordCall(&callRecord{Endpoint: e, Status: 400, Latency: time.Millisecond})
		s.recordCall(&callRecord{Endpoint: e, Status: 503, Latency: 50 * time.Microsecond, Throttled: true})
	}
	s.recordCall(&callRecord{Status: 401, Latency: time.Millisecond})
	s.recordCall(&callRecord{Endpoint: testEndpoint("e1", scoregate.TraceNone), Status: 302, Latency: 20 * time.Second})
	out := scrape(t, s)
	for _, want := range []string{
		`scoregate_requests_total{code="2xx",endpoint="e1"} 1`,
		`scoregate_requests_total{code="4xx",endpoint="e1"} 1`,
		`scoregate_requests_total{code="5xx",endpoint="e1"} 1`,
		`scoregate_requests_total{code="3xx",endpoint="e1"} 1`,
		`scoregate_requests_total{code="2xx",endpoint="e2"} 1`,
		`scoregate_requests_total{code="2xx",endpoint="other"} 2`, // e3 and e4
		`scoregate_requests_total{code="4xx",endpoint="unknown"} 1`,
		`scoregate_request_duration_seconds_bucket{endpoint="e1",le="0.0001"} 1`,
		`scoregate_request_duration_seconds_bucket{endpoint="e1",le="0.005"} 3`,
		`scoregate_request_duration_seconds_bucket{endpoint="e1",le="60"} 4`,
		`scoregate_request_duration_seconds_count{endpoint="other"} 6`,
		`scoregate_throttled_total{endpoint="e1"} 1`,
		`scoregate_throttled_total{endpoint="other"} 2`,
		`scoregate_rows_scored_total{endpoint="e2"} 10`,
		`scoregate_rows_scored_total{endpoint="other"} 20`,
		`scoregate_request_logs_dropped_total 0`,
		`go_goroutines `,
		`process_`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("exposition lacks %s", want)
		}
	}
	for _, reject := range []string{`endpoint="e3"`, `endpoint="e4"`} {
		if strings.Contains(out, reject) {
			t.Errorf("exposition has %s beyond MetricsEndpoints", reject)
		}
	}
}

// BenchmarkRecordCall measures the cost recordCall adds to a scoring call:
// with level None (metrics and usage only), Error (a successful call, not
// logged) and All (plus a request log of typical iris bodies). The writer
// is flushed every 1024 calls, so the figure of All includes the writer's
// own work and no record is dropped.
func BenchmarkRecordCall(b *testing.B) {
	req := []byte(`{"Inputs":{"input1":{"ColumnNames":["sepal_length","sepal_width","petal_length","petal_width"],"Values":[["5.1","3.5","1.4","0.2"]]}},"GlobalParameters":{}}`)
	resp := []byte(`{"Results":{"output1":{"type":"table","value":{"ColumnNames":["sepal_length","sepal_width","petal_length","petal_width","Scored Labels"],"ColumnTypes":["Double","Double","Double","Double","String"],"Values":[["5.1","3.5","1.4","0.2","Iris-setosa"]]}}}}`)
	for _, level := range []string{scoregate.TraceNone, scoregate.TraceError, scoregate.TraceAll} {
		b.Run(level, func(b *testing.B) {
			tel, _ := testTelemetry(b, discardLogs{}, &memUsageStore{}, func(_ *Config, tm *telemetryOptions) {
				tm.logFlush = 200 * time.Millisecond
			})
			e := testEndpoint("0123456789abcdef0123456789abcdef", level)
			rec := callRecord{Endpoint: e, RequestID: "6f1c2d3e-4b5a-4c6d-8e7f-8091a2b3c4d5", Method: "POST",
				Path:   "/workspaces/ws/services/0123456789abcdef0123456789abcdef/execute?api-version=2.0",
				Status: 200, Latency: 800 * time.Microsecond, Rows: 1, Request: req, Response: resp}
			ctx := context.Background()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				rec.At = time.Now()
				tel.record(&rec)
				if i++; i%1024 == 0 {
					_ = tel.logs.flush(ctx)
				}
			}
			b.ReportMetric(float64(tel.logs.dropped.Load())/float64(b.N), "drops/op")
		})
	}
}

// discardLogs is a RequestLogStore that takes everything at once.
type discardLogs struct{}

func (discardLogs) AppendRequestLogs(context.Context, []scoregate.RequestLog) error { return nil }
func (discardLogs) RequestLogs(context.Context, scoregate.RequestLogQuery) ([]scoregate.RequestLog, error) {
	return nil, nil
}
func (discardLogs) DeleteRequestLogsBefore(context.Context, time.Time) (int64, error) { return 0, nil }
