package batch

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/fixtures"
	"github.com/scoregate/scoregate/scoring"
	"github.com/scoregate/scoregate/scoring/pmml"
)

// sumModel is a Scorer over inputs a (required), b (required) and c
// (optional): it outputs a+b (+c when present) and whether c was missing;
// a cell that is not a number fails the row, naming its field.
type sumModel struct{ batches int }

func (m *sumModel) Info() scoregate.ModelInfo {
	return scoregate.ModelInfo{
		Input:  scoregate.Schema{Fields: []scoregate.Field{{Name: "a"}, {Name: "b"}, {Name: "c", Optional: true}}},
		Output: scoregate.Schema{Fields: []scoregate.Field{{Name: "sum"}, {Name: "c_missing"}}},
	}
}
func (m *sumModel) NewRow() scoregate.Row        { return make(scoregate.Row, 3) }
func (m *sumModel) NewOutput() []scoregate.Value { return make([]scoregate.Value, 2) }
func (m *sumModel) ScoreBatch(ctx context.Context, rows []scoregate.Row, outs [][]scoregate.Value, errs []error) (int, error) {
	m.batches++
	failed := 0
rows:
	for i, row := range rows {
		sum := 0.0
		for f, v := range row {
			if v.Missing() && f == 2 {
				continue
			}
			x, ok := v.Float()
			if !ok {
				errs[i] = scoregate.Errorf(scoregate.BadUserArgument, scoregate.CodeInputParseError, m.Info().Input.Fields[f].Name, "%q is not a number", v.Str)
				failed++
				outs[i][0] = scoregate.Float(-1) // Score must not write it
				continue rows
			}
			sum += x
		}
		outs[i][0] = scoregate.Float(sum)
		outs[i][1] = scoregate.Bool(row[2].Missing())
	}
	return failed, ctx.Err()
}

// scoreText scores input with model and returns the output file.
func scoreText(t *testing.T, model scoregate.Scorer, input string, opts ScoreOptions) (string, Stats, error) {
	t.Helper()
	in, err := NewCSVReader(strings.NewReader(input), CSVOptions{})
	if err != nil {
		return "", Stats{}, err
	}
	var b bytes.Buffer
	stats, err := Score(context.Background(), model, in, NewCSVWriter(&b, in.Format()), opts)
	return b.String(), stats, err
}

