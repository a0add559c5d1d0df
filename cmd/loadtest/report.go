package main

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/scoregate/scoregate/internal/benchenv"
)

// caseKind is what a case calls.
type caseKind int

const (
	caseBare caseKind = iota // the bare reference handler
	caseNone                 // the gateway, DiagnosticsTraceLevel None
	caseAll                  // the gateway, DiagnosticsTraceLevel All
)

func (k caseKind) String() string {
	switch k {
	case caseBare:
		return "bare handler (decode only)"
	case caseNone:
		return "gateway, logging None"
	}
	return "gateway, logging All"
}

// traceLevel is the endpoint's DiagnosticsTraceLevel for a gateway case.
func (k caseKind) traceLevel() string {
	if k == caseAll {
		return "All"
	}
	return "None"
}

// machine is what the report says about where it was measured.
type machine = benchenv.Machine

// caseKey names a case of the matrix.
type caseKey struct {
	kind  caseKind
	conns int
}

// results are the cases measured, every round of each.
type results struct {
	machine    machine
	cfg        Config
	modelBytes int
	bodyBytes  int
	runs       map[caseKey][]*loadResult
}

func newResults(m machine, cfg Config, modelBytes int, bodies [][]byte) *results {
	total := 0
	for _, b := range bodies {
		total += len(b)
	}
	return &results{machine: m, cfg: cfg, modelBytes: modelBytes, bodyBytes: total / max(len(bodies), 1),
		runs: map[caseKey][]*loadResult{}}
}

// add records a round of a case.
func (r *results) add(k caseKind, conns int, res *loadResult) {
	key := caseKey{k, conns}
	r.runs[key] = append(r.runs[key], res)
}

// errorCount is the failed calls of every case.
func (r *results) errorCount() int64 {
	var n int64
	for _, runs := range r.runs {
		for _, res := range runs {
			n += res.errorCount()
		}
	}
	return n
}

// summary is a case over its rounds: medians, the range of the rate, and
// the failures of every round.
type summary struct {
	rate, minRate, maxRate float64
	p50, p90, p99          time.Duration
	serverCPU, clientCPU   float64
	otherCPU               float64
	failures               map[string]*failure
}

func (r *results) summary(key caseKey) (summary, bool) {
	runs := r.runs[key]
	if len(runs) == 0 {
		return summary{}, false
	}
	rates := collect(runs, (*loadResult).rate)
	s := summary{
		rate: median(rates), minRate: slices.Min(rates), maxRate: slices.Max(rates),
		p50:       time.Duration(median(collect(runs, func(l *loadResult) float64 { return float64(l.hist.quantile(0.50)) }))),
		p90:       time.Duration(median(collect(runs, func(l *loadResult) float64 { return float64(l.hist.quantile(0.90)) }))),
		p99:       time.Duration(median(collect(runs, func(l *loadResult) float64 { return float64(l.hist.quantile(0.99)) }))),
		serverCPU: median(collect(runs, func(l *loadResult) float64 { return l.serverCPU })),
		clientCPU: median(collect(runs, func(l *loadResult) float64 { return l.clientCPU })),
		otherCPU:  median(collect(runs, func(l *loadResult) float64 { return l.otherCPU })),
		failures:  map[string]*failure{},
	}
	for _, l := range runs {
		mergeFailures(s.failures, l.failures)
	}
	return s, true
}

func collect(runs []*loadResult, f func(*loadResult) float64) []float64 {
	out := make([]float64, len(runs))
	for i, l := range runs {
		out[i] = f(l)
	}
	return out
}

