package gateway_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/scoregate/scoregate/fixtures"
	"github.com/scoregate/scoregate/gateway"
	"github.com/scoregate/scoregate/workbook"
)

// sheetRows reads a sheet of an XLSX file as text.
func sheetRows(t *testing.T, data []byte, sheet string) [][]string {
	t.Helper()
	rows, err := workbook.Texts(bytes.NewReader(data), int64(len(data)), sheet)
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	return rows
}

// TestWorkbook downloads the demo endpoint's workbook, with sample rows,
// and sends it back for a round trip: the predicted columns come back
// filled.
func TestWorkbook(t *testing.T) {
	t.Parallel()
	e := setup(t, sqlite, withConfig(func(c *gateway.Config) { c.MaxWorkbookRows = 10 }))
	endpoint := "/workspaces/{ws}/webservices/demo/endpoints/default"
	var generated []byte
	e.run(t, []step{
		publish("publish", "demo", fixtures.DemoModel, 201),
		{name: "sample data on", method: "PATCH", path: endpoint, body: `{"SampleDataEnabled":true}`, status: 200, check: saveAPI("api")},
		{name: "download with the workspace token", method: "GET", path: endpoint + "/workbook", status: 200,
			check: func(t *testing.T, e *env, res *http.Response, body []byte) {
				if ct := res.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
					t.Errorf("Content-Type %q", ct)
				}
				if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="demo-default.xlsx"`) {
					t.Errorf("Content-Disposition %q", cd)
				}
				rows := sheetRows(t, body, workbook.SheetScore)
				if len(rows) != 2+5 || rows[1][0] != "sepal_length" || rows[1][4] != "Scored Labels" {
					t.Fatalf("Score sheet %q", rows)
				}
				conn := strings.Join(flatten(sheetRows(t, body, workbook.SheetConnection)), "|")
				if !strings.Contains(conn, e.expand("{api}")) || !strings.Contains(conn, e.expand("{default.primary}")) {
					t.Errorf("the Connection sheet lacks the ApiLocation or the key: %s", conn)
				}
				generated = body
			}},
		{name: "download with the endpoint's key", method: "GET", path: endpoint + "/workbook", auth: "{default.primary}", status: 200},
		{name: "no credential", method: "GET", path: endpoint + "/workbook", auth: "-", status: 401},
		{name: "the help page links it", method: "GET", path: "{api}/help", auth: "-", status: 200,
			want: []string{"/webservices/demo/endpoints/default/workbook", `id="excel"`}},
	})
	e.run(t, []step{
		{name: "round trip", method: "POST", path: "{api}/workbook", auth: "{default.primary}", body: string(generated), raw: true,
			ctype: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", status: 200,
			check: func(t *testing.T, e *env, res *http.Response, body []byte) {
				rows := sheetRows(t, body, workbook.SheetScore)
				if len(rows) != 7 {
					t.Fatalf("Score sheet %q", rows)
				}
				for _, r := range rows[2:] {
					if len(r) < 5 || r[4] == "" {
						t.Errorf("row %q has no prediction", r)
					}
				}
				if got := res.Header.Get("x-scoregate-rows-scored"); got != "5" {
					t.Errorf("rows scored %q", got)
				}
				if len(sheetRows(t, body, workbook.SheetConnection)) < 5 {
					t.Error("the Connection sheet did not survive")
				}
			}},
		{name: "a wrong key", method: "POST", path: "{api}/workbook", auth: "not-a-key", body: string(generated), raw: true, status: 401},
		{name: "not a workbook", method: "POST", path: "{api}/workbook", auth: "{default.primary}", body: "a,b\n1,2\n", raw: true, status: 400},
	})

}

func flatten(rows [][]string) []string {
	var all []string
	for _, r := range rows {
		all = append(all, r...)
	}
	return all
}
