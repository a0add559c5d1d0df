package store_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/store"
	"github.com/scoregate/scoregate/store/storetest"
)

// t0 is the time the recorded requests of these tests start at.
var t0 = time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)

// endpoints publishes web service svc in a new workspace and adds the
// endpoints names; it returns the workspace and the endpoints by name.
func endpoints(t *testing.T, db *store.DB, names ...string) (*scoregate.Workspace, map[string]*scoregate.Endpoint) {
	t.Helper()
	ws := newWorkspace(t, db, "ws")
	publish(t, db, ws.ID, "svc", 1)
	eps := map[string]*scoregate.Endpoint{}
	for _, name := range names {
		ep, _, err := db.PutEndpoint(t.Context(), ws.ID, "svc", name, scoregate.EndpointSettings{})
		ok(t, err)
		eps[name] = ep
	}
	return ws, eps
}

// requestIDs returns the RequestID of each record.
func requestIDs(logs []scoregate.RequestLog) []string {
	ids := []string{}
	for _, l := range logs {
		ids = append(ids, l.RequestID)
	}
	return ids
}

func TestRequestLogs(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws, eps := endpoints(t, db, "ep", "other")
		ep, other := eps["ep"].ID, eps["other"].ID

		// r0 … r9, a minute apart; r9 is the newest.
		statuses := []int{200, 200, 400, 404, 404, 500, 503, 200, 201, 429}
		var logs []scoregate.RequestLog
		for i, status := range statuses {
			logs = append(logs, scoregate.RequestLog{
				EndpointID: ep, At: t0.Add(time.Duration(i) * time.Minute),
				RequestID: fmt.Sprintf("r%d", i), Method: "POST", Path: "/execute?api-version=2.0",
				Status: status, Latency: time.Duration(i)*time.Millisecond + 250*time.Microsecond, Rows: i,
			})
		}
		logs = append(logs, scoregate.RequestLog{EndpointID: other, At: t0.Add(3 * time.Minute), RequestID: "o0", Status: 404})
		ok(t, db.AppendRequestLogs(ctx, logs))

		cases := []struct {
			name string
			q    scoregate.RequestLogQuery
			want []string
		}{
			{"all, newest first", scoregate.RequestLogQuery{}, []string{"r9", "r8", "r7", "r6", "r5", "r4", "r3", "r2", "r1", "r0"}},
			{"from is inclusive", scoregate.RequestLogQuery{From: t0.Add(7 * time.Minute)}, []string{"r9", "r8", "r7"}},
			{"to is exclusive", scoregate.RequestLogQuery{To: t0.Add(2 * time.Minute)}, []string{"r1", "r0"}},
			{"from and to", scoregate.RequestLogQuery{From: t0.Add(2 * time.Minute), To: t0.Add(5 * time.Minute)}, []string{"r4", "r3", "r2"}},
			{"bounds in another zone", scoregate.RequestLogQuery{
				From: t0.Add(2 * time.Minute).In(time.FixedZone("UTC+2", 7200)),
				To:   t0.Add(4*time.Minute + time.Second).In(time.FixedZone("UTC-5", -18000)),
			}, []string{"r4", "r3", "r2"}},
			{"sub-second bound", scoregate.RequestLogQuery{From: t0.Add(time.Minute - time.Microsecond), To: t0.Add(time.Minute + time.Microsecond)}, []string{"r1"}},
			{"exact status", scoregate.RequestLogQuery{Status: 404}, []string{"r4", "r3"}},
			{"status class 4", scoregate.RequestLogQuery{Status: 4}, []string{"r9", "r4", "r3", "r2"}},
			{"status class 2", scoregate.RequestLogQuery{Status: 2}, []string{"r8", "r7", "r1", "r0"}},
			{"status class 5 from a time", scoregate.RequestLogQuery{Status: 5, From: t0.Add(6 * time.Minute)}, []string{"r6"}},
			{"status nobody got", scoregate.RequestLogQuery{Status: 302}, []string{}},
			{"limit", scoregate.RequestLogQuery{Limit: 3}, []string{"r9", "r8", "r7"}},
			{"limit with a filter", scoregate.RequestLogQuery{Status: 2, Limit: 1}, []string{"r8"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				q := c.q
				q.EndpointID = ep
				got, err := db.RequestLogs(ctx, q)
				ok(t, err)
				if ids := requestIDs(got); !slices.Equal(ids, c.want) {
					t.Fatalf("RequestLogs(%+v) = %v, want %v", q, ids, c.want)
				}
			})
		}

		got, err := db.RequestLogs(ctx, scoregate.RequestLogQuery{EndpointID: other})
		ok(t, err)
		want := scoregate.RequestLog{ID: got[0].ID, EndpointID: other, WorkspaceID: ws.ID, At: t0.Add(3 * time.Minute), RequestID: "o0", Status: 404}
		if len(got) != 1 || got[0] != want {
			t.Fatalf("the other endpoint's records = %+v, want [%+v]", got, want)
		}
		got, err = db.RequestLogs(ctx, scoregate.RequestLogQuery{EndpointID: ep, From: t0.Add(3 * time.Minute), Limit: 1})
		ok(t, err)
		want = logs[9]
		want.ID, want.WorkspaceID = got[0].ID, ws.ID
		if got[0] != want || got[0].ID <= 0 {
			t.Fatalf("record read back = %+v, want %+v", got[0], want)
		}
		if got, err := db.RequestLogs(ctx, scoregate.RequestLogQuery{EndpointID: scoregate.NewID()}); err != nil || len(got) != 0 {
			t.Fatalf("records of an unknown endpoint = %+v, %v", got, err)
		}

		for _, status := range []int{-1, 10, 99, 1000} {
			_, err := db.RequestLogs(ctx, scoregate.RequestLogQuery{EndpointID: ep, Status: status})
			if e := wantError(t, err, scoregate.BadUserArgument, scoregate.CodeInvalidValue); e.Target != "Status" {
				t.Fatalf("status %d: target %q", status, e.Target)
			}
		}

		n, err := db.DeleteRequestLogsBefore(ctx, t0.Add(4*time.Minute))
		ok(t, err)
		if n != 5 { // r0 … r3 and o0
			t.Fatalf("DeleteRequestLogsBefore deleted %d records, want 5", n)
		}
		got, err = db.RequestLogs(ctx, scoregate.RequestLogQuery{EndpointID: ep})
		ok(t, err)
		if ids := requestIDs(got); !slices.Equal(ids, []string{"r9", "r8", "r7", "r6", "r5", "r4"}) {
			t.Fatalf("records left = %v", ids)
		}
		if n, err := db.DeleteRequestLogsBefore(ctx, t0.Add(4*time.Minute)); err != nil || n != 0 {
			t.Fatalf("deleting again deleted %d (%v)", n, err)
		}
	})
}

