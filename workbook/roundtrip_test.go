package workbook

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/fixtures"
	"github.com/scoregate/scoregate/scoring"
	"github.com/scoregate/scoregate/scoring/pmml"
	"github.com/xuri/excelize/v2"
)

var rtModel = sync.OnceValues(func() (scoregate.Scorer, error) {
	return scoring.CompilePMML(bytes.NewReader(fixtures.DemoModel), pmml.Limits{})
})

// rtScorer returns the iris demo model: inputs sepal_length, sepal_width,
// petal_length, petal_width.
func rtScorer(t testing.TB) scoregate.Scorer {
	t.Helper()
	m, err := rtModel()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

var rtInputs = []string{"sepal_length", "sepal_width", "petal_length", "petal_width"}

// rtOutputs are the demo model's output columns and Errors.
var rtOutputs = []string{"Scored Labels", `Scored Probabilities for Class "setosa"`,
	`Scored Probabilities for Class "versicolor"`, `Scored Probabilities for Class "virginica"`, "Errors"}

// rtOurs builds a workbook shaped like the generated one: sheet Score with
// a banner in row 1, the header in row 2 and rows from row 3, all in the
// table ScoreTable, plus a Connection sheet with a defined name. rows
// hold inputs and then, optionally, output cells.
func rtOurs(t testing.TB, rows ...[]any) *excelize.File {
	t.Helper()
	f := excelize.NewFile()
	t.Cleanup(func() { f.Close() })
	must(t, f.SetSheetName("Sheet1", "Score"))
	must(t, f.SetCellStr("Score", "A1", "PARAMETERS"))
	must(t, f.SetCellStr("Score", "E1", "PREDICTED VALUES"))
	header := append(append([]string(nil), rtInputs...), rtOutputs...)
	must(t, f.SetSheetRow("Score", "A2", &header))
	green, err := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E2EFDA"}}})
	must(t, err)
	must(t, f.SetCellStyle("Score", "E2", "I2", green))
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 10})
	must(t, err)
	last := 2 + max(len(rows), 1)
	must(t, f.SetCellStyle("Score", "F3", "H"+itoa(last), pct))
	for i, r := range rows {
		must(t, f.SetSheetRow("Score", "A"+itoa(3+i), &r))
	}
	must(t, f.AddTable("Score", &excelize.Table{Range: "A2:I" + itoa(last), Name: "ScoreTable", StyleName: "TableStyleMedium2"}))
	_, err = f.NewSheet("Connection")
	must(t, err)
	must(t, f.SetCellStr("Connection", "A1", "API key"))
	must(t, f.SetCellStr("Connection", "B1", "secret-key"))
	must(t, f.SetDefinedName(&excelize.DefinedName{Name: "ScoregateKey", RefersTo: "Connection!$B$1"}))
	return f
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func rtBytes(t testing.TB, f *excelize.File) []byte {
	t.Helper()
	var buf bytes.Buffer
	must(t, f.Write(&buf))
	return buf.Bytes()
}

