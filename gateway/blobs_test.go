package gateway_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"testing"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/fixtures"
	"github.com/scoregate/scoregate/gateway"
)

// saveLocation returns a check that stores an upload's RelativeLocation as
// {as} and asserts the blob exists under it.
func saveLocation(as string) func(t *testing.T, e *env, _ *http.Response, body []byte) {
	return func(t *testing.T, e *env, _ *http.Response, body []byte) {
		t.Helper()
		var loc struct{ BaseLocation, RelativeLocation string }
		if err := json.Unmarshal(body, &loc); err != nil {
			t.Fatalf("decode location: %v", err)
		}
		ok, err := e.blobs.Exists(context.Background(), scoregate.BlobKey(e.expand("{ws}"), loc.RelativeLocation))
		if err != nil || !ok {
			t.Fatalf("blob %s: exists %v, %v", loc.RelativeLocation, ok, err)
		}
		e.mu.Lock()
		e.vars[as] = loc.RelativeLocation
		e.mu.Unlock()
	}
}

func TestBlobUpload(t *testing.T) {
	t.Parallel()
	e := setup(t, sqlite, withConfig(func(c *gateway.Config) { c.MaxBlobBytes = 1 << 10 }))
	multi, multiType := form(t, map[string][2]string{"file": {`..\..\etc/My Data (1).csv`, "a,b\n1,2\n"}}, nil)
	noFile, noFileType := form(t, nil, map[string]string{"file": "not a file"})
	dots, dotsType := form(t, map[string][2]string{"file": {"..", "x"}}, nil)
	id := `[0-9a-f]{32}`
	e.run(t, []step{
		{name: "multipart", method: "POST", path: "/workspaces/{ws}/blobs", body: multi, raw: true, ctype: multiType,
			status: 201, want: []string{`"BaseLocation":"` + baseURL + `/workspaces/{ws}/blobs/"`},
			check: func(t *testing.T, e *env, res *http.Response, body []byte) {
				saveLocation("upload")(t, e, res, body)
				if !regexp.MustCompile(`^uploads/` + id + `/My_Data__1_\.csv$`).MatchString(e.expand("{upload}")) {
					t.Errorf("RelativeLocation = %s", e.expand("{upload}"))
				}
			}},
		{name: "raw body with name", method: "POST", path: "/workspaces/{ws}/blobs?name=rows.csv", body: "a\n1\n",
			ctype: "text/csv", status: 201, want: []string{`"RelativeLocation":"uploads/`, `/rows.csv"`},
			check: saveLocation("raw")},
		{name: "two uploads of one name do not collide", method: "POST", path: "/workspaces/{ws}/blobs?name=rows.csv",
			body: "a\n2\n", status: 201, reject: []string{`"{raw}"`}},
		{name: "raw body without name", method: "POST", path: "/workspaces/{ws}/blobs", body: "a\n1\n", status: 400,
			want: []string{`"MissingRequestInput"`, `"target":"name"`}},
		{name: "name that is only dots", method: "POST", path: "/workspaces/{ws}/blobs?name=..", body: "x", status: 400,
			want: []string{`"target":"name"`}},
		{name: "multipart file named ..", method: "POST", path: "/workspaces/{ws}/blobs", body: dots, raw: true,
			ctype: dotsType, status: 400},
		{name: "multipart without file", method: "POST", path: "/workspaces/{ws}/blobs", body: noFile, raw: true,
			ctype: noFileType, status: 400, want: []string{`"target":"file"`}},
		{name: "over the limit", method: "POST", path: "/workspaces/{ws}/blobs?name=big.pmml", body: string(fixtures.DemoModelV2),
			raw: true, status: 413, want: []string{"1024"}},
		{name: "another workspace's token", method: "POST", path: "/workspaces/{ws}/blobs?name=x.csv", body: "x",
			auth: "{other.token}", status: 404},
	})
}
