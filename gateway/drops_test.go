package gateway_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/scoregate/scoregate/fixtures"
)

// TestDropFolders puts files into the demo endpoint's inbox through the
// API, lists the folders and downloads a file back.
func TestDropFolders(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db database) {
		e := setup(t, db)
		drops := "/workspaces/{ws}/webservices/demo/endpoints/default/drops"
		e.run(t, []step{
			publish("publish", "demo", fixtures.DemoModel, 201),
			{name: "the endpoint and its keys", method: "GET", path: "/workspaces/{ws}/webservices/demo/endpoints/default", status: 200},
			{name: "inbox empty", method: "GET", path: drops, status: 200, want: []string{"[]"}},
			{name: "put a CSV", method: "PUT", path: drops + "/iris.csv", body: string(fixtures.DemoSample), raw: true, ctype: "text/csv",
				status: 201, want: []string{`"Folder":"inbox"`, `"Name":"iris.csv"`}},
			{name: "put another, with the endpoint's key", method: "PUT", path: drops + "/more.csv", auth: "{default.primary}",
				body: "a\n1\n", raw: true, status: 201},
			{name: "listed, in name order", method: "GET", path: drops + "?folder=inbox", status: 200,
				check: func(t *testing.T, e *env, _ *http.Response, body []byte) {
					var files []struct {
						Folder, Name string
						Size         int64
					}
					if err := json.Unmarshal(body, &files); err != nil || len(files) != 2 || files[0].Name != "iris.csv" ||
						files[0].Size != int64(len(fixtures.DemoSample)) || files[1].Name != "more.csv" {
						t.Fatalf("inbox %s (%v)", body, err)
					}
				}},
			{name: "download", method: "GET", path: drops + "/inbox/iris.csv", status: 200, want: []string{"sepal_length"}},
			{name: "other folders are empty", method: "GET", path: drops + "?folder=outbox", status: 200, want: []string{"[]"}},
			{name: "no such folder", method: "GET", path: drops + "?folder=attic", status: 400, want: []string{"inbox, outbox, processed, failed"}},
			{name: "no such file", method: "GET", path: drops + "/inbox/none.csv", status: 404},
			{name: "an unsafe name", method: "PUT", path: drops + "/a%20b.csv", body: "x", raw: true, status: 400, want: []string{`"InvalidName"`}},
			{name: "an empty file", method: "PUT", path: drops + "/empty.csv", body: "", raw: true, status: 400},
			{name: "another workspace's token", method: "GET", path: drops, auth: "{other.token}", status: 404},
			{name: "no such endpoint", method: "GET", path: "/workspaces/{ws}/webservices/demo/endpoints/nope/drops", status: 404},
		})
	})
}
