package batch

import "github.com/scoregate/scoregate"

// Reader is a table read one record at a time: a header row naming the
// columns, then data records. CSVReader implements it; an XLSX sheet reader
// does too.
type Reader interface {
	// Header is the first row: the column names, as the file writes them.
	Header() []string
	// Next advances to the next data record. It returns false at the end
	// of the table or on an error that ends it (see Err).
	Next() bool
	// Record is the current record's cells. The slice is reused by Next;
	// the strings are not, so they may be kept.
	Record() []string
	// RecordErr is the current record's own problem (a ragged row, a stray
	// quote, text that is not UTF-8), or nil. Such a record is reported in
	// its Errors cell and not scored; it does not end the table.
	RecordErr() error
	// Line is the line of the file (1 for the header) the current record
	// starts on.
	Line() int
	// InputOffset is how many bytes of the file have been read, for
	// progress reports against the file's size.
	InputOffset() int64
	// Err is the error that ended the table early, nil at its normal end.
	Err() error
}

// RowWriter writes scored rows: every input column unchanged, then the
// model's outputs, then ErrorsColumn.
type RowWriter interface {
	// WriteHeader writes the header row: the input columns, the output
	// columns and ErrorsColumn.
	WriteHeader(input, output []string) error
	// WriteRow writes one row. input is as long as the header; output
	// holds the model's results (all missing for a failed row); rowErr is
	// the row's error, nil for a row scored.
	WriteRow(input []string, output []scoregate.Value, rowErr error) error
	// Flush writes anything buffered.
	Flush() error
	// BytesWritten is how many bytes have reached the underlying writer.
	BytesWritten() int64
}

// ErrorsColumn is the name of the last output column: empty for a row
// scored, the row's error otherwise.
const ErrorsColumn = "Errors"

// CellKind is what a cell of a typed table (an XLSX sheet) holds, so that
// a job writing a typed output can keep numbers, dates and booleans as
// they came, whatever their text.
type CellKind uint8

// The kinds of cell. The zero value, CellText, is also the kind of an
// empty cell and of any cell whose kind is unknown.
const (
	CellText   CellKind = iota // text, as the record holds it
	CellNumber                 // a number, its text as the file writes it ("1.5", "1E-3")
	CellBool                   // TRUE or FALSE
	CellDate                   // a date ("2006-01-02") or date and time ("2006-01-02T15:04:05.999") in ISO 8601
	CellError                  // a spreadsheet error such as "#DIV/0!"
)

// KindReader is a Reader that knows the kind of each cell. XLSXReader
// implements it; Score passes the kinds to a KindWriter.
type KindReader interface {
	Reader
	// RecordKinds returns the kinds of the current record's cells, as long
	// as Record. The slice is reused by Next.
	RecordKinds() []CellKind
}

// KindWriter is a RowWriter that writes input cells by kind. XLSXWriter
// implements it; Score calls WriteRowKinds instead of WriteRow when its
// Reader is a KindReader.
type KindWriter interface {
	RowWriter
	// WriteRowKinds is WriteRow with the kind of each input cell.
	WriteRowKinds(input []string, kinds []CellKind, output []scoregate.Value, rowErr error) error
}
