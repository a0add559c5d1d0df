package workbook

import (
	"archive/zip"
	"bytes"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// gotCell is a cell read by Reader, copied out of the reused row.
type gotCell struct {
	kind Kind
	num  float64
	text string
}

// readAll reads every row of a sheet with Reader, keyed by row number.
func readAll(t testing.TB, data []byte, sheet string) (map[int][]gotCell, error) {
	t.Helper()
	rd, err := OpenReader(bytes.NewReader(data), int64(len(data)), ReaderOptions{Sheet: sheet})
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	rows := map[int][]gotCell{}
	for rd.Next() {
		var row []gotCell
		for i, c := range rd.Row() {
			if c.Col != i {
				t.Fatalf("row %d: Row()[%d].Col = %d", rd.RowNumber(), i, c.Col)
			}
			row = append(row, gotCell{kind: c.Kind, num: c.Num, text: c.Text()})
		}
		rows[rd.RowNumber()] = row
	}
	return rows, rd.Err()
}

// compareWithExcelize reads sheet with both readers and compares every cell's
// value and kind; dates is the set of cells (as "B3") expected to be Date.
func compareWithExcelize(t testing.TB, data []byte, sheet string, dates map[string]bool) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("excelize open: %v", err)
	}
	defer f.Close()
	if sheet == "" {
		sheet = f.GetSheetList()[0]
	}
	want, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("excelize GetRows: %v", err)
	}
	got, err := readAll(t, data, sheet)
	if err != nil {
		t.Fatalf("Reader: %v", err)
	}
	for rn := range got {
		if rn > len(want) && !allEmpty(got[rn]) {
			t.Errorf("row %d: Reader has %v, excelize has no such row", rn, got[rn])
		}
	}
	for i, wrow := range want {
		rn := i + 1
		grow := got[rn]
		for col := 0; col < max(len(wrow), len(grow)); col++ {
			ref, _ := excelize.CoordinatesToCellName(col+1, rn)
			var w string
			if col < len(wrow) {
				w = wrow[col]
			}
			var g gotCell
			if col < len(grow) {
				g = grow[col]
			}
			compareCell(t, f, sheet, ref, w, g, dates[ref])
		}
	}
}

func allEmpty(row []gotCell) bool {
	for _, c := range row {
		if c.kind != Empty && c.text != "" {
			return false
		}
	}
	return true
}

func compareCell(t testing.TB, f *excelize.File, sheet, ref, want string, got gotCell, isDate bool) {
	t.Helper()
	typ, err := f.GetCellType(sheet, ref)
	if err != nil {
		t.Fatalf("excelize GetCellType %s: %v", ref, err)
	}
	if want == "" && got.text == "" {
		if got.kind != Empty && got.kind != String {
			t.Errorf("%s: kind %v for an empty value", ref, got.kind)
		}
		return
	}
	var wantKind Kind
	switch typ {
	case excelize.CellTypeSharedString, excelize.CellTypeInlineString, excelize.CellTypeFormula:
		wantKind = String
	case excelize.CellTypeBool:
		wantKind = Bool
	case excelize.CellTypeError:
		wantKind = Error
	default:
		wantKind = Number
		if isDate {
			wantKind = Date
		}
	}
	if got.kind != wantKind {
		t.Errorf("%s: kind %v, want %v (excelize type %v, value %q)", ref, got.kind, wantKind, typ, want)
		return
	}
	switch wantKind {
	case Number, Date:
		w, err := strconv.ParseFloat(strings.TrimSpace(want), 64)
		if err != nil {
			t.Errorf("%s: excelize value %q is not a number", ref, want)
			return
		}
		if got.num != w && !(math.IsNaN(w) && math.IsNaN(got.num)) {
			t.Errorf("%s: number %v, want %v", ref, got.num, w)
		}
	default:
		if got.text != want {
			t.Errorf("%s: %q, want %q", ref, got.text, want)
		}
	}
}

// saveExcelize returns the bytes of an excelize file.
func saveExcelize(t testing.TB, f *excelize.File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatalf("excelize write: %v", err)
	}
	return buf.Bytes()
}

// handZip builds a zip of the given parts, deflated.
func handZip(t testing.TB, parts map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range sortedKeys(parts) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(parts[name])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if keys[j] < keys[i] {
				keys[i], keys[j] = keys[j], keys[i]
			}
		}
	}
	return keys
}

const (
	handContentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/data.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`
	handRootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	handWorkbook = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr/><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>`
	handWorkbookRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/data.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="/xl/styles.xml"/></Relationships>`
	handStyles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\-mm\-dd"/></numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/></cellXfs></styleSheet>`
)

// handWorkbookParts returns the parts of a one-sheet workbook ("Data", in
// xl/worksheets/data.xml) with the given sheet XML and shared strings; an
// empty sst leaves the shared strings part out.
func handWorkbookParts(sheetXML, sst string) map[string]string {
	parts := map[string]string{
		"[Content_Types].xml":        handContentTypes,
		"_rels/.rels":                handRootRels,
		"xl/workbook.xml":            handWorkbook,
		"xl/_rels/workbook.xml.rels": handWorkbookRels,
		"xl/styles.xml":              handStyles,
		"xl/worksheets/data.xml":     sheetXML,
	}
	if sst != "" {
		parts["xl/sharedStrings.xml"] = sst
	}
	return parts
}

func sheetXML(rows string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetPr><outlinePr summaryBelow="0"/></sheetPr><cols><col min="1" max="3" width="12"/></cols><sheetData>` + rows + `</sheetData><mergeCells count="1"><mergeCell ref="AA1000:AB1000"/></mergeCells></worksheet>`
}
