package workbook

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Labels of the Connection sheet's rows, in column A; the values are in
// column B.
const (
	LabelAPILocation = "API location"
	LabelExecuteURL  = "Request-Response URL"
	LabelBatchURL    = "Batch URL"
	LabelWorkbookURL = "Workbook round-trip URL"
	LabelKey         = "API key (primary)"
	LabelAPIVersion  = "API version"
	LabelService     = "Service"
	LabelEndpoint    = "Endpoint"
	LabelModel       = "Model version"
	LabelGeneratedAt = "Generated at"
	LabelLive        = "Live formulas"
)

// connectionSheet writes the label/value rows of the Connection sheet and
// the defined names the live formulas use.
func (g *generator) connectionSheet() error {
	f, s := g.f, g.s
	loc := s.APILocation
	rows := [][2]any{
		{"Setting", "Value"},
		{LabelAPILocation, loc},
		{LabelExecuteURL, loc + "/execute?api-version=" + s.APIVersion},
		{LabelBatchURL, loc + "/jobs?api-version=" + s.APIVersion},
		{LabelWorkbookURL, loc + "/workbook"},
		{LabelKey, s.Key},
		{LabelAPIVersion, s.APIVersion},
		{LabelService, s.Service},
		{LabelEndpoint, s.Endpoint},
		{LabelModel, s.ModelVersion},
		{LabelGeneratedAt, s.GeneratedAt.UTC().Format(time.RFC3339)},
		{LabelLive, onOff(g.live)},
	}
	names := map[string]string{LabelAPILocation: NameURL, LabelKey: NameKey}
	cells := map[string]string{} // defined name -> its cell, for the note
	width := 20
	for r, row := range rows {
		for c, v := range row {
			ref := cellRef(c, r+1)
			var err error
			switch v := v.(type) {
			case string:
				// Text always, so a key of digits stays a key.
				err = f.SetCellStr(SheetConnection, ref, v)
				if c == 1 {
					width = max(width, utf8.RuneCountInString(v)+2)
				}
			default:
				err = f.SetCellValue(SheetConnection, ref, v)
			}
			if err != nil {
				return err
			}
		}
		if name, ok := names[row[0].(string)]; ok {
			cells[name] = cellRef(1, r+1)
			if err := f.SetDefinedName(&excelize.DefinedName{
				Name:     name,
				RefersTo: absRef(SheetConnection, 1, r+1),
				Comment:  row[0].(string) + " of the endpoint, used by live formulas",
			}); err != nil {
				return err
			}
		}
	}
	last := len(rows)
	note := fmt.Sprintf("%s and %s are names of the cells %s and %s: the live formulas read them. After the key is regenerated, paste the new one in %[4]s.",
		NameURL, NameKey, cells[NameURL], cells[NameKey])
	if err := f.SetCellStr(SheetConnection, cellRef(0, last+2), note); err != nil {
		return err
	}
	plain, err := g.style(styleData, "")
	if err != nil {
		return err
	}
	bold, err := g.style(styleBold, "")
	if err != nil {
		return err
	}
	if err := f.SetColStyle(SheetConnection, "A:B", plain); err != nil {
		return err
	}
	if err := f.SetCellStyle(SheetConnection, "A1", "B1", bold); err != nil {
		return err
	}
	if err := f.SetColWidth(SheetConnection, "A", "A", 26); err != nil {
		return err
	}
	if err := f.SetColWidth(SheetConnection, "B", "B", float64(min(width, 100))); err != nil {
		return err
	}
	return f.SetSheetDimension(SheetConnection, "A1:B"+strconv.Itoa(last+2))
}

func onOff(b bool) string {
	if b {
		return "enabled"
	}
	return "disabled"
}

