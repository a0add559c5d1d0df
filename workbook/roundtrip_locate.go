package workbook

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/scoregate/scoregate"
)

// rtHeaderSearchRows is how many non-empty rows at the top of a sheet may
// hold its header: a title or banner row above the header is common.
const rtHeaderSearchRows = 10

// rtTarget is where the rows to score are: a table, or a sheet's header row
// and the rows below it.
type rtTarget struct {
	sheet     string
	headerRow int      // 1-based; 0 for a table without a header row
	table     *rtTable // nil for a plain sheet
	// Filled by readRows.
	header []string // the header row's texts, by 0-based column
	inCols []int    // the column of each input field; -1 when absent
}

// rtLocate finds the table named opts.Table or the sheet to score, reading
// no more than relationships, table parts and the top of sheets.
func rtLocate(src io.ReaderAt, size int64, fields []scoregate.Field, opts RoundTripOptions) (*rtTarget, error) {
	p, err := openPackage(src, size, opts.MaxUnzippedBytes)
	if err != nil {
		return nil, rtUnreadable(err)
	}
	info, err := p.workbook()
	if err != nil {
		return nil, rtUnreadable(err)
	}
	sheets := info.sheets
	if opts.Sheet != "" {
		s, err := pickSheet(sheets, opts.Sheet)
		if err != nil {
			if errors.Is(err, ErrSheetNotFound) {
				return nil, &scoregate.Error{Class: scoregate.BadUserArgument, Code: scoregate.CodeInvalidValue, Target: "sheet",
					Message: fmt.Sprintf("the workbook has no sheet named %q (its sheets: %s)", opts.Sheet, rtSheetList(sheets))}
			}
			return nil, rtUnreadable(err)
		}
		sheets = []sheetRef{s}
	}
	for _, s := range sheets {
		if s.part == "" {
			continue
		}
		tbl, err := p.findTable(s.part, opts.Table)
		if err != nil {
			return nil, rtUnreadable(err)
		}
		if tbl != nil {
			return &rtTarget{sheet: s.name, headerRow: tbl.headerRow(), table: tbl}, nil
		}
	}
	// The sheet whose header came closest, for the error.
	closest, closestFound, closestAbsent := "", 0, []string(nil)
	for _, s := range sheets {
		if s.part == "" {
			continue
		}
		row, found, absent, err := rtFindHeader(src, size, s.name, fields, opts)
		if err != nil {
			return nil, rtUnreadable(err)
		}
		if row > 0 {
			return &rtTarget{sheet: s.name, headerRow: row}, nil
		}
		if closest == "" || found > closestFound {
			closest, closestFound, closestAbsent = s.name, found, absent
		}
	}
	if opts.Sheet != "" {
		return nil, rtMissingInputs(fmt.Sprintf("sheet %q", closest), closestAbsent)
	}
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
	}
	msg := fmt.Sprintf("no table named %q and no sheet with a header row naming the inputs %s (sheets: %s)",
		opts.Table, strings.Join(names, ", "), rtSheetList(info.sheets))
	if closestFound > 0 {
		msg += fmt.Sprintf("; sheet %q lacks %s", closest, strings.Join(closestAbsent, ", "))
	}
	return nil, &scoregate.Error{Class: scoregate.BadUserArgument, Code: scoregate.CodeMissingRequestInput, Message: msg}
}

// rtFindHeader returns the row number of the first of the top non-empty rows
// of sheet that names every required input; else 0, how many inputs the
// closest row names and the required inputs it lacks.
func rtFindHeader(src io.ReaderAt, size int64, sheet string, fields []scoregate.Field, opts RoundTripOptions) (int, int, []string, error) {
	rd, err := OpenReader(src, size, ReaderOptions{Sheet: sheet, MaxUnzippedBytes: opts.MaxUnzippedBytes})
	if err != nil {
		return 0, 0, nil, err
	}
	defer rd.Close()
	var header, best []string
	bestFound := 0
	for seen := 0; seen < rtHeaderSearchRows && rd.Next(); {
		header = rtCellTexts(header[:0], rd.Row(), rd.Date1904())
		if rtAllBlank(header) {
			continue
		}
		seen++
		cols, absent := rtMatchHeader(header, 0, len(header), fields)
		found := 0
		for _, c := range cols {
			if c >= 0 {
				found++
			}
		}
		if len(absent) == 0 {
			return rd.RowNumber(), found, nil, nil
		}
		if best == nil || found > bestFound {
			best, bestFound = absent, found
		}
	}
	if err := rd.Err(); err != nil {
		return 0, 0, nil, err
	}
	if best == nil {
		best = rtRequired(fields)
	}
	return 0, bestFound, best, nil
}

