package batch

import "io"

// openXLSX opens a job's XLSX input.
func openXLSX(f io.ReaderAt, size int64, sheet string, headerRow int) (Reader, func(), error) {
	in, err := NewXLSXReader(f, size, XLSXOptions{Sheet: sheet, HeaderRow: headerRow})
	if err != nil {
		return nil, nil, err
	}
	return in, func() { in.Close() }, nil
}
