package gateway

import (
	"context"
	"math"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/scoregate/scoregate"
)

// memUsageStore is an in-memory scoregate.UsageStore that replaces rows by
// (endpoint, hour, replica) as the real one does.
type memUsageStore struct {
	mu      sync.Mutex
	rows    map[usageKey]scoregate.UsageHour
	puts    [][]scoregate.UsageHour
	deleted []time.Time
}

type usageKey struct {
	endpoint string
	hour     int64
	replica  string
}

func (m *memUsageStore) PutUsage(_ context.Context, rows []scoregate.UsageHour) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.rows == nil {
		m.rows = map[usageKey]scoregate.UsageHour{}
	}
	put := make([]scoregate.UsageHour, 0, len(rows))
	for _, r := range rows {
		r.Latency = append([]int64(nil), r.Latency...)
		m.rows[usageKey{r.EndpointID, r.Hour.Unix(), r.Replica}] = r
		put = append(put, r)
	}
	m.puts = append(m.puts, put)
	return nil
}

func (m *memUsageStore) Usage(_ context.Context, endpointID string, from, to time.Time) ([]scoregate.UsageHour, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []scoregate.UsageHour
	for _, r := range m.rows {
		if r.EndpointID == endpointID && !r.Hour.Before(from) && r.Hour.Before(to) {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Hour.Before(out[j].Hour) })
	return out, nil
}

func (m *memUsageStore) DeleteUsageBefore(_ context.Context, before time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.deleted = append(m.deleted, before)
	return nil
}

func (m *memUsageStore) row(endpoint string, hour time.Time, replica string) (scoregate.UsageHour, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.rows[usageKey{endpoint, hour.Unix(), replica}]
	return r, ok
}

func (m *memUsageStore) putCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.puts)
}

