package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"

	"github.com/scoregate/scoregate/workbook"
)

// columns is how many numeric columns every input has, x0..x19: the
// features pmmlgen's models read.
const columns = 20

// seed makes the inputs the same on every run of the tool.
const seed = 2026

// columnNames are the inputs' header.
func columnNames() []string {
	names := make([]string, columns)
	for i := range names {
		names[i] = "x" + strconv.Itoa(i)
	}
	return names
}

// values returns the cells of the input rows, row after row, as text and
// as the number the text reads back as: standard normal draws (the scale
// pmmlgen's coefficients and thresholds are drawn at) with six significant
// digits. Every file takes the same sequence, so a smaller file is the
// head of a larger one.
func values() func() (string, float64) {
	r := rand.New(rand.NewPCG(seed, seed))
	var buf []byte
	return func() (string, float64) {
		buf = strconv.AppendFloat(buf[:0], r.NormFloat64(), 'g', 6, 64)
		v, _ := strconv.ParseFloat(string(buf), 64)
		return string(buf), v
	}
}

// writeFile creates path and has fill write it through a buffer.
func writeFile(path string, fill func(w *bufio.Writer) error) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	w := bufio.NewWriterSize(f, 1<<20)
	if err := fill(w); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// writeCSV writes a CSV file of rows rows with a header.
func writeCSV(path string, rows int) error {
	return writeFile(path, func(w *bufio.Writer) error {
		for i, n := range columnNames() {
			if i > 0 {
				w.WriteByte(',')
			}
			w.WriteString(n)
		}
		w.WriteByte('\n')
		next := values()
		for range rows {
			for c := range columns {
				if c > 0 {
					w.WriteByte(',')
				}
				s, _ := next()
				w.WriteString(s)
			}
			w.WriteByte('\n')
		}
		return nil
	})
}

// writeXLSX writes the same rows as writeCSV as a one-sheet workbook, the
// numbers as number cells.
func writeXLSX(path string, rows int) error {
	return writeFile(path, func(w *bufio.Writer) error {
		x := workbook.NewWriter(w, workbook.WriterOptions{})
		if err := x.WriteHeader(columnNames()); err != nil {
			return err
		}
		next := values()
		for range rows {
			for range columns {
				_, v := next()
				x.Number(v)
			}
			if err := x.EndRow(); err != nil {
				return err
			}
		}
		return x.Close()
	})
}
