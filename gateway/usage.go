package gateway

import (
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/scoregate/scoregate"
)

// Bounds of hourly usage.
const (
	hourSeconds = int64(time.Hour / time.Second)
	// usageKeepUnwritten is how long hours the store failed to take are
	// kept for another try before they are given up.
	usageKeepUnwritten = 24 * hourSeconds
	// usagePutChunk bounds the rows of one PutUsage call.
	usagePutChunk = 500
	// maxUsageSpan bounds the range of GET …/usage.
	maxUsageSpan = 400 * 24 * time.Hour
	// defaultUsageSpan is the range of GET …/usage without from.
	defaultUsageSpan = 24 * time.Hour
)

// hourCounts are one endpoint's counters for one hour. Recording a call
// adds to them with atomics; calls is added last, so a flush that reads it
// first and sees it unchanged knows there is nothing new to write.
type hourCounts struct {
	hour      int64 // unix seconds of the start of the hour
	calls     atomic.Int64
	errors    atomic.Int64
	throttled atomic.Int64
	rows      atomic.Int64
	latency   []atomic.Int64 // len(scoregate.LatencyBuckets)+1
	written   int64          // calls at the last successful PutUsage; guarded by endpointUsage.mu
}

// endpointUsage is one endpoint's usage of the hours not yet forgotten:
// the current one, the previous one, and older ones the store has not
// taken yet.
type endpointUsage struct {
	id, workspaceID string
	cur             atomic.Pointer[hourCounts] // the latest hour; the fast path

	mu    sync.Mutex
	hours map[int64]*hourCounts
	// floor is the first hour still counted: older hours were written
	// and forgotten, and a late call must not start them again from zero
	// (PutUsage replaces, it would shrink the stored totals).
	floor int64
}

func (u *endpointUsage) init(id, workspaceID string) {
	u.id, u.workspaceID = id, workspaceID
	u.hours = make(map[int64]*hourCounts, 2)
}

// hourOf returns the start of t's hour in unix seconds.
func hourOf(t time.Time) int64 {
	s := t.Unix()
	return s - s%hourSeconds
}

// latencyBucket returns the index of the histogram bucket of d: the first
// upper bound d does not exceed (Prometheus' "le"), or the overflow bucket.
func latencyBucket(d time.Duration) int {
	return sort.SearchFloat64s(scoregate.LatencyBuckets, d.Seconds())
}

// add counts rec in the hour it arrived.
func (u *endpointUsage) add(rec *callRecord) {
	at := rec.At
	if at.IsZero() {
		at = time.Now()
	}
	hour := hourOf(at)
	h := u.cur.Load()
	if h == nil || h.hour != hour {
		if h = u.slot(hour); h == nil {
			return
		}
	}
	if rec.Status >= 400 {
		h.errors.Add(1)
	}
	if rec.Throttled {
		h.throttled.Add(1)
	}
	if rec.Rows > 0 {
		h.rows.Add(int64(rec.Rows))
	}
	h.latency[latencyBucket(rec.Latency)].Add(1)
	h.calls.Add(1)
}

// slot returns the counters of hour, creating them, or nil for an hour
// already forgotten.
func (u *endpointUsage) slot(hour int64) *hourCounts {
	u.mu.Lock()
	defer u.mu.Unlock()
	if hour < u.floor {
		return nil
	}
	h := u.hours[hour]
	if h == nil {
		h = &hourCounts{hour: hour, latency: make([]atomic.Int64, len(scoregate.LatencyBuckets)+1)}
		u.hours[hour] = h
	}
	if cur := u.cur.Load(); cur == nil || cur.hour < hour {
		u.cur.Store(h)
	}
	return h
}

// usageMark remembers what a flush wrote of one hour.
type usageMark struct {
	u     *endpointUsage
	h     *hourCounts
	calls int64
}

// snapshot appends the cumulative totals of u's hours in [from, to) as
// rows of replica: all of them, or with changedOnly those with calls since
// the last write (and their marks).
func (u *endpointUsage) snapshot(replica string, from, to int64, changedOnly bool,
	rows []scoregate.UsageHour, marks []usageMark) ([]scoregate.UsageHour, []usageMark) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, h := range u.hours {
		if h.hour < from || h.hour >= to {
			continue
		}
		calls := h.calls.Load()
		if changedOnly && calls == h.written {
			continue
		}
		row := scoregate.UsageHour{
			EndpointID:  u.id,
			WorkspaceID: u.workspaceID,
			Hour:        time.Unix(h.hour, 0).UTC(),
			Replica:     replica,
			Calls:       calls,
			Errors:      h.errors.Load(),
			Throttled:   h.throttled.Load(),
			Rows:        h.rows.Load(),
			Latency:     make([]int64, len(h.latency)),
		}
		for i := range h.latency {
			row.Latency[i] = h.latency[i].Load()
		}
		rows = append(rows, row)
		marks = append(marks, usageMark{u: u, h: h, calls: calls})
	}
	return rows, marks
}

