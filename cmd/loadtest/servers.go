package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// startupTimeout bounds a server's start: the gateway migrates a new
// SQLite database before it is ready.
const startupTimeout = time.Minute

// buildGateway builds ./cmd/scoregate of the module the command runs in,
// static as it ships.
func (m *Main) buildGateway(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("find the module to build scoregate from (or pass -bin): %w", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	if _, err := os.Stat(filepath.Join(root, "cmd", "scoregate")); err != nil {
		return "", fmt.Errorf("run from the scoregate repository or pass -bin: %w", err)
	}
	bin := filepath.Join(m.tmp, "scoregate")
	fmt.Fprintln(m.stderr, "building scoregate…")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", bin, "./cmd/scoregate")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build scoregate: %w\n%s", err, out)
	}
	return bin, nil
}

// startBare starts this binary in its hidden -bare mode and returns the
// bare handler as a target.
func (m *Main) startBare(ctx context.Context) (target, error) {
	self, err := os.Executable()
	if err != nil {
		return target{}, err
	}
	addr, err := freeAddr()
	if err != nil {
		return target{}, err
	}
	p, err := m.start("bare", os.Environ(), self, bareArg, addr)
	if err != nil {
		return target{}, err
	}
	m.bare = p
	if err := waitListening(ctx, p, addr); err != nil {
		return target{}, err
	}
	return target{addr: addr, uri: "http://" + addr + barePath + executeQuery}, nil
}

// waitListening waits until addr accepts connections.
func waitListening(ctx context.Context, p *proc, addr string) error {
	deadline := time.Now().Add(startupTimeout)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return c.Close()
		}
		if err := p.exited(); err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s does not listen on %s after %s: %w", p.name, addr, startupTimeout, err)
		}
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return err
		}
	}
}

// gatewayRun is the started gateway: its management client, the
// management URL of the endpoint under test and the endpoint as a target.
type gatewayRun struct {
	admin    *admin
	endpoint string
	target   target
}

// endpointJSON is the part of the classic endpoint body the run reads.
type endpointJSON struct {
	PrimaryKey            string
	APILocation           string `json:"ApiLocation"`
	MaxConcurrentCalls    int
	DiagnosticsTraceLevel string
}

// startGateway starts scoregate on SQLite in a new data directory,
// publishes the model and returns its default endpoint, set to admit every
// connection of the run.
func (m *Main) startGateway(ctx context.Context, bin, modelPath string) (*gatewayRun, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	dataDir := filepath.Join(m.tmp, "data")
	base := "http://" + addr
	p, err := m.start("scoregate", gatewayEnv(os.Environ()), bin, "serve",
		"-addr", addr, "-base-url", base, "-data-dir", dataDir, "-log-level", "warn")
	if err != nil {
		return nil, err
	}
	m.gateway = p
	a := &admin{base: base, hc: &http.Client{Timeout: 5 * time.Minute}}
	if err := a.waitReady(ctx, p); err != nil {
		return nil, err
	}
	token, err := os.ReadFile(filepath.Join(dataDir, "workspace-token"))
	if err != nil {
		return nil, fmt.Errorf("read the workspace token: %w", err)
	}
	a.token = strings.TrimSpace(string(token))
	var workspaces []struct {
		ID string `json:"Id"`
	}
	if err := a.do(ctx, http.MethodGet, "/workspaces", "", nil, &workspaces); err != nil {
		return nil, err
	}
	if len(workspaces) == 0 {
		return nil, errors.New("GET /workspaces: no workspace")
	}
	svc := "/workspaces/" + workspaces[0].ID + "/webservices/forest"
	model, err := os.ReadFile(modelPath)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(m.stderr, "publishing the forest (%.1f MB)…\n", float64(len(model))/1e6)
	if err := a.do(ctx, http.MethodPut, svc, "application/xml", model, nil); err != nil {
		return nil, err
	}
	g := &gatewayRun{admin: a, endpoint: svc + "/endpoints/default"}
	var ep endpointJSON
	if err := a.do(ctx, http.MethodGet, g.endpoint, "", nil, &ep); err != nil {
		return nil, err
	}
	u, err := url.Parse(ep.APILocation)
	if err != nil || u.Host == "" || ep.PrimaryKey == "" {
		return nil, fmt.Errorf("GET %s: no usable ApiLocation %q or PrimaryKey", g.endpoint, ep.APILocation)
	}
	g.target = target{addr: u.Host, uri: ep.APILocation + "/execute" + executeQuery, key: ep.PrimaryKey}
	calls := max(200, slices.Max(m.Config.Conns))
	if err := g.patch(ctx, map[string]any{"MaxConcurrentCalls": calls, "DiagnosticsTraceLevel": "None"}); err != nil {
		return nil, err
	}
	return g, nil
}

