package workbook

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"github.com/scoregate/scoregate"
)

// Limits Excel puts on data validation: an inline list's source text, an
// error message and its title.
const (
	maxInlineList = 255
	maxErrorText  = 225
	maxErrorTitle = 32
)

// lastSheetRow is the last row of a sheet: validation covers the whole
// column below the header, so rows an analyst adds are checked too.
const lastSheetRow = 1048576

// validations adds one data validation per input that restricts its
// values: a dropdown list for a field with Values, a number range for a
// numeric field with Intervals.
//
// Ranges are exact for a single interval on a whole-number field (open
// bounds become the next integer in) and for a one-sided interval; a
// decimal interval closed at neither or one end only is checked as closed
// at both (Excel's "between" is inclusive), so a bound itself is let
// through and the scoring API reports it in Errors. Several intervals
// become one custom formula (OR of ANDs), exact, since Excel's typed
// ranges cannot express a union.
func (g *generator) validations() error {
	for i, fd := range g.s.Inputs {
		col := ColumnName(i)
		dv := excelize.NewDataValidation(true)
		dv.Sqref = col + strconv.Itoa(firstRow) + ":" + col + strconv.Itoa(lastSheetRow)
		var msg string
		switch {
		case len(nonEmpty(fd.Values)) > 0:
			if err := g.listValidation(dv, fd); err != nil {
				return err
			}
			msg = "must be one of the values in the list."
		case len(fd.Intervals) > 0 && isNumeric(fd.DataType):
			var ok bool
			if msg, ok = rangeValidation(dv, fd, cellRef(i, firstRow)); !ok {
				continue
			}
		default:
			continue
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, "Invalid value", validationMessage(fd.Name, msg))
		if err := g.f.AddDataValidation(SheetScore, dv); err != nil {
			return err
		}
	}
	return nil
}

// validationMessage is the error message of a validation: the field's name,
// shortened if need be, and what it must be.
func validationMessage(name, must string) string {
	room := maxErrorText - len(must) - 1
	if r := []rune(name); len(r) > room {
		name = string(r[:room-1]) + "…"
	}
	return name + " " + must
}

