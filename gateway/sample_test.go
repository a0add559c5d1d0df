package gateway

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/scoregate/scoregate"
)

func ptr(f float64) *float64 { return &f }

// sampleSchema has a field of every kind sampleRows tells apart.
var sampleSchema = scoregate.ModelInfo{Input: scoregate.Schema{Fields: []scoregate.Field{
	{Name: "color", DataType: scoregate.TypeString, OpType: scoregate.OpCategorical, Values: []string{"red", "green", "blue"}},
	{Name: "size", DataType: scoregate.TypeDouble, OpType: scoregate.OpContinuous,
		Intervals: []scoregate.Interval{{Closure: "closedClosed", Left: ptr(0), Right: ptr(10)}}},
	{Name: "count", DataType: scoregate.TypeInteger, OpType: scoregate.OpContinuous,
		Intervals: []scoregate.Interval{{Closure: "openOpen", Left: ptr(0), Right: ptr(3)}}},
	{Name: "age", DataType: scoregate.TypeInteger, OpType: scoregate.OpContinuous,
		Intervals: []scoregate.Interval{{Closure: "closedOpen", Left: ptr(18)}}},
	{Name: "debt", DataType: scoregate.TypeFloat, OpType: scoregate.OpContinuous,
		Intervals: []scoregate.Interval{{Closure: "openOpen", Right: ptr(0)}}},
	{Name: "score", DataType: scoregate.TypeDouble, OpType: scoregate.OpContinuous},
	{Name: "level", DataType: scoregate.TypeInteger, OpType: scoregate.OpOrdinal, Values: []string{"1", "2"}},
	{Name: "member", DataType: scoregate.TypeBoolean, OpType: scoregate.OpCategorical},
	{Name: "note", DataType: scoregate.TypeString, OpType: scoregate.OpCategorical},
	{Name: "split", DataType: scoregate.TypeDouble, OpType: scoregate.OpContinuous, Intervals: []scoregate.Interval{
		{Closure: "closedClosed", Left: ptr(-2), Right: ptr(-1)}, {Closure: "closedClosed", Left: ptr(1), Right: ptr(2)}}},
	{Name: "tiny", DataType: scoregate.TypeInteger, OpType: scoregate.OpContinuous,
		Intervals: []scoregate.Interval{{Closure: "openOpen", Left: ptr(0.1), Right: ptr(0.2)}}},
}}}

func TestSampleRows(t *testing.T) {
	t.Parallel()
	rows := sampleRows(sampleSchema, 4)
	want := map[string][]string{
		"color":  {"red", "green", "blue", "red"},    // categorical values in turn
		"size":   {"5", "2.5", "7.5", "5"},           // inside the bounded interval
		"count":  {"2", "1", "2", "2"},               // whole numbers inside (0, 3)
		"age":    {"19", "20", "21", "22"},           // left bound + 1, 2, …
		"debt":   {"-1", "-2", "-3", "-4"},           // right bound − 1, 2, …
		"score":  {"0", "1", "2", "3"},               // unbounded
		"level":  {"1", "2", "1", "2"},               // ordinal values
		"member": {"true", "false", "true", "false"}, // booleans alternate
		"note":   {"text", "text", "text", "text"},   // free text
		"split":  {"-1.5", "1.5", "-1.75", "1.25"},   // intervals in turn
		"tiny":   {"0.15", "0.125", "0.175", "0.15"}, // no whole number inside: the value inside wins
	}
	for j, f := range sampleSchema.Input.Fields {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, row := range rows {
				got = append(got, row[j])
			}
			if !reflect.DeepEqual(got, want[f.Name]) {
				t.Errorf("column %s = %q, want %q", f.Name, got, want[f.Name])
			}
			for _, v := range got {
				if len(f.Intervals) == 0 {
					continue
				}
				x, err := strconv.ParseFloat(v, 64)
				if err != nil {
					t.Fatalf("%q is not a number", v)
				}
				in := false
				for _, iv := range f.Intervals {
					in = in || inInterval(iv, x)
				}
				if !in {
					t.Errorf("%s is outside the intervals of %s", v, f.Name)
				}
			}
		})
	}
	if again := sampleRows(sampleSchema, 4); !reflect.DeepEqual(again, rows) {
		t.Errorf("sampleRows is not deterministic: %q then %q", rows, again)
	}
}

