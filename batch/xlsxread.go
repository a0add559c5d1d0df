package batch

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/workbook"
)

// XLSXOptions configure an XLSXReader. The zero value reads the first
// sheet with workbook's default limits.
type XLSXOptions struct {
	// Sheet is the sheet to read, by name (case-insensitively); empty means
	// the first sheet.
	Sheet string
	// HeaderRow is the sheet row (1-based) that holds the header, for a
	// sheet with something above its table (a title, a banner); 0 means
	// the first row that is not empty.
	HeaderRow int
	// MaxUnzippedBytes bounds the decompressed size of each part of the
	// file (see workbook.ReaderOptions); 0 means the default.
	MaxUnzippedBytes int64
}

// XLSXReader reads a sheet of an XLSX workbook as a table. It implements
// Reader and KindReader.
//
// The first row that is not empty is the header; its cells name the
// columns, and the header ends at its last cell that is not empty. An empty
// cell inside the header is an unnamed column, as in a CSV file: kept, and
// never matched to a model input. Rows that are entirely empty are
// skipped. Cells become text the way a user reads them: a number as the
// sheet writes it ("0.25", "1E-3"), a boolean as TRUE or FALSE, a date in
// ISO 8601 ("2024-03-01", or "2024-03-01T12:30:00" with a time, with a
// fraction of a second only when there is one), an error as its text
// ("#N/A"), an empty cell as "". A row shorter than the header is padded
// with empty cells, since spreadsheets leave trailing empty cells out; a row
// with a value to the right of the header has a record error.
type XLSXReader struct {
	rd       *workbook.Reader
	date1904 bool
	header   []string
	record   []string
	kinds    []CellKind
	recErr   error
	err      error

	buf   []byte  // the texts of the row's cells that are not strings already
	spans []int32 // per cell, its end in buf, or -1 when the text is elsewhere
}

var _ KindReader = (*XLSXReader)(nil)

// NewXLSXReader opens the XLSX file r of the given size and reads the
// header of the sheet opts names. It fails when the file is not an XLSX
// workbook, has no such sheet, or the sheet has no header row or names a
// column twice. The caller closes the reader when done.
func NewXLSXReader(r io.ReaderAt, size int64, opts XLSXOptions) (*XLSXReader, error) {
	rd, err := workbook.OpenReader(r, size, workbook.ReaderOptions{Sheet: opts.Sheet, MaxUnzippedBytes: opts.MaxUnzippedBytes})
	if err != nil {
		return nil, xlsxError(err)
	}
	x := &XLSXReader{rd: rd, date1904: rd.Date1904()}
	found := x.read()
	for found && rd.RowNumber() < opts.HeaderRow {
		found = x.read()
	}
	if !found || opts.HeaderRow > 0 && rd.RowNumber() != opts.HeaderRow {
		err := x.err
		switch {
		case err != nil:
		case opts.HeaderRow > 0:
			err = badFile(0, "row %d of sheet %q, which should hold the header, is empty", opts.HeaderRow, rd.Sheet())
		default:
			err = badFile(0, "sheet %q has no header row", rd.Sheet())
		}
		rd.Close()
		return nil, err
	}
	x.header = make([]string, len(x.record))
	for i, s := range x.record {
		x.header[i] = strings.Clone(s)
	}
	if err := CheckHeader(x.header); err != nil {
		rd.Close()
		return nil, err
	}
	return x, nil
}

// xlsxError makes an error of the workbook package, which is about the
// file, a user's error; others (failed reads) stay as they are.
func xlsxError(err error) error {
	for _, e := range []error{workbook.ErrNotXLSX, workbook.ErrMalformed, workbook.ErrTooLarge, workbook.ErrSheetNotFound, workbook.ErrMissingPart} {
		if errors.Is(err, e) {
			return &scoregate.Error{Class: scoregate.BadUserArgument, Code: scoregate.CodeInputParseError, Message: "read the XLSX file", Err: err}
		}
	}
	return fmt.Errorf("read the XLSX file: %w", err)
}

// Sheet returns the name of the sheet being read.
func (x *XLSXReader) Sheet() string { return x.rd.Sheet() }

// Header returns the column names.
func (x *XLSXReader) Header() []string { return x.header }

