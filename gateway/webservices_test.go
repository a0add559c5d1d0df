package gateway_test

import (
	"strings"
	"testing"

	"github.com/scoregate/scoregate/fixtures"
	"github.com/scoregate/scoregate/gateway"
)

// publish is the step that publishes doc as web service svc.
func publish(name, svc string, doc []byte, status int, want ...string) step {
	return step{name: name, method: "PUT", path: "/workspaces/{ws}/webservices/" + svc,
		body: string(doc), raw: true, ctype: "application/xml", status: status, want: want}
}

func TestWebServices(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db database) {
		e := setup(t, db)
		multi, multiType := form(t, map[string][2]string{"model": {"demo.pmml", string(fixtures.DemoModel)}},
			map[string]string{"description": "Demo v1"})
		noModel, noModelType := form(t, map[string][2]string{"other": {"demo.pmml", string(fixtures.DemoModel)}}, nil)
		e.run(t, []step{
			{name: "none yet", method: "GET", path: "/workspaces/{ws}/webservices", status: 200, want: []string{"[]"}},
			{name: "publish multipart creates", method: "PUT", path: "/workspaces/{ws}/webservices/demo",
				body: multi, raw: true, ctype: multiType, status: 201,
				want: []string{`"Name":"demo"`, `"Version":1`, `"Description":"Demo v1"`, `"WorkspaceId":"{ws}"`,
					`"DefaultEndpointName":"default"`, `"Inputs":{"input1":{"Columns":[{"Name":`,
					`"Outputs":{"output1":{"Columns":[`, `"ModelKind":"`, `"CreationTime":"20`, `Z","UpdateTime":"20`}},
			{name: "default endpoint is on v1", method: "GET", path: "/workspaces/{ws}/webservices/demo/endpoints/default",
				status: 200, want: []string{`"Name":"default"`, `"Version":1`, `"Kind":"TrainedModel"`,
					`"ApiLocation":"` + baseURL + `/workspaces/{ws}/services/`,
					`/help"`, `"BaseLocation":"` + baseURL + `/workspaces/{ws}/blobs/"`, `"RelativeLocation":"models/demo/`}},
			{name: "publish raw adds a version", method: "PUT", path: "/workspaces/{ws}/webservices/demo?description=Demo%20v2",
				body: string(fixtures.DemoModelV2), raw: true, ctype: "text/xml", status: 200,
				want: []string{`"Version":2`, `"Description":"Demo v2"`}},
			{name: "default endpoint follows", method: "GET", path: "/workspaces/{ws}/webservices/demo/endpoints/default",
				status: 200, want: []string{`"Version":2`}},
			publish("malformed XML", "demo", []byte("<PMML><oops"), 400, `"InvalidModel"`),
			publish("not XML at all", "demo", []byte(`{"a":1}`), 400, `"InvalidModel"`),
			{name: "malformed XML changed nothing", method: "GET", path: "/workspaces/{ws}/webservices/demo",
				status: 200, want: []string{`"Version":2`, `"Description":"Demo v2"`}},
			publish("empty body", "demo", nil, 400, `"MissingRequestInput"`, `"target":"model"`),
			{name: "multipart without model", method: "PUT", path: "/workspaces/{ws}/webservices/demo",
				body: noModel, raw: true, ctype: noModelType, status: 400, want: []string{`"MissingRequestInput"`, `"target":"model"`}},
			{name: "multipart that is not", method: "PUT", path: "/workspaces/{ws}/webservices/demo",
				body: "garbage", ctype: "multipart/form-data; boundary=xyz", status: 400, want: []string{`"RequestBodyInvalid"`}},
			publish("uppercase name", "Demo", fixtures.DemoModel, 400, `"InvalidName"`),
			{name: "description too long", method: "PUT",
				path: "/workspaces/{ws}/webservices/demo?description=" + strings.Repeat("d", 2001),
				body: string(fixtures.DemoModel), raw: true, status: 400, want: []string{`"target":"Description"`}},
			publish("second service", "other", fixtures.DemoModel, 201, `"Name":"other"`, `"Version":1`),
			{name: "list", method: "GET", path: "/workspaces/{ws}/webservices", status: 200,
				want: []string{`"Name":"demo"`, `"Name":"other"`}},
			{name: "get missing", method: "GET", path: "/workspaces/{ws}/webservices/nope", status: 404,
				want: []string{`"code":"NotFound"`}},
			{name: "delete", method: "DELETE", path: "/workspaces/{ws}/webservices/demo", status: 204},
			{name: "deleted", method: "GET", path: "/workspaces/{ws}/webservices/demo", status: 404},
			{name: "its endpoints went with it", method: "GET", path: "/workspaces/{ws}/webservices/demo/endpoints", status: 404},
			{name: "delete missing", method: "DELETE", path: "/workspaces/{ws}/webservices/demo", status: 404},
			{name: "the other stays", method: "GET", path: "/workspaces/{ws}/webservices", status: 200,
				want: []string{`"Name":"other"`}, reject: []string{`"Name":"demo"`}},
		})
	})
}

func TestWebServiceTooLarge(t *testing.T) {
	t.Parallel()
	e := setup(t, sqlite, withConfig(func(c *gateway.Config) { c.MaxModelBytes = 512 }))
	multi, multiType := form(t, map[string][2]string{"model": {"demo.pmml", string(fixtures.DemoModel)}}, nil)
	e.run(t, []step{
		publish("raw body over the limit", "demo", fixtures.DemoModel, 413,
			`"code":"RequestEntityTooLarge"`, `"RequestTooLarge"`, "at most 512 bytes"),
		{name: "multipart over the limit", method: "PUT", path: "/workspaces/{ws}/webservices/demo",
			body: multi, raw: true, ctype: multiType, status: 413, want: []string{"512"}},
		{name: "nothing was published", method: "GET", path: "/workspaces/{ws}/webservices/demo", status: 404},
	})
}
