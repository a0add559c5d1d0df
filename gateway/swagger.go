package gateway

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/scoregate/scoregate"
)

// swaggerBase splits the gateway's BaseURL into swagger's scheme, host and
// path prefix. A BaseURL that is not an absolute URL leaves host and
// scheme out, which tells clients to use the ones the document came from.
func swaggerBase(base string) (scheme, host, prefix string) {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return "", "", ""
	}
	return u.Scheme, u.Host, strings.TrimRight(u.Path, "/")
}

// swaggerSchema is the subset of a Swagger 2.0 Schema Object the documents use.
type swaggerSchema struct {
	Ref              string           `json:"$ref,omitempty"`
	Type             string           `json:"type,omitempty"`
	Format           string           `json:"format,omitempty"`
	Description      string           `json:"description,omitempty"`
	Enum             []any            `json:"enum,omitempty"`
	Minimum          *float64         `json:"minimum,omitempty"`
	ExclusiveMinimum bool             `json:"exclusiveMinimum,omitempty"`
	Maximum          *float64         `json:"maximum,omitempty"`
	ExclusiveMaximum bool             `json:"exclusiveMaximum,omitempty"`
	Items            *swaggerSchema   `json:"items,omitempty"`
	Properties       jsonObject       `json:"properties,omitempty"`
	Required         []string         `json:"required,omitempty"`
	Example          any              `json:"example,omitempty"`
	Columns          []*swaggerSchema `json:"x-columns,omitempty"`
	Name             string           `json:"x-name,omitempty"`
}

func swaggerRef(name string) *swaggerSchema { return &swaggerSchema{Ref: "#/definitions/" + name} }

// swaggerDoc is a Swagger (OpenAPI) 2.0 document.
type swaggerDoc struct {
	Swagger             string                     `json:"swagger"`
	Info                swaggerInfo                `json:"info"`
	Host                string                     `json:"host,omitempty"`
	BasePath            string                     `json:"basePath"`
	Schemes             []string                   `json:"schemes,omitempty"`
	Consumes            []string                   `json:"consumes"`
	Produces            []string                   `json:"produces"`
	SecurityDefinitions map[string]swaggerSecurity `json:"securityDefinitions"`
	Security            []map[string][]string      `json:"security"`
	Paths               jsonObject                 `json:"paths"`
	Definitions         map[string]*swaggerSchema  `json:"definitions"`
}

type swaggerInfo struct {
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Version     string `json:"version"`
}

type swaggerSecurity struct {
	Type        string `json:"type"`
	Name        string `json:"name"`
	In          string `json:"in"`
	Description string `json:"description"`
}

type swaggerOperation struct {
	OperationID string                     `json:"operationId"`
	Summary     string                     `json:"summary"`
	Description string                     `json:"description"`
	Parameters  []swaggerParameter         `json:"parameters"`
	Responses   map[string]swaggerResponse `json:"responses"`
}

type swaggerParameter struct {
	Name        string         `json:"name"`
	In          string         `json:"in"`
	Description string         `json:"description"`
	Required    bool           `json:"required"`
	Type        string         `json:"type,omitempty"`
	Schema      *swaggerSchema `json:"schema,omitempty"`
}

type swaggerResponse struct {
	Description string                   `json:"description"`
	Schema      *swaggerSchema           `json:"schema,omitempty"`
	Headers     map[string]swaggerHeader `json:"headers,omitempty"`
	Examples    map[string]any           `json:"examples,omitempty"`
}

type swaggerHeader struct {
	Type        string `json:"type"`
	Description string `json:"description"`
}

