package store_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/store"
	"github.com/scoregate/scoregate/store/storetest"
)

func TestUsage(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws, eps := endpoints(t, db, "ep", "other")
		ep, other := eps["ep"].ID, eps["other"].ID
		h0, h1, h2 := t0, t0.Add(time.Hour), t0.Add(2*time.Hour)

		ok(t, db.PutUsage(ctx, []scoregate.UsageHour{
			{EndpointID: ep, Hour: h0, Replica: "r1", Calls: 10, Errors: 2, Throttled: 1, Rows: 100, Latency: []int64{1, 2, 3}},
			{EndpointID: ep, Hour: h0, Replica: "r2", Calls: 5, Rows: 50, Latency: []int64{5}},
			{EndpointID: ep, Hour: h1, Replica: "r1", Calls: 7, Rows: 70},
			{EndpointID: ep, Hour: h2, Replica: "r1", Calls: 9},
			{EndpointID: other, Hour: h0, Replica: "r1", Calls: 1000},
			{EndpointID: scoregate.NewID(), Hour: h0, Replica: "r1", Calls: 1}, // deleted since: dropped
		}))
		// r1 reports h0 again, later in the hour and in another zone, twice
		// in one call: its totals replace what it wrote, the last one wins.
		mid := h0.Add(25 * time.Minute).In(time.FixedZone("UTC+5:30", 19800))
		ok(t, db.PutUsage(ctx, []scoregate.UsageHour{
			{EndpointID: ep, Hour: mid, Replica: "r1", Calls: 11, Errors: 3, Throttled: 1, Rows: 110, Latency: []int64{1, 2, 4}},
			{EndpointID: ep, Hour: mid, Replica: "r1", Calls: 12, Errors: 3, Throttled: 2, Rows: 120, Latency: []int64{2, 2, 4, 1}},
		}))
		ok(t, db.PutUsage(ctx, nil))

		row := func(id string, hour time.Time, replica string, calls, errs, throttled, rows int64, latency ...int64) scoregate.UsageHour {
			u := scoregate.UsageHour{EndpointID: id, WorkspaceID: ws.ID, Hour: hour, Replica: replica,
				Calls: calls, Errors: errs, Throttled: throttled, Rows: rows}
			if len(latency) > 0 {
				u.Latency = latency
			}
			return u
		}
		cases := []struct {
			name     string
			endpoint string
			from, to time.Time
			want     []scoregate.UsageHour
		}{
			{"one hour, two replicas", ep, h0, h1, []scoregate.UsageHour{
				row(ep, h0, "r1", 12, 3, 2, 120, 2, 2, 4, 1),
				row(ep, h0, "r2", 5, 0, 0, 50, 5),
			}},
			{"to is exclusive", ep, h0, h2, []scoregate.UsageHour{
				row(ep, h0, "r1", 12, 3, 2, 120, 2, 2, 4, 1),
				row(ep, h0, "r2", 5, 0, 0, 50, 5),
				row(ep, h1, "r1", 7, 0, 0, 70),
			}},
			{"from is inclusive", ep, h1, h2.Add(time.Hour), []scoregate.UsageHour{
				row(ep, h1, "r1", 7, 0, 0, 70),
				row(ep, h2, "r1", 9, 0, 0, 0),
			}},
			{"bounds inside an hour", ep, h0.Add(time.Minute), h2, []scoregate.UsageHour{
				row(ep, h1, "r1", 7, 0, 0, 70),
			}},
			{"other endpoint", other, h0, h2, []scoregate.UsageHour{row(other, h0, "r1", 1000, 0, 0, 0)}},
			{"empty range", ep, h2, h2, []scoregate.UsageHour{}},
			{"unknown endpoint", scoregate.NewID(), h0, h2, []scoregate.UsageHour{}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, err := db.Usage(ctx, c.endpoint, c.from, c.to)
				ok(t, err)
				if !reflect.DeepEqual(got, c.want) {
					t.Fatalf("Usage(%s, %s) =\n%+v\nwant\n%+v", c.from, c.to, got, c.want)
				}
			})
		}
		if n, err := db.Count(ctx, "usage_hours"); err != nil || n != 5 {
			t.Fatalf("%d usage rows (%v), want 5", n, err)
		}

		ok(t, db.DeleteUsageBefore(ctx, h1))
		got, err := db.Usage(ctx, ep, h0, h2.Add(time.Hour))
		ok(t, err)
		want := []scoregate.UsageHour{row(ep, h1, "r1", 7, 0, 0, 70), row(ep, h2, "r1", 9, 0, 0, 0)}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("after DeleteUsageBefore(h1): %+v, want %+v", got, want)
		}
		if got, err := db.Usage(ctx, other, h0, h2); err != nil || len(got) != 0 {
			t.Fatalf("the other endpoint's hour before h1 survived: %+v (%v)", got, err)
		}
	})
}

// TestEndpointDeletionTakesItsRecords checks that recorded requests and
// usage go with their endpoint and web service, while the change feed keeps
// the deletion.
func TestEndpointDeletionTakesItsRecords(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ws, eps := endpoints(t, db, "ep", "keep")
		for _, ep := range eps {
			ok(t, db.AppendRequestLogs(ctx, []scoregate.RequestLog{
				{EndpointID: ep.ID, At: t0, Status: 200}, {EndpointID: ep.ID, At: t0, Status: 500},
			}))
			ok(t, db.PutUsage(ctx, []scoregate.UsageHour{{EndpointID: ep.ID, Hour: t0, Replica: "r", Calls: 2}}))
		}
		count := func(table string, want int64) {
			t.Helper()
			if n, err := db.Count(ctx, table); err != nil || n != want {
				t.Fatalf("%d rows in %s (%v), want %d", n, table, err, want)
			}
		}
		count("request_logs", 4)
		count("usage_hours", 2)

		ok(t, db.DeleteEndpoint(ctx, ws.ID, "svc", "ep"))
		count("request_logs", 2)
		count("usage_hours", 1)
		if got, err := db.RequestLogs(ctx, scoregate.RequestLogQuery{EndpointID: eps["keep"].ID}); err != nil || len(got) != 2 {
			t.Fatalf("records of the endpoint kept: %+v (%v)", got, err)
		}
		if got, err := db.Usage(ctx, eps["keep"].ID, t0, t0.Add(time.Hour)); err != nil || len(got) != 1 {
			t.Fatalf("usage of the endpoint kept: %+v (%v)", got, err)
		}

		ok(t, db.DeleteWebService(ctx, ws.ID, "svc"))
		count("request_logs", 0)
		count("usage_hours", 0)
		changes, err := db.ChangesAfter(ctx, 0, 0)
		ok(t, err)
		last := changes[len(changes)-1]
		if last.WebServiceID == "" || last.EndpointID != "" || changes[len(changes)-2].EndpointID != eps["ep"].ID {
			t.Fatalf("the feed lost the deletions: %+v", changes)
		}
	})
}
