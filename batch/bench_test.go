package batch

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/scoregate/scoregate/internal/pmmlgen"
	"github.com/scoregate/scoregate/scoring"
	"github.com/scoregate/scoregate/scoring/pmml"
)

// numericCSV returns a CSV file of rows rows and features numeric columns
// x0..x(features-1), the same every time.
func numericCSV(rows, features int) []byte {
	r := rand.New(rand.NewPCG(7, 8))
	var b bytes.Buffer
	for i := range features {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "x%d", i)
	}
	b.WriteByte('\n')
	var num []byte
	for range rows {
		for i := range features {
			if i > 0 {
				b.WriteByte(',')
			}
			num = strconv.AppendFloat(num[:0], r.NormFloat64()*10, 'f', 4, 64)
			b.Write(num)
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// BenchmarkScoreCSV scores a CSV file of 20 numeric columns with a binary
// logistic regression, from bytes in memory to io.Discard.
func BenchmarkScoreCSV(b *testing.B) {
	model, err := scoring.CompilePMML(bytes.NewReader(pmmlgen.Logistic(2, 20)), pmml.Limits{})
	if err != nil {
		b.Fatal(err)
	}
	for _, rows := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			if rows > 100_000 && testing.Short() {
				b.Skip("-short")
			}
			data := numericCSV(rows, 20)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				in, err := NewCSVReader(bytes.NewReader(data), CSVOptions{})
				if err != nil {
					b.Fatal(err)
				}
				stats, err := Score(context.Background(), model, in, NewCSVWriter(io.Discard, in.Format()), ScoreOptions{})
				if err != nil || stats.Rows != int64(rows) || stats.Failed != 0 {
					b.Fatalf("stats %+v, err %v", stats, err)
				}
			}
			b.StopTimer()
			runtime.ReadMemStats(&after)
			perOp := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(float64(rows)/perOp, "rows/s")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(b.N*rows), "allocs/row")
		})
	}
}

// BenchmarkCSVReader reads the same file without scoring it.
func BenchmarkCSVReader(b *testing.B) {
	data := numericCSV(100_000, 20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		in, err := NewCSVReader(bytes.NewReader(data), CSVOptions{})
		if err != nil {
			b.Fatal(err)
		}
		for in.Next() {
		}
		if in.Err() != nil {
			b.Fatal(in.Err())
		}
	}
}

// TestWriteScoreFiles writes the benchmark's model and a file of
// $SCOREGATE_BATCH_ROWS rows (default 1,000,000) into
// $SCOREGATE_BATCH_FILES, to measure "scoregate score" end to end (time
// and peak RSS) on a file on disk:
//
//	SCOREGATE_BATCH_FILES=/tmp/b go test -run TestWriteScoreFiles ./batch
//	/usr/bin/time -v scoregate score --model /tmp/b/logistic.pmml /tmp/b/in.csv /tmp/b/out.csv
func TestWriteScoreFiles(t *testing.T) {
	dir := os.Getenv("SCOREGATE_BATCH_FILES")
	if dir == "" {
		t.Skip("SCOREGATE_BATCH_FILES not set")
	}
	rows := 1_000_000
	if s := os.Getenv("SCOREGATE_BATCH_ROWS"); s != "" {
		var err error
		if rows, err = strconv.Atoi(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "logistic.pmml"), pmmlgen.Logistic(2, 20), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "in.csv"), numericCSV(rows, 20), 0o644); err != nil {
		t.Fatal(err)
	}
}
