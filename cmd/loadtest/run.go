package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scoregate/scoregate/internal/benchenv"
	"github.com/scoregate/scoregate/internal/pmmlgen"
)

// The model every gateway call scores: a regression forest as sklearn2pmml
// writes it, 200 trees of depth 12 over 20 numeric features.
const (
	forestTrees    = 200
	forestDepth    = 12
	forestFeatures = 20
)

// Config is what the flags set.
type Config struct {
	Duration time.Duration // measured window of each case
	Warmup   time.Duration // load before each window, not measured
	Conns    []int         // connection counts, in order
	Rounds   int           // repetitions of the whole matrix; medians are reported
	Rows     int           // distinct request bodies, cycled
	Timeout  time.Duration // per call
	Settle   time.Duration // longest wait for the servers to go idle between cases
	Bin      string        // scoregate binary; empty builds ./cmd/scoregate
	Keep     bool          // keep the temporary directory
}

// Main is one load test run: the servers it started and the directory it
// made, which Close removes.
type Main struct {
	Config Config
	stdout io.Writer
	stderr io.Writer

	tmp     string
	procs   []*proc // every process started, stopped by Close
	bare    *proc
	gateway *proc
}

// NewMain returns a Main writing the report to stdout and progress to
// stderr.
func NewMain(stdout, stderr io.Writer) *Main {
	return &Main{stdout: stdout, stderr: stderr}
}

// ParseFlags reads the configuration from the command line.
func (m *Main) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(m.stderr)
	c := &m.Config
	fs.DurationVar(&c.Duration, "duration", 10*time.Second, "measured window of each case")
	fs.DurationVar(&c.Warmup, "warmup", 2*time.Second, "load before each measured window, not counted")
	conns := fs.String("conns", "32,128", "comma-separated `list` of connection counts; each is run against every case")
	fs.IntVar(&c.Rounds, "rounds", 1, "repeat the whole matrix `n` times and report medians")
	fs.IntVar(&c.Rows, "rows", 64, "distinct single-row request bodies, cycled by every connection")
	fs.DurationVar(&c.Timeout, "timeout", 10*time.Second, "timeout of one call; a call over it counts as an error")
	fs.DurationVar(&c.Settle, "settle", 15*time.Second, "longest wait between cases for both servers to go idle")
	fs.StringVar(&c.Bin, "bin", "", "scoregate binary to run (default: build ./cmd/scoregate with CGO_ENABLED=0)")
	fs.BoolVar(&c.Keep, "keep", false, "keep the temporary directory (data dir, model, server logs) and print its path")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: loadtest [flags]

Starts scoregate on SQLite in a temporary data directory with a generated
forest of 200 depth-12 trees over 20 features published, and a bare Fiber
handler that only decodes the request (this binary, as its own process).
For each connection count it measures, interleaved: the bare handler, the
gateway with DiagnosticsTraceLevel None, and the gateway with All; each case
warms up, then counts single-row table-format calls over the window. Prints
a Markdown table of req/s and p50/p90/p99 latency with ratios to the bare
handler. Exits 1 when any call failed (non-200 or transport error).

flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var err error
	if c.Conns, err = parseConns(*conns); err != nil {
		fmt.Fprintln(m.stderr, "loadtest:", err)
		return err
	}
	switch {
	case c.Duration <= 0, c.Warmup < 0, c.Timeout <= 0:
		err = errors.New("-duration and -timeout must be positive, -warmup not negative")
	case c.Rounds < 1 || c.Rows < 1:
		err = errors.New("-rounds and -rows must be at least 1")
	}
	if err != nil {
		fmt.Fprintln(m.stderr, "loadtest:", err)
	}
	return err
}