func TestSampleOutputs(t *testing.T) {
	t.Parallel()
	info := scoregate.ModelInfo{Output: scoregate.Schema{Fields: []scoregate.Field{
		{Name: "label", DataType: scoregate.TypeString, OpType: scoregate.OpCategorical, Feature: "predictedValue", Values: []string{"yes", "no"}},
		{Name: "p_yes", DataType: scoregate.TypeDouble, Feature: "probability", TargetValue: "yes"},
		{Name: "p_no", DataType: scoregate.TypeDouble, Feature: "probability", TargetValue: "no"},
		{Name: "p_any", DataType: scoregate.TypeDouble, Feature: "probability"},
		{Name: "leaf", DataType: scoregate.TypeInteger, Feature: "entityId"},
	}}}
	got := sampleOutputs(info, 2)
	want := [][]string{{"yes", "1", "0", "0.5", "0"}, {"no", "0", "1", "0.5", "1"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("sampleOutputs = %q, want %q", got, want)
	}
}

func TestTypedValue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, dataType, in string
		want               any
	}{
		{"double", scoregate.TypeDouble, "2.50", json.Number("2.5")},
		{"integer", scoregate.TypeInteger, "7", json.Number("7")},
		{"not a number", scoregate.TypeDouble, "n/a", "n/a"},
		{"infinity stays text", scoregate.TypeDouble, "Inf", "Inf"},
		{"boolean", scoregate.TypeBoolean, "true", true},
		{"string", scoregate.TypeString, "42", "42"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := typedValue(tc.dataType, tc.in); got != tc.want {
				t.Errorf("typedValue(%s, %q) = %#v, want %#v", tc.dataType, tc.in, got, tc.want)
			}
		})
	}
}

// hostileBody is a records request whose names and values need quoting in
// every language of the samples.
var hostileBody = jsonObject{
	{"Inputs", jsonObject{{"input1", []any{jsonObject{
		{`it's "quoted"`, "back\\slash\nnew line"},
		{"<b>bold</b> & $HOME `tick`", json.Number("1.5")},
		{"ünïcødé ✓", true},
		{"empty", jsonObject{}},
		{"none", nil},
	}}}}},
	{"GlobalParameters", jsonObject{}},
}

func TestSourceLiterals(t *testing.T) {
	t.Parallel()
	got := sourceLiteral(pythonSyntax, jsonObject{{"a", []any{true, false, nil, json.Number("1")}}, {"b", jsonObject{}}}, "")
	want := "{\n    \"a\": [True, False, None, 1],\n    \"b\": {}\n}"
	if got != want {
		t.Errorf("python literal:\n%s\nwant\n%s", got, want)
	}
	got = sourceLiteral(rSyntax, jsonObject{{"a b", []any{"x"}}, {"c", jsonObject{}}}, "")
	want = "list(\n  \"a b\" = list(\"x\"),\n  \"c\" = setNames(list(), character(0))\n)"
	if got != want {
		t.Errorf("R literal:\n%s\nwant\n%s", got, want)
	}
}

// scoreRecorder is a stand-in scoring endpoint that records what a sample
// program sent.
type scoreRecorder struct {
	mu               sync.Mutex
	uri, auth, ctype string
	body             []byte
	called           bool
	srv              *httptest.Server
}