// swagger builds the OpenAPI 2.0 document of endpoint d. Its two paths are
// the execute URL of each format, query string included: the formats differ
// in body shape, which one operation cannot express in OpenAPI 2.0 (it has
// no oneOf), and a path each gives a generated client one typed method per
// format. The specification's text (not its JSON schema) frowns on a query
// in a path; tools that insist can use either operation's body schema with
// a query parameter of their own. Examples are present only when the
// endpoint's sample data is on.
func (s *Server) swagger(d *endpointDoc) swaggerDoc {
	scheme, host, prefix := swaggerBase(s.cfg.BaseURL)
	doc := swaggerDoc{
		Swagger: "2.0",
		Info: swaggerInfo{
			Title:       d.Service + " [" + d.Endpoint + "]",
			Description: strings.TrimSpace(d.ServiceDescription + "\n\n" + d.Description),
			Version:     "2.0",
		},
		Host:     host,
		BasePath: prefix + strings.TrimPrefix(d.APILocation, s.cfg.BaseURL),
		Consumes: []string{fiber.MIMEApplicationJSON},
		Produces: []string{fiber.MIMEApplicationJSON},
		SecurityDefinitions: map[string]swaggerSecurity{"apiKey": {
			Type: "apiKey", Name: fiber.HeaderAuthorization, In: "header",
			Description: "The endpoint's primary or secondary key, sent as 'Bearer <key>'.",
		}},
		Security:    []map[string][]string{{"apiKey": {}}},
		Definitions: s.swaggerDefinitions(d),
	}
	if scheme != "" {
		doc.Schemes = []string{scheme}
	}
	smp := newDocSamples(d)
	example := func(v jsonObject) map[string]any {
		if !d.SampleData {
			return nil
		}
		return map[string]any{fiber.MIMEApplicationJSON: v}
	}
	if d.SampleData {
		doc.Definitions["ExecuteRecordsRequest"].Example = smp.RecordsRequest
		doc.Definitions["ExecuteTableRequest"].Example = smp.TableRequest
	}
	doc.Paths = jsonObject{
		{"/execute" + recordsFormatQuery, jsonObject{{"post", swaggerOperation{
			OperationID: "execute",
			Summary:     "Score rows given as JSON records",
			Description: "Scores each record of Inputs.input1; output1 has one record per input record, " +
				"with JSON numbers and booleans typed as the columns are.",
			Parameters: s.executeParameters("ExecuteRecordsRequest"),
			Responses: s.executeResponses(swaggerResponse{Description: "The scored records.",
				Schema: swaggerRef("ExecuteRecordsResponse"), Examples: example(smp.RecordsResponse)}),
		}}}},
		{"/execute" + tableFormatQuery, jsonObject{{"post", swaggerOperation{
			OperationID: "executeTable",
			Summary:     "Score rows given as a table",
			Description: "Scores each row of Inputs.input1.Values, whose cells are in the order of its ColumnNames " +
				"and may be strings or JSON numbers; output1 is a table of strings with ColumnTypes.",
			Parameters: s.executeParameters("ExecuteTableRequest"),
			Responses: s.executeResponses(swaggerResponse{Description: "The scored table.",
				Schema: swaggerRef("ExecuteTableResponse"), Examples: example(smp.TableResponse)}),
		}}}},
	}
	return doc
}

func (s *Server) executeParameters(body string) []swaggerParameter {
	return []swaggerParameter{
		{Name: "body", In: "body", Required: true, Schema: swaggerRef(body),
			Description: fmt.Sprintf("The rows to score: at most %d rows and %d bytes.", s.cfg.MaxRows, s.cfg.MaxRequestBytes)},
		{Name: headerClientRequestID, In: "header", Type: "string",
			Description: "An id of the caller's choosing (up to 128 visible characters), echoed in the response."},
	}
}

// executeResponses are the responses of an execute operation: ok, and the
// documented errors, each with the classic error body.
func (s *Server) executeResponses(ok swaggerResponse) map[string]swaggerResponse {
	reqID := map[string]swaggerHeader{headerRequestID: {Type: "string", Description: "The request's id, for support."}}
	ok.Headers = reqID
	out := map[string]swaggerResponse{"200": ok}
	for _, e := range s.scoringErrors() {
		r := swaggerResponse{Description: fmt.Sprintf("%s (%s): %s", e.Class, e.Codes, e.When), Schema: swaggerRef("Error"), Headers: reqID}
		if e.Status == fiber.StatusServiceUnavailable {
			r.Headers = map[string]swaggerHeader{headerRequestID: reqID[headerRequestID],
				fiber.HeaderRetryAfter: {Type: "integer", Description: "Seconds to wait before retrying."}}
		}
		out[fmt.Sprint(e.Status)] = r
	}
	return out
}

// swaggerDefinitions are the schemas of both formats' bodies and of the error
// body. Record schemas have one property per column, typed; table schemas
// list the same columns in x-columns, since OpenAPI 2.0 cannot type the
// cells of a row by position.
func (s *Server) swaggerDefinitions(d *endpointDoc) map[string]*swaggerSchema {
	in, out := docInputs(d.Info), docOutputs(d)
	return map[string]*swaggerSchema{
		"InputRecord":  swaggerRecord(in, "One row to score: a property per input column."),
		"OutputRecord": swaggerRecord(out, "One scored row: a property per output column."),
		"InputTable":   swaggerTable(in, false),
		"OutputTable":  swaggerTable(out, true),
		"ExecuteRecordsRequest": swaggerObject(jsonObject{
			{"Inputs", swaggerObject(jsonObject{{"input1", &swaggerSchema{Type: "array", Items: swaggerRef("InputRecord")}}}, "input1")},
			{"GlobalParameters", swaggerGlobals()},
		}, "Inputs"),
		"ExecuteRecordsResponse": swaggerObject(jsonObject{
			{"Results", swaggerObject(jsonObject{{"output1", &swaggerSchema{Type: "array", Items: swaggerRef("OutputRecord")}}}, "output1")},
		}, "Results"),
		"ExecuteTableRequest": swaggerObject(jsonObject{
			{"Inputs", swaggerObject(jsonObject{{"input1", swaggerRef("InputTable")}}, "input1")},
			{"GlobalParameters", swaggerGlobals()},
		}, "Inputs"),
		"ExecuteTableResponse": swaggerObject(jsonObject{
			{"Results", swaggerObject(jsonObject{{"output1", swaggerObject(jsonObject{
				{"type", &swaggerSchema{Type: "string", Enum: []any{"table"}}},
				{"value", swaggerRef("OutputTable")},
			}, "type", "value")}}, "output1")},
		}, "Results"),
		"Error": swaggerObject(jsonObject{{"error", swaggerObject(jsonObject{
			{"code", &swaggerSchema{Type: "string", Description: "The error class, e.g. BadArgument."}},
			{"message", &swaggerSchema{Type: "string"}},
			{"details", &swaggerSchema{Type: "array", Items: swaggerObject(jsonObject{
				{"code", &swaggerSchema{Type: "string", Description: "The error code, e.g. InputParseError."}},
				{"target", &swaggerSchema{Type: "string", Description: "The column or part of the request at fault."}},
				{"message", &swaggerSchema{Type: "string"}},
			}, "code", "message")}},
		}, "code", "message")}}, "error"),
	}
}

