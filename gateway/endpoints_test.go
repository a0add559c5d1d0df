package gateway_test

import (
	"strings"
	"testing"

	"github.com/scoregate/scoregate/fixtures"
	"github.com/scoregate/scoregate/gateway"
	"github.com/scoregate/scoregate/store/storetest"
)

// putEndpoint is the step that PUTs body to endpoint name of web service demo.
func putEndpoint(name, endpoint, body string, status int, want ...string) step {
	return step{name: name, method: "PUT", path: "/workspaces/{ws}/webservices/demo/endpoints/" + endpoint,
		body: body, ctype: "application/json", status: status, want: want}
}

func TestEndpointSettings(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db database) {
		e := setup(t, db)
		e.run(t, []step{
			publish("publish", "demo", fixtures.DemoModel, 201),
			putEndpoint("High with 50", "fast", `{"ThrottleLevel":"High","MaxConcurrentCalls":50,"Description":"fast one"}`, 201,
				`"Name":"fast"`, `"ThrottleLevel":"High"`, `"MaxConcurrentCalls":50`, `"Description":"fast one"`,
				`"Version":1`, `"WorkspaceId":"{ws}"`, `"PrimaryKey":"`, `"SecondaryKey":"`,
				`"DiagnosticsTraceLevel":"None"`, `"SampleDataEnabled":false`, `"PreventUpdate":false`),
			putEndpoint("update keeps what is not sent", "fast", `{"Description":"updated","SampleDataEnabled":true}`, 200,
				`"Description":"updated"`, `"MaxConcurrentCalls":50`, `"SampleDataEnabled":true`, `"PrimaryKey":"{fast.primary}"`),
			putEndpoint("Low with 4", "slow", `{"ThrottleLevel":"Low","MaxConcurrentCalls":4}`, 201,
				`"ThrottleLevel":"Low"`, `"MaxConcurrentCalls":4`),
			putEndpoint("Low with 10", "slow2", `{"ThrottleLevel":"Low","MaxConcurrentCalls":10}`, 400,
				`"code":"BadUserArgument"`, `"target":"MaxConcurrentCalls"`),
			putEndpoint("High with 0", "zero", `{"ThrottleLevel":"High","MaxConcurrentCalls":0}`, 400,
				`"target":"MaxConcurrentCalls"`),
			putEndpoint("High with 201", "many", `{"ThrottleLevel":"High","MaxConcurrentCalls":201}`, 400,
				`"target":"MaxConcurrentCalls"`),
			putEndpoint("unknown throttle level", "medium", `{"ThrottleLevel":"Medium"}`, 400,
				`"target":"ThrottleLevel"`),
			putEndpoint("unknown trace level", "trace", `{"DiagnosticsTraceLevel":"Verbose"}`, 400,
				`"target":"DiagnosticsTraceLevel"`),
			putEndpoint("25 characters", strings.Repeat("a", 25), `{}`, 400, `"InvalidName"`),
			putEndpoint("24 characters", strings.Repeat("a", 24), `{}`, 201),
			putEndpoint("uppercase", "Fast", `{}`, 400, `"InvalidName"`),
			putEndpoint("leading hyphen", "-fast", `{}`, 400, `"InvalidName"`),
			putEndpoint("trailing hyphen", "fast-", `{}`, 400, `"InvalidName"`),
			putEndpoint("inner hyphen", "fast-2", `{}`, 201),
			putEndpoint("description of 2001", "long", `{"Description":"`+strings.Repeat("é", 2001)+`"}`, 400,
				`"target":"Description"`),
			putEndpoint("description of 2000", "long", `{"Description":"`+strings.Repeat("é", 2000)+`"}`, 201),
			putEndpoint("malformed JSON", "bad", `{"Description":`, 400,
				`"code":"BadArgument"`, `"RequestBodyInvalid"`),
			putEndpoint("trailing garbage", "bad", `{} {}`, 400, `"RequestBodyInvalid"`),
			putEndpoint("not an object", "bad", `[1,2]`, 400, `"RequestBodyInvalid"`),
			putEndpoint("wrong type", "bad", `{"MaxConcurrentCalls":"ten"}`, 400,
				`"RequestBodyInvalid"`, `"target":"MaxConcurrentCalls"`, "must be a JSON number"),
			putEndpoint("fractional count", "bad", `{"MaxConcurrentCalls":2.5}`, 400, `"target":"MaxConcurrentCalls"`),
			{name: "bad ones were not created", method: "GET", path: "/workspaces/{ws}/webservices/demo/endpoints/bad", status: 404,
				want: []string{`"code":"NotFound"`}},
			putEndpoint("empty body is all defaults", "plain", "", 201,
				`"ThrottleLevel":"High"`, `"MaxConcurrentCalls":20`, `"DiagnosticsTraceLevel":"None"`),
			putEndpoint("what GET returned, sent back", "plain",
				`{"Name":"plain","PrimaryKey":"x","ApiLocation":"y","Version":7,"Resources":[{"Name":"z"}],"ThrottleLevel":"Low"}`, 200,
				`"ThrottleLevel":"Low"`, `"MaxConcurrentCalls":4`, `"Version":1`, `"PrimaryKey":"{plain.primary}"`),
			{name: "switch to High without a count", method: "PATCH", path: "/workspaces/{ws}/webservices/demo/endpoints/plain",
				body: `{"ThrottleLevel":"High","DiagnosticsTraceLevel":"All","PreventUpdate":true}`, status: 200,
				want: []string{`"MaxConcurrentCalls":20`, `"DiagnosticsTraceLevel":"All"`, `"PreventUpdate":true`}},
			{name: "PATCH a missing endpoint", method: "PATCH", path: "/workspaces/{ws}/webservices/demo/endpoints/nope",
				body: `{}`, status: 404},
			{name: "PATCH wrong type", method: "PATCH", path: "/workspaces/{ws}/webservices/demo/endpoints/plain",
				body: `{"SampleDataEnabled":"yes"}`, status: 400, want: []string{`"target":"SampleDataEnabled"`}},
			{name: "endpoints of a missing web service", method: "PUT", path: "/workspaces/{ws}/webservices/nope/endpoints/x",
				body: `{}`, status: 404},
			{name: "list", method: "GET", path: "/workspaces/{ws}/webservices/demo/endpoints", status: 200,
				want: []string{`"Name":"default"`, `"Name":"fast"`, `"Name":"slow"`, `"Name":"plain"`}},
			{name: "delete default while others exist", method: "DELETE",
				path: "/workspaces/{ws}/webservices/demo/endpoints/default", status: 409, want: []string{`"code":"Conflict"`}},
			{name: "delete fast", method: "DELETE", path: "/workspaces/{ws}/webservices/demo/endpoints/fast", status: 204},
			{name: "fast's key is gone", method: "GET", path: "/workspaces/{ws}/webservices/demo/endpoints/fast",
				auth: "{fast.primary}", status: 401},
			{name: "delete fast again", method: "DELETE", path: "/workspaces/{ws}/webservices/demo/endpoints/fast", status: 404},
			{name: "delete slow", method: "DELETE", path: "/workspaces/{ws}/webservices/demo/endpoints/slow", status: 204},
			{name: "delete 24", method: "DELETE", path: "/workspaces/{ws}/webservices/demo/endpoints/" + strings.Repeat("a", 24), status: 204},
			{name: "delete fast-2", method: "DELETE", path: "/workspaces/{ws}/webservices/demo/endpoints/fast-2", status: 204},
			{name: "delete long", method: "DELETE", path: "/workspaces/{ws}/webservices/demo/endpoints/long", status: 204},
			{name: "delete plain", method: "DELETE", path: "/workspaces/{ws}/webservices/demo/endpoints/plain", status: 204},
			{name: "delete default when alone", method: "DELETE",
				path: "/workspaces/{ws}/webservices/demo/endpoints/default", status: 204},
			{name: "none left", method: "GET", path: "/workspaces/{ws}/webservices/demo/endpoints", status: 200,
				want: []string{"[]"}},
		})
	})
}

