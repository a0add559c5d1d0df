package workbook

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Default limits of ReaderOptions.
const (
	DefaultMaxUnzippedBytes      = 1 << 30
	DefaultMaxSharedStringsBytes = 256 << 20
)

// Limits of the spreadsheet grid (Excel 2007 and later).
const (
	MaxColumns = 16384
	MaxRows    = 1048576
)

// ReaderOptions configures OpenReader. The zero value reads the first sheet
// with the default limits.
type ReaderOptions struct {
	// Sheet is the name of the sheet to read; empty means the first sheet in
	// workbook order.
	Sheet string
	// MaxUnzippedBytes bounds the decompressed size of each part read. It is
	// counted as bytes are inflated, so a zip bomb fails fast whatever its
	// headers claim. Zero means DefaultMaxUnzippedBytes.
	MaxUnzippedBytes int64
	// MaxSharedStringsBytes bounds the memory the shared string table may
	// take. Zero means DefaultMaxSharedStringsBytes.
	MaxSharedStringsBytes int64
}

// Reader streams the rows of one worksheet of an XLSX file. It holds the
// shared string table and the date styles in memory and the sheet's XML only
// a buffer at a time. A Reader is not safe for concurrent use.
type Reader struct {
	pkg        *pkg
	sheetNames []string
	sheet      string
	date1904   bool
	isDate     []bool
	strs       *sharedStrings
	part       io.ReadCloser
	sc         *scanner

	inSheetData bool
	inRow       bool
	done        bool
	err         error
	rowNum      int
	cells       []Cell
	raw         []byte // the row's number texts; Cell.Raw points here
	tmp         []byte // inline string text

	src        *countingReaderAt
	size       int64
	sheetAt    int64 // offset of the sheet's compressed data in the file
	readAtOpen int64 // src.n once the sheet was opened
}

// countingReaderAt counts the bytes read through it.
type countingReaderAt struct {
	r io.ReaderAt
	n int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n += int64(n)
	return n, err
}

// OpenReader opens the XLSX file r of the given size and prepares to read
// the sheet opts selects.
func OpenReader(r io.ReaderAt, size int64, opts ReaderOptions) (*Reader, error) {
	if opts.MaxUnzippedBytes <= 0 {
		opts.MaxUnzippedBytes = DefaultMaxUnzippedBytes
	}
	if opts.MaxSharedStringsBytes <= 0 {
		opts.MaxSharedStringsBytes = DefaultMaxSharedStringsBytes
	}
	src := &countingReaderAt{r: r}
	p, err := openPackage(src, size, opts.MaxUnzippedBytes)
	if err != nil {
		return nil, err
	}
	info, err := p.workbook()
	if err != nil {
		return nil, err
	}
	rd := &Reader{pkg: p, date1904: info.date1904, src: src, size: size}
	for _, s := range info.sheets {
		rd.sheetNames = append(rd.sheetNames, s.name)
	}
	ref, err := pickSheet(info.sheets, opts.Sheet)
	if err != nil {
		return nil, err
	}
	rd.sheet = ref.name
	if rd.isDate, err = p.dateStyles(info.styles); err != nil {
		return nil, err
	}
	// A workbook without shared strings is valid; a sheet that then uses
	// one fails on that cell.
	rd.strs = &sharedStrings{}
	if p.has(info.sharedStrings) {
		if rd.strs, err = loadSharedStrings(p, info.sharedStrings, opts.MaxSharedStringsBytes); err != nil {
			return nil, err
		}
	}
	if rd.part, err = p.open(ref.part); err != nil {
		return nil, fmt.Errorf("%w (sheet %q)", err, ref.name)
	}
	rd.sc = newScanner(rd.part)
	if f := p.parts[strings.ToLower(ref.part)]; f != nil {
		rd.sheetAt, _ = f.DataOffset()
	}
	rd.readAtOpen = src.n
	return rd, nil
}

// InputOffset estimates how far into the file reading has got, for
// progress against its size: the offset of the sheet's compressed data
// plus the compressed bytes read from it so far (which run a buffer ahead
// of the rows returned), and the whole size once the sheet has ended. The
// parts read by OpenReader (shared strings, styles) count as read then
// only when they lie before the sheet, as Excel and excelize place them.
func (r *Reader) InputOffset() int64 {
	if r.done && r.err == nil {
		return r.size
	}
	return min(r.size, r.sheetAt+r.src.n-r.readAtOpen)
}

