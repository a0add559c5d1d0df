package gateway

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/scoregate/scoregate"
)

// Sample values shown in an endpoint's documentation. They are made up from
// the schema, not scored: the help page and swagger.json are public and must
// not run the model for anyone who asks.

// sampleFractions place row i of a bounded interval at the middle, then at
// the first and third quarter, so rows differ and stay well inside.
var sampleFractions = [...]float64{0.5, 0.25, 0.75}

// sampleRows returns n rows of plausible values for info's inputs, one cell
// per input field in schema order, as the table format carries them.
// Categorical fields take their values in turn, continuous fields a value
// inside their intervals, others a value of their type. The rows depend on
// the schema only.
func sampleRows(info scoregate.ModelInfo, n int) [][]string {
	rows := make([][]string, n)
	for i := range rows {
		row := make([]string, len(info.Input.Fields))
		for j, f := range info.Input.Fields {
			row[j] = sampleValue(f, i)
		}
		rows[i] = row
	}
	return rows
}

// sampleOutputs returns n rows of plausible values for info's outputs, in
// the order of scoregate.OutputColumns. A probability agrees with the
// row's predicted label when the label is one of the classes: 1 for it, 0
// for the others.
func sampleOutputs(info scoregate.ModelInfo, n int) [][]string {
	rows := make([][]string, n)
	for i := range rows {
		label, labeled := "", false
		row := make([]string, len(info.Output.Fields))
		for j, f := range info.Output.Fields {
			switch {
			case f.Feature == "predictedValue" && !labeled:
				row[j] = sampleValue(f, i)
				label, labeled = row[j], len(f.Values) > 0
			case f.Feature == "probability" && labeled && f.TargetValue != "":
				row[j] = "0"
				if f.TargetValue == label {
					row[j] = "1"
				}
			case f.Feature == "probability":
				row[j] = "0.5"
			default:
				row[j] = sampleValue(f, i)
			}
		}
		rows[i] = row
	}
	return rows
}

// placeholderRow is what the documentation shows instead of sample
// outputs when an endpoint's sample data is off: classic's "value" for
// text and 0 for numbers.
func placeholderRow(fields []scoregate.Field) []string {
	row := make([]string, len(fields))
	for i, f := range fields {
		row[i] = placeholderValue(f.DataType)
	}
	return row
}

func placeholderValue(dataType string) string {
	switch dataType {
	case scoregate.TypeDouble, scoregate.TypeFloat, scoregate.TypeInteger:
		return "0"
	case scoregate.TypeBoolean:
		return "false"
	}
	return "value"
}

// sampleValue is the value of field f in sample row i.
func sampleValue(f scoregate.Field, i int) string {
	if len(f.Values) > 0 {
		return f.Values[i%len(f.Values)]
	}
	switch f.DataType {
	case scoregate.TypeDouble, scoregate.TypeFloat:
		return formatNumber(sampleNumber(f.Intervals, i, false))
	case scoregate.TypeInteger:
		return formatNumber(sampleNumber(f.Intervals, i, true))
	case scoregate.TypeBoolean:
		return strconv.FormatBool(i%2 == 0)
	case scoregate.TypeDate:
		return "2024-01-31"
	case scoregate.TypeTime:
		return "12:30:00"
	case scoregate.TypeDateTime:
		return "2024-01-31T12:30:00"
	}
	return "text"
}

// sampleNumber picks row i's number: inside interval i (mod their count)
// when there are intervals, else i itself. whole asks for an integer; when
// an interval holds none, the value inside it wins.
func sampleNumber(ivs []scoregate.Interval, i int, whole bool) float64 {
	if len(ivs) == 0 {
		return float64(i)
	}
	iv := ivs[i%len(ivs)]
	left, right := finite(iv.Left), finite(iv.Right)
	var v float64
	switch {
	case left != nil && right != nil:
		v = *left + (*right-*left)*sampleFractions[(i/len(ivs))%len(sampleFractions)]
	case left != nil:
		v = *left + 1 + float64(i/len(ivs))
	case right != nil:
		v = *right - 1 - float64(i/len(ivs))
	default:
		v = float64(i / len(ivs))
	}
	// Twelve digits drop the noise of binary fractions (0.1 + 0.05 is
	// 0.15000000000000002) and keep every value a sample needs.
	v, _ = strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	if !whole {
		return v
	}
	for _, w := range []float64{math.Round(v), math.Floor(v), math.Ceil(v)} {
		if inInterval(iv, w) {
			return w
		}
	}
	return v
}

// inInterval reports whether v lies in iv, honouring its closure.
func inInterval(iv scoregate.Interval, v float64) bool {
	if l := finite(iv.Left); l != nil {
		closed := iv.Closure == "closedOpen" || iv.Closure == "closedClosed"
		if v < *l || (!closed && v == *l) {
			return false
		}
	}
	if r := finite(iv.Right); r != nil {
		closed := iv.Closure == "openClosed" || iv.Closure == "closedClosed"
		if v > *r || (!closed && v == *r) {
			return false
		}
	}
	return true
}