// forget drops the hours before keepFrom that were written in full, and
// the hours before giveUp whatever their state.
func (u *endpointUsage) forget(keepFrom, giveUp int64) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for hour, h := range u.hours {
		if hour >= keepFrom || (hour >= giveUp && h.calls.Load() != h.written) {
			continue
		}
		delete(u.hours, hour)
		u.floor = max(u.floor, hour+hourSeconds)
		u.cur.CompareAndSwap(h, nil)
	}
}

// usageLoop writes usage every opts.usageFlush and once more at close.
func (t *telemetry) usageLoop() {
	defer t.wg.Done()
	tick := time.NewTicker(t.opts.usageFlush)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			t.flushUsage()
		case <-t.stop:
			t.flushUsage()
			return
		}
	}
}

// flushUsage writes the cumulative totals of every (endpoint, hour) that
// changed since the last write, then forgets hours older than the previous
// one. The store replaces rows of (endpoint, hour, replica), so rewriting
// totals is idempotent and a lost write is repaired by the next.
func (t *telemetry) flushUsage() {
	now := hourOf(t.opts.now())
	var rows []scoregate.UsageHour
	var marks []usageMark
	t.endpoints.Range(func(_, v any) bool {
		rows, marks = v.(*endpointStats).usage.snapshot(t.replica, 0, now+hourSeconds, true, rows, marks)
		return true
	})
	for start := 0; start < len(rows); start += usagePutChunk {
		end := min(start+usagePutChunk, len(rows))
		ctx, cancel := t.ioContext()
		err := t.usageStore.PutUsage(ctx, rows[start:end])
		cancel()
		if err != nil {
			t.log.Warn("write usage", slog.Int("rows", len(rows)-start), slog.Any("error", err))
			marks = marks[:start]
			break
		}
	}
	for _, m := range marks {
		m.u.mu.Lock()
		m.h.written = m.calls
		m.u.mu.Unlock()
	}
	keepFrom, giveUp := now-hourSeconds, now-usageKeepUnwritten
	t.endpoints.Range(func(_, v any) bool {
		v.(*endpointStats).usage.forget(keepFrom, giveUp)
		return true
	})
}

// liveUsage returns this replica's in-memory totals of an endpoint for the
// hours in [from, to), written or not.
func (t *telemetry) liveUsage(endpointID string, from, to time.Time) []scoregate.UsageHour {
	v, ok := t.endpoints.Load(endpointID)
	if !ok {
		return nil
	}
	rows, _ := v.(*endpointStats).usage.snapshot(t.replica, from.Unix(), to.Unix(), false, nil, nil)
	return rows
}

// usageSum adds up usage rows.
type usageSum struct {
	calls, errors, throttled, rows int64
	latency                        []int64
}

func (s *usageSum) add(r *scoregate.UsageHour) {
	if s.latency == nil {
		s.latency = make([]int64, len(scoregate.LatencyBuckets)+1)
	}
	s.calls += r.Calls
	s.errors += r.Errors
	s.throttled += r.Throttled
	s.rows += r.Rows
	for i, n := range r.Latency {
		// A row with more buckets than this binary knows folds them into
		// the overflow bucket.
		s.latency[min(i, len(s.latency)-1)] += n
	}
}

func (s *usageSum) addSum(o *usageSum) {
	s.add(&scoregate.UsageHour{Calls: o.calls, Errors: o.errors, Throttled: o.throttled, Rows: o.rows, Latency: o.latency})
}

// hourSum is the merged usage of one hour.
type hourSum struct {
	hour time.Time
	usageSum
}

// mergeUsage adds the stored rows of every replica up per hour, taking this
// replica's live totals instead of its stored rows for the hours it still
// holds in memory (they are newer and include what was not flushed yet).
func mergeUsage(stored, live []scoregate.UsageHour, replica string) []hourSum {
	liveHours := make(map[int64]bool, len(live))
	for i := range live {
		liveHours[live[i].Hour.Unix()] = true
	}
	byHour := map[int64]*hourSum{}
	add := func(r *scoregate.UsageHour) {
		k := r.Hour.Unix()
		h := byHour[k]
		if h == nil {
			h = &hourSum{hour: r.Hour.UTC()}
			byHour[k] = h
		}
		h.add(r)
	}
	for i := range stored {
		if stored[i].Replica == replica && liveHours[stored[i].Hour.Unix()] {
			continue
		}
		add(&stored[i])
	}
	for i := range live {
		add(&live[i])
	}
	out := make([]hourSum, 0, len(byHour))
	for _, h := range byHour {
		out = append(out, *h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].hour.Before(out[j].hour) })
	return out
}

