package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/scoregate/scoregate/batch"
	"github.com/scoregate/scoregate/scoring"
	"github.com/scoregate/scoregate/scoring/pmml"
)

// scoreOptions are the flags of "scoregate score".
type scoreOptions struct {
	model        string
	format       string
	outputFormat string
	sheet        string
	delimiter    string
	missing      string
	classicNames bool
}

// runScore implements "scoregate score --model m.pmml IN OUT": it streams a
// CSV file or an XLSX sheet through the PMML engine, keeping every input
// column and appending the model's outputs and an Errors column, so a model
// can be checked on real data before it is published. IN and OUT may be "-"
// for stdin and stdout.
func runScore(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var o scoreOptions
	fs := flag.NewFlagSet("scoregate score", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.model, "model", "", "PMML document to score with (required)")
	fs.StringVar(&o.format, "format", "", "input format: csv or xlsx; empty = by IN's extension (.xlsx), csv otherwise")
	fs.StringVar(&o.outputFormat, "output-format", "", "output format: csv or xlsx; empty = the input's")
	fs.StringVar(&o.sheet, "sheet", "", "XLSX sheet to read; empty = the first")
	fs.StringVar(&o.delimiter, "delimiter", "", "CSV delimiter; empty = sniffed among , ; tab |")
	fs.StringVar(&o.missing, "missing", ",NA,N/A", "comma-separated cell values that mean missing")
	fs.BoolVar(&o.classicNames, "classic-names", false, "name the output columns as an endpoint does (Scored Labels, Scored Probabilities for Class \"x\") instead of by the model's fields")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.model == "" || fs.NArg() != 2 {
		return errors.New("score: want --model FILE IN OUT (IN and OUT may be -)")
	}
	if o.format == "" {
		o.format = "csv"
		if strings.EqualFold(filepath.Ext(fs.Arg(0)), ".xlsx") {
			o.format = "xlsx"
		}
	}
	if o.outputFormat == "" {
		o.outputFormat = o.format
	}
	for _, f := range []string{o.format, o.outputFormat} {
		if f != "csv" && f != "xlsx" {
			return fmt.Errorf("score: format %q: want csv or xlsx", f)
		}
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
	r, err := newTableReader(in, o)
	if err != nil {
		return err
	}
	if c, ok := r.(io.Closer); ok {
		defer c.Close()
	}
	out, finish, err := createOutput(fs.Arg(1), stdout)
	if err != nil {
		return err
	}
	w := newRowWriter(out, r, o)
	opts := batch.ScoreOptions{Missing: strings.Split(o.missing, ",")}
	if !o.classicNames {
		// The model's own field names, as other PMML evaluators write
		// them; a served endpoint uses classic names (Scored Labels …).
		for _, f := range m.Info().Output.Fields {
			opts.OutputNames = append(opts.OutputNames, f.Name)
		}
	}
	stats, err := batch.Score(ctx, m, r, w, opts)
	if c, ok := w.(io.Closer); ok {
		c.Close()
	}
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

// newTableReader reads in as o.format says. An XLSX file is read at random
// (its directory is at its end), so standard input is copied to a
// temporary file first.
func newTableReader(in io.Reader, o scoreOptions) (batch.Reader, error) {
	if o.format == "csv" {
		comma, err := batch.ParseDelimiter(o.delimiter)
		if err != nil {
			return nil, err
		}
		return batch.NewCSVReader(in, batch.CSVOptions{Comma: comma})
	}
	f, ok := in.(*os.File)
	if ok {
		// A regular file can be read at random; a pipe cannot.
		if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
			ok = false
		}
	}
	if !ok {
		tmp, err := os.CreateTemp("", "scoregate-input-*.xlsx")
		if err != nil {
			return nil, err
		}
		os.Remove(tmp.Name()) // gone when closed; still readable until then
		if _, err := io.Copy(tmp, in); err != nil {
			tmp.Close()
			return nil, fmt.Errorf("copy the input to a temporary file: %w", err)
		}
		f = tmp
	}
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	r, err := batch.NewXLSXReader(f, st.Size(), batch.XLSXOptions{Sheet: o.sheet})
	if err != nil {
		return nil, err
	}
	if f != in {
		return &tempXLSX{XLSXReader: r, f: f}, nil
	}
	return r, nil
}

// tempXLSX is an XLSXReader of a temporary copy of the input, closed with
// it.
type tempXLSX struct {
	*batch.XLSXReader
	f *os.File
}

func (t *tempXLSX) Close() error { return errors.Join(t.XLSXReader.Close(), t.f.Close()) }

// newRowWriter writes o.outputFormat: CSV in the input's format when the
// input was CSV, an XLSX sheet named as the input's when it was XLSX.
func newRowWriter(out io.Writer, r batch.Reader, o scoreOptions) batch.RowWriter {
	var sheet string
	var format batch.CSVFormat
	switch r := r.(type) {
	case *batch.CSVReader:
		format = r.Format()
	case *batch.XLSXReader:
		sheet = r.Sheet()
	case *tempXLSX:
		sheet = r.Sheet()
	}
	if o.outputFormat == "xlsx" {
		return batch.NewXLSXWriter(out, batch.XLSXWriteOptions{Sheet: sheet})
	}
	return batch.NewCSVWriter(out, format)
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
