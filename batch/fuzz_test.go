package batch

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/scoregate/scoregate/fixtures"
)

// FuzzCSVReader reads arbitrary bytes: the reader must not panic, its
// records must agree with its header or carry an error, its lines must
// advance, and the records it finds sound must read back the same after
// CSVWriter writes them in the input's format.
func FuzzCSVReader(f *testing.F) {
	for _, seed := range []string{
		string(fixtures.DemoSample),
		"a;b\r\n1,5;2\r\n",
		"\uFEFFa\tb\n\"x\ny\"\t2\n",
		"a|b\n1|\"2|3\"\n1\n1|2|3\n",
		"a,b\n1,x\"y\n\"1\"x,2\n",
		"a,a\n",
		"caf\xe9;x\n\x80;1\n",
		string(utf16File("a,b\r\n1,€\r\n", false)),
		string(utf16File("a,b\n𝔵,2\n", true)),
		"\xff\xfea\x00",
		"a,b\n1,\"2\n3,4\n",
		"",
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, small bool) {
		opts := CSVOptions{}
		if small {
			opts.MaxRecordBytes = 16
		}
		r, err := NewCSVReader(bytes.NewReader(data), opts)
		if err != nil {
			return
		}
		header := slices.Clone(r.Header())
		if len(header) == 0 {
			t.Fatal("no header and no error")
		}
		if err := CheckHeader(header); err != nil {
			t.Fatalf("header %q accepted: %v", header, err)
		}
		var sound [][]string
		line := r.Line()
		var offset int64
		for r.Next() {
			rec := r.Record()
			if r.Line() <= line {
				t.Fatalf("line %d after line %d", r.Line(), line)
			}
			line = r.Line()
			if o := r.InputOffset(); o < offset || o > int64(len(data)) {
				t.Fatalf("offset %d after %d, file of %d bytes", o, offset, len(data))
			} else {
				offset = o
			}
			if r.RecordErr() != nil {
				continue
			}
			if len(rec) != len(header) {
				t.Fatalf("record %q of %d cells, header %d, no error", rec, len(rec), len(header))
			}
			for _, c := range rec {
				if !utf8.ValidString(c) {
					t.Fatalf("cell %q is not UTF-8 and has no error", c)
				}
			}
			sound = append(sound, slices.Clone(rec))
		}
		if r.Err() != nil {
			return
		}
		// Round trip the sound records; a lone \r does not survive
		// encoding/csv either, and a NUL (from UTF-16) makes UTF-8 input
		// look binary.
		format := r.Format()
		var out bytes.Buffer
		w := NewCSVWriter(&out, format)
		w.WriteHeader(header, nil)
		var want [][]string
		for _, rec := range sound {
			if strings.ContainsAny(strings.Join(rec, ""), "\r\x00") {
				continue
			}
			w.WriteRow(rec, nil, nil)
			want = append(want, rec)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(strings.Join(header, ""), "\r\x00") {
			return
		}
		back, err := NewCSVReader(&out, CSVOptions{Comma: format.Comma, Encoding: EncodingUTF8})
		if err != nil {
			t.Fatalf("read back %q: %v", out.Bytes(), err)
		}
		if got := back.Header(); !slices.Equal(got[:len(got)-1], header) {
			t.Fatalf("header %q read back as %q", header, got)
		}
		for i := 0; back.Next(); i++ {
			if i >= len(want) || back.RecordErr() != nil || !slices.Equal(back.Record()[:len(header)], want[i]) {
				t.Fatalf("record %d read back as %q (%v), wrote %q", i, back.Record(), back.RecordErr(), want)
			}
		}
		if back.Err() != nil {
			t.Fatalf("read back: %v", back.Err())
		}
	})
}
