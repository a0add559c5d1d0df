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
