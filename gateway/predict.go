package gateway

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/scoregate/scoregate"
)

// The live-formula route answers the spreadsheet function WEBSERVICE (Excel
// for Windows, LibreOffice), which can only GET a URL and show the body as
// text. So everything travels in the query string, the key too, and a row
// the model cannot score yet is a 200 whose text says why: a spreadsheet
// shows any other status as #VALUE! and nothing more.
//
// The order of the checks: the key first (401), then whether the endpoint
// has LiveWorkbookEnabled (404, the answer to a route that does not
// exist, given only to a caller that holds a key of the endpoint), then the
// probe (answered without scoring), api-version and output (400), the
// throttle (503), and last the row, whose problems are answered 200.

// Query parameters of the predict route that are not model inputs (nor is
// api-version, checked as the scoring API checks it). A model input of the
// same name cannot be given on this route.
const (
	paramAPIKey = "api-key"
	paramOutput = "output"
)

// redacted replaces the key in every URL the gateway records.
const redacted = "REDACTED"

// Prefixes of the texts that answer a row the model cannot score.
const (
	prefixMissing = "missing: "
	prefixError   = "error: "
)

// predictRoutes registers the live-formula route (issue 6, DESIGN §7).
// Fiber's Get answers HEAD as well; a HEAD is served like the probe.
func (s *Server) predictRoutes() {
	s.app.Get(apiPrefix+"/predict", s.handlePredict)
}

// errPredictUnauthorized answers a predict call without a key of the
// endpoint it calls.
var errPredictUnauthorized = scoregate.Errorf(scoregate.Unauthorized, scoregate.CodeScoreRequestUnauth, "",
	"the request must carry a key of this endpoint in the query parameter 'api-key' or in the header 'Authorization: Bearer KEY'")

// handlePredict serves GET {ApiLocation}/predict?api-key=KEY&output=COLUMN&{input}=value…:
// one row scored, one output value answered as plain text. Every call but
// the probe is recorded like a scoring call, its URL with the key
// redacted.
func (s *Server) handlePredict(c *fiber.Ctx) error {
	probe := isProbe(c)
	rec := callRecord{At: time.Now(), RequestID: requestID(c), Method: fiber.MethodGet}
	c.Set(fiber.HeaderCacheControl, "no-store")
	if err := s.predict(c, &rec, probe); err != nil {
		if werr := s.handleError(c, err); werr != nil {
			return werr
		}
		rec.ErrorCode, _ = c.Locals(localErrorCode).(string)
	}
	if probe {
		return nil // not a call: the real GET follows
	}
	rec.Status = c.Response().StatusCode()
	rec.Latency = time.Since(rec.At)
	rec.Path = redactedRequestURI(c.Request().URI().RequestURI())
	rec.Response = c.Response().Body()
	s.recordCall(&rec)
	return nil
}

// isProbe reports whether a request only wants to know that the URL
// answers: LibreOffice's WEBSERVICE sends "Range: bytes=0-0" before each
// real GET, and HEAD asks for headers alone.
func isProbe(c *fiber.Ctx) bool {
	if c.Method() == fiber.MethodHead {
		return true
	}
	return string(bytes.TrimSpace(c.Request().Header.Peek(fiber.HeaderRange))) == "bytes=0-0"
}

