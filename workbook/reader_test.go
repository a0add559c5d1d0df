package workbook

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestReaderMatchesExcelize(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	t.Cleanup(func() { f.Close() })
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// Sheet1: values set through the regular API (shared strings).
	must(f.SetCellFloat("Sheet1", "A1", 3.25, -1, 64))
	must(f.SetCellInt("Sheet1", "B1", -42))
	must(f.SetCellFloat("Sheet1", "C1", 1e-300, -1, 64))
	must(f.SetCellStr("Sheet1", "D1", `a & b < c > d "q" 'a'`))
	must(f.SetCellStr("Sheet1", "E1", "héllo, 世界 🙂\nnext line\ttab"))
	must(f.SetCellStr("Sheet1", "F1", "  padded  "))
	must(f.SetCellStr("Sheet1", "G1", "_x0041_ literal"))
	must(f.SetCellBool("Sheet1", "A2", true))
	must(f.SetCellBool("Sheet1", "B2", false))
	must(f.SetCellValue("Sheet1", "C2", time.Date(2024, 2, 29, 13, 30, 0, 0, time.UTC)))
	custom := "yyyy-mm-dd hh:mm"
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &custom})
	must(err)
	quoted := `"ymd"0.00`
	quotedStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &quoted})
	must(err)
	builtin, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(err)
	must(f.SetCellFloat("Sheet1", "D2", 45000.5, -1, 64))
	must(f.SetCellStyle("Sheet1", "D2", "D2", dateStyle))
	must(f.SetCellFloat("Sheet1", "E2", 12.5, -1, 64))
	must(f.SetCellStyle("Sheet1", "E2", "E2", quotedStyle))
	must(f.SetCellFloat("Sheet1", "F2", 1, -1, 64))
	must(f.SetCellStyle("Sheet1", "F2", "F2", builtin))
	must(f.SetCellStyle("Sheet1", "H2", "H2", builtin)) // styled, no value
	must(f.SetCellRichText("Sheet1", "A3", []excelize.RichTextRun{{Text: "bold "}, {Text: "and plain"}}))
	must(f.SetCellFloat("Sheet1", "Z5", 7, -1, 64)) // gap of rows and columns
	must(f.SetCellFormula("Sheet1", "A6", "B1*2"))
	must(f.SetCellStr("Sheet1", "A7", ""))

	// Stream: inline strings, formulas with cached values.
	_, err = f.NewSheet("Stream")
	must(err)
	sw, err := f.NewStreamWriter("Stream")
	must(err)
	must(sw.SetRow("A1", []any{"inline & <text>", 1.5, true, excelize.Cell{Formula: "A1&\"x\"", Value: "cached"}}))
	must(sw.SetRow("C3", []any{int64(9007199254740993), nil, "after gap"}))
	must(sw.SetRow("A4", []any{[]excelize.RichTextRun{{Text: "rich "}, {Text: "inline"}}}))
	must(sw.Flush())
	data := saveExcelize(t, f)

	tests := []struct {
		name  string
		sheet string
		dates map[string]bool
	}{
		{name: "first sheet by default", sheet: "", dates: map[string]bool{"C2": true, "D2": true, "F2": true}},
		{name: "second sheet by name", sheet: "Stream"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			compareWithExcelize(t, data, tt.sheet, tt.dates)
		})
	}

	t.Run("dates convert", func(t *testing.T) {
		t.Parallel()
		rows, err := readAll(t, data, "")
		if err != nil {
			t.Fatal(err)
		}
		c := rows[2][2]
		got, ok := (Cell{Kind: c.kind, Num: c.num}).Time(false)
		if want := time.Date(2024, 2, 29, 13, 30, 0, 0, time.UTC); !ok || !got.Equal(want) {
			t.Errorf("C2 = %v, %v; want %v", got, ok, want)
		}
	})
}

