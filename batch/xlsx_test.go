package batch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/fixtures"
	"github.com/scoregate/scoregate/scoring"
	"github.com/scoregate/scoregate/scoring/pmml"
	"github.com/scoregate/scoregate/workbook"
)

// xlsxFile writes rows (the first is the header) as an XLSX sheet; a cell
// is a float64, string, bool, time.Time or nil (a gap), and a nil row is
// a blank row.
func xlsxFile(t testing.TB, rows ...[]any) []byte {
	t.Helper()
	var b bytes.Buffer
	w := workbook.NewWriter(&b, workbook.WriterOptions{Sheet: "Input"})
	for _, row := range rows {
		for _, c := range row {
			switch v := c.(type) {
			case float64:
				w.Number(v)
			case int:
				w.Number(float64(v))
			case string:
				w.String(v)
			case bool:
				w.Bool(v)
			case time.Time:
				w.Date(v)
			case nil:
				w.Skip()
			default:
				t.Fatalf("cell %T", c)
			}
		}
		if err := w.EndRow(); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// readXLSX reads every row of an XLSX file as the text Cell.Text gives
// and the kind, "" and Empty for gaps.
func readXLSX(t *testing.T, data []byte) (rows [][]string, kinds [][]workbook.Kind) {
	t.Helper()
	rd, err := workbook.OpenReader(bytes.NewReader(data), int64(len(data)), workbook.ReaderOptions{})
	if err != nil {
		t.Fatalf("read the output: %v", err)
	}
	defer rd.Close()
	for rd.Next() {
		var row []string
		var kind []workbook.Kind
		for _, c := range rd.Row() {
			row = append(row, c.Text())
			kind = append(kind, c.Kind)
		}
		rows = append(rows, row)
		kinds = append(kinds, kind)
	}
	if rd.Err() != nil {
		t.Fatal(rd.Err())
	}
	return rows, kinds
}

func scoreXLSX(t *testing.T, model scoregate.Scorer, data []byte, out RowWriter) (Stats, error) {
	t.Helper()
	in, err := NewXLSXReader(bytes.NewReader(data), int64(len(data)), XLSXOptions{})
	if err != nil {
		return Stats{}, err
	}
	defer in.Close()
	return Score(context.Background(), model, in, out, ScoreOptions{})
}

func TestScoreXLSXToXLSX(t *testing.T) {
	t.Parallel()
	day := time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)
	at := time.Date(2024, 2, 29, 13, 45, 30, 500e6, time.UTC)
	data := xlsxFile(t,
		[]any{"id", "a", "b", "when", "flag", "c"},
		[]any{"007", 1, 2.5, day, true},
		nil, // skipped
		[]any{"r2", 10, 20, at, false, 1e-3},
		[]any{"r3", "x", 2},
		[]any{"r4", 1, 2, nil, nil, nil, "beyond"},
		[]any{nil, nil, nil, nil, nil, nil, nil},
	)
	var b bytes.Buffer
	out := NewXLSXWriter(&b, XLSXWriteOptions{Sheet: "Input"})
	stats, err := scoreXLSX(t, &sumModel{}, data, out)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Stats{Rows: 4, Scored: 2, Failed: 2, BytesRead: int64(len(data)), BytesWritten: int64(b.Len())}); stats.Rows != want.Rows ||
		stats.Scored != want.Scored || stats.Failed != want.Failed || stats.BytesRead != want.BytesRead || stats.BytesWritten != want.BytesWritten || len(stats.FirstErrors) != 2 {
		t.Errorf("stats %+v, want %+v", stats, want)
	}
	rows, kinds := readXLSX(t, b.Bytes())
	const (
		E = workbook.Empty
		N = workbook.Number
		S = workbook.String
		B = workbook.Bool
		D = workbook.Date
	)
	want := []struct {
		text  string
		kinds []workbook.Kind
	}{
		{"id|a|b|when|flag|c|sum|c_missing|Errors", []workbook.Kind{S, S, S, S, S, S, S, S, S}},
		{"007|1|2.5|45351|1||3.5|1", []workbook.Kind{S, N, N, D, B, E, N, B}},
		{"r2|10|20|45351.57326967592|0|0.001|30.001|0", []workbook.Kind{S, N, N, D, B, N, N, B}},
		{`r3|x|2||||||a: "x" is not a number`, []workbook.Kind{S, S, N, E, E, E, E, E, S}},
		{"r4|1|2||||||row 6 has a value in column G, right of the header's 6 columns", []workbook.Kind{S, N, N, E, E, E, E, E, S}},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d: %q", len(rows), len(want), rows)
	}
	for i, w := range want {
		if got := strings.Join(rows[i], "|"); got != w.text {
			t.Errorf("row %d: %s\nwant   %s", i+1, got, w.text)
		}
		for j, k := range w.kinds {
			if kinds[i][j] != k {
				t.Errorf("row %d col %d: kind %v, want %v", i+1, j+1, kinds[i][j], k)
			}
		}
	}
}

