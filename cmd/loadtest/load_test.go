package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// startBare serves the bare reference handler in-process on a free port
// and returns it as a target.
func startBare(t *testing.T) target {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveBareOn(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("bare server: %v", err)
		}
	})
	addr := ln.Addr().String()
	return target{addr: addr, uri: "http://" + addr + barePath + executeQuery}
}

func TestRequestBodies(t *testing.T) {
	t.Parallel()
	bodies := requestBodies(8, 20)
	again := requestBodies(8, 20)
	seen := map[string]bool{}
	for i, b := range bodies {
		if string(b) != string(again[i]) {
			t.Fatalf("body %d differs between calls", i)
		}
		seen[string(b)] = true
		var req struct {
			Inputs           map[string]struct{ ColumnNames, Values any }
			GlobalParameters map[string]any
		}
		if err := json.Unmarshal(b, &req); err != nil {
			t.Fatalf("body %d: %v", i, err)
		}
		in := req.Inputs["input1"]
		names, _ := in.ColumnNames.([]any)
		rows, _ := in.Values.([]any)
		if len(names) != 20 || names[0] != "x0" || names[19] != "x19" || len(rows) != 1 || len(rows[0].([]any)) != 20 ||
			req.GlobalParameters == nil {
			t.Errorf("body %d is not one table row over x0..x19: %s", i, b)
		}
	}
	if len(seen) != len(bodies) {
		t.Errorf("%d distinct bodies of %d", len(seen), len(bodies))
	}
}

// TestBare drives the bare reference handler through the generator's own
// client path, as the run drives it.
func TestBare(t *testing.T) {
	t.Parallel()
	bare := startBare(t)
	bodies := requestBodies(4, 20)
	if err := probe(context.Background(), bare, bodies[0], 5*time.Second); err != nil {
		t.Fatal(err)
	}
	r, err := runLoad(context.Background(), loadSpec{target: bare, bodies: bodies, conns: 3,
		warmup: 50 * time.Millisecond, duration: 300 * time.Millisecond, timeout: 5 * time.Second,
		serverPID: os.Getpid()})
	if err != nil {
		t.Fatal(err)
	}
	if r.ok == 0 || r.hist.n != uint64(r.ok) || r.errorCount() != 0 {
		t.Fatalf("ok %d, recorded %d, failures %v", r.ok, r.hist.n, r.failures)
	}
	if r.elapsed < 300*time.Millisecond || r.rate() <= 0 || r.hist.quantile(0.5) <= 0 {
		t.Errorf("elapsed %v, rate %v, p50 %v", r.elapsed, r.rate(), r.hist.quantile(0.5))
	}
	// Bad bodies are refused, and the probe says so.
	if err := probe(context.Background(), bare, []byte(`{"Inputs":`), 5*time.Second); err == nil || !strings.Contains(err.Error(), "HTTP 400") {
		t.Errorf("probe with a broken body: %v, want HTTP 400", err)
	}
}

// TestFailuresCounted checks that refused calls are counted, by status,
// and not as throughput.
func TestFailuresCounted(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		http.Error(w, `{"error":{"code":"ServiceUnavailable"}}`, http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	tg := target{addr: strings.TrimPrefix(srv.URL, "http://"), uri: srv.URL + "/execute" + executeQuery, key: "k"}
	bodies := requestBodies(2, 3)
	if err := probe(context.Background(), tg, bodies[0], 5*time.Second); err == nil || !strings.Contains(err.Error(), "HTTP 503") {
		t.Errorf("probe: %v, want HTTP 503", err)
	}
	r, err := runLoad(context.Background(), loadSpec{target: tg, bodies: bodies, conns: 2,
		warmup: 20 * time.Millisecond, duration: 100 * time.Millisecond, timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	f := r.failures["HTTP 503"]
	if r.ok != 0 || r.hist.n != 0 || f == nil || f.count == 0 || len(r.failures) != 1 ||
		!strings.Contains(f.example, "ServiceUnavailable") {
		t.Errorf("ok %d, recorded %d, failures %v", r.ok, r.hist.n, r.failures)
	}
	if r.errorCount() != f.count {
		t.Errorf("errorCount %d, want %d", r.errorCount(), f.count)
	}
}

func TestRunLoadCanceled(t *testing.T) {
	t.Parallel()
	bare := startBare(t)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := runLoad(ctx, loadSpec{target: bare, bodies: requestBodies(2, 20), conns: 2,
		warmup: 50 * time.Millisecond, duration: time.Minute, timeout: 5 * time.Second})
	if err == nil || time.Since(start) > 10*time.Second {
		t.Errorf("runLoad under a canceled context returned %v after %v", err, time.Since(start))
	}
}

func TestGatewayEnv(t *testing.T) {
	t.Parallel()
	env := gatewayEnv([]string{"HOME=/root", "SCOREGATE_DATABASE_URL=postgres://x", "SCOREGATE_DEMO=true", "PATH=/bin"})
	want := []string{"HOME=/root", "PATH=/bin", "SCOREGATE_DEMO=false"}
	if strings.Join(env, " ") != strings.Join(want, " ") {
		t.Errorf("gatewayEnv = %q, want %q", env, want)
	}
}

func TestCPUTime(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	deadline := time.Now().Add(200 * time.Millisecond)
	for time.Now().Before(deadline) { // burn some CPU
	}
	d, ok := cpuTime(os.Getpid())
	if !ok || d <= 0 {
		t.Errorf("cpuTime(self) = %v, %v", d, ok)
	}
	if b, ok := machineBusy(); !ok || b < d {
		t.Errorf("machineBusy = %v, %v; less than this process's %v", b, ok, d)
	}
}