func TestScore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    string
		opts  ScoreOptions
		out   string
		stats Stats
		err   string
	}{
		{name: "columns by name, any case and order, extra ones kept",
			in:    "ID; B ;A;c;note\nr1;1;2;3;\"x;\ny\"\nr2;10;20;;\n",
			out:   "ID;\" B \";A;c;note;sum;c_missing;Errors\nr1;1;2;3;\"x;\ny\";6;false;\nr2;10;20;;;30;true;\n",
			stats: Stats{Rows: 2, Scored: 2}},
		{name: "optional column absent",
			in:    "a,b\n1,2\n",
			out:   "a,b,sum,c_missing,Errors\n1,2,3,true,\n",
			stats: Stats{Rows: 1, Scored: 1}},
		{name: "missing cells",
			in:    "a,b,c\n1,2,NA\n1,2,N/A\n1,2,\n1,2,na\n",
			out:   "a,b,c,sum,c_missing,Errors\n1,2,NA,3,true,\n1,2,N/A,3,true,\n1,2,,3,true,\n1,2,na,,,\"c: \"\"na\"\" is not a number\"\n",
			stats: Stats{Rows: 4, Scored: 3, Failed: 1, FirstErrors: []string{`row 4: c: "na" is not a number`}}},
		{name: "other missing cells",
			in:    "a,b,c\n1,2,-\n1,2,\n",
			opts:  ScoreOptions{Missing: []string{"-"}},
			out:   "a,b,c,sum,c_missing,Errors\n1,2,-,3,true,\n1,2,,,,\"c: \"\"\"\" is not a number\"\n",
			stats: Stats{Rows: 2, Scored: 1, Failed: 1, FirstErrors: []string{`row 2: c: "" is not a number`}}},
		{name: "row errors",
			in:  "a,b,c\n1,x,3\n1,2\n1,2,3,4\n1,\"2\"z,3\n1,2,3\n",
			out: "a,b,c,sum,c_missing,Errors\n1,x,3,,,\"b: \"\"x\"\" is not a number\"\n1,2,,,,the row has 2 cells where the header has 3\n1,2,3,,,the row has 4 cells where the header has 3\n1,,,,,\"extraneous or missing \"\" in quoted-field (line 5, character 5)\"\n1,2,3,6,false,\n",
			stats: Stats{Rows: 5, Scored: 1, Failed: 4, FirstErrors: []string{
				`row 1: b: "x" is not a number`,
				"row 2: the row has 2 cells where the header has 3",
				"row 3: the row has 4 cells where the header has 3",
			}}},
		{name: "header only is an empty job",
			in:  "a,b\n",
			out: "a,b,sum,c_missing,Errors\n"},
		{name: "required columns missing, all named",
			in:  "A1,c,x\n1,2,3\n",
			err: "the file lacks the input column(s) a, b"},
		{name: "scored file given again: outputs replaced",
			in:    "a,Sum,b,errors\n1,3,2,old\n",
			out:   "a,b,sum,c_missing,Errors\n1,2,3,true,\n",
			stats: Stats{Rows: 1, Scored: 1}},
		{name: "threshold passed",
			in:    "a,b\n1,2\nx,2\n1,2\n1,2\n",
			opts:  ScoreOptions{MaxFailedFraction: 0.2},
			stats: Stats{Rows: 4, Scored: 3, Failed: 1, FirstErrors: []string{`row 2: a: "x" is not a number`}},
			err:   `1 of 4 rows failed (25%), more than the job allows (20%); first: row 2: a: "x" is not a number`},
		{name: "threshold reached, not passed",
			in:    "a,b\n1,2\nx,2\n1,2\n1,2\n",
			opts:  ScoreOptions{MaxFailedFraction: 0.25},
			out:   "a,b,sum,c_missing,Errors\n1,2,3,true,\nx,2,,,\"a: \"\"x\"\" is not a number\"\n1,2,3,true,\n1,2,3,true,\n",
			stats: Stats{Rows: 4, Scored: 3, Failed: 1, FirstErrors: []string{`row 2: a: "x" is not a number`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, stats, err := scoreText(t, &sumModel{}, tt.in, tt.opts)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
			} else if err != nil {
				t.Fatal(err)
			} else if out != tt.out {
				t.Errorf("output\n%s\nwant\n%s", out, tt.out)
			}
			stats.BytesRead, stats.BytesWritten = 0, 0
			if !reflect.DeepEqual(stats, tt.stats) {
				t.Errorf("stats %+v, want %+v", stats, tt.stats)
			}
		})
	}
}

// TestScoreOutputFormat checks that the output is written as the input
// was: delimiter, byte order mark, line ending; and that it reads back.
func TestScoreOutputFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     []byte
		prefix string
	}{
		{"semicolons, BOM, CRLF", []byte("\uFEFFa;b\r\n1,5;2\r\n"), "\uFEFFa;b;sum;c_missing;Errors\r\n1,5;2;"},
		{"tabs", []byte("a\tb\n1\t2\n"), "a\tb\tsum\tc_missing\tErrors\n1\t2\t3\ttrue\t\n"},
		{"pipes", []byte("a|b\n1|2\n"), "a|b|sum|c_missing|Errors\n1|2|3|true|\n"},
		{"UTF-16 becomes UTF-8 with a BOM", utf16File("a,b\r\n1,2\r\n", false), "\uFEFFa,b,sum,c_missing,Errors\r\n1,2,3,true,\r\n"},
		{"Windows-1252 becomes UTF-8 with a BOM", []byte("a,b,n\xe9\n1,2,\x80\n"), "\uFEFFa,b,né,sum,c_missing,Errors\n1,2,€,3,true,\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in, err := NewCSVReader(bytes.NewReader(tt.in), CSVOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if _, err := Score(context.Background(), &sumModel{}, in, NewCSVWriter(&b, in.Format()), ScoreOptions{}); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(b.String(), tt.prefix) {
				t.Fatalf("output %q, want it to start %q", b.String(), tt.prefix)
			}
			back, err := readTable(t, b.Bytes(), CSVOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if back.format.Comma != in.Format().Comma || back.format.CRLF != in.Format().CRLF {
				t.Errorf("output format %+v, input %+v", back.format, in.Format())
			}
		})
	}
}

