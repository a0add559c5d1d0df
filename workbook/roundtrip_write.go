package workbook

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/scoregate/scoregate"
	"github.com/xuri/excelize/v2"
)

// rtOutput writes results into the workbook with excelize, which keeps what
// it does not touch.
type rtOutput struct {
	f       *excelize.File
	t       *rtTarget
	fields  map[string]int // input field name → index
	outCols []string       // the column letters of each output
	errCol  string         // the column letters of Errors
	added   []string       // the header cells added, from column firstNew
	// firstNew is the 0-based column of the first added header cell.
	firstNew int
	// lastCol and lastRow are the last column and row written.
	lastCol, lastRow int
	cell             []byte // a cell name being built
}

// rtOpenForWriting opens the workbook with excelize and finds (or adds) the
// output and Errors columns in t's header.
func rtOpenForWriting(data []byte, t *rtTarget, outNames []string, fields []scoregate.Field, opts RoundTripOptions) (*rtOutput, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    opts.MaxUnzippedBytes,
		UnzipXMLSizeLimit: opts.MaxUnzippedBytes / 2,
	})
	if err != nil {
		if strings.Contains(err.Error(), "unzip size exceeds") {
			return nil, rtUnreadable(fmt.Errorf("%w: %w", ErrTooLarge, err))
		}
		return nil, rtUnreadable(err)
	}
	// excelize parses a sheet when first used; a sheet the streaming
	// Reader tolerated may still fail there, and that is the upload's
	// fault, not ours.
	if _, err := f.GetCellStyle(t.sheet, "A1"); err != nil {
		f.Close()
		return nil, rtUnreadable(fmt.Errorf("sheet %q: %w", t.sheet, err))
	}
	o := &rtOutput{f: f, t: t, fields: make(map[string]int, len(fields))}
	for i, fd := range fields {
		o.fields[fd.Name] = i
	}
	isInput := map[int]bool{}
	for _, c := range t.inCols {
		isInput[c] = true
	}
	// Header cells are looked for in the table first, then in the whole
	// row (a column an earlier round trip added beside the table).
	lo, hi := 0, len(t.header)
	if t.table != nil {
		lo, hi = t.table.x1, t.table.x2+1
	}
	find := func(name string) int {
		for _, r := range [][2]int{{lo, hi}, {0, len(t.header)}} {
			for c := r[0]; c < r[1] && c < len(t.header); c++ {
				if !isInput[c] && strings.EqualFold(strings.TrimSpace(t.header[c]), name) {
					return c
				}
			}
		}
		return -1
	}
	o.firstNew = len(t.header)
	for o.firstNew > 0 && strings.TrimSpace(t.header[o.firstNew-1]) == "" {
		o.firstNew--
	}
	if t.table != nil {
		o.firstNew = max(o.firstNew, t.table.x2+1)
	}
	o.lastCol = o.firstNew - 1
	column := func(name string) (string, error) {
		c := find(name)
		if c < 0 {
			if t.headerRow == 0 {
				return "", scoregate.Errorf(scoregate.BadUserArgument, scoregate.CodeMissingRequestInput, "",
					"table %q on sheet %q has no header row and no column %q", t.table.name, t.sheet, name)
			}
			c = o.firstNew + len(o.added)
			o.added = append(o.added, name)
		}
		o.lastCol = max(o.lastCol, c)
		return ColumnName(c), nil
	}
	o.outCols = make([]string, len(outNames))
	for i, name := range outNames {
		if o.outCols[i], err = column(name); err != nil {
			f.Close()
			return nil, err
		}
	}
	if o.errCol, err = column(rtErrorsHeader); err != nil {
		f.Close()
		return nil, err
	}
	if err := o.addHeader(); err != nil {
		f.Close()
		return nil, err
	}
	return o, nil
}

// addHeader writes the added header cells, styled like the header cell
// before them.
func (o *rtOutput) addHeader() error {
	if len(o.added) == 0 {
		return nil
	}
	style := 0
	if o.firstNew > 0 {
		s, err := o.f.GetCellStyle(o.t.sheet, o.name(ColumnName(o.firstNew-1), o.t.headerRow))
		if err != nil {
			return rtUnreadable(fmt.Errorf("read header style: %w", err))
		}
		style = s
	}
	for i, h := range o.added {
		cell := o.name(ColumnName(o.firstNew+i), o.t.headerRow)
		if err := o.f.SetCellStr(o.t.sheet, cell, h); err != nil {
			return rtUnreadable(fmt.Errorf("write header %s: %w", cell, err))
		}
		if style != 0 {
			if err := o.f.SetCellStyle(o.t.sheet, cell, cell, style); err != nil {
				return rtUnreadable(fmt.Errorf("style header %s: %w", cell, err))
			}
		}
	}
	return nil
}

