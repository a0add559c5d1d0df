package gateway_test

import (
	"encoding/json"
	"html"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/fixtures"
	"github.com/scoregate/scoregate/gateway"
)

// swaggerDoc is the part of swagger.json the tests look at.
type swaggerDoc struct {
	Swagger             string
	Host                string
	BasePath            string
	Schemes             []string
	SecurityDefinitions map[string]struct{ Type, Name, In string }
	Security            []map[string][]string
	Paths               map[string]map[string]struct {
		Parameters []struct{ In, Name string }
		Responses  map[string]struct {
			Schema struct {
				Ref string `json:"$ref"`
			}
			Examples map[string]json.RawMessage
		}
	}
	Definitions map[string]struct {
		Properties map[string]struct{ Type, Format string }
		Required   []string
		Example    json.RawMessage
	}
}

// checkSwagger decodes swagger.json and checks what every endpoint's has;
// withSamples says whether examples must be present or absent.
func checkSwagger(api string, withSamples bool) func(t *testing.T, e *env, res *http.Response, body []byte) {
	return func(t *testing.T, e *env, res *http.Response, body []byte) {
		t.Helper()
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("Content-Type = %q", ct)
		}
		var doc swaggerDoc
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatalf("swagger.json is not JSON: %v", err)
		}
		if doc.Swagger != "2.0" || doc.Host != "gw.test" || len(doc.Schemes) != 1 || doc.Schemes[0] != "http" {
			t.Errorf("swagger %q, host %q, schemes %q", doc.Swagger, doc.Host, doc.Schemes)
		}
		if want := e.expand(api); doc.BasePath != want {
			t.Errorf("basePath = %q, want %q", doc.BasePath, want)
		}
		if sd := doc.SecurityDefinitions["apiKey"]; sd.Type != "apiKey" || sd.In != "header" || sd.Name != "Authorization" {
			t.Errorf("securityDefinitions = %+v", doc.SecurityDefinitions)
		}
		if len(doc.Security) != 1 || doc.Security[0]["apiKey"] == nil {
			t.Errorf("security = %v", doc.Security)
		}
		for path, def := range map[string]string{
			"/execute?api-version=2.0&format=swagger": "ExecuteRecordsResponse",
			"/execute?api-version=2.0&details=true":   "ExecuteTableResponse",
		} {
			op, ok := doc.Paths[path]["post"]
			if !ok {
				t.Errorf("no POST %s in %v", path, doc.Paths)
				continue
			}
			if got := op.Responses["200"].Schema.Ref; got != "#/definitions/"+def {
				t.Errorf("POST %s answers %q", path, got)
			}
			for _, status := range []string{"400", "401", "404", "408", "413", "415", "503"} {
				if op.Responses[status].Schema.Ref != "#/definitions/Error" {
					t.Errorf("POST %s: response %s is not the error body", path, status)
				}
			}
			if got := len(op.Responses["200"].Examples) > 0; got != withSamples {
				t.Errorf("POST %s: response examples %v, want %v", path, got, withSamples)
			}
		}
		in := doc.Definitions["InputRecord"]
		for _, name := range []string{"sepal_length", "sepal_width", "petal_length", "petal_width"} {
			if p := in.Properties[name]; p.Type != "number" || p.Format != "double" {
				t.Errorf("input %s is %+v", name, p)
			}
		}
		if len(in.Required) != 4 {
			t.Errorf("required inputs %q", in.Required)
		}
		out := doc.Definitions["OutputRecord"]
		if p := out.Properties["Scored Labels"]; p.Type != "string" {
			t.Errorf("Scored Labels is %+v", p)
		}
		if p := out.Properties[`Scored Probabilities for Class "setosa"`]; p.Type != "number" {
			t.Errorf("the probability of setosa is %+v", p)
		}
		for _, def := range []string{"ExecuteRecordsRequest", "ExecuteTableRequest"} {
			if got := len(doc.Definitions[def].Example) > 0; got != withSamples {
				t.Errorf("%s example %v, want %v", def, got, withSamples)
			}
		}
		if withSamples {
			var ex struct {
				Inputs struct{ Input1 []map[string]any }
			}
			if err := json.Unmarshal(doc.Definitions["ExecuteRecordsRequest"].Example, &ex); err != nil ||
				len(ex.Inputs.Input1) == 0 || ex.Inputs.Input1[0]["sepal_length"] != 5.0 {
				t.Errorf("records example %s (%v)", doc.Definitions["ExecuteRecordsRequest"].Example, err)
			}
		} else if strings.Contains(string(body), `"example`) {
			t.Errorf("swagger.json of an endpoint without sample data has examples")
		}
	}
}

