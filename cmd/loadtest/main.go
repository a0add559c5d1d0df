// Command loadtest measures what the gateway adds to a scoring call. It
// starts scoregate on SQLite with a generated 200-tree forest published,
// and beside it a bare Fiber handler that only decodes the request, drives
// both with the same single-row table-format calls at several connection
// counts, and prints requests per second and latency percentiles as a
// Markdown table, the gateway's figures as ratios to the bare handler's.
//
//	go run ./cmd/loadtest [flags]        or   make loadtest LOADTEST_FLAGS='…'
//
// The generator shares the machine with the servers, as wrk would, so the
// absolute figures depend on the machine and the ratios are what compare.
// Each server runs as its own process and is measured the same way; the
// bare handler is this binary run with the hidden argument -bare ADDR.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// bareArg starts the hidden mode that serves the bare reference handler.
const bareArg = "-bare"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) == 3 && os.Args[1] == bareArg {
		if err := serveBare(ctx, os.Args[2]); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest -bare:", err)
			os.Exit(1)
		}
		return
	}
	m := NewMain(os.Stdout, os.Stderr)
	if err := m.ParseFlags(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		os.Exit(2)
	}
	err := m.Run(ctx)
	if ctx.Err() != nil {
		err = errors.New("interrupted") // the cause of whatever failed
	}
	if err = errors.Join(err, m.Close()); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}
