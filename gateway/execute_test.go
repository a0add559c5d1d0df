package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/fixtures"
	"github.com/scoregate/scoregate/gateway"
	"github.com/scoregate/scoregate/scoring"
	"github.com/scoregate/scoregate/scoring/pmml"
)

// saveAPI records the path of the ApiLocation of the endpoint in the
// response as {as}, and the endpoint's id as {as.id}.
func saveAPI(as string) func(t *testing.T, e *env, _ *http.Response, body []byte) {
	return func(t *testing.T, e *env, _ *http.Response, body []byte) {
		t.Helper()
		var ep struct{ ApiLocation string }
		if err := json.Unmarshal(body, &ep); err != nil || !strings.HasPrefix(ep.ApiLocation, baseURL+"/workspaces/") {
			t.Fatalf("ApiLocation %q (%v)", ep.ApiLocation, err)
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		e.vars[as] = strings.TrimPrefix(ep.ApiLocation, baseURL)
		e.vars[as+".id"] = ep.ApiLocation[strings.LastIndex(ep.ApiLocation, "/")+1:]
	}
}

// seeChanges is a step that makes the gateway apply the store's changes
// now rather than at its next poll.
func seeChanges() step {
	return step{name: "the gateway sees the change", method: "GET", path: "/healthz", status: 200,
		check: func(t *testing.T, e *env, _ *http.Response, _ []byte) {
			if err := e.live.Poll(context.Background()); err != nil {
				t.Fatal(err)
			}
		}}
}

// execute is a table-format scoring call of {api} (the default endpoint)
// with the default endpoint's primary key unless auth says otherwise.
func execute(name, auth, body string, status int, want ...string) step {
	if auth == "" {
		auth = "{default.primary}"
	}
	return step{name: name, method: "POST", path: "{api}/execute?api-version=2.0&details=true", auth: auth,
		body: body, ctype: "application/json", status: status, want: want}
}

// table builds a table-format body.
func table(columns string, rows ...string) string {
	return `{"Inputs":{"input1":{"ColumnNames":[` + columns + `],"Values":[` + strings.Join(rows, ",") + `]}},"GlobalParameters":{}}`
}

const irisColumns = `"sepal_length","sepal_width","petal_length","petal_width"`

// expected scores one iris row with the engine itself, so that the API is
// checked against the model and not against numbers copied here.
func expected(t *testing.T, doc []byte, cells ...float64) []scoregate.Value {
	t.Helper()
	m, err := pmml.Compile(bytes.NewReader(doc), pmml.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	row, out := m.NewRow(), m.NewOutput()
	for i, c := range cells {
		row.SetFloat(i, c)
	}
	if err := m.Score(row, out); err != nil {
		t.Fatal(err)
	}
	return out
}

// tableResult is the table-format response.
type tableResult struct {
	Results struct {
		Output1 struct {
			Type  string
			Value struct {
				ColumnNames []string
				ColumnTypes []string
				Values      [][]*string
			}
		} `json:"output1"`
	}
}

func TestExecuteTable(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db database) {
		e := setup(t, db)
		want := expected(t, fixtures.DemoModel, 6.3, 2.8, 5.1, 1.5)
		e.run(t, []step{
			publish("publish", "demo", fixtures.DemoModel, 201),
			{name: "default endpoint", method: "GET", path: "/workspaces/{ws}/webservices/demo/endpoints/default",
				status: 200, check: saveAPI("api")},
			execute("strings", "", table(irisColumns, `["6.3","2.8","5.1","1.5"]`), 200,
				`"type":"table"`, `"ColumnNames":["Scored Labels","Scored Probabilities for Class \"setosa\"",`,
				`"ColumnTypes":["String","Double","Double","Double"]`),
			{name: "numbers, columns in another order and case", method: "POST",
				path: "{api}/execute?api-version=2.0&details=true", auth: "{default.secondary}",
				body:   table(`"PETAL_WIDTH","petal_length","Sepal_Width","sepal_length"`, `[1.5,5.1,2.8,6.3]`),
				status: 200, check: func(t *testing.T, _ *env, _ *http.Response, body []byte) {
					var r tableResult
					if err := json.Unmarshal(body, &r); err != nil {
						t.Fatal(err)
					}
					row := r.Results.Output1.Value.Values[0]
					if len(row) != len(want) {
						t.Fatalf("row %d cells, want %d", len(row), len(want))
					}
					for i, w := range want {
						if row[i] == nil || *row[i] != w.String() {
							t.Errorf("cell %d = %v, want %q (the engine's)", i, row[i], w.String())
						}
					}
				}},
			execute("without details or api-version", "", table(irisColumns, `["5.1","3.5","1.4","0.2"]`), 200, `"Scored Labels"`),
			execute("two rows", "", table(irisColumns, `["5.1","3.5","1.4","0.2"]`, `[6.3,2.8,5.1,1.5]`), 200,
				`["setosa",`, `["`+want[0].String()+`",`),
			execute("extra columns are ignored", "", table(irisColumns+`,"id"`, `["5.1","3.5","1.4","0.2","x1"]`), 200,
				`"ColumnNames":["Scored Labels",`),
			execute("a cell that is no number", "", table(irisColumns, `["5.1","3.5","1.4","0.2"]`, `["5.1","wide","1.4","0.2"]`), 400,
				`"code":"BadUserArgument"`, `"InputParseError"`, `row 2, column \"sepal_width\"`, `\"wide\"`),
			execute("a boolean for a number", "", table(irisColumns, `[true,"3.5","1.4","0.2"]`), 400, `"InputParseError"`),
			execute("an object for a cell", "", table(irisColumns, `[{},"3.5","1.4","0.2"]`), 400, `"InputParseError"`),
			execute("a row of another width", "", table(irisColumns, `["5.1","3.5","1.4"]`), 400,
				`"InputMismatchError"`, "row 1 has 3 values for 4 columns"),
			execute("a column given twice", "", table(irisColumns+`,"Petal_Width"`, `["5.1","3.5","1.4","0.2","0.3"]`), 400,
				`"InvalidInputNames"`),
			execute("an unknown global parameter", "", `{"Inputs":{"input1":{"ColumnNames":[],"Values":[]}},"GlobalParameters":{"alpha":1}}`, 400,
				`"UnexpectedParameter"`, `"target":"alpha"`),
			execute("another input name", "", `{"Inputs":{"input2":{"ColumnNames":[],"Values":[]}}}`, 400,
				`"InvalidInputNames"`, `"target":"input2"`),
			execute("no inputs", "", `{"GlobalParameters":{}}`, 400, `"MissingRequestInput"`),
			execute("malformed JSON", "", `{"Inputs":`, 400, `"code":"BadArgument"`, `"RequestBodyInvalid"`),
			execute("empty body", "", ``, 400, `"RequestBodyInvalid"`),
			execute("Values of the wrong shape", "", `{"Inputs":{"input1":{"ColumnNames":["a"],"Values":"x"}}}`, 400,
				`"RequestBodyInvalid"`),
			{name: "api-version 1.0", method: "POST", path: "{api}/execute?api-version=1.0", auth: "{default.primary}",
				body: table(irisColumns, `["5.1","3.5","1.4","0.2"]`), status: 400,
				want: []string{`"UnsupportedApiVersion"`, `"target":"api-version"`}},
			{name: "a compressed body", method: "POST", path: "{api}/execute", auth: "{default.primary}",
				header: map[string]string{"Content-Encoding": "gzip"}, body: table(irisColumns, `["5.1","3.5","1.4","0.2"]`),
				status: 415, want: []string{`"code":"UnsupportedMediaType"`, `"target":"Content-Encoding"`}},
			execute("no key", "-", table(irisColumns, `["5.1","3.5","1.4","0.2"]`), 401, `"ScoreRequestUnauthorized"`),
			execute("a wrong key", "not-a-key-of-anything", table(irisColumns, `["5.1","3.5","1.4","0.2"]`), 401,
				`"ScoreRequestUnauthorized"`),
			execute("the workspace token", "{token}", table(irisColumns, `["5.1","3.5","1.4","0.2"]`), 401,
				`"ScoreRequestUnauthorized"`),
			putEndpoint("a second endpoint", "second", `{}`, 201),
			execute("the key of another endpoint", "{second.primary}", table(irisColumns, `["5.1","3.5","1.4","0.2"]`), 401,
				`"ScoreRequestUnauthorized"`),
			{name: "an unknown endpoint", method: "POST", path: "/workspaces/{ws}/services/0123456789abcdef0123456789abcdef/execute",
				auth: "{default.primary}", body: table(irisColumns, `["5.1","3.5","1.4","0.2"]`), status: 401},
		})
	})
}

