package gateway

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
)

// Headers of the classic request id protocol.
const (
	headerRequestID       = "x-ms-request-id"
	headerClientRequestID = "x-ms-client-request-id"
)

// Keys of values observe and authorize leave in c.Locals.
const (
	localRequestID = "scoregate.request_id"
	localErrorCode = "scoregate.error_code"
	localPrincipal = "scoregate.principal"
)

// maxClientRequestID bounds the client request id echoed back, so a client
// cannot make the gateway send or log arbitrarily long headers.
const maxClientRequestID = 128

// observe wraps every request: it assigns the request id, gives the handlers
// a context with a deadline, turns panics into internal errors, lets
// handleError write any error before the status is logged, and logs one line.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	id := newRequestID()
	c.Locals(localRequestID, id)
	c.Set(headerRequestID, id)
	if cid := c.Request().Header.Peek(headerClientRequestID); len(cid) > 0 && len(cid) <= maxClientRequestID && printable(cid) {
		c.Set(headerClientRequestID, string(cid))
	}
	// A scoring call bounds itself by the score timeout (see execute);
	// every other request gets the handler deadline here.
	if !isScoringCall(c) {
		ctx, cancel := context.WithTimeout(context.Background(), handlerTimeout)
		defer cancel()
		c.SetUserContext(ctx)
	}

	if err := s.next(c); err != nil {
		if werr := s.handleError(c, err); werr != nil {
			s.log.Error("write error response", slog.String("request_id", id), slog.Any("error", werr))
			c.Status(fiber.StatusInternalServerError)
		}
	}
	s.logRequest(c, id, time.Since(start))
	return nil
}

// next runs the rest of the chain, recovering a panic as an error so one bad
// request cannot take the process down.
func (s *Server) next(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	return c.Next()
}

// logRequest writes the request's log line. The query string is left out:
// it is the one part of a URL a client might put something secret in.
func (s *Server) logRequest(c *fiber.Ctx, id string, latency time.Duration) {
	if !s.log.Enabled(context.Background(), slog.LevelInfo) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", utils.CopyString(c.Method())),
		slog.String("path", utils.CopyString(c.Path())),
		slog.Int("status", c.Response().StatusCode()),
		slog.Duration("latency", latency),
		slog.String("request_id", id),
	}
	if code, _ := c.Locals(localErrorCode).(string); code != "" {
		attrs = append(attrs, slog.String("error_code", code))
	}
	s.log.LogAttrs(context.Background(), slog.LevelInfo, "request", attrs...)
}

// requestID returns the id observe gave the request, or "" before observe.
func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(localRequestID).(string)
	return id
}

// newRequestID returns a random id in UUID (version 4) format, the shape
// classic clients expect in x-ms-request-id. An id must be unique, not
// secret: the runtime's ChaCha8 generator (math/rand/v2) gives 122 random
// bits without the system call crypto/rand makes on every request.
func newRequestID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

// printable reports whether b is visible ASCII (no spaces or controls).
func printable(b []byte) bool {
	for _, c := range b {
		if c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}
