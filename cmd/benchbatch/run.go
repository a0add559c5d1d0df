package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/internal/benchenv"
)

// Config is the benchmark's flags.
type Config struct {
	CSVRows    []int // one CSV file, and a logistic case, per value
	XLSXRows   []int // one XLSX file, and a logistic case, per value
	Runs       int
	Out        string // where inputs and the children's folders go; "" is a temporary folder
	Cases      *regexp.Regexp
	CPUProfile string // folder for the jobs' CPU profiles; "" is none
}

// Main is the benchmark's parent process.
type Main struct {
	cfg    Config
	args   []string
	stdout io.Writer
	stderr io.Writer
	tmp    string // the temporary folder Run made, removed by Close
}

// NewMain returns a Main printing its report to stdout and its progress to
// stderr.
func NewMain(stdout, stderr io.Writer) *Main {
	return &Main{stdout: stdout, stderr: stderr}
}

// ParseFlags reads the command line.
func (m *Main) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("benchbatch", flag.ContinueOnError)
	fs.SetOutput(m.stderr)
	csvRows := fs.String("rows", "100000,1000000", "comma-separated row counts of the CSV inputs")
	xlsxRows := fs.String("xlsx-rows", "100000", "comma-separated row counts of the XLSX inputs")
	fs.IntVar(&m.cfg.Runs, "runs", 3, "runs of every case (the table shows medians)")
	fs.StringVar(&m.cfg.Out, "out", "", "folder for the inputs and the jobs' stores (kept); empty is a temporary one (removed)")
	cases := fs.String("cases", "", "regular expression selecting cases by name (csv-logistic-100k, xlsx-logistic-100k, csv-forest-1M, …)")
	fs.StringVar(&m.cfg.CPUProfile, "cpuprofile", "", "folder to write a CPU profile of every job to")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: benchbatch [flags]   (see the package comment for what is measured)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	m.args = args
	var err error
	if m.cfg.CSVRows, err = parseCounts(*csvRows); err != nil {
		return fmt.Errorf("-rows: %w", err)
	}
	if m.cfg.XLSXRows, err = parseCounts(*xlsxRows); err != nil {
		return fmt.Errorf("-xlsx-rows: %w", err)
	}
	if m.cfg.Cases, err = regexp.Compile(*cases); err != nil {
		return fmt.Errorf("-cases: %w", err)
	}
	if m.cfg.Runs < 1 {
		return errors.New("-runs must be at least 1")
	}
	return nil
}

