package batch

import "io"

// openXLSX opens a job's XLSX input.
func openXLSX(f io.ReaderAt, size int64, sheet string) (Reader, func(), error) {
	in, err := NewXLSXReader(f, size, XLSXOptions{Sheet: sheet})
	if err != nil {
		return nil, nil, err
	}
	return in, func() { in.Close() }, nil
}
