package gateway

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/scoregate/scoregate"
)

// inputName is the one input of a classic web service.
const inputName = "input1"

// fieldKind is how a cell is read for a field.
type fieldKind uint8

const (
	kindText fieldKind = iota
	kindNumber
	kindBool
)

func kindOf(dataType string) fieldKind {
	switch dataType {
	case scoregate.TypeDouble, scoregate.TypeFloat, scoregate.TypeInteger:
		return kindNumber
	case scoregate.TypeBoolean:
		return kindBool
	}
	return kindText
}

// schemaIndex is what the scoring API derives from a model's schema once:
// input lookup by lower-cased name, output column names and types.
type schemaIndex struct {
	scorer   scoregate.Scorer
	inputs   []scoregate.Field
	kinds    []fieldKind
	byName   map[string]int
	outNames []string
	outTypes []string
	outKinds []fieldKind
	inTypes  []string
}

func newSchemaIndex(sc scoregate.Scorer) *schemaIndex {
	info := sc.Info()
	x := &schemaIndex{scorer: sc, inputs: info.Input.Fields, byName: map[string]int{},
		outNames: scoregate.OutputColumns(info)}
	for i, f := range info.Input.Fields {
		x.kinds = append(x.kinds, kindOf(f.DataType))
		x.inTypes = append(x.inTypes, columnType(f.DataType))
		x.byName[strings.ToLower(f.Name)] = i
	}
	for _, f := range info.Output.Fields {
		x.outTypes = append(x.outTypes, columnType(f.DataType))
		x.outKinds = append(x.outKinds, kindOf(f.DataType))
	}
	return x
}

// lookup returns the input field of a request column, or -1.
func (x *schemaIndex) lookup(name string) int {
	if i, ok := x.byName[name]; ok {
		return i
	}
	if i, ok := x.byName[strings.ToLower(name)]; ok {
		return i
	}
	return -1
}

// columnNames turns a request's column names into strings, sharing the
// schema's for the names that match a field exactly (the usual case), so
// a call does not allocate one string per column.
func (x *schemaIndex) columnNames(raw [][]byte) []string {
	names := make([]string, len(raw))
	for i, b := range raw {
		if f, ok := x.byName[string(b)]; ok && x.inputs[f].Name == string(b) {
			names[i] = x.inputs[f].Name
		} else {
			names[i] = string(b)
		}
	}
	return names
}

// index returns the schema index of the endpoint's current model, built
// once per model: the gate keeps the last one.
func (g *gate) index(sc scoregate.Scorer) *schemaIndex {
	if x := g.idx.Load(); x != nil && x.scorer == sc {
		return x
	}
	x := newSchemaIndex(sc)
	g.idx.Store(x)
	return x
}

// parsedInput is a decoded scoring request.
type parsedInput struct {
	rows []scoregate.Row
	// Table format: the request's columns, the field of each (-1: not an
	// input of the model) and the raw cells, kept to echo them.
	columns []string
	fields  []int
	cells   [][]json.RawMessage
	// Records format: each record's members in request order.
	records [][]recordMember
}

// recordMember is one name and raw value of a record.
type recordMember struct {
	name  string
	value json.RawMessage
}

// executeRequest is the envelope of both formats.
type executeRequest struct {
	Inputs           map[string]json.RawMessage
	GlobalParameters map[string]json.RawMessage
}

// tableInput is input1 in the table format.
type tableInput struct {
	ColumnNames []string
	Values      [][]json.RawMessage
}

// parseExecute decodes a scoring request and converts its cells to the
// model's input rows.
func parseExecute(body []byte, records bool, x *schemaIndex, maxRows int, sc *scratch) (*parsedInput, error) {
	var req executeRequest
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, scoregate.Errorf(scoregate.BadArgument, scoregate.CodeRequestBodyInvalid, "",
			"the request body is empty; send {\"Inputs\":{\"input1\":…},\"GlobalParameters\":{}}")
	}
	if !records && json.Valid(body) {
		if columns, values, ok := fastTable(body, sc); ok {
			return tableRows(x.columnNames(columns), values, x, maxRows, sc)
		}
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, bodyError(err)
	}
	if len(req.GlobalParameters) > 0 {
		names := make([]string, 0, len(req.GlobalParameters))
		for k := range req.GlobalParameters {
			names = append(names, k)
		}
		slices.Sort(names)
		return nil, scoregate.Errorf(scoregate.BadArgument, scoregate.CodeUnexpectedParameter, names[0],
			"the web service has no global parameter %q", names[0])
	}
	raw, err := input1(req.Inputs)
	if err != nil {
		return nil, err
	}
	if records {
		return parseRecords(raw, x, maxRows)
	}
	return parseTable(raw, x, maxRows)
}

