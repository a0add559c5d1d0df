package workbook

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
)

// rtBenchBook builds a workbook shaped like a generated one with n filled
// rows of the iris inputs in the table, output columns empty.
func rtBenchBook(b *testing.B, n int) []byte {
	b.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must(b, f.SetSheetName("Sheet1", "Score"))
	header := append(append([]string(nil), rtInputs...), rtOutputs...)
	sw, err := f.NewStreamWriter("Score")
	must(b, err)
	must(b, sw.SetRow("A1", []any{"PARAMETERS", nil, nil, nil, "PREDICTED VALUES"}))
	hdr := make([]any, len(header))
	for i, h := range header {
		hdr[i] = h
	}
	must(b, sw.SetRow("A2", hdr))
	for i := range n {
		k := float64(i % 50)
		row := []any{4.3 + k*0.07, 2.0 + k*0.04, 1.0 + k*0.11, 0.1 + k*0.045}
		must(b, sw.SetRow("A"+strconv.Itoa(3+i), row))
	}
	must(b, sw.AddTable(&excelize.Table{Range: "A2:I" + strconv.Itoa(2+n), Name: "ScoreTable", StyleName: "TableStyleMedium2"}))
	must(b, sw.Flush())
	var buf bytes.Buffer
	must(b, f.Write(&buf))
	return buf.Bytes()
}

// BenchmarkRoundTrip scores a 10,000-row workbook (4 inputs, 4 outputs
// and Errors) end to end: read, score, write back.
func BenchmarkRoundTrip(b *testing.B) {
	data := rtBenchBook(b, 10_000)
	model := rtScorer(b)
	b.ReportAllocs()
	for b.Loop() {
		res, err := RoundTrip(context.Background(), bytes.NewReader(data), io.Discard, model, RoundTripOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if res.Scored != 10_000 {
			b.Fatalf("scored %d", res.Scored)
		}
	}
	b.ReportMetric(float64(10_000*b.N)/b.Elapsed().Seconds(), "rows/s")
}
