package gateway_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// step is one request of a scenario and what its answer must be.
type step struct {
	name   string
	method string
	path   string // expanded
	// auth is the credential sent as Bearer, expanded; "" sends the
	// workspace token, "-" sends no Authorization header.
	auth   string
	header map[string]string
	body   string // expanded unless raw
	raw    bool
	ctype  string
	status int
	want   []string // substrings the body must contain, expanded
	reject []string // substrings it must not contain, expanded
	check  func(t *testing.T, e *env, res *http.Response, body []byte)
}

// run plays steps in order, each a subtest; the first failure stops the
// scenario, since later steps build on earlier ones.
func (e *env) run(t *testing.T, steps []step) {
	t.Helper()
	for _, s := range steps {
		if !t.Run(s.name, func(t *testing.T) { e.do(t, s) }) {
			t.FailNow()
		}
	}
}

var requestIDShape = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func (e *env) do(t *testing.T, s step) {
	t.Helper()
	body := s.body
	if !s.raw {
		body = e.expand(body)
	}
	req := httptest.NewRequest(s.method, e.expand(s.path), strings.NewReader(body))
	if s.ctype != "" {
		req.Header.Set("Content-Type", s.ctype)
	}
	switch s.auth {
	case "-":
	case "":
		req.Header.Set("Authorization", "Bearer "+e.expand("{token}"))
	default:
		req.Header.Set("Authorization", "Bearer "+e.expand(s.auth))
	}
	for k, v := range s.header {
		req.Header.Set(k, e.expand(v))
	}
	res, err := e.srv.App().Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", s.method, s.path, err)
	}
	defer res.Body.Close()
	got, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	if res.StatusCode != s.status {
		t.Fatalf("%s %s: status %d, want %d; body %s", s.method, s.path, res.StatusCode, s.status, got)
	}
	if id := res.Header.Get("x-ms-request-id"); !requestIDShape.MatchString(id) {
		t.Errorf("x-ms-request-id = %q, want a UUID", id)
	}
	for _, w := range s.want {
		if w = e.expand(w); !bytes.Contains(got, []byte(w)) {
			t.Errorf("body lacks %s\nbody: %s", w, got)
		}
	}
	for _, r := range s.reject {
		if r = e.expand(r); bytes.Contains(got, []byte(r)) {
			t.Errorf("body contains %s\nbody: %s", r, got)
		}
	}
	if res.StatusCode >= 400 {
		assertClassicError(t, res, got)
		e.assertNoSecretsIn(t, "an error body", string(got))
	} else {
		e.captureKeys(t, got)
	}
	if s.check != nil {
		s.check(t, e, res, got)
	}
}

// captureKeys records the keys of every endpoint in a response as
// {name.primary} and {name.secondary}.
func (e *env) captureKeys(t *testing.T, body []byte) {
	t.Helper()
	type keys struct{ Name, PrimaryKey, SecondaryKey string }
	var list []keys
	if len(body) > 0 && body[0] == '[' {
		_ = json.Unmarshal(body, &list)
	} else {
		var one keys
		if json.Unmarshal(body, &one) == nil {
			list = append(list, one)
		}
	}
	for _, k := range list {
		if k.PrimaryKey != "" {
			e.setSecret(k.Name+".primary", k.PrimaryKey)
			e.setSecret(k.Name+".secondary", k.SecondaryKey)
		}
	}
}

// classStatus is the status each class must come with.
var classStatus = map[string]int{
	"BadArgument": 400, "BadUserArgument": 400, "Unauthorized": 401, "NotFound": 404,
	"MethodNotAllowed": 405, "RequestTimeout": 408, "Conflict": 409, "RequestEntityTooLarge": 413,
	"UnsupportedMediaType": 415, "ServiceUnavailable": 503, "InternalError": 500,
}

type classicError struct {
	Error struct {
		Code    string
		Message string
		Details []struct{ Code, Target, Message string }
	} `json:"error"`
}

func assertClassicError(t *testing.T, res *http.Response, body []byte) {
	t.Helper()
	var ce classicError
	if err := json.Unmarshal(body, &ce); err != nil {
		t.Fatalf("error body is not JSON: %v\n%s", err, body)
	}
	if classStatus[ce.Error.Code] != res.StatusCode {
		t.Errorf("error class %q with status %d", ce.Error.Code, res.StatusCode)
	}
	if ce.Error.Message == "" {
		t.Errorf("error without message: %s", body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("error Content-Type = %q", ct)
	}
}

// form builds a multipart body: files maps field to (filename, content),
// fields are plain values. It returns the body and its Content-Type.
func form(t *testing.T, files map[string][2]string, fields map[string]string) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for field, f := range files {
		fw, err := w.CreateFormFile(field, f[0])
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(fw, f[1])
	}
	for k, v := range fields {
		w.WriteField(k, v)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String(), w.FormDataContentType()
}
