// Package workbook reads and writes the XLSX workbooks scoregate exchanges
// with analysts. It is the only package that imports excelize.
//
// Batch scoring reads large sheets through [Reader], a purpose-built
// streaming reader: archive/zip plus a byte-level scanner of the worksheet
// XML. It exists because excelize's Rows iterator spends most of its time in
// encoding/xml and allocation, which caps a batch job well below the rate the
// scoring path sustains. Reader understands only what a data sheet needs
// (cell values, shared strings, date formats); everything else about a
// workbook goes through excelize, and a differential fuzz test keeps the two
// in agreement.
//
//	rd, err := workbook.OpenReader(f, size, workbook.ReaderOptions{Sheet: "Input"})
//	if err != nil { ... }
//	defer rd.Close()
//	for rd.Next() {
//		for _, c := range rd.Row() {
//			switch c.Kind {
//			case workbook.Number:
//				use(c.Num)
//			}
//		}
//	}
//	if err := rd.Err(); err != nil { ... }
//
// Batch output goes through [Writer], a streaming writer of a one-sheet
// workbook: rows are formatted straight into XML without allocating and
// deflated with klauspost/compress as they come, and the package is put
// together at Close, when the sheet's dimension is known. excelize plays
// no part in it; the tests read its files back with excelize, Reader and
// LibreOffice.
//
//	w := workbook.NewWriter(out, workbook.WriterOptions{Sheet: "Scores"})
//	w.WriteHeader([]string{"id", "score"})
//	w.String("a1")
//	w.Number(0.25)
//	if err := w.EndRow(); err != nil { ... }
//	if err := w.Close(); err != nil { ... }
package workbook
