package batch

import (
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/scoregate/scoregate"
)

// CSVWriter writes scored rows as CSV in a given format. It implements
// RowWriter. It quotes a cell exactly when encoding/csv would, and formats
// outputs into its buffer without allocating: numbers as
// scoregate.FormatNumber does.
type CSVWriter struct {
	w       io.Writer
	format  CSVFormat
	comma   []byte
	special [256]bool // bytes that make a cell need quotes
	newline string
	buf     []byte
	written int64
	err     error
}

var _ RowWriter = (*CSVWriter)(nil)

// flushAt is the buffer size at which CSVWriter writes to its writer.
const flushAt = 64 << 10

// NewCSVWriter returns a writer of CSV in format f (a CSVReader's Format):
// its delimiter, its line ending, and a byte order mark when it had one.
// The output is always UTF-8.
func NewCSVWriter(w io.Writer, f CSVFormat) *CSVWriter {
	if f.Comma == 0 {
		f.Comma = ','
	}
	c := &CSVWriter{w: w, format: f, comma: utf8.AppendRune(nil, f.Comma), newline: "\n", buf: make([]byte, 0, flushAt+4<<10)}
	if f.CRLF {
		c.newline = "\r\n"
	}
	c.special['\n'], c.special['\r'], c.special['"'] = true, true, true
	if f.Comma < utf8.RuneSelf {
		c.special[f.Comma] = true
	}
	if f.BOM {
		c.buf = append(c.buf, "\uFEFF"...)
	}
	return c
}

// WriteHeader writes the input columns, the output columns and ErrorsColumn.
func (c *CSVWriter) WriteHeader(input, output []string) error {
	for i, s := range input {
		switch {
		case i > 0:
			c.buf = append(c.buf, c.comma...)
		case !c.format.BOM && strings.HasPrefix(s, "\uFEFF"):
			// Unquoted, it would read back as a byte order mark.
			c.appendQuoted(s)
			continue
		}
		c.appendCell(s)
	}
	for _, s := range output {
		c.buf = append(c.buf, c.comma...)
		c.appendCell(s)
	}
	if len(input)+len(output) > 0 {
		c.buf = append(c.buf, c.comma...)
	}
	c.buf = append(c.buf, ErrorsColumn...)
	c.buf = append(c.buf, c.newline...)
	return c.maybeFlush()
}

// WriteRow writes one row; a missing output is an empty cell.
func (c *CSVWriter) WriteRow(input []string, output []scoregate.Value, rowErr error) error {
	for i, s := range input {
		if i > 0 {
			c.buf = append(c.buf, c.comma...)
		}
		c.appendCell(s)
	}
	for i := range output {
		c.buf = append(c.buf, c.comma...)
		c.appendValue(&output[i])
	}
	if len(input)+len(output) > 0 {
		c.buf = append(c.buf, c.comma...)
	}
	if rowErr != nil {
		c.appendCell(rowErr.Error())
	}
	c.buf = append(c.buf, c.newline...)
	return c.maybeFlush()
}

func (c *CSVWriter) maybeFlush() error {
	if len(c.buf) < flushAt {
		return c.err
	}
	return c.Flush()
}

// Flush writes the buffer to the underlying writer.
func (c *CSVWriter) Flush() error {
	if c.err != nil {
		return c.err
	}
	n, err := c.w.Write(c.buf)
	c.written += int64(n)
	c.buf = c.buf[:0]
	if err != nil {
		c.err = err
	}
	return err
}

// BytesWritten returns the bytes written to the underlying writer.
func (c *CSVWriter) BytesWritten() int64 { return c.written }

// appendValue formats v as scoregate.Value.String does, without allocating.
func (c *CSVWriter) appendValue(v *scoregate.Value) {
	switch v.Kind {
	case scoregate.KindMissing:
	case scoregate.KindNumber:
		if v.Str != "" {
			c.appendCell(v.Str)
			return
		}
		c.buf = AppendNumber(c.buf, v.Num)
	case scoregate.KindBool:
		if v.Num != 0 {
			c.buf = append(c.buf, "true"...)
		} else {
			c.buf = append(c.buf, "false"...)
		}
	default:
		c.appendCell(v.Str)
	}
}

// AppendNumber appends f as scoregate.FormatNumber formats it: integers
// without a fraction, other numbers in the shortest form that reads back
// exactly.
func AppendNumber(dst []byte, f float64) []byte {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.AppendInt(dst, int64(f), 10)
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64)
}

// appendCell appends s, quoted when encoding/csv would quote it.
func (c *CSVWriter) appendCell(s string) {
	if !c.needsQuotes(s) {
		c.buf = append(c.buf, s...)
		return
	}
	c.appendQuoted(s)
}

func (c *CSVWriter) appendQuoted(s string) {
	c.buf = append(c.buf, '"')
	for i := 0; i < len(s); i++ {
		switch b := s[i]; b {
		case '"':
			c.buf = append(c.buf, '"', '"')
		case '\r':
			if !c.format.CRLF {
				c.buf = append(c.buf, '\r')
			}
		case '\n':
			c.buf = append(c.buf, c.newline...)
		default:
			c.buf = append(c.buf, b)
		}
	}
	c.buf = append(c.buf, '"')
}

// needsQuotes is encoding/csv's fieldNeedsQuotes.
func (c *CSVWriter) needsQuotes(s string) bool {
	if s == "" {
		return false
	}
	if s == `\.` {
		return true
	}
	comma := c.format.Comma
	if comma < utf8.RuneSelf {
		for i := 0; i < len(s); i++ {
			if c.special[s[i]] {
				return true
			}
		}
	} else {
		for _, r := range s {
			if r == '\n' || r == '\r' || r == '"' || r == comma {
				return true
			}
		}
	}
	if b := s[0]; b < utf8.RuneSelf {
		return b == ' ' || b == '\t' || b == '\v' || b == '\f' // unicode.IsSpace for ASCII; \r \n are caught above
	}
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r)
}
