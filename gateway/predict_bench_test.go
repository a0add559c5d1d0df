package gateway_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/scoregate/scoregate/fixtures"
)

// BenchmarkPredict measures one live-formula call through the whole
// gateway in process (routing, request id, key lookup from the query
// string, throttling, reading the row, scoring, writing, recording with
// the key redacted), without the network: the demo tree's label and a
// probability, the same with every call recorded, and LibreOffice's
// probe.
func BenchmarkPredict(b *testing.B) {
	cases := []struct {
		name  string
		query string
		level string
		probe bool
	}{
		{"label", "output=Scored%20Labels&" + irisQuery, "None", false},
		{"probability", "output=probability_setosa&" + irisQuery, "None", false},
		{"label-logAll", "output=Scored%20Labels&" + irisQuery, "All", false},
		{"probe", "output=Scored%20Labels&" + irisQuery, "None", true},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			e := setup(b, sqlite)
			api, key := benchEndpoint(b, e, fixtures.DemoModel, bc.level)
			enableLive(b, e)
			h := e.srv.App().Handler()
			var ctx fasthttp.RequestCtx
			ctx.Request.Header.SetMethod("GET")
			ctx.Request.SetRequestURI(api + "/predict?api-key=" + key + "&" + bc.query)
			if bc.probe {
				ctx.Request.Header.Set("Range", "bytes=0-0")
			}
			b.ReportAllocs()
			for b.Loop() {
				ctx.Response.Reset()
				h(&ctx)
				if ctx.Response.StatusCode() != 200 || (!bc.probe && len(ctx.Response.Body()) == 0) {
					b.Fatalf("status %d: %q", ctx.Response.StatusCode(), ctx.Response.Body())
				}
			}
		})
	}
}

// enableLive turns on the live formulas of the "bench" web service's
// default endpoint and makes the gateway see it.
func enableLive(b *testing.B, e *env) {
	b.Helper()
	req := httptest.NewRequest("PATCH", e.expand("/workspaces/{ws}/webservices/bench/endpoints/default"),
		strings.NewReader(`{"LiveWorkbookEnabled":true}`))
	req.Header.Set("Authorization", "Bearer "+e.expand("{token}"))
	req.Header.Set("Content-Type", "application/json")
	res, err := e.srv.App().Test(req, -1)
	if err != nil || res.StatusCode != 200 {
		b.Fatalf("enable live formulas: %v %v", res, err)
	}
	if err := e.live.Poll(context.Background()); err != nil {
		b.Fatal(err)
	}
}