// name returns the name of a cell, in a buffer reused from call to call.
func (o *rtOutput) name(col string, row int) string {
	o.cell = strconv.AppendInt(append(o.cell[:0], col...), int64(row), 10)
	return string(o.cell)
}

func (o *rtOutput) touch(row int) { o.lastRow = max(o.lastRow, row) }

// writeScored writes a scored row's outputs by kind and clears its Errors
// cell. SetCell* keep a cell's style.
func (o *rtOutput) writeScored(row int, vals []scoregate.Value) error {
	o.touch(row)
	sheet := o.t.sheet
	for j, v := range vals {
		cell := o.name(o.outCols[j], row)
		var err error
		switch v.Kind {
		case scoregate.KindNumber:
			err = o.f.SetCellFloat(sheet, cell, v.Num, -1, 64)
		case scoregate.KindBool:
			err = o.f.SetCellBool(sheet, cell, v.Num != 0)
		case scoregate.KindMissing:
			err = o.f.SetCellDefault(sheet, cell, "")
		default:
			err = o.f.SetCellStr(sheet, cell, v.String())
		}
		if err != nil {
			return rtUnreadable(fmt.Errorf("write %s: %w", cell, err))
		}
	}
	cell := o.name(o.errCol, row)
	if err := o.f.SetCellDefault(sheet, cell, ""); err != nil {
		return rtUnreadable(fmt.Errorf("write %s: %w", cell, err))
	}
	return nil
}

// writeFailed clears a refused row's outputs and explains the refusal in
// its Errors cell, naming the row and the column as the sheet writes it.
func (o *rtOutput) writeFailed(row int, rowErr error) error {
	o.touch(row)
	sheet := o.t.sheet
	for _, col := range o.outCols {
		cell := o.name(col, row)
		if err := o.f.SetCellDefault(sheet, cell, ""); err != nil {
			return rtUnreadable(fmt.Errorf("write %s: %w", cell, err))
		}
	}
	cell := o.name(o.errCol, row)
	if err := o.f.SetCellStr(sheet, cell, o.explain(row, rowErr)); err != nil {
		return rtUnreadable(fmt.Errorf("write %s: %w", cell, err))
	}
	return nil
}

// explain words a row's error for its Errors cell.
func (o *rtOutput) explain(row int, rowErr error) string {
	var e *scoregate.Error
	if !errors.As(rowErr, &e) || e.Class == scoregate.Internal {
		return fmt.Sprintf("row %d: could not be scored", row)
	}
	if e.Target == "" {
		return fmt.Sprintf("row %d: %s", row, e.Message)
	}
	column := e.Target
	if i, ok := o.fields[e.Target]; ok && o.t.inCols[i] >= 0 && o.t.inCols[i] < len(o.t.header) {
		column = strings.TrimSpace(o.t.header[o.t.inCols[i]])
	}
	return fmt.Sprintf("row %d, column %q: %s", row, column, e.Message)
}

// finish grows the table to the added columns and the rows typed below
// it, and widens the sheet's dimension to the cells written.
func (o *rtOutput) finish(in *rtRows) error {
	t := o.t
	if tb := t.table; tb != nil {
		x2, y2 := tb.x2, max(tb.y2, in.lastRow)
		var cols []string
		if len(o.added) > 0 && o.firstNew == tb.x2+1 {
			cols = o.added
			x2 = o.firstNew + len(o.added) - 1
		}
		if x2 != tb.x2 || y2 != tb.y2 {
			if err := tb.resize(o.f, x2, y2, cols); err != nil {
				return rtUnreadable(err)
			}
		}
	}
	if o.lastRow == 0 && len(o.added) == 0 {
		return nil
	}
	// The dimension of files excelize wrote is often stale ("A1"): cover
	// the data read as well as the cells written.
	dim, err := o.f.GetSheetDimension(t.sheet)
	if err != nil {
		return rtUnreadable(fmt.Errorf("read dimension: %w", err))
	}
	x1, y1, x2, y2 := 0, 1, o.lastCol, max(o.lastRow, t.headerRow, in.lastRow)
	if n := len(in.rowNum); n > 0 {
		y2 = max(y2, in.rowNum[n-1])
	}
	for _, c := range t.inCols {
		x2 = max(x2, c)
	}
	if dim != "" {
		if a, b, c, d, err := rtParseRange(dim); err == nil {
			x1, y1, x2, y2 = a, b, max(c, x2), max(d, y2)
		}
	}
	if err := o.f.SetSheetDimension(t.sheet, rtFormatRange(x1, y1, x2, y2)); err != nil {
		return rtUnreadable(fmt.Errorf("set dimension: %w", err))
	}
	return nil
}

func (o *rtOutput) close() { _ = o.f.Close() }
