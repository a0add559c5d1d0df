package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// executeQuery is the query of every call: classic table format.
const executeQuery = "?api-version=2.0&details=true"

// target is where calls go: the address to dial, the URL and the bearer
// key (none for the bare handler).
type target struct {
	addr string
	uri  string
	key  string
}

// requestBodies returns n single-row table-format bodies over the
// features x0..x(features-1), values as strings as classic clients sent
// them, from a fixed seed so that runs send the same calls.
func requestBodies(n, features int) [][]byte {
	type table struct {
		ColumnNames []string
		Values      [][]string
	}
	type request struct {
		Inputs           map[string]table
		GlobalParameters map[string]string
	}
	names := make([]string, features)
	for i := range names {
		names[i] = "x" + strconv.Itoa(i)
	}
	r := rand.New(rand.NewPCG(7, 8))
	bodies := make([][]byte, n)
	for i := range bodies {
		row := make([]string, features)
		for j := range row {
			// The forest's thresholds are standard normal, so rows like
			// these take every branch.
			row[j] = strconv.FormatFloat(r.NormFloat64(), 'f', 4, 64)
		}
		body, err := json.Marshal(request{
			Inputs:           map[string]table{"input1": {ColumnNames: names, Values: [][]string{row}}},
			GlobalParameters: map[string]string{},
		})
		if err != nil {
			panic(err) // strings and slices always marshal
		}
		bodies[i] = body
	}
	return bodies
}

// loadSpec is one case: C connections calling a target.
type loadSpec struct {
	target    target
	bodies    [][]byte
	conns     int
	warmup    time.Duration
	duration  time.Duration
	timeout   time.Duration
	serverPID int // for the server's CPU use; 0 to skip it
}

// loadResult is what one case measured.
type loadResult struct {
	hist     histogram // latencies of the successful calls of the window
	ok       int64     // successful calls started and completed in the window
	elapsed  time.Duration
	failures map[string]*failure // by kind, over warm-up and window
	// serverCPU and clientCPU are the cores the server and this process
	// used over the window, otherCPU what everything else on the machine
	// used (noise, on a shared machine); NaN where /proc is missing.
	serverCPU, clientCPU, otherCPU float64
}

// failure counts the failed calls of one kind ("HTTP 503", or the
// transport error) and keeps the first one's body or message.
type failure struct {
	count   int64
	example string
}

// rate is the successful calls per second.
func (r *loadResult) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.ok) / r.elapsed.Seconds()
}

// errorCount is the number of failed calls.
func (r *loadResult) errorCount() int64 {
	var n int64
	for _, f := range r.failures {
		n += f.count
	}
	return n
}

// The phases of a case. A call counts when it started after the window
// opened and completed before it closed, so calls in flight at either edge
// are left out alike.
const (
	phaseWarmup int32 = iota
	phaseMeasure
	phaseDone
)

// clock is what the connections read to know what a call counts for.
type clock struct {
	phase atomic.Int32
	// start is written before phase becomes phaseMeasure and read only
	// after a connection saw that phase.
	start time.Time
}

// runLoad runs one case: conns connections, each a goroutine calling in a
// loop on its own keep-alive connection, for the warm-up and then the
// measured window.
func runLoad(ctx context.Context, s loadSpec) (*loadResult, error) {
	clk := &clock{}
	conns := make([]*conn, s.conns)
	var wg sync.WaitGroup
	for i := range conns {
		c := &conn{failures: map[string]*failure{}}
		conns[i] = c
		// Connections start at different rows so the server sees a mix.
		wg.Go(func() { c.run(&s, clk, i*len(s.bodies)/s.conns) })
	}
	stop := func() {
		clk.phase.Store(phaseDone)
		wg.Wait()
	}
	if err := sleep(ctx, s.warmup); err != nil {
		stop()
		return nil, err
	}
	server0, serverOK := cpuTime(s.serverPID)
	client0, clientOK := cpuTime(os.Getpid())
	busy0, busyOK := machineBusy()
	clk.start = time.Now()
	clk.phase.Store(phaseMeasure)
	err := sleep(ctx, s.duration)
	clk.phase.Store(phaseDone)
	r := &loadResult{elapsed: time.Since(clk.start), failures: map[string]*failure{},
		serverCPU: math.NaN(), clientCPU: math.NaN(), otherCPU: math.NaN()}
	server1, serverOK1 := cpuTime(s.serverPID)
	client1, clientOK1 := cpuTime(os.Getpid())
	busy1, busyOK1 := machineBusy()
	wg.Wait()
	if err != nil {
		return nil, err
	}
	if serverOK && serverOK1 {
		r.serverCPU = (server1 - server0).Seconds() / r.elapsed.Seconds()
	}
	if clientOK && clientOK1 {
		r.clientCPU = (client1 - client0).Seconds() / r.elapsed.Seconds()
	}
	if busyOK && busyOK1 && !math.IsNaN(r.serverCPU+r.clientCPU) {
		// Tick rounding can make it slightly negative on an idle machine.
		r.otherCPU = max(0, (busy1-busy0).Seconds()/r.elapsed.Seconds()-r.serverCPU-r.clientCPU)
	}
	for _, c := range conns {
		r.ok += c.ok
		r.hist.merge(&c.hist)
		mergeFailures(r.failures, c.failures)
	}
	return r, nil
}

