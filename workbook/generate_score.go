package workbook

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/scoregate/scoregate"
)

// Colours of the Score sheet: strong blue and green banners with white
// text, as Azure ML classic's workbook had, and pale versions of both for
// the header cells beneath them.
const (
	colorInputBanner  = "1F4E78"
	colorOutputBanner = "375623"
	colorInputHeader  = "DDEBF7"
	colorOutputHeader = "E2EFDA"
	colorBannerText   = "FFFFFF"
	fontFamily        = "Calibri"
	fontSize          = 11
)

// Column widths, in characters.
const (
	minColWidth    = 10
	maxColWidth    = 40
	errorsColWidth = 40
)

// styleKind is what a style is for; with a number format it keys the
// generator's style cache.
type styleKind uint8

const (
	styleData styleKind = iota
	styleInputBanner
	styleOutputBanner
	styleInputHeader
	styleOutputHeader
	styleBold
	styleWrap
	styleBoldWrap
)

type styleKey struct {
	kind   styleKind
	numFmt string // "" General, else a format code
}

// style returns the id of a style, creating it on first use. Every style
// names its font, so LibreOffice does not fall back to its own default.
func (g *generator) style(kind styleKind, numFmt string) (int, error) {
	key := styleKey{kind, numFmt}
	if id, ok := g.styles[key]; ok {
		return id, nil
	}
	st := &excelize.Style{Font: &excelize.Font{Family: fontFamily, Size: fontSize}}
	if numFmt != "" {
		if id, ok := builtinNumFmts[numFmt]; ok {
			st.NumFmt = id
		} else {
			st.CustomNumFmt = &numFmt
		}
	}
	fill := func(color string) {
		st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{color}}
	}
	switch kind {
	case styleInputBanner, styleOutputBanner:
		st.Font.Bold, st.Font.Color = true, colorBannerText
		st.Alignment = &excelize.Alignment{Horizontal: "center", Vertical: "center"}
		fill(colorInputBanner)
		if kind == styleOutputBanner {
			fill(colorOutputBanner)
		}
	case styleInputHeader, styleOutputHeader:
		st.Font.Bold = true
		st.Alignment = &excelize.Alignment{Vertical: "center"}
		fill(colorInputHeader)
		if kind == styleOutputHeader {
			fill(colorOutputHeader)
		}
	case styleBold:
		st.Font.Bold = true
	case styleWrap, styleBoldWrap:
		st.Font.Bold = kind == styleBoldWrap
		st.Alignment = &excelize.Alignment{Vertical: "top", WrapText: true}
	}
	id, err := g.f.NewStyle(st)
	if err != nil {
		return 0, err
	}
	g.styles[key] = id
	return id, nil
}

// builtinNumFmts are the format codes Excel numbers itself.
var builtinNumFmts = map[string]int{"0": 1, "@": 49}

// numFmt is the number format of a column of a data type. Inputs of type
// string are text ("@") so that "007" stays "007"; predicted strings stay
// General, since a formula in a text cell would show as its text.
func numFmt(dataType string, input bool) string {
	switch dataType {
	case scoregate.TypeInteger:
		return "0"
	case scoregate.TypeDate:
		return "yyyy-mm-dd"
	case scoregate.TypeTime:
		return "hh:mm:ss"
	case scoregate.TypeDateTime:
		return "yyyy-mm-dd hh:mm:ss"
	case scoregate.TypeString:
		if input {
			return "@"
		}
	}
	return ""
}

