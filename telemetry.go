package scoregate

import (
	"context"
	"time"
)

// Change records that something a serving replica caches changed: an
// endpoint (its keys, settings, trained model; or it was deleted), or,
// with EndpointID empty, every endpoint of a web service or workspace
// (publish, deletion of a web service, a workspace token). Replicas read
// the changes after the last one they saw, a few times a second, and
// drop what they cached for the endpoints named.
type Change struct {
	Seq          int64
	WorkspaceID  string
	WebServiceID string // empty: the whole workspace
	EndpointID   string // empty: every endpoint of the web service (or workspace)
	At           time.Time
}

// ChangeFeed is the store's log of changes. Every Store method that
// changes keys, tokens, endpoint settings or models appends to it in the
// same transaction.
type ChangeFeed interface {
	// LastChange returns the sequence number of the latest change (0 when
	// there is none).
	LastChange(ctx context.Context) (int64, error)
	// ChangesAfter returns up to limit changes with Seq > after, oldest
	// first.
	ChangesAfter(ctx context.Context, after int64, limit int) ([]Change, error)
	// PruneChanges deletes changes older than before.
	PruneChanges(ctx context.Context, before time.Time) error
}

// RequestLog is one recorded scoring request of an endpoint whose
// DiagnosticsTraceLevel asks for it. Bodies are truncated to the
// gateway's limit (Truncated says so); keys and tokens never appear.
type RequestLog struct {
	ID          int64
	EndpointID  string
	WorkspaceID string
	At          time.Time // when the request arrived (UTC)
	RequestID   string    // x-ms-request-id
	Method      string
	Path        string // URL path and query, credentials redacted
	Status      int
	Latency     time.Duration
	Rows        int
	// ErrorCode is the detail code of a failed request (InputParseError,
	// RequestThrottled, ...); empty on success.
	ErrorCode string
	Request   string
	Response  string
	Truncated bool
}

// RequestLogQuery selects recorded requests of one endpoint, newest first.
type RequestLogQuery struct {
	EndpointID string
	From, To   time.Time // zero: unbounded; From inclusive, To exclusive
	// Status filters by HTTP status: an exact code (404) or a class
	// written as 4 (4xx) or 5 (5xx); 0 keeps every status.
	Status int
	Limit  int // at most this many (the store caps it)
}

// RequestLogStore keeps recorded requests.
type RequestLogStore interface {
	AppendRequestLogs(ctx context.Context, logs []RequestLog) error
	RequestLogs(ctx context.Context, q RequestLogQuery) ([]RequestLog, error)
	// DeleteRequestLogsBefore deletes the records older than before and
	// returns how many it deleted.
	DeleteRequestLogsBefore(ctx context.Context, before time.Time) (int64, error)
}

// UsageHour is what one replica saw of one endpoint in one hour. Replicas
// write their own rows (keyed by endpoint, hour and replica), replacing
// them as the hour goes on; readers add the rows of an hour up.
type UsageHour struct {
	EndpointID  string
	WorkspaceID string
	Hour        time.Time // start of the hour, UTC
	Replica     string
	Calls       int64 // every scoring request, throttled ones included
	Errors      int64 // requests answered 4xx or 5xx, throttled ones included
	Throttled   int64 // requests refused by throttling (503 RequestThrottled)
	Rows        int64 // rows scored
	// Latency counts requests by latency bucket; LatencyBuckets gives the
	// buckets' upper bounds.
	Latency []int64
}

// LatencyBuckets are the upper bounds, in seconds, of the latency
// histogram of UsageHour and of the gateway's metrics: 100 µs to 60 s,
// about four per decade; the last bucket (len(LatencyBuckets)) counts
// everything slower.
var LatencyBuckets = []float64{
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
	0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
}

// UsageStore keeps hourly usage.
type UsageStore interface {
	// PutUsage inserts or replaces the rows of (endpoint, hour, replica).
	PutUsage(ctx context.Context, rows []UsageHour) error
	// Usage returns the rows of an endpoint with from <= Hour < to, every
	// replica's, ordered by hour.
	Usage(ctx context.Context, endpointID string, from, to time.Time) ([]UsageHour, error)
	// DeleteUsageBefore deletes rows of hours before before.
	DeleteUsageBefore(ctx context.Context, before time.Time) error
}