// samplePre extracts the text of <pre id="id"> from a help page.
func samplePre(t *testing.T, page []byte, id string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<pre id="` + regexp.QuoteMeta(id) + `">(?:<code>)?(.*?)(?:</code>)?</pre>`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no <pre id=%q> in the page", id)
	}
	return html.UnescapeString(string(m[1]))
}

// checkHelpPage checks what every help page has.
func checkHelpPage(t *testing.T, _ *env, res *http.Response, body []byte) {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
	if strings.Contains(string(body), "<script") {
		t.Errorf("the help page has a script")
	}
	py := samplePre(t, body, "sample-python")
	if !strings.Contains(py, "import requests") || !strings.Contains(py, `api_key = "YOUR_API_KEY"`) {
		t.Errorf("python sample:\n%s", py)
	}
	if _, err := exec.LookPath("python3"); err == nil {
		f := filepath.Join(t.TempDir(), "score.py")
		if err := os.WriteFile(f, []byte(py), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("python3", "-c", "import ast, sys; ast.parse(open(sys.argv[1]).read())", f).CombinedOutput()
		if err != nil {
			t.Errorf("the python sample does not parse: %v\n%s\n%s", err, out, py)
		}
	}
	curl := samplePre(t, body, "sample-curl")
	if !strings.HasPrefix(curl, "curl ") || !strings.Contains(curl, "-H 'Authorization: Bearer YOUR_API_KEY'") {
		t.Errorf("curl sample:\n%s", curl)
	}
	var req any
	if err := json.Unmarshal([]byte(samplePre(t, body, "records-request")), &req); err != nil {
		t.Errorf("the records sample request is not JSON: %v", err)
	}
	if err := json.Unmarshal([]byte(samplePre(t, body, "table-response")), &req); err != nil {
		t.Errorf("the table sample response is not JSON: %v", err)
	}
}

// rememberSamples records the sample requests and responses of a help page
// as {as.table.request}, {as.records.response}, ….
func rememberSamples(as string) func(t *testing.T, e *env, res *http.Response, body []byte) {
	return func(t *testing.T, e *env, res *http.Response, body []byte) {
		t.Helper()
		checkHelpPage(t, e, res, body)
		for _, id := range []string{"table-request", "table-response", "records-request", "records-response"} {
			text := samplePre(t, body, id)
			e.mu.Lock()
			e.vars[as+"."+strings.ReplaceAll(id, "-", ".")] = text
			e.mu.Unlock()
		}
	}
}

// matchesSample checks that a scoring response has the shape of the help
// page's sample response {sample}: the same columns, column types and JSON
// types of values.
func matchesSample(sample string) func(t *testing.T, e *env, res *http.Response, body []byte) {
	return func(t *testing.T, e *env, _ *http.Response, body []byte) {
		t.Helper()
		var got, want any
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("response is not JSON: %v", err)
		}
		if err := json.Unmarshal([]byte(e.expand(sample)), &want); err != nil {
			t.Fatalf("sample response is not JSON: %v", err)
		}
		if g, w := jsonShape(got), jsonShape(want); g != w {
			t.Errorf("the response does not have the documented shape:\n got %s\nwant %s\n(%s)", g, w, body)
		}
	}
}

// jsonShape describes a JSON value by its keys and kinds; arrays by their
// first element; the table format's ColumnNames and ColumnTypes by value.
func jsonShape(v any) string {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		b.WriteString("{")
		for _, k := range keys {
			b.WriteString(strconv.Quote(k) + ":")
			if k == "ColumnNames" || k == "ColumnTypes" {
				names, _ := json.Marshal(v[k])
				b.Write(names)
			} else {
				b.WriteString(jsonShape(v[k]))
			}
			b.WriteString(",")
		}
		return b.String() + "}"
	case []any:
		if len(v) == 0 {
			return "[]"
		}
		return "[" + jsonShape(v[0]) + "]"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	}
	return "null"
}

func TestEndpointHelp(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db database) {
		e := setup(t, db)
		defaultAPI := baseURL + "{api}"
		helpWants := []string{
			"<h1>demo ", "[endpoint default]", defaultAPI + "/execute?api-version=2.0&amp;details=true",
			defaultAPI + "/execute?api-version=2.0&amp;format=swagger", `href="` + defaultAPI + `/swagger.json"`,
			"Authorization: Bearer YOUR_API_KEY", "sepal_length", "(0, 10]", "Scored Labels",
			"Scored Probabilities for Class &#34;virginica&#34;",
			`id="sample-curl"`, `id="sample-python"`, `id="sample-r"`, `id="sample-csharp"`, `id="sample-javascript"`,
			"library(httr)", "new HttpClient", "await fetch(url", "requests.post(",
			"InputParseError", "InputMismatchError", "MissingRequestInput", "RequestBodyInvalid", "InvalidInputNames",
			"UnexpectedParameter", "TooManyRows", "ScoreRequestUnauthorized", "WebServiceNotFound",
			"ScoreRequestTimeout", "RequestTooLarge", "UnsupportedMediaType", "RequestThrottled", "Retry-After",
		}
		secrets := []string{"{default.primary}", "{default.secondary}", "{samples.primary}", "{samples.secondary}", "{token}"}
		e.run(t, []step{
			publish("publish", "demo", fixtures.DemoModel, 201),
			{name: "default endpoint", method: "GET", path: "/workspaces/{ws}/webservices/demo/endpoints/default",
				status: 200, check: saveAPI("api")},
			putEndpoint("endpoint with sample data", "samples",
				`{"SampleDataEnabled":true,"EchoInputs":true,"Description":"With <samples> & more"}`, 201),
			{name: "its ApiLocation", method: "GET", path: "/workspaces/{ws}/webservices/demo/endpoints/samples",
				status: 200, check: saveAPI("samples.api")},
			publish("version 2 leaves samples on version 1", "demo", fixtures.DemoModelV2, 200),

			{name: "swagger.json without sample data", method: "GET", path: "{api}/swagger.json", auth: "-", status: 200,
				want: []string{`"title":"demo [default]"`}, reject: secrets, check: checkSwagger("{api}", false)},
			{name: "swagger.json with sample data", method: "GET", path: "{samples.api}/swagger.json", auth: "-", status: 200,
				reject: secrets, check: checkSwagger("{samples.api}", true)},
			{name: "swagger.json ignores a credential", method: "GET", path: "{api}/swagger.json", auth: "wrong", status: 200},

			{name: "help without sample data", method: "GET", path: "{api}/help", auth: "-", status: 200,
				// Inputs are made up from the schema either way, so the
				// samples run; the outputs are placeholders.
				want:   append(helpWants, `&#34;sepal_length&#34;: 5`, `&#34;Scored Labels&#34;: &#34;value&#34;`, "sample data is\noff"),
				reject: append(secrets, `&#34;Scored Labels&#34;: &#34;setosa&#34;`), check: checkHelpPage},
			{name: "help with sample data", method: "GET", path: "{samples.api}/help", auth: "-", status: 200,
				want: []string{"[endpoint samples]", "With &lt;samples&gt; &amp; more", `&#34;sepal_length&#34;: 5`,
					`&#34;sepal_length&#34;: 2.5`, `&#34;2.5&#34;`, "YOUR_API_KEY"},
				reject: append(secrets, "sample data is\noff", "<samples>"), check: rememberSamples("samples")},
			{name: "the table sample scores as documented", method: "POST", path: "{samples.api}/execute?api-version=2.0&details=true",
				auth: "{samples.primary}", body: "{samples.table.request}", ctype: "application/json", status: 200,
				check: matchesSample("{samples.table.response}")},
			{name: "the records sample scores as documented", method: "POST", path: "{samples.api}/execute?api-version=2.0&format=swagger",
				auth: "{samples.primary}", body: "{samples.records.request}", ctype: "application/json", status: 200,
				check: matchesSample("{samples.records.response}")},
			{name: "help with the endpoint's own key", method: "GET", path: "{api}/help", auth: "{default.primary}",
				status: 200, reject: secrets},

			{name: "unknown endpoint", method: "GET", path: "/workspaces/{ws}/services/" + scoregate.NewID() + "/help",
				auth: "-", status: 404, want: []string{`"code":"NotFound"`, `"WebServiceNotFound"`}},
			{name: "unknown endpoint's swagger.json", method: "GET", path: "/workspaces/{ws}/services/" + scoregate.NewID() + "/swagger.json",
				auth: "-", status: 404, want: []string{`"code":"NotFound"`, `"WebServiceNotFound"`}},
			{name: "unknown workspace answers the same", method: "GET", path: "/workspaces/" + scoregate.NewID() + "/services/" + scoregate.NewID() + "/help",
				auth: "-", status: 404, want: []string{`"WebServiceNotFound"`}, reject: []string{"WorkspaceNotFound"}},
			{name: "endpoint under another workspace", method: "GET",
				path: "/workspaces/{other}/services/{api.id}/help",
				auth: "-", status: 404, want: []string{`"WebServiceNotFound"`}},
			{name: "malformed ids", method: "GET", path: "/workspaces/x/services/y/swagger.json", auth: "-", status: 404,
				want: []string{`"WebServiceNotFound"`}},
		})
	})
}