// gatewayEnv is the environment of the gateway: the caller's without any
// SCOREGATE_* setting, so that a developer's configuration (a Postgres
// URL, say) does not leak into the run, and without the demo service.
func gatewayEnv(environ []string) []string {
	env := slices.DeleteFunc(slices.Clone(environ), func(kv string) bool {
		return strings.HasPrefix(kv, "SCOREGATE_")
	})
	return append(env, "SCOREGATE_DEMO=false")
}

// setTraceLevel sets the endpoint's DiagnosticsTraceLevel.
func (g *gatewayRun) setTraceLevel(ctx context.Context, level string) error {
	return g.patch(ctx, map[string]any{"DiagnosticsTraceLevel": level})
}

// patch PATCHes the endpoint and checks that the gateway took the values.
func (g *gatewayRun) patch(ctx context.Context, fields map[string]any) error {
	body, err := json.Marshal(fields)
	if err != nil {
		return err
	}
	var ep endpointJSON
	if err := g.admin.do(ctx, http.MethodPatch, g.endpoint, "application/json", body, &ep); err != nil {
		return err
	}
	if level, ok := fields["DiagnosticsTraceLevel"]; ok && ep.DiagnosticsTraceLevel != level {
		return fmt.Errorf("PATCH %s: DiagnosticsTraceLevel is %q, want %q", g.endpoint, ep.DiagnosticsTraceLevel, level)
	}
	return nil
}

// admin calls the management API with the workspace token.
type admin struct {
	base  string
	token string
	hc    *http.Client
}

// waitReady waits until GET /readyz answers 200.
func (a *admin) waitReady(ctx context.Context, p *proc) error {
	deadline := time.Now().Add(startupTimeout)
	for {
		callCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := a.do(callCtx, http.MethodGet, "/readyz", "", nil, nil)
		cancel()
		if err == nil {
			return nil
		}
		if err := p.exited(); err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s is not ready after %s: %w", p.name, startupTimeout, err)
		}
		if err := sleep(ctx, 50*time.Millisecond); err != nil {
			return err
		}
	}
}

// do sends one request and decodes a 2xx JSON answer into out, when out
// is not nil. Errors name the method and path, never the token.
func (a *admin) do(ctx context.Context, method, path, contentType string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%s %s: read the response: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, snippet(data))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: decode the response: %w", method, path, err)
	}
	return nil
}

// pidOf is the process serving a case.
func (m *Main) pidOf(k caseKind) int {
	if k == caseBare {
		return m.bare.pid()
	}
	return m.gateway.pid()
}

// idleCores is the CPU use, in cores, below which a server counts as idle:
// the gateway polls its change feed a few times a second.
const idleCores = 0.1

// settle waits, up to Config.Settle, until both servers are idle, so that
// work a case left behind (request logs still being written, say) is not
// measured in the next one.
func (m *Main) settle(ctx context.Context) error {
	const window = 250 * time.Millisecond
	deadline := time.Now().Add(m.Config.Settle)
	for {
		before, ok := m.serversCPU()
		if !ok {
			return sleep(ctx, time.Second)
		}
		if err := sleep(ctx, window); err != nil {
			return err
		}
		after, _ := m.serversCPU()
		if (after-before).Seconds()/window.Seconds() < idleCores || time.Now().After(deadline) {
			return nil
		}
	}
}

// serversCPU is the CPU time both servers have used.
func (m *Main) serversCPU() (time.Duration, bool) {
	var sum time.Duration
	for _, p := range []*proc{m.bare, m.gateway} {
		d, ok := cpuTime(p.pid())
		if !ok {
			return 0, false
		}
		sum += d
	}
	return sum, true
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// snippet shortens a response body for an error message.
func snippet(b []byte) string {
	const limit = 300
	s := strings.TrimSpace(string(b))
	if len(s) > limit {
		s = s[:limit] + "…"
	}
	return s
}
