package workbook

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/scoregate/scoregate"
)

func genPtr(v float64) *float64 { return &v }

// genRegions is a list of values too long for an inline dropdown.
var genRegions = func() []string {
	var v []string
	for i := range 40 {
		v = append(v, fmt.Sprintf("region number %02d", i))
	}
	return v
}()

// genSpec is a spec with a field of every kind validation knows, and
// sample rows.
func genSpec() Spec {
	return Spec{
		Service:      "Credit risk",
		Endpoint:     "default",
		ModelVersion: 3,
		APILocation:  "http://gw.example/workspaces/ws1/services/svc1",
		Key:          "k3y+/=0123",
		APIVersion:   "2.0",
		Inputs: []scoregate.Field{
			{Name: "age", DataType: scoregate.TypeDouble, OpType: scoregate.OpContinuous,
				Intervals: []scoregate.Interval{{Closure: "openClosed", Left: genPtr(0), Right: genPtr(120)}}},
			{Name: "sex", DataType: scoregate.TypeString, OpType: scoregate.OpCategorical, Values: []string{"M", "F"}},
			{Name: "children", DataType: scoregate.TypeInteger, OpType: scoregate.OpContinuous,
				Intervals: []scoregate.Interval{{Closure: "openOpen", Left: genPtr(-0.5), Right: genPtr(10)}}},
			{Name: "region", DataType: scoregate.TypeString, OpType: scoregate.OpCategorical, Values: genRegions},
			{Name: "visit", DataType: scoregate.TypeDate, OpType: scoregate.OpContinuous},
			{Name: "income", DataType: scoregate.TypeDouble, OpType: scoregate.OpContinuous,
				Intervals: []scoregate.Interval{
					{Closure: "closedOpen", Left: genPtr(0), Right: genPtr(1000)},
					{Closure: "closedClosed", Left: genPtr(5000)},
				}},
			{Name: "smoker", DataType: scoregate.TypeBoolean, OpType: scoregate.OpCategorical},
			{Name: "grade", DataType: scoregate.TypeInteger, OpType: scoregate.OpOrdinal, Values: []string{"1", "2", "3"}},
		},
		Outputs: []scoregate.Field{
			{Name: "risk", DataType: scoregate.TypeString, Feature: "predictedValue"},
			{Name: "p_yes", DataType: scoregate.TypeDouble, Feature: "probability", TargetValue: "yes"},
		},
		OutputNames: []string{"Scored Labels", `Scored Probabilities for Class "yes"`},
		SampleRows: [][]string{
			{"42.5", "F", "2", "region number 07", "2024-01-31", "1200", "true", "2"},
			{"30", "M", "0", "region number 39", "not a date", "", "false", "3"},
		},
		BatchRows:   100000,
		GeneratedAt: time.Date(2026, 11, 30, 6, 15, 0, 0, time.FixedZone("CET", 3600)),
	}
}

// genBook generates the workbook of s.
func genBook(t testing.TB, s Spec) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Generate(&buf, s); err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return buf.Bytes()
}

