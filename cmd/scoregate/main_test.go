package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scoregate/scoregate/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// gatewayProcess is a Main booted in-process on a loopback port.
type gatewayProcess struct {
	main   *Main
	stdout *storetest.LogBuffer
	logs   *storetest.LogBuffer
}

// boot starts Main with env (and a loopback address), closing it at cleanup.
func boot(t *testing.T, env map[string]string) *gatewayProcess {
	t.Helper()
	p := &gatewayProcess{stdout: &storetest.LogBuffer{}, logs: &storetest.LogBuffer{}}
	getenv := func(k string) string { return env[k] }
	p.main = NewMain(getenv, p.stdout, p.logs)
	if err := p.main.ParseFlags([]string{"-addr", "127.0.0.1:0"}); err != nil {
		t.Fatalf("ParseFlags: %v", err)
	}
	if err := p.main.Run(context.Background()); err != nil {
		p.main.Close()
		t.Fatalf("Run: %v\nlogs:\n%s", err, p.logs.String())
	}
	t.Cleanup(func() { p.stop(t) })
	return p
}

func (p *gatewayProcess) stop(t *testing.T) {
	t.Helper()
	if p.main == nil {
		return
	}
	if err := p.main.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	p.main = nil
}

// client calls the gateway over real HTTP.
type client struct {
	t    *testing.T
	base string
}

