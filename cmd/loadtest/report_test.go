package main

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// fakeResult is a case that made rate calls per second over 10 s, all
// taking latency.
func fakeResult(rate float64, latency time.Duration, failures map[string]*failure) *loadResult {
	r := &loadResult{elapsed: 10 * time.Second, ok: int64(rate * 10), failures: failures,
		serverCPU: 1.2, clientCPU: 0.7, otherCPU: math.NaN()}
	for range 100 {
		r.hist.record(latency)
	}
	if failures == nil {
		r.failures = map[string]*failure{}
	}
	return r
}

func newTestResults(rounds int) *results {
	cfg := Config{Duration: 10 * time.Second, Warmup: 2 * time.Second, Conns: []int{32, 128}, Rounds: rounds, Rows: 64}
	m := machine{CPUs: 2, GOMAXPROCS: 2, Nproc: "2", LoadAvg: "0.10 0.20 0.30", GoVersion: "go1.26 linux/amd64", Revision: "v0.9.0-3-gabcdef0-dirty",
		When: time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)}
	return newResults(m, cfg, 28_800_000, [][]byte{make([]byte, 370), make([]byte, 380)})
}

func TestReport(t *testing.T) {
	t.Parallel()
	r := newTestResults(1)
	r.add(caseBare, 32, fakeResult(40000, time.Millisecond, nil))
	r.add(caseNone, 32, fakeResult(30000, 1200*time.Microsecond, nil))
	r.add(caseAll, 32, fakeResult(24000, 2*time.Millisecond, nil))
	r.add(caseBare, 128, fakeResult(50000, 4*time.Millisecond, nil))
	r.add(caseNone, 128, fakeResult(25000, 8*time.Millisecond, nil))
	r.add(caseAll, 128, fakeResult(20000, 9*time.Millisecond, map[string]*failure{
		"HTTP 503": {count: 3, example: `{"error":{"code":"ServiceUnavailable"}}`}}))
	var b strings.Builder
	r.write(&b)
	out := b.String()
	for _, want := range []string{
		"- Machine: 2 CPUs (nproc 2), GOMAXPROCS 2, load average before the run 0.10 0.20 0.30; go1.26 linux/amd64.",
		"- Gateway: built from v0.9.0-3-gabcdef0-dirty, on SQLite. Model: regression forest, 200 trees of depth 12 over 20 features (28.8 MB of PMML).\n",
		"64 distinct bodies of about 375 bytes",
		"| case | conns | req/s | p50 | p90 | p99 | req/s vs bare | p99 vs bare | server CPU | client CPU | other CPU | errors |\n",
		"| bare handler (decode only) | 32 | 40000 | 1.00 ms | 1.00 ms | 1.00 ms | 1.00× | 1.00× | 1.20 | 0.70 | n/a | 0 |\n",
		"| gateway, logging None | 32 | 30000 | 1.20 ms | 1.20 ms | 1.20 ms | 0.75× | 1.20× | 1.20 | 0.70 | n/a | 0 |\n",
		"| gateway, logging All | 128 | 20000 | 9.00 ms | 9.00 ms | 9.00 ms | 0.40× | 2.25× | 1.20 | 0.70 | n/a | 3 |\n",
		"| ≥ 20,000 req/s with logging None | 30000 ✓ | 25000 ✓ |\n",
		"| ≥ 70 % of the bare handler's req/s (logging None) | 75 % ✓ | 50 % ✗ |\n",
		"| p99 ≤ 1.5 × the bare handler's (logging None) | 1.20× ✓ | 2.00× ✗ |\n",
		"| logging All costs ≤ 30 % of the None throughput | 20.0 % ✓ | 20.0 % ✓ |\n",
		"- gateway, logging All, 128 conns: 3 × HTTP 503, e.g. `{\"error\":{\"code\":\"ServiceUnavailable\"}}`\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q; it is:\n%s", want, out)
		}
	}
	if strings.Contains(out, "req/s range") {
		t.Error("a one-round report has a range column")
	}
	if r.errorCount() != 3 {
		t.Errorf("errorCount = %d, want 3", r.errorCount())
	}
}

func TestReportRounds(t *testing.T) {
	t.Parallel()
	r := newTestResults(3)
	for _, rate := range []float64{30000, 10000, 20000} {
		r.add(caseBare, 32, fakeResult(40000, time.Millisecond, nil))
		r.add(caseNone, 32, fakeResult(rate, time.Duration(rate)*time.Nanosecond, nil))
	}
	var b strings.Builder
	r.write(&b)
	out := b.String()
	for _, want := range []string{
		"3 rounds, medians shown",
		"| other CPU | errors | req/s range |\n",
		"| gateway, logging None | 32 | 20000 | 0.02 ms | 0.02 ms | 0.02 ms | 0.50× | 0.02× | 1.20 | 0.70 | n/a | 0 | 10000–30000 |\n",
		"| ≥ 20,000 req/s with logging None | – | – |\n", // no All case, no 128 connections
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q; it is:\n%s", want, out)
		}
	}
}

func TestMedian(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   []float64
		want float64
	}{
		{"one", []float64{3}, 3},
		{"odd", []float64{5, 1, 3}, 3},
		{"even", []float64{4, 1, 3, 2}, 2.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := slices.Clone(tt.in)
			if got := median(in); got != tt.want {
				t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
			}
			if !slices.Equal(in, tt.in) {
				t.Errorf("median reordered its argument: %v", in)
			}
		})
	}
	if !math.IsNaN(median(nil)) {
		t.Error("median(nil) is not NaN")
	}
}

func TestFmtDuration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   time.Duration
		want string
	}{
		{450 * time.Microsecond, "0.45 ms"},
		{1234 * time.Microsecond, "1.23 ms"},
		{12345 * time.Microsecond, "12.3 ms"},
		{123456 * time.Microsecond, "123 ms"},
	}
	for _, tt := range tests {
		if got := fmtDuration(tt.in); got != tt.want {
			t.Errorf("fmtDuration(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseConns(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    []int
		wantErr bool
	}{
		{"32,128", []int{32, 128}, false},
		{" 8 , 16 ", []int{8, 16}, false},
		{"64", []int{64}, false},
		{"", nil, true},
		{"32,", nil, true},
		{"0", nil, true},
		{"x", nil, true},
	}
	for _, tt := range tests {
		got, err := parseConns(tt.in)
		if (err != nil) != tt.wantErr || !slices.Equal(got, tt.want) {
			t.Errorf("parseConns(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestCaseOrder(t *testing.T) {
	t.Parallel()
	seen := map[caseKind]bool{}
	for round := range 3 {
		order := caseOrder(round)
		if len(order) != 3 {
			t.Fatalf("round %d runs %d cases", round, len(order))
		}
		seen[order[0]] = true
	}
	if len(seen) != 3 {
		t.Errorf("three rounds start with only %d different cases", len(seen))
	}
}