// howToSheet writes the instructions, one paragraph a row, headings in
// bold.
func (g *generator) howToSheet() error {
	f, s := g.f, g.s
	key := s.Key
	if key == "" {
		key = "<key>"
	}
	file := FileName(s.Service, s.Endpoint)
	curl := fmt.Sprintf(`curl -H "Authorization: Bearer %s" -F file=@%s %s/workbook -o scored.xlsx`, key, file, s.APILocation)
	large := "A large workbook"
	if s.BatchRows > 0 {
		large = "A workbook of more than " + groupThousands(s.BatchRows) + " rows"
	}
	var live []string
	switch {
	case g.live:
		live = []string{
			"Enabled in this workbook. Each predicted cell holds a WEBSERVICE formula that asks " + s.APILocation +
				"/predict for its value, so a row is scored as soon as its inputs are filled in and again whenever they change. " +
				"To score more rows, copy the predicted cells of a row down to the new rows.",
			"WEBSERVICE exists only in Excel for Windows and in LibreOffice Calc. Excel for Mac and Excel for the web cannot run it " +
				"(the cells show #NAME? or #VALUE!): there, use the round trip above. Excel and LibreOffice may ask you to allow " +
				"external content or updates of links first.",
		}
	case s.Live:
		live = []string{"The endpoint allows live formulas, but it has too many inputs for them: one formula would pass " +
			"Excel's limit of 8,192 characters. Use the round trip above."}
	default:
		live = []string{"Not enabled in this workbook. When the endpoint's owner enables live workbooks, a workbook downloaded " +
			"afterwards has WEBSERVICE formulas in its predicted columns that score each row as soon as it is filled in. They work " +
			"in Excel for Windows and LibreOffice Calc, not in Excel for Mac or Excel for the web."}
	}
	type para struct {
		text    string
		heading bool
	}
	paras := []para{
		{fmt.Sprintf("How to score with %s / %s (model version %d)", s.Service, s.Endpoint, s.ModelVersion), true},
		{"Fill in the table on the Score sheet: one row per case, one blue column per input. Drop-down lists and number " +
			"limits show what the model accepts. The green columns receive the predictions, and Errors says why a row " +
			"could not be scored. Type below the last row to add rows: the table grows with them. There are three ways to score.", false},
		{"", false},
		{"1. Upload the workbook (round trip)", true},
		{"Save this workbook and send it to the endpoint. The answer is the same workbook with the predicted columns and " +
			"Errors filled in for every complete row; other sheets, formatting and formulas are kept. With curl, from the " +
			"folder that holds the file:", false},
		{curl, false},
		{"The key is in the command and on the Connection sheet: keep the workbook to people who may use this endpoint.", false},
		{"", false},
		{"2. Large workbooks become batch jobs", true},
		{large + " is not scored while you wait. The same upload answers 202 Accepted with the job's URL in the Location " +
			"header and in the answer's StatusUrl. Ask that URL for the job (with the same Authorization header) until its " +
			"StatusCode is Finished, then download the scored workbook from the job's URL followed by /output.", false},
		{"", false},
		{"3. Live formulas", true},
	}
	for _, t := range live {
		paras = append(paras, para{t, false})
	}
	wrap, err := g.style(styleWrap, "")
	if err != nil {
		return err
	}
	heading, err := g.style(styleBoldWrap, "")
	if err != nil {
		return err
	}
	if err := f.SetColStyle(SheetHowTo, "A", wrap); err != nil {
		return err
	}
	if err := f.SetColWidth(SheetHowTo, "A", "A", 110); err != nil {
		return err
	}
	for r, p := range paras {
		ref := cellRef(0, r+1)
		if p.text != "" {
			if err := f.SetCellStr(SheetHowTo, ref, p.text); err != nil {
				return err
			}
		}
		if p.heading {
			if err := f.SetCellStyle(SheetHowTo, ref, ref, heading); err != nil {
				return err
			}
		}
	}
	return f.SetSheetDimension(SheetHowTo, "A1:A"+strconv.Itoa(len(paras)))
}

// groupThousands writes n with commas between groups of three digits.
func groupThousands(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