// scoreSheet lays out the Score sheet: banners, the table, validation,
// sample rows, widths and frozen panes.
func (g *generator) scoreSheet() error {
	f, s := g.f, g.s
	nIn, nCols := len(s.Inputs), len(g.columns)
	lastRow := headerRow + g.rows
	lastCol := nCols - 1

	// Column styles first: cells written afterwards take them, and so do
	// the rows an analyst adds. Runs of alike columns are set at once,
	// since each call rebuilds excelize's column list.
	type colFormat struct {
		style int
		width float64
	}
	formats := make([]colFormat, nCols)
	for i, c := range g.columns {
		var format string
		switch {
		case i < nIn:
			format = numFmt(s.Inputs[i].DataType, true)
		case i < nCols-1:
			format = numFmt(s.Outputs[i-nIn].DataType, false)
		}
		id, err := g.style(styleData, format)
		if err != nil {
			return err
		}
		formats[i] = colFormat{id, g.colWidth(i, c)}
	}
	for from := 0; from < nCols; {
		to := from
		for to+1 < nCols && formats[to+1] == formats[from] {
			to++
		}
		cols := ColumnName(from) + ":" + ColumnName(to)
		if err := f.SetColStyle(SheetScore, cols, formats[from].style); err != nil {
			return err
		}
		if err := f.SetColWidth(SheetScore, ColumnName(from), ColumnName(to), formats[from].width); err != nil {
			return err
		}
		from = to + 1
	}

	if err := g.banner(0, nIn-1, BannerInputs, styleInputBanner); err != nil {
		return err
	}
	if err := g.banner(nIn, lastCol, BannerOutputs, styleOutputBanner); err != nil {
		return err
	}
	if err := f.SetRowHeight(SheetScore, bannerRow, 20); err != nil {
		return err
	}
	for i, c := range g.columns {
		if err := f.SetCellStr(SheetScore, cellRef(i, headerRow), c); err != nil {
			return err
		}
	}
	if err := g.styleRange(0, nIn-1, headerRow, styleInputHeader); err != nil {
		return err
	}
	if err := g.styleRange(nIn, lastCol, headerRow, styleOutputHeader); err != nil {
		return err
	}

	for r, row := range s.SampleRows {
		for i, text := range row[:min(len(row), nIn)] {
			if err := g.setInput(cellRef(i, firstRow+r), s.Inputs[i].DataType, text); err != nil {
				return err
			}
		}
	}
	if g.live {
		if err := g.liveFormulas(); err != nil {
			return err
		}
	}

	if err := f.AddTable(SheetScore, &excelize.Table{
		Range:     cellRef(0, headerRow) + ":" + cellRef(lastCol, lastRow),
		Name:      TableName,
		StyleName: "TableStyleLight1",
	}); err != nil {
		return err
	}
	if err := g.validations(); err != nil {
		return err
	}
	if err := f.SetPanes(SheetScore, &excelize.Panes{
		Freeze: true, YSplit: headerRow, TopLeftCell: cellRef(0, firstRow), ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: cellRef(0, firstRow), ActiveCell: cellRef(0, firstRow), Pane: "bottomLeft"}},
	}); err != nil {
		return err
	}
	// Readers that trust <dimension> (openpyxl read-only) see one row
	// without it.
	return f.SetSheetDimension(SheetScore, "A1:"+cellRef(lastCol, lastRow))
}

// banner writes text over columns from..to of the banner row, merged.
func (g *generator) banner(from, to int, text string, kind styleKind) error {
	if err := g.f.SetCellStr(SheetScore, cellRef(from, bannerRow), text); err != nil {
		return err
	}
	if to > from {
		if err := g.f.MergeCell(SheetScore, cellRef(from, bannerRow), cellRef(to, bannerRow)); err != nil {
			return err
		}
	}
	return g.styleRange(from, to, bannerRow, kind)
}

func (g *generator) styleRange(from, to, row int, kind styleKind) error {
	id, err := g.style(kind, "")
	if err != nil {
		return err
	}
	return g.f.SetCellStyle(SheetScore, cellRef(from, row), cellRef(to, row), id)
}

// colWidth sizes column i by its header and, for an input with a list of
// values, its longest value, within minColWidth..maxColWidth.
func (g *generator) colWidth(i int, header string) float64 {
	if i == len(g.columns)-1 {
		return errorsColWidth
	}
	n := utf8.RuneCountInString(header)
	if i < len(g.s.Inputs) {
		for _, v := range g.s.Inputs[i].Values {
			n = max(n, utf8.RuneCountInString(v))
		}
	}
	return float64(min(max(n+2, minColWidth), maxColWidth))
}

// setInput writes a sample cell as its field's type when it parses as one,
// so the sheet looks as if the analyst had typed it, and as text
// otherwise.
func (g *generator) setInput(ref, dataType, text string) error {
	f := g.f
	if text == "" {
		return nil
	}
	switch dataType {
	case scoregate.TypeDouble, scoregate.TypeFloat, scoregate.TypeInteger:
		if v, err := strconv.ParseFloat(strings.TrimSpace(text), 64); err == nil && !math.IsInf(v, 0) && !math.IsNaN(v) {
			return f.SetCellFloat(SheetScore, ref, v, -1, 64)
		}
	case scoregate.TypeBoolean:
		if b, err := strconv.ParseBool(strings.TrimSpace(text)); err == nil {
			return f.SetCellBool(SheetScore, ref, b)
		}
	case scoregate.TypeDate, scoregate.TypeDateTime, scoregate.TypeTime:
		if v, ok := dateSerial(dataType, strings.TrimSpace(text)); ok {
			return f.SetCellFloat(SheetScore, ref, v, -1, 64)
		}
	}
	return f.SetCellStr(SheetScore, ref, text)
}

// dateSerial parses a date, time or date-time as the scoring API writes
// them and returns its Excel serial.
func dateSerial(dataType, text string) (float64, bool) {
	if dataType == scoregate.TypeTime {
		t, err := time.Parse(time.TimeOnly, text)
		if err != nil {
			return 0, false
		}
		return float64(t.Hour()*3600+t.Minute()*60+t.Second()) / 86400, true
	}
	layouts := []string{time.DateOnly}
	if dataType == scoregate.TypeDateTime {
		layouts = []string{"2006-01-02T15:04:05", time.DateTime, time.RFC3339, time.DateOnly}
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, text); err == nil {
			return excelSerial(t)
		}
	}
	return 0, false
}
