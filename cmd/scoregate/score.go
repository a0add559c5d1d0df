package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/scoregate/scoregate"
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
	fmt.Fprintf(stderr, "scored %d rows: %d ok, %d with errors\n", stats.rows, stats.rows-stats.failed, stats.failed)
	return nil
}

func compileFile(path string) (*pmml.Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := pmml.Compile(bufio.NewReaderSize(f, 1<<20), pmml.DefaultLimits())
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

type scoreStats struct{ rows, failed int }

// scoreCSV reads a header row, matches its columns to the model's inputs by
// name (case-insensitive), and scores each record.
func scoreCSV(ctx context.Context, m *pmml.Model, in io.Reader, out io.Writer, o scoreOptions) (scoreStats, error) {
	var stats scoreStats
	br := bufio.NewReaderSize(in, 1<<16)
	skipBOM(br)
	comma, err := delimiter(br, o.delimiter)
	if err != nil {
		return stats, err
	}
	r := csv.NewReader(br)
	r.Comma = comma
	r.ReuseRecord = true
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return stats, fmt.Errorf("read header row: %w", err)
	}
	header = append([]string(nil), header...)
	info := m.Schema()
	cols, err := matchColumns(header, info.Input.Fields)
	if err != nil {
		return stats, err
	}
	missing := map[string]bool{}
	for _, s := range strings.Split(o.missing, ",") {
		missing[s] = true
	}

	w := csv.NewWriter(out)
	w.Comma = comma
	record := append([]string(nil), header...)
	for _, f := range info.Output.Fields {
		record = append(record, f.Name)
	}
	record = append(record, "Errors")
	if err := w.Write(record); err != nil {
		return stats, err
	}
	row := make(pmml.Row, len(info.Input.Fields))
	res := make([]pmml.Value, len(info.Output.Fields))
	for line := 2; ; line++ {
		if err := ctx.Err(); err != nil {
			return stats, err
		}
		cells, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return stats, fmt.Errorf("read row %d: %w", line, err)
		}
		stats.rows++
		row.Reset()
		for field, col := range cols {
			if col < len(cells) && !missing[cells[col]] {
				row.SetString(field, cells[col])
			}
		}
		record = append(record[:0], cells...)
		for len(record) < len(header) {
			record = append(record, "")
		}
		if err := m.Score(row, res); err != nil {
			stats.failed++
			for range res {
				record = append(record, "")
			}
			record = append(record, err.Error())
		} else {
			for _, v := range res {
				record = append(record, cellText(v))
			}
			record = append(record, "")
		}
		if err := w.Write(record); err != nil {
			return stats, err
		}
	}
	w.Flush()
	return stats, w.Error()
}

// cellText formats an output value for CSV: missing values are empty.
func cellText(v pmml.Value) string {
	if v.Missing() {
		return ""
	}
	return v.String()
}

// matchColumns maps each input field to its column (-1 when absent). A
// field the model cannot do without, absent from the file, fails the whole
// file at once, naming every such field.
func matchColumns(header []string, fields []scoregate.Field) ([]int, error) {
	cols := make([]int, len(fields))
	var absent []string
	for i, f := range fields {
		cols[i] = -1
		for j, h := range header {
			if strings.EqualFold(strings.TrimSpace(h), f.Name) {
				cols[i] = j
				break
			}
		}
		if cols[i] < 0 && !f.Optional {
			absent = append(absent, f.Name)
		}
	}
	if len(absent) > 0 {
		return nil, fmt.Errorf("the file lacks the input column(s) %s", strings.Join(absent, ", "))
	}
	return cols, nil
}

// skipBOM drops a UTF-8 byte order mark.
func skipBOM(br *bufio.Reader) {
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
}

// delimiter returns the given delimiter or sniffs it from the header line:
// the most frequent of , ; tab | outside quotes.
func delimiter(br *bufio.Reader, given string) (rune, error) {
	switch given {
	case "":
	case `\t`, "tab":
		return '\t', nil
	default:
		if r := []rune(given); len(r) == 1 {
			return r[0], nil
		}
		return 0, fmt.Errorf("delimiter %q: want one character", given)
	}
	head, _ := br.Peek(64 << 10)
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	best, bestN := ',', 0
	for _, c := range []rune{',', ';', '\t', '|'} {
		n, quoted := 0, false
		for _, b := range head {
			switch {
			case b == '"':
				quoted = !quoted
			case !quoted && rune(b) == c:
				n++
			}
		}
		if n > bestN {
			best, bestN = c, n
		}
	}
	return best, nil
}