// recordsResult is the records-format response.
type recordsResult struct {
	Results struct {
		Output1 []map[string]any `json:"output1"`
	}
}

func TestExecuteRecords(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db database) {
		e := setup(t, db)
		want := expected(t, fixtures.DemoModel, 6.3, 2.8, 5.1, 1.5)
		records := func(rows ...string) string {
			return `{"Inputs":{"input1":[` + strings.Join(rows, ",") + `]},"GlobalParameters":{}}`
		}
		call := func(name, body string, status int, want ...string) step {
			return step{name: name, method: "POST", path: "{api}/execute?api-version=2.0&format=swagger",
				auth: "{default.primary}", body: body, ctype: "application/json", status: status, want: want}
		}
		e.run(t, []step{
			publish("publish", "demo", fixtures.DemoModel, 201),
			{name: "default endpoint", method: "GET", path: "/workspaces/{ws}/webservices/demo/endpoints/default",
				status: 200, check: saveAPI("api")},
			{name: "typed values", method: "POST", path: "{api}/execute?api-version=2.0&format=swagger",
				auth: "{default.primary}", ctype: "application/json",
				body:   records(`{"sepal_length":6.3,"sepal_width":"2.8","PETAL_LENGTH":5.1,"petal_width":1.5}`),
				status: 200, check: func(t *testing.T, _ *env, _ *http.Response, body []byte) {
					var r recordsResult
					if err := json.Unmarshal(body, &r); err != nil {
						t.Fatal(err)
					}
					if len(r.Results.Output1) != 1 {
						t.Fatalf("%d records", len(r.Results.Output1))
					}
					got := r.Results.Output1[0]
					if got["Scored Labels"] != want[0].String() {
						t.Errorf("Scored Labels = %v, want %q", got["Scored Labels"], want[0].String())
					}
					p, ok := got[`Scored Probabilities for Class "virginica"`].(float64)
					if !ok || p != want[3].Num {
						t.Errorf("probability of virginica = %#v, want the number %v", got[`Scored Probabilities for Class "virginica"`], want[3].Num)
					}
				}},
			call("a record missing nothing but with extras", records(`{"sepal_length":5.1,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2,"id":7}`), 200,
				`"Scored Labels":"setosa"`),
			call("a bad cell names the record", records(`{"sepal_length":5.1,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2}`,
				`{"sepal_length":"long","sepal_width":3.5,"petal_length":1.4,"petal_width":0.2}`), 400,
				`"InputParseError"`, `row 2, column \"sepal_length\"`),
			call("not an array", `{"Inputs":{"input1":{"a":1}}}`, 400, `"RequestBodyInvalid"`),
			call("an array of numbers", `{"Inputs":{"input1":[1,2]}}`, 400, `"RequestBodyInvalid"`),
			{name: "echo inputs on", method: "PATCH", path: "/workspaces/{ws}/webservices/demo/endpoints/default",
				body: `{"EchoInputs":true}`, status: 200, want: []string{`"EchoInputs":true`}},
			seeChanges(),
			{name: "records echo their members first", method: "POST", path: "{api}/execute?format=swagger",
				auth: "{default.primary}", ctype: "application/json", status: 200,
				body: records(`{"id":"r1","sepal_length":5.1,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2}`),
				want: []string{`[{"id":"r1","sepal_length":5.1,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2,"Scored Labels":"setosa",`}},
			execute("tables echo their columns first", "", table(`"id",`+irisColumns, `["r1","5.1","3.5",1.4,null]`), 200,
				`"ColumnNames":["id","sepal_length","sepal_width","petal_length","petal_width","Scored Labels",`,
				`"ColumnTypes":["String","Double","Double","Double","Double","String",`,
				`["r1","5.1","3.5","1.4",null,`),
		})
	})
}

