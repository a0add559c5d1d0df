package gateway_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scoregate/scoregate/fixtures"
)

// irisQuery is the query string of one iris row.
const irisQuery = "sepal_length=5.1&sepal_width=3.5&petal_length=1.4&petal_width=0.2"

// predict is a live-formula call of {api} (the default endpoint) with the
// default endpoint's primary key in the query string, as WEBSERVICE sends
// it; the body must be exactly text.
func predict(name, query string, status int, text string) step {
	s := step{name: name, method: "GET", path: "{api}/predict?api-key={default.primary}&" + query, auth: "-",
		status: status}
	if status == 200 {
		s.check = isText(text)
	} else {
		s.want = []string{text}
	}
	return s
}

// isText checks a 200 answer of the predict route: plain text, not
// cached, and the body exactly want.
func isText(want string) func(t *testing.T, e *env, res *http.Response, body []byte) {
	return func(t *testing.T, e *env, res *http.Response, body []byte) {
		t.Helper()
		if got := string(body); got != e.expand(want) {
			t.Errorf("body %q, want %q", got, e.expand(want))
		}
		if ct := res.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q", cc)
		}
	}
}

// output is the output parameter naming column.
func output(column string) string { return "output=" + url.QueryEscape(column) }

// TestPredict follows the live-formula route from disabled to enabled:
// values, texts for rows the model cannot score yet, the refusals, the
// probe, and the key kept out of recorded requests and the log.
func TestPredict(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db database) {
		e := setup(t, db)
		want := expected(t, fixtures.DemoModel, 5.1, 3.5, 1.4, 0.2)
		endpoint := "/workspaces/{ws}/webservices/demo/endpoints/default"
		e.run(t, []step{
			publish("publish", "demo", fixtures.DemoModel, 201),
			{name: "off by default", method: "GET", path: endpoint, status: 200, check: saveAPI("api"),
				want: []string{`"LiveWorkbookEnabled":false`}},
			predict("disabled: the route does not exist", irisQuery, 404, `"RouteNotFound"`),
			{name: "disabled, without a key", method: "GET", path: "{api}/predict?" + irisQuery, auth: "-",
				status: 401, want: []string{`"ScoreRequestUnauthorized"`, "api-key"}},
			{name: "enable, recording every call", method: "PATCH", path: endpoint,
				body: `{"LiveWorkbookEnabled":true,"DiagnosticsTraceLevel":"All"}`, status: 200,
				want: []string{`"LiveWorkbookEnabled":true`}},
			seeChanges(),

			predict("the label", output("Scored Labels")+"&"+irisQuery, 200, "setosa"),
			predict("the first output by default", irisQuery, 200, "setosa"),
			predict("a probability, named as classic named it", output(`scored probabilities for class "setosa"`)+"&"+irisQuery,
				200, want[1].String()),
			predict("a probability, named as the model names it", output("PROBABILITY_VIRGINICA")+"&"+irisQuery,
				200, want[3].String()),
			predict("inputs in another case and order, extras ignored",
				"id=7&PETAL_WIDTH=0.2&Petal_Length=1.4&sepal_width=3.5&sepal_length=5.1", 200, "setosa"),
			{name: "the key in the header", method: "GET", path: "{api}/predict?" + irisQuery, auth: "{default.secondary}",
				status: 200, check: isText("setosa")},
			predict("decimal commas, as a spreadsheet in some locales writes them",
				"sepal_length=5%2C1&sepal_width=3,5&petal_length=1,4&petal_width=0,2", 200, "setosa"),
			predict("a row not filled in yet", "sepal_length=5.1&petal_length=1.4&petal_width=0.2", 200,
				"missing: sepal_width"),
			predict("empty cells are missing", "sepal_length=5.1&sepal_width=&petal_length=%20&petal_width=0.2", 200,
				"missing: sepal_width, petal_length"),
			predict("a value the model refuses", "sepal_length=5.1&sepal_width=wide&petal_length=1.4&petal_width=0.2", 200,
				`error: sepal_width: value "wide" is not valid for this field`),
			predict("a number outside the field's interval", "sepal_length=5.1&sepal_width=35&petal_length=1.4&petal_width=0.2", 200,
				`error: sepal_width: value "35" is not valid for this field`),

			predict("an unknown output", output("Scored Label")+"&"+irisQuery, 400, `"target":"output"`),
			predict("an input given twice", irisQuery+"&Sepal_Width=3.5", 400, `"InvalidInputNames"`),
			predict("api-version 1.0", "api-version=1.0&"+irisQuery, 400, `"UnsupportedApiVersion"`),
			{name: "a wrong key", method: "GET", path: "{api}/predict?api-key=not-a-key&" + irisQuery, auth: "-",
				status: 401, want: []string{`"ScoreRequestUnauthorized"`}},
			{name: "the workspace token", method: "GET", path: "{api}/predict?api-key={token}&" + irisQuery, auth: "-",
				status: 401, want: []string{`"ScoreRequestUnauthorized"`}},
			{name: "a POST", method: "POST", path: "{api}/predict?api-key={default.primary}&" + irisQuery, auth: "-",
				status: 405},

			{name: "the probe is not scored", method: "GET", auth: "-", header: map[string]string{"Range": "bytes=0-0"},
				path:   "{api}/predict?api-key={default.primary}&" + output("no such output") + "&sepal_width=wide",
				status: 200, check: isText("")},
			{name: "HEAD is a probe", method: "HEAD", auth: "-",
				path: "{api}/predict?api-key={default.primary}&" + irisQuery, status: 200, check: isText("")},
			{name: "the probe checks the key", method: "GET", auth: "-", header: map[string]string{"Range": "bytes=0-0"},
				path: "{api}/predict?api-key=not-a-key&" + irisQuery, status: 401},

			{name: "recorded calls show no key", method: "GET", path: endpoint + "/logs?limit=1000", status: 200,
				want:   []string{`/predict?api-key=REDACTED`, `"Response":"setosa"`, `"Response":"missing: sepal_width"`},
				reject: []string{"{default.primary}", "{default.secondary}", "{token}", "no such output"},
				check: func(t *testing.T, _ *env, _ *http.Response, body []byte) {
					var logs struct{ Value []struct{ Path string } }
					if err := json.Unmarshal(body, &logs); err != nil {
						t.Fatal(err)
					}
					// The calls of the endpoint's key since the PATCH,
					// but for the probes: 11 answered 200 and 3 refused.
					if len(logs.Value) != 14 {
						t.Errorf("%d recorded calls, want 14", len(logs.Value))
					}
				}},

			{name: "disable", method: "PATCH", path: endpoint, body: `{"LiveWorkbookEnabled":false}`, status: 200,
				want: []string{`"LiveWorkbookEnabled":false`}},
			seeChanges(),
			predict("disabled again", irisQuery, 404, `"RouteNotFound"`),
		})
	})
}