// median is the middle value, or the mean of the two middle ones; NaN
// values (unknown CPU use) sort first and count like the others.
func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.SortFunc(s, cmp.Compare[float64])
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// write prints the report in Markdown.
func (r *results) write(w io.Writer) {
	m, c := r.machine, r.cfg
	fmt.Fprintf(w, "\n## scoregate load test, %s\n\n", m.When.Format("2006-01-02 15:04 UTC"))
	nproc := m.Nproc
	if nproc == "" {
		nproc = "?"
	}
	loadavg := m.LoadAvg
	if loadavg == "" {
		loadavg = "unknown"
	}
	fmt.Fprintf(w, "- Machine: %d CPUs (nproc %s), GOMAXPROCS %d, load average before the run %s; %s", m.CPUs, nproc, m.GOMAXPROCS, loadavg, m.GoVersion)
	if m.CPUModel != "" {
		fmt.Fprintf(w, "; %s", m.CPUModel)
	}
	fmt.Fprintln(w, ". The load generator shares the CPUs with the server under test.")
	gateway := "built from " + cmp.Or(m.Revision, "the working tree")
	if c.Bin != "" {
		gateway = c.Bin
	}
	fmt.Fprintf(w, "- Gateway: %s, on SQLite. Model: regression forest, %d trees of depth %d over %d features (%.1f MB of PMML).\n",
		gateway, forestTrees, forestDepth, forestFeatures, float64(r.modelBytes)/1e6)
	rounds := "1 round"
	if c.Rounds > 1 {
		rounds = fmt.Sprintf("%d rounds, medians shown", c.Rounds)
	}
	fmt.Fprintf(w, "- Calls: single-row table format (`execute?api-version=2.0&details=true`), %d distinct bodies of about %d bytes, one keep-alive connection per worker; %s warm-up then %s measured per case; %s.\n\n",
		c.Rows, r.bodyBytes, c.Warmup, c.Duration, rounds)

	header := "| case | conns | req/s | p50 | p90 | p99 | req/s vs bare | p99 vs bare | server CPU | client CPU | other CPU | errors |"
	align := "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
	if c.Rounds > 1 {
		header += " req/s range |"
		align += "--:|"
	}
	fmt.Fprintln(w, header)
	fmt.Fprintln(w, align)
	for _, conns := range c.Conns {
		bare, hasBare := r.summary(caseKey{caseBare, conns})
		for _, k := range []caseKind{caseBare, caseNone, caseAll} {
			s, ok := r.summary(caseKey{k, conns})
			if !ok {
				continue
			}
			rateRatio, p99Ratio := "–", "–"
			if hasBare {
				rateRatio = fmtRatio(s.rate / bare.rate)
				p99Ratio = fmtRatio(float64(s.p99) / float64(bare.p99))
			}
			errs := int64(0)
			for _, f := range s.failures {
				errs += f.count
			}
			fmt.Fprintf(w, "| %s | %d | %.0f | %s | %s | %s | %s | %s | %s | %s | %s | %d |",
				k, conns, s.rate, fmtDuration(s.p50), fmtDuration(s.p90), fmtDuration(s.p99),
				rateRatio, p99Ratio, fmtCores(s.serverCPU), fmtCores(s.clientCPU), fmtCores(s.otherCPU), errs)
			if c.Rounds > 1 {
				fmt.Fprintf(w, " %.0f–%.0f |", s.minRate, s.maxRate)
			}
			fmt.Fprintln(w)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "CPU columns are cores used over the window (2.00 = two cores busy): by the server under test, by the load generator, and by everything else on the machine (noise). Errors count every failed call of the case, warm-up included.")
	r.writeTargets(w)
	r.writeFailures(w)
}

// writeTargets prints the targets beside the figures. They are
// reported, not asserted: the figures depend on the machine.
func (r *results) writeTargets(w io.Writer) {
	fmt.Fprintln(w, "\n### Targets (reported, not asserted)")
	fmt.Fprintln(w)
	header, align := "| target |", "|---|"
	for _, conns := range r.cfg.Conns {
		header += fmt.Sprintf(" %d conns |", conns)
		align += "---|"
	}
	fmt.Fprintln(w, header)
	fmt.Fprintln(w, align)
	// Each row needs the bare, None and All cases of a connection count.
	rows := []struct {
		name string
		cell func(bare, none, all summary) string
	}{
		{"≥ 20,000 req/s with logging None", func(_, none, _ summary) string {
			return fmt.Sprintf("%.0f %s", none.rate, mark(none.rate >= 20000))
		}},
		{"≥ 70 % of the bare handler's req/s (logging None)", func(bare, none, _ summary) string {
			x := none.rate / bare.rate
			return fmt.Sprintf("%.0f %% %s", 100*x, mark(x >= 0.70))
		}},
		{"p99 ≤ 1.5 × the bare handler's (logging None)", func(bare, none, _ summary) string {
			x := float64(none.p99) / float64(bare.p99)
			return fmtRatio(x) + " " + mark(x <= 1.5)
		}},
		{"p99 ≤ 1.5 × the bare handler's (logging All)", func(bare, _, all summary) string {
			x := float64(all.p99) / float64(bare.p99)
			return fmtRatio(x) + " " + mark(x <= 1.5)
		}},
		{"logging All costs ≤ 30 % of the None throughput", func(_, none, all summary) string {
			cost := 1 - all.rate/none.rate
			return fmt.Sprintf("%.1f %% %s", 100*cost, mark(cost <= 0.30))
		}},
	}
	for _, row := range rows {
		fmt.Fprintf(w, "| %s |", row.name)
		for _, conns := range r.cfg.Conns {
			bare, ok1 := r.summary(caseKey{caseBare, conns})
			none, ok2 := r.summary(caseKey{caseNone, conns})
			all, ok3 := r.summary(caseKey{caseAll, conns})
			if !ok1 || !ok2 || !ok3 {
				fmt.Fprint(w, " – |")
				continue
			}
			fmt.Fprintf(w, " %s |", row.cell(bare, none, all))
		}
		fmt.Fprintln(w)
	}
}

// writeFailures lists the failed calls by case and kind, with an example.
func (r *results) writeFailures(w io.Writer) {
	if r.errorCount() == 0 {
		return
	}
	fmt.Fprintln(w, "\n### Failed calls")
	fmt.Fprintln(w)
	for _, conns := range r.cfg.Conns {
		for _, k := range []caseKind{caseBare, caseNone, caseAll} {
			s, ok := r.summary(caseKey{k, conns})
			if !ok {
				continue
			}
			for _, kind := range slices.Sorted(maps.Keys(s.failures)) {
				f := s.failures[kind]
				fmt.Fprintf(w, "- %s, %d conns: %d × %s, e.g. `%s`\n", k, conns, f.count, kind, f.example)
			}
		}
	}
	fmt.Fprintln(w, "\nHTTP 503 RequestThrottled means the endpoint's MaxConcurrentCalls is below the connection count.")
}

func mark(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

// fmtDuration writes a latency in milliseconds with three significant
// digits or so.
func fmtDuration(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms < 10:
		return fmt.Sprintf("%.2f ms", ms)
	case ms < 100:
		return fmt.Sprintf("%.1f ms", ms)
	}
	return fmt.Sprintf("%.0f ms", ms)
}

func fmtRatio(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	return fmt.Sprintf("%.2f×", x)
}

func fmtCores(x float64) string {
	if math.IsNaN(x) {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", x)
}