// TestExecuteLimits checks the request limits: rows, body size, and the
// scoring timeout.
func TestExecuteLimits(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db database) {
		e := setup(t, db, withConfig(func(c *gateway.Config) {
			c.MaxRows = 3
			c.MaxRequestBytes = 2048
		}))
		row := `["5.1","3.5","1.4","0.2"]`
		e.run(t, []step{
			publish("publish", "demo", fixtures.DemoModel, 201),
			{name: "default endpoint", method: "GET", path: "/workspaces/{ws}/webservices/demo/endpoints/default",
				status: 200, check: saveAPI("api")},
			execute("3 rows", "", table(irisColumns, row, row, row), 200),
			execute("4 rows", "", table(irisColumns, row, row, row, row), 400, `"TooManyRows"`, "at most 3"),
			{name: "4 records", method: "POST", path: "{api}/execute?format=swagger", auth: "{default.primary}",
				body: `{"Inputs":{"input1":[` + strings.Repeat(`{"sepal_length":5.1,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2},`, 3) +
					`{"sepal_length":5.1,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2}]}}`,
				status: 400, want: []string{`"TooManyRows"`}},
			execute("a body over the limit", "", table(irisColumns, row)+strings.Repeat(" ", 2048), 413,
				`"code":"RequestEntityTooLarge"`),
		})
	})
}

