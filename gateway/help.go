package gateway

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"strings"
	texttemplate "text/template"

	"github.com/gofiber/fiber/v2"

	"github.com/scoregate/scoregate"
)

// An endpoint's documentation is public, as classic's was: anyone with the
// URL may read how to call it, never with what key. The documents are
// built from an endpointDoc, which has no key fields to leak.

//go:embed templates/help.html templates/samples.tmpl
var helpTemplates embed.FS

var (
	helpPage        = template.Must(template.ParseFS(helpTemplates, "templates/help.html"))
	sampleTemplates = texttemplate.Must(texttemplate.ParseFS(helpTemplates, "templates/samples.tmpl"))
)

// apiKeyPlaceholder stands for the key in every sample. The documentation is
// public; the caller's key never appears in it.
const apiKeyPlaceholder = "YOUR_API_KEY"

// sampleRowCount is how many rows sample requests carry.
const sampleRowCount = 2

// helpCSP allows the help page its inline style and nothing else: no
// scripts, frames, forms or outside resources.
const helpCSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"

// Query strings of the two request formats.
const (
	tableFormatQuery   = "?api-version=2.0&details=true"
	recordsFormatQuery = "?api-version=2.0&format=swagger"
)

// helpRoutes registers an endpoint's documentation. The routes take no
// credential, as classic's swagger.json and help page took none: a client
// developer reads them before having a key, and they never show one.
func (s *Server) helpRoutes() {
	s.app.Get("/workspaces/:ws/services/:id/swagger.json", s.handleSwagger)
	s.app.Get("/workspaces/:ws/services/:id/help", s.handleHelp)
}

// endpointDoc is what an endpoint's public documentation is made from.
type endpointDoc struct {
	Service            string
	ServiceDescription string
	Endpoint           string
	Description        string
	APILocation        string
	Info               scoregate.ModelInfo
	SampleData         bool
	EchoInputs         bool
	// WorkbookURL downloads the endpoint's Excel workbook (with a
	// workspace token or the endpoint's key).
	WorkbookURL string
}

// resolveEndpointDoc resolves the endpoint the path names to its documentation.
// Every way of missing (bad ids, no workspace, no endpoint, a web service
// deleted meanwhile) is the same 404: the route is public and must not
// tell which workspaces exist.
func (s *Server) resolveEndpointDoc(c *fiber.Ctx) (*endpointDoc, error) {
	ws, id := param(c, "ws"), param(c, "id")
	missing := notFound(ws, id, "")
	if !scoregate.IsID(ws) || !scoregate.IsID(id) {
		return nil, missing
	}
	ctx := c.UserContext()
	e, err := s.store.EndpointByID(ctx, ws, id)
	switch {
	case scoregate.IsNotFound(err):
		return nil, missing
	case err != nil:
		return nil, fmt.Errorf("find endpoint %s: %w", id, err)
	}
	svcs, err := s.store.WebServices(ctx, ws)
	if err != nil {
		return nil, notFoundOr(err, missing, "list web services")
	}
	var svc *scoregate.WebService
	for i := range svcs {
		if svcs[i].ID == e.WebServiceID {
			svc = &svcs[i]
		}
	}
	if svc == nil {
		return nil, missing
	}
	mv, err := s.store.ModelVersion(ctx, ws, svc.Name, e.Version)
	if err != nil {
		return nil, notFoundOr(err, missing, fmt.Sprintf("read version %d of web service %s", e.Version, svc.Name))
	}
	return &endpointDoc{
		Service:            svc.Name,
		ServiceDescription: svc.Description,
		Endpoint:           e.Name,
		Description:        e.Description,
		APILocation:        e.APILocation(s.cfg.BaseURL),
		Info:               mv.Info,
		SampleData:         e.SampleDataEnabled,
		EchoInputs:         e.EchoInputs,
		WorkbookURL:        s.cfg.BaseURL + "/workspaces/" + e.WorkspaceID + "/webservices/" + svc.Name + "/endpoints/" + e.Name + "/workbook",
	}, nil
}

