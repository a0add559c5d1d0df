package workbook

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// writeBook writes rows with a Writer (a header first when header is not
// nil) and returns the file.
func writeBook(t testing.TB, opts WriterOptions, header []string, rows ...[]Cell) []byte {
	t.Helper()
	var b bytes.Buffer
	w := NewWriter(&b, opts)
	if header != nil {
		if err := w.WriteHeader(header); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range rows {
		if err := w.WriteRow(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func num(f float64) Cell  { return Cell{Kind: Number, Num: f} }
func str(s string) Cell   { return Cell{Kind: String, Str: s} }
func boolean(b bool) Cell { return Cell{Kind: Bool, Num: map[bool]float64{true: 1}[b]} }
func date(t time.Time) Cell {
	s, _ := excelSerial(t)
	return Cell{Kind: Date, Num: s}
}

func TestWriterReadBack(t *testing.T) {
	t.Parallel()
	day := time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)
	moment := time.Date(2024, 2, 29, 13, 45, 30, 0, time.UTC)
	data := writeBook(t, WriterOptions{Sheet: "Scores & more"}, []string{"id", "name", "when", "at", "ok", "p", "err"},
		[]Cell{num(1), str("Zoë <x> & \"y\""), date(day), date(moment), boolean(true), num(0.125), {Kind: Error, Str: "#DIV/0!"}},
		[]Cell{num(-2.5e-7), str(" padded "), {}, {}, boolean(false), num(1e21)},
		nil, // a blank row
		[]Cell{num(123456789012345), str("last")},
	)

	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("excelize: %v", err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 1 || got[0] != "Scores & more" {
		t.Fatalf("sheets %q", got)
	}
	const sheet = "Scores & more"
	if dim, err := f.GetSheetDimension(sheet); err != nil || dim != "A1:G5" {
		t.Errorf("dimension %q, %v; want A1:G5", dim, err)
	}
	want := map[string]struct {
		value string
		typ   excelize.CellType
	}{
		"A1": {"id", excelize.CellTypeInlineString},
		"G1": {"err", excelize.CellTypeInlineString},
		"A2": {"1", excelize.CellTypeUnset},
		"B2": {"Zoë <x> & \"y\"", excelize.CellTypeInlineString},
		"C2": {"45351", excelize.CellTypeUnset},
		"E2": {"1", excelize.CellTypeBool},
		"F2": {"0.125", excelize.CellTypeUnset},
		"G2": {"#DIV/0!", excelize.CellTypeError},
		"A3": {"-2.5e-07", excelize.CellTypeUnset},
		"B3": {" padded ", excelize.CellTypeInlineString},
		"C3": {"", excelize.CellTypeUnset},
		"E3": {"0", excelize.CellTypeBool},
		"F3": {"1e+21", excelize.CellTypeUnset},
		"A5": {"123456789012345", excelize.CellTypeUnset},
	}
	for ref, w := range want {
		got, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
		if err != nil || got != w.value {
			t.Errorf("%s = %q, %v; want %q", ref, got, err, w.value)
		}
		if typ, err := f.GetCellType(sheet, ref); err != nil || typ != w.typ {
			t.Errorf("%s type %v, %v; want %v", ref, typ, err, w.typ)
		}
	}
	if got, _ := f.GetCellValue(sheet, "D2"); got != "2/29/24 13:45" {
		t.Errorf("D2 shows %q", got)
	}
	styleOf := func(ref string) *excelize.Style {
		id, err := f.GetCellStyle(sheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		s, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := styleOf("B1"); s.Font == nil || !s.Font.Bold || s.Font.Family != "Calibri" || s.Font.Size != 11 {
		t.Errorf("header font %+v, want Calibri 11 bold", s.Font)
	}
	if s := styleOf("B2"); s.Font != nil && s.Font.Bold {
		t.Errorf("data cell is bold")
	}
	if s := styleOf("C2"); s.NumFmt != 14 {
		t.Errorf("date cell format %d, want 14", s.NumFmt)
	}
	if s := styleOf("D2"); s.NumFmt != 22 {
		t.Errorf("date and time cell format %d, want 22", s.NumFmt)
	}
	panes, err := f.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes %+v, %v; want the header row frozen", panes, err)
	}

	// And with Reader, which also knows dates.
	compareWithExcelize(t, data, sheet, map[string]bool{"C2": true, "D2": true})
	rows, err := readAll(t, data, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := rows[2][3]; got.kind != Date || got.text != "45351.57326388889" {
		t.Errorf("D2 read back as %+v", got)
	}
	if _, ok := rows[4]; ok {
		t.Errorf("the blank row was written: %v", rows[4])
	}
}

// TestWriterText checks what becomes of text XML cannot carry as it is.
func TestWriterText(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", MaxCellChars+10)
	tests := []struct{ name, in, want string }{
		{"control characters", "a\x00b\x01c\x1f", "a\x00b\x01c\x1f"},
		{"carriage return kept", "a\r\nb\rc", "a\r\nb\rc"},
		{"tab and newline", "\ta\nb\t", "\ta\nb\t"},
		{"literal escape kept literal", "_x0041_ and _x00", "_x0041_ and _x00"},
		{"not UTF-8", "a\xffb", "a\uFFFDb"},
		{"non-characters", "a\uFFFEb\uFFFF", "a\uFFFEb\uFFFF"},
		{"astral", "𝔵😀", "𝔵😀"},
		{"markup", "<a href=\"x\">&amp;</a>", "<a href=\"x\">&amp;</a>"},
		{"too long is cut", long, long[:2*MaxCellChars]},
		{"cut between surrogates", "ab" + strings.Repeat("😀", MaxCellChars/2), "ab" + strings.Repeat("😀", MaxCellChars/2-1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := writeBook(t, WriterOptions{}, nil, []Cell{str(tt.in), num(1)})
			rows, err := readAll(t, data, "")
			if err != nil {
				t.Fatal(err)
			}
			if got := rows[1][0]; got.kind != String || got.text != tt.want {
				t.Errorf("read back %v %q (%d bytes), want %q (%d bytes)", got.kind, short(got.text), len(got.text), short(tt.want), len(tt.want))
			}
			if got := rows[1][1]; got.kind != Number || got.num != 1 {
				t.Errorf("next cell read back as %+v", got)
			}
			f, err := excelize.OpenReader(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("excelize: %v", err)
			}
			defer f.Close()
			if _, err := f.GetRows("Sheet1"); err != nil {
				t.Errorf("excelize: %v", err)
			}
		})
	}
}

func short(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func TestWriterNumbers(t *testing.T) {
	t.Parallel()
	values := []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1.0 / 3, 1e15, 1e15 + 1, 123456789012345678, 1e-300, 5e-324, math.MaxFloat64, -math.SmallestNonzeroFloat64}
	var row []Cell
	for _, v := range values {
		row = append(row, num(v))
	}
	row = append(row, num(math.NaN()), num(math.Inf(1)))
	data := writeBook(t, WriterOptions{}, nil, row)
	rows, err := readAll(t, data, "")
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range values {
		if got := rows[1][i]; got.kind != Number || got.num != v {
			t.Errorf("%v read back as %+v", v, got)
		}
	}
	for i := len(values); i < len(row); i++ {
		if got := rows[1][i]; got.kind != Error || got.text != "#NUM!" {
			t.Errorf("%v read back as %+v, want #NUM!", row[i].Num, got)
		}
	}
	compareWithExcelize(t, data, "", nil)
}

func TestIsPlainNumber(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"0": true, "-0": true, "12": true, "-12.50": true, "0.001": true, "1e5": true, "1E-05": true, "2.5e+300": true,
		"123456789012345": true, "0.000123456789012345": true, "1234567890.12345": true,
		"": false, "-": false, "007": false, "+1": false, " 1": false, "1 ": false, "1.": false, ".5": false,
		"1e": false, "1e+": false, "1e1000": false, "1e400": false, "1e-400": false, "NaN": false, "Inf": false,
		"0x10": false, "1_000": false, "1,5": false, "1234567890123456": false, "12345678901234.56": false,
	} {
		if got := IsPlainNumber(s); got != want {
			t.Errorf("IsPlainNumber(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestWriterErrors(t *testing.T) {
	t.Parallel()
	t.Run("bad sheet names", func(t *testing.T) {
		t.Parallel()
		for _, name := range []string{"a/b", "[x]", "'quoted'", strings.Repeat("x", 32), "History", "tab\there"} {
			var b bytes.Buffer
			w := NewWriter(&b, WriterOptions{Sheet: name})
			w.Number(1)
			if err := w.EndRow(); err == nil {
				t.Errorf("sheet %q accepted", name)
			}
			if err := w.Close(); err == nil || b.Len() != 0 {
				t.Errorf("sheet %q: Close %v, %d bytes written", name, err, b.Len())
			}
		}
	})
	t.Run("too many columns", func(t *testing.T) {
		t.Parallel()
		w := NewWriter(&bytes.Buffer{}, WriterOptions{})
		for range MaxColumns {
			w.Skip()
		}
		w.Number(1)
		if err := w.EndRow(); err == nil || !strings.Contains(err.Error(), "columns") {
			t.Errorf("EndRow: %v", err)
		}
		w.Close()
	})
	t.Run("header after a row", func(t *testing.T) {
		t.Parallel()
		w := NewWriter(&bytes.Buffer{}, WriterOptions{})
		w.EndRow()
		if err := w.WriteHeader([]string{"a"}); err == nil {
			t.Error("WriteHeader after a row accepted")
		}
		w.Close()
	})
	t.Run("after Close", func(t *testing.T) {
		t.Parallel()
		w := NewWriter(&bytes.Buffer{}, WriterOptions{})
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		w.String("x")
		if err := w.EndRow(); !errors.Is(err, ErrWriterClosed) {
			t.Errorf("EndRow after Close: %v", err)
		}
	})
	t.Run("failing writer", func(t *testing.T) {
		t.Parallel()
		w := NewWriter(failWriter{}, WriterOptions{})
		w.Number(1)
		w.EndRow()
		if err := w.Close(); err == nil {
			t.Error("Close succeeded over a failing writer")
		}
	})
	t.Run("bad level", func(t *testing.T) {
		t.Parallel()
		w := NewWriter(&bytes.Buffer{}, WriterOptions{Level: 12})
		if err := w.Close(); err == nil {
			t.Error("level 12 accepted")
		}
	})
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestWriterSpill writes a sheet large enough to go to a temporary file,
// and checks that it reads back whole and that the file is gone after
// Close and after Discard.
func TestWriterSpill(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var b bytes.Buffer
	w := NewWriter(&b, WriterOptions{TempDir: dir})
	const rows = 40000
	for r := range rows {
		for c := range 10 {
			w.Number(float64(r)*1.37 + float64(c)/7)
		}
		if err := w.EndRow(); err != nil {
			t.Fatal(err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("%d files in the temporary directory, want the spilled sheet", len(entries))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("temporary file left after Close: %v", entries)
	}
	rd, err := OpenReader(bytes.NewReader(b.Bytes()), int64(b.Len()), ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	n := 0
	var last int64
	for rd.Next() {
		n++
		if got, want := rd.Row()[9].Num, float64(n-1)*1.37+9.0/7; got != want {
			t.Fatalf("row %d: %v, want %v", n, got, want)
		}
		if off := rd.InputOffset(); off < last {
			t.Fatalf("InputOffset went back from %d to %d", last, off)
		} else {
			last = off
		}
	}
	if rd.Err() != nil || n != rows || rd.InputOffset() != int64(b.Len()) {
		t.Errorf("read %d rows (%v), offset %d of %d", n, rd.Err(), rd.InputOffset(), b.Len())
	}

	w = NewWriter(&b, WriterOptions{TempDir: dir})
	for range rows {
		w.Number(1.5)
		w.String("some text to fill the temporary file")
		w.EndRow()
	}
	w.Discard()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("temporary file left after Discard: %v", entries)
	}
	if err := w.Close(); !errors.Is(err, ErrWriterClosed) {
		t.Errorf("Close after Discard: %v", err)
	}
}

func TestCRC32Combine(t *testing.T) {
	t.Parallel()
	data := []byte(strings.Repeat("The quick brown fox jumps over the lazy dog. ", 100))
	for _, cut := range []int{0, 1, 7, 100, len(data) - 1, len(data)} {
		a, b := data[:cut], data[cut:]
		got := crc32Combine(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(b), int64(len(b)))
		if want := crc32.ChecksumIEEE(data); got != want {
			t.Errorf("cut at %d: %08x, want %08x", cut, got, want)
		}
	}
}

func TestTexts(t *testing.T) {
	data := writeBook(t, WriterOptions{Sheet: "Data"}, []string{"n", "text"}, []Cell{num(1.5), str("a")}, []Cell{{}, str("b")})
	rows, err := Texts(bytes.NewReader(data), int64(len(data)), "Data")
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(rows); got != "[[n text] [1.5 a] [ b]]" {
		t.Errorf("rows %s", got)
	}
	if _, err := Texts(bytes.NewReader(data), int64(len(data)), "Other"); !errors.Is(err, ErrSheetNotFound) {
		t.Errorf("another sheet: %v", err)
	}
}