// do sends a request with an optional bearer credential and JSON body and
// returns the status and the decoded JSON body (nil when empty).
func (c client) do(method, path, credential string, body any) (int, any) {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if credential != "" {
		req.Header.Set("Authorization", "Bearer "+credential)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("x-ms-request-id") == "" {
		c.t.Errorf("%s %s: no x-ms-request-id header", method, path)
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	var v any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &v); err != nil {
			c.t.Fatalf("%s %s: %d, body is not JSON: %q", method, path, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode, v
}

func (c client) expect(status int, method, path, credential string, body any) map[string]any {
	c.t.Helper()
	got, v := c.do(method, path, credential, body)
	if got != status {
		c.t.Fatalf("%s %s: status %d, want %d; body %v", method, path, got, status, v)
	}
	m, _ := v.(map[string]any)
	return m
}

func readToken(t *testing.T, dataDir string) string {
	t.Helper()
	path := filepath.Join(dataDir, "workspace-token")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("token file: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v, want 0600", fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// TestQuickStart is the "done when" session as a new user runs it:
// first start, manage an endpoint and its keys, restart, state kept. It runs
// on the embedded SQLite and on Postgres.
func TestQuickStart(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		quickStart(t, map[string]string{"SCOREGATE_DATA_DIR": t.TempDir()})
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		quickStart(t, map[string]string{
			"SCOREGATE_DATA_DIR":     t.TempDir(),
			"SCOREGATE_DATABASE_URL": storetest.PostgresURL(t),
			"SCOREGATE_SECRET":       "a-test-secret-that-is-long-enough-0123456789",
		})
	})
}

func quickStart(t *testing.T, env map[string]string) {
	dataDir := env["SCOREGATE_DATA_DIR"]
	p := boot(t, env)
	token := readToken(t, dataDir)
	banner := p.stdout.String()
	for _, want := range []string{filepath.Join(dataDir, "workspace-token"), "/services/", p.main.BaseURL()} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner lacks %q:\n%s", want, banner)
		}
	}
	c := client{t: t, base: p.main.BaseURL()}

	var wss []map[string]any
	status, v := c.do("GET", "/workspaces", token, nil)
	if status != 200 {
		t.Fatalf("GET /workspaces: %d %v", status, v)
	}
	for _, w := range v.([]any) {
		wss = append(wss, w.(map[string]any))
	}
	if len(wss) != 1 {
		t.Fatalf("workspaces: %v", wss)
	}
	ws := wss[0]["Id"].(string)
	if !strings.Contains(banner, ws) {
		t.Errorf("banner does not name workspace %s", ws)
	}

	_, v = c.do("GET", "/workspaces/"+ws+"/webservices", token, nil)
	services, _ := v.([]any)
	if len(services) != 1 || services[0].(map[string]any)["Name"] != "iris" {
		t.Fatalf("web services after first start: %v", v)
	}
	svc := "/workspaces/" + ws + "/webservices/iris"
	def := c.expect(200, "GET", svc+"/endpoints/default", token, nil)
	if !strings.Contains(banner, def["ApiLocation"].(string)) {
		t.Errorf("banner lacks the demo ApiLocation %v:\n%s", def["ApiLocation"], banner)
	}

	ep := svc + "/endpoints/customer001"
	created := c.expect(201, "PUT", ep, token, map[string]any{
		"Description": "Customer 001", "ThrottleLevel": "High", "MaxConcurrentCalls": 50,
	})
	got := c.expect(200, "GET", ep, token, nil)
	for k, want := range map[string]any{"Name": "customer001", "Description": "Customer 001",
		"ThrottleLevel": "High", "MaxConcurrentCalls": float64(50), "Version": float64(1)} {
		if got[k] != want {
			t.Errorf("GET customer001: %s = %v, want %v", k, got[k], want)
		}
	}
	apiLoc, _ := got["ApiLocation"].(string)
	if !strings.HasPrefix(apiLoc, p.main.BaseURL()+"/workspaces/"+ws+"/services/") {
		t.Errorf("ApiLocation %q", apiLoc)
	}
	primary, secondary := got["PrimaryKey"].(string), got["SecondaryKey"].(string)
	if primary == "" || secondary == "" || primary == secondary || created["PrimaryKey"] != primary {
		t.Fatalf("keys: primary %q secondary %q", primary, secondary)
	}

	c.expect(200, "GET", ep, secondary, nil)
	after := c.expect(200, "POST", ep+"/regeneratekeys", token, map[string]any{"KeyType": "Secondary"})
	if after["SecondaryKey"] == secondary || after["PrimaryKey"] != primary {
		t.Errorf("regenerate secondary: keys %v / %v", after["PrimaryKey"], after["SecondaryKey"])
	}
	c.expect(401, "GET", ep, secondary, nil)
	c.expect(200, "GET", ep, primary, nil)
	c.expect(200, "GET", ep, after["SecondaryKey"].(string), nil)

	conflict := c.expect(409, "DELETE", svc+"/endpoints/default", token, nil)
	if e, _ := conflict["error"].(map[string]any); e == nil || e["code"] != "Conflict" {
		t.Errorf("delete default: body %v", conflict)
	}
	c.expect(204, "DELETE", ep, token, nil)
	c.expect(404, "GET", ep, token, nil)
	c.expect(201, "PUT", svc+"/endpoints/customer002", token, map[string]any{"ThrottleLevel": "Low"})

	// Restart: the same workspace, token, demo and endpoints come back and
	// nothing is seeded twice.
	p.stop(t)
	p2 := boot(t, env)
	if again := readToken(t, dataDir); again != token {
		t.Errorf("token changed across restart")
	}
	c = client{t: t, base: p2.main.BaseURL()}
	_, v = c.do("GET", "/workspaces", token, nil)
	if n := len(v.([]any)); n != 1 {
		t.Errorf("workspaces after restart: %d", n)
	}
	_, v = c.do("GET", "/workspaces/"+ws+"/webservices/iris/endpoints", token, nil)
	names := []string{}
	for _, e := range v.([]any) {
		names = append(names, e.(map[string]any)["Name"].(string))
	}
	if strings.Join(names, ",") != "customer002,default" {
		t.Errorf("endpoints after restart: %v", names)
	}
	low := c.expect(200, "GET", svc+"/endpoints/customer002", token, nil)
	if low["MaxConcurrentCalls"] != float64(4) {
		t.Errorf("Low endpoint after restart: %v", low)
	}

	for name, out := range map[string]string{"stdout": p.stdout.String() + p2.stdout.String(), "logs": p.logs.String() + p2.logs.String()} {
		for _, secret := range []string{token, primary, secondary, after["SecondaryKey"].(string)} {
			if strings.Contains(out, secret) {
				t.Errorf("%s contains a key or token", name)
			}
		}
	}
}

// TestSchemaBehindRefused checks that serve refuses a database whose schema
// is behind unless --migrate is given or "scoregate migrate" ran, while a
// new database is migrated on first start.
func TestSchemaBehindRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// behind makes a data directory whose database is at schema version 1.
	behind := func(t *testing.T) func(string) string {
		env := map[string]string{"SCOREGATE_DATA_DIR": t.TempDir()}
		getenv := func(k string) string { return env[k] }
		cfg, _, err := adminFlags("migrate", nil, getenv, io.Discard, nil)
		if err != nil {
			t.Fatal(err)
		}
		db, err := openAdminStore(ctx, cfg, newLogger(cfg, io.Discard))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.MigrateTo(ctx, 1); err != nil {
			t.Fatal(err)
		}
		return getenv
	}
	start := func(getenv func(string) string, args ...string) error {
		m := NewMain(getenv, io.Discard, io.Discard)
		if err := m.ParseFlags(append([]string{"-addr", "127.0.0.1:0"}, args...)); err != nil {
			t.Fatal(err)
		}
		err := m.Run(ctx)
		return errors.Join(err, m.Close())
	}

	t.Run("refused, then migrate command", func(t *testing.T) {
		t.Parallel()
		getenv := behind(t)
		err := start(getenv)
		if err == nil || !strings.Contains(err.Error(), "scoregate migrate") {
			t.Fatalf("Run on a schema behind: err = %v, want a refusal naming scoregate migrate", err)
		}
		var out bytes.Buffer
		if err := run(ctx, []string{"migrate"}, getenv, nil, &out, io.Discard); err != nil {
			t.Fatalf("migrate: %v", err)
		}
		latest, err := storetest.NewSQLite(t).SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), fmt.Sprintf("database schema at version %d", latest)) {
			t.Errorf("migrate output %q", out.String())
		}
		if err := start(getenv); err != nil {
			t.Errorf("Run after migrate: %v", err)
		}
	})
	t.Run("-migrate flag", func(t *testing.T) {
		t.Parallel()
		if err := start(behind(t), "-migrate"); err != nil {
			t.Errorf("Run -migrate on a schema behind: %v", err)
		}
	})
}

