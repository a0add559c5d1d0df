package batch

import (
	"io"
	"strconv"
	"time"

	"github.com/scoregate/scoregate"
	"github.com/scoregate/scoregate/workbook"
)

// XLSXWriteOptions configure an XLSXWriter. The zero value writes a sheet
// named "Sheet1" with workbook's default compression.
type XLSXWriteOptions struct {
	// Sheet is the sheet's name; empty means "Sheet1". A job reading a
	// sheet passes its name on (XLSXReader.Sheet).
	Sheet string
	// Level is the deflate level, 1 to 9; 0 means workbook.DefaultLevel.
	Level int
	// TempDir is where the compressed sheet waits for the end of the job
	// (see workbook.Writer); empty means os.TempDir().
	TempDir string
}

// XLSXWriter writes scored rows as one sheet of an XLSX workbook. It
// implements RowWriter and KindWriter.
//
// The header is bold and frozen. Input cells keep their kind when the
// reader knows it (an XLSX input); otherwise (a CSV input) a cell is a
// number when its text is a plain decimal number Excel shows as written
// (workbook.IsPlainNumber: no "007", no "+1", no spaces, at most 15
// significant digits) and text in every other case. Outputs are written by
// their kind: numbers, booleans, text; a missing output is an empty cell.
// The Errors cell is text.
//
// An XLSX file can only be written whole: Flush finishes it, and the rows
// reach the underlying writer then. Close removes the temporary file of an
// unfinished workbook (a failed job) and must be called either way.
type XLSXWriter struct {
	out     *byteCounter
	wb      *workbook.Writer
	flushed bool
}

var _ KindWriter = (*XLSXWriter)(nil)

// NewXLSXWriter returns a writer of an XLSX file to w.
func NewXLSXWriter(w io.Writer, opts XLSXWriteOptions) *XLSXWriter {
	out := &byteCounter{w: w}
	return &XLSXWriter{out: out, wb: workbook.NewWriter(out, workbook.WriterOptions{Sheet: opts.Sheet, Level: opts.Level, TempDir: opts.TempDir})}
}

// WriteHeader writes the input columns, the output columns and
// ErrorsColumn.
func (x *XLSXWriter) WriteHeader(input, output []string) error {
	names := make([]string, 0, len(input)+len(output)+1)
	names = append(append(append(names, input...), output...), ErrorsColumn)
	return x.wb.WriteHeader(names)
}

// WriteRow writes one row whose input cells are of unknown kind: plain
// numbers become numbers, anything else text.
func (x *XLSXWriter) WriteRow(input []string, output []scoregate.Value, rowErr error) error {
	for _, s := range input {
		if !x.wb.NumberText(s) {
			x.wb.String(s)
		}
	}
	return x.finishRow(output, rowErr)
}

// WriteRowKinds writes one row whose input cells are of known kinds. A
// cell whose text does not read as its kind (a number cell made text by a
// reader) is written as text.
func (x *XLSXWriter) WriteRowKinds(input []string, kinds []CellKind, output []scoregate.Value, rowErr error) error {
	for i, s := range input {
		kind := CellText
		if i < len(kinds) {
			kind = kinds[i]
		}
		x.writeCell(s, kind)
	}
	return x.finishRow(output, rowErr)
}

func (x *XLSXWriter) writeCell(s string, kind CellKind) {
	switch kind {
	case CellNumber:
		if x.wb.NumberText(s) {
			return
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			x.wb.Number(f)
			return
		}
	case CellBool:
		switch s {
		case "TRUE":
			x.wb.Bool(true)
			return
		case "FALSE":
			x.wb.Bool(false)
			return
		}
	case CellDate:
		layout := dateLayout
		if len(s) > len(dateLayout) {
			layout = "2006-01-02T15:04:05"
		}
		if t, err := time.Parse(layout, s); err == nil {
			x.wb.Date(t)
			return
		}
	case CellError:
		if s != "" {
			x.wb.Error(s)
			return
		}
	}
	x.wb.String(s)
}

func (x *XLSXWriter) finishRow(output []scoregate.Value, rowErr error) error {
	for i := range output {
		v := &output[i]
		switch v.Kind {
		case scoregate.KindMissing:
			x.wb.Skip()
		case scoregate.KindNumber:
			x.wb.Number(v.Num)
		case scoregate.KindBool:
			x.wb.Bool(v.Num != 0)
		default:
			x.wb.String(v.Str)
		}
	}
	if rowErr != nil {
		x.wb.String(rowErr.Error())
	}
	return x.wb.EndRow()
}

// Flush finishes the workbook and writes it to the underlying writer. No
// row can be written after it.
func (x *XLSXWriter) Flush() error {
	x.flushed = true
	return x.wb.Close()
}

// Close abandons a workbook Flush has not finished (a failed job), writing
// nothing more and removing its temporary file; after Flush it does
// nothing. It does not close the underlying writer.
func (x *XLSXWriter) Close() error {
	if !x.flushed {
		x.wb.Discard()
	}
	return nil
}

// BytesWritten returns the bytes written to the underlying writer once the
// workbook is finished, and before that the compressed size of the rows so
// far, which is what the file is growing to.
func (x *XLSXWriter) BytesWritten() int64 {
	if x.out.n > 0 {
		return x.out.n
	}
	return x.wb.CompressedBytes()
}

// byteCounter counts the bytes written through it.
type byteCounter struct {
	w io.Writer
	n int64
}

func (c *byteCounter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