// predict authenticates, checks the setting, throttles, reads the row from
// the query string, scores it and writes the one value asked for. Like
// execute, the whole call is bounded by the score timeout.
func (s *Server) predict(c *fiber.Ctx, rec *callRecord, probe bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ScoreTimeout)
	defer cancel()
	c.SetUserContext(ctx)
	key, ok := predictKey(c)
	if !ok {
		return errPredictUnauthorized
	}
	if s.live == nil {
		return scoregate.Errorf(scoregate.ServiceUnavailable, codeNotReady, "", "scoring is not configured on this gateway")
	}
	se, err := s.live.Resolve(ctx, c.Params("ws"), c.Params("id"), key)
	if err != nil {
		if scoregate.ClassOf(err) == scoregate.Unauthorized {
			return errPredictUnauthorized
		}
		return err
	}
	ep := &se.Endpoint
	rec.Endpoint = ep
	if !ep.LiveWorkbookEnabled {
		return fiber.ErrNotFound // the same answer as a route that does not exist
	}
	if probe {
		return writeText(c, "")
	}
	if err := checkAPIVersion(c); err != nil {
		return err
	}
	g := s.gates.get(ep.ID)
	x := g.index(se.Scorer)
	out, err := outputIndex(x, c.Request().URI().QueryArgs().Peek(paramOutput))
	if err != nil {
		return err
	}
	if !g.enter(ep.MaxConcurrentCalls) {
		return throttled(c, rec, ep)
	}
	defer g.leave()

	sc := getScratch()
	defer putScratch(sc)
	rows := grid(&sc.inVals, &sc.rows, 1, len(x.inputs))
	if err := queryRow(c, x, rows[0]); err != nil {
		return err
	}
	if missing := missingInputs(x, rows[0]); missing != "" {
		return writeText(c, prefixMissing+missing)
	}
	outs := grid(&sc.outVals, &sc.outs, 1, len(x.outNames))
	errs := sc.errors(1)
	failed, err := se.Scorer.ScoreBatch(ctx, rows, outs, errs)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return scoregate.Errorf(scoregate.RequestTimeout, scoregate.CodeScoreRequestTimeout, "",
			"scoring the row did not finish within %s", s.cfg.ScoreTimeout)
	case err != nil:
		return err
	case failed > 0 && errs[0] != nil:
		e := scoregate.ErrorOf(errs[0])
		if e.Class == scoregate.Internal {
			return errs[0]
		}
		if e.Target != "" {
			return writeText(c, prefixError+e.Target+": "+e.Message)
		}
		return writeText(c, prefixError+e.Message)
	}
	rec.Rows = 1
	v := outs[0][out]
	if v.Kind == scoregate.KindMissing || v.Kind == scoregate.KindInvalid {
		return writeText(c, "")
	}
	return writeText(c, v.String())
}

// predictKey returns the endpoint key of a predict call: the Authorization
// header when it carries one, else the query parameter api-key, under the
// header's rules (one token of at most 512 visible characters). The result
// is a copy.
func predictKey(c *fiber.Ctx) (string, bool) {
	if key, ok := bearer(c.Request().Header.Peek(fiber.HeaderAuthorization)); ok {
		return key, true
	}
	key := bytes.TrimSpace(c.Request().URI().QueryArgs().Peek(paramAPIKey))
	if len(key) == 0 || len(key) > 512 || !printable(key) {
		return "", false
	}
	return string(key), true
}

// outputIndex returns the output field named by the output parameter: its
// column name as scoring calls name it (scoregate.OutputColumns) or the
// model's own field name, either without regard to case. No parameter
// means the first output.
func outputIndex(x *schemaIndex, name []byte) (int, error) {
	if len(name) == 0 {
		if len(x.outNames) == 0 {
			return 0, scoregate.Errorf(scoregate.BadArgument, scoregate.CodeInvalidValue, paramOutput,
				"the model has no output")
		}
		return 0, nil
	}
	for i, n := range x.outNames {
		if strings.EqualFold(n, string(name)) {
			return i, nil
		}
	}
	for i, f := range x.scorer.Info().Output.Fields {
		if strings.EqualFold(f.Name, string(name)) {
			return i, nil
		}
	}
	return 0, scoregate.Errorf(scoregate.BadArgument, scoregate.CodeInvalidValue, paramOutput,
		"the endpoint has no output %q; use one of %s", name, quoteList(x.outNames))
}