// genOpen generates the workbook of s and opens it with excelize.
func genOpen(t testing.TB, s Spec) *excelize.File {
	t.Helper()
	data := genBook(t, s)
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("excelize open: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// genValue reads a cell's raw value, failing the test on error.
func genValue(t testing.TB, f *excelize.File, sheet, ref string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("%s!%s: %v", sheet, ref, err)
	}
	return v
}

// genStyle reads a cell's style.
func genStyle(t testing.TB, f *excelize.File, sheet, ref string) *excelize.Style {
	t.Helper()
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestGenerateLayout(t *testing.T) {
	t.Parallel()
	f := genOpen(t, genSpec())
	if got, want := f.GetSheetList(), []string{SheetScore, SheetConnection, SheetHowTo, SheetLists}; !slices.Equal(got, want) {
		t.Errorf("sheets %q, want %q", got, want)
	}
	if i := f.GetActiveSheetIndex(); i != 0 {
		t.Errorf("active sheet %d, want 0 (Score)", i)
	}
	if v, _ := f.GetSheetVisible(SheetLists); v {
		t.Error("the Lists sheet is visible")
	}
	tables, err := f.GetTables(SheetScore)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 1 || tables[0].Name != TableName || tables[0].Range != "A2:K4" {
		t.Errorf("tables %+v, want %s on A2:K4", tables, TableName)
	}
	if d, _ := f.GetSheetDimension(SheetScore); d != "A1:K4" {
		t.Errorf("dimension %q, want A1:K4", d)
	}
	panes, err := f.GetPanes(SheetScore)
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.YSplit != 2 || panes.XSplit != 0 || panes.TopLeftCell != "A3" {
		t.Errorf("panes %+v, want frozen above A3", panes)
	}
	merged, err := f.GetMergeCells(SheetScore)
	if err != nil {
		t.Fatal(err)
	}
	var ranges []string
	for _, m := range merged {
		ranges = append(ranges, m.GetStartAxis()+":"+m.GetEndAxis()+"="+m.GetCellValue())
	}
	slices.Sort(ranges)
	if want := []string{"A1:H1=" + BannerInputs, "I1:K1=" + BannerOutputs}; !slices.Equal(ranges, want) {
		t.Errorf("merged %q, want %q", ranges, want)
	}
	for _, c := range []struct{ col string }{{"A"}, {"D"}, {"K"}} {
		w, err := f.GetColWidth(SheetScore, c.col)
		if err != nil || w < minColWidth || w > maxColWidth {
			t.Errorf("column %s width %v (%v), want %d..%d", c.col, w, err, minColWidth, maxColWidth)
		}
	}
}

func TestGenerateScoreValues(t *testing.T) {
	t.Parallel()
	f := genOpen(t, genSpec())
	rows := map[int][]string{
		2: {"age", "sex", "children", "region", "visit", "income", "smoker", "grade",
			"Scored Labels", `Scored Probabilities for Class "yes"`, "Errors"},
		// visit is the serial of 2024-01-31; booleans are stored as 1 and 0.
		3: {"42.5", "F", "2", "region number 07", "45322", "1200", "1", "2", "", "", ""},
		4: {"30", "M", "0", "region number 39", "not a date", "", "0", "3", "", "", ""},
	}
	for r, want := range rows {
		for c, w := range want {
			ref := cellRef(c, r)
			if got := genValue(t, f, SheetScore, ref); got != w {
				t.Errorf("%s = %q, want %q", ref, got, w)
			}
		}
	}
	// excelize reports a number as Unset: it has no t attribute.
	types := map[string]excelize.CellType{"A3": excelize.CellTypeUnset, "E3": excelize.CellTypeUnset,
		"E4": excelize.CellTypeSharedString, "G3": excelize.CellTypeBool, "B3": excelize.CellTypeSharedString}
	for ref, want := range types {
		if got, _ := f.GetCellType(SheetScore, ref); got != want {
			t.Errorf("%s type %v, want %v", ref, got, want)
		}
	}
	if fm, _ := f.GetCellFormula(SheetScore, "I3"); fm != "" {
		t.Errorf("I3 has formula %q without Live", fm)
	}
}

func TestGenerateStyles(t *testing.T) {
	t.Parallel()
	f := genOpen(t, genSpec())
	fills := []struct {
		ref, color string
		bold       bool
	}{
		{"A1", colorInputBanner, true},
		{"H1", colorInputBanner, true},
		{"I1", colorOutputBanner, true},
		{"K1", colorOutputBanner, true},
		{"A2", colorInputHeader, true},
		{"H2", colorInputHeader, true},
		{"I2", colorOutputHeader, true},
		{"K2", colorOutputHeader, true},
	}
	for _, c := range fills {
		st := genStyle(t, f, SheetScore, c.ref)
		if len(st.Fill.Color) != 1 || !strings.EqualFold(st.Fill.Color[0], c.color) || st.Font == nil || st.Font.Bold != c.bold {
			t.Errorf("%s: fill %v, font %+v; want fill %s, bold %v", c.ref, st.Fill.Color, st.Font, c.color, c.bold)
		}
	}
	if st := genStyle(t, f, SheetScore, "A1"); !strings.EqualFold(st.Font.Color, colorBannerText) {
		t.Errorf("banner text colour %q, want white", st.Font.Color)
	}
	formats := map[string]string{"C3": "0", "B3": "@", "E3": "yyyy-mm-dd", "A3": "", "I3": ""}
	for ref, want := range formats {
		st := genStyle(t, f, SheetScore, ref)
		got := ""
		switch {
		case st.CustomNumFmt != nil:
			got = *st.CustomNumFmt
		case st.NumFmt == 1:
			got = "0"
		case st.NumFmt == 49:
			got = "@"
		case st.NumFmt != 0:
			got = fmt.Sprint(st.NumFmt)
		}
		if got != want {
			t.Errorf("%s number format %q, want %q", ref, got, want)
		}
	}
	for _, sheet := range []string{SheetScore, SheetConnection, SheetHowTo} {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c := range row {
				st := genStyle(t, f, sheet, cellRef(c, r+1))
				if st.Font == nil || st.Font.Family != fontFamily || st.Font.Size != fontSize {
					t.Fatalf("%s!%s: font %+v, want %s %d", sheet, cellRef(c, r+1), st.Font, fontFamily, fontSize)
				}
			}
		}
	}
}

func TestGenerateValidation(t *testing.T) {
	t.Parallel()
	f := genOpen(t, genSpec())
	dvs, err := f.GetDataValidations(SheetScore)
	if err != nil {
		t.Fatal(err)
	}
	type want struct{ typ, op, f1, f2 string }
	wants := map[string]want{
		"A3:A1048576": {"decimal", "between", "0", "120"},
		"B3:B1048576": {"list", "", `"M,F"`, ""},
		"C3:C1048576": {"whole", "between", "0", "9"},
		"D3:D1048576": {"list", "", "Lists!$A$1:$A$40", ""},
		"F3:F1048576": {"custom", "", "AND(ISNUMBER(F3),OR(AND(F3>=0,F3<1000),F3>=5000))", ""},
		"H3:H1048576": {"list", "", `"1,2,3"`, ""},
	}
	if len(dvs) != len(wants) {
		t.Errorf("%d validations, want %d", len(dvs), len(wants))
	}
	for _, dv := range dvs {
		w, ok := wants[dv.Sqref]
		if !ok {
			t.Errorf("unexpected validation on %s", dv.Sqref)
			continue
		}
		got := want{dv.Type, dv.Operator, dv.Formula1, dv.Formula2}
		if got != w {
			t.Errorf("%s: %+v, want %+v", dv.Sqref, got, w)
		}
		if !dv.AllowBlank || !dv.ShowErrorMessage || dv.Error == nil || *dv.Error == "" {
			t.Errorf("%s: blank %v, error %v", dv.Sqref, dv.AllowBlank, dv.Error)
		}
	}
	for i, v := range genRegions {
		if got := genValue(t, f, SheetLists, cellRef(0, i+1)); got != v {
			t.Fatalf("Lists!A%d = %q, want %q", i+1, got, v)
		}
	}
}

func TestRangeValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		dataType string
		ivs      []scoregate.Interval
		typ, op  string
		f1, f2   string
		msg      string // "" when nothing is restricted
	}{
		{"closed decimal", scoregate.TypeDouble, []scoregate.Interval{{Closure: "closedClosed", Left: genPtr(0), Right: genPtr(1)}},
			"decimal", "between", "0", "1", "must be a number at least 0 and at most 1"},
		{"open decimal is lenient", scoregate.TypeDouble, []scoregate.Interval{{Closure: "openOpen", Left: genPtr(0), Right: genPtr(1)}},
			"decimal", "between", "0", "1", "must be a number greater than 0 and less than 1"},
		{"open left only is exact", scoregate.TypeFloat, []scoregate.Interval{{Closure: "openClosed", Left: genPtr(-1.5)}},
			"decimal", "greaterThan", "-1.5", "", "must be a number greater than -1.5"},
		{"closed right only", scoregate.TypeDouble, []scoregate.Interval{{Closure: "closedClosed", Right: genPtr(1e300)}},
			"decimal", "lessThanOrEqual", "1e+300", "", "must be a number at most 1e+300"},
		{"open right only", scoregate.TypeDouble, []scoregate.Interval{{Closure: "closedOpen", Right: genPtr(7)}},
			"decimal", "lessThan", "7", "", "must be a number less than 7"},
		{"whole open bounds move in", scoregate.TypeInteger, []scoregate.Interval{{Closure: "openOpen", Left: genPtr(2), Right: genPtr(7)}},
			"whole", "between", "3", "6", "must be a whole number at least 3 and at most 6"},
		{"whole fractional bounds", scoregate.TypeInteger, []scoregate.Interval{{Closure: "openClosed", Left: genPtr(2.5), Right: genPtr(7.5)}},
			"whole", "between", "3", "7", "must be a whole number at least 3 and at most 7"},
		{"whole left open only", scoregate.TypeInteger, []scoregate.Interval{{Closure: "openOpen", Left: genPtr(0)}},
			"whole", "greaterThanOrEqual", "1", "", "must be a whole number at least 1"},
		{"union is a formula", scoregate.TypeInteger, []scoregate.Interval{
			{Closure: "closedClosed", Left: genPtr(1), Right: genPtr(3)}, {Closure: "openClosed", Left: genPtr(10)}},
			"custom", "", "AND(ISNUMBER(B3),INT(B3)=B3,OR(AND(B3&gt;=1,B3&lt;=3),B3&gt;10))", "",
			"must be a whole number at least 1 and at most 3, or greater than 10"},
		{"unbounded", scoregate.TypeDouble, []scoregate.Interval{{Closure: "openOpen"}}, "", "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dv := excelize.NewDataValidation(true)
			msg, ok := rangeValidation(dv, scoregate.Field{Name: "x", DataType: tt.dataType, Intervals: tt.ivs}, "B3")
			if !ok {
				if tt.msg != "" {
					t.Fatalf("no validation, want %s", tt.typ)
				}
				return
			}
			if tt.msg == "" {
				t.Fatalf("validation %+v, want none", dv)
			}
			if dv.Type != tt.typ || dv.Operator != tt.op || dv.Formula1 != tt.f1 || dv.Formula2 != tt.f2 || msg != tt.msg {
				t.Errorf("got %s %s %q %q %q\nwant %s %s %q %q %q", dv.Type, dv.Operator, dv.Formula1, dv.Formula2, msg,
					tt.typ, tt.op, tt.f1, tt.f2, tt.msg)
			}
		})
	}
}

