package workbook

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
)

const (
	benchRows = 100_000
	benchCols = 20
)

// writeBenchWorkbook writes a benchRows × benchCols numeric sheet with
// excelize's StreamWriter, as a batch input would be.
func writeBenchWorkbook(b *testing.B, path string) {
	b.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	row := make([]any, benchCols)
	for r := 1; r <= benchRows; r++ {
		for c := range row {
			row[c] = float64(r*benchCols+c) * 1.0009765625
		}
		cell, _ := excelize.CoordinatesToCellName(1, r)
		if err := sw.SetRow(cell, row); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkReader reads every cell of a 100,000 × 20 numeric sheet as a
// number, with Reader and with excelize's Rows iterator for comparison.
func BenchmarkReader(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bench.xlsx")
	writeBenchWorkbook(b, path)

	b.Run("scoregate", func(b *testing.B) {
		b.ReportAllocs()
		var sum float64
		for b.Loop() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			st, _ := f.Stat()
			rd, err := OpenReader(f, st.Size(), ReaderOptions{})
			if err != nil {
				b.Fatal(err)
			}
			rows := 0
			for rd.Next() {
				for _, c := range rd.Row() {
					sum += c.Num
				}
				rows++
			}
			if err := rd.Err(); err != nil || rows != benchRows {
				b.Fatalf("read %d rows: %v", rows, err)
			}
			rd.Close()
			f.Close()
		}
		b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		_ = sum
	})

	b.Run("excelize", func(b *testing.B) {
		b.ReportAllocs()
		var sum float64
		for b.Loop() {
			f, err := excelize.OpenFile(path)
			if err != nil {
				b.Fatal(err)
			}
			it, err := f.Rows("Sheet1")
			if err != nil {
				b.Fatal(err)
			}
			rows := 0
			for it.Next() {
				cols, err := it.Columns(excelize.Options{RawCellValue: true})
				if err != nil {
					b.Fatal(err)
				}
				for _, s := range cols {
					v, err := strconv.ParseFloat(s, 64)
					if err != nil {
						b.Fatal(err)
					}
					sum += v
				}
				rows++
			}
			if rows != benchRows {
				b.Fatalf("read %d rows", rows)
			}
			it.Close()
			f.Close()
		}
		b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		_ = sum
	})
}
