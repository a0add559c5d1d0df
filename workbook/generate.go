package workbook

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/scoregate/scoregate"
)

// Names inside a generated endpoint workbook. The round trip finds the
// input table by TableName; live formulas reach the endpoint through the
// defined names NameURL and NameKey, so a regenerated key is pasted in
// one cell of the Connection sheet.
const (
	TableName       = "ScoreTable"
	SheetScore      = "Score"
	SheetConnection = "Connection"
	SheetHowTo      = "How to score"
	// SheetLists holds, hidden, the valid values of categorical fields
	// whose list does not fit in a validation formula.
	SheetLists = "Lists"
	NameURL    = "ScoregateUrl"
	NameKey    = "ScoregateKey"
	// ColumnErrors is the last column of the table: why a row was not
	// scored.
	ColumnErrors = "Errors"
)

// Banner texts above the table's input and predicted columns, as Azure ML
// classic's workbook had them.
const (
	BannerInputs  = "PARAMETERS"
	BannerOutputs = "PREDICTED VALUES"
)

// Rows of the Score sheet: the banners, the table's header, its first data
// row.
const (
	bannerRow = 1
	headerRow = 2
	firstRow  = 3
)

// maxFormulaChars is the longest formula Excel stores.
const maxFormulaChars = 8192

// Spec is everything a generated endpoint workbook shows. Generate reads
// nothing else, so the caller (the gateway) gathers it from the store.
type Spec struct {
	Service, Endpoint string
	ModelVersion      int
	// APILocation is the endpoint's base URL,
	// {base}/workspaces/{ws}/services/{id}.
	APILocation string
	// Key is the endpoint's primary key: the workbook carries it so the
	// analyst can score without looking it up.
	Key string
	// APIVersion is the classic api-version of the URLs; empty means "2.0".
	APIVersion string
	// Inputs are the input fields in schema order; Outputs the model's
	// output fields and OutputNames their column names
	// (scoregate.OutputColumns), one per output; nil OutputNames means the
	// fields' own names.
	Inputs      []scoregate.Field
	Outputs     []scoregate.Field
	OutputNames []string
	// SampleRows are input cells per row, in schema order; nil gives one
	// empty row. A cell of a numeric, boolean or date field that parses as
	// one is written as a number, boolean or date; anything else as text.
	SampleRows [][]string
	// Live asks for WEBSERVICE formulas in the predicted columns.
	Live bool
	// BatchRows is the row count above which an uploaded workbook becomes
	// a batch job, told in the instructions; 0 leaves it unsaid.
	BatchRows int
	// GeneratedAt is shown on the Connection sheet and is the document's
	// creation time; it is the only thing that differs between two
	// workbooks generated from the same Spec.
	GeneratedAt time.Time
}

// FileName is the name a generated workbook is downloaded as,
// {service}-{endpoint}.xlsx, with every character other than ASCII
// letters, digits, '.', '-' and '_' replaced by '_' so it needs no quoting
// in a shell or a Content-Disposition header.
func FileName(service, endpoint string) string {
	var b strings.Builder
	for _, r := range service + "-" + endpoint {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String() + ".xlsx"
}

// Generate writes the workbook of an endpoint to w: the Score sheet (an
// Excel table of the inputs, the predicted columns and Errors, under
// PARAMETERS and PREDICTED VALUES banners, with data validation from the
// schema), the Connection sheet (URLs, key, defined names) and the How to
// score sheet. Two calls with the same Spec write the same bytes.
//
// It fails when the spec has no inputs, when OutputNames does not match
// Outputs, or when two columns share a name (Excel compares table column
// names without case), since the round trip finds columns by name.
func Generate(w io.Writer, s Spec) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("generate workbook %s/%s: %w", s.Service, s.Endpoint, err)
		}
	}()
	g, err := newGenerator(s)
	if err != nil {
		return err
	}
	defer g.f.Close()
	if err := g.build(); err != nil {
		return err
	}
	_, err = g.f.WriteTo(w)
	return err
}

// generator holds one generation's file, styles and layout.
type generator struct {
	s        Spec
	f        *excelize.File
	columns  []string // table header: inputs, outputs, Errors
	rows     int      // data rows
	live     bool     // formulas fit: Live and not too wide
	styles   map[styleKey]int
	lists    int            // columns used on the Lists sheet
	listCols map[string]int // a list's values -> its column there
}

func newGenerator(s Spec) (*generator, error) {
	if len(s.Inputs) == 0 {
		return nil, errors.New("the schema has no input fields")
	}
	if s.OutputNames == nil {
		for _, f := range s.Outputs {
			s.OutputNames = append(s.OutputNames, f.Name)
		}
	}
	if len(s.OutputNames) != len(s.Outputs) {
		return nil, fmt.Errorf("%d output names for %d output fields", len(s.OutputNames), len(s.Outputs))
	}
	if s.APIVersion == "" {
		s.APIVersion = "2.0"
	}
	g := &generator{s: s, styles: map[styleKey]int{}, listCols: map[string]int{}, rows: max(len(s.SampleRows), 1)}
	seen := map[string]bool{}
	add := func(name string) error {
		key := strings.ToLower(name)
		switch {
		case strings.TrimSpace(name) == "":
			return errors.New("a column has no name")
		case seen[key]:
			return fmt.Errorf("two columns are named %q (Excel table columns must differ, ignoring case)", name)
		}
		seen[key] = true
		g.columns = append(g.columns, name)
		return nil
	}
	for _, f := range s.Inputs {
		if err := add(f.Name); err != nil {
			return nil, err
		}
	}
	for _, n := range s.OutputNames {
		if err := add(n); err != nil {
			return nil, err
		}
	}
	if err := add(ColumnErrors); err != nil {
		return nil, err
	}
	g.live = s.Live && len(s.Outputs) > 0 && g.liveFits()
	g.f = excelize.NewFile()
	return g, nil
}

func (g *generator) build() error {
	f := g.f
	if err := f.SetSheetName("Sheet1", SheetScore); err != nil {
		return err
	}
	for _, name := range []string{SheetConnection, SheetHowTo} {
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
	}
	steps := []func() error{g.scoreSheet, g.connectionSheet, g.howToSheet, g.docProps}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	f.SetActiveSheet(0)
	return nil
}

// docProps sets the document's times from the spec instead of leaving
// excelize's, so the file depends on the spec alone.
func (g *generator) docProps() error {
	at := g.s.GeneratedAt.UTC().Format(time.RFC3339)
	return g.f.SetDocProps(&excelize.DocProperties{
		Creator:        "scoregate",
		LastModifiedBy: "scoregate",
		Title:          g.s.Service + " / " + g.s.Endpoint,
		Created:        at,
		Modified:       at,
	})
}

// cellRef names the cell at a 0-based column and a 1-based row.
func cellRef(col, row int) string {
	return ColumnName(col) + strconv.Itoa(row)
}

// absRef is a sheet-qualified absolute reference, as defined names and
// list validations want it.
func absRef(sheet string, col, row int) string {
	if strings.ContainsAny(sheet, " '!") {
		sheet = "'" + strings.ReplaceAll(sheet, "'", "''") + "'"
	}
	return sheet + "!$" + ColumnName(col) + "$" + strconv.Itoa(row)
}
