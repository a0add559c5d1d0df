package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/batch"
	"github.com/scoregate/scoregate/scoring"
	"github.com/scoregate/scoregate/scoring/pmml"
)

// scoreOptions are the flags of "scoregate score".
type scoreOptions struct {
	model     string
	format    string
	delimiter string
	missing   string
}

// runScore implements "scoregate score --model m.pmml IN OUT": it streams a
// CSV file through the PMML engine, keeping every input column and appending
// the model's outputs and an Errors column, so a model can be checked on real
// data before it is published. IN and OUT may be "-" for stdin and stdout.
func runScore(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var o scoreOptions
	fs := flag.NewFlagSet("scoregate score", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.model, "model", "", "PMML document to score with (required)")
	fs.StringVar(&o.format, "format", "csv", "input and output format: csv (xlsx comes with batch jobs)")
	fs.StringVar(&o.delimiter, "delimiter", "", "CSV delimiter; empty = sniffed among , ; tab |")
	fs.StringVar(&o.missing, "missing", ",NA,N/A", "comma-separated cell values that mean missing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.model == "" || fs.NArg() != 2 {
		return errors.New("score: want --model FILE IN OUT (IN and OUT may be -)")
	}
	if o.format != "csv" {
		return fmt.Errorf("score: format %q is not supported yet; use csv", o.format)
	}
	m, err := compileFile(o.model)
	if err != nil {
		return err
	}
	in, closeIn, err := openInput(fs.Arg(0), stdin)
	if err != nil {
		return err
	}
	defer closeIn()
	out, finish, err := createOutput(fs.Arg(1), stdout)
	if err != nil {
		return err
	}
	stats, err := scoreCSV(ctx, m, in, out, o)
	if err = errors.Join(err, finish(err == nil)); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "scored %d rows: %d ok, %d with errors\n", stats.Rows, stats.Scored, stats.Failed)
	return nil
}

func compileFile(path string) (*scoring.PMML, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := scoring.CompilePMML(bufio.NewReaderSize(f, 1<<20), pmml.DefaultLimits())
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", path, err)
	}
	return m, nil
}

func openInput(path string, stdin io.Reader) (io.Reader, func(), error) {
	if path == "-" {
		return stdin, func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

// createOutput writes to a temporary file renamed over path on success, so
// a failed run never leaves half a file where a good one was expected.
func createOutput(path string, stdout io.Writer) (io.Writer, func(ok bool) error, error) {
	if path == "-" {
		return stdout, func(bool) error { return nil }, nil
	}
	tmp, err := os.CreateTemp(dirOf(path), ".score-*")
	if err != nil {
		return nil, nil, err
	}
	return tmp, func(ok bool) error {
		err := tmp.Close()
		if !ok || err != nil {
			os.Remove(tmp.Name())
			return err
		}
		return os.Rename(tmp.Name(), path)
	}, nil
}

func dirOf(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		return path[:i+1]
	}
	return "."
}

// scoreCSV streams a CSV file through the model with package batch: the
// output keeps the input's delimiter, byte order mark and line ending.
func scoreCSV(ctx context.Context, m scoregate.Scorer, in io.Reader, out io.Writer, o scoreOptions) (batch.Stats, error) {
	comma, err := batch.ParseDelimiter(o.delimiter)
	if err != nil {
		return batch.Stats{}, err
	}
	r, err := batch.NewCSVReader(in, batch.CSVOptions{Comma: comma})
	if err != nil {
		return batch.Stats{}, err
	}
	return batch.Score(ctx, m, r, batch.NewCSVWriter(out, r.Format()), batch.ScoreOptions{Missing: strings.Split(o.missing, ",")})
}