// fakeClock is a settable time for the usage tests.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func TestUsageAcrossHours(t *testing.T) {
	t.Parallel()
	usage := &memUsageStore{}
	clk := &fakeClock{now: time.Date(2026, 11, 30, 6, 30, 0, 0, time.UTC)}
	tel, _ := testTelemetry(t, nil, usage, func(c *Config, tm *telemetryOptions) {
		c.Replica = "r1"
		tm.usageFlush = time.Hour // flushed by hand
		tm.now = clk.Now
	})
	e := testEndpoint("e1", scoregate.TraceNone)
	hour := func(h int) time.Time { return time.Date(2026, 11, 30, h, 0, 0, 0, time.UTC) }
	call := func(h, min, status int, latency time.Duration, rows int, throttled bool) {
		tel.record(&callRecord{Endpoint: e, At: hour(h).Add(time.Duration(min) * time.Minute),
			Status: status, Latency: latency, Rows: rows, Throttled: throttled})
	}
	call(3, 10, 200, time.Millisecond, 5, false)
	call(5, 59, 200, 2*time.Millisecond, 5, false)
	call(5, 59, 400, 3*time.Millisecond, 0, false)
	call(6, 1, 503, 50*time.Microsecond, 0, true)
	call(6, 2, 200, 90*time.Second, 7, false)

	tel.flushUsage()
	for _, want := range []scoregate.UsageHour{
		{Hour: hour(3), Calls: 1, Rows: 5},
		{Hour: hour(5), Calls: 2, Errors: 1, Rows: 5},
		{Hour: hour(6), Calls: 2, Errors: 1, Throttled: 1, Rows: 7},
	} {
		got, ok := usage.row("e1", want.Hour, "r1")
		if !ok {
			t.Fatalf("no row of %v", want.Hour)
		}
		if got.Calls != want.Calls || got.Errors != want.Errors || got.Throttled != want.Throttled ||
			got.Rows != want.Rows || got.WorkspaceID != "ws-e1" {
			t.Errorf("row of %v = %+v, want %+v", want.Hour, got, want)
		}
		if len(got.Latency) != len(scoregate.LatencyBuckets)+1 {
			t.Errorf("latency of %d buckets", len(got.Latency))
		}
	}
	r6, _ := usage.row("e1", hour(6), "r1")
	if r6.Latency[0] != 1 || r6.Latency[len(r6.Latency)-1] != 1 {
		t.Errorf("hour 6 latency %v: want one in the first bucket, one in the overflow", r6.Latency)
	}
	r5, _ := usage.row("e1", hour(5), "r1")
	if r5.Latency[latencyBucket(2*time.Millisecond)] != 1 || latencyBucket(2*time.Millisecond) != 4 ||
		latencyBucket(time.Millisecond) != 3 { // 1 ms is in the bucket whose upper bound is 1 ms ("le")
		t.Errorf("hour 5 latency %v", r5.Latency)
	}

	// Hour 3 was written and is older than the previous hour: forgotten,
	// and a late call for it cannot restart it from zero.
	st, _ := tel.endpoints.Load("e1")
	u := &st.(*endpointStats).usage
	u.mu.Lock()
	kept := len(u.hours)
	u.mu.Unlock()
	if kept != 2 {
		t.Errorf("%d hours kept in memory, want 2 (current and previous)", kept)
	}
	call(3, 50, 200, time.Millisecond, 1, false)

	// Nothing changed: nothing written.
	puts := usage.putCount()
	tel.flushUsage()
	if usage.putCount() != puts {
		t.Errorf("a flush without new calls wrote")
	}

	// More calls in hour 6: its row is replaced by the cumulative totals.
	call(6, 20, 200, time.Millisecond, 1, false)
	tel.flushUsage()
	r6, _ = usage.row("e1", hour(6), "r1")
	if r6.Calls != 3 || r6.Rows != 8 || r6.Errors != 1 {
		t.Errorf("hour 6 after more calls = %+v, want cumulative 3 calls, 8 rows", r6)
	}
	if r3, _ := usage.row("e1", hour(3), "r1"); r3.Calls != 1 {
		t.Errorf("hour 3 = %+v, want its first total kept", r3)
	}
	usage.mu.Lock()
	last := usage.puts[len(usage.puts)-1]
	usage.mu.Unlock()
	if len(last) != 1 || !last[0].Hour.Equal(hour(6)) {
		t.Errorf("last put %+v, want hour 6 only", last)
	}

	// The next hour: hour 5 goes too, hour 6 stays as the previous one.
	clk.Set(hour(7).Add(time.Minute))
	call(7, 0, 200, time.Millisecond, 1, false)
	tel.flushUsage()
	u.mu.Lock()
	_, has5 := u.hours[hourOf(hour(5))]
	_, has6 := u.hours[hourOf(hour(6))]
	u.mu.Unlock()
	if has5 || !has6 {
		t.Errorf("after 07:00 hour 5 kept %v, hour 6 kept %v; want false, true", has5, has6)
	}
}

func TestUsageFlushOnClose(t *testing.T) {
	t.Parallel()
	usage := &memUsageStore{}
	tel, _ := testTelemetry(t, nil, usage, func(c *Config, tm *telemetryOptions) {
		c.Replica = "r1"
		tm.usageFlush = time.Hour
	})
	at := time.Now()
	tel.record(&callRecord{Endpoint: testEndpoint("e1", scoregate.TraceNone), At: at, Status: 200})
	if err := tel.close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r, ok := usage.row("e1", at.Truncate(time.Hour), "r1"); !ok || r.Calls != 1 {
		t.Errorf("row after close = %+v, %v", r, ok)
	}
}

func TestUsageRandomReplica(t *testing.T) {
	t.Parallel()
	tel, _ := testTelemetry(t, nil, nil, nil)
	if len(tel.replica) != 8 {
		t.Errorf("replica %q, want 8 hex digits", tel.replica)
	}
}

