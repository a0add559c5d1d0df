package workbook

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/flate"
)

// DefaultLevel is the deflate level NewWriter uses by default, chosen by
// measurement (BenchmarkWriterLevels, 100,000 rows of 23 numbers on two
// busy cores): levels 1 to 4 write 170,000-230,000 rows/s and files within
// 4% of each other (18.0-18.7 MB); levels 5 and 6 are 9% smaller and a
// third slower; level 9 is 15% smaller and fifty times slower. Level 1 is
// among the fastest and never far from the smallest of the fast ones.
const DefaultLevel = 1

// MaxCellChars is the most characters (UTF-16 code units, as Excel counts
// them) a cell may hold. Writer cuts longer text to this length rather than
// fail the whole file over one cell.
const MaxCellChars = 32767

// WriterOptions configures NewWriter. The zero value writes a sheet named
// "Sheet1" at DefaultLevel, spilling to the system's temporary directory.
type WriterOptions struct {
	// Sheet is the sheet's name; empty means "Sheet1". A name Excel would
	// refuse (longer than 31 characters, with one of []:*?/\, or starting
	// or ending with an apostrophe) fails the first write.
	Sheet string
	// Level is the deflate level, 1 (fastest) to 9 (smallest); 0 means
	// DefaultLevel.
	Level int
	// TempDir is where the compressed sheet is kept until Close once it
	// passes a megabyte; empty means os.TempDir().
	TempDir string
}

// Style indexes of the cellXfs the writer's styles part declares.
const (
	styleDefault  = 0
	styleHeader   = 1 // bold
	styleDate     = 2 // numFmt 14: a date
	styleDateTime = 3 // numFmt 22: a date and a time
)

// Writer writes one worksheet of an XLSX file a row at a time, in memory
// that does not grow with the number of rows.
//
// A row is built by calling the cell methods (Number, NumberText, String,
// Bool, Date, Error, Skip) left to right and ended by EndRow; WriteRow and
// WriteHeader do both for a whole row. Cell methods do not return errors:
// a problem (too many columns or rows, a bad sheet name, a failed write) is
// kept and returned by EndRow, WriteRow and Close, and later calls do
// nothing.
//
// The sheet's XML is compressed as rows arrive, into memory and, past a
// megabyte, a temporary file, because its <dimension> element (which
// openpyxl's read-only mode and others trust to know how many rows to
// read) comes before the rows and is known only at the end. Close writes
// the package to the underlying writer: the small parts, then the sheet,
// its compressed head (with the dimension) spliced before the compressed
// rows without recompressing them. Nothing reaches the underlying writer
// before Close.
//
// A Writer is not safe for concurrent use.
type Writer struct {
	out   io.Writer
	opts  WriterOptions
	sheet string
	err   error

	buf   []byte // row XML not yet compressed
	body  *spill // compressed rows
	fw    *flate.Writer
	crc   uint32 // of the rows' XML
	size  int64  // of the rows' XML
	level int

	row    int // rows ended so far; the current row is row+1
	col    int // next column of the current row
	inRow  bool
	maxCol int // highest column + 1 of any row
	maxRow int // last row with a cell
	header bool
	closed bool
	rowNum [8]byte // the current row's number, as text
	rowLen int
}

// ErrWriterClosed is returned by writes after Close.
var ErrWriterClosed = errors.New("workbook: writer closed")

// NewWriter returns a Writer of an XLSX file to w. Close finishes the file;
// it does not close w.
func NewWriter(w io.Writer, opts WriterOptions) *Writer {
	wr := &Writer{out: w, opts: opts, sheet: opts.Sheet, level: opts.Level, buf: make([]byte, 0, flushRows+16<<10)}
	if wr.sheet == "" {
		wr.sheet = "Sheet1"
	}
	if wr.level == 0 {
		wr.level = DefaultLevel
	}
	if err := checkSheetName(wr.sheet); err != nil {
		wr.err = err
	} else if wr.level < flate.BestSpeed || wr.level > flate.BestCompression {
		wr.err = fmt.Errorf("workbook: compression level %d: want 1 to 9", wr.level)
	}
	wr.body = &spill{dir: opts.TempDir}
	if wr.err == nil {
		wr.fw, wr.err = flate.NewWriter(wr.body, wr.level)
	}
	return wr
}