func TestScoreDemoModel(t *testing.T) {
	t.Parallel()
	model, err := scoring.CompilePMML(bytes.NewReader(fixtures.DemoModel), pmml.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	out, stats, err := scoreText(t, model, string(fixtures.DemoSample), ScoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tb, err := readTable(t, []byte(out), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := `sepal_length|sepal_width|petal_length|petal_width|Scored Labels|Scored Probabilities for Class "setosa"|Scored Probabilities for Class "versicolor"|Scored Probabilities for Class "virginica"|Errors`
	if got := strings.Join(tb.header, "|"); got != want {
		t.Errorf("header %s\nwant   %s", got, want)
	}
	if stats.Rows != 10 || stats.Failed != 0 || len(tb.records) != 10 {
		t.Fatalf("stats %+v, %d records", stats, len(tb.records))
	}
	if got := tb.records[0][4]; got != "setosa" {
		t.Errorf("first row predicted %q", got)
	}
	if stats.BytesRead != int64(len(fixtures.DemoSample)) || stats.BytesWritten != int64(len(out)) {
		t.Errorf("bytes %d/%d, want %d/%d", stats.BytesRead, stats.BytesWritten, len(fixtures.DemoSample), len(out))
	}
}

func manyRows(n int) string {
	var b strings.Builder
	b.WriteString("a,b\n")
	for i := range n {
		b.WriteString(strconv.Itoa(i) + ",1\n")
	}
	return b.String()
}

func TestScoreProgress(t *testing.T) {
	t.Parallel()
	var seen []int64
	m := &sumModel{}
	_, stats, err := scoreText(t, m, manyRows(5), ScoreOptions{ChunkRows: 2, Progress: func(s Stats) error {
		seen = append(seen, s.Rows)
		if s.BytesRead == 0 || s.Scored != s.Rows {
			t.Errorf("progress %+v", s)
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(seen, []int64{2, 4, 5}) || stats.Rows != 5 || m.batches != 3 {
		t.Errorf("progress at %v, %d batches, stats %+v", seen, m.batches, stats)
	}

	stop := errors.New("stop")
	_, stats, err = scoreText(t, &sumModel{}, manyRows(5), ScoreOptions{ChunkRows: 2, Progress: func(Stats) error { return stop }})
	if !errors.Is(err, stop) || stats.Rows != 2 {
		t.Errorf("err %v, stats %+v; want stop after 2 rows", err, stats)
	}
}

func TestScoreCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in, err := NewCSVReader(strings.NewReader(manyRows(100)), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	stats, err := Score(ctx, &sumModel{}, in, NewCSVWriter(&b, in.Format()), ScoreOptions{ChunkRows: 10, Progress: func(s Stats) error {
		if s.Rows == 30 {
			cancel()
		}
		return nil
	}})
	if !errors.Is(err, context.Canceled) || stats.Rows != 30 {
		t.Errorf("err %v, stats %+v; want canceled after 30 rows", err, stats)
	}
}

// TestScoreAllocs checks that scoring a chunk of sound rows allocates only
// the strings of the records.
func TestScoreAllocs(t *testing.T) {
	model, err := scoring.CompilePMML(bytes.NewReader(fixtures.DemoModel), pmml.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	const rows = 100000 // enough to amortise the chunks' buffers (3 × 2048 rows)
	var b strings.Builder
	b.WriteString("sepal_length,sepal_width,petal_length,petal_width\n")
	for range rows {
		b.WriteString("5.1,3.5,1.4,0.2\n")
	}
	input := b.String()
	allocs := testing.AllocsPerRun(3, func() {
		in, err := NewCSVReader(strings.NewReader(input), CSVOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Score(context.Background(), model, in, NewCSVWriter(discard{}, in.Format()), ScoreOptions{}); err != nil {
			t.Fatal(err)
		}
	})
	if perRow := allocs / rows; perRow > 1.3 {
		t.Errorf("%.2f allocations per row, want about 1 (the record's string)", perRow)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
