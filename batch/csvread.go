package batch

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/scoregate/scoregate"
)

// CSVOptions configure a CSVReader. The zero value sniffs the delimiter and
// the encoding and allows records of up to 1 MiB.
type CSVOptions struct {
	// Comma is the delimiter; 0 sniffs it among , ; tab | (see Sniff).
	Comma rune
	// Encoding is the file's encoding; EncodingAuto by default.
	Encoding Encoding
	// MaxRecordBytes limits one record (a row, with its quoted newlines);
	// a longer one ends the table with an error. 0 means DefaultMaxRecordBytes.
	MaxRecordBytes int
}

// DefaultMaxRecordBytes is the default limit of one record.
const DefaultMaxRecordBytes = 1 << 20

// SniffBytes is how much of a file the reader looks at to choose the
// delimiter and the encoding.
const SniffBytes = 64 << 10

// CSVFormat is how a CSV file is written, so that the output of a job can
// be written the way its input was.
type CSVFormat struct {
	Comma rune
	// BOM is true when the file starts with a byte order mark. Output is
	// always UTF-8, so a transcoded input (UTF-16, Windows-1252) gets one
	// too: Excel then reads the output's non-ASCII text correctly.
	BOM bool
	// CRLF is true when the first line ends with \r\n.
	CRLF bool
	// Encoding is the encoding the input was read as.
	Encoding Encoding
}

// CSVReader reads a CSV file with a header row. It implements Reader.
type CSVReader struct {
	csv      *csv.Reader
	lim      *limitReader
	dec      *decoder // nil when the file is read as UTF-8
	base     int64    // bytes before the parser's first byte (a BOM)
	format   CSVFormat
	header   []string
	record   []string
	line     int
	lastLine int // line the last record ended on
	recErr   error
	err      error
	max      int
	checkUTF bool
}

var _ Reader = (*CSVReader)(nil)

// NewCSVReader reads r's first bytes to choose the encoding and delimiter,
// then its header row. It fails when the file is empty, is not text, or has
// no usable header (a duplicate or a malformed column name).
func NewCSVReader(r io.Reader, opts CSVOptions) (*CSVReader, error) {
	c := &CSVReader{max: opts.MaxRecordBytes}
	if c.max <= 0 {
		c.max = DefaultMaxRecordBytes
	}
	if opts.Comma != 0 {
		if err := checkComma(opts.Comma); err != nil {
			return nil, err
		}
	}
	raw := bufio.NewReaderSize(r, SniffBytes)
	head, err := raw.Peek(SniffBytes)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("read the file: %w", err)
	}
	more := err == nil
	if len(head) == 0 {
		return nil, badFile(0, "the file is empty: want a header row naming the columns")
	}
	enc := opts.Encoding
	var src io.Reader = raw
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		enc = EncodingUTF16LE
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		enc = EncodingUTF16BE
	case enc == EncodingUTF16LE || enc == EncodingUTF16BE:
		// Asked for, without a byte order mark.
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return nil, badFile(0, "the file is a ZIP archive (an XLSX workbook?), not CSV")
	case bytes.IndexByte(head, 0) >= 0:
		return nil, badFile(0, "the file holds NUL bytes: not CSV text (UTF-16 without a byte order mark?)")
	case enc == EncodingAuto:
		enc = EncodingUTF8
		if !validUTF8Prefix(head, more) {
			if !looksWindows1252(head) {
				return nil, badFile(lineOfInvalidUTF8(head), "the file is neither UTF-8 nor Windows-1252 text; save it as UTF-8")
			}
			enc = EncodingWindows1252
		}
	}
	switch enc {
	case EncodingUTF16LE, EncodingUTF16BE:
		c.dec = newDecoder(raw, utf16Step(enc == EncodingUTF16BE))
	case EncodingWindows1252:
		c.dec = newDecoder(raw, windows1252Step)
	case EncodingUTF8:
		c.checkUTF = true
	default:
		return nil, fmt.Errorf("encoding %q: want utf-8, windows-1252, utf-16le or utf-16be", enc)
	}
	c.format.Encoding = enc
	if c.dec != nil {
		src = c.dec
		c.format.BOM = true // output is UTF-8: mark it for Excel
	}
	c.lim = &limitReader{src: src, max: int64(c.max) + 64<<10}
	br := bufio.NewReaderSize(c.lim, 64<<10)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\uFEFF")) {
		br.Discard(3)
		c.base = 3
		c.format.BOM = true
	}
	head, _ = br.Peek(SniffBytes)
	c.format.Comma = opts.Comma
	if c.format.Comma == 0 {
		c.format.Comma = Sniff(head, len(head) < SniffBytes)
	}
	if i := bytes.IndexByte(head, '\n'); i > 0 && head[i-1] == '\r' {
		c.format.CRLF = true
	}
	c.csv = csv.NewReader(br)
	c.csv.Comma = c.format.Comma
	c.csv.ReuseRecord = true
	c.csv.FieldsPerRecord = -1
	if !c.read() {
		if c.err == nil {
			c.err = badFile(0, "the file has no header row")
		}
		return nil, c.err
	}
	if c.recErr != nil {
		return nil, badFile(c.line, "header row: %v", c.recErr)
	}
	c.header = append([]string(nil), c.record...)
	if err := CheckHeader(c.header); err != nil {
		return nil, err
	}
	return c, nil
}