// notFoundOr returns missing for a not-found err and err wrapped otherwise.
func notFoundOr(err, missing error, doing string) error {
	if scoregate.IsNotFound(err) {
		return missing
	}
	return fmt.Errorf("%s: %w", doing, err)
}

// handleSwagger serves GET {ApiLocation}/swagger.json.
func (s *Server) handleSwagger(c *fiber.Ctx) error {
	d, err := s.resolveEndpointDoc(c)
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, s.swagger(d))
}

// handleHelp serves GET {ApiLocation}/help.
func (s *Server) handleHelp(c *fiber.Ctx) error {
	d, err := s.resolveEndpointDoc(c)
	if err != nil {
		return err
	}
	page, err := s.renderHelp(d)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderContentSecurityPolicy, helpCSP)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	return c.Status(fiber.StatusOK).Send(page)
}

// docColumn is one column of a request or response, as documented.
type docColumn struct {
	Name     string
	DataType string // the model field's data type
	Type     string // the table format's ColumnTypes entry
	OpType   string
	Allowed  string // values or intervals, "" when any value of the type
	Optional bool
	Feature  string
	field    scoregate.Field
}

// docInputs are the columns of a scoring request, as the schema lists them.
func docInputs(info scoregate.ModelInfo) []docColumn {
	cols := make([]docColumn, len(info.Input.Fields))
	for i, f := range info.Input.Fields {
		cols[i] = newDocColumn(f.Name, f)
	}
	return cols
}

// docOutputs are the columns a scoring response has: the inputs first
// when the endpoint echoes them, then the model's outputs under their
// classic names.
func docOutputs(d *endpointDoc) []docColumn {
	var cols []docColumn
	if d.EchoInputs {
		cols = docInputs(d.Info)
	}
	for i, name := range scoregate.OutputColumns(d.Info) {
		c := newDocColumn(name, d.Info.Output.Fields[i])
		c.Optional = false
		cols = append(cols, c)
	}
	return cols
}

// newDocColumn documents field f under column name (its classic name for
// outputs).
func newDocColumn(name string, f scoregate.Field) docColumn {
	return docColumn{Name: name, DataType: f.DataType, Type: columnType(f.DataType), OpType: f.OpType,
		Allowed: allowedValues(f), Optional: f.Optional, Feature: f.Feature, field: f}
}

// allowedValues describes a field's valid values: its categories, or its
// intervals in the usual notation, e.g. (0, 10].
func allowedValues(f scoregate.Field) string {
	if len(f.Values) > 0 {
		return strings.Join(f.Values, ", ")
	}
	parts := make([]string, 0, len(f.Intervals))
	for _, iv := range f.Intervals {
		left, right := "(−∞", "∞)"
		if l := finite(iv.Left); l != nil {
			left = "(" + formatNumber(*l)
			if iv.Closure == "closedOpen" || iv.Closure == "closedClosed" {
				left = "[" + formatNumber(*l)
			}
		}
		if r := finite(iv.Right); r != nil {
			right = formatNumber(*r) + ")"
			if iv.Closure == "openClosed" || iv.Closure == "closedClosed" {
				right = formatNumber(*r) + "]"
			}
		}
		parts = append(parts, left+", "+right)
	}
	return strings.Join(parts, " or ")
}

// scoringErrorDoc is one row of the documented scoring errors.
type scoringErrorDoc struct {
	Status int
	Class  scoregate.ErrorClass
	Codes  string
	When   string
}

