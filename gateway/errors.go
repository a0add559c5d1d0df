package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/gofiber/fiber/v2"

	"github.com/scoregate/scoregate"
)

// Detail codes the gateway adds to the root package's.
const (
	codeNotReady         = "ServiceNotReady"
	codeRouteNotFound    = "RouteNotFound"
	codeMethodNotAllowed = "MethodNotAllowed"
	codeBadRequest       = "BadRequest"
	codeRequestTimeout   = "RequestTimeout"
)

// statusOf is the one table from error class to HTTP status.
var statusOf = map[scoregate.ErrorClass]int{
	scoregate.BadArgument:           fiber.StatusBadRequest,
	scoregate.BadUserArgument:       fiber.StatusBadRequest,
	scoregate.Unauthorized:          fiber.StatusUnauthorized,
	scoregate.NotFound:              fiber.StatusNotFound,
	scoregate.MethodNotAllowed:      fiber.StatusMethodNotAllowed,
	scoregate.RequestTimeout:        fiber.StatusRequestTimeout,
	scoregate.Conflict:              fiber.StatusConflict,
	scoregate.RequestEntityTooLarge: fiber.StatusRequestEntityTooLarge,
	scoregate.UnsupportedMediaType:  fiber.StatusUnsupportedMediaType,
	scoregate.ServiceUnavailable:    fiber.StatusServiceUnavailable,
	scoregate.Internal:              fiber.StatusInternalServerError,
}

// errorJSON is the classic error body.
type errorJSON struct {
	Error errorBodyJSON `json:"error"`
}

type errorBodyJSON struct {
	Code    scoregate.ErrorClass `json:"code"`
	Message string               `json:"message"`
	Details []errorDetailJSON    `json:"details,omitempty"`
}

type errorDetailJSON struct {
	Code    string `json:"code"`
	Target  string `json:"target,omitempty"`
	Message string `json:"message"`
}

// handleError is the app's one ErrorHandler: it maps err to a status and the
// classic error body. It also serves errors raised by the HTTP server before
// any middleware ran (an oversized body, a malformed request), so it sets the
// request id itself when observe has not.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	id := requestID(c)
	if id == "" {
		id = newRequestID()
		c.Set(headerRequestID, id)
		defer s.logRequest(c, id, 0)
	}
	e := s.classify(c, err)
	if e.Class == scoregate.Internal {
		s.log.Error("internal error", slog.String("request_id", id),
			slog.String("method", c.Method()), slog.String("path", c.Path()), slog.Any("error", err))
		e = &scoregate.Error{Class: scoregate.Internal, Code: scoregate.CodeInternal, Message: "internal error"}
	}
	status, ok := statusOf[e.Class]
	if !ok {
		status = fiber.StatusInternalServerError
	}
	body := errorJSON{Error: errorBodyJSON{Code: e.Class, Message: e.Message}}
	if e.Code != "" {
		body.Error.Details = []errorDetailJSON{{Code: e.Code, Target: e.Target, Message: e.Message}}
	}
	if e.Class == scoregate.Unauthorized {
		c.Set(fiber.HeaderWWWAuthenticate, "Bearer")
	}
	c.Locals(localErrorCode, e.Code)
	closeIfBodyUnread(c)
	return writeJSON(c, status, body)
}

// prefetched is how much of a request body the server reads before the
// handler runs (fasthttp's read-ahead when it streams bodies).
const prefetched = 8 << 10

// closeIfBodyUnread closes the connection after an error answer to a
// request whose body may still be partly unread on it (larger than the
// server's read-ahead, or chunked): a handler that fails early, before
// reading an upload, must not leave the rest of it to be parsed as the
// next request. Reading it to the end instead could mean gigabytes.
func closeIfBodyUnread(c *fiber.Ctx) {
	if n := c.Request().Header.ContentLength(); n > prefetched || n == -1 {
		c.Set(fiber.HeaderConnection, "close")
	}
}

// classify turns any error into a *scoregate.Error: Fiber's own errors (no
// route, wrong method, oversized body) by status, deadlines as timeouts,
// everything else through scoregate.ErrorOf.
func (s *Server) classify(c *fiber.Ctx, err error) *scoregate.Error {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		return fromFiberError(c, fe, s.cfg)
	}
	e := scoregate.ErrorOf(err)
	if e.Class == scoregate.Internal && errors.Is(err, context.DeadlineExceeded) {
		return scoregate.Errorf(scoregate.RequestTimeout, codeRequestTimeout, "",
			"the request did not complete within %s", handlerTimeout)
	}
	return e
}

// fromFiberError maps Fiber's errors to classic ones. Fiber's messages are
// not passed on: for malformed requests they can quote raw request bytes,
// headers included.
func fromFiberError(c *fiber.Ctx, fe *fiber.Error, cfg Config) *scoregate.Error {
	switch fe.Code {
	case fiber.StatusNotFound:
		return scoregate.Errorf(scoregate.NotFound, codeRouteNotFound, "",
			"no route for %s %s", c.Method(), c.Path())
	case fiber.StatusMethodNotAllowed:
		return scoregate.Errorf(scoregate.MethodNotAllowed, codeMethodNotAllowed, "",
			"%s is not allowed on %s", c.Method(), c.Path())
	case fiber.StatusRequestEntityTooLarge:
		return scoregate.Errorf(scoregate.RequestEntityTooLarge, scoregate.CodeRequestTooLarge, "",
			"the request body is larger than the limit of %d bytes",
			max(cfg.MaxModelBytes, cfg.MaxJSONBytes, cfg.MaxBlobBytes))
	case fiber.StatusRequestTimeout:
		return scoregate.Errorf(scoregate.RequestTimeout, codeRequestTimeout, "", "the request was not read in time")
	case fiber.StatusUnsupportedMediaType:
		return scoregate.Errorf(scoregate.UnsupportedMediaType, scoregate.CodeUnsupportedMediaType, "",
			"unsupported media type")
	case fiber.StatusServiceUnavailable:
		return scoregate.Errorf(scoregate.ServiceUnavailable, "", "", "service unavailable")
	}
	if fe.Code >= 400 && fe.Code < 500 {
		return scoregate.Errorf(scoregate.BadArgument, codeBadRequest, "",
			"malformed request (HTTP %d)", fe.Code)
	}
	return &scoregate.Error{Class: scoregate.Internal, Code: scoregate.CodeInternal,
		Message: "internal error", Err: fmt.Errorf("fiber: %w", fe)}
}

// notFound is the 404 a caller gets for a resource that is missing or that
// its credential may not see; the two are indistinguishable on purpose.
func notFound(ws, svc, endpoint string) error {
	switch {
	case endpoint != "":
		return scoregate.Errorf(scoregate.NotFound, scoregate.CodeEndpointNotFound, "name",
			"endpoint %q of web service %q not found", endpoint, svc)
	case svc != "":
		return scoregate.Errorf(scoregate.NotFound, scoregate.CodeWebServiceNotFound, "name",
			"web service %q not found", svc)
	case ws != "":
		return scoregate.Errorf(scoregate.NotFound, scoregate.CodeWorkspaceNotFound, "workspace",
			"workspace %q not found", ws)
	default:
		return scoregate.Errorf(scoregate.NotFound, scoregate.CodeWorkspaceNotFound, "",
			"no workspace found for this credential")
	}
}