func pickSheet(sheets []sheetRef, name string) (sheetRef, error) {
	if len(sheets) == 0 {
		return sheetRef{}, fmt.Errorf("workbook: %w: the workbook lists no sheets", ErrSheetNotFound)
	}
	if name == "" {
		return checkPart(sheets[0])
	}
	names := make([]string, len(sheets))
	for i, s := range sheets {
		if s.name == name {
			return checkPart(s)
		}
		names[i] = strconv.Quote(s.name)
	}
	// Excel treats sheet names case-insensitively.
	for _, s := range sheets {
		if strings.EqualFold(s.name, name) {
			return checkPart(s)
		}
	}
	return sheetRef{}, fmt.Errorf("workbook: %w: %q (sheets: %s)", ErrSheetNotFound, name, strings.Join(names, ", "))
}

func checkPart(s sheetRef) (sheetRef, error) {
	if s.part == "" {
		return s, fmt.Errorf("workbook: sheet %q has no worksheet relationship: %w", s.name, ErrMissingPart)
	}
	return s, nil
}

// SheetNames returns the workbook's sheet names in workbook order.
func (r *Reader) SheetNames() []string { return r.sheetNames }

// Sheet returns the name of the sheet being read.
func (r *Reader) Sheet() string { return r.sheet }

// Date1904 reports whether the workbook uses the 1904 date system.
func (r *Reader) Date1904() bool { return r.date1904 }

// Row returns the cells of the current row, indexed by column: Row()[i].Col
// is i, and columns the sheet leaves out are Empty cells. The slice and the
// cells' Raw bytes are reused and valid until the next call to Next.
func (r *Reader) Row() []Cell { return r.cells }

// RowNumber returns the 1-based spreadsheet row number of the current row.
// Rows the sheet leaves out are not returned, so numbers may skip.
func (r *Reader) RowNumber() int { return r.rowNum }

// Err returns the first error met by Next, if any.
func (r *Reader) Err() error { return r.err }

// Close releases the sheet's decompressor. It does not close the
// io.ReaderAt given to OpenReader.
func (r *Reader) Close() error {
	r.done = true
	if r.part == nil {
		return nil
	}
	err := r.part.Close()
	r.part = nil
	return err
}

// Next advances to the next row present in the sheet, including empty rows
// written as <row r="7"/>. It returns false at the end of the sheet or on an
// error, which Err then returns.
func (r *Reader) Next() bool {
	if r.err != nil || r.done {
		return false
	}
	r.cells, r.raw = r.cells[:0], r.raw[:0]
	for {
		if err := r.sc.next(); err != nil {
			return r.fail(err)
		}
		sc := r.sc
		switch sc.kind {
		case tokEOF:
			if r.inRow {
				return r.fail(io.ErrUnexpectedEOF)
			}
			r.done = true
			return false
		case tokStart:
			if !r.inSheetData {
				if string(sc.name) == "sheetData" {
					r.inSheetData = !sc.selfClose
					r.done = sc.selfClose
					if r.done {
						return false
					}
				}
				continue
			}
			switch string(sc.name) {
			case "row":
				if r.inRow {
					return r.fail(errors.New("<row> inside a row"))
				}
				if err := r.startRow(sc.attrs); err != nil {
					return r.fail(err)
				}
				if sc.selfClose {
					return true
				}
				r.inRow = true
			case "c":
				if !r.inRow {
					return r.fail(errors.New("cell outside a row"))
				}
				if err := r.readCell(); err != nil {
					return r.fail(err)
				}
			}
		case tokEnd:
			switch string(sc.name) {
			case "row":
				if r.inRow {
					r.inRow = false
					return true
				}
			case "sheetData":
				if r.inRow {
					return r.fail(errors.New("sheetData ends inside a row"))
				}
				r.done = true
				return false
			}
		}
	}
}

func (r *Reader) fail(err error) bool {
	if errors.Is(err, ErrTooLarge) {
		r.err = fmt.Errorf("workbook: sheet %q row %d: %w", r.sheet, r.rowNum, err)
	} else {
		r.err = fmt.Errorf("workbook: sheet %q row %d: %w: %w", r.sheet, r.rowNum, ErrMalformed, err)
	}
	r.done = true
	return false
}

func (r *Reader) startRow(attrs []byte) error {
	v, ok := attr(attrs, "r")
	if !ok {
		r.rowNum++
	} else {
		n, ok := atoi(v)
		if !ok || n < 1 || n > MaxRows {
			r.rowNum++
			return fmt.Errorf("invalid row number %q", v)
		}
		r.rowNum = n
	}
	return nil
}

// Texts reads a sheet of an XLSX file whole, each cell as Cell.Text gives
// it; sheet "" is the first. It is for small files (tests, previews):
// batch work streams with Reader.
func Texts(r io.ReaderAt, size int64, sheet string) ([][]string, error) {
	rd, err := OpenReader(r, size, ReaderOptions{Sheet: sheet})
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	var rows [][]string
	for rd.Next() {
		cells := rd.Row()
		row := make([]string, len(cells))
		for i, c := range cells {
			row[i] = c.Text()
		}
		rows = append(rows, row)
	}
	return rows, rd.Err()
}