// TestRequestLogsBatch appends more records in one call than one INSERT
// holds, with times as a replica passes them, and reads them back with the
// default limit and the cap.
func TestRequestLogsBatch(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		_, eps := endpoints(t, db, "ep")
		ep := eps["ep"].ID
		zone := time.FixedZone("UTC+1", 3600)
		logs := make([]scoregate.RequestLog, 1100)
		for i := range logs {
			logs[i] = scoregate.RequestLog{
				EndpointID: ep, RequestID: fmt.Sprint(i), Status: 200,
				// Nanoseconds and a zone: stored in UTC to the microsecond.
				At: t0.Add(time.Duration(i)*time.Millisecond + 789*time.Nanosecond).In(zone),
			}
		}
		// A record of an endpoint deleted since: dropped, the rest kept.
		logs = append(logs, scoregate.RequestLog{EndpointID: scoregate.NewID(), RequestID: "gone", Status: 200, At: t0})
		ok(t, db.AppendRequestLogs(ctx, logs))
		ok(t, db.AppendRequestLogs(ctx, nil))

		if n, err := db.Count(ctx, "request_logs"); err != nil || n != 1100 {
			t.Fatalf("%d records stored (%v), want 1100", n, err)
		}
		for _, c := range []struct{ limit, want int }{{0, 100}, {-5, 100}, {250, 250}, {5000, 1000}} {
			got, err := db.RequestLogs(ctx, scoregate.RequestLogQuery{EndpointID: ep, Limit: c.limit})
			ok(t, err)
			if len(got) != c.want || got[0].RequestID != "1099" || got[len(got)-1].RequestID != fmt.Sprint(1100-c.want) {
				t.Fatalf("Limit %d: %d records from %s, want %d from 1099", c.limit, len(got), got[0].RequestID, c.want)
			}
			wantAt := t0.Add(1099 * time.Millisecond)
			if !got[0].At.Equal(wantAt) || got[0].At.Location() != time.UTC {
				t.Fatalf("At read back = %v, want %v", got[0].At, wantAt)
			}
		}
	})
}

// TestRequestLogsWhileDeleting appends records of an endpoint while it is
// deleted: no append may fail, and none of its records may outlive it.
func TestRequestLogsWhileDeleting(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws, eps := endpoints(t, db, "ep", "keep")
		ok(t, db.WarmUp(ctx, 6))
		const writers, rounds = 4, 20
		var wg sync.WaitGroup
		errs := make([]error, writers)
		for w := range writers {
			wg.Go(func() {
				for i := range rounds {
					batch := []scoregate.RequestLog{
						{EndpointID: eps["keep"].ID, At: t0, Status: 200},
						{EndpointID: eps["ep"].ID, At: t0, Status: 200},
					}
					if err := db.AppendRequestLogs(ctx, batch); err != nil {
						errs[w] = err
						return
					}
					err := db.PutUsage(ctx, []scoregate.UsageHour{
						{EndpointID: eps["keep"].ID, Hour: t0, Replica: fmt.Sprint(w), Calls: int64(i)},
						{EndpointID: eps["ep"].ID, Hour: t0, Replica: fmt.Sprint(w), Calls: int64(i)},
					})
					if err != nil {
						errs[w] = err
						return
					}
				}
			})
		}
		time.Sleep(20 * time.Millisecond)
		ok(t, db.DeleteEndpoint(ctx, ws.ID, "svc", "ep"))
		wg.Wait()
		for _, err := range errs {
			ok(t, err)
		}
		for _, table := range []string{"request_logs", "usage_hours"} {
			var n int64
			err := db.Scan(ctx, &n, "SELECT COUNT(*) FROM "+table+" WHERE endpoint_id = ?", eps["ep"].ID)
			ok(t, err)
			if n != 0 {
				t.Fatalf("%d rows of %s outlived their endpoint", n, table)
			}
		}
		kept, err := db.RequestLogs(ctx, scoregate.RequestLogQuery{EndpointID: eps["keep"].ID, Limit: 1000})
		ok(t, err)
		if len(kept) != writers*rounds {
			t.Fatalf("%d records of the endpoint kept, want %d", len(kept), writers*rounds)
		}
	})
}
