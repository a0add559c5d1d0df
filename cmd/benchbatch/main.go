// Command benchbatch measures batch jobs end to end: from an input file
// stored in the blob store to the scored output stored beside it, executed
// by batch.Runner on River over SQLite, as a replica executes a job the
// Batch Execution Service submitted.
//
//	go run ./cmd/benchbatch [flags]        or   make bench-batch BENCH_BATCH_FLAGS='…'
//
// The cases (-cases selects them by regular expression):
//
//   - csv-logistic-N: a CSV file of N rows × 20 numeric columns x0..x19
//     (one per -rows value) through a binary logistic regression
//     (pmmlgen.Logistic(2, 20)). Two sizes side by side show whether peak
//     memory grows with the file.
//   - xlsx-logistic-N: the same rows written as an XLSX workbook
//     (-xlsx-rows), scored into an XLSX output.
//   - csv-forest-N: the largest CSV file through a 200-tree depth-8
//     forest over the same 20 features (pmmlgen.Forest(200, 8, 20, 2)),
//     where scoring, not reading and writing, is the work, so that the
//     CPU column shows whether both cores are busy.
//
// The parent process generates the inputs once, from a seeded
// math/rand/v2 source (so every run of the tool scores the same bytes and
// the smaller CSV file is the head of the larger), each value written with
// six significant digits. Then, for each run and each case (cases
// interleaved, so that noise on a shared machine spreads over all of
// them), it starts itself as a child process with the hidden argument
// -child, so that the peak memory the kernel reports for the child is that
// of one job.
//
// The child opens a fresh SQLite store and a file blob bucket in a
// temporary folder, migrates both schemas, publishes the model and copies
// the input into the bucket; it loads the model once (as a serving replica
// has it loaded) and starts a batch.Runner with one worker. None of that
// is timed. It then submits the job, started, and polls the job's row
// every 5 ms: the time from Submit to the poll that sees Finished is the
// figure rows/s is computed from (the job row's FinishedAt − StartedAt is
// reported beside it). The child's own CPU time over that window gives the
// cores the job kept busy. The child checks that the job Finished with
// every row read and none failed, counts the rows of the stored output,
// and prints one JSON line; the parent adds the kernel's figures for the
// whole child process (peak resident memory, CPU time, wall time) and
// prints a Markdown table with the medians over -runs, followed by every
// run, the machine and the command line, ready for BENCHMARKS.md.
//
// -cpuprofile DIR writes a CPU profile of each job (the timed window only)
// to DIR, one file per case and run.
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

// childArg starts the hidden mode that executes one job.
const childArg = "-child"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) > 1 && os.Args[1] == childArg {
		if err := runChild(ctx, os.Args[2:], os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "benchbatch -child:", err)
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
		err = errors.New("interrupted")
	}
	if err = errors.Join(err, m.Close()); err != nil {
		fmt.Fprintln(os.Stderr, "benchbatch:", err)
		os.Exit(1)
	}
}