// latencyQuantile estimates the q-quantile, in seconds, of a histogram
// over scoregate.LatencyBuckets the way Prometheus' histogram_quantile
// does: linear interpolation inside the bucket that holds the quantile
// (from 0 for the first bucket), and the highest finite bound when the
// quantile falls in the overflow bucket. So the usage route and a Grafana
// panel over /metrics agree.
func latencyQuantile(counts []int64, q float64) float64 {
	bounds := scoregate.LatencyBuckets
	var total int64
	for _, n := range counts {
		total += n
	}
	if total == 0 {
		return 0
	}
	rank := q * float64(total)
	var below int64
	for i, n := range counts {
		if n > 0 && float64(below+n) >= rank {
			if i >= len(bounds) {
				break
			}
			lower := 0.0
			if i > 0 {
				lower = bounds[i-1]
			}
			return lower + (bounds[i]-lower)*(rank-float64(below))/float64(n)
		}
		below += n
	}
	return bounds[len(bounds)-1]
}

// usageJSON is the body of GET …/usage.
type usageJSON struct {
	EndpointName string
	From, To     time.Time
	Hours        []usageHourJSON
	Total        usageTotalsJSON
}

type usageHourJSON struct {
	Hour time.Time
	usageTotalsJSON
}

type usageTotalsJSON struct {
	Calls, Errors, Throttled, Rows int64
	LatencyMs                      percentilesJSON
}

type percentilesJSON struct {
	P50, P95, P99 float64
}

func toUsageTotalsJSON(s *usageSum) usageTotalsJSON {
	return usageTotalsJSON{
		Calls: s.calls, Errors: s.errors, Throttled: s.throttled, Rows: s.rows,
		LatencyMs: percentilesJSON{
			P50: millis(latencyQuantile(s.latency, 0.50)),
			P95: millis(latencyQuantile(s.latency, 0.95)),
			P99: millis(latencyQuantile(s.latency, 0.99)),
		},
	}
}

// usageRange reads from and to (RFC 3339; default the 24 hours before
// now). from is moved back to the start of its hour, so the hour it falls
// in is included.
func usageRange(c *fiber.Ctx, now time.Time) (from, to time.Time, err error) {
	if from, err = queryTime(c, "from"); err != nil {
		return
	}
	if to, err = queryTime(c, "to"); err != nil {
		return
	}
	if to.IsZero() {
		to = now.UTC()
	}
	if from.IsZero() {
		from = to.Add(-defaultUsageSpan)
	}
	from = from.Truncate(time.Hour)
	switch {
	case !from.Before(to):
		err = badParam("from", "from must be before to")
	case to.Sub(from) > maxUsageSpan:
		err = badParam("from", "from and to may be at most %d days apart", int(maxUsageSpan/(24*time.Hour)))
	}
	return
}

// handleEndpointUsage answers an endpoint's calls, errors, throttled calls,
// rows and latency per hour, every replica's added up.
func (s *Server) handleEndpointUsage(c *fiber.Ctx) error {
	from, to, err := usageRange(c, s.tel.opts.now())
	if err != nil {
		return err
	}
	if s.tel.usageStore == nil {
		return errNotConfigured("usage")
	}
	ctx := c.UserContext()
	e, err := s.store.Endpoint(ctx, param(c, "ws"), param(c, "svc"), param(c, "name"))
	if err != nil {
		return err
	}
	stored, err := s.tel.usageStore.Usage(ctx, e.ID, from, to)
	if err != nil {
		return err
	}
	hours := mergeUsage(stored, s.tel.liveUsage(e.ID, from, to), s.tel.replica)
	out := usageJSON{EndpointName: e.Name, From: from, To: to, Hours: make([]usageHourJSON, 0, len(hours))}
	var total usageSum
	for i := range hours {
		total.addSum(&hours[i].usageSum)
		out.Hours = append(out.Hours, usageHourJSON{Hour: hours[i].hour, usageTotalsJSON: toUsageTotalsJSON(&hours[i].usageSum)})
	}
	out.Total = toUsageTotalsJSON(&total)
	return writeJSON(c, fiber.StatusOK, out)
}
