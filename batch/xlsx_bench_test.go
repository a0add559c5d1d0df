package batch

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/scoregate/scoregate/internal/pmmlgen"
	"github.com/scoregate/scoregate/scoring"
	"github.com/scoregate/scoregate/scoring/pmml"
	"github.com/scoregate/scoregate/workbook"
)

// numericXLSX returns an XLSX file of rows rows and features numeric
// columns x0..x(features-1), the numbers of numericCSV.
func numericXLSX(tb testing.TB, rows, features int) []byte {
	tb.Helper()
	r := rand.New(rand.NewPCG(7, 8))
	var b bytes.Buffer
	w := workbook.NewWriter(&b, workbook.WriterOptions{TempDir: tb.TempDir()})
	names := make([]string, features)
	for i := range names {
		names[i] = fmt.Sprintf("x%d", i)
	}
	if err := w.WriteHeader(names); err != nil {
		tb.Fatal(err)
	}
	var num []byte
	for range rows {
		for range features {
			num = strconv.AppendFloat(num[:0], r.NormFloat64()*10, 'f', 4, 64)
			w.Number(mustFloat(tb, string(num)))
		}
		if err := w.EndRow(); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func mustFloat(tb testing.TB, s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// BenchmarkScoreXLSX scores an XLSX sheet of 100,000 rows of 20 numeric
// columns with a binary logistic regression, from bytes in memory to an
// XLSX file written to io.Discard: read, score and write.
func BenchmarkScoreXLSX(b *testing.B) {
	model, err := scoring.CompilePMML(bytes.NewReader(pmmlgen.Logistic(2, 20)), pmml.Limits{})
	if err != nil {
		b.Fatal(err)
	}
	const rows = 100_000
	data := numericXLSX(b, rows, 20)
	tmp := b.TempDir()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		in, err := NewXLSXReader(bytes.NewReader(data), int64(len(data)), XLSXOptions{})
		if err != nil {
			b.Fatal(err)
		}
		out := NewXLSXWriter(io.Discard, XLSXWriteOptions{TempDir: tmp})
		stats, err := Score(context.Background(), model, in, out, ScoreOptions{})
		if err != nil || stats.Rows != rows || stats.Failed != 0 {
			b.Fatalf("stats %+v, err %v", stats, err)
		}
		out.Close()
		in.Close()
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