func newScoreRecorder(t *testing.T) *scoreRecorder {
	t.Helper()
	r := &scoreRecorder{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.called, r.uri, r.body = true, req.URL.RequestURI(), b
		r.auth, r.ctype = req.Header.Get("Authorization"), req.Header.Get("Content-Type")
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"Results":{"output1":[]}}`)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// TestSamplePrograms runs each language's sample, with the placeholder
// replaced by a key, against a recording server: it must send exactly the
// sample body to the execute URL with the key. A language whose runtime is
// missing is skipped.
func TestSamplePrograms(t *testing.T) {
	t.Parallel()
	runners := map[string]struct {
		file string
		cmd  func(path string) *exec.Cmd
		need []string
	}{
		"curl":       {"score.sh", func(p string) *exec.Cmd { return exec.Command("sh", p) }, []string{"sh", "curl"}},
		"python":     {"score.py", func(p string) *exec.Cmd { return exec.Command("python3", p) }, []string{"python3"}},
		"javascript": {"score.js", func(p string) *exec.Cmd { return exec.Command("node", p) }, []string{"node"}},
	}
	rec := newScoreRecorder(t)
	target := rec.srv.URL + "/workspaces/ws/services/id/execute" + recordsFormatQuery
	list, err := samplePrograms(target, hostileBody)
	if err != nil {
		t.Fatal(err)
	}
	wantBody, err := json.Marshal(hostileBody)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex // one program at a time talks to rec
	for _, cs := range list {
		t.Run(cs.ID, func(t *testing.T) {
			t.Parallel()
			if !strings.Contains(cs.Code, apiKeyPlaceholder) {
				t.Errorf("the %s sample lacks the key placeholder", cs.Language)
			}
			r, ok := runners[cs.ID]
			if !ok {
				t.Skipf("no runner for %s in this test", cs.Language)
			}
			for _, tool := range r.need {
				if _, err := exec.LookPath(tool); err != nil {
					t.Skipf("%s not installed", tool)
				}
			}
			if cs.ID == "python" && exec.Command("python3", "-c", "import requests").Run() != nil {
				t.Skip("python3 has no requests package")
			}
			path := filepath.Join(t.TempDir(), r.file)
			code := strings.ReplaceAll(cs.Code, apiKeyPlaceholder, "test-key")
			if err := os.WriteFile(path, []byte(code), 0o600); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			rec.mu.Lock()
			rec.called = false
			rec.mu.Unlock()
			if out, err := r.cmd(path).CombinedOutput(); err != nil {
				t.Fatalf("%s sample failed: %v\n%s\n--- program ---\n%s", cs.Language, err, out, code)
			}
			rec.mu.Lock()
			defer rec.mu.Unlock()
			if !rec.called {
				t.Fatalf("the %s sample did not call the server", cs.Language)
			}
			if rec.uri != "/workspaces/ws/services/id/execute"+recordsFormatQuery {
				t.Errorf("URI = %q", rec.uri)
			}
			if rec.auth != "Bearer test-key" {
				t.Errorf("Authorization = %q", rec.auth)
			}
			if !strings.HasPrefix(rec.ctype, "application/json") {
				t.Errorf("Content-Type = %q", rec.ctype)
			}
			var got, want any
			if err := json.Unmarshal(rec.body, &got); err != nil {
				t.Fatalf("body is not JSON: %v\n%s", err, rec.body)
			}
			_ = json.Unmarshal(wantBody, &want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("body = %s, want %s", rec.body, wantBody)
			}
		})
	}
}

// TestSampleSyntax parses the samples no test runs, where a parser is at
// hand: Python with ast (also when requests is missing), R with Rscript.
func TestSampleSyntax(t *testing.T) {
	t.Parallel()
	list, err := samplePrograms("http://gw.test/x?a=1&b='2'", hostileBody)
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string][]string{
		"python":     {"python3", "-c", "import ast, sys; ast.parse(open(sys.argv[1]).read())"},
		"r":          {"Rscript", "-e", "invisible(parse(commandArgs(TRUE)[1]))"},
		"javascript": {"node", "--check"},
	}
	for _, cs := range list {
		args, ok := checks[cs.ID]
		if !ok {
			continue
		}
		t.Run(cs.ID, func(t *testing.T) {
			t.Parallel()
			if _, err := exec.LookPath(args[0]); err != nil {
				t.Skipf("%s not installed", args[0])
			}
			path := filepath.Join(t.TempDir(), "sample")
			if err := os.WriteFile(path, []byte(cs.Code), 0o600); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(args[0], append(args[1:], path)...).CombinedOutput(); err != nil {
				t.Errorf("%s sample does not parse: %v\n%s\n--- program ---\n%s", cs.Language, err, out, cs.Code)
			}
		})
	}
}

// FuzzPrettyJSON checks that the sample bodies shown on the help page (and
// sent by the curl, C# and JavaScript samples) are JSON meaning what the
// gateway built, whatever the column names and values.
func FuzzPrettyJSON(f *testing.F) {
	f.Add("sepal_length", "5", true)
	f.Add(`it's "quoted"`, "back\\slash\nline", false)
	f.Add("<b>&</b>", "\u2028\x00\xff", true)
	f.Fuzz(func(t *testing.T, key, value string, flag bool) {
		body := jsonObject{{"Inputs", jsonObject{{"input1", []any{
			jsonObject{{key, value}, {"n", json.Number("1.5")}, {"b", flag}, {"z", nil}},
			[]any{value, key},
		}}}}, {"GlobalParameters", jsonObject{}}}
		want, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		var got, exp any
		if err := json.Unmarshal([]byte(prettyJSON(body)), &got); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, prettyJSON(body))
		}
		if err := json.Unmarshal(want, &exp); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, exp) {
			t.Errorf("prettyJSON means %v, want %v", got, exp)
		}
	})
}
