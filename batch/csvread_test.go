package batch

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
)

// table is what a CSVReader read from a file.
type table struct {
	format  CSVFormat
	header  []string
	records [][]string
	errs    []string // each record's RecordErr, "" for none
	lines   []int
}

// readTable reads input to its end; err is NewCSVReader's or Err's.
func readTable(t *testing.T, input []byte, opts CSVOptions) (table, error) {
	t.Helper()
	r, err := NewCSVReader(bytes.NewReader(input), opts)
	if err != nil {
		return table{}, err
	}
	tb := table{format: r.Format(), header: r.Header()}
	for r.Next() {
		tb.records = append(tb.records, append([]string(nil), r.Record()...))
		e := ""
		if r.RecordErr() != nil {
			e = r.RecordErr().Error()
		}
		tb.errs = append(tb.errs, e)
		tb.lines = append(tb.lines, r.Line())
	}
	return tb, r.Err()
}

func join(records [][]string) string {
	var parts []string
	for _, r := range records {
		parts = append(parts, strings.Join(r, "|"))
	}
	return strings.Join(parts, "/")
}

func utf16File(s string, big bool) []byte {
	units := utf16.Encode([]rune("\uFEFF" + s))
	b := make([]byte, 2*len(units))
	for i, u := range units {
		if big {
			binary.BigEndian.PutUint16(b[2*i:], u)
		} else {
			binary.LittleEndian.PutUint16(b[2*i:], u)
		}
	}
	return b
}

func TestCSVReaderShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      []byte
		opts    CSVOptions
		comma   rune
		header  string
		records string // records joined by join
		bom     bool
		crlf    bool
		enc     Encoding
	}{
		{name: "comma", in: []byte("a,b\n1,2\n"), comma: ',', header: "a|b", records: "1|2", enc: EncodingUTF8},
		{name: "semicolon with decimal commas", in: []byte("a;b;c\n1,5;2,25;3\n4;5,5;6\n"), comma: ';', header: "a|b|c", records: "1,5|2,25|3/4|5,5|6"},
		{name: "tab", in: []byte("a\tb\n1\t2\n"), comma: '\t', header: "a|b", records: "1|2"},
		{name: "pipe", in: []byte("a|b|c\n1|2|3\n"), comma: '|', header: "a,b,c", records: "1,2,3"},
		{name: "quoted delimiters do not count", in: []byte("\"a,x\";\"b,y\";c\n\"1,1\";2;3\n"), comma: ';', header: "a,x|b,y|c", records: "1,1|2|3"},
		{name: "steady beats frequent", in: []byte("a;b,c,d\n1;2\n3;4\n"), comma: ';', header: "a|b,c,d", records: "1|2/3|4"},
		{name: "given delimiter", in: []byte("a;b,c\n1;2,3\n"), opts: CSVOptions{Comma: ','}, comma: ',', header: "a;b|c", records: "1;2|3"},
		{name: "one column", in: []byte("a\n1\n2\n"), comma: ',', header: "a", records: "1/2"},
		{name: "no final newline", in: []byte("a,b\n1,2"), comma: ',', header: "a|b", records: "1|2"},
		{name: "UTF-8 BOM", in: []byte("\uFEFFa,b\n1,2\n"), comma: ',', header: "a|b", records: "1|2", bom: true},
		{name: "CRLF", in: []byte("a,b\r\n1,2\r\n3,4\r\n"), comma: ',', header: "a|b", records: "1|2/3|4", crlf: true},
		{name: "quoted newlines", in: []byte("a,b\n\"x\ny\",\"p\r\nq\"\n3,4\n"), comma: ',', header: "a|b", records: "x\ny|p\nq/3|4"},
		{name: "blank lines skipped", in: []byte("a,b\n\n1,2\n\n"), comma: ',', header: "a|b", records: "1|2"},
		{name: "UTF-16LE", in: utf16File("a;é\r\n1;€\r\n", false), comma: ';', header: "a|é", records: "1|€", bom: true, crlf: true, enc: EncodingUTF16LE},
		{name: "UTF-16BE", in: utf16File("a,b\n𝔵,2\n", true), comma: ',', header: "a|b", records: "𝔵|2", bom: true, enc: EncodingUTF16BE},
		{name: "UTF-16LE asked, no BOM", in: utf16File("a,b\n1,2\n", false)[2:], opts: CSVOptions{Encoding: EncodingUTF16LE}, comma: ',', header: "a|b", records: "1|2", bom: true, enc: EncodingUTF16LE},
		{name: "Windows-1252", in: []byte("name;price\ncaf\xe9;\x80 5\n"), comma: ';', header: "name|price", records: "café|€ 5", bom: true, enc: EncodingWindows1252},
		{name: "Windows-1252 asked", in: []byte("a\n\xe9\n"), opts: CSVOptions{Encoding: EncodingWindows1252}, comma: ',', header: "a", records: "é", bom: true, enc: EncodingWindows1252},
		{name: "UTF-8", in: []byte("a\nžluť\n"), comma: ',', header: "a", records: "žluť", enc: EncodingUTF8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tb, err := readTable(t, tt.in, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if tb.format.Comma != tt.comma {
				t.Errorf("delimiter %q, want %q", tb.format.Comma, tt.comma)
			}
			sep := "|"
			if tt.comma == '|' {
				sep = ","
			}
			if got := strings.Join(tb.header, sep); got != tt.header {
				t.Errorf("header %q, want %q", got, tt.header)
			}
			got := join(tb.records)
			if tt.comma == '|' {
				got = strings.ReplaceAll(got, "|", ",")
			}
			if got != tt.records {
				t.Errorf("records %q, want %q", got, tt.records)
			}
			for i, e := range tb.errs {
				if e != "" {
					t.Errorf("record %d: %s", i+1, e)
				}
			}
			if tb.format.BOM != tt.bom || tb.format.CRLF != tt.crlf {
				t.Errorf("format %+v, want BOM %v CRLF %v", tb.format, tt.bom, tt.crlf)
			}
			if tt.enc != "" && tb.format.Encoding != tt.enc {
				t.Errorf("encoding %q, want %q", tb.format.Encoding, tt.enc)
			}
		})
	}
}

func TestCSVReaderRecordErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    string
		opts  CSVOptions
		errs  []string // per record: a substring of its error, "" for none
		lines []int
	}{
		{name: "ragged rows", in: "a,b,c\n1,2,3\n1,2\n1,2,3,4\n5,6,7\n",
			errs: []string{"", "2 cells where the header has 3", "4 cells where the header has 3", ""}, lines: []int{2, 3, 4, 5}},
		{name: "bare quote", in: "a,b\n1,x\"y\n3,4\n",
			errs: []string{`bare "`, ""}, lines: []int{2, 3}},
		{name: "stray quote in quoted field", in: "a,b\n\"1\"x,2\n3,4\n",
			errs: []string{`extraneous or missing "`, ""}, lines: []int{2, 3}},
		{name: "lines after a quoted newline", in: "a,b\n\"x\ny\",2\n1\n",
			errs: []string{"", "1 cells"}, lines: []int{2, 4}},
		{name: "invalid UTF-8 after the sniffed head", in: "a,b\n" + strings.Repeat("1,2\n", SniffBytes/4) + "\xff,2\n",
			errs: append(make([]string, SniffBytes/4), "column 1 is not UTF-8")},
		{name: "invalid UTF-8 when UTF-8 is asked", in: "a,b\n1,caf\xe9\n3,4\n", opts: CSVOptions{Encoding: EncodingUTF8},
			errs: []string{"column 2 is not UTF-8", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tb, err := readTable(t, []byte(tt.in), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(tb.errs) != len(tt.errs) {
				t.Fatalf("%d records, want %d: %q", len(tb.errs), len(tt.errs), tb.records)
			}
			for i, want := range tt.errs {
				if got := tb.errs[i]; (want == "") != (got == "") || !strings.Contains(got, want) {
					t.Errorf("record %d: error %q, want %q", i+1, got, want)
				}
			}
			if tt.lines != nil && !slices.Equal(tb.lines, tt.lines) {
				t.Errorf("lines %v, want %v", tb.lines, tt.lines)
			}
		})
	}
}

