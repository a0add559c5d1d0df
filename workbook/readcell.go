package workbook

import (
	"errors"
	"fmt"
	"io"
	"strconv"
)

// cellType is the t attribute of a cell.
type cellType uint8

const (
	typeNumber cellType = iota // n, or no t attribute
	typeShared                 // s
	typeStr                    // str: formula string result
	typeInline                 // inlineStr
	typeBool                   // b
	typeError                  // e
	typeDate                   // d: ISO 8601 text
)

func parseCellType(v []byte) (cellType, bool) {
	switch string(v) {
	case "n", "":
		return typeNumber, true
	case "s":
		return typeShared, true
	case "str":
		return typeStr, true
	case "inlineStr":
		return typeInline, true
	case "b":
		return typeBool, true
	case "e":
		return typeError, true
	case "d":
		return typeDate, true
	}
	return 0, false
}

// readCell reads one <c> element, the scanner being on its start tag, and
// stores it in the row at its column.
func (r *Reader) readCell() error {
	sc := r.sc
	col := len(r.cells)
	if v, ok := attr(sc.attrs, "r"); ok {
		c, ok := parseColumn(v)
		if !ok {
			return fmt.Errorf("invalid cell reference %q", v)
		}
		col = c
	}
	if col >= MaxColumns {
		return fmt.Errorf("more than %d cells in the row", MaxColumns)
	}
	ref := func() string { return columnName(col) + strconv.Itoa(r.rowNum) }
	typ := typeNumber
	if v, ok := attr(sc.attrs, "t"); ok {
		if typ, ok = parseCellType(v); !ok {
			return fmt.Errorf("cell %s: unknown type %q", ref(), v)
		}
	}
	style := 0
	if v, ok := attr(sc.attrs, "s"); ok {
		n, ok := atoi(v)
		if !ok {
			return fmt.Errorf("cell %s: invalid style %q", ref(), v)
		}
		style = n
	}
	*r.place(col) = Cell{Col: col, Style: style}
	if sc.selfClose {
		return nil
	}

	// Gather the <v> text into r.raw and inline string text into r.tmp.
	vStart := len(r.raw)
	r.tmp = r.tmp[:0]
	hasV, hasIS := false, false
	var inV, inIS, inT bool
	phonetic := 0
	for {
		if err := sc.next(); err != nil {
			return fmt.Errorf("cell %s: %w", ref(), err)
		}
		switch sc.kind {
		case tokEOF:
			return fmt.Errorf("cell %s: %w", ref(), io.ErrUnexpectedEOF)
		case tokStart:
			switch string(sc.name) {
			case "v":
				hasV, inV = true, !sc.selfClose
			case "is":
				hasIS, inIS = true, !sc.selfClose
			case "rPh":
				if !sc.selfClose {
					phonetic++
				}
			case "t":
				inT = inIS && phonetic == 0 && !sc.selfClose
			case "c", "row":
				return fmt.Errorf("cell %s: <%s> inside a cell", ref(), sc.name)
			}
			continue
		case tokEnd:
			switch string(sc.name) {
			case "v":
				inV = false
			case "is":
				inIS, inT = false, false
			case "rPh":
				phonetic = max(0, phonetic-1)
			case "t":
				inT = false
			case "c":
				return r.finishCell(&r.cells[col], typ, hasV, hasIS, vStart)
			case "row", "sheetData":
				return fmt.Errorf("cell %s: </%s> inside a cell", ref(), sc.name)
			}
			continue
		}
		var err error
		switch {
		case inV && sc.kind == tokText:
			r.raw, err = appendText(r.raw, sc.text)
		case inV:
			r.raw = appendCDATA(r.raw, sc.text)
		case inT && sc.kind == tokText:
			r.tmp, err = appendText(r.tmp, sc.text)
		case inT:
			r.tmp = appendCDATA(r.tmp, sc.text)
		}
		if err != nil {
			return fmt.Errorf("cell %s: %w", ref(), err)
		}
	}
}