func TestGenerateListsSheet(t *testing.T) {
	t.Parallel()
	s := genSpec()
	s.Inputs = []scoregate.Field{
		{Name: "town", DataType: scoregate.TypeString, Values: []string{"Paris, TX", "Paris"}},
		{Name: "quote", DataType: scoregate.TypeString, Values: []string{`say "hi"`, "", "bye"}},
		{Name: "code", DataType: scoregate.TypeInteger, Values: []string{"10", "20", "x"}},
		{Name: "town2", DataType: scoregate.TypeString, Values: []string{"Paris, TX", "Paris"}},
	}
	s.SampleRows = nil
	f := genOpen(t, s)
	dvs, err := f.GetDataValidations(SheetScore)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, dv := range dvs {
		got[dv.Sqref] = dv.Formula1
	}
	want := map[string]string{
		"A3:A1048576": "Lists!$A$1:$A$2",
		"B3:B1048576": "Lists!$B$1:$B$2",
		"C3:C1048576": `"10,20,x"`,
		"D3:D1048576": "Lists!$A$1:$A$2", // the same values share a column
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %q, want %q", k, got[k], w)
		}
	}
	for ref, w := range map[string]string{"A1": "Paris, TX", "A2": "Paris", "B1": `say "hi"`, "B2": "bye", "C1": ""} {
		if v := genValue(t, f, SheetLists, ref); v != w {
			t.Errorf("Lists!%s = %q, want %q", ref, v, w)
		}
	}
	// No sample rows: one empty row.
	if tables, _ := f.GetTables(SheetScore); len(tables) != 1 || tables[0].Range != "A2:G3" {
		t.Errorf("tables %+v, want A2:G3", tables)
	}
}