// formatNumber writes v as the shortest decimal that reads back as v, in
// plain notation unless it is huge or tiny.
func formatNumber(v float64) string {
	if a := math.Abs(v); a != 0 && (a >= 1e21 || a < 1e-6) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// typedValue is cell s of a field of dataType as the records format carries
// it: a JSON number for numeric types, a boolean for booleans, a string
// otherwise (and for a cell that does not read as its type).
func typedValue(dataType, s string) any {
	switch dataType {
	case scoregate.TypeDouble, scoregate.TypeFloat, scoregate.TypeInteger:
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return json.Number(formatNumber(f))
		}
	case scoregate.TypeBoolean:
		if b, err := strconv.ParseBool(s); err == nil {
			return b
		}
	}
	return s
}

// jsonObject is a JSON object that keeps its members in order, so sample bodies
// and schemas list columns as the schema does.
type jsonObject []jsonMember

type jsonMember struct {
	Key   string
	Value any
}

// MarshalJSON writes o's members in order. Nothing is HTML-escaped: the
// documentation escapes for its own medium.
func (o jsonObject) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	buf.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := enc.Encode(m.Key); err != nil {
			return nil, err
		}
		buf.Truncate(buf.Len() - 1) // Encode's newline
		buf.WriteByte(':')
		if err := enc.Encode(m.Value); err != nil {
			return nil, fmt.Errorf("encode %q: %w", m.Key, err)
		}
		buf.Truncate(buf.Len() - 1)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// prettyJSON writes a sample body as JSON, indented by two spaces, with
// arrays of plain values on one line (a row per line, as people write
// them) and nothing HTML-escaped: the page escapes for its medium.
func prettyJSON(v jsonObject) string { return sourceLiteral(jsonSyntax, v, "") }

// quoteJSON quotes s as a JSON string. Its escapes (\" \\ \n \t \uXXXX…)
// mean the same in Python, R and JavaScript string literals.
func quoteJSON(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(buf.String(), "\n")
}

// literalSyntax is how a language writes the literals of a JSON value.
type literalSyntax struct {
	indent                                       string // one level
	objOpen, objClose, arrOpen, arrClose, keySep string
	emptyObj, emptyArr                           string
	trueLit, falseLit, nullLit                   string
}

var (
	jsonSyntax = literalSyntax{indent: "  ", objOpen: "{", objClose: "}", arrOpen: "[", arrClose: "]", keySep: ": ",
		emptyObj: "{}", emptyArr: "[]", trueLit: "true", falseLit: "false", nullLit: "null"}
	pythonSyntax = literalSyntax{indent: "    ", objOpen: "{", objClose: "}", arrOpen: "[", arrClose: "]", keySep: ": ",
		emptyObj: "{}", emptyArr: "[]", trueLit: "True", falseLit: "False", nullLit: "None"}
	// R lists become JSON through jsonlite (httr's encode = "json", with
	// auto_unbox): a named list is an object, an unnamed one an array.
	rSyntax = literalSyntax{indent: "  ", objOpen: "list(", objClose: ")", arrOpen: "list(", arrClose: ")", keySep: " = ",
		emptyObj: "setNames(list(), character(0))", emptyArr: "list()", trueLit: "TRUE", falseLit: "FALSE", nullLit: "NULL"}
)

// sourceLiteral writes v (a jsonObject, []any, string, json.Number, bool or
// nil) as source code of language syn.
func sourceLiteral(syn literalSyntax, v any, indent string) string {
	var b strings.Builder
	writeSourceLiteral(&b, syn, v, indent)
	return b.String()
}

func writeSourceLiteral(b *strings.Builder, syn literalSyntax, v any, indent string) {
	inner := indent + syn.indent
	switch v := v.(type) {
	case jsonObject:
		if len(v) == 0 {
			b.WriteString(syn.emptyObj)
			return
		}
		b.WriteString(syn.objOpen)
		for i, m := range v {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("\n" + inner + quoteJSON(m.Key) + syn.keySep)
			writeSourceLiteral(b, syn, m.Value, inner)
		}
		b.WriteString("\n" + indent + syn.objClose)
	case []any:
		if len(v) == 0 {
			b.WriteString(syn.emptyArr)
			return
		}
		flat := true
		for _, e := range v {
			switch e.(type) {
			case jsonObject, []any:
				flat = false
			}
		}
		b.WriteString(syn.arrOpen)
		for i, e := range v {
			switch {
			case flat && i > 0:
				b.WriteString(", ")
			case !flat && i > 0:
				b.WriteString(",\n" + inner)
			case !flat:
				b.WriteString("\n" + inner)
			}
			writeSourceLiteral(b, syn, e, inner)
		}
		if !flat {
			b.WriteString("\n" + indent)
		}
		b.WriteString(syn.arrClose)
	case string:
		b.WriteString(quoteJSON(v))
	case json.Number:
		b.WriteString(v.String())
	case bool:
		if v {
			b.WriteString(syn.trueLit)
		} else {
			b.WriteString(syn.falseLit)
		}
	default:
		b.WriteString(syn.nullLit)
	}
}