// rtMatchHeader returns the column of each field among header[lo:hi]
// (names compared case-insensitively, without surrounding spaces; -1 when
// absent) and the names of the absent fields the model requires. With no
// required field at all, every field is reported absent when none matched.
func rtMatchHeader(header []string, lo, hi int, fields []scoregate.Field) (cols []int, absent []string) {
	cols = make([]int, len(fields))
	found := 0
	for i, f := range fields {
		cols[i] = -1
		for c := lo; c < hi && c < len(header); c++ {
			if strings.EqualFold(strings.TrimSpace(header[c]), f.Name) {
				cols[i] = c
				found++
				break
			}
		}
		if cols[i] < 0 && !f.Optional {
			absent = append(absent, f.Name)
		}
	}
	if found == 0 && len(absent) == 0 {
		for _, f := range fields {
			absent = append(absent, f.Name)
		}
	}
	return cols, absent
}

func rtRequired(fields []scoregate.Field) []string {
	var names []string
	for _, f := range fields {
		if !f.Optional {
			names = append(names, f.Name)
		}
	}
	if names == nil {
		for _, f := range fields {
			names = append(names, f.Name)
		}
	}
	return names
}

func rtMissingInputs(where string, absent []string) error {
	return scoregate.Errorf(scoregate.BadUserArgument, scoregate.CodeMissingRequestInput, "",
		"%s lacks the input column(s) %s", where, strings.Join(absent, ", "))
}

// rtUnreadable turns an error reading the upload into a client error.
func rtUnreadable(err error) error {
	if errors.Is(err, ErrTooLarge) {
		return &scoregate.Error{Class: scoregate.RequestEntityTooLarge, Code: scoregate.CodeRequestTooLarge,
			Message: "the workbook is too large once decompressed", Err: err}
	}
	msg := "the file could not be read as an XLSX workbook"
	if errors.Is(err, ErrNotXLSX) {
		msg = "the file is not an XLSX workbook"
	}
	return &scoregate.Error{Class: scoregate.BadUserArgument, Code: scoregate.CodeRequestBodyInvalid, Message: msg, Err: err}
}

func rtSheetList(sheets []sheetRef) string {
	names := make([]string, len(sheets))
	for i, s := range sheets {
		names[i] = strconv.Quote(s.name)
	}
	return strings.Join(names, ", ")
}

func rtAllBlank(texts []string) bool {
	for _, s := range texts {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

// rtCellTexts appends the text of each cell to dst: strings and error values
// as they are, numbers as stored ("5.1", not as formatted), booleans as
// TRUE or FALSE and dates in ISO 8601, as batch jobs read them.
func rtCellTexts(dst []string, cells []Cell, date1904 bool) []string {
	for i := range cells {
		dst = append(dst, rtCellText(&cells[i], date1904))
	}
	return dst
}

func rtCellText(c *Cell, date1904 bool) string {
	switch c.Kind {
	case String, Error:
		return c.Str
	case Bool:
		if c.Num != 0 {
			return "TRUE"
		}
		return "FALSE"
	case Date:
		if t, ok := c.Time(date1904); ok {
			if t.Hour() != 0 || t.Minute() != 0 || t.Second() != 0 || t.Nanosecond() != 0 {
				return t.Format("2006-01-02T15:04:05.999")
			}
			return t.Format("2006-01-02")
		}
		return strings.TrimSpace(string(c.Raw))
	case Number:
		return strings.TrimSpace(string(c.Raw))
	}
	return ""
}