func swaggerObject(props jsonObject, required ...string) *swaggerSchema {
	return &swaggerSchema{Type: "object", Properties: props, Required: required}
}

func swaggerGlobals() *swaggerSchema {
	return &swaggerSchema{Type: "object", Description: "Global parameters of the model; scoregate's models take none: send {}."}
}

// swaggerRecord is an object with one typed property per column; the
// columns that are not optional are required.
func swaggerRecord(cols []docColumn, description string) *swaggerSchema {
	sch := &swaggerSchema{Type: "object", Description: description}
	for _, c := range cols {
		sch.Properties = append(sch.Properties, jsonMember{c.Name, swaggerColumn(c)})
		if !c.Optional {
			sch.Required = append(sch.Required, c.Name)
		}
	}
	return sch
}

// swaggerTable is the table format of cols: ColumnNames, Values and, in
// responses, ColumnTypes.
func swaggerTable(cols []docColumn, withTypes bool) *swaggerSchema {
	names, typed := make([]any, len(cols)), make([]*swaggerSchema, len(cols))
	for i, c := range cols {
		names[i] = c.Name
		typed[i] = swaggerColumn(c)
		typed[i].Name = c.Name
	}
	cell := &swaggerSchema{Type: "string", Description: "A cell, in the column's position; requests may send numbers as JSON numbers."}
	props := jsonObject{{"ColumnNames", &swaggerSchema{Type: "array", Items: &swaggerSchema{Type: "string", Enum: names},
		Description: "The columns, in the order of the cells of each row."}}}
	required := []string{"ColumnNames", "Values"}
	if withTypes {
		types := []any{"String", "Double", "Int64", "Boolean", "DateTime"}
		props = append(props, jsonMember{"ColumnTypes", &swaggerSchema{Type: "array", Items: &swaggerSchema{Type: "string", Enum: types},
			Description: "The type of each column, in the order of ColumnNames."}})
		required = append(required, "ColumnTypes")
	}
	props = append(props, jsonMember{"Values", &swaggerSchema{Type: "array", Items: &swaggerSchema{Type: "array", Items: cell}}})
	sch := swaggerObject(props, required...)
	sch.Columns = typed
	return sch
}

// swaggerColumn types a column as the records format carries it.
func swaggerColumn(c docColumn) *swaggerSchema {
	sch := &swaggerSchema{Type: "string"}
	switch c.DataType {
	case scoregate.TypeDouble, scoregate.TypeFloat:
		sch.Type, sch.Format = "number", c.DataType
	case scoregate.TypeInteger:
		sch.Type, sch.Format = "integer", "int64"
	case scoregate.TypeBoolean:
		sch.Type = "boolean"
	case scoregate.TypeDate:
		sch.Format = "date"
	case scoregate.TypeDateTime:
		sch.Format = "date-time"
	case scoregate.TypeTime:
		sch.Format = "time"
	}
	if c.Allowed == "" {
		return sch
	}
	for _, v := range c.field.Values {
		sch.Enum = append(sch.Enum, typedValue(c.DataType, v))
	}
	if ivs := c.field.Intervals; len(ivs) == 1 {
		sch.Minimum, sch.Maximum = finite(ivs[0].Left), finite(ivs[0].Right)
		sch.ExclusiveMinimum = sch.Minimum != nil && (ivs[0].Closure == "openOpen" || ivs[0].Closure == "openClosed")
		sch.ExclusiveMaximum = sch.Maximum != nil && (ivs[0].Closure == "openOpen" || ivs[0].Closure == "closedOpen")
	}
	sch.Description = "In " + c.Allowed + "."
	if len(c.field.Values) > 0 {
		sch.Description = "One of " + c.Allowed + "."
	}
	return sch
}