// shellQuote quotes s for a POSIX shell: inside single quotes nothing is
// special but the single quote itself.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// csharpVerbatim quotes s as a C# verbatim string, which escapes only the
// double quote (by doubling it) and may span lines.
func csharpVerbatim(s string) string {
	return `@"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// docSamples are the sample requests and responses of both formats: input
// values made up from the schema, and outputs made up likewise when the
// endpoint's sample data is on, typed placeholders otherwise.
type docSamples struct {
	TableRequest, TableResponse     jsonObject
	RecordsRequest, RecordsResponse jsonObject
}

// newDocSamples builds d's samples: sampleRowCount rows through both
// formats, the response with the columns docOutputs lists.
func newDocSamples(d *endpointDoc) docSamples {
	out := d.Info.Output.Fields
	inRows, outRows := sampleRows(d.Info, sampleRowCount), sampleOutputs(d.Info, sampleRowCount)
	if !d.SampleData {
		// Inputs stay made up from the schema (which the page shows
		// anyway), so that every sample runs as shown; the outputs, which
		// would look like predictions, become typed placeholders.
		for i := range sampleRowCount {
			outRows[i] = placeholderRow(out)
		}
	}
	resCols := docOutputs(d)
	names := func(cols []docColumn) []any {
		list := make([]any, len(cols))
		for i, c := range cols {
			list[i] = c.Name
		}
		return list
	}
	inCols := docInputs(d.Info)
	var tableIn, tableOut, recordsIn, recordsOut []any
	for i := range sampleRowCount {
		resRow := outRows[i]
		if d.EchoInputs {
			resRow = append(append([]string{}, inRows[i]...), outRows[i]...)
		}
		tableIn = append(tableIn, docCells(inRows[i]))
		tableOut = append(tableOut, docCells(resRow))
		recordsIn = append(recordsIn, docRecord(inCols, inRows[i]))
		recordsOut = append(recordsOut, docRecord(resCols, resRow))
	}
	types := make([]any, len(resCols))
	for i, c := range resCols {
		types[i] = c.Type
	}
	return docSamples{
		TableRequest: jsonObject{
			{"Inputs", jsonObject{{"input1", jsonObject{{"ColumnNames", names(inCols)}, {"Values", tableIn}}}}},
			{"GlobalParameters", jsonObject{}},
		},
		TableResponse: jsonObject{{"Results", jsonObject{{"output1", jsonObject{
			{"type", "table"},
			{"value", jsonObject{{"ColumnNames", names(resCols)}, {"ColumnTypes", types}, {"Values", tableOut}}},
		}}}}},
		RecordsRequest: jsonObject{
			{"Inputs", jsonObject{{"input1", recordsIn}}},
			{"GlobalParameters", jsonObject{}},
		},
		RecordsResponse: jsonObject{{"Results", jsonObject{{"output1", recordsOut}}}},
	}
}

// docCells is a row of the table format: every cell a string.
func docCells(row []string) []any {
	list := make([]any, len(row))
	for i, v := range row {
		list[i] = v
	}
	return list
}

// docRecord is a row of the records format: a member per column, typed.
func docRecord(cols []docColumn, row []string) jsonObject {
	o := make(jsonObject, len(cols))
	for i, c := range cols {
		o[i] = jsonMember{c.Name, typedValue(c.DataType, row[i])}
	}
	return o
}

// codeSample is a ready-to-run program calling the endpoint.
type codeSample struct {
	ID, Language, Note, Code string
}

// samplePrograms renders templates/samples.tmpl: one program per language that
// posts body to target with the key placeholder. Each value is quoted for its
// language here, so the templates only place them.
func samplePrograms(target string, body jsonObject) ([]codeSample, error) {
	js := prettyJSON(body)
	data := map[string]string{
		"Key":        apiKeyPlaceholder,
		"URL":        quoteJSON(target),
		"ShellURL":   shellQuote(target),
		"ShellBody":  shellQuote(js),
		"CSharpURL":  csharpVerbatim(target),
		"CSharpBody": csharpVerbatim(js),
		"Python":     sourceLiteral(pythonSyntax, body, ""),
		"R":          sourceLiteral(rSyntax, body, ""),
		"JavaScript": js,
	}
	list := []codeSample{
		{ID: "curl", Language: "curl", Note: "Any POSIX shell."},
		{ID: "python", Language: "Python", Note: "Python 3 with the requests package (pip install requests)."},
		{ID: "r", Language: "R", Note: "R with the httr package (install.packages(\"httr\"))."},
		{ID: "csharp", Language: "C#", Note: "A .NET 6 or later console app (dotnet new console); this is its Program.cs."},
		{ID: "javascript", Language: "JavaScript", Note: "Node.js 18 or later (node score.js); no packages needed."},
	}
	for i := range list {
		var buf bytes.Buffer
		if err := sampleTemplates.ExecuteTemplate(&buf, list[i].ID, data); err != nil {
			return nil, fmt.Errorf("render %s sample: %w", list[i].Language, err)
		}
		list[i].Code = strings.TrimSpace(buf.String()) + "\n"
	}
	return list, nil
}