func TestReaderHandMade(t *testing.T) {
	t.Parallel()
	sst := `<?xml version="1.0" encoding="UTF-8"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4">` +
		`<si><t>plain</t></si>` +
		`<si><r><rPr><b/></rPr><t xml:space="preserve">rich </t></r><r><t>runs</t></r><rPh sb="0" eb="1"><t>PHONETIC</t></rPh></si>` +
		`<si><t>&amp;&lt;&gt;&quot;&apos;&#10;&#x9;&#x1F642;</t></si>` +
		`<si><t><![CDATA[<cdata & raw>]]></t></si></sst>`
	rows := `<row r="1" spans="1:3"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s" s="0"><v>1</v></c><c t="s" r="C1"><v>2</v></c><c r='D1' t='s'><v>3</v></c></row>` +
		`<row r="2"><c r="A2" t="str"><f>1/0</f><v>text result</v></c><c r="B2" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="C2" t="b"><v>1</v></c><c r="E2" s="1"/></row>` +
		`<row r="3"/>` +
		`<row><c><v>1.5</v></c><c><v> 2 </v></c><c t="inlineStr"><is><t>in &amp; line</t></is></c></row>` +
		`<!-- a comment --><?pi x?>` +
		"<row r=\"7\">\n  <c r=\"A7\" s=\"1\">\n    <v>45000</v>\n  </c>\n  <c r=\"B7\" s=\"2\"><v>45000.25</v></c>\n</row>" +
		`<row r="8"><c r="AA8"><v>-1E-3</v></c></row>`
	prefixed := strings.NewReplacer("<row", "<x:row", "</row", "</x:row", "<c", "<x:c", "</c", "</x:c", "<v>", "<x:v>", "</v>", "</x:v>", "<is>", "<x:is>", "</is>", "</x:is>", "<t>", "<x:t>", "</t>", "</x:t>", "<f>", "<x:f>", "</f>", "</x:f>").Replace(rows)
	prefixedSheet := `<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>` + prefixed + `</x:sheetData></x:worksheet>`

	type want struct {
		row  int
		col  int
		kind Kind
		text string
		num  float64
	}
	wants := []want{
		{1, 0, String, "plain", 0},
		{1, 1, String, "rich runs", 0},
		{1, 2, String, "&<>\"'\n\t🙂", 0},
		{1, 3, String, "<cdata & raw>", 0},
		{2, 0, String, "text result", 0},
		{2, 1, Error, "#DIV/0!", 0},
		{2, 2, Bool, "1", 1},
		{2, 3, Empty, "", 0},
		{2, 4, Empty, "", 0},
		{4, 0, Number, "1.5", 1.5},
		{4, 1, Number, " 2 ", 2},
		{4, 2, String, "in & line", 0},
		{7, 0, Date, "45000", 45000},
		{7, 1, Date, "45000.25", 45000.25},
		{8, 26, Number, "-1E-3", -0.001},
	}
	for _, tt := range []struct{ name, sheet string }{
		{"plain", sheetXML(rows)},
		{"prefixed", prefixedSheet},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := handZip(t, handWorkbookParts(tt.sheet, sst))
			got, err := readAll(t, data, "")
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := got[3]; !ok || len(got[3]) != 0 {
				t.Errorf("empty row 3: %v, present %v", got[3], ok)
			}
			if len(got[8]) != 27 {
				t.Errorf("row 8 has %d cells, want 27", len(got[8]))
			}
			for _, w := range wants {
				row := got[w.row]
				if w.col >= len(row) {
					t.Errorf("row %d col %d missing (row %v)", w.row, w.col, row)
					continue
				}
				g := row[w.col]
				if g.kind != w.kind || g.text != w.text || g.num != w.num {
					t.Errorf("row %d col %d = %+v, want %+v", w.row, w.col, g, w)
				}
			}
			if tt.name == "plain" {
				compareWithExcelize(t, data, "", map[string]bool{"A7": true, "B7": true})
			}
		})
	}
}