// input1 returns the one input of the request.
func input1(inputs map[string]json.RawMessage) (json.RawMessage, error) {
	var raw json.RawMessage
	found := false
	for name, v := range inputs {
		if !strings.EqualFold(name, inputName) {
			return nil, scoregate.Errorf(scoregate.BadArgument, scoregate.CodeInvalidInputNames, name,
				"the web service has one input, %q; got %q", inputName, name)
		}
		raw, found = v, true
	}
	if !found || isNull(raw) {
		return nil, scoregate.Errorf(scoregate.BadArgument, scoregate.CodeMissingRequestInput, inputName,
			"the request has no Inputs.%s", inputName)
	}
	return raw, nil
}

func isNull(raw json.RawMessage) bool {
	return bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

func tooManyRows(n, limit int) error {
	return scoregate.Errorf(scoregate.BadArgument, scoregate.CodeTooManyRows, inputName,
		"the request has %d rows; a call scores at most %d (send more as a batch job)", n, limit)
}

// parseTable reads input1 in the table format.
func parseTable(raw json.RawMessage, x *schemaIndex, maxRows int) (*parsedInput, error) {
	var t tableInput
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, bodyError(err)
	}
	return tableRows(t.ColumnNames, t.Values, x, maxRows, nil)
}

// tableRows converts the cells of the table format to the model's rows.
func tableRows(columns []string, values [][]json.RawMessage, x *schemaIndex, maxRows int, sc *scratch) (*parsedInput, error) {
	if len(values) > maxRows {
		return nil, tooManyRows(len(values), maxRows)
	}
	in := &parsedInput{columns: columns, cells: values, fields: make([]int, len(columns))}
	seen := make([]bool, len(x.inputs))
	for j, name := range columns {
		f := x.lookup(name)
		in.fields[j] = f
		if f < 0 {
			continue
		}
		if seen[f] {
			return nil, scoregate.Errorf(scoregate.BadArgument, scoregate.CodeInvalidInputNames, name,
				"column %q is given twice (names are matched without regard to case)", name)
		}
		seen[f] = true
	}
	if err := missingColumns(x, seen, ""); err != nil {
		return nil, err
	}
	if sc != nil {
		in.rows = grid(&sc.inVals, &sc.rows, len(values), len(x.inputs))
	} else {
		in.rows = newRows(len(values), len(x.inputs))
	}
	for i, cells := range values {
		if len(cells) != len(columns) {
			return nil, scoregate.Errorf(scoregate.BadUserArgument, scoregate.CodeInputMismatchError, inputName,
				"row %d has %d values for %d columns", i+1, len(cells), len(columns))
		}
		for j, cell := range cells {
			f := in.fields[j]
			if f < 0 {
				continue
			}
			v, err := cellValue(cell, x.kinds[f])
			if err != nil {
				return nil, parseError(i, x.inputs[f], cell, err)
			}
			in.rows[i][f] = v
		}
	}
	return in, nil
}

// parseRecords reads input1 in the records format: an array of objects,
// members in the order given (kept to echo them).
func parseRecords(raw json.RawMessage, x *schemaIndex, maxRows int) (*parsedInput, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := expectDelim(dec, '[', inputName+" must be an array of objects"); err != nil {
		return nil, err
	}
	in := &parsedInput{}
	seen := make([]bool, len(x.inputs))
	for dec.More() {
		if len(in.records) == maxRows {
			return nil, tooManyRows(maxRows+1, maxRows)
		}
		i := len(in.records)
		if err := expectDelim(dec, '{', inputName+" must be an array of objects"); err != nil {
			return nil, err
		}
		row := make(scoregate.Row, len(x.inputs))
		clear(seen)
		var rec []recordMember
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return nil, bodyError(err)
			}
			name, _ := tok.(string)
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return nil, bodyError(err)
			}
			rec = append(rec, recordMember{name: name, value: v})
			f := x.lookup(name)
			if f < 0 {
				continue
			}
			if seen[f] {
				return nil, scoregate.Errorf(scoregate.BadArgument, scoregate.CodeInvalidInputNames, name,
					"record %d gives column %q twice (names are matched without regard to case)", i+1, name)
			}
			seen[f] = true
			cv, err := cellValue(v, x.kinds[f])
			if err != nil {
				return nil, parseError(i, x.inputs[f], v, err)
			}
			row[f] = cv
		}
		if _, err := dec.Token(); err != nil { // }
			return nil, bodyError(err)
		}
		if err := missingColumns(x, seen, "record "+itoa(i+1)+" "); err != nil {
			return nil, err
		}
		in.records = append(in.records, rec)
		in.rows = append(in.rows, row)
	}
	return in, nil
}

