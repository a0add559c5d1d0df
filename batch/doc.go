// Package batch scores tables of rows: it streams a CSV file or an XLSX
// sheet (XLSXReader, XLSXWriter) through a scoregate.Scorer and
// writes every input column back with the model's outputs and an Errors
// column.
//
// A table is read one record at a time into reused buffers and scored in
// chunks of a few thousand rows, so memory stays flat whatever the size of
// the file. A row the model cannot score, or a record the reader cannot
// make sense of (a ragged row, a stray quote, bytes that are not text), is
// reported in its own Errors cell; only problems with the whole file (no
// header, a missing required column, a record longer than the limit) or a
// failed-row fraction above the job's threshold fail the job.
//
//	in, err := batch.NewCSVReader(f, batch.CSVOptions{})
//	...
//	out := batch.NewCSVWriter(w, in.Format())
//	stats, err := batch.Score(ctx, model, in, out, batch.ScoreOptions{})
//
// An XLSX sheet keeps its cells' kinds from input to output: XLSXReader is
// a KindReader and XLSXWriter a KindWriter, so numbers, dates and booleans
// stay what they were whatever their text.
package batch