// Record returns the current record's cells, as many as the header's.
func (x *XLSXReader) Record() []string { return x.record }

// RecordKinds returns the kinds of the current record's cells.
func (x *XLSXReader) RecordKinds() []CellKind { return x.kinds }

// RecordErr returns the current record's error: a value beyond the
// header's columns.
func (x *XLSXReader) RecordErr() error { return x.recErr }

// Line returns the sheet's row number of the current record.
func (x *XLSXReader) Line() int { return x.rd.RowNumber() }

// InputOffset estimates the bytes of the file read so far from the
// compressed bytes of the sheet inflated (see workbook.Reader.InputOffset);
// it reaches the file's size at the end of the sheet.
func (x *XLSXReader) InputOffset() int64 { return x.rd.InputOffset() }

// Err returns the error that ended the sheet early.
func (x *XLSXReader) Err() error { return x.err }

// Close releases the workbook reader; it does not close the file.
func (x *XLSXReader) Close() error { return x.rd.Close() }

// Next reads the next row that is not empty.
func (x *XLSXReader) Next() bool {
	if x.err != nil || !x.read() {
		return false
	}
	if len(x.record) > len(x.header) {
		col := len(x.record) - 1
		x.recErr = badRecord("row %d has a value in column %s, right of the header's %d columns",
			x.rd.RowNumber(), workbook.ColumnName(col), len(x.header))
		x.record, x.kinds = x.record[:len(x.header)], x.kinds[:len(x.header)]
		return true
	}
	for len(x.record) < len(x.header) {
		x.record = append(x.record, "")
		x.kinds = append(x.kinds, CellText)
	}
	return true
}

// read reads the next row that is not empty into record and kinds, up to
// its last cell that is not empty.
func (x *XLSXReader) read() bool {
	x.recErr = nil
	for x.rd.Next() {
		cells := x.rd.Row()
		last := len(cells) - 1
		for last >= 0 && blank(&cells[last]) {
			last--
		}
		if last < 0 {
			continue
		}
		x.convert(cells[:last+1])
		return true
	}
	if err := x.rd.Err(); err != nil {
		x.err = xlsxError(err)
	}
	return false
}

func blank(c *workbook.Cell) bool {
	return c.Kind == workbook.Empty || (c.Kind == workbook.String && c.Str == "")
}

// ISO 8601 layouts of date cells.
const (
	dateLayout     = "2006-01-02"
	dateTimeLayout = "2006-01-02T15:04:05.999"
)

// convert sets record and kinds from cells. The texts that are not strings
// already (numbers, dates) are gathered in buf and made one string, so a
// row costs one allocation.
func (x *XLSXReader) convert(cells []workbook.Cell) {
	x.record, x.kinds = x.record[:0], x.kinds[:0]
	x.buf, x.spans = x.buf[:0], x.spans[:0]
	for i := range cells {
		c := &cells[i]
		span := int32(-1)
		var s string
		kind := CellText
		switch c.Kind {
		case workbook.String:
			s = c.Str
		case workbook.Error:
			s, kind = c.Str, CellError
		case workbook.Bool:
			s, kind = "FALSE", CellBool
			if c.Num != 0 {
				s = "TRUE"
			}
		case workbook.Date:
			if t, ok := c.Time(x.date1904); ok {
				layout := dateLayout
				if t.Hour() != 0 || t.Minute() != 0 || t.Second() != 0 || t.Nanosecond() != 0 {
					layout = dateTimeLayout
				}
				x.buf = t.AppendFormat(x.buf, layout)
				span, kind = int32(len(x.buf)), CellDate
				break
			}
			fallthrough // a serial no calendar shows: keep the number
		case workbook.Number:
			x.buf = append(x.buf, trimSpaceBytes(c.Raw)...)
			span, kind = int32(len(x.buf)), CellNumber
		}
		x.record = append(x.record, s)
		x.kinds = append(x.kinds, kind)
		x.spans = append(x.spans, span)
	}
	if len(x.buf) == 0 {
		return
	}
	all := string(x.buf)
	start := int32(0)
	for i, end := range x.spans {
		if end >= 0 {
			x.record[i] = all[start:end]
			start = end
		}
	}
}

func trimSpaceBytes(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\n' || b[0] == '\r') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
