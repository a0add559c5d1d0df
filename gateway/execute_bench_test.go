package gateway_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/scoregate/scoregate/fixtures"
	"github.com/scoregate/scoregate/internal/pmmlgen"
)

// BenchmarkExecute measures one scoring call through the whole gateway in
// process (routing, request id, key lookup, throttling, parsing, scoring,
// writing, recording), without the network: a single-row call on the
// demo tree and on the 200-tree forest, and 1,000 rows on the forest.
func BenchmarkExecute(b *testing.B) {
	forest := pmmlgen.Forest(200, 12, 20, 0)
	var cols []string
	var cells []string
	for i := range 20 {
		cols = append(cols, fmt.Sprintf(`"x%d"`, i))
		cells = append(cells, fmt.Sprintf(`"%g"`, float64(i%7)/3-1))
	}
	forestRow := "[" + strings.Join(cells, ",") + "]"
	forestRows := make([]string, 1000)
	for i := range forestRows {
		forestRows[i] = forestRow
	}
	cases := []struct {
		name  string
		model []byte
		body  string
		level string
	}{
		{"demo-1row", fixtures.DemoModel, table(irisColumns, `["5.1","3.5","1.4","0.2"]`), "None"},
		{"forest-1row", forest, table(strings.Join(cols, ","), forestRow), "None"},
		{"forest-1row-logAll", forest, table(strings.Join(cols, ","), forestRow), "All"},
		{"forest-1000rows", forest, table(strings.Join(cols, ","), forestRows...), "None"},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			e := setup(b, sqlite)
			api, key := benchEndpoint(b, e, bc.model, bc.level)
			h := e.srv.App().Handler()
			var ctx fasthttp.RequestCtx
			ctx.Request.Header.SetMethod("POST")
			ctx.Request.SetRequestURI(api + "/execute?api-version=2.0&details=true")
			ctx.Request.Header.Set("Authorization", "Bearer "+key)
			ctx.Request.Header.SetContentType("application/json")
			ctx.Request.SetBodyString(bc.body)
			b.SetBytes(int64(len(bc.body)))
			b.ReportAllocs()
			for b.Loop() {
				ctx.Response.Reset()
				h(&ctx)
				if ctx.Response.StatusCode() != 200 {
					b.Fatalf("status %d: %s", ctx.Response.StatusCode(), ctx.Response.Body())
				}
			}
		})
	}
}

// benchEndpoint publishes model as "bench" and returns the default
// endpoint's ApiLocation path and primary key, with its trace level set.
func benchEndpoint(b *testing.B, e *env, model []byte, level string) (string, string) {
	b.Helper()
	call := func(method, path, ctype, body string) []byte {
		req := httptest.NewRequest(method, e.expand(path), strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+e.expand("{token}"))
		req.Header.Set("Content-Type", ctype)
		res, err := e.srv.App().Test(req, -1)
		if err != nil {
			b.Fatal(err)
		}
		got, _ := io.ReadAll(res.Body)
		if res.StatusCode >= 300 {
			b.Fatalf("%s %s: %d %s", method, path, res.StatusCode, got)
		}
		return got
	}
	call("PUT", "/workspaces/{ws}/webservices/bench", "application/xml", string(model))
	var ep struct{ ApiLocation, PrimaryKey string }
	got := call("PATCH", "/workspaces/{ws}/webservices/bench/endpoints/default", "application/json",
		`{"MaxConcurrentCalls":200,"DiagnosticsTraceLevel":"`+level+`"}`)
	if err := json.Unmarshal(got, &ep); err != nil {
		b.Fatal(err)
	}
	e.setSecret("bench.primary", ep.PrimaryKey)
	return strings.TrimPrefix(ep.ApiLocation, baseURL), ep.PrimaryKey
}