// TestConfig covers flag and environment precedence, validation and the
// masked dump.
func TestConfig(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"SCOREGATE_ADDR":         ":9999",
		"SCOREGATE_DATABASE_URL": "postgres://scoregate:hunter2-password@db:5432/sg",
		"SCOREGATE_SECRET":       "this-secret-is-long-enough-for-scoregate-0123",
		"SCOREGATE_BLOB_URL":     "azblob://models?sas_token=sv-super-secret-sig",
		"SCOREGATE_LOG_FORMAT":   "json",
	}
	m := NewMain(func(k string) string { return env[k] }, io.Discard, io.Discard)
	if err := m.ParseFlags([]string{"-addr", "127.0.0.1:7000"}); err != nil {
		t.Fatal(err)
	}
	if m.Config.Addr != "127.0.0.1:7000" || m.Config.LogFormat != "json" || m.Config.DataDir != "./data" {
		t.Errorf("config %+v", m.Config)
	}
	var out bytes.Buffer
	if err := m.Config.dump(&out); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"hunter2-password", "this-secret-is-long", "sv-super-secret-sig"} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("config dump shows %q:\n%s", secret, out.String())
		}
	}
	if !strings.Contains(out.String(), `"Addr": "127.0.0.1:7000"`) {
		t.Errorf("config dump lacks the address:\n%s", out.String())
	}

	bad := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"postgres without secret", map[string]string{"SCOREGATE_DATABASE_URL": "postgres://x@y/z"}, nil, "secret"},
		{"short secret", map[string]string{"SCOREGATE_SECRET": "short"}, nil, "32 characters"},
		{"log format", nil, []string{"-log-format", "xml"}, "log format"},
		{"stray argument", nil, []string{"extra"}, "unexpected arguments"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMain(func(k string) string { return tc.env[k] }, io.Discard, io.Discard)
			err := m.ParseFlags(tc.args)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}

	if got := (&Config{}).baseURL("[::]:8080"); got != "http://localhost:8080" {
		t.Errorf("baseURL from [::]:8080 = %q", got)
	}
	if got := (&Config{BaseURL: "https://ml.example.com/"}).baseURL("[::]:8080"); got != "https://ml.example.com" {
		t.Errorf("configured baseURL = %q", got)
	}
}

// TestServerSecretFile checks the embedded setup's generated secret.
func TestServerSecretFile(t *testing.T) {
	t.Parallel()
	cfg := Config{DataDir: t.TempDir()}
	first, err := serverSecret(cfg)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(cfg.DataDir, "server-secret"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret file: %v %v", fi, err)
	}
	second, err := serverSecret(cfg)
	if err != nil || !bytes.Equal(first, second) || len(first) < 32 {
		t.Errorf("secret not reused: %d bytes, %v", len(first), err)
	}
}
