package gateway

import (
	"sync"
	"sync/atomic"

	"github.com/gofiber/fiber/v2"

	"github.com/scoregate/scoregate"
)

// gates holds the concurrency gate of each endpoint this replica serves,
// by endpoint id. A gate outlives the endpoint's cached settings and model:
// a PATCH of MaxConcurrentCalls changes the limit the next call is
// checked against, and calls in flight still count.
type gates struct {
	m sync.Map // endpoint id -> *gate
}

// gate counts the calls in flight on one endpoint.
type gate struct {
	inflight atomic.Int64
	// idx is the schema index of the endpoint's current model.
	idx atomic.Pointer[schemaIndex]
}

func (g *gates) get(id string) *gate {
	if v, ok := g.m.Load(id); ok {
		return v.(*gate)
	}
	v, _ := g.m.LoadOrStore(id, new(gate))
	return v.(*gate)
}

// enter takes a place if fewer than limit calls are in flight. Places are
// counted with one atomic add, so at no instant are more than limit calls
// inside, however many arrive together.
func (g *gate) enter(limit int) bool {
	if g.inflight.Add(1) > int64(limit) {
		g.inflight.Add(-1)
		return false
	}
	return true
}

// leave gives the place back.
func (g *gate) leave() { g.inflight.Add(-1) }

// throttled is the answer to a call over the endpoint's
// MaxConcurrentCalls: 503 RequestThrottled with Retry-After, recorded as
// throttled.
func throttled(c *fiber.Ctx, rec *callRecord, ep *scoregate.Endpoint) error {
	rec.Throttled = true
	c.Set(fiber.HeaderRetryAfter, retryAfter)
	return scoregate.Errorf(scoregate.ServiceUnavailable, scoregate.CodeRequestThrottled, "",
		"the endpoint already serves %d concurrent calls, its MaxConcurrentCalls; retry after %s s",
		ep.MaxConcurrentCalls, retryAfter)
}