func expectDelim(dec *json.Decoder, d json.Delim, msg string) error {
	tok, err := dec.Token()
	if err != nil {
		return bodyError(err)
	}
	if tok != d {
		return scoregate.Errorf(scoregate.BadArgument, scoregate.CodeRequestBodyInvalid, inputName, "%s", msg)
	}
	return nil
}

// missingColumns fails when a field the model needs has no column.
func missingColumns(x *schemaIndex, seen []bool, where string) error {
	var missing []string
	for f, ok := range seen {
		if !ok && !x.inputs[f].Optional {
			missing = append(missing, x.inputs[f].Name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return scoregate.Errorf(scoregate.BadUserArgument, scoregate.CodeInputMismatchError, inputName,
		"%sis missing the column(s) %s, which the model needs", where, quoteList(missing))
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}

// newRows returns n rows of width missing values, in one allocation.
func newRows(n, width int) []scoregate.Row {
	rows := make([]scoregate.Row, n)
	cells := make([]scoregate.Value, n*width)
	for i := range rows {
		rows[i] = cells[i*width : (i+1)*width : (i+1)*width]
	}
	return rows
}

// errCell is a cell that is not a value of its field's type; parseError
// says which.
type errCell struct{ want string }

func (e *errCell) Error() string { return "not " + e.want }

// cellValue converts one JSON cell: null and "" are missing; a number
// field takes a JSON number or a string holding one; a boolean field
// true/false (or "true"/"false", "1"/"0"); a text field any scalar, as
// its text.
func cellValue(raw json.RawMessage, k fieldKind) (scoregate.Value, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return scoregate.Value{}, nil
	}
	text := []byte(raw)
	quoted := false
	switch raw[0] {
	case 'n':
		if string(raw) == "null" {
			return scoregate.Value{}, nil
		}
		return scoregate.Value{}, &errCell{"a JSON value"}
	case '"':
		quoted = true
		if bytes.IndexByte(raw, '\\') < 0 && len(raw) >= 2 && raw[len(raw)-1] == '"' {
			text = raw[1 : len(raw)-1]
		} else {
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return scoregate.Value{}, &errCell{"a JSON string"}
			}
			text = []byte(s)
		}
	case '{', '[':
		return scoregate.Value{}, &errCell{"a single value"}
	}
	trimmed := bytes.TrimSpace(text)
	if quoted && len(trimmed) == 0 {
		return scoregate.Value{}, nil
	}
	switch k {
	case kindNumber:
		// The bytes are only read during the call (the error, which would
		// keep them, is dropped), so they need not be copied to a string.
		f, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(trimmed), len(trimmed)), 64)
		if err != nil {
			return scoregate.Value{}, &errCell{"a number"}
		}
		return scoregate.Float(f), nil
	case kindBool:
		switch strings.ToLower(string(trimmed)) {
		case "true", "1":
			return scoregate.Bool(true), nil
		case "false", "0":
			return scoregate.Bool(false), nil
		}
		return scoregate.Value{}, &errCell{"a boolean (true or false)"}
	}
	return scoregate.Text(string(text)), nil
}

// parseError is the 400 of a cell that does not parse as its field's type.
func parseError(row int, f scoregate.Field, raw json.RawMessage, err error) error {
	shown := string(bytes.TrimSpace(raw))
	if len(shown) > 64 {
		shown = shown[:61] + "..."
	}
	return scoregate.Errorf(scoregate.BadUserArgument, scoregate.CodeInputParseError, f.Name,
		"row %d, column %q: %s is %s, as the column's type %s requires", row+1, f.Name, shown, err, f.DataType)
}

func itoa(i int) string { return strconv.Itoa(i) }
