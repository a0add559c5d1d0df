package gateway_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/gateway"
)

// faultyStore fails in the ways a broken database does, in front of a real
// store.
type faultyStore struct {
	scoregate.Store
}

func (faultyStore) Ready(context.Context) error {
	return errors.New("dial tcp 10.0.0.1:5432: password authentication failed for user hunter2")
}

func (faultyStore) WebServices(context.Context, string) ([]scoregate.WebService, error) {
	return nil, fmt.Errorf("list: %w", errors.New("pq: relation does not exist; password=hunter2"))
}

func (faultyStore) WebService(context.Context, string, string) (*scoregate.WebService, error) {
	panic("boom hunter2")
}

func (faultyStore) Endpoints(ctx context.Context, _, _ string) ([]scoregate.Endpoint, error) {
	return nil, fmt.Errorf("query: %w", context.DeadlineExceeded)
}

func TestInternalErrors(t *testing.T) {
	t.Parallel()
	e := setup(t, sqlite, withStoreWrapper(func(s scoregate.Store) scoregate.Store { return faultyStore{s} }))
	hidden := []string{"hunter2", "pq:", "10.0.0.1"}
	e.run(t, []step{
		{name: "not ready", method: "GET", path: "/readyz", auth: "-", status: 503,
			want: []string{`"code":"ServiceUnavailable"`}, reject: hidden},
		{name: "database error", method: "GET", path: "/workspaces/{ws}/webservices", status: 500,
			want: []string{`{"error":{"code":"InternalError","message":"internal error"`}, reject: hidden},
		{name: "panic", method: "GET", path: "/workspaces/{ws}/webservices/demo", status: 500,
			want: []string{`"message":"internal error"`}, reject: append(hidden, "boom")},
		{name: "still serving after a panic", method: "GET", path: "/healthz", auth: "-", status: 200},
		{name: "deadline", method: "GET", path: "/workspaces/{ws}/webservices/demo/endpoints", status: 408,
			want: []string{`"code":"RequestTimeout"`}},
	})
	logs := e.logs.String()
	for _, want := range []string{"password=hunter2", "boom hunter2", `"msg":"internal error"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
}

// TestRequestLog checks the shape of the log lines and that neither
// credentials nor query strings reach them.
func TestRequestLog(t *testing.T) {
	t.Parallel()
	e := setup(t, sqlite)
	e.run(t, []step{
		{name: "with a query", method: "GET", path: "/workspaces/{ws}/webservices?sig=s3cr3t", status: 200},
		{name: "an error", method: "GET", path: "/workspaces/{ws}/webservices/nope", status: 404},
		{name: "unauthorized", method: "GET", path: "/workspaces/{ws}/webservices", auth: "wrong-{ws.token}", status: 401},
	})
	lines := 0
	sc := bufio.NewScanner(strings.NewReader(e.logs.String()))
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("log line is not JSON: %s", sc.Bytes())
		}
		if line["msg"] != "request" {
			continue
		}
		lines++
		for _, k := range []string{"method", "path", "status", "latency", "request_id"} {
			if _, ok := line[k]; !ok {
				t.Errorf("log line lacks %s: %s", k, sc.Bytes())
			}
		}
	}
	if lines != 3 {
		t.Errorf("%d request lines, want 3:\n%s", lines, e.logs.String())
	}
	logs := e.logs.String()
	for _, bad := range []string{"s3cr3t", "sig=", "Authorization", "Bearer"} {
		if strings.Contains(logs, bad) {
			t.Errorf("log contains %q:\n%s", bad, logs)
		}
	}
	if !strings.Contains(logs, `"status":404`) || !strings.Contains(logs, `"error_code":"WebServiceNotFound"`) {
		t.Errorf("log lacks the 404:\n%s", logs)
	}
}

// TestServe boots the server on a real listener and shuts it down with a
// request in flight.
func TestServe(t *testing.T) {
	t.Parallel()
	e := setup(t, sqlite)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- e.srv.Serve(ln) }()
	url := "http://" + ln.Addr().String()
	res, err := http.Get(url + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz: %v", err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(body) != `{"Status":"ok"}` || res.Header.Get("x-ms-request-id") == "" {
		t.Fatalf("GET /healthz: %d %s %v", res.StatusCode, body, res.Header)
	}
	if s := res.Header.Get("Server"); s != "scoregate" {
		t.Errorf("Server = %q", s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after Shutdown")
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Error("server still accepts connections after Shutdown")
	}
}

// TestOversizedBody checks the app-wide limit, which the HTTP server
// enforces before any middleware runs.
func TestOversizedBody(t *testing.T) {
	t.Parallel()
	e := setup(t, sqlite, withConfig(func(c *gateway.Config) {
		c.MaxJSONBytes, c.MaxModelBytes, c.MaxBlobBytes, c.MaxRequestBytes = 100, 100, 100, 100
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go e.srv.Serve(ln)
	t.Cleanup(func() { e.srv.Shutdown(context.Background()) })
	// Bodies over the server's read-ahead are streamed to the route, which
	// refuses them by their Content-Length before reading them.
	req, _ := http.NewRequest("PUT", "http://"+ln.Addr().String()+"/workspaces/"+e.vars["ws"]+"/webservices/y", strings.NewReader(strings.Repeat("x", 1000)))
	req.Header.Set("Authorization", "Bearer "+e.vars["token"])
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 413 || !strings.Contains(string(body), `"code":"RequestEntityTooLarge"`) {
		t.Errorf("got %d %s", res.StatusCode, body)
	}
	if res.Header.Get("x-ms-request-id") == "" {
		t.Error("no x-ms-request-id")
	}
}