// hostileModel is a regression whose field names and categories are markup.
const hostileModel = `<?xml version="1.0" encoding="UTF-8"?>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <Header/>
  <DataDictionary numberOfFields="3">
    <DataField name="&lt;b&gt;bold&lt;/b&gt;" optype="continuous" dataType="double"/>
    <DataField name="it&apos;s &quot;x&quot;" optype="categorical" dataType="string">
      <Value value="&lt;script&gt;alert(1)&lt;/script&gt;"/>
      <Value value="b"/>
    </DataField>
    <DataField name="y" optype="continuous" dataType="double"/>
  </DataDictionary>
  <RegressionModel functionName="regression">
    <MiningSchema>
      <MiningField name="&lt;b&gt;bold&lt;/b&gt;"/>
      <MiningField name="it&apos;s &quot;x&quot;"/>
      <MiningField name="y" usageType="target"/>
    </MiningSchema>
    <RegressionTable intercept="1">
      <NumericPredictor name="&lt;b&gt;bold&lt;/b&gt;" coefficient="2"/>
      <CategoricalPredictor name="it&apos;s &quot;x&quot;" value="b" coefficient="1"/>
    </RegressionTable>
  </RegressionModel>
</PMML>`

func TestEndpointHelpEscapes(t *testing.T) {
	t.Parallel()
	e := setup(t, sqlite)
	e.run(t, []step{
		publish("publish", "demo", []byte(hostileModel), 201),
		putEndpoint("endpoint", "markup", `{"SampleDataEnabled":true,"Description":"<img src=x onerror=alert(1)>"}`, 201),
		{name: "its ApiLocation", method: "GET", path: "/workspaces/{ws}/webservices/demo/endpoints/markup",
			status: 200, check: saveAPI("api")},
		{name: "help", method: "GET", path: "{api}/help", auth: "-", status: 200,
			want: []string{"&lt;b&gt;bold&lt;/b&gt;", "&lt;script&gt;alert(1)&lt;/script&gt;",
				"&lt;img src=x onerror=alert(1)&gt;", "it&#39;s &#34;x&#34;"},
			reject: []string{"<b>bold", "<script", "<img"},
			check: func(t *testing.T, e *env, res *http.Response, body []byte) {
				checkHelpPage(t, e, res, body)
				var req struct {
					Inputs struct{ Input1 []map[string]any }
				}
				if err := json.Unmarshal([]byte(samplePre(t, body, "records-request")), &req); err != nil || len(req.Inputs.Input1) == 0 {
					t.Fatalf("records request: %v", err)
				}
				row := req.Inputs.Input1[0]
				if row["<b>bold</b>"] != 0.0 || row[`it's "x"`] != "<script>alert(1)</script>" {
					t.Errorf("sample row %v", row)
				}
			}},
		{name: "swagger.json", method: "GET", path: "{api}/swagger.json", auth: "-", status: 200,
			check: func(t *testing.T, _ *env, _ *http.Response, body []byte) {
				var doc swaggerDoc
				if err := json.Unmarshal(body, &doc); err != nil {
					t.Fatal(err)
				}
				if p := doc.Definitions["InputRecord"].Properties["<b>bold</b>"]; p.Type != "number" {
					t.Errorf("<b>bold</b> is %+v", p)
				}
			}},
	})
}