func TestOpenReaderErrors(t *testing.T) {
	t.Parallel()
	okSheet := sheetXML(`<row r="1"><c r="A1"><v>1</v></c></row>`)
	bomb := sheetXML(`<row r="1"><c r="A1"><v>1</v></c></row>` + strings.Repeat(`<row><c><v>0</v></c></row>`, 200000))
	tests := []struct {
		name      string
		data      func(t *testing.T) []byte
		opts      ReaderOptions
		openErr   error  // from OpenReader
		readErr   error  // from Next/Err
		errSubstr string // in either error
	}{
		{
			name:      "not a zip",
			data:      func(*testing.T) []byte { return []byte("name,value\nx,1\n") },
			openErr:   ErrNotXLSX,
			errSubstr: "not an XLSX",
		},
		{
			name: "zip without workbook",
			data: func(t *testing.T) []byte {
				return handZip(t, map[string]string{"hello.txt": "hi"})
			},
			openErr:   ErrMissingPart,
			errSubstr: "xl/workbook.xml",
		},
		{
			name: "sheet not found lists names",
			data: func(t *testing.T) []byte {
				f := excelize.NewFile()
				defer f.Close()
				if _, err := f.NewSheet("Inputs"); err != nil {
					t.Fatal(err)
				}
				return saveExcelize(t, f)
			},
			opts:      ReaderOptions{Sheet: "Missing"},
			openErr:   ErrSheetNotFound,
			errSubstr: `"Missing" (sheets: "Sheet1", "Inputs")`,
		},
		{
			name: "zip bomb in the sheet",
			data: func(t *testing.T) []byte {
				return handZip(t, handWorkbookParts(bomb, ""))
			},
			opts:      ReaderOptions{MaxUnzippedBytes: 1 << 20},
			readErr:   ErrTooLarge,
			errSubstr: "xl/worksheets/data.xml",
		},
		{
			name: "zip bomb in shared strings",
			data: func(t *testing.T) []byte {
				sst := `<sst>` + strings.Repeat(`<si><t>aaaaaaaaaaaaaaaaaaaa</t></si>`, 100000) + `</sst>`
				return handZip(t, handWorkbookParts(okSheet, sst))
			},
			opts:      ReaderOptions{MaxUnzippedBytes: 1 << 20},
			openErr:   ErrTooLarge,
			errSubstr: "sharedStrings.xml",
		},
		{
			name: "shared strings over their own limit",
			data: func(t *testing.T) []byte {
				sst := `<sst>` + strings.Repeat(`<si><t>aaaaaaaaaaaaaaaaaaaa</t></si>`, 1000) + `</sst>`
				return handZip(t, handWorkbookParts(okSheet, sst))
			},
			opts:      ReaderOptions{MaxSharedStringsBytes: 1000},
			openErr:   ErrTooLarge,
			errSubstr: "shared strings take more than 1000 bytes",
		},
		{
			name: "missing shared strings allowed without s cells",
			data: func(t *testing.T) []byte {
				return handZip(t, handWorkbookParts(okSheet, ""))
			},
		},
		{
			name: "missing shared strings with an s cell",
			data: func(t *testing.T) []byte {
				return handZip(t, handWorkbookParts(sheetXML(`<row r="4"><c r="B4" t="s"><v>0</v></c></row>`), ""))
			},
			readErr:   ErrMalformed,
			errSubstr: `row 4: malformed: cell B4: shared string index out of range`,
		},
		{
			name: "missing sheet part",
			data: func(t *testing.T) []byte {
				parts := handWorkbookParts(okSheet, "")
				delete(parts, "xl/worksheets/data.xml")
				return handZip(t, parts)
			},
			openErr:   ErrMissingPart,
			errSubstr: `xl/worksheets/data.xml (sheet "Data")`,
		},
		{
			name: "malformed number names the row",
			data: func(t *testing.T) []byte {
				return handZip(t, handWorkbookParts(sheetXML(`<row r="1"><c><v>1</v></c></row><row r="9"><c r="C9"><v>abc</v></c></row>`), ""))
			},
			readErr:   ErrMalformed,
			errSubstr: `row 9: malformed: cell C9: invalid number "abc"`,
		},
		{
			name: "truncated sheet",
			data: func(t *testing.T) []byte {
				return handZip(t, handWorkbookParts(`<worksheet><sheetData><row r="1"><c r="A1"><v>1`, ""))
			},
			readErr:   ErrMalformed,
			errSubstr: "row 1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := tt.data(t)
			rd, err := OpenReader(bytes.NewReader(data), int64(len(data)), tt.opts)
			if tt.openErr != nil {
				if !errors.Is(err, tt.openErr) || !strings.Contains(err.Error(), tt.errSubstr) {
					t.Fatalf("OpenReader error = %v, want %v containing %q", err, tt.openErr, tt.errSubstr)
				}
				return
			}
			if err != nil {
				t.Fatalf("OpenReader: %v", err)
			}
			defer rd.Close()
			for rd.Next() {
			}
			err = rd.Err()
			if tt.readErr == nil {
				if err != nil {
					t.Fatalf("Err() = %v", err)
				}
				return
			}
			if !errors.Is(err, tt.readErr) || !strings.Contains(err.Error(), tt.errSubstr) {
				t.Fatalf("Err() = %v, want %v containing %q", err, tt.readErr, tt.errSubstr)
			}
		})
	}
}