func parseCounts(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(strings.ReplaceAll(f, "_", ""))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a row count", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// benchCase is one job the benchmark repeats.
type benchCase struct {
	name   string
	format string
	model  string
	rows   int
	input  string // the file, under the out folder
}

// cases lists the cases the flags select, in the order they run.
func (m *Main) cases(dir string) []benchCase {
	var all []benchCase
	csvFile := func(n int) string { return filepath.Join(dir, fmt.Sprintf("input-%d.csv", n)) }
	for _, n := range m.cfg.CSVRows {
		all = append(all, benchCase{"csv-logistic-" + short(n), scoregate.FormatCSV, modelLogistic, n, csvFile(n)})
	}
	for _, n := range m.cfg.XLSXRows {
		all = append(all, benchCase{"xlsx-logistic-" + short(n), scoregate.FormatXLSX, modelLogistic, n,
			filepath.Join(dir, fmt.Sprintf("input-%d.xlsx", n))})
	}
	if len(m.cfg.CSVRows) > 0 {
		n := slices.Max(m.cfg.CSVRows)
		all = append(all, benchCase{"csv-forest-" + short(n), scoregate.FormatCSV, modelForest, n, csvFile(n)})
	}
	return slices.DeleteFunc(all, func(c benchCase) bool { return !m.cfg.Cases.MatchString(c.name) })
}

// short writes a row count as 100k or 1M.
func short(n int) string {
	switch {
	case n%1_000_000 == 0:
		return strconv.Itoa(n/1_000_000) + "M"
	case n%1000 == 0:
		return strconv.Itoa(n/1000) + "k"
	}
	return strconv.Itoa(n)
}

// run is one execution of a case: the child's report and the kernel's
// figures for the child process.
type run struct {
	child  childResult
	maxRSS int64         // bytes
	cpu    time.Duration // user+sys of the whole process
	wall   time.Duration // of the whole process
	err    error
}

// Run generates the inputs, runs every case -runs times and prints the
// report.
func (m *Main) Run(ctx context.Context) error {
	before := benchenv.Read()
	dir := m.cfg.Out
	if dir == "" {
		var err error
		if m.tmp, err = os.MkdirTemp("", "benchbatch-"); err != nil {
			return err
		}
		dir = m.tmp
	} else if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	if m.cfg.CPUProfile != "" {
		if err := os.MkdirAll(m.cfg.CPUProfile, 0o750); err != nil {
			return err
		}
	}
	cases := m.cases(dir)
	if len(cases) == 0 {
		return errors.New("-cases selects no case")
	}
	if err := m.generate(cases); err != nil {
		return err
	}
	res := map[string][]run{}
	for i := range m.cfg.Runs {
		for _, c := range cases {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			r := m.runCase(ctx, c, i+1, dir)
			res[c.name] = append(res[c.name], r)
			if r.err != nil {
				fmt.Fprintf(m.stderr, "run %d %-20s FAILED: %v\n", i+1, c.name, r.err)
				continue
			}
			fmt.Fprintf(m.stderr, "run %d %-20s %8.0f rows/s  %6.1f MiB  %.2f cores\n", i+1, c.name,
				float64(r.child.RowsRead)/r.child.Seconds, mib(r.maxRSS), r.child.CPUSeconds/r.child.Seconds)
		}
	}
	after := benchenv.Read()
	rep := report{cases: cases, runs: res, before: before, after: after, command: m.command()}
	rep.write(m.stdout)
	if n := rep.failures(); n > 0 {
		return fmt.Errorf("%d run(s) failed", n)
	}
	return nil
}

// generate writes the inputs the cases read, each once.
func (m *Main) generate(cases []benchCase) error {
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.input] {
			continue
		}
		seen[c.input] = true
		if _, err := os.Stat(c.input); err == nil && m.cfg.Out != "" {
			fmt.Fprintf(m.stderr, "reusing %s\n", c.input)
			continue // same seed, same name: same bytes
		}
		start := time.Now()
		var err error
		if c.format == scoregate.FormatXLSX {
			err = writeXLSX(c.input, c.rows)
		} else {
			err = writeCSV(c.input, c.rows)
		}
		if err != nil {
			return fmt.Errorf("generate %s: %w", c.input, err)
		}
		fmt.Fprintf(m.stderr, "generated %s in %.1f s\n", c.input, time.Since(start).Seconds())
	}
	return nil
}

// runCase runs a case once in a child process, in a folder of its own
// that is removed afterwards.
func (m *Main) runCase(ctx context.Context, c benchCase, n int, dir string) run {
	work, err := os.MkdirTemp(dir, "job-")
	if err != nil {
		return run{err: err}
	}
	defer os.RemoveAll(work)
	args := []string{childArg, "-input", c.input, "-format", c.format, "-model", c.model,
		"-rows", strconv.Itoa(c.rows), "-work", work}
	if m.cfg.CPUProfile != "" {
		args = append(args, "-cpuprofile", filepath.Join(m.cfg.CPUProfile, fmt.Sprintf("%s-run%d.pprof", c.name, n)))
	}
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, io.MultiWriter(m.stderr, &errOut)
	cmd.SysProcAttr = sysProcAttr()
	start := time.Now()
	err = cmd.Run()
	r := run{wall: time.Since(start)}
	if cmd.ProcessState != nil {
		r.maxRSS, r.cpu, _ = childUsage(cmd.ProcessState)
	}
	if err != nil {
		r.err = fmt.Errorf("child: %w: %s", err, lastLine(errOut.String()))
		return r
	}
	if err := json.Unmarshal(bytes.TrimSpace(out.Bytes()), &r.child); err != nil {
		r.err = fmt.Errorf("child's report %q: %w", out.String(), err)
	}
	return r
}

// lastLine is the last line of a child's stderr: its error.
func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return s[strings.LastIndexByte(s, '\n')+1:]
}

// command is the command line that repeats this run.
func (m *Main) command() string {
	q := make([]string, len(m.args))
	for i, a := range m.args {
		if strings.ContainsAny(a, " \t'\"$|&;*?()<>") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		q[i] = a
	}
	return strings.TrimSpace("go run ./cmd/benchbatch " + strings.Join(q, " "))
}

// Close removes the temporary folder Run made.
func (m *Main) Close() error {
	if m.tmp == "" {
		return nil
	}
	return os.RemoveAll(m.tmp)
}
