package workbook

import (
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
)

const writerBenchCols = 23

// benchValues returns the numbers of a benchRows × writerBenchCols sheet:
// model-like values (four decimals, probabilities, small integers).
func benchValues() []float64 {
	r := rand.New(rand.NewPCG(1, 2))
	v := make([]float64, benchRows*writerBenchCols)
	for i := range v {
		switch i % writerBenchCols {
		case 0:
			v[i] = float64(i / writerBenchCols)
		case writerBenchCols - 1:
			v[i] = r.Float64()
		default:
			v[i] = float64(int(r.NormFloat64()*100000)) / 10000
		}
	}
	return v
}

// countWriter counts what is written to it.
type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func writeBench(b *testing.B, values []float64, level int, out io.Writer) {
	w := NewWriter(out, WriterOptions{Level: level, TempDir: b.TempDir()})
	names := make([]string, writerBenchCols)
	for i := range names {
		names[i] = fmt.Sprintf("x%d", i)
	}
	if err := w.WriteHeader(names); err != nil {
		b.Fatal(err)
	}
	for r := range benchRows {
		for _, v := range values[r*writerBenchCols : (r+1)*writerBenchCols] {
			w.Number(v)
		}
		if err := w.EndRow(); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkWriter writes a 100,000 × 23 numeric sheet at DefaultLevel.
func BenchmarkWriter(b *testing.B) {
	values := benchValues()
	b.ReportAllocs()
	var out countWriter
	for b.Loop() {
		out.n = 0
		writeBench(b, values, 0, &out)
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(out.n), "file-bytes")
}

// BenchmarkWriterLevels is BenchmarkWriter at each deflate level, to choose
// DefaultLevel: rows/s against file size.
func BenchmarkWriterLevels(b *testing.B) {
	values := benchValues()
	for _, level := range []int{1, 2, 3, 4, 5, 6} {
		b.Run(fmt.Sprintf("level=%d", level), func(b *testing.B) {
			var out countWriter
			for b.Loop() {
				out.n = 0
				writeBench(b, values, level, &out)
			}
			b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(out.n), "file-bytes")
		})
	}
}