// mergeFailures adds the failures of from to into.
func mergeFailures(into, from map[string]*failure) {
	for kind, f := range from {
		if g, ok := into[kind]; ok {
			g.count += f.count
		} else {
			into[kind] = &failure{count: f.count, example: f.example}
		}
	}
}

// conn is one connection's loop and what it counted.
type conn struct {
	hist     histogram
	ok       int64
	failures map[string]*failure
}

// newClient returns a client holding one keep-alive connection to t.
func newClient(t target, timeout time.Duration) *fasthttp.HostClient {
	return &fasthttp.HostClient{
		Addr:                     t.addr,
		MaxConns:                 1,
		ReadTimeout:              timeout,
		WriteTimeout:             timeout,
		MaxIdleConnDuration:      time.Minute,
		NoDefaultUserAgentHeader: true,
	}
}

// newRequest returns the request of every call to t, without its body.
func newRequest(t target) *fasthttp.Request {
	req := fasthttp.AcquireRequest()
	req.SetRequestURI(t.uri)
	req.Header.SetMethod(fasthttp.MethodPost)
	req.Header.SetContentType("application/json")
	if t.key != "" {
		req.Header.Set(fasthttp.HeaderAuthorization, "Bearer "+t.key)
	}
	return req
}

// run calls until the case is done, starting at body first.
func (c *conn) run(s *loadSpec, clk *clock, first int) {
	client := newClient(s.target, s.timeout)
	defer client.CloseIdleConnections()
	req, resp := newRequest(s.target), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	for i := first; ; i++ {
		req.SetBodyRaw(s.bodies[i%len(s.bodies)])
		began := time.Now()
		err := client.Do(req, resp)
		took := time.Since(began)
		phase := clk.phase.Load()
		if phase == phaseDone {
			return
		}
		if err == nil && resp.StatusCode() == fasthttp.StatusOK {
			if phase == phaseMeasure && !began.Before(clk.start) {
				c.ok++
				c.hist.record(took)
			}
			continue
		}
		c.fail(err, resp)
		if err != nil {
			time.Sleep(time.Millisecond) // do not spin on a server that is gone
		}
	}
}

// fail counts a failed call.
func (c *conn) fail(err error, resp *fasthttp.Response) {
	var kind, example string
	if err != nil {
		kind, example = "transport error", err.Error()
	} else {
		kind, example = "HTTP "+strconv.Itoa(resp.StatusCode()), snippet(resp.Body())
	}
	if f, ok := c.failures[kind]; ok {
		f.count++
		return
	}
	c.failures[kind] = &failure{count: 1, example: example}
}

// probe makes one call to t and checks that it succeeds with a classic
// table response, so that a run against a broken server stops before
// measuring it.
func probe(ctx context.Context, t target, body []byte, timeout time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	client := newClient(t, timeout)
	defer client.CloseIdleConnections()
	req, resp := newRequest(t), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetBodyRaw(body)
	if err := client.Do(req, resp); err != nil {
		return fmt.Errorf("probe POST %s: %w", t.uri, err)
	}
	if resp.StatusCode() != fasthttp.StatusOK || !bytes.Contains(resp.Body(), []byte(`"Results"`)) {
		return fmt.Errorf("probe POST %s: HTTP %d: %s", t.uri, resp.StatusCode(), snippet(resp.Body()))
	}
	return nil
}