func nonEmpty(values []string) []string {
	out := values[:0:0]
	for _, v := range values {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

func isNumeric(dataType string) bool {
	switch dataType {
	case scoregate.TypeDouble, scoregate.TypeFloat, scoregate.TypeInteger:
		return true
	}
	return false
}

// listValidation makes dv a dropdown of fd's values: inline when they fit
// Excel's 255 characters and hold no comma or quote (the inline list's
// separator and delimiter), otherwise a column of the hidden Lists sheet.
func (g *generator) listValidation(dv *excelize.DataValidation, fd scoregate.Field) error {
	values := nonEmpty(fd.Values)
	joined := strings.Join(values, ",")
	if len(utf16.Encode([]rune(joined))) <= maxInlineList && !strings.ContainsAny(joined, `"`) && !anyContains(values, ",") {
		return dv.SetDropList(values)
	}
	numeric := isNumeric(fd.DataType)
	key := strconv.FormatBool(numeric) + "\x00" + strings.Join(values, "\x00")
	if col, ok := g.listCols[key]; ok {
		// Fields with the same values share a column.
		dv.SetSqrefDropList(listRange(col, len(values)))
		return nil
	}
	if g.lists == 0 {
		if _, err := g.f.NewSheet(SheetLists); err != nil {
			return err
		}
		if err := g.f.SetSheetVisible(SheetLists, false); err != nil {
			return err
		}
	}
	col := g.lists
	g.lists++
	g.listCols[key] = col
	for r, v := range values {
		ref := cellRef(col, r+1)
		var err error
		if x, perr := strconv.ParseFloat(v, 64); numeric && perr == nil && !math.IsInf(x, 0) && !math.IsNaN(x) {
			// A typed number matches a number in the list, not its text.
			err = g.f.SetCellFloat(SheetLists, ref, x, -1, 64)
		} else {
			err = g.f.SetCellStr(SheetLists, ref, v)
		}
		if err != nil {
			return err
		}
	}
	if err := g.f.SetSheetDimension(SheetLists, "A1:"+cellRef(g.lists-1, lastListRow(g.s.Inputs))); err != nil {
		return err
	}
	dv.SetSqrefDropList(listRange(col, len(values)))
	return nil
}

// listRange is the range of n values in column col of the Lists sheet.
func listRange(col, n int) string {
	return absRef(SheetLists, col, 1) + ":$" + ColumnName(col) + "$" + strconv.Itoa(n)
}

// lastListRow is the longest list of values, the Lists sheet's height.
func lastListRow(fields []scoregate.Field) int {
	n := 1
	for _, f := range fields {
		n = max(n, len(f.Values))
	}
	return n
}

func anyContains(values []string, sub string) bool {
	for _, v := range values {
		if strings.Contains(v, sub) {
			return true
		}
	}
	return false
}

// rangeValidation makes dv check fd's intervals; ref is the first cell
// the validation covers, which a custom formula is relative to. It returns
// the error message's ending, and false when the intervals restrict
// nothing.
func rangeValidation(dv *excelize.DataValidation, fd scoregate.Field, ref string) (string, bool) {
	whole := fd.DataType == scoregate.TypeInteger
	for _, iv := range fd.Intervals {
		if iv.Left == nil && iv.Right == nil {
			return "", false
		}
	}
	kind, noun := excelize.DataValidationTypeDecimal, "a number"
	if whole {
		kind, noun = excelize.DataValidationTypeWhole, "a whole number"
	}
	if len(fd.Intervals) > 1 {
		var terms, words []string
		for _, iv := range fd.Intervals {
			terms = append(terms, intervalTest(iv, ref))
			words = append(words, describeInterval(iv))
		}
		test := "ISNUMBER(" + ref + ")"
		if whole {
			test += ",INT(" + ref + ")=" + ref
		}
		dv.Type = "custom"
		dv.Formula1 = xmlEscaper.Replace("AND(" + test + ",OR(" + strings.Join(terms, ",") + "))")
		return "must be " + noun + " " + strings.Join(words, ", or "), true
	}
	iv := fd.Intervals[0]
	lo, hi := iv.Left, iv.Right
	loOpen, hiOpen := strings.HasPrefix(iv.Closure, "open"), strings.HasSuffix(iv.Closure, "Open")
	if whole {
		// Exact: the integers of (2.5, 7) are those of [3, 6].
		if lo != nil {
			v := math.Ceil(*lo)
			if loOpen && v == *lo {
				v++
			}
			lo, loOpen = &v, false
		}
		if hi != nil {
			v := math.Floor(*hi)
			if hiOpen && v == *hi {
				v--
			}
			hi, hiOpen = &v, false
		}
		for _, b := range []*float64{lo, hi} {
			if b != nil && *b == 0 {
				*b = 0 // not -0, from Ceil(-0.5)
			}
		}
	}
	var err error
	switch {
	case lo != nil && hi != nil:
		err = dv.SetRange(formulaNumber(*lo), formulaNumber(*hi), kind, excelize.DataValidationOperatorBetween)
	case lo != nil && loOpen:
		err = dv.SetRange(formulaNumber(*lo), "", kind, excelize.DataValidationOperatorGreaterThan)
	case lo != nil:
		err = dv.SetRange(formulaNumber(*lo), "", kind, excelize.DataValidationOperatorGreaterThanOrEqual)
	case hiOpen:
		err = dv.SetRange(formulaNumber(*hi), "", kind, excelize.DataValidationOperatorLessThan)
	default:
		err = dv.SetRange(formulaNumber(*hi), "", kind, excelize.DataValidationOperatorLessThanOrEqual)
	}
	if err != nil {
		return "", false
	}
	return "must be " + noun + " " + describeInterval(scoregate.Interval{Closure: closure(loOpen, hiOpen), Left: lo, Right: hi}), true
}

func closure(loOpen, hiOpen bool) string {
	c := "closed"
	if loOpen {
		c = "open"
	}
	if hiOpen {
		return c + "Open"
	}
	return c + "Closed"
}

// intervalTest is the condition that the number in ref lies in iv.
func intervalTest(iv scoregate.Interval, ref string) string {
	var conds []string
	if iv.Left != nil {
		op := ">="
		if strings.HasPrefix(iv.Closure, "open") {
			op = ">"
		}
		conds = append(conds, ref+op+formulaNumber(*iv.Left))
	}
	if iv.Right != nil {
		op := "<="
		if strings.HasSuffix(iv.Closure, "Open") {
			op = "<"
		}
		conds = append(conds, ref+op+formulaNumber(*iv.Right))
	}
	if len(conds) == 1 {
		return conds[0]
	}
	return "AND(" + strings.Join(conds, ",") + ")"
}

// describeInterval says in words which numbers iv holds.
func describeInterval(iv scoregate.Interval) string {
	var parts []string
	if iv.Left != nil {
		if strings.HasPrefix(iv.Closure, "open") {
			parts = append(parts, "greater than "+formulaNumber(*iv.Left))
		} else {
			parts = append(parts, "at least "+formulaNumber(*iv.Left))
		}
	}
	if iv.Right != nil {
		if strings.HasSuffix(iv.Closure, "Open") {
			parts = append(parts, "less than "+formulaNumber(*iv.Right))
		} else {
			parts = append(parts, "at most "+formulaNumber(*iv.Right))
		}
	}
	return strings.Join(parts, " and ")
}

// formulaNumber writes a bound as a formula constant.
func formulaNumber(v float64) string {
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// xmlEscaper escapes a formula excelize stores as raw XML.
var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
