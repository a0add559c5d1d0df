package batch

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"testing"

	"github.com/scoregate/scoregate/workbook"
)

// FuzzXLSXReader builds a workbook from the input (numbers, text, booleans,
// dates, errors, gaps and blank rows, with workbook.Writer) and reads it
// with XLSXReader: it must not fail, its records must be as wide as the
// header, its lines and offsets must advance, and the sound records must
// read back the same after XLSXWriter writes them with their kinds. The
// input is also read as a file of its own, which must not panic.
func FuzzXLSXReader(f *testing.F) {
	f.Add([]byte{1, 2, 3, 0, 4, 5, 6, 7, 0, 8, 1, 0})
	f.Add([]byte("\x02\x05a&b<c\x01\x03\x04\x06\x07\x00\x08_x0041_\r\n\x09\x0a"))
	f.Add(xlsxFile(f, []any{"a", "b"}, []any{1, "x"}))
	f.Fuzz(func(t *testing.T, in []byte) {
		if r, err := NewXLSXReader(bytes.NewReader(in), int64(len(in)), XLSXOptions{}); err == nil {
			for r.Next() {
			}
			r.Close()
		}

		data := fuzzWorkbook(t, in)
		r, err := NewXLSXReader(bytes.NewReader(data), int64(len(data)), XLSXOptions{})
		if err != nil {
			return // no header, or a column named twice
		}
		defer r.Close()
		header := slices.Clone(r.Header())
		var records [][]string
		var kinds [][]CellKind
		line, offset := 1, int64(0)
		for r.Next() {
			if len(r.Record()) != len(header) || len(r.RecordKinds()) != len(header) {
				t.Fatalf("record %q (kinds %v) for a header of %d", r.Record(), r.RecordKinds(), len(header))
			}
			if r.Line() <= line {
				t.Fatalf("line %d after %d", r.Line(), line)
			}
			line = r.Line()
			if o := r.InputOffset(); o < offset || o > int64(len(data)) {
				t.Fatalf("offset %d after %d, file of %d bytes", o, offset, len(data))
			} else {
				offset = o
			}
			if r.RecordErr() == nil {
				records = append(records, slices.Clone(r.Record()))
				kinds = append(kinds, slices.Clone(r.RecordKinds()))
			}
		}
		if r.Err() != nil {
			t.Fatalf("a written workbook fails: %v", r.Err())
		}

		var out bytes.Buffer
		w := NewXLSXWriter(&out, XLSXWriteOptions{})
		w.WriteHeader(header, nil)
		for i := range records {
			w.WriteRowKinds(records[i], kinds[i], nil, nil)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		back, err := NewXLSXReader(bytes.NewReader(out.Bytes()), int64(out.Len()), XLSXOptions{})
		if err != nil {
			t.Fatalf("read back: %v", err)
		}
		defer back.Close()
		if got := back.Header(); !slices.Equal(got[:len(got)-1], header) {
			t.Fatalf("header %q read back as %q", header, got)
		}
		for i := 0; back.Next(); i++ {
			if i >= len(records) {
				t.Fatalf("extra record %q", back.Record())
			}
			got := back.Record()[:len(header)]
			if !slices.Equal(got, records[i]) || !slices.Equal(back.RecordKinds()[:len(header)], kinds[i]) {
				t.Fatalf("record %d %q %v read back as %q %v", i, records[i], kinds[i], got, back.RecordKinds())
			}
		}
		if back.Err() != nil {
			t.Fatal(back.Err())
		}
	})
}

// fuzzWorkbook writes cells chosen by in.
func fuzzWorkbook(t *testing.T, in []byte) []byte {
	var b bytes.Buffer
	w := workbook.NewWriter(&b, workbook.WriterOptions{})
	next := func(n int) []byte {
		n = min(n, len(in))
		p := in[:n]
		in = in[n:]
		return p
	}
	for cells := 0; len(in) > 0 && cells < 200; cells++ {
		op := next(1)[0]
		switch op % 8 {
		case 0:
			w.EndRow()
		case 1:
			var u [8]byte
			copy(u[:], next(8))
			w.Number(float64(int64(binary.LittleEndian.Uint64(u[:]))) / 1000)
		case 2:
			w.String(string(next(int(op>>3) % 12)))
		case 3:
			w.Bool(op&8 != 0)
		case 4:
			var u [4]byte
			copy(u[:], next(4))
			serial := 61 + float64(binary.LittleEndian.Uint32(u[:])%2_900_000)
			if op&8 != 0 {
				serial += float64(op>>4) / 16
			}
			tm, _ := workbook.ExcelTime(serial, false)
			w.Date(tm)
		case 5:
			w.Error("#N/A")
		case 6:
			w.Skip()
		case 7:
			var u [8]byte
			copy(u[:], next(8))
			w.Number(math.Float64frombits(binary.LittleEndian.Uint64(u[:])))
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