func TestGenerateListsNumeric(t *testing.T) {
	t.Parallel()
	s := genSpec()
	var values []string
	for i := range 100 {
		values = append(values, fmt.Sprint(1000+i))
	}
	s.Inputs = []scoregate.Field{{Name: "zip", DataType: scoregate.TypeInteger, Values: values}}
	s.SampleRows = nil
	f := genOpen(t, s)
	if typ, _ := f.GetCellType(SheetLists, "A1"); typ != excelize.CellTypeUnset {
		t.Errorf("Lists!A1 type %v, want a number for an integer field", typ)
	}
}

func TestGenerateDeterministic(t *testing.T) {
	t.Parallel()
	s := genSpec()
	s.Live = true
	a, b := genBook(t, s), genBook(t, s)
	if !bytes.Equal(a, b) {
		t.Error("two generations of the same spec differ")
	}
	s.GeneratedAt = s.GeneratedAt.Add(time.Hour)
	if c := genBook(t, s); bytes.Equal(a, c) {
		t.Error("the generation time does not show")
	}
}

func TestGenerateErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*Spec)
		want   string
	}{
		{"no inputs", func(s *Spec) { s.Inputs = nil }, "no input fields"},
		{"names mismatch", func(s *Spec) { s.OutputNames = s.OutputNames[:1] }, "1 output names for 2 output fields"},
		{"input named Errors", func(s *Spec) { s.Inputs[0].Name = "errors" }, `two columns are named "Errors"`},
		{"output like input", func(s *Spec) { s.OutputNames[0] = "AGE" }, `two columns are named "AGE"`},
		{"empty name", func(s *Spec) { s.Inputs[1].Name = " " }, "a column has no name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := genSpec()
			tt.change(&s)
			err := Generate(&bytes.Buffer{}, s)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v, want %q", err, tt.want)
			}
		})
	}
}

func TestGenerateDefaultOutputNames(t *testing.T) {
	t.Parallel()
	s := genSpec()
	s.OutputNames = nil
	f := genOpen(t, s)
	if v := genValue(t, f, SheetScore, "I2"); v != "risk" {
		t.Errorf("I2 = %q, want the field's name", v)
	}
}

func TestFileName(t *testing.T) {
	t.Parallel()
	if got := FileName("Credit risk", "v2/é"); got != "Credit_risk-v2__.xlsx" {
		t.Errorf("FileName = %q", got)
	}
}