// TestXLSXReaderText checks the text each kind of cell is read as.
func TestXLSXReaderText(t *testing.T) {
	t.Parallel()
	data := xlsxFile(t,
		nil,
		[]any{"n", "", "d", "dt", "b", "s"},
		[]any{0.1, "x", time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(2000, 1, 2, 3, 4, 5, 0, time.UTC), false, "  spaced  "},
		[]any{-1e21},
	)
	in, err := NewXLSXReader(bytes.NewReader(data), int64(len(data)), XLSXOptions{Sheet: "input"})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if got := strings.Join(in.Header(), "|"); got != "n||d|dt|b|s" {
		t.Errorf("header %q", got)
	}
	want := []struct {
		line  int
		text  string
		kinds []CellKind
	}{
		{3, "0.1|x|1999-12-31|2000-01-02T03:04:05|FALSE|  spaced  ", []CellKind{CellNumber, CellText, CellDate, CellDate, CellBool, CellText}},
		{4, "-1e+21|||||", []CellKind{CellNumber, CellText, CellText, CellText, CellText, CellText}},
	}
	for i := 0; in.Next(); i++ {
		if i >= len(want) {
			t.Fatalf("extra record %q", in.Record())
		}
		if got := strings.Join(in.Record(), "|"); got != want[i].text || in.Line() != want[i].line || in.RecordErr() != nil {
			t.Errorf("record %q on line %d (%v), want %q on line %d", got, in.Line(), in.RecordErr(), want[i].text, want[i].line)
		}
		if got := fmt.Sprint(in.RecordKinds()); got != fmt.Sprint(want[i].kinds) {
			t.Errorf("kinds %s, want %v", got, want[i].kinds)
		}
	}
	if in.Err() != nil {
		t.Fatal(in.Err())
	}
}

func TestScoreCSVToXLSX(t *testing.T) {
	t.Parallel()
	in, err := NewCSVReader(strings.NewReader("id,a,b,note\n007,1,2.50,+1\nx1,-3e2,1e400,1234567890123456\n"), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := Score(context.Background(), &sumModel{}, in, NewXLSXWriter(&b, XLSXWriteOptions{}), ScoreOptions{}); err != nil {
		t.Fatal(err)
	}
	rows, kinds := readXLSX(t, b.Bytes())
	const (
		N = workbook.Number
		S = workbook.String
	)
	if got := strings.Join(rows[1], "|"); got != "007|1|2.50|+1|3.5|1" {
		t.Errorf("row 2: %s", got)
	}
	for j, k := range []workbook.Kind{S, N, N, S, N, workbook.Bool} {
		if kinds[1][j] != k {
			t.Errorf("row 2 col %d: kind %v, want %v", j+1, kinds[1][j], k)
		}
	}
	for j, k := range []workbook.Kind{S, N, S, S} {
		if kinds[2][j] != k {
			t.Errorf("row 3 col %d (%q): kind %v, want %v", j+1, rows[2][j], kinds[2][j], k)
		}
	}
}

func TestScoreXLSXToCSV(t *testing.T) {
	t.Parallel()
	data := xlsxFile(t,
		[]any{"a", "b", "when", "ok"},
		[]any{1.5, 2, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), true},
	)
	var b bytes.Buffer
	if _, err := scoreXLSX(t, &sumModel{}, data, NewCSVWriter(&b, CSVFormat{})); err != nil {
		t.Fatal(err)
	}
	if want := "a,b,when,ok,sum,c_missing,Errors\n1.5,2,2024-03-01,TRUE,3.5,true,\n"; b.String() != want {
		t.Errorf("output\n%s\nwant\n%s", b.String(), want)
	}
}

