package gateway_test

import (
	"testing"

	"github.com/scoregate/scoregate/fixtures"
)

func TestRegenerateKeys(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db database) {
		e := setup(t, db)
		const a = "/workspaces/{ws}/webservices/demo/endpoints/a"
		regen := func(name, body string, status int, want ...string) step {
			return step{name: name, method: "POST", path: a + "/regeneratekeys", body: body, status: status, want: want}
		}
		e.run(t, []step{
			publish("publish", "demo", fixtures.DemoModel, 201),
			putEndpoint("create a", "a", `{}`, 201),
			{name: "secondary key works", method: "GET", path: a, auth: "{a.secondary}", status: 200},
			regen("KeyType missing", `{}`, 400, `"target":"KeyType"`),
			regen("no body", ``, 400, `"target":"KeyType"`),
			regen("KeyType unknown", `{"KeyType":"Tertiary"}`, 400, `"target":"KeyType"`),
			regen("KeyType of a wrong type", `{"KeyType":1}`, 400, `"target":"KeyType"`),
			regen("Secondary", `{"KeyType":"Secondary"}`, 200, `"Name":"a"`, `"PrimaryKey":"{a.primary}"`),
			{name: "the secondary key changed", method: "GET", path: a, status: 200,
				want: []string{`"SecondaryKey":"{a.secondary}"`}, reject: []string{"{a.secondary.prev}"}},
			{name: "old secondary key is refused", method: "GET", path: a, auth: "{a.secondary.prev}", status: 401,
				want: []string{`"ScoreRequestUnauthorized"`}},
			{name: "new secondary key works", method: "GET", path: a, auth: "{a.secondary}", status: 200},
			{name: "primary still works", method: "GET", path: a, auth: "{a.primary}", status: 200},
			regen("Primary", `{"KeyType":"Primary"}`, 200, `"SecondaryKey":"{a.secondary}"`),
			{name: "old primary key is refused", method: "GET", path: a, auth: "{a.primary.prev}", status: 401},
			{name: "regenerate keys of a missing endpoint", method: "POST",
				path: "/workspaces/{ws}/webservices/demo/endpoints/nope/regeneratekeys", body: `{"KeyType":"Primary"}`, status: 404},
		})
	})
}

// TestEndpointKey checks what an endpoint key may do: GET and PATCH its own
// endpoint, and nothing else; everything else looks missing.
func TestEndpointKey(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db database) {
		e := setup(t, db)
		const a = "/workspaces/{ws}/webservices/demo/endpoints/a"
		const key = "{a.primary}"
		missing := []string{`"code":"NotFound"`, `"EndpointNotFound"`}
		e.run(t, []step{
			publish("publish", "demo", fixtures.DemoModel, 201),
			publish("publish another", "other", fixtures.DemoModel, 201),
			putEndpoint("create a", "a", `{}`, 201),
			putEndpoint("create b", "b", `{}`, 201),
			{name: "GET own endpoint", method: "GET", path: a, auth: key, status: 200, want: []string{`"Name":"a"`}},
			{name: "GET own endpoint with the secondary key", method: "GET", path: a, auth: "{a.secondary}", status: 200},
			{name: "PATCH own endpoint", method: "PATCH", path: a, auth: key, body: `{"Description":"by key"}`,
				status: 200, want: []string{`"Description":"by key"`}},
			{name: "upload a retrained model", method: "POST", path: "/workspaces/{ws}/blobs?name=retrained.pmml",
				body: string(fixtures.DemoModelV2), raw: true, status: 201, check: saveLocation("model")},
			{name: "PATCH own Resources (retraining)", method: "PATCH", path: a, auth: key, status: 200,
				body: `{"Resources":[{"Name":"demo [trained model]","Location":{"RelativeLocation":"{model}"}}]}`,
				want: []string{`"RelativeLocation":"{model}"`, `"Kind":"TrainedModel"`}},
			{name: "GET another endpoint", method: "GET", path: "/workspaces/{ws}/webservices/demo/endpoints/b",
				auth: key, status: 404, want: missing},
			{name: "GET a missing endpoint", method: "GET", path: "/workspaces/{ws}/webservices/demo/endpoints/zz",
				auth: key, status: 404, want: missing},
			{name: "GET the default endpoint", method: "GET", path: "/workspaces/{ws}/webservices/demo/endpoints/default",
				auth: key, status: 404, want: missing},
			{name: "GET its namesake in another web service", method: "GET", path: "/workspaces/{ws}/webservices/other/endpoints/a",
				auth: key, status: 404, want: missing},
			{name: "PATCH another endpoint", method: "PATCH", path: "/workspaces/{ws}/webservices/demo/endpoints/b",
				auth: key, body: `{"Description":"x"}`, status: 404, want: missing},
			{name: "b is untouched", method: "GET", path: "/workspaces/{ws}/webservices/demo/endpoints/b",
				status: 200, reject: []string{`"Description":"x"`}},
			{name: "list web services", method: "GET", path: "/workspaces/{ws}/webservices", auth: key, status: 404},
			{name: "GET web service", method: "GET", path: "/workspaces/{ws}/webservices/demo", auth: key, status: 404},
			{name: "publish", method: "PUT", path: "/workspaces/{ws}/webservices/demo", auth: key,
				body: string(fixtures.DemoModelV2), raw: true, status: 404},
			{name: "list endpoints", method: "GET", path: "/workspaces/{ws}/webservices/demo/endpoints", auth: key, status: 404},
			{name: "DELETE own endpoint", method: "DELETE", path: a, auth: key, status: 404, want: missing},
			{name: "PUT own endpoint", method: "PUT", path: a, auth: key, body: `{}`, status: 404, want: missing},
			{name: "refresh own endpoint", method: "POST", path: a + "/refresh", auth: key, status: 404, want: missing},
			{name: "regenerate own keys", method: "POST", path: a + "/regeneratekeys", auth: key,
				body: `{"KeyType":"Secondary"}`, status: 404, want: missing},
			{name: "upload a blob", method: "POST", path: "/workspaces/{ws}/blobs?name=x.csv", auth: key, body: "x", status: 404},
			{name: "list workspaces", method: "GET", path: "/workspaces", auth: key, status: 404},
			{name: "own endpoint under another workspace", method: "GET",
				path: "/workspaces/{other}/webservices/demo/endpoints/a", auth: key, status: 404},
			{name: "a still exists", method: "GET", path: a, status: 200, want: []string{`"Description":"by key"`}},
			{name: "the secondary key is unchanged", method: "GET", path: a, auth: "{a.secondary}", status: 200},
		})
	})
}