func TestCSVReaderFileErrors(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 2<<20)
	tests := []struct {
		name    string
		in      []byte
		opts    CSVOptions
		newErr  string // NewCSVReader's error
		readErr string // Err after the records
		records int
	}{
		{name: "empty", in: nil, newErr: "the file is empty"},
		{name: "blank lines only", in: []byte("\n\r\n\n"), newErr: "no header row"},
		{name: "BOM only", in: []byte("\uFEFF"), newErr: "no header row"},
		{name: "header only is an empty table", in: []byte("a,b\n"), records: 0},
		{name: "duplicate header", in: []byte("id,Price,x, price \n1,2,3,4\n"), newErr: `"Price" (column 2) and " price " (column 4)`},
		{name: "unnamed columns may repeat", in: []byte("a,,\n1,2,3\n"), records: 1},
		{name: "zip", in: []byte("PK\x03\x04rest"), newErr: "ZIP archive"},
		{name: "UTF-16 without BOM", in: []byte("a\x00,\x00b\x00"), newErr: "NUL bytes"},
		{name: "neither UTF-8 nor Windows-1252", in: []byte("a\n\x82\xa0\x81\n"), newErr: "line 2: the file is neither UTF-8 nor Windows-1252"},
		{name: "bad delimiter", in: []byte("a\n"), opts: CSVOptions{Comma: '"'}, newErr: "delimiter"},
		{name: "huge cell", in: []byte("a,b\n1,2\n3," + big + "\n5,6\n"), readErr: "line 3: a record longer than 1048576 bytes", records: 1},
		{name: "huge quoted cell", in: []byte("a,b\n1,2\n3,\"" + strings.Repeat("x\n", 1<<20) + "\"\n"), readErr: "line 3: a record longer", records: 1},
		{name: "unclosed quote", in: []byte("a,b\n1,\"2\n" + strings.Repeat("3,4\n", 1<<19)), readErr: "line 2: a record longer", records: 0},
		{name: "cell just under the limit", in: []byte("a\n" + big[:1000] + "\n"), opts: CSVOptions{MaxRecordBytes: 1001}, records: 1},
		{name: "cell just over a small limit", in: []byte("a\n" + big[:1001] + "\n"), opts: CSVOptions{MaxRecordBytes: 1001}, readErr: "line 2: a record longer than 1001 bytes"},
		{name: "huge header", in: []byte(big + "\n1\n"), newErr: "line 1: a record longer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tb, err := readTable(t, tt.in, tt.opts)
			want := tt.newErr + tt.readErr
			if want == "" {
				if err != nil {
					t.Fatalf("err %v", err)
				}
			} else if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("err %v, want %q", err, want)
			}
			if tt.newErr == "" && len(tb.records) != tt.records {
				t.Errorf("%d records, want %d", len(tb.records), tt.records)
			}
		})
	}
}

func TestSniff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		head     string
		complete bool
		want     rune
	}{
		{"no delimiter", "abc\n1\n", true, ','},
		{"header cut short", "a;b;c", false, ';'},
		{"quoted newline keeps the count", "a|\"b\nc\"|d\n1|2|3\n", true, '|'},
		{"tie goes to the comma", "a,b;c\n1,2;3\n", true, ','},
		{"tabs in a comma file", "a,b\n\"x\ty\",2\n", true, ','},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Sniff([]byte(tt.head), tt.complete); got != tt.want {
				t.Errorf("Sniff = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseDelimiter(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]rune{"": 0, ",": ',', ";": ';', "tab": '\t', `\t`: '\t', "|": '|', "§": '§'} {
		if got, err := ParseDelimiter(in); err != nil || got != want {
			t.Errorf("ParseDelimiter(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{";;", "\n", `"`} {
		if _, err := ParseDelimiter(in); err == nil {
			t.Errorf("ParseDelimiter(%q) accepted", in)
		}
	}
}
