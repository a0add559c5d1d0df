package gateway_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/fixtures"
	"github.com/scoregate/scoregate/gateway"
)

// loggedCalls checks the body of …/logs: the failed call, then the
// successful one, newest first, with every field. It records the hour of
// the calls as {hour}.
func loggedCalls(t *testing.T, e *env, _ *http.Response, body []byte) {
	t.Helper()
	var got struct{ Value []map[string]any }
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Value) != 2 || got.Value[0]["Status"] != 400.0 || got.Value[1]["Status"] != 200.0 {
		t.Fatalf("logs %s, want the 400 then the 200", body)
	}
	for _, k := range []string{"Time", "RequestId", "Method", "Path", "Status", "LatencyMs", "Rows",
		"ErrorCode", "Request", "Response", "Truncated"} {
		if _, ok := got.Value[0][k]; !ok {
			t.Errorf("a log lacks %s: %s", k, body)
		}
	}
	at, err := time.Parse(time.RFC3339Nano, got.Value[1]["Time"].(string))
	if err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.vars["hour"] = at.UTC().Truncate(time.Hour).Format(time.RFC3339)
}

// TestTelemetryRoutes scores through the real route and store and reads
// the calls back from …/logs, …/usage and /metrics.
func TestTelemetryRoutes(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db database) {
		e := setup(t, db, withConfig(func(c *gateway.Config) { c.Replica = "r1" }))
		t.Cleanup(func() { _ = e.srv.CloseTelemetry(context.Background()) })
		const a = "/workspaces/{ws}/webservices/demo/endpoints/a"
		row := `["5.1","3.5","1.4","0.2"]`
		bad := func(name, path, target string) step {
			return step{name: name, method: "GET", path: path, status: 400,
				want: []string{`"code":"BadArgument"`, `"target":"` + target + `"`}}
		}
		e.run(t, []step{
			publish("publish", "demo", fixtures.DemoModel, 201),
			{name: "create a, logging every call", method: "PUT", path: a, body: `{"DiagnosticsTraceLevel":"All"}`,
				ctype: "application/json", status: 201, check: saveAPI("a.api")},
			putEndpoint("create b", "b", `{}`, 201),
			{name: "score", method: "POST", path: "{a.api}/execute?api-version=2.0", auth: "{a.primary}",
				body: table(irisColumns, row), ctype: "application/json", status: 200},
			{name: "score a malformed body", method: "POST", path: "{a.api}/execute?api-version=2.0", auth: "{a.primary}",
				body: `{"Inputs":`, ctype: "application/json", status: 400},
			{name: "score without a key", method: "POST", path: "{a.api}/execute?api-version=2.0", auth: "-",
				body: table(irisColumns, row), ctype: "application/json", status: 401},

			{name: "logs, flushed before reading", method: "GET", path: a + "/logs", status: 200,
				want: []string{`{"Value":[{"Time":"`, `"Method":"POST"`, `"Path":"{a.api}/execute?api-version=2.0"`,
					`"Status":400`, `"ErrorCode":"RequestBodyInvalid"`, `"Request":"{\"Inputs\":"`, `"Truncated":false`,
					`"Status":200`, `"Rows":1`, `"Scored Labels`},
				reject: []string{"{a.primary}", "Bearer"}, check: loggedCalls},
			{name: "logs with the endpoint key", method: "GET", path: a + "/logs", auth: "{a.primary}", status: 200,
				want: []string{`"Status":200`}},
			{name: "logs of a sibling with the endpoint key", method: "GET",
				path: "/workspaces/{ws}/webservices/demo/endpoints/b/logs", auth: "{a.primary}", status: 404},
			{name: "logs of an endpoint that logs nothing", method: "GET",
				path: "/workspaces/{ws}/webservices/demo/endpoints/b/logs", status: 200, want: []string{`{"Value":[]}`}},
			{name: "logs of a missing endpoint", method: "GET",
				path: "/workspaces/{ws}/webservices/demo/endpoints/nope/logs", status: 404},
			{name: "logs by status class", method: "GET", path: a + "/logs?status=4xx", status: 200,
				want: []string{`"Status":400`}, reject: []string{`"Status":200`}},
			{name: "logs by exact status", method: "GET", path: a + "/logs?status=200", status: 200,
				want: []string{`"Status":200`}, reject: []string{`"Status":400`}},
			{name: "logs limited", method: "GET", path: a + "/logs?limit=1", status: 200,
				want: []string{`"Status":400`}, reject: []string{`"Status":200`}},
			{name: "logs in a range", method: "GET", path: a + "/logs?from={hour}&to=2100-01-01T00:00:00Z", status: 200,
				want: []string{`"Status":400`, `"Status":200`}},
			{name: "logs before the range", method: "GET", path: a + "/logs?to={hour}", status: 200,
				want: []string{`{"Value":[]}`}},
			bad("logs with a bad from", a+"/logs?from=yesterday", "from"),
			bad("logs with a bad to", a+"/logs?to=2026-13-01T00:00:00Z", "to"),
			bad("logs with from after to", a+"/logs?from=2026-11-30T07:00:00Z&to=2026-11-30T06:00:00Z", "from"),
			bad("logs with a bad status", a+"/logs?status=abc", "status"),
			bad("logs with status 600", a+"/logs?status=600", "status"),
			bad("logs with limit 0", a+"/logs?limit=0", "limit"),
			bad("logs with a large limit", a+"/logs?limit=5000", "limit"),
		})

		// Another replica's row of the hour, and a stale one of this
		// replica that its live totals replace.
		hour, err := time.Parse(time.RFC3339, e.expand("{hour}"))
		if err != nil {
			t.Fatal(err)
		}
		usage := e.store.(scoregate.UsageStore)
		lat := make([]int64, len(scoregate.LatencyBuckets)+1)
		lat[3] = 3
		ctx := context.Background()
		id, ws := e.expand("{a.api.id}"), e.expand("{ws}")
		if err := usage.PutUsage(ctx, []scoregate.UsageHour{
			{EndpointID: id, WorkspaceID: ws, Hour: hour, Replica: "r0", Calls: 3, Errors: 1, Rows: 3, Latency: lat},
			{EndpointID: id, WorkspaceID: ws, Hour: hour, Replica: "r1", Calls: 100, Rows: 100, Latency: lat},
		}); err != nil {
			t.Fatal(err)
		}

		e.run(t, []step{
			{name: "usage, live totals merged with other replicas", method: "GET", path: a + "/usage", status: 200,
				want: []string{`{"EndpointName":"a","From":"`, `"Hours":[{"Hour":"{hour}","Calls":5,"Errors":2,"Throttled":0,"Rows":4,"LatencyMs":{"P50":`,
					`"Total":{"Calls":5,"Errors":2,"Throttled":0,"Rows":4,"LatencyMs":{"P50":`, `"P95":`, `"P99":`}},
			{name: "usage with the endpoint key", method: "GET", path: a + "/usage", auth: "{a.secondary}", status: 200,
				want: []string{`"Calls":5`}},
			{name: "usage from the hour", method: "GET", path: a + "/usage?from={hour}", status: 200,
				want: []string{`"From":"{hour}"`, `"Calls":5`}},
			{name: "usage before any call", method: "GET", path: a + "/usage?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z",
				status: 200, want: []string{`"Hours":[]`, `"Total":{"Calls":0,"Errors":0,"Throttled":0,"Rows":0,"LatencyMs":{"P50":0,"P95":0,"P99":0}}`}},
			bad("usage with a bad from", a+"/usage?from=2026-11-30", "from"),
			bad("usage with a bad to", a+"/usage?to=now", "to"),
			bad("usage with from after to", a+"/usage?from=2026-11-30T07:00:00Z&to=2026-11-30T06:00:00Z", "from"),
			bad("usage over too long a range", a+"/usage?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from"),
			{name: "usage of a missing endpoint", method: "GET",
				path: "/workspaces/{ws}/webservices/demo/endpoints/nope/usage", status: 404},
			{name: "usage of another workspace", method: "GET", path: a + "/usage", auth: "{other.token}", status: 404},

			{name: "metrics without credentials", method: "GET", path: "/metrics", auth: "-", status: 200,
				want: []string{`scoregate_requests_total{code="2xx",endpoint="{a.api.id}"} 1`,
					`scoregate_requests_total{code="4xx",endpoint="{a.api.id}"} 1`,
					`scoregate_requests_total{code="4xx",endpoint="unknown"} 1`,
					`scoregate_request_duration_seconds_count{endpoint="{a.api.id}"} 2`,
					`scoregate_rows_scored_total{endpoint="{a.api.id}"} 1`,
					`scoregate_throttled_total{endpoint="{a.api.id}"} 0`,
					`scoregate_request_logs_dropped_total 0`}},
		})

		// Closing writes this replica's totals, replacing its stale row.
		if err := e.srv.CloseTelemetry(ctx); err != nil {
			t.Fatal(err)
		}
		rows, err := usage.Usage(ctx, id, hour, hour.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		var mine *scoregate.UsageHour
		for i := range rows {
			if rows[i].Replica == "r1" {
				mine = &rows[i]
			}
		}
		if mine == nil || mine.Calls != 2 || mine.Errors != 1 || mine.Rows != 1 {
			t.Errorf("this replica's row after close = %+v, want 2 calls, 1 error, 1 row", mine)
		}
	})
}