func TestScoreXLSXDemoModel(t *testing.T) {
	t.Parallel()
	model, err := scoring.CompilePMML(bytes.NewReader(fixtures.DemoModel), pmml.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	// The demo sample, CSV to XLSX, then XLSX to XLSX through the model.
	csvIn, err := NewCSVReader(bytes.NewReader(fixtures.DemoSample), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var sample bytes.Buffer
	xw := NewXLSXWriter(&sample, XLSXWriteOptions{})
	if err := xw.WriteHeader(csvIn.Header(), nil); err != nil {
		t.Fatal(err)
	}
	for csvIn.Next() {
		xw.WriteRow(csvIn.Record(), nil, nil)
	}
	if err := xw.Flush(); err != nil {
		t.Fatal(err)
	}
	// The Errors column WriteHeader added is replaced, not written twice.
	var b bytes.Buffer
	stats, err := scoreXLSX(t, model, sample.Bytes(), NewXLSXWriter(&b, XLSXWriteOptions{}))
	if err != nil || stats.Scored != 10 {
		t.Fatalf("scoring a file with an Errors column: %+v %v", stats, err)
	}
	if rows, _ := readXLSX(t, b.Bytes()); strings.Count(strings.Join(rows[0], "|"), "Errors") != 1 {
		t.Errorf("header %q", rows[0])
	}

	data := xlsxFile(t,
		[]any{"sepal_length", "sepal_width", "petal_length", "petal_width"},
		[]any{5.1, 3.5, 1.4, 0.2},
		[]any{6.3, 3.3, 6.0, 2.5},
	)
	b.Reset()
	if stats, err = scoreXLSX(t, model, data, NewXLSXWriter(&b, XLSXWriteOptions{})); err != nil || stats.Failed != 0 {
		t.Fatalf("stats %+v, err %v", stats, err)
	}
	rows, kinds := readXLSX(t, b.Bytes())
	if rows[0][4] != "Scored Labels" || rows[1][4] != "setosa" || rows[2][4] != "virginica" {
		t.Errorf("predictions %q", rows)
	}
	if rows[1][5] != "1" || kinds[1][5] != workbook.Number {
		t.Errorf("probability of setosa %q (%v), want the number 1", rows[1][5], kinds[1][5])
	}
}

func TestXLSXReaderErrors(t *testing.T) {
	t.Parallel()
	zipped := func(t *testing.T) []byte {
		return xlsxFile(t, []any{"a", "b"}, []any{1, 2})
	}
	tests := []struct {
		name string
		data func(t *testing.T) []byte
		opts XLSXOptions
		err  string
		user bool // a scoregate BadUserArgument
	}{
		{name: "not a zip", data: func(*testing.T) []byte { return []byte("a,b\n1,2\n") }, err: "not an XLSX file", user: true},
		{name: "truncated zip", data: func(t *testing.T) []byte { d := zipped(t); return d[:len(d)/2] }, err: "not an XLSX file", user: true},
		{name: "empty", data: func(*testing.T) []byte { return nil }, err: "not an XLSX file", user: true},
		{name: "no such sheet", data: zipped, opts: XLSXOptions{Sheet: "Other"}, err: `"Other" (sheets: "Input")`, user: true},
		{name: "no header", data: func(t *testing.T) []byte { return xlsxFile(t, nil, nil) }, err: "no header row", user: true},
		{name: "header names a column twice", data: func(t *testing.T) []byte { return xlsxFile(t, []any{"a", "A "}) }, err: "names a column twice", user: true},
		{name: "over the size limit", data: zipped, opts: XLSXOptions{MaxUnzippedBytes: 100}, err: "exceeds limit", user: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := tt.data(t)
			_, err := NewXLSXReader(bytes.NewReader(data), int64(len(data)), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("err %v, want %q", err, tt.err)
			}
			var se *scoregate.Error
			if tt.user && (!errors.As(err, &se) || se.Class != scoregate.BadUserArgument) {
				t.Errorf("err %v is not a BadUserArgument", err)
			}
		})
	}
}

func TestScoreXLSXMissingColumn(t *testing.T) {
	t.Parallel()
	data := xlsxFile(t, []any{"a", "x"}, []any{1, 2})
	_, err := scoreXLSX(t, &sumModel{}, data, NewXLSXWriter(&bytes.Buffer{}, XLSXWriteOptions{}))
	if err == nil || !strings.Contains(err.Error(), "lacks the input column(s) b") {
		t.Errorf("err %v", err)
	}
}

// TestXLSXWriterClose checks that a job failing half way leaves nothing
// written and no temporary file.
func TestXLSXWriterClose(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var b bytes.Buffer
	w := NewXLSXWriter(&b, XLSXWriteOptions{TempDir: dir})
	w.WriteHeader([]string{"a"}, nil)
	for range 200_000 {
		w.WriteRow([]string{"some text that does not compress to nothing"}, nil, errors.New("failed"))
	}
	if w.BytesWritten() == 0 {
		t.Error("BytesWritten is 0 with rows written")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 || b.Len() != 0 {
		t.Errorf("after Close: %d temporary files, %d bytes written", len(entries), b.Len())
	}
}

func TestXLSXReaderHeaderRow(t *testing.T) {
	data := xlsxFile(t,
		[]any{"PARAMETERS", nil, "PREDICTED VALUES"},
		[]any{"a", "b", "sum"},
		[]any{1.0, 2.0, nil},
	)
	// By default the banner is taken for the header.
	in, err := NewXLSXReader(bytes.NewReader(data), int64(len(data)), XLSXOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if h := in.Header(); h[0] != "PARAMETERS" {
		t.Errorf("header %q", h)
	}
	in.Close()
	in, err = NewXLSXReader(bytes.NewReader(data), int64(len(data)), XLSXOptions{HeaderRow: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if h := strings.Join(in.Header(), ","); h != "a,b,sum" {
		t.Errorf("header %q", h)
	}
	if !in.Next() || in.Record()[0] != "1" || in.Line() != 3 {
		t.Errorf("first record %q on line %d", in.Record(), in.Line())
	}
	if _, err := NewXLSXReader(bytes.NewReader(data), int64(len(data)), XLSXOptions{HeaderRow: 5}); err == nil || !strings.Contains(err.Error(), "row 5") {
		t.Errorf("a header row past the data: %v", err)
	}
}
