package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/scoregate/scoregate/fixtures"
	"github.com/scoregate/scoregate/workbook"
)

// scoreFile runs "scoregate score" and returns the parsed output and stderr.
func scoreFile(t *testing.T, model []byte, input string, flags ...string) ([][]string, string, error) {
	t.Helper()
	dir := t.TempDir()
	modelPath := filepath.Join(dir, "model.pmml")
	if err := os.WriteFile(modelPath, model, 0o644); err != nil {
		t.Fatal(err)
	}
	inPath, outPath := filepath.Join(dir, "in.csv"), filepath.Join(dir, "out.csv")
	if err := os.WriteFile(inPath, []byte(input), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	args := append([]string{"score", "--model", modelPath}, flags...)
	err := run(context.Background(), append(args, inPath, outPath), func(string) string { return "" }, nil, io.Discard, &stderr)
	if err != nil {
		if _, statErr := os.Stat(outPath); statErr == nil {
			t.Errorf("a failed run left %s behind", outPath)
		}
		return nil, stderr.String(), err
	}
	f, err := os.Open(outPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	if strings.Contains(strings.SplitN(input, "\n", 2)[0], ";") {
		r.Comma = ';'
	}
	records, err := r.ReadAll()
	if err != nil {
		t.Fatalf("read output: %v", err)
	}
	return records, stderr.String(), nil
}

// column returns the index of name in header, failing the test if absent.
func column(t *testing.T, header []string, name string) int {
	t.Helper()
	for i, h := range header {
		if h == name {
			return i
		}
	}
	t.Fatalf("no column %q in %q", name, header)
	return -1
}

func TestScoreDemo(t *testing.T) {
	t.Parallel()
	records, stderr, err := scoreFile(t, fixtures.DemoModel, string(fixtures.DemoSample))
	if err != nil {
		t.Fatalf("score: %v", err)
	}
	header := records[0]
	want := "sepal_length,sepal_width,petal_length,petal_width,predicted_species,probability_setosa,probability_versicolor,probability_virginica,Errors"
	if got := strings.Join(header, ","); got != want {
		t.Fatalf("header %s\nwant   %s", got, want)
	}
	if len(records) != 11 {
		t.Fatalf("%d records, want a header and 10 rows", len(records))
	}
	species := column(t, header, "predicted_species")
	for i, want := range map[int]string{1: "setosa", 2: "setosa", 3: "setosa", 9: "virginica", 10: "virginica"} {
		if got := records[i][species]; got != want {
			t.Errorf("row %d: predicted %q, want %q (%v)", i, got, want, records[i])
		}
	}
	if got := records[1][column(t, header, "probability_setosa")]; got != "1" {
		t.Errorf("row 1: probability_setosa %q, want 1", got)
	}
	if !strings.Contains(stderr, "scored 10 rows: 10 ok") {
		t.Errorf("summary %q", stderr)
	}
}

func TestScoreCSVShapes(t *testing.T) {
	t.Parallel()
	t.Run("semicolons, BOM, CRLF, other column order, extra column", func(t *testing.T) {
		t.Parallel()
		in := "\uFEFFsepal_length;ID;PETAL_WIDTH;petal_length;sepal_width\r\n5.1;a1;0.2;1.4;3.5\r\n6.3;a2;2.5;6.0;3.3\r\n"
		records, _, err := scoreFile(t, fixtures.DemoModel, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(records) != 3 || records[0][1] != "ID" || records[2][1] != "a2" {
			t.Fatalf("records %q", records)
		}
		if got := records[2][column(t, records[0], "predicted_species")]; got != "virginica" {
			t.Errorf("predicted %q", got)
		}
	})
	t.Run("missing column fails the file", func(t *testing.T) {
		t.Parallel()
		_, _, err := scoreFile(t, fixtures.DemoModel, "sepal_length,sepal_width\n5.1,3.5\n")
		if err == nil || !strings.Contains(err.Error(), "petal_length") || !strings.Contains(err.Error(), "petal_width") {
			t.Errorf("err = %v, want one naming petal_length and petal_width", err)
		}
	})
	t.Run("bad cell is a row error", func(t *testing.T) {
		t.Parallel()
		in := "sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n5.1,3.5,abc,0.2\n"
		records, stderr, err := scoreFile(t, fixtures.DemoModel, in)
		if err != nil {
			t.Fatal(err)
		}
		errs := column(t, records[0], "Errors")
		if records[1][errs] != "" || !strings.Contains(records[2][errs], "petal_length") {
			t.Errorf("Errors column: %q / %q", records[1][errs], records[2][errs])
		}
		if !strings.Contains(stderr, "1 with errors") {
			t.Errorf("summary %q", stderr)
		}
	})
	t.Run("bad model", func(t *testing.T) {
		t.Parallel()
		_, _, err := scoreFile(t, []byte("<PMML><Oops"), "a\n1\n")
		if err == nil || !strings.Contains(err.Error(), "compile") {
			t.Errorf("err = %v", err)
		}
	})
}

// TestScoreCorpusFile scores a conformance-corpus input file from the
// command line and compares the predicted probabilities with the expected
// file, as a data scientist checking a model before publishing would.
func TestScoreCorpusFile(t *testing.T) {
	t.Parallel()
	dir := corpusCase(t, "sklearn-DecisionTreeIris")
	model, err := os.ReadFile(filepath.Join(dir, "model.pmml"))
	if err != nil {
		t.Fatal(err)
	}
	input, err := os.ReadFile(filepath.Join(dir, "input.csv"))
	if err != nil {
		t.Fatal(err)
	}
	records, _, err := scoreFile(t, model, string(input))
	if err != nil {
		t.Fatalf("score: %v", err)
	}
	f, err := os.Open(filepath.Join(dir, "expected.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	expected, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != len(expected) {
		t.Fatalf("%d output records, %d expected", len(records), len(expected))
	}
	col := column(t, records[0], "probability(virginica)")
	exp := column(t, expected[0], "probability(virginica)")
	for i := 1; i < len(records); i++ {
		if !sameNumber(records[i][col], expected[i][exp]) {
			t.Fatalf("row %d: probability(virginica) %q, expected %q", i, records[i][col], expected[i][exp])
		}
	}
}

func sameNumber(a, b string) bool {
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	if errA != nil || errB != nil {
		return a == b
	}
	d := x - y
	return d < 1e-9 && d > -1e-9
}

// corpusCase locates a case of the external PMML conformance corpus:
// $SCOREGATE_PMML_CORPUS, or ../shared/pmml-corpus beside the repository.
// It is never copied into the repository.
func corpusCase(t *testing.T, name string) string {
	t.Helper()
	root := os.Getenv("SCOREGATE_PMML_CORPUS")
	if root == "" {
		root = filepath.Join("..", "..", "..", "shared", "pmml-corpus")
	}
	dir := filepath.Join(root, name)
	if _, err := os.Stat(filepath.Join(dir, "model.pmml")); err != nil {
		t.Skipf("PMML corpus case %s not found (%v): set SCOREGATE_PMML_CORPUS", name, err)
	}
	return dir
}

// TestScoreKeepsFormat checks that the output file is written as the input
// was: delimiter, byte order mark and line ending.
func TestScoreKeepsFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    string
		flags []string
		want  string // the output's first line
	}{
		{"semicolons, BOM, CRLF", "\uFEFFsepal_length;sepal_width;petal_length;petal_width\r\n5,1;3,5;1,4;0,2\r\n", nil,
			"\uFEFFsepal_length;sepal_width;petal_length;petal_width;predicted_species;probability_setosa;probability_versicolor;probability_virginica;Errors\r\n"},
		{"tabs given", "sepal_length\tsepal_width\tpetal_length\tpetal_width\n5.1\t3.5\t1.4\t0.2\n", []string{"--delimiter", "tab"},
			"sepal_length\tsepal_width\tpetal_length\tpetal_width\tpredicted_species\tprobability_setosa\tprobability_versicolor\tprobability_virginica\tErrors\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			modelPath, inPath, outPath := filepath.Join(dir, "m.pmml"), filepath.Join(dir, "in.csv"), filepath.Join(dir, "out.csv")
			if err := os.WriteFile(modelPath, fixtures.DemoModel, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(inPath, []byte(tt.in), 0o644); err != nil {
				t.Fatal(err)
			}
			args := append(append([]string{"score", "--model", modelPath}, tt.flags...), inPath, outPath)
			if err := run(context.Background(), args, func(string) string { return "" }, nil, io.Discard, io.Discard); err != nil {
				t.Fatal(err)
			}
			out, err := os.ReadFile(outPath)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(out), tt.want) {
				t.Errorf("output %q\nwant it to start %q", out, tt.want)
			}
		})
	}
}

// demoXLSX is the demo sample as an XLSX workbook, with an ID column.
func demoXLSX(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	w := workbook.NewWriter(&b, workbook.WriterOptions{Sheet: "Flowers"})
	w.WriteHeader([]string{"ID", "sepal_length", "sepal_width", "petal_length", "petal_width"})
	for i, row := range [][]float64{{5.1, 3.5, 1.4, 0.2}, {6.3, 3.3, 6.0, 2.5}} {
		w.String("f" + strconv.Itoa(i+1))
		for _, v := range row {
			w.Number(v)
		}
		w.EndRow()
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestScoreXLSX(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     string // input file name; "-" for stdin
		flags  []string
		out    string
		sheet  string // the output sheet, "" for CSV
		second string // the second output line (CSV) or row (XLSX), cells joined by |
	}{
		{name: "by extension", in: "in.xlsx", out: "out.xlsx", sheet: "Flowers", second: "f1|5.1|3.5|1.4|0.2|setosa|1|0|0|"},
		{name: "to CSV", in: "in.xlsx", flags: []string{"--output-format", "csv"}, out: "out.csv", second: "f1,5.1,3.5,1.4,0.2,setosa,1,0,0,"},
		{name: "stdin", in: "-", flags: []string{"--format", "xlsx"}, out: "out.xlsx", sheet: "Flowers", second: "f1|5.1|3.5|1.4|0.2|setosa|1|0|0|"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			modelPath, outPath := filepath.Join(dir, "m.pmml"), filepath.Join(dir, tt.out)
			if err := os.WriteFile(modelPath, fixtures.DemoModel, 0o644); err != nil {
				t.Fatal(err)
			}
			inArg := tt.in
			var stdin io.Reader
			if tt.in == "-" {
				stdin = bytes.NewReader(demoXLSX(t))
			} else {
				inArg = filepath.Join(dir, tt.in)
				if err := os.WriteFile(inArg, demoXLSX(t), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			args := append(append([]string{"score", "--model", modelPath}, tt.flags...), inArg, outPath)
			var stderr bytes.Buffer
			if err := run(context.Background(), args, func(string) string { return "" }, stdin, io.Discard, &stderr); err != nil {
				t.Fatalf("score: %v (%s)", err, stderr.String())
			}
			out, err := os.ReadFile(outPath)
			if err != nil {
				t.Fatal(err)
			}
			if tt.sheet == "" {
				if lines := strings.Split(string(out), "\n"); len(lines) < 2 || lines[1] != tt.second {
					t.Errorf("output %q, want line 2 %q", out, tt.second)
				}
				return
			}
			rd, err := workbook.OpenReader(bytes.NewReader(out), int64(len(out)), workbook.ReaderOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer rd.Close()
			if rd.Sheet() != tt.sheet {
				t.Errorf("sheet %q, want %q", rd.Sheet(), tt.sheet)
			}
			var rows []string
			for rd.Next() {
				var cells []string
				for _, c := range rd.Row() {
					cells = append(cells, c.Text())
				}
				rows = append(rows, strings.Join(cells, "|")+"|")
			}
			if len(rows) != 3 || rows[1] != tt.second || !strings.HasPrefix(rows[2], "f2|6.3|3.3|6|2.5|virginica|") {
				t.Errorf("rows %q, want row 2 %q", rows, tt.second)
			}
		})
	}
	t.Run("not an XLSX file", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		in, out := filepath.Join(dir, "in.xlsx"), filepath.Join(dir, "out.xlsx")
		os.WriteFile(in, []byte("a,b\n1,2\n"), 0o644)
		modelPath := filepath.Join(dir, "m.pmml")
		os.WriteFile(modelPath, fixtures.DemoModel, 0o644)
		err := run(context.Background(), []string{"score", "--model", modelPath, in, out}, func(string) string { return "" }, nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "not an XLSX file") {
			t.Errorf("err %v", err)
		}
		if _, err := os.Stat(out); err == nil {
			t.Error("a failed run left an output file")
		}
	})
}

func TestScoreClassicNames(t *testing.T) {
	t.Parallel()
	records, _, err := scoreFile(t, fixtures.DemoModel, string(fixtures.DemoSample), "--classic-names")
	if err != nil {
		t.Fatal(err)
	}
	if got := records[1][column(t, records[0], "Scored Labels")]; got != "setosa" {
		t.Errorf("Scored Labels %q", got)
	}
	if got := records[1][column(t, records[0], `Scored Probabilities for Class "setosa"`)]; got != "1" {
		t.Errorf("probability of setosa %q", got)
	}
}
