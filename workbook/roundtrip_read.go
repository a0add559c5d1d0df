package workbook

import (
	"fmt"
	"io"
	"strings"

	"github.com/scoregate/scoregate"
)

// rtRows are the input cells of the data rows that have at least one
// input filled, width (the number of input fields) cells a row.
type rtRows struct {
	n        int
	width    int
	rowNum   []int    // the sheet row of each data row
	cells    []string // the inputs' texts
	missing  []bool   // like cells: the cell means a missing value
	complete []bool   // every required input has a value
	lastRow  int      // a table's last data row, once grown to the rows typed below it
}

// readRows reads the header and the data rows of t with the streaming
// Reader, and fails with ErrTooManyRows (counting every data row) past
// opts.MaxRows.
func (t *rtTarget) readRows(src io.ReaderAt, size int64, fields []scoregate.Field, opts RoundTripOptions) (*rtRows, error) {
	in := &rtRows{width: len(fields)}
	rd, err := OpenReader(src, size, ReaderOptions{Sheet: t.sheet, MaxUnzippedBytes: opts.MaxUnzippedBytes})
	if err != nil {
		return in, rtUnreadable(err)
	}
	defer rd.Close()
	lo, hi := 0, MaxColumns // the columns the inputs are looked for in
	firstData, lastData := t.headerRow+1, MaxRows
	grow := false
	if tb := t.table; tb != nil {
		lo, hi = tb.x1, tb.x2+1
		firstData, lastData = tb.y1+tb.headerRows, tb.y2-tb.totalsRows
		grow = tb.totalsRows == 0
		in.lastRow = lastData
		if t.headerRow == 0 {
			t.header = make([]string, tb.x2+1)
			copy(t.header[tb.x1:], tb.columns)
			if err := t.matchInputs(lo, hi, fields); err != nil {
				return in, err
			}
		}
	}
	required := make([]bool, len(fields))
	for i, f := range fields {
		required[i] = !f.Optional
	}
	var texts []string
	for rd.Next() {
		r := rd.RowNumber()
		if r < t.headerRow {
			continue
		}
		texts = rtCellTexts(texts[:0], rd.Row(), rd.Date1904())
		if r == t.headerRow {
			t.header = append([]string(nil), texts...)
			if err := t.matchInputs(lo, hi, fields); err != nil {
				return in, err
			}
			continue
		}
		if t.inCols == nil {
			// The header row is absent from the sheet: no column matches.
			t.header = nil
			if err := t.matchInputs(lo, hi, fields); err != nil {
				return in, err
			}
		}
		if r < firstData {
			continue
		}
		if r > lastData {
			// Rows typed right below a table belong to it.
			if !grow || r != in.lastRow+1 || !in.add(r, texts, t.inCols, required, opts) {
				break
			}
			in.lastRow = r
			continue
		}
		in.add(r, texts, t.inCols, required, opts)
	}
	if err := rd.Err(); err != nil {
		return in, rtUnreadable(err)
	}
	if t.inCols == nil {
		if err := t.matchInputs(lo, hi, fields); err != nil {
			return in, err
		}
	}
	if in.n > opts.MaxRows {
		return in, &scoregate.Error{Class: scoregate.RequestEntityTooLarge, Code: scoregate.CodeTooManyRows,
			Message: fmt.Sprintf("sheet %q has %d rows to score, more than the %d a round trip takes; score it as a batch job",
				t.sheet, in.n, opts.MaxRows),
			Err: ErrTooManyRows}
	}
	return in, nil
}

// matchInputs maps the input fields to the header's columns in [lo, hi).
func (t *rtTarget) matchInputs(lo, hi int, fields []scoregate.Field) error {
	cols, absent := rtMatchHeader(t.header, lo, hi, fields)
	if len(absent) > 0 {
		where := fmt.Sprintf("sheet %q", t.sheet)
		if t.table != nil {
			where = fmt.Sprintf("table %q on sheet %q", t.table.name, t.sheet)
		}
		return rtMissingInputs(where, absent)
	}
	t.inCols = cols
	return nil
}

// add keeps row r when one of its inputs has a value, and reports whether
// it did. Past opts.MaxRows it only counts.
func (in *rtRows) add(r int, texts []string, cols []int, required []bool, opts RoundTripOptions) bool {
	filled := false
	for _, c := range cols {
		if c >= 0 && c < len(texts) && !rtIsMissing(texts[c], opts.Missing) {
			filled = true
			break
		}
	}
	if !filled {
		return false
	}
	in.n++
	if in.n > opts.MaxRows {
		return true
	}
	complete := true
	for f, c := range cols {
		s := ""
		if c >= 0 && c < len(texts) {
			s = texts[c]
		}
		miss := rtIsMissing(s, opts.Missing)
		if miss && required[f] {
			complete = false
		}
		in.cells = append(in.cells, s)
		in.missing = append(in.missing, miss)
	}
	in.rowNum = append(in.rowNum, r)
	in.complete = append(in.complete, complete)
	return true
}

// rtIsMissing reports whether s means a missing value: one of missing,
// or blank.
func rtIsMissing(s string, missing []string) bool {
	for _, m := range missing {
		if s == m {
			return true
		}
	}
	return strings.TrimSpace(s) == ""
}