// TestPredictThrottling: the route shares the endpoint's throttle with the
// scoring API, and the probe, which scores nothing, passes a full gate.
func TestPredictThrottling(t *testing.T) {
	t.Parallel()
	var loaded atomic.Pointer[blockingScorer]
	e := setup(t, sqlite, withLoader(blockingLoader(&loaded)))
	e.run(t, []step{
		publish("publish", "demo", fixtures.DemoModel, 201),
		{name: "Low: 4 calls", method: "PATCH", path: "/workspaces/{ws}/webservices/demo/endpoints/default",
			body: `{"ThrottleLevel":"Low","LiveWorkbookEnabled":true}`, status: 200, check: saveAPI("api")},
		seeChanges(),
	})
	call := func(header map[string]string) *http.Response {
		req := httptest.NewRequest("GET", e.expand("{api}/predict?api-key={default.primary}&"+irisQuery), nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		res, err := e.srv.App().Test(req, -1)
		if err != nil {
			t.Error(err)
			return nil
		}
		return res
	}
	inside := make(chan *http.Response, 4)
	go func() { inside <- call(nil) }()
	for loaded.Load() == nil || len(loaded.Load().inside) == 0 {
		time.Sleep(time.Millisecond)
	}
	blocking := loaded.Load()
	for range 3 {
		go func() { inside <- call(nil) }()
	}
	for n := 1; n < 4; {
		select {
		case n = <-blocking.inside:
		case <-time.After(10 * time.Second):
			t.Fatalf("only %d calls inside the model", n)
		}
	}
	res := call(nil)
	if res.StatusCode != 503 || res.Header.Get("Retry-After") == "" {
		t.Errorf("a fifth call: status %d Retry-After %q; want 503 with Retry-After", res.StatusCode, res.Header.Get("Retry-After"))
	}
	var ce classicError
	if err := json.NewDecoder(res.Body).Decode(&ce); err != nil || len(ce.Error.Details) == 0 || ce.Error.Details[0].Code != "RequestThrottled" {
		t.Errorf("throttled body %+v (%v)", ce, err)
	}
	if res := call(map[string]string{"Range": "bytes=0-0"}); res.StatusCode != 200 {
		t.Errorf("a probe while the gate is full: status %d, want 200", res.StatusCode)
	}
	close(blocking.release)
	for range 4 {
		if res := <-inside; res == nil || res.StatusCode != 200 {
			t.Errorf("a call inside the gate ended with %v", res)
		}
	}
	if blocking.max != 4 {
		t.Errorf("at most %d calls inside at once, want 4", blocking.max)
	}
}

// TestPredictOptionalInputs: an input the model can do without may be
// left out or empty; one it needs makes the row "missing".
func TestPredictOptionalInputs(t *testing.T) {
	t.Parallel()
	e := setup(t, sqlite)
	e.run(t, []step{
		publish("publish", "lin", []byte(optionalModel), 201),
		{name: "enable", method: "PATCH", path: "/workspaces/{ws}/webservices/lin/endpoints/default",
			body: `{"LiveWorkbookEnabled":true}`, status: 200, check: saveAPI("api")},
		seeChanges(),
		predict("both", "x=1&z=1", 200, "6"),
		predict("x left out takes its replacement", "z=1", 200, "24"),
		predict("x empty takes its replacement", "x=&z=1", 200, "24"),
		predict("z left out", "x=1", 200, "missing: z"),
	})
}
