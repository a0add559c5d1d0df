package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestBinary builds the real binary, starts it with nothing configured but a
// data directory, checks the health probes over HTTP and stops it with
// SIGTERM, as an operator's process manager would.
func TestBinary(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dataDir := filepath.Join(t.TempDir(), "data") // does not exist yet
	cmd, url, stderr := startBinary(t, dataDir)

	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
		}
	}
	for _, name := range []string{"scoregate.db", "server-secret", "workspace-token"} {
		if _, err := os.Stat(filepath.Join(dataDir, name)); err != nil {
			t.Errorf("first start did not create %s: %v", name, err)
		}
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v\nstderr:\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no exit within 30s of SIGTERM")
	}
	if !strings.Contains(stderr.String(), "stopped") {
		t.Errorf("no shutdown log line:\n%s", stderr.String())
	}
}

// binary builds the real binary once per test run, as a user would with
// CGO_ENABLED=0.
var binary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "scoregate-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "scoregate")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("CGO_ENABLED=0 go build: %v\n%s", err, out)
	}
	return bin, nil
})

// syncBuffer is a bytes.Buffer safe to read while a process writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startBinary starts the binary on a free port with dataDir and nothing
// else configured, and returns it with its base URL (from the banner)
// and its stderr. The process is killed when the test ends.
func startBinary(t *testing.T, dataDir string, env ...string) (*exec.Cmd, string, *syncBuffer) {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0")
	cmd.Env = append([]string{"SCOREGATE_DATA_DIR=" + dataDir, "PATH=" + os.Getenv("PATH")}, env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	base := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		re := regexp.MustCompile(`serving on (http://\S+)`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				base <- m[1]
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	select {
	case url := <-base:
		return cmd, url, stderr
	case <-time.After(60 * time.Second):
		t.Fatalf("no start-up banner; stderr:\n%s", stderr.String())
	}
	return nil, "", nil
}

// TestAdminCommands drives the one-shot subcommands through run.
func TestAdminCommands(t *testing.T) {
	t.Parallel()
	env := map[string]string{"SCOREGATE_DATA_DIR": t.TempDir()}
	getenv := func(k string) string { return env[k] }
	ctx := context.Background()
	call := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := run(ctx, args, getenv, nil, &out, io.Discard); err != nil {
			t.Fatalf("scoregate %s: %v", strings.Join(args, " "), err)
		}
		return out.String()
	}

	if out := call("version"); !strings.HasPrefix(out, "scoregate ") {
		t.Errorf("version: %q", out)
	}
	created := strings.Fields(call("workspace", "create", "analytics"))
	if len(created) != 2 || len(created[0]) != 32 || created[1] != "analytics" {
		t.Fatalf("workspace create: %q", created)
	}
	id := created[0]
	if out := call("workspace", "list"); !strings.Contains(out, id) || !strings.Contains(out, "analytics") {
		t.Errorf("workspace list: %q", out)
	}
	tok := strings.TrimSpace(call("workspace", "token", id))
	if len(tok) != 43 {
		t.Errorf("token has %d characters, want 43", len(tok))
	}
	if again := strings.TrimSpace(call("workspace", "token", id)); again != tok {
		t.Errorf("token changed without -regenerate")
	}
	rotated := strings.TrimSpace(call("workspace", "token", "-type", "Secondary", "-regenerate", id))
	if rotated == tok || len(rotated) != 43 {
		t.Errorf("regenerated secondary token %q", rotated)
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"workspace", "token", "0123456789abcdef0123456789abcdef"}, getenv, nil, &out, io.Discard); err == nil {
		t.Errorf("token of an unknown workspace: no error")
	}
	if err := run(ctx, []string{"bogus"}, getenv, nil, &out, io.Discard); err == nil {
		t.Errorf("unknown command: no error")
	}
	if out := call("serve", "-config-dump"); !strings.Contains(out, `"DataDir"`) {
		t.Errorf("config dump: %q", out)
	}
}