func checkComma(r rune) error {
	if r == '\r' || r == '\n' || r == '"' || r == utf8.RuneError || !utf8.ValidRune(r) {
		return fmt.Errorf("delimiter %q cannot separate CSV fields", r)
	}
	return nil
}

// ParseDelimiter reads a delimiter as a user gives it: one character,
// "tab" or `\t`; "" means sniff it (0).
func ParseDelimiter(s string) (rune, error) {
	switch s {
	case "":
		return 0, nil
	case `\t`, "tab", "TAB":
		return '\t', nil
	}
	r, n := utf8.DecodeRuneInString(s)
	if n != len(s) {
		return 0, fmt.Errorf("delimiter %q: want one character", s)
	}
	return r, checkComma(r)
}

// CheckHeader refuses a header with two columns of the same name, compared
// as the columns are matched to a model's inputs: case-insensitively and
// without surrounding spaces. Unnamed columns may repeat.
func CheckHeader(header []string) error {
	seen := make(map[string]int, len(header))
	var dups []string
	for i, h := range header {
		k := strings.ToLower(strings.TrimSpace(h))
		if k == "" {
			continue
		}
		if j, ok := seen[k]; ok {
			dups = append(dups, fmt.Sprintf("%q (column %d) and %q (column %d)", header[j], j+1, h, i+1))
			continue
		}
		seen[k] = i
	}
	if len(dups) > 0 {
		return badFile(1, "the header names a column twice: %s", strings.Join(dups, ", "))
	}
	return nil
}

// badFile is an error about the whole file, at line (0 for none).
func badFile(line int, format string, args ...any) *scoregate.Error {
	msg := fmt.Sprintf(format, args...)
	if line > 0 {
		msg = fmt.Sprintf("line %d: %s", line, msg)
	}
	return &scoregate.Error{Class: scoregate.BadUserArgument, Code: scoregate.CodeInputParseError, Message: msg}
}

// badRecord is a record's own error, for its Errors cell.
func badRecord(format string, args ...any) *scoregate.Error {
	return scoregate.Errorf(scoregate.BadUserArgument, scoregate.CodeInputParseError, "", format, args...)
}

// Format is how the file is written.
func (c *CSVReader) Format() CSVFormat { return c.format }

// Header returns the column names.
func (c *CSVReader) Header() []string { return c.header }

// Record returns the current record's cells.
func (c *CSVReader) Record() []string { return c.record }

// RecordErr returns the current record's error.
func (c *CSVReader) RecordErr() error { return c.recErr }

// Line returns the line the current record starts on.
func (c *CSVReader) Line() int { return c.line }

// Err returns the error that ended the file early.
func (c *CSVReader) Err() error { return c.err }

// InputOffset returns the bytes of the file read: exact for UTF-8, and
// including the decoder's read-ahead for a transcoded file.
func (c *CSVReader) InputOffset() int64 {
	if c.dec != nil {
		return c.dec.read
	}
	return c.base + c.csv.InputOffset()
}

// Next reads the next record.
func (c *CSVReader) Next() bool {
	if c.err != nil || !c.read() {
		return false
	}
	if c.recErr == nil && len(c.record) != len(c.header) {
		c.recErr = badRecord("the row has %d cells where the header has %d", len(c.record), len(c.header))
	}
	return true
}

// read reads a record into c.record, setting c.recErr for a record's own
// problem and c.err for one that ends the file.
func (c *CSVReader) read() bool {
	c.recErr = nil
	start := c.csv.InputOffset()
	rec, err := c.csv.Read()
	c.record = rec
	c.lim.start = c.base + c.csv.InputOffset()
	if err != nil {
		return c.readErr(err)
	}
	if len(rec) == 0 { // csv.Reader never returns one; be safe
		return true
	}
	c.line, _ = c.csv.FieldPos(0)
	last := len(rec) - 1
	c.lastLine, _ = c.csv.FieldPos(last)
	c.lastLine += strings.Count(rec[last], "\n")
	if c.csv.InputOffset()-start > int64(c.max) {
		c.err = c.tooLong(c.line)
		return false
	}
	if c.checkUTF && c.lim.nonASCII {
		for i, cell := range rec {
			if !utf8.ValidString(cell) {
				c.recErr = badRecord("column %d is not UTF-8 text", i+1)
				break
			}
		}
	}
	return true
}

// readErr handles an error of csv.Reader.Read: a parse error is the
// record's own, anything else ends the file.
func (c *CSVReader) readErr(err error) bool {
	var pe *csv.ParseError
	switch {
	case err == io.EOF:
		return false
	case errors.Is(err, errRecordTooLong):
		c.err = c.tooLong(c.lastLine + 1)
		return false
	case errors.As(err, &pe):
		c.line = pe.StartLine
		c.lastLine = pe.Line
		c.recErr = badRecord("%v (line %d, character %d)", pe.Err, pe.Line, pe.Column)
		return true
	}
	c.err = fmt.Errorf("read line %d: %w", c.lastLine+1, err)
	return false
}

func (c *CSVReader) tooLong(line int) error {
	return badFile(line, "a record longer than %d bytes, the limit (an unclosed quote?)", c.max)
}

// lineOfInvalidUTF8 returns the line of b's first byte that is not UTF-8.
func lineOfInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return 1 + bytes.Count(b[:i], []byte{'\n'})
		}
		i += n
	}
	return 0
}
