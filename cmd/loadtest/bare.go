package main

import (
	"context"
	"encoding/json"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"
)

// The bare reference handler is what a scoring call costs without the
// gateway: Fiber, configured as gateway.New configures it, with one route
// that decodes the body with encoding/json, as the gateway does, and
// answers a fixed body of the classic shape. The gateway's figures over
// the bare handler's are its overhead: authentication, throttling, the
// model, the response, the telemetry.
//
// Fiber lives in package gateway; this command imports it too because the
// reference is only fair on the same server library and configuration.

// barePath has the shape of a gateway ApiLocation's execute path, so that
// both routers match alike.
const barePath = "/workspaces/00000000000000000000000000000000/services/11111111111111111111111111111111/execute"

// The gateway's server settings (gateway.New).
const (
	bareBodyLimit    = 256 << 20
	bareReadTimeout  = 5 * time.Minute
	bareWriteTimeout = 2 * time.Minute
	bareIdleTimeout  = 2 * time.Minute
)

// bareRequest has the shape of a table-format call; cells stay raw, as
// the gateway keeps them until it knows the field types.
type bareRequest struct {
	Inputs map[string]struct {
		ColumnNames []string
		Values      [][]json.RawMessage
	}
	GlobalParameters map[string]json.RawMessage
}

// bareResponse is a one-row classic table response, as the gateway
// answers for the forest.
var bareResponse = []byte(`{"Results":{"output1":{"type":"table","value":{"ColumnNames":["Scored Labels"],"ColumnTypes":["Double"],"Values":[["0.0123456789"]]}}}}`)

// newBareApp returns the bare reference app.
func newBareApp() *fiber.App {
	app := fiber.New(fiber.Config{
		AppName:                      "scoregate-bare",
		ServerHeader:                 "scoregate",
		BodyLimit:                    bareBodyLimit,
		ReadTimeout:                  bareReadTimeout,
		WriteTimeout:                 bareWriteTimeout,
		IdleTimeout:                  bareIdleTimeout,
		DisableStartupMessage:        true,
		DisablePreParseMultipartForm: true,
	})
	app.Post("/workspaces/:ws/services/:id/execute", handleBareExecute)
	return app
}

// handleBareExecute decodes the call and answers the fixed response.
func handleBareExecute(c *fiber.Ctx) error {
	var req bareRequest
	if err := json.Unmarshal(c.Body(), &req); err != nil {
		return fiber.NewError(fiber.StatusBadRequest, "RequestBodyInvalid: "+err.Error())
	}
	if len(req.Inputs["input1"].Values) == 0 {
		return fiber.NewError(fiber.StatusBadRequest, "MissingRequestInput: input1 has no rows")
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(bareResponse)
}

// serveBare serves the bare reference on addr until ctx is done.
func serveBare(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return serveBareOn(ctx, ln)
}

// serveBareOn serves the bare reference on ln until ctx is done, then
// shuts down gracefully.
func serveBareOn(ctx context.Context, ln net.Listener) error {
	app := newBareApp()
	errc := make(chan error, 1)
	go func() { errc <- app.Listener(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := app.ShutdownWithContext(sctx); err != nil {
		return err
	}
	return <-errc
}