// TestEndpointSwaggerBase checks that swagger.json splits a BaseURL with a
// path (a gateway behind a proxy) into scheme, host and basePath.
func TestEndpointSwaggerBase(t *testing.T) {
	t.Parallel()
	e := setup(t, sqlite, withConfig(func(c *gateway.Config) { c.BaseURL = "https://ml.example.com:8443/gw/" }))
	e.run(t, []step{
		publish("publish", "demo", fixtures.DemoModel, 201),
		{name: "default endpoint", method: "GET", path: "/workspaces/{ws}/webservices/demo/endpoints/default", status: 200,
			check: func(t *testing.T, e *env, _ *http.Response, body []byte) {
				var ep struct{ ApiLocation string }
				if err := json.Unmarshal(body, &ep); err != nil {
					t.Fatal(err)
				}
				rest, ok := strings.CutPrefix(ep.ApiLocation, "https://ml.example.com:8443/gw/workspaces/")
				if !ok {
					t.Fatalf("ApiLocation %q", ep.ApiLocation)
				}
				e.mu.Lock()
				e.vars["api"] = "/workspaces/" + rest
				e.mu.Unlock()
			}},
		{name: "swagger.json", method: "GET", path: "{api}/swagger.json", auth: "-", status: 200,
			check: func(t *testing.T, e *env, _ *http.Response, body []byte) {
				var doc swaggerDoc
				if err := json.Unmarshal(body, &doc); err != nil {
					t.Fatal(err)
				}
				if doc.Host != "ml.example.com:8443" || doc.BasePath != "/gw"+e.expand("{api}") ||
					len(doc.Schemes) != 1 || doc.Schemes[0] != "https" {
					t.Errorf("host %q, basePath %q, schemes %q", doc.Host, doc.BasePath, doc.Schemes)
				}
			}},
		{name: "help", method: "GET", path: "{api}/help", auth: "-", status: 200,
			want: []string{"&#39;https://ml.example.com:8443/gw{api}/execute?api-version=2.0&amp;format=swagger&#39;"}},
	})
}