// blockingScorer wraps a Scorer: every call waits until release is closed
// (or its context ends) and the calls inside are counted.
type blockingScorer struct {
	scoregate.Scorer
	release chan struct{}
	inside  chan int // receives the number inside after each entry
	mu      chan struct{}
	n, max  int
}

// blockingLoader compiles PMML into blocking scorers, the last in loaded.
func blockingLoader(loaded *atomic.Pointer[blockingScorer]) scoring.Loader {
	return func(r io.Reader) (scoregate.Scorer, error) {
		s, err := scoring.CompilePMML(r, pmml.Limits{})
		if err != nil {
			return nil, err
		}
		b := &blockingScorer{Scorer: s, release: make(chan struct{}), inside: make(chan int, 1000), mu: make(chan struct{}, 1)}
		loaded.Store(b)
		return b, nil
	}
}

func (b *blockingScorer) ScoreBatch(ctx context.Context, rows []scoregate.Row, outs [][]scoregate.Value, errs []error) (int, error) {
	b.mu <- struct{}{}
	b.n++
	b.max = max(b.max, b.n)
	b.inside <- b.n
	<-b.mu
	defer func() {
		b.mu <- struct{}{}
		b.n--
		<-b.mu
	}()
	select {
	case <-b.release:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	return b.Scorer.ScoreBatch(ctx, rows, outs, errs)
}

// TestExecuteThrottling: with MaxConcurrentCalls 4 and 32 callers at once,
// 4 score and 28 get 503 RequestThrottled with Retry-After, and at no
// instant are more than 4 inside the model.
func TestExecuteThrottling(t *testing.T) {
	t.Parallel()
	var loaded atomic.Pointer[blockingScorer]
	e := setup(t, sqlite, withLoader(blockingLoader(&loaded)))
	e.run(t, []step{
		publish("publish", "demo", fixtures.DemoModel, 201),
		{name: "Low: 4 calls", method: "PATCH", path: "/workspaces/{ws}/webservices/demo/endpoints/default",
			body: `{"ThrottleLevel":"Low"}`, status: 200, check: saveAPI("api"), want: []string{`"MaxConcurrentCalls":4`}},
	})
	body := table(irisColumns, `["5.1","3.5","1.4","0.2"]`)
	call := func() *http.Response {
		req := httptest.NewRequest("POST", e.expand("{api}/execute"), strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+e.expand("{default.primary}"))
		res, err := e.srv.App().Test(req, -1)
		if err != nil {
			t.Error(err)
			return nil
		}
		return res
	}
	// Load the endpoint and its model first, so all 32 meet the gate.
	warm := make(chan *http.Response, 1)
	go func() { warm <- call() }()
	for loaded.Load() == nil || len(loaded.Load().inside) == 0 {
		time.Sleep(time.Millisecond)
	}
	blocking := loaded.Load()
	results := make(chan *http.Response, 32)
	for range 31 {
		go func() { results <- call() }()
	}
	// 3 more get in; 28 are refused at once, while the 4 wait.
	refused := 0
	for refused < 28 {
		select {
		case res := <-results:
			if res.StatusCode != 503 || res.Header.Get("Retry-After") == "" {
				t.Fatalf("status %d Retry-After %q while 4 calls are inside; want 503 with Retry-After", res.StatusCode, res.Header.Get("Retry-After"))
			}
			var ce classicError
			if err := json.NewDecoder(res.Body).Decode(&ce); err != nil || ce.Error.Details[0].Code != "RequestThrottled" {
				t.Fatalf("throttled body %+v (%v)", ce, err)
			}
			refused++
		case <-time.After(10 * time.Second):
			t.Fatalf("only %d calls refused", refused)
		}
	}
	close(blocking.release)
	ok := 0
	for _, ch := range []chan *http.Response{warm, results, results, results} {
		if res := <-ch; res.StatusCode == 200 {
			ok++
		}
	}
	if ok != 4 || blocking.max != 4 {
		t.Errorf("%d calls scored, at most %d inside at once; want 4 and 4", ok, blocking.max)
	}
}

// TestExecuteTimeout: a call whose scoring outlasts ScoreTimeout gets 408
// ScoreRequestTimeout.
func TestExecuteTimeout(t *testing.T) {
	t.Parallel()
	var loaded atomic.Pointer[blockingScorer]
	e := setup(t, sqlite, withLoader(blockingLoader(&loaded)),
		withConfig(func(c *gateway.Config) { c.ScoreTimeout = 50 * time.Millisecond }))
	e.run(t, []step{
		publish("publish", "demo", fixtures.DemoModel, 201),
		{name: "default endpoint", method: "GET", path: "/workspaces/{ws}/webservices/demo/endpoints/default",
			status: 200, check: saveAPI("api")},
		execute("a model that does not finish", "", table(irisColumns, `["5.1","3.5","1.4","0.2"]`), 408,
			`"code":"RequestTimeout"`, `"ScoreRequestTimeout"`),
	})
}

// optionalModel is a linear regression whose x has a missing value
// replacement (so its column may be left out) and whose z has none.
const optionalModel = `<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
<Header/>
<DataDictionary>
<DataField name="x" optype="continuous" dataType="double"/>
<DataField name="z" optype="continuous" dataType="double"/>
<DataField name="y" optype="continuous" dataType="double"/>
</DataDictionary>
<RegressionModel functionName="regression">
<MiningSchema>
<MiningField name="x" missingValueReplacement="10"/>
<MiningField name="z" missingValueTreatment="returnInvalid"/>
<MiningField name="y" usageType="target"/>
</MiningSchema>
<RegressionTable intercept="1"><NumericPredictor name="x" coefficient="2"/><NumericPredictor name="z" coefficient="3"/></RegressionTable>
</RegressionModel>
</PMML>`

func TestExecuteMissingColumns(t *testing.T) {
	t.Parallel()
	e := setup(t, sqlite)
	e.run(t, []step{
		publish("publish", "lin", []byte(optionalModel), 201),
		{name: "default endpoint", method: "GET", path: "/workspaces/{ws}/webservices/lin/endpoints/default",
			status: 200, check: saveAPI("api")},
		execute("both", "", table(`"x","z"`, `[1,1]`), 200, `"Values":[["6"]]`),
		execute("x left out takes its replacement", "", table(`"z"`, `[1]`), 200, `"Values":[["24"]]`),
		execute("z left out", "", table(`"x"`, `[1]`), 400, `"InputMismatchError"`, `column(s) \"z\"`),
		execute("z null is a row the model refuses", "", table(`"x","z"`, `[1,1]`, `[1,null]`), 400,
			`"code":"BadUserArgument"`, `row 2`),
	})
}

// TestExecuteModelSwap: a PATCH of an endpoint's Resources reaches new
// calls within a second; other endpoints keep their model.
func TestExecuteModelSwap(t *testing.T) {
	t.Parallel()
	e := setup(t, sqlite)
	// A row the two versions score differently, found with the engine.
	var row []float64
	for _, r := range [][]float64{{6.0, 2.9, 4.0, 1.72}, {6.0, 2.2, 5.0, 1.5}, {6.3, 2.5, 4.9, 1.5}, {6.0, 2.7, 5.1, 1.6}, {5.9, 3.2, 4.8, 1.8}, {6.1, 3.0, 4.9, 1.8}, {7.2, 3.0, 5.8, 1.6}} {
		if expected(t, fixtures.DemoModel, r...)[0] != expected(t, fixtures.DemoModelV2, r...)[0] {
			row = r
			break
		}
	}
	if row == nil {
		t.Fatal("no row scores differently under the two versions")
	}
	v1, v2 := expected(t, fixtures.DemoModel, row...)[0].String(), expected(t, fixtures.DemoModelV2, row...)[0].String()
	cells, _ := json.Marshal(row)
	body := table(irisColumns, string(cells))
	callB := step{name: "b scores", method: "POST", path: "{b.api}/execute", auth: "{b.primary}", body: body, status: 200}
	e.run(t, []step{
		publish("publish", "demo", fixtures.DemoModel, 201),
		putEndpoint("create b", "b", `{}`, 201),
		{name: "b's location", method: "GET", path: "/workspaces/{ws}/webservices/demo/endpoints/b", status: 200, check: saveAPI("b.api")},
		{name: "default's location", method: "GET", path: "/workspaces/{ws}/webservices/demo/endpoints/default", status: 200, check: saveAPI("api")},
		func() step { s := callB; s.name = "b on version 1"; s.want = []string{`[["` + v1 + `"`}; return s }(),
		{name: "upload the retrained model", method: "POST", path: "/workspaces/{ws}/blobs?name=retrained.pmml",
			body: string(fixtures.DemoModelV2), raw: true, ctype: "application/xml", status: 201, check: saveLocation("model")},
		{name: "PATCH b's Resources", method: "PATCH", path: "/workspaces/{ws}/webservices/demo/endpoints/b",
			body: `{"Resources":[{"Name":"demo [trained model]","Kind":"TrainedModel","Location":{"RelativeLocation":"{model}"}}]}`, status: 200},
	})
	deadline := time.Now().Add(time.Second)
	for {
		req := httptest.NewRequest("POST", e.expand("{b.api}/execute"), strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+e.expand("{b.primary}"))
		res, err := e.srv.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(res.Body)
		if bytes.Contains(got, []byte(`[["`+v2+`"`)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("b still answers %s a second after the PATCH", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
	e.run(t, []step{execute("default keeps version 1", "", body, 200, `[["`+v1+`"`)})
}