func TestEndpointLimit(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db database) {
		e := setup(t, db, withStoreOptions(storetest.WithMaxEndpoints(2)))
		e.run(t, []step{
			publish("publish", "demo", fixtures.DemoModel, 201),
			putEndpoint("second endpoint", "a", `{}`, 201),
			putEndpoint("third endpoint", "b", `{}`, 409, `"code":"Conflict"`),
			putEndpoint("updating one is no new endpoint", "a", `{"Description":"x"}`, 200),
		})
	})
}

func TestEndpointRefresh(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db database) {
		e := setup(t, db)
		const a = "/workspaces/{ws}/webservices/demo/endpoints/a"
		e.run(t, []step{
			publish("publish v1", "demo", fixtures.DemoModel, 201),
			putEndpoint("create a on v1", "a", `{}`, 201, `"Version":1`),
			{name: "refresh default", method: "POST", path: "/workspaces/{ws}/webservices/demo/endpoints/default/refresh",
				body: `{"OverwriteResources":true}`, status: 400},
			publish("publish v2", "demo", fixtures.DemoModelV2, 200, `"Version":2`),
			{name: "a stays on v1", method: "GET", path: a, status: 200, want: []string{`"Version":1`}},
			{name: "malformed refresh body", method: "POST", path: a + "/refresh", body: `{"OverwriteResources":`, status: 400,
				want: []string{`"RequestBodyInvalid"`}},
			{name: "wrong type in refresh body", method: "POST", path: a + "/refresh", body: `{"OverwriteResources":"yes"}`,
				status: 400, want: []string{`"target":"OverwriteResources"`}},
			{name: "refresh a", method: "POST", path: a + "/refresh", body: `{"OverwriteResources":false}`, status: 200,
				want: []string{`"Name":"a"`, `"Version":2`}},
			{name: "refresh without a body", method: "POST", path: a + "/refresh", status: 200, want: []string{`"Version":2`}},
			{name: "refresh a missing endpoint", method: "POST", path: "/workspaces/{ws}/webservices/demo/endpoints/nope/refresh",
				status: 404},
		})
	})
}

func TestJSONLimits(t *testing.T) {
	t.Parallel()
	e := setup(t, sqlite, withConfig(func(c *gateway.Config) { c.MaxJSONBytes = 64 }))
	e.run(t, []step{
		publish("publish", "demo", fixtures.DemoModel, 201),
		putEndpoint("body over the limit", "a", `{"Description":"`+strings.Repeat("x", 100)+`"}`, 413,
			`"RequestTooLarge"`, "at most 64 bytes"),
		{name: "encoded body", method: "PUT", path: "/workspaces/{ws}/webservices/demo/endpoints/a",
			header: map[string]string{"Content-Encoding": "gzip"}, body: "\x1f\x8b", status: 415,
			want: []string{`"code":"UnsupportedMediaType"`}},
		putEndpoint("body within the limit", "a", `{"Description":"ok"}`, 201),
	})
}