// checkSheetName applies Excel's rules for sheet names.
func checkSheetName(name string) error {
	switch {
	case !utf8.ValidString(name) || utf16Len(name) > 31:
		return fmt.Errorf("workbook: sheet name %q: want at most 31 characters of text", name)
	case strings.ContainsAny(name, `[]:*?/\`):
		return fmt.Errorf("workbook: sheet name %q: it may not contain any of []:*?/\\", name)
	case strings.HasPrefix(name, "'") || strings.HasSuffix(name, "'"):
		return fmt.Errorf("workbook: sheet name %q: it may not start or end with an apostrophe", name)
	case strings.EqualFold(name, "History"):
		return fmt.Errorf("workbook: sheet name %q is reserved by Excel", name)
	}
	for _, r := range name {
		if r < 0x20 || !carriesXMLChar(r) {
			return fmt.Errorf("workbook: sheet name %q: it holds a control character", name)
		}
	}
	return nil
}

// flushRows is the size of row XML compressed at once.
const flushRows = 64 << 10

// startCell appends a cell's opening up to and including its reference
// and returns false when the cell cannot be written.
func (w *Writer) startCell() bool {
	if w.err != nil {
		return false
	}
	if w.closed {
		w.err = ErrWriterClosed
		return false
	}
	if w.col >= MaxColumns {
		w.err = fmt.Errorf("workbook: row %d: more than %d columns", w.row+1, MaxColumns)
		return false
	}
	if !w.inRow {
		if w.row >= MaxRows {
			w.err = fmt.Errorf("workbook: more than %d rows", MaxRows)
			return false
		}
		w.inRow = true
		w.rowLen = len(strconv.AppendInt(w.rowNum[:0], int64(w.row+1), 10))
		w.buf = append(w.buf, `<row r="`...)
		w.buf = append(w.buf, w.rowNum[:w.rowLen]...)
		w.buf = append(w.buf, `">`...)
	}
	w.buf = append(w.buf, `<c r="`...)
	w.buf = appendColumn(w.buf, w.col)
	w.buf = append(w.buf, w.rowNum[:w.rowLen]...)
	w.buf = append(w.buf, '"')
	w.col++
	w.maxCol = max(w.maxCol, w.col)
	w.maxRow = w.row + 1
	return true
}

// appendColumn appends the letters of a 0-based column ("A", "AB").
func appendColumn(dst []byte, col int) []byte {
	switch {
	case col < 26:
		return append(dst, byte('A'+col))
	case col < 26+26*26:
		col -= 26
		return append(dst, byte('A'+col/26), byte('A'+col%26))
	default:
		col -= 26 + 26*26
		return append(dst, byte('A'+col/676), byte('A'+col/26%26), byte('A'+col%26))
	}
}

// Skip leaves the next cell of the row empty.
func (w *Writer) Skip() {
	if w.err == nil && w.col >= MaxColumns {
		w.err = fmt.Errorf("workbook: row %d: more than %d columns", w.row+1, MaxColumns)
	}
	if w.err == nil && !w.closed {
		w.col++
	}
}

// Number appends a number cell, in the shortest form that reads back
// exactly. Excel has no NaN or infinity: those are written as the error
// #NUM!.
func (w *Writer) Number(f float64) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		w.Error("#NUM!")
		return
	}
	if !w.startCell() {
		return
	}
	w.buf = append(w.buf, "><v>"...)
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		w.buf = strconv.AppendInt(w.buf, int64(f), 10)
	} else {
		w.buf = strconv.AppendFloat(w.buf, f, 'g', -1, 64)
	}
	w.buf = append(w.buf, "</v></c>"...)
}

// NumberText appends s as a number cell, kept as the text it is, when s is
// a plain decimal number that Excel reads back as the same text: an
// optional minus, digits without a leading zero, an optional fraction and
// exponent, and no more than 15 significant digits (Excel shows no more,
// so a 16-digit identifier would change). It reports false, and appends
// nothing, for any other text.
func (w *Writer) NumberText(s string) bool {
	if !IsPlainNumber(s) {
		return false
	}
	if w.startCell() {
		w.buf = append(w.buf, "><v>"...)
		w.buf = append(w.buf, s...)
		w.buf = append(w.buf, "</v></c>"...)
	}
	return true
}

// IsPlainNumber reports whether NumberText would write s as a number.
func IsPlainNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	start, digits, leading := i, 0, true
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if s[i] != '0' || !leading {
			leading = false
			digits++
		}
	}
	switch n := i - start; {
	case n == 0:
		return false
	case n > 1 && s[start] == '0':
		return false // 007
	}
	if i < len(s) && s[i] == '.' {
		i++
		frac := i
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			if s[i] != '0' || !leading {
				leading = false
				digits++
			}
		}
		if i == frac {
			return false // "1."
		}
	}
	if digits > 15 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := i
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		}
		if i == exp || i-exp > 3 {
			return false
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(f, 0) || (f == 0 && digits > 0) {
			return false // out of range, or a denormal Excel cannot hold
		}
	}
	return i == len(s)
}

// Bool appends a TRUE or FALSE cell.
func (w *Writer) Bool(b bool) {
	if !w.startCell() {
		return
	}
	if b {
		w.buf = append(w.buf, ` t="b"><v>1</v></c>`...)
	} else {
		w.buf = append(w.buf, ` t="b"><v>0</v></c>`...)
	}
}

// Date appends t (its wall clock, whatever its location) as a date serial
// in the 1900 date system, shown as a date (built-in format 14) when it
// has no time of day and as a date and time (format 22) otherwise. A time
// before 1900-03-01 or after 9999-12-31, which Excel cannot show, is
// written as text in ISO 8601 form.
func (w *Writer) Date(t time.Time) {
	serial, ok := excelSerial(t)
	if !ok {
		var b [40]byte
		w.String(string(t.AppendFormat(b[:0], "2006-01-02T15:04:05.999999999")))
		return
	}
	if !w.startCell() {
		return
	}
	style := styleDate
	if serial != math.Trunc(serial) {
		style = styleDateTime
	}
	w.buf = append(w.buf, ` s="`...)
	w.buf = strconv.AppendInt(w.buf, int64(style), 10)
	w.buf = append(w.buf, `"><v>`...)
	w.buf = strconv.AppendFloat(w.buf, serial, 'f', -1, 64)
	w.buf = append(w.buf, "</v></c>"...)
}

