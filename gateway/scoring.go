package gateway

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/scoregate/scoregate"
)

// setDefaults gives every zero limit its default.
func (c *Config) setDefaults() {
	orDefault(&c.MaxModelBytes, DefaultMaxModelBytes)
	orDefault(&c.MaxJSONBytes, DefaultMaxJSONBytes)
	orDefault(&c.MaxBlobBytes, DefaultMaxBlobBytes)
	orDefault(&c.MaxUploadBytes, DefaultMaxUploadBytes)
	orDefault(&c.MaxWorkbookBytes, DefaultMaxWorkbookBytes)
	orDefault(&c.MaxWorkbookRows, DefaultMaxWorkbookRows)
	orDefault(&c.MaxRequestBytes, DefaultMaxRequestBytes)
	orDefault(&c.MaxRows, DefaultMaxRows)
	orDefault(&c.ScoreTimeout, DefaultScoreTimeout)
	orDefault(&c.MaxLogBodyBytes, DefaultMaxLogBodyBytes)
	orDefault(&c.LogRetention, DefaultLogRetention)
	orDefault(&c.UsageRetention, DefaultUsageRetention)
	orDefault(&c.MetricsEndpoints, DefaultMetricsEndpoints)
}

// orDefault sets *p to def when it is zero or negative.
func orDefault[T int | int64 | time.Duration](p *T, def T) {
	if *p <= 0 {
		*p = def
	}
}

// apiPrefix is the path of an endpoint's ApiLocation.
const apiPrefix = "/workspaces/:ws/services/:id"

// scoringRoutes registers the Request-Response API (DESIGN §4).
func (s *Server) scoringRoutes() {
	s.app.Post(apiPrefix+"/execute", s.handleExecute)
}

// errScoreUnauthorized answers a scoring call without a key of the
// endpoint it calls.
var errScoreUnauthorized = scoregate.Errorf(scoregate.Unauthorized, scoregate.CodeScoreRequestUnauth, "",
	"the request must carry a key of this endpoint in the header 'Authorization: Bearer KEY'")

// retryAfter is the Retry-After of a throttled call, in seconds: calls
// take milliseconds, so a place is likely free by then.
const retryAfter = "1"

// handleExecute serves POST {ApiLocation}/execute: one call scores the rows
// of its body in the table or the records format. Every call, refused or
// not, is recorded (request log, usage, metrics) once its response is
// complete.
func (s *Server) handleExecute(c *fiber.Ctx) error {
	rec := callRecord{At: time.Now(), RequestID: requestID(c), Method: fiber.MethodPost,
		Path: string(c.Request().URI().RequestURI())}
	if err := s.execute(c, &rec); err != nil {
		if werr := s.handleError(c, err); werr != nil {
			return werr
		}
		rec.ErrorCode, _ = c.Locals(localErrorCode).(string)
	}
	rec.Status = c.Response().StatusCode()
	rec.Latency = time.Since(rec.At)
	rec.Request, rec.Response = c.Body(), c.Response().Body()
	s.recordCall(&rec)
	return nil
}

// isScoringCall reports whether a request is a scoring call (execute, or
// the live formulas' predict), which observe leaves to bound itself.
func isScoringCall(c *fiber.Ctx) bool {
	switch c.Method() {
	case fiber.MethodPost:
		return strings.HasSuffix(c.Path(), "/execute")
	case fiber.MethodGet, fiber.MethodHead:
		return strings.HasSuffix(c.Path(), "/predict")
	}
	return false
}

// execute authenticates, throttles, parses, scores and writes a call's
// response; an error is answered by handleError. The whole call, the
// first call's loading of the endpoint and its model included, is bounded
// by the score timeout.
func (s *Server) execute(c *fiber.Ctx, rec *callRecord) error {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ScoreTimeout)
	defer cancel()
	c.SetUserContext(ctx)
	key, ok := bearer(c.Request().Header.Peek(fiber.HeaderAuthorization))
	if !ok {
		return errScoreUnauthorized
	}
	if s.live == nil {
		return scoregate.Errorf(scoregate.ServiceUnavailable, codeNotReady, "", "scoring is not configured on this gateway")
	}
	se, err := s.live.Resolve(c.UserContext(), c.Params("ws"), c.Params("id"), key)
	if err != nil {
		return err
	}
	ep := &se.Endpoint
	rec.Endpoint = ep
	g := s.gates.get(ep.ID)
	if !g.enter(ep.MaxConcurrentCalls) {
		return throttled(c, rec, ep)
	}
	defer g.leave()

	if err := checkAPIVersion(c); err != nil {
		return err
	}
	body, err := readBody(c, s.cfg.MaxRequestBytes)
	if err != nil {
		return err
	}
	idx := g.index(se.Scorer)
	records := strings.EqualFold(c.Query("format"), "swagger")
	sc := getScratch()
	defer putScratch(sc)
	in, err := parseExecute(body, records, idx, s.cfg.MaxRows, sc)
	if err != nil {
		return err
	}
	out, err := s.score(c.UserContext(), se.Scorer, in, sc)
	if err != nil {
		return err
	}
	rec.Rows = len(in.rows)
	buf := getBuffer()
	defer putBuffer(buf)
	if records {
		*buf = appendRecords((*buf)[:0], idx, in, out, ep.EchoInputs)
	} else {
		*buf = appendTable((*buf)[:0], idx, in, out, ep.EchoInputs)
	}
	c.Status(fiber.StatusOK)
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Response().SetBody(*buf) // copies
	return nil
}

// checkAPIVersion accepts the classic api-version 2.0, or none.
func checkAPIVersion(c *fiber.Ctx) error {
	v := c.Request().URI().QueryArgs().Peek("api-version")
	if len(v) == 0 || bytes.Equal(v, []byte("2.0")) {
		return nil
	}
	return scoregate.Errorf(scoregate.BadArgument, scoregate.CodeUnsupportedAPIVersion, "api-version",
		"api-version %q is not supported; use 2.0", v)
}

// score scores the parsed rows within the scoring timeout. A row the model
// cannot score fails the call, naming the row and the field, as classic
// did; batch jobs report such rows in an Errors column instead.
func (s *Server) score(ctx context.Context, model scoregate.Scorer, in *parsedInput, sc *scratch) ([][]scoregate.Value, error) {
	n := len(in.rows)
	outs := grid(&sc.outVals, &sc.outs, n, len(model.Info().Output.Fields))
	errs := sc.errors(n)
	failed, err := model.ScoreBatch(ctx, in.rows, outs, errs)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return nil, scoregate.Errorf(scoregate.RequestTimeout, scoregate.CodeScoreRequestTimeout, "",
			"scoring %d rows did not finish within %s", n, s.cfg.ScoreTimeout)
	case err != nil:
		return nil, err
	case failed > 0:
		for i, e := range errs {
			if e != nil {
				return nil, rowError(i, e)
			}
		}
	}
	return outs, nil
}

// rowError names the row (1-based, as a spreadsheet user counts) of a
// model's per-row error.
func rowError(i int, err error) error {
	e := scoregate.ErrorOf(err)
	if e.Class == scoregate.Internal {
		return err
	}
	column := ""
	if e.Target != "" {
		column = ", column " + e.Target
	}
	return &scoregate.Error{Class: e.Class, Code: e.Code, Target: "input1", Err: err,
		Message: "row " + itoa(i+1) + column + ": " + e.Message}
}