// place returns the row's cell at col, filling any gap before it with
// Empty cells.
func (r *Reader) place(col int) *Cell {
	for len(r.cells) <= col {
		r.cells = append(r.cells, Cell{Col: len(r.cells)})
	}
	return &r.cells[col]
}

var errNoSharedString = errors.New("shared string index out of range")

func (r *Reader) finishCell(c *Cell, typ cellType, hasV, hasIS bool, vStart int) error {
	v := r.raw[vStart:]
	ref := func() string { return columnName(c.Col) + strconv.Itoa(r.rowNum) }
	switch typ {
	case typeNumber:
		tv := trimSpace(v)
		if len(tv) == 0 {
			r.raw = r.raw[:vStart]
			return nil
		}
		n, err := strconv.ParseFloat(string(tv), 64)
		if err != nil {
			return fmt.Errorf("cell %s: invalid number %q", ref(), v)
		}
		c.Kind, c.Num, c.Raw = Number, n, v[:len(v):len(v)]
		if c.Style < len(r.isDate) && r.isDate[c.Style] {
			c.Kind = Date
		}
	case typeBool:
		switch string(trimSpace(v)) {
		case "":
			r.raw = r.raw[:vStart]
		case "1", "true":
			c.Kind, c.Num, c.Raw = Bool, 1, v[:len(v):len(v)]
		case "0", "false":
			c.Kind, c.Num, c.Raw = Bool, 0, v[:len(v):len(v)]
		default:
			return fmt.Errorf("cell %s: invalid boolean %q", ref(), v)
		}
	case typeShared:
		r.raw = r.raw[:vStart]
		if len(v) == 0 {
			return nil
		}
		i, ok := atoi(trimSpace(v))
		if !ok || i >= r.strs.len() {
			return fmt.Errorf("cell %s: %w: %q (table has %d)", ref(), errNoSharedString, v, r.strs.len())
		}
		c.Kind, c.Str = String, r.strs.get(i)
	case typeStr, typeDate:
		// A formula's cached string result, or an ISO 8601 date kept as
		// the text it is.
		if hasV {
			c.Kind, c.Str = String, string(v)
		}
		r.raw = r.raw[:vStart]
	case typeInline:
		switch {
		case hasIS:
			c.Kind, c.Str = String, string(appendUnescaped(nil, r.tmp))
		case hasV:
			c.Kind, c.Str = String, string(v)
		}
		r.raw = r.raw[:vStart]
	case typeError:
		if hasV {
			c.Kind, c.Str = Error, errorText(v)
		}
		r.raw = r.raw[:vStart]
	}
	return nil
}

// errorText returns the text of an error cell without allocating for the
// errors Excel produces.
func errorText(v []byte) string {
	for _, e := range excelErrors {
		if string(v) == e {
			return e
		}
	}
	return string(v)
}

var excelErrors = [...]string{"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!"}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// atoi parses a non-negative decimal int of at most 9 digits.
func atoi(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// parseColumn returns the 0-based column of a cell reference such as "C5"
// or "$C$5"; the row part is not checked beyond being digits.
func parseColumn(ref []byte) (int, bool) {
	i, col := 0, 0
	if i < len(ref) && ref[i] == '$' {
		i++
	}
	start := i
	for ; i < len(ref); i++ {
		c := ref[i] | 0x20 // lower case
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a'+1)
		if col > MaxColumns {
			return 0, false
		}
	}
	if i == start {
		return 0, false
	}
	if i < len(ref) && ref[i] == '$' {
		i++
	}
	if i == len(ref) {
		return 0, false
	}
	for ; i < len(ref); i++ {
		if ref[i] < '0' || ref[i] > '9' {
			return 0, false
		}
	}
	return col - 1, true
}

// columnName returns the letters of a 0-based column, as in "AA" for 26.
func columnName(col int) string {
	var b [4]byte
	i := len(b)
	for col++; col > 0 && i > 0; col = (col - 1) / 26 {
		i--
		b[i] = byte('A' + (col-1)%26)
	}
	return string(b[i:])
}
