package workbook

import (
	"bytes"
	"math"
	"testing"
	"unicode/utf8"
)

// FuzzWriterRoundTrip writes cells made from the input (numbers, text of
// any bytes, booleans, dates, errors, gaps, blank rows) and reads them back
// with Reader: every cell must come back as written, text as Writer
// documents it (bytes that are not UTF-8 as U+FFFD).
func FuzzWriterRoundTrip(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
	f.Add([]byte("\x02\x05a&b<c\x01\x03\x04\x06\x07\x08_x0041_\r\n\x09\x0a"))
	f.Add([]byte("\x02\x07_x004\x01\x02\x03\xff\xfe\x00\x04\x80"))
	f.Add(bytes.Repeat([]byte{3, 200, 17, 42, 1, 0x7f}, 20))
	f.Fuzz(func(t *testing.T, in []byte) {
		src := &byteSource{b: in}
		var rows [][]Cell
		var row []Cell
		for n := 0; len(src.b) > 0 && n < 300; n++ {
			switch op := src.byte(); op % 9 {
			case 0:
				rows = append(rows, row)
				row = nil
			case 1:
				row = append(row, Cell{Kind: Number, Num: math.Float64frombits(src.uint64())})
			case 2:
				row = append(row, Cell{Kind: String, Str: string(src.bytes(int(src.byte() % 24)))})
			case 3:
				row = append(row, Cell{Kind: Bool, Num: float64(src.byte() & 1)})
			case 4:
				row = append(row, Cell{Kind: Date, Num: float64(61 + int(src.uint64()%(maxSerial-61)))})
			case 5:
				row = append(row, Cell{Kind: Date, Num: 61 + float64(src.uint64()%(1<<40))/(1<<40)*(maxSerial-62)})
			case 6:
				row = append(row, Cell{Kind: Error, Str: excelErrors[int(src.byte())%len(excelErrors)]})
			case 7:
				row = append(row, Cell{})
			case 8:
				row = append(row, Cell{Kind: Number, Num: float64(int64(src.uint64())) / 1e4})
			}
		}
		rows = append(rows, row)
		data := writeBook(t, WriterOptions{}, nil, rows...)
		got, err := readAll(t, data, "")
		if err != nil {
			t.Fatalf("read back: %v", err)
		}
		for r, row := range rows {
			back := got[r+1]
			for c, want := range row {
				var g gotCell
				if c < len(back) {
					g = back[c]
				}
				checkRoundTrip(t, r+1, c, want, g)
			}
			for c := len(row); c < len(back); c++ {
				if back[c].kind != Empty {
					t.Errorf("row %d col %d: %+v beyond the row written", r+1, c, back[c])
				}
			}
		}
	})
}

func checkRoundTrip(t *testing.T, row, col int, want Cell, got gotCell) {
	t.Helper()
	switch want.Kind {
	case Number:
		if math.IsNaN(want.Num) || math.IsInf(want.Num, 0) {
			if got.kind != Error || got.text != "#NUM!" {
				t.Errorf("row %d col %d: %v read back as %+v", row, col, want.Num, got)
			}
		} else if got.kind != Number || got.num != want.Num {
			t.Errorf("row %d col %d: %v read back as %+v", row, col, want.Num, got)
		}
	case Date:
		if got.kind != Date || math.Abs(got.num-want.Num) > 1e-6 {
			t.Errorf("row %d col %d: date %v read back as %+v", row, col, want.Num, got)
		}
	case Bool:
		if got.kind != Bool || got.num != want.Num {
			t.Errorf("row %d col %d: bool %v read back as %+v", row, col, want.Num, got)
		}
	case Error:
		if got.kind != Error || got.text != want.Str {
			t.Errorf("row %d col %d: error %q read back as %+v", row, col, want.Str, got)
		}
	case String:
		if want.Str == "" {
			if got.kind != Empty {
				t.Errorf("row %d col %d: empty string read back as %+v", row, col, got)
			}
		} else if w := validText(want.Str); got.kind != String || got.text != w {
			t.Errorf("row %d col %d: %q read back as %+v, want %q", row, col, want.Str, got, w)
		}
	default:
		if got.kind != Empty {
			t.Errorf("row %d col %d: gap read back as %+v", row, col, got)
		}
	}
}

// validText replaces each byte of s that is not UTF-8 with U+FFFD.
func validText(s string) string {
	var b []byte
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, "\uFFFD"...)
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return string(b)
}
