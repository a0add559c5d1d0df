package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/scoregate/scoregate/internal/benchenv"
)

// machine is what the report says about where it was measured.
type machine = benchenv.Machine

// report is the benchmark's result.
type report struct {
	cases         []benchCase
	runs          map[string][]run
	before, after machine
	command       string
}

func (r *report) failures() int {
	n := 0
	for _, runs := range r.runs {
		for _, x := range runs {
			if x.err != nil {
				n++
			}
		}
	}
	return n
}

// write prints the report as Markdown.
func (r *report) write(w io.Writer) {
	m := r.before
	fmt.Fprintf(w, "\n## Batch jobs, %s\n\n", m.When.Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(w, "command: `%s`\n\n", r.command)
	fmt.Fprintf(w, "- %s, revision %s\n", m.GoVersion, orUnknown(m.Revision))
	fmt.Fprintf(w, "- CPU: %s; NumCPU %d, nproc %s, GOMAXPROCS %d\n", orUnknown(m.CPUModel), m.CPUs, orUnknown(m.Nproc), m.GOMAXPROCS)
	fmt.Fprintf(w, "- load average (1, 5, 15 min): %s before, %s after\n", orUnknown(m.LoadAvg), orUnknown(r.after.LoadAvg))
	fmt.Fprintf(w, "- runs per case: %d; rows/s = data rows / (Submit → the 5 ms poll that saw Finished); "+
		"\"job row\" uses FinishedAt − StartedAt instead; peak RSS is the child process's Maxrss, the largest of the runs; "+
		"cores = the child's user+sys CPU time over the job's wall time (job) and over the whole process's life (process)\n\n", len(r.runs[r.cases[0].name]))

	fmt.Fprintln(w, "| case | rows | input MB | output MB | rows/s median | rows/s min–max | rows/s (job row) | peak RSS MiB | cores (job) | cores (process) | failed runs |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, c := range r.cases {
		var rates, jobRates, jobCores, procCores []float64
		var rss int64
		var in, out int64
		failed := 0
		for _, x := range r.runs[c.name] {
			if x.err != nil {
				failed++
				continue
			}
			rows := float64(x.child.RowsRead)
			rates = append(rates, rows/x.child.Seconds)
			jobRates = append(jobRates, rows/x.child.JobSeconds)
			jobCores = append(jobCores, x.child.CPUSeconds/x.child.Seconds)
			procCores = append(procCores, x.cpu.Seconds()/x.wall.Seconds())
			rss = max(rss, x.maxRSS)
			in, out = x.child.InputBytes, x.child.OutBytes
		}
		if len(rates) == 0 {
			fmt.Fprintf(w, "| %s | %d | | | FAILED | | | | | | %d |\n", c.name, c.rows, failed)
			continue
		}
		fmt.Fprintf(w, "| %s | %d | %.1f | %.1f | %.0f | %.0f–%.0f | %.0f | %.1f | %.2f | %.2f | %d |\n",
			c.name, c.rows, mb(in), mb(out), median(rates), slices.Min(rates), slices.Max(rates),
			median(jobRates), mib(rss), median(jobCores), median(procCores), failed)
	}

	fmt.Fprintln(w, "\nEvery run:")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| case | run | rows/s | job s | job row s | cores (job) | peak RSS MiB | RSS at job end MiB | process wall s | process CPU s | setup s | model load s |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, c := range r.cases {
		for i, x := range r.runs[c.name] {
			if x.err != nil {
				fmt.Fprintf(w, "| %s | %d | FAILED: %s | | | | | | | | | |\n", c.name, i+1, strings.ReplaceAll(x.err.Error(), "|", "/"))
				continue
			}
			ch := x.child
			fmt.Fprintf(w, "| %s | %d | %.0f | %.3f | %.3f | %.2f | %.1f | %.1f | %.2f | %.2f | %.2f | %.3f |\n",
				c.name, i+1, float64(ch.RowsRead)/ch.Seconds, ch.Seconds, ch.JobSeconds, ch.CPUSeconds/ch.Seconds,
				mib(x.maxRSS), mib(ch.HWMBytes), x.wall.Seconds(), x.cpu.Seconds(), ch.SetupSecs, ch.LoadSecs)
		}
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func mb(n int64) float64  { return float64(n) / 1e6 }
func mib(n int64) float64 { return float64(n) / (1 << 20) }

// median of xs, which it sorts.
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}
