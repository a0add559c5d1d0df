package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/scoregate/scoregate"
)

// writeJSON encodes v with encoding/json as the response body.
func writeJSON(c *fiber.Ctx, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %T: %w", v, err)
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(b)
}

// param returns a route parameter as a string of its own: Fiber's aliases
// request memory that is reused once the handler returns.
func param(c *fiber.Ctx, key string) string {
	return utils.CopyString(c.Params(key))
}

// readBody returns the raw request body after checking the route's size
// limit. Encoded bodies are refused: inflating them would bypass the limit.
// The bytes alias Fiber's request memory; callers copy what they keep.
func readBody(c *fiber.Ctx, limit int64) ([]byte, error) {
	if err := checkEncoding(c); err != nil {
		return nil, err
	}
	req := c.Request()
	n := int64(req.Header.ContentLength())
	if n > limit {
		return nil, tooLarge(n, limit)
	}
	if n >= 0 {
		// Its declared length, within the limit: the server has read it
		// already, or reads exactly the rest of it now.
		return req.Body(), nil
	}
	// A chunked body, of no declared length: read it up to the route's
	// limit and no further.
	stream := c.Context().RequestBodyStream()
	if stream == nil {
		return req.Body(), nil
	}
	body, err := io.ReadAll(io.LimitReader(stream, limit+1))
	if err != nil {
		return nil, scoregate.Errorf(scoregate.BadArgument, codeBadRequest, "", "the request body could not be read")
	}
	if n := int64(len(body)); n > limit {
		return nil, tooLarge(n, limit)
	}
	req.SetBodyRaw(body) // for c.Body() and c.MultipartForm() after this
	return body, nil
}

// checkEncoding refuses encoded bodies: inflating them would bypass the
// route's size limit.
func checkEncoding(c *fiber.Ctx) error {
	if enc := c.Request().Header.Peek(fiber.HeaderContentEncoding); len(enc) > 0 && !bytes.EqualFold(enc, []byte("identity")) {
		return scoregate.Errorf(scoregate.UnsupportedMediaType, scoregate.CodeUnsupportedMediaType,
			fiber.HeaderContentEncoding, "Content-Encoding %q is not accepted; send the body unencoded", enc)
	}
	return nil
}

// tooLarge is the 413 of a body over its route's limit.
func tooLarge(n, limit int64) error {
	return scoregate.Errorf(scoregate.RequestEntityTooLarge, scoregate.CodeRequestTooLarge, "",
		"the request body is %d bytes; this route accepts at most %d bytes", n, limit)
}

// decodeJSON decodes a JSON body into v. An empty body leaves v as it is.
// Unknown fields are ignored, because classic clients send back what they
// got; malformed JSON and values of the wrong type are BadArgument errors,
// the latter naming the field.
func decodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return bodyError(err)
	}
	return nil
}

// bodyError turns an encoding/json error into a classic one.
func bodyError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return &scoregate.Error{Class: scoregate.BadArgument, Code: scoregate.CodeRequestBodyInvalid,
			Target: te.Field, Err: err,
			Message: fmt.Sprintf("%s must be a JSON %s, not %s", te.Field, jsonKind(te.Type), te.Value)}
	}
	if te != nil {
		return &scoregate.Error{Class: scoregate.BadArgument, Code: scoregate.CodeRequestBodyInvalid, Err: err,
			Message: fmt.Sprintf("the request body must be a JSON object, not %s", te.Value)}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &scoregate.Error{Class: scoregate.BadArgument, Code: scoregate.CodeRequestBodyInvalid, Err: err,
			Message: fmt.Sprintf("the request body is not valid JSON (at byte %d): %s", se.Offset, se.Error())}
	}
	return &scoregate.Error{Class: scoregate.BadArgument, Code: scoregate.CodeRequestBodyInvalid, Err: err,
		Message: "the request body is not valid JSON"}
}

// jsonKind names the JSON type that decodes into a Go type.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "number"
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice, reflect.Array:
		return "array"
	}
	return "object"
}