func TestExcelTime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		serial   float64
		date1904 bool
		want     time.Time
		ok       bool
	}{
		{"first day", 1, false, time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"before the fake leap day", 59, false, time.Date(1900, 2, 28, 0, 0, 0, 0, time.UTC), true},
		{"after the fake leap day", 61, false, time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC), true},
		{"noon", 45000.5, false, time.Date(2023, 3, 15, 12, 0, 0, 0, time.UTC), true},
		{"1904 system", 0, true, time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"1904 system later", 43538.5, true, time.Date(2023, 3, 15, 12, 0, 0, 0, time.UTC), true},
		{"negative", -1, false, time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := ExcelTime(tt.serial, tt.date1904)
			if ok != tt.ok || !got.Equal(tt.want) {
				t.Errorf("ExcelTime(%v, %v) = %v, %v; want %v, %v", tt.serial, tt.date1904, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestIsDateFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code string
		want bool
	}{
		{"yyyy-mm-dd", true},
		{`yyyy\-mm\-dd`, true},
		{"h:mm AM/PM", true},
		{"[h]:mm", true},
		{"[$-409]d-mmm-yy", true},
		{"0.00", false},
		{"General", false},
		{`"days "0`, false},
		{"[Red]#,##0.00", false},
		{`0.00_);[Red]\(0.00\)`, false},
		{"0.00E+00", false},
		{"@", false},
	}
	for _, tt := range tests {
		if got := isDateFormat(tt.code); got != tt.want {
			t.Errorf("isDateFormat(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestReaderDate1904(t *testing.T) {
	t.Parallel()
	parts := handWorkbookParts(sheetXML(`<row r="1"><c r="A1" s="1"><v>0</v></c></row>`), "")
	parts["xl/workbook.xml"] = strings.Replace(handWorkbook, "<workbookPr/>", `<workbookPr date1904="1"/>`, 1)
	data := handZip(t, parts)
	rd, err := OpenReader(bytes.NewReader(data), int64(len(data)), ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	if !rd.Next() {
		t.Fatalf("no row: %v", rd.Err())
	}
	c := rd.Row()[0]
	got, ok := c.Time(rd.Date1904())
	if want := time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC); c.Kind != Date || !ok || !got.Equal(want) {
		t.Errorf("A1 = %v %v %v, want Date %v", c.Kind, got, ok, want)
	}
}

// Reading numeric rows is the batch hot path: once the buffers have grown,
// Next must not allocate. (Not parallel: AllocsPerRun forbids it.)
func TestReaderNumericRowsDoNotAllocate(t *testing.T) {
	var rows strings.Builder
	for r := 1; r <= 2000; r++ {
		fmt.Fprintf(&rows, `<row r="%d">`, r)
		for c := range 20 {
			fmt.Fprintf(&rows, `<c r="%s%d" s="%d"><v>%d.25</v></c>`, columnName(c), r, c%3, r*c)
		}
		rows.WriteString(`</row>`)
	}
	data := handZip(t, handWorkbookParts(sheetXML(rows.String()), ""))
	rd, err := OpenReader(bytes.NewReader(data), int64(len(data)), ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	for range 10 {
		rd.Next()
	}
	allocs := testing.AllocsPerRun(1000, func() {
		if !rd.Next() {
			t.Fatalf("ran out of rows: %v", rd.Err())
		}
	})
	if allocs != 0 {
		t.Errorf("Next allocates %v times per numeric row", allocs)
	}
}
