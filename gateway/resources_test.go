package gateway_test

import (
	"net/http"
	"testing"

	"github.com/scoregate/scoregate/fixtures"
)

func TestEndpointResources(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db database) {
		e := setup(t, db)
		const a = "/workspaces/{ws}/webservices/demo/endpoints/a"
		const def = "/workspaces/{ws}/webservices/demo/endpoints/default"
		patch := func(loc string) string {
			return `{"Resources":[{"Name":"demo [trained model]","Kind":"TrainedModel",` +
				`"Location":{"BaseLocation":"https://example.invalid/","RelativeLocation":"` + loc + `"}}]}`
		}
		e.run(t, []step{
			publish("publish", "demo", fixtures.DemoModel, 201),
			putEndpoint("create a", "a", `{}`, 201, `"RelativeLocation":"models/demo/`),
			{name: "upload the retrained model", method: "POST", path: "/workspaces/{ws}/blobs?name=retrained.pmml",
				body: string(fixtures.DemoModelV2), raw: true, ctype: "application/xml", status: 201, check: saveLocation("model")},
			{name: "upload something that is no model", method: "POST", path: "/workspaces/{ws}/blobs?name=rows.csv",
				body: "a,b\n1,2\n", status: 201, check: saveLocation("csv")},
			{name: "PATCH Resources of a", method: "PATCH", path: a, body: patch("{model}"), status: 200,
				want:   []string{`"Name":"a"`, `"RelativeLocation":"{model}"`, `"BaseLocation":"` + baseURL + `/workspaces/{ws}/blobs/"`},
				reject: []string{"example.invalid"}},
			{name: "a keeps it", method: "GET", path: a, status: 200, want: []string{`"RelativeLocation":"{model}"`}},
			{name: "default keeps its own", method: "GET", path: def, status: 200,
				want: []string{`"RelativeLocation":"models/demo/`}, reject: []string{"{model}"}},
			{name: "PATCH Resources to a missing blob", method: "PATCH", path: a, body: patch("uploads/nope/model.pmml"),
				status: 400, want: []string{`"BlobNotFound"`, `"target":"Resources[0].Location.RelativeLocation"`}},
			{name: "PATCH Resources to a blob that is no model", method: "PATCH", path: a, body: patch("{csv}"),
				status: 400, want: []string{`"InvalidModel"`}},
			{name: "PATCH Resources outside the workspace", method: "PATCH", path: a, body: patch("../x.pmml"),
				status: 400, want: []string{`"target":"Resources[0].Location.RelativeLocation"`}},
			{name: "PATCH Resources of a wrong type", method: "PATCH", path: a, body: `{"Resources":{"Name":"x"}}`,
				status: 400, want: []string{`"target":"Resources"`}},
			{name: "still the retrained model", method: "GET", path: a, status: 200, want: []string{`"RelativeLocation":"{model}"`}},
			{name: "PATCH Resources of default", method: "PATCH", path: def, body: patch("{model}"), status: 400},
			{name: "default unchanged", method: "GET", path: def, status: 200, reject: []string{"{model}"},
				check: saveBody("default.json")},
			{name: "PATCH default with what GET returned", method: "PATCH", path: def, status: 200,
				body: "{default.json}", want: []string{`"RelativeLocation":"models/demo/`}},
			{name: "PATCH with no Resources", method: "PATCH", path: def, status: 200,
				body: `{"Description":"echo","Resources":[]}`, want: []string{`"Description":"echo"`}},
			{name: "refresh with OverwriteResources", method: "POST", path: a + "/refresh", body: `{"OverwriteResources":true}`,
				status: 200, want: []string{`"RelativeLocation":"models/demo/`}, reject: []string{"{model}"}},
		})
	})
}

// saveBody returns a check that keeps a response body as {as}.
func saveBody(as string) func(t *testing.T, e *env, _ *http.Response, body []byte) {
	return func(t *testing.T, e *env, _ *http.Response, body []byte) {
		e.mu.Lock()
		e.vars[as] = string(body)
		e.mu.Unlock()
	}
}