// roundTrip runs RoundTrip and opens its output.
func roundTrip(t testing.TB, in []byte, opts RoundTripOptions) (RoundTripResult, *excelize.File) {
	t.Helper()
	var out bytes.Buffer
	res, err := RoundTrip(context.Background(), bytes.NewReader(in), &out, rtScorer(t), opts)
	if err != nil {
		t.Fatalf("RoundTrip: %v", err)
	}
	f, err := excelize.OpenReader(&out)
	if err != nil {
		t.Fatalf("open output: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return res, f
}

func cellValue(t testing.TB, f *excelize.File, sheet, cell string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	must(t, err)
	return v
}

func cellStyle(t testing.TB, f *excelize.File, sheet, cell string) int {
	t.Helper()
	s, err := f.GetCellStyle(sheet, cell)
	must(t, err)
	return s
}

func TestRoundTripOurWorkbook(t *testing.T) {
	t.Parallel()
	in := rtOurs(t,
		[]any{5.1, 3.5, 1.4, 0.2},                                   // row 3: setosa
		[]any{5.1, "wide", 1.4, 0.2, "stale", 0.5, 0.5, 0, ""},      // row 4: refused
		[]any{6.3, "", 4.9, 1.5, "keep", 0.1, 0.2, 0.7, "old note"}, // row 5: incomplete
		[]any{6.3, 3.3, 6.0, 2.5, "", nil, nil, nil, "old error"},   // row 6: scored, Errors cleared
		[]any{nil, nil, nil, nil},                                   // row 7: empty
	)
	headerStyle := cellStyle(t, in, "Score", "E2")
	pctStyle := cellStyle(t, in, "Score", "F3")
	res, f := roundTrip(t, rtBytes(t, in), RoundTripOptions{})

	if want := (RoundTripResult{Sheet: "Score", HeaderRow: 2, Rows: 4, Scored: 2, Failed: 1, Skipped: 1}); res != want {
		t.Errorf("result = %+v, want %+v", res, want)
	}
	for _, c := range []struct{ cell, want string }{
		{"E3", "setosa"}, {"F3", "1"}, {"I3", ""},
		{"E4", ""}, {"F4", ""},
		{"E5", "keep"}, {"H5", "0.7"}, {"I5", "old note"},
		{"E6", "virginica"}, {"I6", ""},
		{"A1", "PARAMETERS"}, {"E2", "Scored Labels"}, {"B3", "3.5"},
	} {
		if got := cellValue(t, f, "Score", c.cell); got != c.want {
			t.Errorf("%s = %q, want %q", c.cell, got, c.want)
		}
	}
	msg := cellValue(t, f, "Score", "I4")
	for _, want := range []string{"row 4", `column "sepal_width"`, `"wide"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("I4 = %q, want it to contain %s", msg, want)
		}
	}
	if typ, _ := f.GetCellType("Score", "F3"); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("F3 is a string cell, want a number")
	}
	if got := cellStyle(t, f, "Score", "E2"); got != headerStyle {
		t.Errorf("header style %d, want %d", got, headerStyle)
	}
	if got := cellStyle(t, f, "Score", "F3"); got != pctStyle {
		t.Errorf("F3 style %d, want %d (kept)", got, pctStyle)
	}
	tables, err := f.GetTables("Score")
	must(t, err)
	if len(tables) != 1 || tables[0].Name != "ScoreTable" || tables[0].Range != "A2:I7" || tables[0].StyleName != "TableStyleMedium2" {
		t.Errorf("tables = %+v", tables)
	}
	if got := cellValue(t, f, "Connection", "B1"); got != "secret-key" {
		t.Errorf("Connection!B1 = %q", got)
	}
	if !hasDefinedName(f, "ScoregateKey", "Connection!$B$1") {
		t.Errorf("defined name ScoregateKey lost: %+v", f.GetDefinedName())
	}
}

func hasDefinedName(f *excelize.File, name, refersTo string) bool {
	for _, d := range f.GetDefinedName() {
		if d.Name == name && d.RefersTo == refersTo {
			return true
		}
	}
	return false
}

// TestRoundTripTableGrows: rows an analyst typed right below the table (as
// LibreOffice and scripts leave them) are scored and taken into it; a
// table without output columns gets them inside it.
func TestRoundTripTableGrows(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	t.Cleanup(func() { f.Close() })
	must(t, f.SetSheetRow("Sheet1", "B1", &rtInputs))
	must(t, f.SetSheetRow("Sheet1", "B2", &[]any{5.1, 3.5, 1.4, 0.2}))
	must(t, f.AddTable("Sheet1", &excelize.Table{Range: "B1:E2", Name: "scoretable", StyleName: "TableStyleLight9"}))
	must(t, f.SetSheetRow("Sheet1", "B3", &[]any{6.3, 3.3, 6.0, 2.5}))
	must(t, f.SetSheetRow("Sheet1", "B4", &[]any{6.3, 3.3, 6.0}))
	must(t, f.SetSheetRow("Sheet1", "B6", &[]any{"not", "in", "the", "table"}))
	data := rtBytes(t, f)

	res, out := roundTrip(t, data, RoundTripOptions{})
	if want := (RoundTripResult{Sheet: "Sheet1", HeaderRow: 1, Rows: 3, Scored: 2, Skipped: 1}); res != want {
		t.Errorf("result = %+v, want %+v", res, want)
	}
	tables, err := out.GetTables("Sheet1")
	must(t, err)
	if len(tables) != 1 || tables[0].Range != "B1:J4" || tables[0].StyleName != "TableStyleLight9" {
		t.Fatalf("tables = %+v, want one on B1:J4", tables)
	}
	rows, err := out.GetRows("Sheet1")
	must(t, err)
	if got := strings.Join(rows[0], "|"); got != "|"+strings.Join(rtInputs, "|")+"|"+strings.Join(rtOutputs, "|") {
		t.Errorf("header = %s", got)
	}
	if rows[1][5] != "setosa" || rows[2][5] != "virginica" || len(rows[3]) > 5 || len(rows[5]) > 5 {
		t.Errorf("rows = %q", rows)
	}
	// The table part names the new columns, so Excel can open it.
	var part string
	out.Pkg.Range(func(k, v any) bool {
		if strings.HasPrefix(k.(string), "xl/tables/") {
			part = string(v.([]byte))
		}
		return true
	})
	for _, want := range []string{`ref="B1:J4"`, `<autoFilter ref="B1:J4"`, `<tableColumns count="9">`, `name="Errors"`, `id="9"`} {
		if !strings.Contains(part, want) {
			t.Errorf("table part lacks %s:\n%s", want, part)
		}
	}
}

// rtForeign builds a workbook scoregate did not make: a Notes sheet
// first, then Data with its header in row 1 (names in other cases), a
// formula, a comment, a defined name and a style where the first output
// column will go.
func rtForeign(t testing.TB) *excelize.File {
	t.Helper()
	f := excelize.NewFile()
	t.Cleanup(func() { f.Close() })
	must(t, f.SetSheetName("Sheet1", "Notes"))
	must(t, f.SetCellStr("Notes", "A1", "flowers measured in June"))
	_, err := f.NewSheet("Data")
	must(t, err)
	must(t, f.SetSheetRow("Data", "A1", &[]string{"id", "Sepal_Length", " SEPAL_WIDTH ", "petal_length", "petal_width", "sum"}))
	must(t, f.SetSheetRow("Data", "A2", &[]any{"a", 5.1, 3.5, 1.4, 0.2}))
	must(t, f.SetSheetRow("Data", "A3", &[]any{"b", "long", 3.5, 1.4, 0.2}))
	must(t, f.SetSheetRow("Data", "A4", &[]any{"c", 6.3, "NA", 4.9, 1.5}))
	must(t, f.SetCellFormula("Data", "F2", "SUM(B2:E2)"))
	must(t, f.AddComment("Data", excelize.Comment{Cell: "A1", Author: "analyst", Text: "row ids"}))
	must(t, f.SetDefinedName(&excelize.DefinedName{Name: "Measures", RefersTo: "Data!$B$1:$E$4"}))
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Family: "Calibri"}})
	must(t, err)
	must(t, f.SetCellStyle("Data", "A1", "F1", bold))
	yellow, err := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFFF00"}}})
	must(t, err)
	must(t, f.SetCellStyle("Data", "G2", "G2", yellow))
	return f
}

func TestRoundTripForeignWorkbook(t *testing.T) {
	t.Parallel()
	in := rtForeign(t)
	yellow := cellStyle(t, in, "Data", "G2")
	bold := cellStyle(t, in, "Data", "F1")
	res, f := roundTrip(t, rtBytes(t, in), RoundTripOptions{})

	if want := (RoundTripResult{Sheet: "Data", HeaderRow: 1, Rows: 3, Scored: 1, Failed: 1, Skipped: 1}); res != want {
		t.Errorf("result = %+v, want %+v", res, want)
	}
	header, err := f.GetRows("Data")
	must(t, err)
	if got, want := strings.Join(header[0][6:], "|"), strings.Join(rtOutputs, "|"); got != want {
		t.Errorf("added header %q, want %q", got, want)
	}
	if got := cellValue(t, f, "Data", "G2"); got != "setosa" {
		t.Errorf("G2 = %q, want setosa", got)
	}
	if got := cellStyle(t, f, "Data", "G2"); got != yellow {
		t.Errorf("G2 style %d, want %d (kept)", got, yellow)
	}
	if got := cellStyle(t, f, "Data", "K1"); got != bold {
		t.Errorf("added header style %d, want the header's %d", got, bold)
	}
	msg := cellValue(t, f, "Data", "K3")
	if !strings.Contains(msg, `row 3, column "Sepal_Length"`) || !strings.Contains(msg, `"long"`) {
		t.Errorf("K3 = %q, want the row and the column as the sheet writes it", msg)
	}
	if got := cellValue(t, f, "Data", "G4") + cellValue(t, f, "Data", "K4"); got != "" {
		t.Errorf("incomplete row 4 got %q", got)
	}
	if got, err := f.GetCellFormula("Data", "F2"); err != nil || got != "SUM(B2:E2)" {
		t.Errorf("F2 formula = %q, %v", got, err)
	}
	comments, err := f.GetComments("Data")
	must(t, err)
	if len(comments) != 1 || comments[0].Cell != "A1" || !strings.Contains(comments[0].Text, "row ids") {
		t.Errorf("comments = %+v", comments)
	}
	if !hasDefinedName(f, "Measures", "Data!$B$1:$E$4") {
		t.Errorf("defined name lost: %+v", f.GetDefinedName())
	}
	if got := cellValue(t, f, "Notes", "A1"); got != "flowers measured in June" {
		t.Errorf("Notes!A1 = %q", got)
	}
	if dim, _ := f.GetSheetDimension("Data"); dim != "A1:K4" {
		t.Errorf("dimension %q, want A1:K4", dim)
	}
	// Scoring the result again finds the columns it added.
	again, f2 := roundTrip(t, rtBytes(t, f), RoundTripOptions{})
	if again != res {
		t.Errorf("second round trip = %+v, want %+v", again, res)
	}
	rows, err := f2.GetRows("Data")
	must(t, err)
	if len(rows[0]) != 11 {
		t.Errorf("second round trip header %q", rows[0])
	}
}

// TestRoundTripBanner: a foreign sheet with a title above its header.
func TestRoundTripBanner(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	t.Cleanup(func() { f.Close() })
	must(t, f.SetCellStr("Sheet1", "A1", "Iris, June"))
	must(t, f.SetSheetRow("Sheet1", "A3", &rtInputs))
	must(t, f.SetSheetRow("Sheet1", "A4", &[]any{"5.1", "3.5", "1.4", "0.2"}))
	must(t, f.SetSheetRow("Sheet1", "A9", &[]any{6.3, 3.3, 6.0, 2.5}))
	res, out := roundTrip(t, rtBytes(t, f), RoundTripOptions{})
	if want := (RoundTripResult{Sheet: "Sheet1", HeaderRow: 3, Rows: 2, Scored: 2}); res != want {
		t.Errorf("result = %+v, want %+v", res, want)
	}
	if got := cellValue(t, out, "Sheet1", "E4") + "," + cellValue(t, out, "Sheet1", "E9"); got != "setosa,virginica" {
		t.Errorf("E4,E9 = %s", got)
	}
}

func TestRoundTripSheetOption(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	t.Cleanup(func() { f.Close() })
	for _, s := range []string{"First", "Second"} {
		if s == "First" {
			must(t, f.SetSheetName("Sheet1", s))
		} else {
			_, err := f.NewSheet(s)
			must(t, err)
		}
		must(t, f.SetSheetRow(s, "A1", &rtInputs))
		must(t, f.SetSheetRow(s, "A2", &[]any{5.1, 3.5, 1.4, 0.2}))
	}
	data := rtBytes(t, f)
	for _, tc := range []struct{ sheet, want string }{{"", "First"}, {"Second", "Second"}, {"second", "Second"}} {
		res, out := roundTrip(t, data, RoundTripOptions{Sheet: tc.sheet})
		if res.Sheet != tc.want || res.Scored != 1 {
			t.Errorf("Sheet %q: result %+v, want sheet %s scored", tc.sheet, res, tc.want)
		}
		for _, s := range []string{"First", "Second"} {
			got := cellValue(t, out, s, "E2")
			if want := map[bool]string{true: "setosa", false: ""}[s == tc.want]; got != want {
				t.Errorf("Sheet %q: %s!E2 = %q, want %q", tc.sheet, s, got, want)
			}
		}
	}
}

func TestRoundTripErrors(t *testing.T) {
	t.Parallel()
	lacking := excelize.NewFile()
	t.Cleanup(func() { lacking.Close() })
	must(t, lacking.SetSheetRow("Sheet1", "A1", &[]string{"sepal_length", "sepal_width", "petal_length"}))
	must(t, lacking.SetSheetRow("Sheet1", "A2", &[]any{5.1, 3.5, 1.4}))
	lackingTable := excelize.NewFile()
	t.Cleanup(func() { lackingTable.Close() })
	must(t, lackingTable.SetSheetRow("Sheet1", "A1", &[]string{"sepal_length", "sepal_width", "petal_length"}))
	must(t, lackingTable.AddTable("Sheet1", &excelize.Table{Range: "A1:C2", Name: "ScoreTable"}))
	must(t, lackingTable.SetSheetRow("Sheet1", "E1", &rtInputs)) // outside the table: not used
	threeRows := rtOurs(t, []any{5.1, 3.5, 1.4, 0.2}, []any{5.1, 3.5, 1.4, 0.2}, []any{5.1, 3.5, 1.4, 0.2})
	notXLSX := handZip(t, map[string]string{"hello.txt": "not a workbook"})

	for _, tc := range []struct {
		name  string
		in    []byte
		opts  RoundTripOptions
		class scoregate.ErrorClass
		code  string
		want  []string
		is    error
	}{
		{"no sheet matches", rtBytes(t, lacking), RoundTripOptions{}, scoregate.BadUserArgument, scoregate.CodeMissingRequestInput,
			[]string{"sepal_length, sepal_width, petal_length, petal_width", `"Sheet1" lacks petal_width`}, nil},
		{"sheet lacks a column", rtBytes(t, lacking), RoundTripOptions{Sheet: "Sheet1"}, scoregate.BadUserArgument, scoregate.CodeMissingRequestInput,
			[]string{`sheet "Sheet1" lacks the input column(s) petal_width`}, nil},
		{"table lacks a column", rtBytes(t, lackingTable), RoundTripOptions{}, scoregate.BadUserArgument, scoregate.CodeMissingRequestInput,
			[]string{`table "ScoreTable" on sheet "Sheet1" lacks the input column(s) petal_width`}, nil},
		{"no such sheet", rtBytes(t, lacking), RoundTripOptions{Sheet: "Other"}, scoregate.BadUserArgument, scoregate.CodeInvalidValue,
			[]string{`no sheet named "Other"`, `"Sheet1"`}, nil},
		{"too many rows", rtBytes(t, threeRows), RoundTripOptions{MaxRows: 2}, scoregate.RequestEntityTooLarge, scoregate.CodeTooManyRows,
			[]string{"3 rows", "more than the 2"}, ErrTooManyRows},
		{"not a zip", []byte("sepal_length,sepal_width\n5.1,3.5\n"), RoundTripOptions{}, scoregate.BadUserArgument, scoregate.CodeRequestBodyInvalid,
			[]string{"not an XLSX workbook"}, ErrNotXLSX},
		{"a zip, not a workbook", notXLSX, RoundTripOptions{}, scoregate.BadUserArgument, scoregate.CodeRequestBodyInvalid,
			[]string{"XLSX workbook"}, ErrMissingPart},
		{"empty", nil, RoundTripOptions{}, scoregate.BadUserArgument, scoregate.CodeRequestBodyInvalid, nil, nil},
		{"too large unzipped", rtBytes(t, threeRows), RoundTripOptions{MaxUnzippedBytes: 100}, scoregate.RequestEntityTooLarge,
			scoregate.CodeRequestTooLarge, nil, ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			res, err := RoundTrip(context.Background(), bytes.NewReader(tc.in), &out, rtScorer(t), tc.opts)
			var e *scoregate.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v (%T), want a *scoregate.Error", err, err)
			}
			if e.Class != tc.class || e.Code != tc.code {
				t.Errorf("err = %s/%s %q, want %s/%s", e.Class, e.Code, e.Message, tc.class, tc.code)
			}
			for _, w := range tc.want {
				if !strings.Contains(e.Message, w) {
					t.Errorf("message %q lacks %q", e.Message, w)
				}
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("err = %v, want errors.Is %v", err, tc.is)
			}
			if out.Len() != 0 {
				t.Errorf("%d bytes written on error", out.Len())
			}
			if tc.is == ErrTooManyRows && res.Rows != 3 {
				t.Errorf("Rows = %d, want the 3 rows counted", res.Rows)
			}
		})
	}
}

func TestRoundTripCancelled(t *testing.T) {
	t.Parallel()
	in := rtBytes(t, rtOurs(t, []any{5.1, 3.5, 1.4, 0.2}))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	if _, err := RoundTrip(ctx, bytes.NewReader(in), &out, rtScorer(t), RoundTripOptions{}); !errors.Is(err, context.Canceled) || out.Len() != 0 {
		t.Errorf("err = %v, %d bytes written; want context.Canceled and nothing", err, out.Len())
	}
}

func TestRoundTripOutputNames(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	t.Cleanup(func() { f.Close() })
	must(t, f.SetSheetRow("Sheet1", "A1", &rtInputs))
	must(t, f.SetSheetRow("Sheet1", "A2", &[]any{5.1, 3.5, 1.4, 0.2}))
	names := []string{"species", "p_setosa", "p_versicolor", "p_virginica"}
	_, out := roundTrip(t, rtBytes(t, f), RoundTripOptions{OutputNames: names, Missing: []string{}})
	rows, err := out.GetRows("Sheet1")
	must(t, err)
	if got := strings.Join(rows[0][4:], ","); got != "species,p_setosa,p_versicolor,p_virginica,Errors" {
		t.Errorf("header %s", got)
	}
	var buf bytes.Buffer
	if _, err := RoundTrip(context.Background(), bytes.NewReader(rtBytes(t, f)), &buf, rtScorer(t), RoundTripOptions{OutputNames: names[:1]}); err == nil {
		t.Error("one output name for four outputs: no error")
	}
}

func TestRtEditTableXML(t *testing.T) {
	t.Parallel()
	in := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<x:table xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" id="3" name="T" displayName="T" ref="A1:B2" totalsRowShown="0"><x:autoFilter ref="A1:B2"/><x:tableColumns count="2"><x:tableColumn id="1" name="a"/><x:tableColumn id="2" name="b &amp; c"/></x:tableColumns><x:tableStyleInfo name="TableStyleMedium2" showRowStripes="1"/></x:table>`
	got, err := rtEditTableXML([]byte(in), "A1:C5", "A1:C5", 2, 3, []string{"z<"})
	must(t, err)
	want := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<x:table xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" id="3" name="T" displayName="T" ref="A1:C5" totalsRowShown="0"><x:autoFilter ref="A1:C5"/><x:tableColumns count="3"><x:tableColumn id="1" name="a"/><x:tableColumn id="2" name="b &amp; c"/><x:tableColumn id="3" name="z&lt;"/></x:tableColumns><x:tableStyleInfo name="TableStyleMedium2" showRowStripes="1"/></x:table>`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if _, err := rtEditTableXML([]byte("<table><oops"), "A1:B2", "A1:B2", 1, 2, nil); !errors.Is(err, ErrMalformed) {
		t.Errorf("malformed: err = %v", err)
	}
}
