package workbook

import (
	"math"
	"time"
)

// Kind is what a cell holds once its type attribute and number format are
// taken into account.
type Kind uint8

// The kinds of cell a Reader returns.
const (
	Empty  Kind = iota // no value: a gap, a styled blank, or a formula without a cached value
	Number             // Num holds the value, Raw its text
	String             // Str holds the text (shared, inline or formula string)
	Bool               // Num is 0 or 1, Raw its text
	Error              // Str holds the error text, such as "#DIV/0!"
	Date               // a Number whose style is a date or time format; Num is the serial
)

var kindNames = [...]string{"Empty", "Number", "String", "Bool", "Error", "Date"}

// String returns the kind's name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(?)"
}

// Cell is one cell of a row returned by Reader.Row.
//
// Numeric cells are read without allocating: the value is parsed into Num and
// Raw is a view of the text in the reader's row buffer, so Raw (like the Row
// slice itself) is only valid until the next call to Next. Str is an ordinary
// string; for shared strings it is the table's own string, not a copy.
type Cell struct {
	Col   int     // 0-based column index: Row()[i].Col == i
	Kind  Kind    // what the cell holds
	Num   float64 // Number and Date (the serial), Bool (0 or 1)
	Str   string  // String and Error
	Raw   []byte  // the <v> text of Number, Date and Bool cells; valid until the next Next
	Style int     // index into the workbook's cellXfs (the s attribute)
}

// Text returns the cell's value as text the way excelize reports raw cell
// values: the string of String and Error cells and the stored text of Number,
// Date and Bool cells. Unlike Raw, the result stays valid.
func (c Cell) Text() string {
	switch c.Kind {
	case String, Error:
		return c.Str
	case Number, Date, Bool:
		return string(c.Raw)
	}
	return ""
}

// Bool reports whether a Bool cell is TRUE.
func (c Cell) Bool() bool { return c.Kind == Bool && c.Num != 0 }

// Time converts a Date or Number cell's serial to a time in UTC; date1904
// selects the 1904 date system (see Reader.Date1904). It reports false for
// other kinds and for serials outside the range Excel can display.
func (c Cell) Time(date1904 bool) (time.Time, bool) {
	if c.Kind != Date && c.Kind != Number {
		return time.Time{}, false
	}
	return ExcelTime(c.Num, date1904)
}

var (
	epoch1900 = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	epoch1904 = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
)

// maxSerial is 9999-12-31, the last day Excel displays.
const maxSerial = 2958466

// ExcelTime converts a date serial to a time in UTC, rounded to the
// millisecond. In the 1900 system serial 1 is 1900-01-01 and serials before
// 61 are shifted by a day because Excel counts a 1900-02-29 that never was
// (serial 60 is reported as 1900-03-01). It reports false for negative,
// non-finite or too large serials.
func ExcelTime(serial float64, date1904 bool) (time.Time, bool) {
	if math.IsNaN(serial) || serial < 0 || serial > maxSerial {
		return time.Time{}, false
	}
	epoch := epoch1900
	if date1904 {
		epoch = epoch1904
	} else if serial < 61 {
		serial++
	}
	days := math.Floor(serial)
	ms := math.Round((serial - days) * 86400000)
	return epoch.AddDate(0, 0, int(days)).Add(time.Duration(ms) * time.Millisecond), true
}

// ColumnName returns the letters of a 0-based column index, as in "AA" for
// 26; the empty string for a negative index.
func ColumnName(col int) string {
	if col < 0 {
		return ""
	}
	return columnName(col)
}
