package gateway

import (
	"strconv"

	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/scoregate/scoregate"
)

// Values of the endpoint label that are not endpoint ids.
const (
	// endpointOther counts the endpoints beyond Config.MetricsEndpoints,
	// so a workspace with thousands of endpoints cannot blow up the
	// number of series a Prometheus server has to keep.
	endpointOther = "other"
	// endpointUnknown counts calls refused before an endpoint was known
	// (no key, a wrong key, an unknown endpoint id).
	endpointUnknown = "unknown"
)

// metrics are the gateway's Prometheus collectors, in a registry of the
// Server's own: two Servers in one process (tests) do not share counters.
type metrics struct {
	registry  *prometheus.Registry
	requests  *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	throttled *prometheus.CounterVec
	rows      *prometheus.CounterVec
	batchRows *prometheus.CounterVec
	batchJobs *prometheus.CounterVec
	drops     *prometheus.CounterVec
}

// newMetrics registers the collectors. dropped reads the count of request
// log records the writer dropped.
func newMetrics(dropped func() float64) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scoregate_requests_total",
			Help: "Scoring requests by endpoint id and HTTP status class.",
		}, []string{"endpoint", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "scoregate_request_duration_seconds",
			Help:    "Latency of scoring requests by endpoint id.",
			Buckets: scoregate.LatencyBuckets,
		}, []string{"endpoint"}),
		throttled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scoregate_throttled_total",
			Help: "Scoring requests refused by throttling (503 RequestThrottled) by endpoint id.",
		}, []string{"endpoint"}),
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scoregate_rows_scored_total",
			Help: "Rows scored by endpoint id.",
		}, []string{"endpoint"}),
		batchRows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scoregate_batch_rows_total",
			Help: "Rows of batch jobs ended on this replica, by result (scored, failed).",
		}, []string{"result"}),
		batchJobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scoregate_batch_jobs_total",
			Help: "Batch jobs ended on this replica, by status (Finished, Failed, Cancelled).",
		}, []string{"status"}),
		drops: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scoregate_drop_files_total",
			Help: "Dropped files a schedule's run finished on this replica, by status (scored, failed).",
		}, []string{"status"}),
	}
	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.duration, m.throttled, m.rows, m.batchRows, m.batchJobs, m.drops,
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "scoregate_request_logs_dropped_total",
			Help: "Request log records dropped because the writer's queue was full or the store failed.",
		}, dropped),
	)
	return m
}

// endpointMetrics are the children of one endpoint label, looked up once
// per endpoint so that recording a call does no label hashing.
type endpointMetrics struct {
	label     string
	codes     [6]prometheus.Counter // by status/100; nil for classes created on demand
	duration  prometheus.Observer
	throttled prometheus.Counter
	rows      prometheus.Counter
}

// forEndpoint returns the children of label. The classes a scoring call
// answers with are created at once, so their series exist (at zero) before
// the first failure and rate() over them works from the start.
func (m *metrics) forEndpoint(label string) *endpointMetrics {
	em := &endpointMetrics{
		label:     label,
		duration:  m.duration.WithLabelValues(label),
		throttled: m.throttled.WithLabelValues(label),
		rows:      m.rows.WithLabelValues(label),
	}
	for _, class := range []int{2, 4, 5} {
		em.codes[class] = m.requests.WithLabelValues(label, statusClass(class*100))
	}
	return em
}

// observe counts one call.
func (m *metrics) observe(em *endpointMetrics, rec *callRecord) {
	if c := rec.Status / 100; c > 0 && c < len(em.codes) && em.codes[c] != nil {
		em.codes[c].Inc()
	} else {
		// 1xx, 3xx or a status that is not one: never answered by the
		// scoring routes, so the label lookup does not matter.
		m.requests.WithLabelValues(em.label, statusClass(rec.Status)).Inc()
	}
	em.duration.Observe(rec.Latency.Seconds())
	if rec.Throttled {
		em.throttled.Inc()
	}
	if rec.Rows > 0 {
		em.rows.Add(float64(rec.Rows))
	}
}

// statusClass is the code label of a status: "2xx", "4xx", ...
func statusClass(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status/100) + "xx"
}

// metricsRoutes registers GET /metrics. It is not authenticated, as
// Prometheus scrapers expect; it reveals endpoint ids and traffic, so
// operators should serve it only to their monitoring network (block the
// path at the public load balancer or proxy).
func (s *Server) metricsRoutes() {
	h := promhttp.HandlerFor(s.tel.metrics.registry, promhttp.HandlerOpts{
		// A collector failing (the process collector on an exotic OS)
		// should not hide the gateway's own series.
		ErrorHandling: promhttp.ContinueOnError,
	})
	s.app.Get("/metrics", adaptor.HTTPHandler(h))
}

// ObserveBatch counts a batch job that ended on this replica, for
// /metrics; package batch's Runner calls it (wired in cmd).
func (s *Server) ObserveBatch(status scoregate.JobStatus, p scoregate.JobProgress) {
	m := s.tel.metrics
	m.batchJobs.WithLabelValues(string(status)).Inc()
	m.batchRows.WithLabelValues("scored").Add(float64(p.RowsScored))
	m.batchRows.WithLabelValues("failed").Add(float64(p.RowsFailed))
}

// ObserveDrop counts a dropped file finished on this replica (scored or
// failed), for /metrics; package batch's Runner calls it (wired in cmd).
func (s *Server) ObserveDrop(status string) {
	s.tel.metrics.drops.WithLabelValues(status).Inc()
}