// queryRow fills row from the query parameters named like the model's
// inputs (without regard to case); other parameters are ignored, as
// extra columns are by the scoring API. An empty value is a missing one.
// A number field takes a number (see parseNumber); any other text is
// handed to the model, which converts it to the field's type or says what
// is wrong with it.
func queryRow(c *fiber.Ctx, x *schemaIndex, row scoregate.Row) error {
	var err error
	var small [64]bool
	seen := small[:0]
	if len(row) <= len(small) {
		seen = small[:len(row)]
	} else {
		seen = make([]bool, len(row))
	}
	c.Request().URI().QueryArgs().VisitAll(func(k, v []byte) {
		if err != nil || string(k) == paramAPIKey || string(k) == paramOutput || string(k) == "api-version" {
			return
		}
		f, ok := x.byName[string(k)]
		if !ok {
			if f, ok = x.byName[strings.ToLower(string(k))]; !ok {
				return
			}
		}
		if seen[f] {
			err = scoregate.Errorf(scoregate.BadArgument, scoregate.CodeInvalidInputNames, x.inputs[f].Name,
				"the input %q is given twice (names are matched without regard to case)", x.inputs[f].Name)
			return
		}
		seen[f] = true
		v = bytes.TrimSpace(v)
		if len(v) == 0 {
			return
		}
		if x.kinds[f] == kindNumber {
			if n, ok := parseNumber(v); ok {
				row[f] = scoregate.Float(n)
				return
			}
		}
		row[f] = scoregate.Text(string(v))
	})
	return err
}

// parseNumber reads a number as a spreadsheet sends it: with a decimal
// point, or with the decimal comma that Excel and LibreOffice write when
// they turn a number into text under a locale that uses one ("5,1").
// Such text never holds a thousands separator, so a single comma without
// a point can only be a decimal comma.
func parseNumber(v []byte) (float64, bool) {
	if n, err := strconv.ParseFloat(string(v), 64); err == nil {
		return n, true
	}
	i := bytes.IndexByte(v, ',')
	if i < 0 || len(v) > 64 || bytes.IndexByte(v[i+1:], ',') >= 0 || bytes.IndexByte(v, '.') >= 0 {
		return 0, false
	}
	var buf [64]byte
	b := append(buf[:0], v...)
	b[i] = '.'
	n, err := strconv.ParseFloat(string(b), 64)
	return n, err == nil
}

// missingInputs lists the inputs the model needs that row lacks, or "":
// in a spreadsheet, a row that is not filled in yet.
func missingInputs(x *schemaIndex, row scoregate.Row) string {
	var b strings.Builder
	for f, v := range row {
		if v.Kind != scoregate.KindMissing || x.inputs[f].Optional {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(x.inputs[f].Name)
	}
	return b.String()
}

// writeText answers 200 with a text value. It is never cached: the same
// URL scores again once the model or its endpoint changes.
func writeText(c *fiber.Ctx, text string) error {
	c.Status(fiber.StatusOK)
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Response().SetBodyString(text)
	return nil
}

// redactedRequestURI returns the path and query of a request with the
// value of every api-key parameter replaced by REDACTED, for the request
// log. Parameter names are compared decoded, as the route reads them.
func redactedRequestURI(uri []byte) string {
	path, query, ok := bytes.Cut(uri, []byte("?"))
	if !ok {
		return string(uri)
	}
	buf := getBuffer()
	defer putBuffer(buf)
	b := append(append((*buf)[:0], path...), '?')
	for first := true; ; first = false {
		pair, rest, more := bytes.Cut(query, []byte("&"))
		if !first {
			b = append(b, '&')
		}
		if name, _, _ := bytes.Cut(pair, []byte("=")); isKeyParam(name) {
			b = append(append(append(b, name...), '='), redacted...)
		} else {
			b = append(b, pair...)
		}
		if !more {
			break
		}
		query = rest
	}
	*buf = b
	return string(b)
}

// isKeyParam reports whether a raw (encoded) parameter name is api-key.
func isKeyParam(name []byte) bool {
	if bytes.EqualFold(name, []byte(paramAPIKey)) {
		return true
	}
	if bytes.IndexByte(name, '%') < 0 && bytes.IndexByte(name, '+') < 0 {
		return false
	}
	decoded, err := url.QueryUnescape(string(name))
	return err != nil || strings.EqualFold(strings.TrimSpace(decoded), paramAPIKey)
}
