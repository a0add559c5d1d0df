package workbook

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/scoregate/scoregate"
)

// maxFormulaLiteral is the longest string constant Excel accepts in a
// formula.
const maxFormulaLiteral = 255

// liveFormulas fills every predicted cell of the data rows with a formula
// that asks the endpoint's predict route for that one value.
func (g *generator) liveFormulas() error {
	nIn := len(g.s.Inputs)
	for r := range g.rows {
		row := firstRow + r
		for o := range g.s.Outputs {
			if err := g.f.SetCellFormula(SheetScore, cellRef(nIn+o, row), g.liveFormula(o, row)); err != nil {
				return err
			}
		}
	}
	return nil
}

// liveFits reports whether the longest live formula, the one of the
// sheet's last row, fits Excel's limit; a schema too wide for it gets no
// formulas and says so on the How to score sheet.
func (g *generator) liveFits() bool {
	for o := range g.s.Outputs {
		if len(g.liveFormula(o, lastSheetRow)) > maxFormulaChars {
			return false
		}
	}
	return true
}

// liveFormula is the formula of output o in a row, for instance
//
//	IF(COUNTA(A3:B3)=0,"",_xlfn.WEBSERVICE(ScoregateUrl&"/predict?api-key="&
//	_xlfn.ENCODEURL(ScoregateKey)&"&output=Scored%20Labels&age="&
//	IF(A3="","",_xlfn.ENCODEURL(A3))&"&sex="&IF(B3="","",_xlfn.ENCODEURL(B3))))
//
// The names in the URL are encoded here, once, rather than by ENCODEURL in
// every cell; the cells are plain A1 references to the same row, which
// LibreOffice evaluates as readily as Excel. A row with no input at all
// stays blank instead of asking the gateway; a blank input is sent empty
// without ENCODEURL, which in LibreOffice (7.4) fails on an empty cell
// with #VALUE! and would take the whole formula with it. Dates, times and booleans are
// spelled out as the API reads them, not as the serial numbers and TRUE
// the spreadsheet holds. The _xlfn. prefixes are how the file must store
// functions newer than Excel 2007, or Excel shows #NAME?.
func (g *generator) liveFormula(o, row int) string {
	var b strings.Builder
	nIn := len(g.s.Inputs)
	r := strconv.Itoa(row)
	b.WriteString(`IF(COUNTA(A` + r + `:` + ColumnName(nIn-1) + r + `)=0,"",_xlfn.WEBSERVICE(`)
	b.WriteString(NameURL + `&"/predict?api-key="&_xlfn.ENCODEURL(` + NameKey + `)&`)
	lit := "&output=" + encodeURLComponent(g.s.OutputNames[o])
	for i, f := range g.s.Inputs {
		lit += "&" + encodeURLComponent(f.Name) + "="
		writeLiteral(&b, lit)
		ref := ColumnName(i) + r
		b.WriteString(`&IF(` + ref + `="","",_xlfn.ENCODEURL(` + liveValue(f.DataType, ref) + `))`)
		if i < nIn-1 {
			b.WriteByte('&')
		}
		lit = ""
	}
	b.WriteString("))")
	return b.String()
}

// writeLiteral writes s as a string constant, in pieces joined by & when
// it passes Excel's 255 characters.
func writeLiteral(b *strings.Builder, s string) {
	for first := true; first || s != ""; first = false {
		n := min(len(s), maxFormulaLiteral) // s is ASCII: it is URL-encoded
		if !first {
			b.WriteByte('&')
		}
		b.WriteString(`"` + strings.ReplaceAll(s[:n], `"`, `""`) + `"`)
		s = s[n:]
	}
}

// liveValue is the expression that turns the cell ref of a field of a
// data type into the text the API reads. Date parts go through YEAR,
// MONTH, TEXT(…,"00") and so on rather than TEXT(ref,"yyyy-mm-dd"),
// whose format codes are translated by the spreadsheet's locale.
func liveValue(dataType, ref string) string {
	two := func(fn string) string { return `TEXT(` + fn + `(` + ref + `),"00")` }
	date := `YEAR(` + ref + `)&"-"&` + two("MONTH") + `&"-"&` + two("DAY")
	clock := two("HOUR") + `&":"&` + two("MINUTE") + `&":"&` + two("SECOND")
	switch dataType {
	case scoregate.TypeDate:
		return `IF(ISNUMBER(` + ref + `),` + date + `,` + ref + `)`
	case scoregate.TypeTime:
		return `IF(ISNUMBER(` + ref + `),` + clock + `,` + ref + `)`
	case scoregate.TypeDateTime:
		return `IF(ISNUMBER(` + ref + `),` + date + `&"T"&` + clock + `,` + ref + `)`
	case scoregate.TypeBoolean:
		return `IF(ISLOGICAL(` + ref + `),IF(` + ref + `,"true","false"),` + ref + `)`
	}
	return ref
}

// encodeURLComponent encodes s as ENCODEURL does: every byte but the
// unreserved ones as %XX, a space as %20.
func encodeURLComponent(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