// excelSerial is the inverse of ExcelTime in the 1900 system for times
// from 1900-03-01, where the two systems' phantom leap day no longer
// matters.
func excelSerial(t time.Time) (float64, bool) {
	y, m, d := t.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if y > 9999 || day.Before(time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)) {
		return 0, false
	}
	days := float64((day.Unix() - epoch1900.Unix()) / 86400) // a Duration would overflow after 292 years
	clock := time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute +
		time.Duration(t.Second())*time.Second + time.Duration(t.Nanosecond())
	return days + float64(clock)/float64(24*time.Hour), true
}

// Error appends an error cell such as "#N/A" or "#DIV/0!".
func (w *Writer) Error(text string) {
	if !w.startCell() {
		return
	}
	w.buf = append(w.buf, ` t="e"><v>`...)
	w.buf = appendEscaped(w.buf, text, false)
	w.buf = append(w.buf, "</v></c>"...)
}

// String appends a text cell (an inline string). The empty string leaves
// the cell empty. Characters XML cannot carry are written as the _xHHHH_
// escapes Excel uses, bytes that are not UTF-8 as U+FFFD, and text longer
// than MaxCellChars is cut to that length.
func (w *Writer) String(s string) { w.appendString(s, styleDefault) }

func (w *Writer) appendString(s string, style int) {
	if s == "" {
		w.Skip()
		return
	}
	if !w.startCell() {
		return
	}
	if style != styleDefault {
		w.buf = append(w.buf, ` s="`...)
		w.buf = strconv.AppendInt(w.buf, int64(style), 10)
		w.buf = append(w.buf, '"')
	}
	if len(s) > MaxCellChars {
		s = truncateUTF16(s, MaxCellChars)
	}
	w.buf = append(w.buf, ` t="inlineStr"><is><t`...)
	if isSpaceByte(s[0]) || isSpaceByte(s[len(s)-1]) {
		w.buf = append(w.buf, ` xml:space="preserve"`...)
	}
	w.buf = append(w.buf, '>')
	w.buf = appendEscaped(w.buf, s, true)
	w.buf = append(w.buf, "</t></is></c>"...)
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// EndRow ends the current row; a row without cells is left blank. It
// returns the first error met so far.
func (w *Writer) EndRow() error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		w.err = ErrWriterClosed
		return w.err
	}
	if w.inRow {
		w.buf = append(w.buf, "</row>"...)
	} else if w.row >= MaxRows {
		w.err = fmt.Errorf("workbook: more than %d rows", MaxRows)
		return w.err
	}
	w.row++
	w.col, w.inRow = 0, false
	if len(w.buf) >= flushRows {
		w.compress()
	}
	return w.err
}

// compress hands the buffered row XML to the compressor.
func (w *Writer) compress() {
	if w.err != nil || len(w.buf) == 0 {
		return
	}
	w.crc = crc32.Update(w.crc, crc32.IEEETable, w.buf)
	w.size += int64(len(w.buf))
	if _, err := w.fw.Write(w.buf); err != nil {
		w.err = fmt.Errorf("workbook: compress the sheet: %w", err)
	}
	w.buf = w.buf[:0]
}

// WriteHeader writes names as the sheet's first row, in bold, and freezes
// it so it stays in view. It must come before any other row.
func (w *Writer) WriteHeader(names []string) error {
	if w.err == nil && (w.row > 0 || w.inRow) {
		w.err = errors.New("workbook: WriteHeader after the first row")
	}
	for _, s := range names {
		w.appendString(s, styleHeader)
	}
	w.header = w.err == nil
	return w.EndRow()
}

// WriteRow writes cells as one row, each by its Kind: Number and Date cells
// from Num (a Date's Num is a serial in the 1900 system), Bool from Num,
// String and Error from Str; Empty cells are skipped. Col is ignored: the
// cells are written left to right.
func (w *Writer) WriteRow(cells []Cell) error {
	for i := range cells {
		c := &cells[i]
		switch c.Kind {
		case Number:
			w.Number(c.Num)
		case Date:
			if t, ok := ExcelTime(c.Num, false); ok {
				w.Date(t)
			} else {
				w.Number(c.Num)
			}
		case Bool:
			w.Bool(c.Num != 0)
		case String:
			w.String(c.Str)
		case Error:
			w.Error(c.Str)
		default:
			w.Skip()
		}
	}
	return w.EndRow()
}

// Rows returns the number of rows ended so far.
func (w *Writer) Rows() int { return w.row }

// CompressedBytes returns how many bytes of compressed rows the writer
// holds so far: the size the file is growing to, since nothing reaches the
// underlying writer before Close.
func (w *Writer) CompressedBytes() int64 { return w.body.n }