func TestLatencyQuantile(t *testing.T) {
	t.Parallel()
	counts := func(set map[int]int64) []int64 {
		c := make([]int64, len(scoregate.LatencyBuckets)+1)
		for i, n := range set {
			c[i] = n
		}
		return c
	}
	// 50 calls in (0.5 ms, 1 ms], 45 in (5 ms, 10 ms], 5 in (50 ms, 100 ms].
	known := counts(map[int]int64{3: 50, 6: 45, 9: 5})
	for _, tc := range []struct {
		name   string
		counts []int64
		q      float64
		wantMs float64
	}{
		{"P50 at the top of its bucket", known, 0.50, 1},
		{"P95 at the top of its bucket", known, 0.95, 10},
		{"P99 interpolated", known, 0.99, 90}, // 50 + 50*(99-95)/5
		{"P25 interpolated", known, 0.25, 0.75},
		{"first bucket from zero", counts(map[int]int64{0: 4}), 0.5, 0.05},
		{"overflow gives the highest bound", counts(map[int]int64{18: 10}), 0.5, 60000},
		{"empty", counts(nil), 0.99, 0},
	} {
		if got := millis(latencyQuantile(tc.counts, tc.q)); math.Abs(got-tc.wantMs) > 1e-6 {
			t.Errorf("%s: %v ms, want %v", tc.name, got, tc.wantMs)
		}
	}
}

func TestMergeUsage(t *testing.T) {
	t.Parallel()
	h6 := time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)
	h7 := h6.Add(time.Hour)
	lat := func(i int, n int64) []int64 {
		c := make([]int64, len(scoregate.LatencyBuckets)+1)
		c[i] = n
		return c
	}
	stored := []scoregate.UsageHour{
		{Hour: h6, Replica: "a", Calls: 10, Errors: 1, Rows: 10, Latency: lat(3, 10)},
		{Hour: h6, Replica: "me", Calls: 5, Rows: 5, Latency: lat(3, 5)},
		{Hour: h7, Replica: "me", Calls: 1, Rows: 1, Latency: lat(3, 1)}, // stale: live has more
	}
	live := []scoregate.UsageHour{{Hour: h7, Replica: "me", Calls: 4, Throttled: 2, Errors: 2, Rows: 2, Latency: lat(6, 4)}}
	got := mergeUsage(stored, live, "me")
	if len(got) != 2 || !got[0].hour.Equal(h6) || !got[1].hour.Equal(h7) {
		t.Fatalf("hours %+v", got)
	}
	if got[0].calls != 15 || got[0].errors != 1 || got[0].rows != 15 || got[0].latency[3] != 15 {
		t.Errorf("06:00 = %+v, want both replicas added", got[0].usageSum)
	}
	if got[1].calls != 4 || got[1].throttled != 2 || got[1].latency[3] != 0 || got[1].latency[6] != 4 {
		t.Errorf("07:00 = %+v, want the live totals instead of the stored row", got[1].usageSum)
	}
}

// TestUsageConcurrent records from several goroutines while flushes run;
// the final totals count every call once.
func TestUsageConcurrent(t *testing.T) {
	t.Parallel()
	usage := &memUsageStore{}
	tel, _ := testTelemetry(t, nil, usage, func(c *Config, tm *telemetryOptions) {
		c.Replica = "r1"
		tm.usageFlush = time.Millisecond
	})
	at := time.Now()
	const workers, calls = 8, 2000
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			e := testEndpoint("e"+string(rune('0'+w%2)), scoregate.TraceNone)
			for i := range calls {
				tel.record(&callRecord{Endpoint: e, At: at, Status: 200 + 200*(i%2), Rows: 1,
					Latency: time.Duration(i) * time.Microsecond})
			}
		})
	}
	wg.Wait()
	if err := tel.close(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"e0", "e1"} {
		r, ok := usage.row(id, at.Truncate(time.Hour), "r1")
		var inHistogram int64
		for _, n := range r.Latency {
			inHistogram += n
		}
		want := int64(workers / 2 * calls)
		if !ok || r.Calls != want || r.Rows != want || r.Errors != want/2 || inHistogram != want {
			t.Errorf("%s: %+v (histogram %d), want %d calls", id, r, inHistogram, want)
		}
	}
}
