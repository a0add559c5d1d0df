package batch

import (
	"context"

	"github.com/scoregate/scoregate"
)

// chunk holds rows read and not yet written, in buffers reused from one
// chunk to the next.
type chunk struct {
	n     int
	width int
	cells []string   // n rows of width cells, padded with ""
	kinds []CellKind // like cells, when the reader and the writer both know kinds; else nil
	rows  []scoregate.Row
	outs  [][]scoregate.Value
	errs  []error
	// The rows the reader found no fault with, handed to the model.
	idx   []int
	sRows []scoregate.Row
	sOuts [][]scoregate.Value
	sErrs []error
}

func newChunk(model scoregate.Scorer, size, width int, kinds bool) *chunk {
	c := &chunk{
		width: width,
		cells: make([]string, size*width),
		rows:  make([]scoregate.Row, size),
		outs:  make([][]scoregate.Value, size),
		errs:  make([]error, size),
		idx:   make([]int, 0, size),
		sRows: make([]scoregate.Row, 0, size),
		sOuts: make([][]scoregate.Value, 0, size),
		sErrs: make([]error, size),
	}
	if kinds {
		c.kinds = make([]CellKind, size*width)
	}
	for i := range size {
		c.rows[i] = model.NewRow()
		c.outs[i] = model.NewOutput()
	}
	return c
}

// fill reads up to a chunk of records, and their kinds when kr (in itself)
// is not nil; it returns false when in has no more.
func (c *chunk) fill(in Reader, kr KindReader, cols []int, missing []string) bool {
	c.n = 0
	c.idx, c.sRows, c.sOuts = c.idx[:0], c.sRows[:0], c.sOuts[:0]
	for c.n < len(c.rows) {
		if !in.Next() {
			return false
		}
		i := c.n
		c.n++
		rec := in.Record()
		cells := c.cells[i*c.width : (i+1)*c.width]
		k := copy(cells, rec)
		clear(cells[k:])
		if kr != nil {
			kinds := c.kinds[i*c.width : (i+1)*c.width]
			k := copy(kinds, kr.RecordKinds())
			clear(kinds[k:])
		}
		row := c.rows[i]
		row.Reset()
		if err := in.RecordErr(); err != nil {
			c.errs[i] = err
			clear(c.outs[i])
			continue
		}
		c.errs[i] = nil
		for f, col := range cols {
			if col < 0 {
				continue
			}
			if s := cells[col]; !isMissing(s, missing) {
				row[f] = scoregate.Value{Kind: scoregate.KindString, Str: s}
			}
		}
		c.idx = append(c.idx, i)
		c.sRows = append(c.sRows, row)
		c.sOuts = append(c.sOuts, c.outs[i])
	}
	return true
}

// score scores the chunk's sound rows and returns how many rows failed,
// in the reader or in the model.
func (c *chunk) score(ctx context.Context, model scoregate.Scorer) (int, error) {
	errs := c.sErrs[:len(c.sRows)]
	clear(errs)
	if len(c.sRows) > 0 {
		if _, err := model.ScoreBatch(ctx, c.sRows, c.sOuts, errs); err != nil {
			return 0, err
		}
	}
	for k, i := range c.idx {
		if errs[k] != nil {
			c.errs[i] = errs[k]
			clear(c.outs[i])
		}
	}
	failed := 0
	for _, err := range c.errs[:c.n] {
		if err != nil {
			failed++
		}
	}
	return failed, nil
}

func isMissing(s string, missing []string) bool {
	for _, m := range missing {
		if len(s) == len(m) && s == m {
			return true
		}
	}
	return false
}