// scoringErrors lists what the scoring API answers when it does not score.
func (s *Server) scoringErrors() []scoringErrorDoc {
	return []scoringErrorDoc{
		{fiber.StatusBadRequest, scoregate.BadArgument + " / " + scoregate.BadUserArgument,
			strings.Join([]string{scoregate.CodeInputParseError, scoregate.CodeInputMismatchError,
				scoregate.CodeMissingRequestInput, scoregate.CodeRequestBodyInvalid, scoregate.CodeInvalidInputNames,
				scoregate.CodeUnexpectedParameter, scoregate.CodeTooManyRows}, ", "),
			fmt.Sprintf("The body is not valid JSON of the format, a value does not read as its column's type, "+
				"columns are missing or unknown, or there are more than %d rows. The detail's target names the "+
				"column or part of the body at fault.", s.cfg.MaxRows)},
		{fiber.StatusUnauthorized, scoregate.Unauthorized, scoregate.CodeScoreRequestUnauth,
			"The Authorization header is missing or does not carry one of this endpoint's two keys."},
		{fiber.StatusNotFound, scoregate.NotFound, scoregate.CodeWebServiceNotFound,
			"No endpoint has this URL (it was deleted, or the URL is mistyped)."},
		{fiber.StatusRequestTimeout, scoregate.RequestTimeout, scoregate.CodeScoreRequestTimeout,
			fmt.Sprintf("Scoring took longer than %s. Send fewer rows per request.", s.cfg.ScoreTimeout)},
		{fiber.StatusRequestEntityTooLarge, scoregate.RequestEntityTooLarge, scoregate.CodeRequestTooLarge,
			fmt.Sprintf("The body is larger than %d bytes. Send fewer rows per request, or use a batch job.", s.cfg.MaxRequestBytes)},
		{fiber.StatusUnsupportedMediaType, scoregate.UnsupportedMediaType, scoregate.CodeUnsupportedMediaType,
			"The body is not JSON, or it is compressed (Content-Encoding)."},
		{fiber.StatusServiceUnavailable, scoregate.ServiceUnavailable, scoregate.CodeRequestThrottled,
			"The endpoint is serving as many calls as it allows at once. Retry after the seconds the Retry-After header says."},
	}
}

// helpView is the data of templates/help.html.
type helpView struct {
	*endpointDoc
	TableURL, RecordsURL, SwaggerURL string
	KeyPlaceholder                   string
	Inputs, Outputs                  []docColumn
	TableRequest, TableResponse      string
	RecordsRequest, RecordsResponse  string
	Errors                           []scoringErrorDoc
	Samples                          []codeSample
	MaxRows                          int
	MaxRequestBytes                  int64
}

// renderHelp renders the help page of d.
func (s *Server) renderHelp(d *endpointDoc) ([]byte, error) {
	smp := newDocSamples(d)
	v := helpView{
		endpointDoc:     d,
		TableURL:        d.APILocation + "/execute" + tableFormatQuery,
		RecordsURL:      d.APILocation + "/execute" + recordsFormatQuery,
		SwaggerURL:      d.APILocation + "/swagger.json",
		KeyPlaceholder:  apiKeyPlaceholder,
		Inputs:          docInputs(d.Info),
		Outputs:         docOutputs(d),
		Errors:          s.scoringErrors(),
		MaxRows:         s.cfg.MaxRows,
		MaxRequestBytes: s.cfg.MaxRequestBytes,
	}
	v.TableRequest, v.TableResponse = prettyJSON(smp.TableRequest), prettyJSON(smp.TableResponse)
	v.RecordsRequest, v.RecordsResponse = prettyJSON(smp.RecordsRequest), prettyJSON(smp.RecordsResponse)
	code, err := samplePrograms(v.RecordsURL, smp.RecordsRequest)
	if err != nil {
		return nil, fmt.Errorf("help of endpoint %s: %w", d.Endpoint, err)
	}
	v.Samples = code
	var buf bytes.Buffer
	if err := helpPage.Execute(&buf, v); err != nil {
		return nil, fmt.Errorf("render help of endpoint %s: %w", d.Endpoint, err)
	}
	return buf.Bytes(), nil
}