// parseConns reads "32,128".
func parseConns(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-conns: %q is not a positive connection count", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// Run starts the servers, runs the matrix and prints the report.
func (m *Main) Run(ctx context.Context) (err error) {
	facts := benchenv.Read() // before anything of ours loads the machine
	if m.tmp, err = os.MkdirTemp("", "scoregate-loadtest-"); err != nil {
		return err
	}
	bin := m.Config.Bin
	if bin == "" {
		if bin, err = m.buildGateway(ctx); err != nil {
			return err
		}
	}
	model := pmmlgen.Forest(forestTrees, forestDepth, forestFeatures, 0)
	modelPath := filepath.Join(m.tmp, "forest.pmml")
	if err := os.WriteFile(modelPath, model, 0o644); err != nil {
		return err
	}
	bodies := requestBodies(m.Config.Rows, forestFeatures)

	bare, err := m.startBare(ctx)
	if err != nil {
		return err
	}
	gw, err := m.startGateway(ctx, bin, modelPath)
	if err != nil {
		return err
	}
	for _, t := range []target{bare, gw.target} {
		// The gateway's first call may compile the model.
		if err := probe(ctx, t, bodies[0], max(m.Config.Timeout, time.Minute)); err != nil {
			return err
		}
	}

	res := newResults(facts, m.Config, len(model), bodies)
	if err := m.runMatrix(ctx, bare, gw, bodies, res); err != nil {
		return err
	}
	res.write(m.stdout)
	if n := res.errorCount(); n > 0 {
		return fmt.Errorf("%d calls failed; see the errors column and the notes under the table", n)
	}
	return nil
}

// runMatrix runs every case of every round into res: for each connection
// count the bare handler and the gateway with logging None and All, one
// after the other, so that a slow spell of the machine spreads over all
// three rather than falling on one kind.
func (m *Main) runMatrix(ctx context.Context, bare target, gw *gatewayRun, bodies [][]byte, res *results) error {
	level := ""
	for round := range m.Config.Rounds {
		for _, conns := range m.Config.Conns {
			for _, k := range caseOrder(round) {
				t := bare
				if k != caseBare {
					t = gw.target
					if want := k.traceLevel(); want != level {
						// The gateway sees the change within its change
						// feed's poll interval, well inside settle and
						// the warm-up.
						if err := gw.setTraceLevel(ctx, want); err != nil {
							return err
						}
						level = want
					}
				}
				if err := m.settle(ctx); err != nil {
					return err
				}
				fmt.Fprintf(m.stderr, "round %d/%d: %s at %d connections… ", round+1, m.Config.Rounds, k, conns)
				r, err := runLoad(ctx, loadSpec{target: t, bodies: bodies, conns: conns,
					warmup: m.Config.Warmup, duration: m.Config.Duration, timeout: m.Config.Timeout,
					serverPID: m.pidOf(k)})
				if err != nil {
					fmt.Fprintln(m.stderr)
					return err
				}
				fmt.Fprintf(m.stderr, "%.0f req/s, p99 %s, %d errors\n", r.rate(), fmtDuration(r.hist.quantile(0.99)), r.errorCount())
				res.add(k, conns, r)
				if err := m.checkAlive(); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// caseOrder is the order of the three cases in a round: rotated every
// round, so that no case always runs right after the same other one.
func caseOrder(round int) []caseKind {
	kinds := []caseKind{caseBare, caseNone, caseAll}
	r := round % len(kinds)
	return slices.Concat(kinds[r:], kinds[:r])
}

// Close stops the servers (SIGTERM, then SIGKILL after a grace period) and
// removes the temporary directory unless -keep.
func (m *Main) Close() error {
	var errs []error
	for _, p := range slices.Backward(m.procs) {
		if err := p.stop(15 * time.Second); err != nil {
			errs = append(errs, err)
		}
	}
	m.procs = nil
	if m.tmp != "" {
		if m.Config.Keep {
			fmt.Fprintln(m.stderr, "loadtest: kept", m.tmp)
		} else if err := os.RemoveAll(m.tmp); err != nil {
			errs = append(errs, err)
		}
		m.tmp = ""
	}
	return errors.Join(errs...)
}
